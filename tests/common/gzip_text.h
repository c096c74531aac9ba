/* SPDX-License-Identifier: GPL-2.0-only */
/* Test helpers for gzip bodies: zlib's own decoder, and a text shaped like a scrape. */
#ifndef PV_TESTS_GZIP_TEXT_H
#define PV_TESTS_GZIP_TEXT_H

#include <stddef.h>

/*
 * Decode the gzip stream @z (@zlen bytes) with zlib's inflate: a malloc'ed, NUL-terminated
 * text of *len bytes, or NULL when it is not one whole gzip stream of at most @max bytes.
 */
char *gzip_text_decode(const void *z, size_t zlen, size_t max, size_t *len);

/* @lines exposition-like lines (repetitive, some digits varying): malloc'ed, *len bytes. */
char *gzip_text_sample(size_t lines, size_t *len);

#endif /* PV_TESTS_GZIP_TEXT_H */
