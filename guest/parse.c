// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvguest: token parsing for the workload and command-line grammar (spec.c). Needs only
 * strlen, memcmp and EINVAL, so the host compiles it too (daemon/wlspec.c) and both sides
 * read the grammar's words and numbers the same way.
 */
#include "lib.h"

bool lib_word_eq(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

int lib_parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 19)	/* 19 digits always fit in 64 bits */
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}
