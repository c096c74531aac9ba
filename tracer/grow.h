/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Growable arrays: room for one more element, doubling when full. One helper for the
 * interval lists, segment lists, queues and windows that every module keeps.
 */
#ifndef PV_TRACER_GROW_H
#define PV_TRACER_GROW_H

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

/*
 * Make room for element @n of the array *@pv (@elem bytes each, *@cap allocated): when
 * full, double it (the first allocation holds @first). 0, or -ENOMEM with the array as it
 * was.
 */
static inline int pv_grow(void **pv, size_t *cap, size_t n, size_t elem, size_t first)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : first;
	nv = realloc(*pv, ncap * elem);
	if (!nv)
		return -ENOMEM;
	*pv = nv;
	*cap = ncap;
	return 0;
}

/* pv_grow for the typed array @arr (a pointer lvalue) with capacity @cap (a size_t lvalue). */
#define PV_GROW(arr, cap, n, first) \
	pv_grow((void **)&(arr), &(cap), (n), sizeof(*(arr)), (first))

#endif /* PV_TRACER_GROW_H */
