// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-VM energy attribution.
 *
 * Design note. A node counter tells how much energy the node used between two policy
 * ticks, not who used it. Both methods below split each counter delta ΔE over [t0, t1)
 * in proportion to a weight per owner, summed over the owner's intervals clipped to the
 * tick, so per-VM + idle + overhead = the counter's total by construction (the counter's
 * quantization is spread, not lost).
 *
 * Frequency-weighted (Powervisor): weight = modelled power of the interval x its length,
 *   using only what the transitions and our own decisions tell: busy at the frequency in
 *   effect (a PSTATE decision splits intervals, even mid-tick) -> active power; polling
 *   -> C0-poll power; idle -> the power of the C-state limit in effect (the deepest state
 *   allowed; the state really chosen is not observed). Every interval also carries its
 *   CPU's share of the uncore, which is running whenever that CPU is. Since dynamic power
 *   grows with V^2 f, an hour at 3.2 GHz weighs ~2.4x an hour at 1.2 GHz.
 * CPU-time share (Kepler's dynamic split by CPU time, Scaphandre's share of CPU time):
 *   busy owners weighted by time alone (power of a busy CPU taken as the same at every
 *   frequency: active power at the base P-state), idle and polling exactly as above, so
 *   the two methods differ only in how frequency enters. When all VMs run at one
 *   frequency the two agree; when VMs run at different frequencies at the same time the
 *   CPU-time share over-charges the slow ones.
 * Error sources of the frequency-weighted method: the idle-state estimate, package C6
 * (uncore drops when all cores sleep; the method assumes it running), and counter reads
 * that are quantized in energy (RAPL's 61 µJ) and time (updates every ~1 ms).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "powermgr/attrib.h"
#include "tracer/grow.h"

int pm_seg_push(struct pm_seg_list *l, const struct pm_seg *s)
{
	if (PV_GROW(l->s, l->cap, l->n, 1024))
		return -ENOMEM;
	l->s[l->n++] = *s;
	return 0;
}

void pm_seg_list_free(struct pm_seg_list *l)
{
	free(l->s);
	memset(l, 0, sizeof(*l));
}

typedef double (*attrib_weight_fn)(const struct pm_model *m, const struct pm_seg *s);

static double attrib_uncore_share(const struct pm_model *m)
{
	return pm_model_uncore_w(m, false) / m->ncpus;
}

static double attrib_idle_w(const struct pm_model *m, const struct pm_seg *s)
{
	int k = s->cstate_limit < 0 ? 0 : s->cstate_limit;

	if (k >= PM_MODEL_NR_CSTATES)
		k = PM_MODEL_NR_CSTATES - 1;
	return pm_model_idle_w(m, (unsigned int)k, s->khz) + attrib_uncore_share(m);
}

static double attrib_fw_weight(const struct pm_model *m, const struct pm_seg *s)
{
	switch (s->kind) {
	case PM_SEG_BUSY:
		return pm_model_active_w(m, s->khz) + attrib_uncore_share(m);
	case PM_SEG_POLL:
		return pm_model_idle_w(m, PM_MODEL_POLL, s->khz) + attrib_uncore_share(m);
	default:
		return attrib_idle_w(m, s);
	}
}

static double attrib_cs_weight(const struct pm_model *m, const struct pm_seg *s)
{
	switch (s->kind) {
	case PM_SEG_BUSY:
		return pm_model_active_w(m, m->base_khz) + attrib_uncore_share(m);
	case PM_SEG_POLL:
		return pm_model_idle_w(m, PM_MODEL_POLL, s->khz) + attrib_uncore_share(m);
	default:
		return attrib_idle_w(m, s);
	}
}

static int attrib_run(const struct pm_attrib_input *in, struct pm_attrib_result *out,
		      attrib_weight_fn wfn)
{
	size_t *pos;
	int err = 0;

	if (!in || !out || !in->model || !in->cpu || in->nvms > PM_TL_MAX_VMS || in->nmeter < 2)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->nvms = in->nvms;
	pos = calloc(in->ncpus ? in->ncpus : 1, sizeof(*pos));
	if (!pos)
		return -ENOMEM;

	for (size_t k = 0; k + 1 < in->nmeter; k++) {
		uint64_t t0 = in->meter_ns[k], t1 = in->meter_ns[k + 1];
		double de = in->meter_uj[k + 1] - in->meter_uj[k];
		double w_owner[PM_TL_MAX_VMS + 2] = { 0 }, wsum = 0;

		if (t1 <= t0 || de < 0) {
			err = -EINVAL;
			goto out_free_pos;
		}
		for (unsigned int c = 0; c < in->ncpus; c++) {
			const struct pm_seg_list *l = &in->cpu[c];
			size_t i = pos[c];

			while (i < l->n && l->s[i].end_ns <= t0)
				i++;
			pos[c] = i;
			for (; i < l->n && l->s[i].start_ns < t1; i++) {
				const struct pm_seg *s = &l->s[i];
				uint64_t a = s->start_ns > t0 ? s->start_ns : t0;
				uint64_t b = s->end_ns < t1 ? s->end_ns : t1;
				double w;
				int slot;

				if (b <= a)
					continue;
				w = wfn(in->model, s) * (double)(b - a);
				slot = s->owner == PM_OWNER_IDLE ? 0 :
				       s->owner == PM_OWNER_OVERHEAD ? 1 :
				       (s->owner >= 0 && (unsigned int)s->owner < in->nvms) ?
				       2 + s->owner : -1;
				if (slot < 0)
					continue;
				w_owner[slot] += w;
				wsum += w;
			}
		}
		if (wsum <= 0) {
			out->idle_uj += de;	/* nothing observed: the node idled */
		} else {
			out->idle_uj += de * w_owner[0] / wsum;
			out->overhead_uj += de * w_owner[1] / wsum;
			for (unsigned int v = 0; v < in->nvms; v++)
				out->vm_uj[v] += de * w_owner[2 + v] / wsum;
		}
		out->node_uj += de;
	}
out_free_pos:
	free(pos);
	return err;
}

int pm_attrib_freq_weighted(const struct pm_attrib_input *in, struct pm_attrib_result *out)
{
	return attrib_run(in, out, attrib_fw_weight);
}

int pm_attrib_cpushare(const struct pm_attrib_input *in, struct pm_attrib_result *out)
{
	return attrib_run(in, out, attrib_cs_weight);
}

double pm_attrib_total_uj(const struct pm_attrib_result *r)
{
	double t = r->idle_uj + r->overhead_uj;

	for (unsigned int v = 0; v < r->nvms; v++)
		t += r->vm_uj[v];
	return t;
}

double pm_attrib_error_pct(const struct pm_attrib_result *est, const struct pm_attrib_result *truth)
{
	double err = 0, tot = 0;

	for (unsigned int v = 0; v < truth->nvms && v < est->nvms; v++) {
		err += fabs(est->vm_uj[v] - truth->vm_uj[v]);
		tot += truth->vm_uj[v];
	}
	return tot > 0 ? 100.0 * err / tot : 0.0;
}
