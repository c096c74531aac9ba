/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Constraints on powermgr's decisions, PM-QoS style: qos/ adds requests (a latency budget,
 * a frequency floor) per physical CPU, the aggregate is the strictest (minimum budget,
 * maximum floor), and clamp.c applies the aggregate to every governor's output in one
 * place.
 */
#ifndef PV_POWERMGR_CONSTRAINTS_H
#define PV_POWERMGR_CONSTRAINTS_H

#include <stdint.h>

#define PM_LATENCY_NONE		UINT32_MAX	/* no wake-latency budget */

struct pm_cpu_constraint {
	uint32_t latency_us;	/* wake-latency budget: min over requests; PM_LATENCY_NONE */
	uint32_t floor_khz;	/* frequency floor: max over requests; 0 = none */
};

struct pm_constraints {
	unsigned int ncpus;
	struct pm_cpu_constraint *cpu;	/* [ncpus] */
};

/* No request on any CPU. */
void pm_constraints_reset(struct pm_constraints *c);
/* Add one request on @cpu (PM_LATENCY_NONE / 0 for "no opinion"). -EINVAL out of range. */
int pm_constraints_add(struct pm_constraints *c, unsigned int cpu, uint32_t latency_us,
		       uint32_t floor_khz);

#endif /* PV_POWERMGR_CONSTRAINTS_H */
