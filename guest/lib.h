/* SPDX-License-Identifier: GPL-2.0-only */
/* pvguest: the freestanding bits of libc it needs, plus a small PRNG. */
#ifndef PVGUEST_LIB_H
#define PVGUEST_LIB_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);

/* Copy at most size-1 bytes and NUL-terminate; returns the source length. */
size_t lib_strlcpy(char *dst, const char *src, size_t size);
/* Does [s, s+len) equal the NUL-terminated word? (parse.c) */
bool lib_word_eq(const char *s, size_t len, const char *word);
/* Parse a decimal u64 from [s, s+len): 0 or -EINVAL (empty, junk, overflow). (parse.c) */
int lib_parse_u64(const char *s, size_t len, uint64_t *out);

/* xorshift64*: deterministic garbage for the hostile modes. */
uint64_t lib_rand_next(uint64_t *state);

#define EINVAL	22
#define ENOSPC	28
#define ERANGE	34
#define E2BIG	7

#endif /* PVGUEST_LIB_H */
