/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Response content coding: does the client take gzip (its Accept-Encoding header, RFC 9110
 * §12.5.3), and gzip a body. Used for the large texts the API caches per snapshot (GET
 * /metrics, GET /api/v1/vms): Prometheus and browsers ask for gzip, and a 118 KB scrape
 * shrinks about tenfold, which is most of what a scrape costs on loopback.
 */
#ifndef PV_API_ENCODING_H
#define PV_API_ENCODING_H

#include <stdbool.h>
#include <stddef.h>

#define API_GZIP_MIN_BYTES	1024	/* smaller bodies are sent as they are */
#define API_GZIP_LEVEL		1	/* zlib level: fastest; text compresses well anyway */

/*
 * Does an Accept-Encoding value (NULL = header absent) accept gzip? "gzip" or "x-gzip"
 * with a non-zero q, or "*" with a non-zero q when gzip is not named. A malformed
 * element is ignored, never an error: the body is then sent uncompressed.
 */
bool api_accepts_gzip(const char *accept_encoding);

/* gzip @len bytes of @in into a malloc'ed *out (*out_len bytes). 0, -ENOMEM or -EIO. */
int api_gzip(const void *in, size_t len, int level, unsigned char **out, size_t *out_len);

#endif /* PV_API_ENCODING_H */
