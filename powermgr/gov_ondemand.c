// SPDX-License-Identifier: GPL-2.0-only
/*
 * ondemand: Linux's ondemand cpufreq governor (drivers/cpufreq/cpufreq_ondemand.c).
 *
 * Design note: the baseline a Linux host would run, reproduced from the kernel's od_update:
 *   load = non-idle share of the window, in percent;
 *   load > up_threshold  -> policy max (turbo included when `turbo`), and hold it for
 *                           sampling_down_factor samples (the kernel's rate_mult);
 *   otherwise            -> min + load x (max - min) / 100, closest P-state
 *                           (CPUFREQ_RELATION_C).
 * "Idle" is what /proc/stat would show: time no thread ran plus vCPU halts where the
 * thread blocked. A polling halt keeps the thread on the CPU, so it counts as load — as it
 * does for the kernel. C-states are left to the idle governor: unrestricted.
 * Tunable ranges are the kernel's (MIN_FREQUENCY_UP_THRESHOLD 11, MAX_..._THRESHOLD 100,
 * MAX_SAMPLING_DOWN_FACTOR 100000).
 */
#include <errno.h>
#include <stdlib.h>

#include "powermgr/governor.h"

enum { OD_UP_THRESHOLD, OD_SAMPLING_DOWN_FACTOR, OD_TURBO, OD_NR_TUNABLES };

#define DEF_OD_UP_THRESHOLD		80
#define MIN_OD_UP_THRESHOLD		11
#define MAX_OD_UP_THRESHOLD		100
#define DEF_OD_SAMPLING_DOWN_FACTOR	1
#define MIN_OD_SAMPLING_DOWN_FACTOR	1
#define MAX_OD_SAMPLING_DOWN_FACTOR	100000
#define DEF_OD_TURBO			1
#define MIN_OD_TURBO			0
#define MAX_OD_TURBO			1

static const struct pm_tunable_desc od_tunables[OD_NR_TUNABLES] = {
	[OD_UP_THRESHOLD] = { "up_threshold", DEF_OD_UP_THRESHOLD, MIN_OD_UP_THRESHOLD,
			      MAX_OD_UP_THRESHOLD, "pct" },
	[OD_SAMPLING_DOWN_FACTOR] = { "sampling_down_factor", DEF_OD_SAMPLING_DOWN_FACTOR,
				      MIN_OD_SAMPLING_DOWN_FACTOR, MAX_OD_SAMPLING_DOWN_FACTOR,
				      "samples" },
	[OD_TURBO] = { "turbo", DEF_OD_TURBO, MIN_OD_TURBO, MAX_OD_TURBO, "bool" },
};

struct od_cpu {
	uint32_t hold;		/* samples left at max (rate_mult) */
	uint32_t last_khz;
};

/* Percent of the window the CPU was not idle. */
static unsigned int od_load_pct(const struct pm_cpu_sample *c)
{
	uint64_t idle = c->idle_ns + (c->halt_ns > c->halt_poll_ns ? c->halt_ns - c->halt_poll_ns : 0);

	if (!c->window_ns)
		return 0;
	if (idle >= c->window_ns)
		return 0;
	return (unsigned int)((c->window_ns - idle) * 100 / c->window_ns);
}

static int od_init(struct pm_gov *gov)
{
	return pm_gov_priv_percpu(gov, sizeof(struct od_cpu));
}

static int od_start(struct pm_gov *gov)
{
	struct od_cpu *cpus = gov->priv;	/* [plat->ncpus] */

	for (unsigned int i = 0; i < gov->plat->ncpus; i++)
		cpus[i] = (struct od_cpu){ 0, 0 };
	return 0;
}

static int od_decide(struct pm_gov *gov, const struct pm_sample *s, struct pm_decision *d)
{
	const struct pm_platform *plat = gov->plat;
	struct od_cpu *cpus = gov->priv;	/* [plat->ncpus] */
	uint32_t min_f = pm_platform_min_khz(plat);
	uint32_t max_f = gov->tun[OD_TURBO] ? pm_platform_max_khz(plat) : pm_platform_base_khz(plat);

	if (s->ncpus > plat->ncpus)
		return -EINVAL;
	for (unsigned int i = 0; i < s->ncpus; i++) {
		struct od_cpu *oc = &cpus[i];
		unsigned int load = od_load_pct(&s->cpu[i]);
		uint32_t khz;

		if (oc->hold) {
			oc->hold--;
			khz = max_f;
		} else if (load > gov->tun[OD_UP_THRESHOLD]) {
			khz = max_f;
			oc->hold = (uint32_t)gov->tun[OD_SAMPLING_DOWN_FACTOR] - 1;
		} else {
			khz = pm_platform_closest_khz(plat, min_f + (uint32_t)((uint64_t)load *
							(max_f - min_f) / 100));
		}
		oc->last_khz = khz;
		d->cpu[i].target_khz = khz;
		d->cpu[i].cstate_limit = pm_platform_deepest(plat);
	}
	return 0;
}

const struct pm_governor_ops pm_gov_ondemand_ops = {
	.name = "ondemand",
	.tunables = od_tunables,
	.nr_tunables = OD_NR_TUNABLES,
	.init = od_init,
	.exit = pm_gov_priv_free,
	.start = od_start,
	.decide = od_decide,
};
