// SPDX-License-Identifier: GPL-2.0-only
/* PM-QoS style aggregation of per-CPU requests: strictest wins. */
#include <errno.h>

#include "powermgr/constraints.h"

void pm_constraints_reset(struct pm_constraints *c)
{
	for (unsigned int i = 0; i < c->ncpus; i++) {
		c->cpu[i].latency_us = PM_LATENCY_NONE;
		c->cpu[i].floor_khz = 0;
	}
}

int pm_constraints_add(struct pm_constraints *c, unsigned int cpu, uint32_t latency_us,
		       uint32_t floor_khz)
{
	if (!c || cpu >= c->ncpus)
		return -EINVAL;
	if (latency_us < c->cpu[cpu].latency_us)
		c->cpu[cpu].latency_us = latency_us;
	if (floor_khz > c->cpu[cpu].floor_khz)
		c->cpu[cpu].floor_khz = floor_khz;
	return 0;
}
