// SPDX-License-Identifier: GPL-2.0-only
/*
 * performance: the highest P-state, like cpufreq's performance governor.
 *
 * Design note: Linux's performance governor sets policy->max, which includes turbo bins
 * when boost is enabled; the tunable `turbo` (default on, as Linux) chooses between the
 * top turbo bin (granted by the platform only with package headroom) and the highest
 * non-turbo P-state. C-states are left unrestricted: only constraints limit them.
 */
#include "powermgr/governor.h"

enum { PERF_TURBO, PERF_NR_TUNABLES };

#define DEF_PERF_TURBO	1
#define MIN_PERF_TURBO	0
#define MAX_PERF_TURBO	1

static const struct pm_tunable_desc perf_tunables[PERF_NR_TUNABLES] = {
	[PERF_TURBO] = { "turbo", DEF_PERF_TURBO, MIN_PERF_TURBO, MAX_PERF_TURBO, "bool" },
};

static int perf_decide(struct pm_gov *gov, const struct pm_sample *s, struct pm_decision *d)
{
	uint32_t khz = gov->tun[PERF_TURBO] ? pm_platform_max_khz(gov->plat)
					    : pm_platform_base_khz(gov->plat);

	for (unsigned int i = 0; i < s->ncpus; i++) {
		d->cpu[i].target_khz = khz;
		d->cpu[i].cstate_limit = pm_platform_deepest(gov->plat);
	}
	return 0;
}

const struct pm_governor_ops pm_gov_performance_ops = {
	.name = "performance",
	.tunables = perf_tunables,
	.nr_tunables = PERF_NR_TUNABLES,
	.decide = perf_decide,
};
