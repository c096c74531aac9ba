/* SPDX-License-Identifier: GPL-2.0-only */
/* The one place where constraints bound governor decisions (see clamp.c). */
#ifndef PV_POWERMGR_CLAMP_H
#define PV_POWERMGR_CLAMP_H

#include <stdbool.h>
#include <stdint.h>

#include "powermgr/constraints.h"
#include "powermgr/platform.h"

struct pm_cpu_decision {
	uint32_t target_khz;	/* requested P-state */
	int cstate_limit;	/* deepest C-state index allowed */
};

struct pm_decision {
	unsigned int ncpus;
	struct pm_cpu_decision *cpu;	/* [ncpus] */
};

/* Deepest state whose exit latency fits @latency_us (state 0 always does). */
int pm_clamp_cstate_for_latency(const struct pm_platform *p, uint32_t latency_us);
/* Clamp one CPU's decision in place; returns true when anything changed. */
bool pm_clamp_cpu(const struct pm_platform *p, const struct pm_cpu_constraint *c,
		 struct pm_cpu_decision *d);
/* Clamp every CPU (@c may be NULL: only snap to the tables). Returns CPUs changed. */
unsigned int pm_clamp(const struct pm_platform *p, const struct pm_constraints *c,
		      struct pm_decision *d);
/* Predicate for tests and assertions: does @d respect @c on @p? */
bool pm_clamp_check(const struct pm_platform *p, const struct pm_cpu_constraint *c,
		   const struct pm_cpu_decision *d);

#endif /* PV_POWERMGR_CLAMP_H */
