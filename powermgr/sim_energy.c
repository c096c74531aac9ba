// SPDX-License-Identifier: GPL-2.0-only
/*
 * Simulator: energy. Every segment's model power is integrated exactly and charged to its
 * owner (VM, idle, overhead) with the CPU's share of the uncore, at the package-C6 rate
 * while every CPU is in C6; energy also goes into time bins, from which a RAPL-like meter
 * (updated every meter period, quantized to its unit) is read at ticks for attribution.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "powermgr/sim_priv.h"

static void sim_bin_add(struct sim *s, uint64_t a, uint64_t b, double uj)
{
	size_t i = a / PM_SIM_BIN_NS;

	if (b <= a) {
		if (i < s->nbins)
			s->bins[i] += uj;
		return;
	}
	for (; i < s->nbins && i * PM_SIM_BIN_NS < b; i++) {
		uint64_t lo = i * PM_SIM_BIN_NS, hi = lo + PM_SIM_BIN_NS;
		uint64_t x = a > lo ? a : lo, y = b < hi ? b : hi;

		if (y > x)
			s->bins[i] += uj * (double)(y - x) / (double)(b - a);
	}
}

static double *sim_owner_slot(struct sim *s, int32_t owner)
{
	struct pm_attrib_result *t = &s->res->truth;

	if (owner == PM_OWNER_IDLE)
		return &t->idle_uj;
	if (owner == PM_OWNER_OVERHEAD)
		return &t->overhead_uj;
	return &t->vm_uj[owner];
}

void pm_sim_charge(struct sim *s, int32_t owner, uint64_t a, uint64_t b, double uj)
{
	*sim_owner_slot(s, owner) += uj;
	s->res->energy_uj += uj;
	sim_bin_add(s, a, b, uj);
}

/* Intersection of two sorted disjoint interval lists (pairs a[2i], a[2i+1]). */
static size_t sim_intersect(const uint64_t *a, size_t na, const uint64_t *b, size_t nb,
			    uint64_t *out)
{
	size_t i = 0, j = 0, n = 0;

	while (i < na && j < nb) {
		uint64_t lo = a[2 * i] > b[2 * j] ? a[2 * i] : b[2 * j];
		uint64_t hi = a[2 * i + 1] < b[2 * j + 1] ? a[2 * i + 1] : b[2 * j + 1];

		if (hi > lo) {
			out[2 * n] = lo;
			out[2 * n + 1] = hi;
			n++;
		}
		if (a[2 * i + 1] < b[2 * j + 1])
			i++;
		else
			j++;
	}
	return n;
}

