// SPDX-License-Identifier: GPL-2.0-only
/* Accept-Encoding negotiation and gzip bodies (see encoding.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "api/encoding.h"

#define GZIP_WINDOW_BITS	(15 + 16)	/* 32 KiB window, gzip header and trailer */
#define GZIP_MEM_LEVEL		8

static const char *skip_ows(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* An RFC 9110 qvalue ("0", "0.5", "1.000") in thousandths, or -1 when malformed. */
static int qvalue_milli(const char *p, const char *end)
{
	int v, scale = 100, digits = 0;

	if (p == end || (*p != '0' && *p != '1'))
		return -1;
	v = (*p++ - '0') * 1000;
	if (p < end && *p == '.') {
		for (p++; p < end && *p >= '0' && *p <= '9' && digits < 3; p++, digits++) {
			v += (*p - '0') * scale;
			scale /= 10;
		}
	}
	return p == end && v <= 1000 ? v : -1;
}

/*
 * The weight of one element's parameter list (@p points after the coding name): 1000 when
 * it has no q, -1 when a parameter is malformed.
 */
static int element_weight(const char *p, const char *end)
{
	int q = 1000;

	while ((p = skip_ows(p, end)) < end) {
		const char *next, *pend;

		if (*p != ';')
			return -1;
		p = skip_ows(p + 1, end);
		for (next = p; next < end && *next != ';'; next++)
			;
		pend = next;
		while (pend > p && (pend[-1] == ' ' || pend[-1] == '\t'))
			pend--;
		if (pend - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=')
			q = qvalue_milli(p + 2, pend);
		if (q < 0)
			return -1;
		p = next;
	}
	return q;
}

static bool name_is(const char *p, size_t n, const char *name)
{
	return n == strlen(name) && !strncasecmp(p, name, n);
}

bool api_accepts_gzip(const char *accept_encoding)
{
	const char *p = accept_encoding;
	int gzip_q = -1, star_q = -1;

	if (!p)
		return false;
	while (*p) {
		const char *comma = strchr(p, ','), *end = comma ? comma : p + strlen(p);
		const char *name = skip_ows(p, end), *nend = name;
		int q;

		while (nend < end && *nend != ';' && *nend != ' ' && *nend != '\t')
			nend++;
		q = element_weight(nend, end);
		if (q >= 0 && (name_is(name, (size_t)(nend - name), "gzip") ||
			       name_is(name, (size_t)(nend - name), "x-gzip")))
			gzip_q = q;
		else if (q >= 0 && name_is(name, (size_t)(nend - name), "*"))
			star_q = q;
		p = comma ? comma + 1 : end;
	}
	return gzip_q >= 0 ? gzip_q > 0 : star_q > 0;
}

int api_gzip(const void *in, size_t len, int level, unsigned char **out, size_t *out_len)
{
	z_stream zs;
	unsigned char *buf;
	uLong cap;
	int zr;

	*out = NULL;
	*out_len = 0;
	if (len > UINT32_MAX)
		return -EINVAL;
	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, level, Z_DEFLATED, GZIP_WINDOW_BITS, GZIP_MEM_LEVEL,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	cap = deflateBound(&zs, (uLong)len);
	buf = malloc(cap);
	if (!buf) {
		deflateEnd(&zs);
		return -ENOMEM;
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = buf;
	zs.avail_out = (uInt)cap;
	zr = deflate(&zs, Z_FINISH);	/* one call: deflateBound leaves room for everything */
	if (zr != Z_STREAM_END) {
		deflateEnd(&zs);
		free(buf);
		return -EIO;
	}
	*out_len = zs.total_out;
	*out = buf;
	deflateEnd(&zs);
	return 0;
}
