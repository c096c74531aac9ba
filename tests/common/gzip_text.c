// SPDX-License-Identifier: GPL-2.0-only
/* Test helpers for gzip bodies (see gzip_text.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "tests/common/gzip_text.h"

char *gzip_text_decode(const void *z, size_t zlen, size_t max, size_t *len)
{
	char *out = malloc(max + 1);
	z_stream zs;
	int zr;

	if (!out)
		return NULL;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK) {	/* gzip only */
		free(out);
		return NULL;
	}
	zs.next_in = (Bytef *)(uintptr_t)z;
	zs.avail_in = (uInt)zlen;
	zs.next_out = (Bytef *)out;
	zs.avail_out = (uInt)max;
	zr = inflate(&zs, Z_FINISH);
	*len = zs.total_out;
	inflateEnd(&zs);
	if (zr != Z_STREAM_END || zs.avail_in) {
		free(out);
		return NULL;
	}
	out[*len] = '\0';
	return out;
}

char *gzip_text_sample(size_t lines, size_t *len)
{
	size_t cap = lines * 80 + 1, n = 0;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < lines; i++)
		n += (size_t)snprintf(s + n, cap - n, "powervisor_vm_exits_total{vm=\"vm%02zu\","
				      "reason=\"pio\"} %zu\n", i % 17, i * 7919 % 100003);
	*len = n;
	return s;
}
