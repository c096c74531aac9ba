// SPDX-License-Identifier: GPL-2.0-only
/*
 * transition: Powervisor's own governor, driven by VM transitions.
 *
 * Design note — what it decides and why.
 * Input per physical CPU is the residency the VMM's transitions give for the last window:
 * guest time (a vCPU ran guest code), VMM time (exit handling), halt time (split into
 * blocked and polling halts) and idle time (no vCPU thread), plus the idle-period
 * histogram and RT activity reported by the guests. Unlike /proc/stat-driven ondemand,
 * it can tell real demand from a vCPU the host is merely polling for, and RT work from
 * best-effort work.
 *
 * Frequency (per CPU, per-core P-state domains):
 *   demand = guest + VMM + unattributed host time (polling halts excluded: a polling
 *            loop needs no speed, only presence);
 *   if demand < sat_pct of the window, the demand is known: the target is the lowest
 *      P-state whose capacity covers demand_cycles x headroom, demand_cycles measured at
 *      the frequency in effect (headroom is rt_headroom_pct when RT activity was seen on
 *      this CPU, headroom_pct otherwise — the faster ramp for RT work);
 *   if the CPU was saturated, demand is unknown (at least the capacity): best-effort CPUs
 *      ramp geometrically by ramp_pct per tick, CPUs with RT activity jump straight to the
 *      cap.
 *   The cap is the highest non-turbo P-state for best-effort CPUs unless be_turbo: in the
 *   model (model.c) a turbo cycle costs ~27 % more energy than a base cycle (V^2), and a
 *   batch VM's throughput carries no deadline. RT CPUs may use turbo (rt_turbo). This
 *   trade is reported by bench_power as the batch slowdown, not hidden.
 *
 * C-state limit (the menu/teo idea over the observed idle periods): the deepest state
 *   such that at least idle_hit_pct of the idle periods that ended in the window were at
 *   least as long as its target residency (bucket lower bounds: conservative). No period
 *   ended but the CPU was mostly idle: the deepest state. No information: keep the last
 *   limit. Latency budgets are not considered here: clamp.c applies them to every
 *   governor alike.
 */
#include <errno.h>
#include <stdlib.h>

#include "powermgr/governor.h"

enum {
	TR_HEADROOM, TR_RT_HEADROOM, TR_SAT, TR_RAMP, TR_BE_TURBO, TR_RT_TURBO, TR_IDLE_HIT,
	TR_NR_TUNABLES
};

#define DEF_TR_HEADROOM_PCT	125
#define MIN_TR_HEADROOM_PCT	100
#define MAX_TR_HEADROOM_PCT	300
#define DEF_TR_RT_HEADROOM_PCT	200
#define MIN_TR_RT_HEADROOM_PCT	100
#define MAX_TR_RT_HEADROOM_PCT	400
#define DEF_TR_SAT_PCT		90
#define MIN_TR_SAT_PCT		50
#define MAX_TR_SAT_PCT		100
#define DEF_TR_RAMP_PCT		150
#define MIN_TR_RAMP_PCT		110
#define MAX_TR_RAMP_PCT		400
#define DEF_TR_BE_TURBO		0
#define DEF_TR_RT_TURBO		1
#define DEF_TR_IDLE_HIT_PCT	60
#define MIN_TR_IDLE_HIT_PCT	1
#define MAX_TR_IDLE_HIT_PCT	100

static const struct pm_tunable_desc tr_tunables[TR_NR_TUNABLES] = {
	[TR_HEADROOM] = { "headroom_pct", DEF_TR_HEADROOM_PCT, MIN_TR_HEADROOM_PCT,
			  MAX_TR_HEADROOM_PCT, "pct" },
	[TR_RT_HEADROOM] = { "rt_headroom_pct", DEF_TR_RT_HEADROOM_PCT, MIN_TR_RT_HEADROOM_PCT,
			     MAX_TR_RT_HEADROOM_PCT, "pct" },
	[TR_SAT] = { "sat_pct", DEF_TR_SAT_PCT, MIN_TR_SAT_PCT, MAX_TR_SAT_PCT, "pct" },
	[TR_RAMP] = { "ramp_pct", DEF_TR_RAMP_PCT, MIN_TR_RAMP_PCT, MAX_TR_RAMP_PCT, "pct" },
	[TR_BE_TURBO] = { "be_turbo", DEF_TR_BE_TURBO, 0, 1, "bool" },
	[TR_RT_TURBO] = { "rt_turbo", DEF_TR_RT_TURBO, 0, 1, "bool" },
	[TR_IDLE_HIT] = { "idle_hit_pct", DEF_TR_IDLE_HIT_PCT, MIN_TR_IDLE_HIT_PCT,
			  MAX_TR_IDLE_HIT_PCT, "pct" },
};

