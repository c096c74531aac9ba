/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What governors know about the platform: the P-state table and the C-state table, read
 * once from a backend (or built from the model). Governors never call a backend.
 */
#ifndef PV_POWERMGR_PLATFORM_H
#define PV_POWERMGR_PLATFORM_H

#include <stdint.h>

#include "powermgr/backend.h"

struct pm_model;

struct pm_platform {
	unsigned int ncpus;
	uint32_t pstates_khz[PM_MAX_PSTATES];	/* ascending, shared by every CPU */
	unsigned int nr_pstates;
	unsigned int nr_turbo;			/* highest entries above base */
	struct pm_cstate_info cstates[PM_MAX_CSTATES];	/* [0] shallowest */
	unsigned int nr_cstates;
};

int pm_platform_from_backend(struct pm_platform *p, struct pm_backend *b);
void pm_platform_from_model(struct pm_platform *p, const struct pm_model *m);

static inline uint32_t pm_platform_min_khz(const struct pm_platform *p)
{
	return p->pstates_khz[0];
}
static inline uint32_t pm_platform_max_khz(const struct pm_platform *p)
{
	return p->pstates_khz[p->nr_pstates - 1];
}
/* Highest non-turbo P-state. */
static inline uint32_t pm_platform_base_khz(const struct pm_platform *p)
{
	return p->pstates_khz[p->nr_pstates - 1 - p->nr_turbo];
}
/* Lowest P-state >= khz; the highest when none is. */
uint32_t pm_platform_ceil_khz(const struct pm_platform *p, uint32_t khz);
/* The P-state closest to khz (ties go up). */
uint32_t pm_platform_closest_khz(const struct pm_platform *p, uint32_t khz);
/* Deepest C-state index. */
static inline int pm_platform_deepest(const struct pm_platform *p)
{
	return (int)p->nr_cstates - 1;
}

#endif /* PV_POWERMGR_PLATFORM_H */