/* Energy of this window's segments, with package C6 found across CPUs. */
int pm_sim_account(struct sim *s, uint64_t t0, uint64_t t1)
{
	unsigned int n = s->tl->ncpus;
	uint64_t *pc6 = NULL, *tmp = NULL, *mine = NULL;
	size_t npc6 = 1, cap = 16;
	double u_on = pm_model_uncore_w(s->m, false) / s->m->ncpus;
	double u_c6 = pm_model_uncore_w(s->m, true) / s->m->ncpus;
	int err = -ENOMEM;

	for (unsigned int i = 0; i < n; i++)
		if (s->cpu[i].segs->n - s->cpu[i].w.seg0 + 1 > cap)
			cap = s->cpu[i].segs->n - s->cpu[i].w.seg0 + 1;
	pc6 = malloc(2 * cap * sizeof(*pc6));
	tmp = malloc(2 * cap * sizeof(*tmp));
	mine = malloc(2 * cap * sizeof(*mine));
	if (!pc6 || !tmp || !mine)
		goto out_free;
	/* idle in C6 on every modelled CPU: CPUs beyond the timeline are always in C6 */
	pc6[0] = t0;
	pc6[1] = t1;
	for (unsigned int i = 0; i < n && npc6; i++) {
		const struct pm_seg_list *l = s->cpu[i].segs;
		size_t nm = 0;

		for (size_t k = s->cpu[i].w.seg0; k < l->n; k++)
			if (l->s[k].kind == PM_SEG_IDLE && l->s[k].cstate == PM_MODEL_C6) {
				if (nm && mine[2 * nm - 1] == l->s[k].start_ns) {
					mine[2 * nm - 1] = l->s[k].end_ns;
					continue;
				}
				mine[2 * nm] = l->s[k].start_ns;
				mine[2 * nm + 1] = l->s[k].end_ns;
				nm++;
			}
		npc6 = sim_intersect(pc6, npc6, mine, nm, tmp);
		memcpy(pc6, tmp, 2 * npc6 * sizeof(*pc6));
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct pm_seg_list *l = s->cpu[i].segs;
		size_t p = 0;

		for (size_t k = s->cpu[i].w.seg0; k < l->n; k++) {
			const struct pm_seg *g = &l->s[k];
			uint64_t dt = g->end_ns - g->start_ns, ov = 0;
			double w;

			while (p < npc6 && pc6[2 * p + 1] <= g->start_ns)
				p++;
			for (size_t q = p; q < npc6 && pc6[2 * q] < g->end_ns; q++) {
				uint64_t lo = pc6[2 * q] > g->start_ns ? pc6[2 * q] : g->start_ns;
				uint64_t hi = pc6[2 * q + 1] < g->end_ns ? pc6[2 * q + 1] : g->end_ns;

				ov += hi > lo ? hi - lo : 0;
			}
			if (g->kind == PM_SEG_BUSY)
				w = pm_model_active_w(s->m, g->khz);
			else if (g->kind == PM_SEG_POLL)
				w = pm_model_idle_w(s->m, PM_MODEL_POLL, g->khz);
			else
				w = pm_model_idle_w(s->m, (unsigned int)g->cstate, g->khz);
			/* W x ns = 1e-3 µJ */
			pm_sim_charge(s, g->owner, g->start_ns, g->end_ns,
				      (w * dt + u_on * (dt - ov) + u_c6 * ov) * 1e-3);
		}
	}
	/* modelled CPUs the timeline does not use: idle in C6, their uncore share */
	for (unsigned int i = n; i < s->m->ncpus; i++) {
		uint64_t ov = 0;

		for (size_t q = 0; q < npc6; q++)
			ov += pc6[2 * q + 1] - pc6[2 * q];
		pm_sim_charge(s, PM_OWNER_IDLE, t0, t1,
			      (u_on * (t1 - t0 - ov) + u_c6 * ov) * 1e-3);
	}
	err = 0;
out_free:
	free(pc6);
	free(tmp);
	free(mine);
	return err;
}

int pm_sim_meter(struct sim *s, uint64_t t, double *cum, size_t *cum_bins)
{
	const struct pm_sim_cfg *cfg = s->cfg;
	struct pm_sim_result *r = s->res;
	uint64_t period = cfg->meter_period_ns ? cfg->meter_period_ns : PM_SIM_DEF_METER_PERIOD_NS;
	uint64_t phase = cfg->meter_period_ns ? cfg->meter_phase_ns : PM_SIM_DEF_METER_PHASE_NS;
	double unit = cfg->meter_unit_uj > 0 ? cfg->meter_unit_uj : PM_SIM_DEF_METER_UNIT_UJ;
	uint64_t upd = t >= phase ? (t - phase) / period * period + phase : 0;
	size_t upto = upd / PM_SIM_BIN_NS;
	void *p;

	while (*cum_bins < upto && *cum_bins < s->nbins)
		*cum += s->bins[(*cum_bins)++];
	p = realloc(r->meter_ns, (r->nmeter + 1) * sizeof(*r->meter_ns));
	if (!p)
		return -ENOMEM;
	r->meter_ns = p;
	p = realloc(r->meter_uj, (r->nmeter + 1) * sizeof(*r->meter_uj));
	if (!p)
		return -ENOMEM;
	r->meter_uj = p;
	r->meter_ns[r->nmeter] = t;
	r->meter_uj[r->nmeter] = (double)(uint64_t)(*cum / unit) * unit;
	r->nmeter++;
	return 0;
}
