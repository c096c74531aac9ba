// SPDX-License-Identifier: GPL-2.0-only
/*
 * Clamping governor output by constraints.
 *
 * Design note: governors decide, constraints bound, and the bounding happens here only, so
 * no governor — built-in, experimental or buggy — can violate a latency budget or a
 * frequency floor. Order of operations per CPU:
 *   1. frequency: raise to the floor, then snap up to a real P-state (never below the
 *      floor; a floor above the table gives the highest P-state, the best available);
 *   2. C-state limit: bring into [0, deepest], then cap at the deepest state whose exit
 *      latency fits the budget. State 0 (polling) has no exit latency and is always legal.
 */
#include "powermgr/clamp.h"

int pm_clamp_cstate_for_latency(const struct pm_platform *p, uint32_t latency_us)
{
	int k = 0;

	for (unsigned int i = 1; i < p->nr_cstates; i++)
		if (p->cstates[i].exit_latency_us <= latency_us)
			k = (int)i;
	return k;
}

bool pm_clamp_cpu(const struct pm_platform *p, const struct pm_cpu_constraint *c,
		  struct pm_cpu_decision *d)
{
	struct pm_cpu_decision in = *d;
	uint32_t khz = d->target_khz;
	int lim = d->cstate_limit;

	if (c && khz < c->floor_khz)
		khz = c->floor_khz;
	d->target_khz = pm_platform_ceil_khz(p, khz);

	if (lim < 0)
		lim = 0;
	if (lim > pm_platform_deepest(p))
		lim = pm_platform_deepest(p);
	if (c && c->latency_us != PM_LATENCY_NONE) {
		int max = pm_clamp_cstate_for_latency(p, c->latency_us);

		if (lim > max)
			lim = max;
	}
	d->cstate_limit = lim;
	return in.target_khz != d->target_khz || in.cstate_limit != d->cstate_limit;
}

unsigned int pm_clamp(const struct pm_platform *p, const struct pm_constraints *c,
		      struct pm_decision *d)
{
	unsigned int changed = 0;

	for (unsigned int i = 0; i < d->ncpus; i++) {
		const struct pm_cpu_constraint *cc = c && i < c->ncpus ? &c->cpu[i] : NULL;

		changed += pm_clamp_cpu(p, cc, &d->cpu[i]);
	}
	return changed;
}

bool pm_clamp_check(const struct pm_platform *p, const struct pm_cpu_constraint *c,
		    const struct pm_cpu_decision *d)
{
	bool in_table = false;

	for (unsigned int i = 0; i < p->nr_pstates; i++)
		in_table |= p->pstates_khz[i] == d->target_khz;
	if (!in_table || d->cstate_limit < 0 || d->cstate_limit > pm_platform_deepest(p))
		return false;
	if (!c)
		return true;
	if (d->target_khz < c->floor_khz && d->target_khz != pm_platform_max_khz(p))
		return false;
	if (c->latency_us != PM_LATENCY_NONE &&
	    p->cstates[d->cstate_limit].exit_latency_us > c->latency_us && d->cstate_limit > 0)
		return false;
	return true;
}