struct tr_cpu {
	int last_limit;
};

static int tr_init(struct pm_gov *gov)
{
	return pm_gov_priv_percpu(gov, sizeof(struct tr_cpu));
}

static int tr_start(struct pm_gov *gov)
{
	struct tr_cpu *cpus = gov->priv;	/* [plat->ncpus] */

	for (unsigned int i = 0; i < gov->plat->ncpus; i++)
		cpus[i].last_limit = pm_platform_deepest(gov->plat);
	return 0;
}

static uint32_t tr_freq(const struct pm_gov *gov, const struct pm_cpu_sample *c)
{
	const struct pm_platform *plat = gov->plat;
	bool rt = c->rt_count || c->rt_active;
	bool turbo = rt ? gov->tun[TR_RT_TURBO] : gov->tun[TR_BE_TURBO];
	uint32_t cap = turbo ? pm_platform_max_khz(plat) : pm_platform_base_khz(plat);
	uint32_t cur = c->cur_khz ? c->cur_khz : pm_platform_min_khz(plat);
	uint64_t accounted = c->guest_ns + c->vmm_ns + c->halt_ns + c->idle_ns;
	uint64_t demand = c->guest_ns + c->vmm_ns;
	uint64_t need;

	if (!c->window_ns)
		return cur < cap ? cur : cap;
	if (accounted < c->window_ns)
		demand += c->window_ns - accounted;	/* host work we did not attribute */
	if (demand * 100 >= c->window_ns * (uint64_t)gov->tun[TR_SAT]) {
		if (rt)
			return cap;
		need = (uint64_t)cur * (uint64_t)gov->tun[TR_RAMP] / 100;
		need = pm_platform_ceil_khz(plat, (uint32_t)(need < cap ? need : cap));
		if (need <= cur && cur < cap)	/* always at least one step up */
			need = pm_platform_ceil_khz(plat, cur + 1);
		return need < cap ? (uint32_t)need : cap;
	}
	need = demand * cur / c->window_ns;
	need = need * (uint64_t)(rt ? gov->tun[TR_RT_HEADROOM] : gov->tun[TR_HEADROOM]) / 100;
	if (need > cap)
		need = cap;
	return pm_platform_ceil_khz(plat, (uint32_t)need);
}

static int tr_cstate(const struct pm_gov *gov, const struct pm_cpu_sample *c, int last)
{
	const struct pm_platform *plat = gov->plat;
	uint64_t total = 0, idle = c->idle_ns;

	if (c->halt_ns > c->halt_poll_ns)
		idle += c->halt_ns - c->halt_poll_ns;

	for (unsigned int b = 0; b < PM_IDLE_HIST_BUCKETS; b++)
		total += c->idle_hist[b];
	if (!total)
		return idle * 2 >= c->window_ns && c->window_ns ? pm_platform_deepest(plat) : last;
	for (int k = pm_platform_deepest(plat); k > 0; k--) {
		uint64_t hits = 0;

		for (unsigned int b = 0; b < PM_IDLE_HIST_BUCKETS; b++)
			if (pm_idle_bucket_floor_us(b) >= plat->cstates[k].target_residency_us)
				hits += c->idle_hist[b];
		if (hits * 100 >= total * (uint64_t)gov->tun[TR_IDLE_HIT])
			return k;
	}
	return 0;
}

static int tr_decide(struct pm_gov *gov, const struct pm_sample *s, struct pm_decision *d)
{
	struct tr_cpu *cpus = gov->priv;	/* [plat->ncpus] */

	if (s->ncpus > gov->plat->ncpus)
		return -EINVAL;
	for (unsigned int i = 0; i < s->ncpus; i++) {
		const struct pm_cpu_sample *c = &s->cpu[i];

		d->cpu[i].target_khz = tr_freq(gov, c);
		d->cpu[i].cstate_limit = tr_cstate(gov, c, cpus[i].last_limit);
		cpus[i].last_limit = d->cpu[i].cstate_limit;
	}
	return 0;
}

const struct pm_governor_ops pm_gov_transition_ops = {
	.name = "transition",
	.tunables = tr_tunables,
	.nr_tunables = TR_NR_TUNABLES,
	.init = tr_init,
	.exit = pm_gov_priv_free,
	.start = tr_start,
	.decide = tr_decide,
};
