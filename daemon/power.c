// SPDX-License-Identifier: GPL-2.0-only
/* The daemon's per-tick power pipeline (see daemon/power.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/power.h"
#include "powermgr/backend_model.h"
#include "tracer/tsc.h"

#define TIME_GUEST	0
#define TIME_VMM	1
#define TIME_HALT	2
#define TIME_IDLE	3

static void emit(struct dpower *p, uint16_t type, unsigned int cpu, uint64_t now, uint64_t old)
{
	struct pv_rec rec = { .tsc = pv_rdtsc(), .type = type, .vcpu = (uint16_t)cpu,
			      .b = now, .c = old };

	if (p->emit)
		p->emit(p->emit_ctx, &rec);
}

static int alloc_arrays(struct dpower *p)
{
	unsigned int n = p->ncpus;

	p->cpu = calloc(n, sizeof(*p->cpu));
	p->dec_cpu = calloc(n, sizeof(*p->dec_cpu));
	p->last_read = calloc(n, sizeof(*p->last_read));
	p->stats = calloc(n, sizeof(*p->stats));
	p->segs = calloc(n, sizeof(*p->segs));
	if (!p->cpu || !p->dec_cpu || !p->last_read || !p->stats || !p->segs)
		return -ENOMEM;
	p->sample.ncpus = n;
	p->sample.cpu = p->cpu;
	p->dec.ncpus = n;
	p->dec.cpu = p->dec_cpu;
	return 0;
}

int dpower_open(struct dpower *p, const char *backend, const char *governor, unsigned int ncpus,
		dpower_emit_fn emit_fn, void *emit_ctx, char *err)
{
	struct pm_backend_cfg bcfg = { .ncpus = ncpus };
	struct pm_sense_cfg scfg = { 0 };
	unsigned int c;
	int ret;

	memset(p, 0, sizeof(*p));
	p->emit = emit_fn;
	p->emit_ctx = emit_ctx;
	ret = pm_backend_open(backend, &bcfg, &p->be);
	if (ret) {
		snprintf(err, DPOWER_ERR_MAX, "platform backend \"%s\": %s", backend, strerror(-ret));
		return ret;
	}
	ret = pm_platform_from_backend(&p->plat, p->be);
	if (ret) {
		snprintf(err, DPOWER_ERR_MAX, "backend %s: cannot read P/C-states: %s",
			 p->be->ops->name, pm_backend_last_error(p->be));
		goto out_close;
	}
	p->ncpus = p->plat.ncpus;
	if (pm_backend_is_model(p->be)) {
		p->model = *pm_model_backend_model(p->be);
		scfg.model = p->be;
	} else {
		/* real host: the model only provides relative weights for attribution */
		pm_model_defaults(&p->model, p->ncpus);
		pm_model_calibrate(&p->model);
	}
	ret = alloc_arrays(p);
	if (ret) {
		snprintf(err, DPOWER_ERR_MAX, "out of memory");
		goto out_close;
	}
	pm_gov_mgr_init(&p->gov, &p->plat);
	ret = pm_gov_mgr_switch_name(&p->gov, governor, NULL, 0);
	if (ret) {
		snprintf(err, DPOWER_ERR_MAX, "governor \"%s\": %s", governor, strerror(-ret));
		goto out_close;
	}
	ret = pm_sense_open_first(&scfg, &p->sense);
	if (ret) {
		snprintf(err, DPOWER_ERR_MAX, "no power sensing source: %s", strerror(-ret));
		goto out_close;
	}
	for (c = 0; c < p->ncpus; c++) {
		if (pm_backend_read(p->be, c, &p->last_read[c]))
			dpower_failed(p, DPOWER_ACT_CPU_READ);
		p->stats[c].cur_khz = p->last_read[c].cur_khz ? p->last_read[c].cur_khz :
				      pm_platform_base_khz(&p->plat);
		p->stats[c].cstate_limit = p->last_read[c].cstate_limit;
	}
	return 0;

out_close:
	dpower_close(p);
	return ret;
}

void dpower_close(struct dpower *p)
{
	unsigned int c;

	pm_gov_mgr_shutdown(&p->gov);
	if (p->sense)
		pm_sense_close(p->sense);
	if (p->be)
		pm_backend_close(p->be);
	for (c = 0; p->segs && c < p->ncpus; c++)
		pm_seg_list_free(&p->segs[c]);
	free(p->cpu);
	free(p->dec_cpu);
	free(p->last_read);
	free(p->stats);
	free(p->segs);
	memset(p, 0, sizeof(*p));
}

/* Lay the window's residencies out as segments on @cpu, clipped to the window. */
static int build_segs(struct dpower *p, unsigned int c, const struct dpower_tick_in *in)
{
	struct pm_seg_list *l = &p->segs[c];
	uint64_t t = in->t0_ns, end = in->t1_ns;
	unsigned int v;
	int err = 0;

	l->n = 0;
#define PUSH(len, own, kind_)							\
	do {									\
		uint64_t d_ = (len) < end - t ? (len) : end - t;		\
		struct pm_seg s_ = { .start_ns = t, .end_ns = t + d_, .owner = (own),	\
				     .khz = p->stats[c].cur_khz, .kind = (kind_),	\
				     .cstate_limit = (int8_t)p->stats[c].cstate_limit, \
				     .cstate = -1 };				\
		if (d_ && !err)							\
			err = pm_seg_push(l, &s_);				\
		t += d_;							\
	} while (0)
	for (v = 0; v < in->nvms; v++) {
		PUSH(in->vm_busy_ns[c * in->nvms + v], (int32_t)v, PM_SEG_BUSY);
		PUSH(in->vm_poll_ns[c * in->nvms + v], (int32_t)v, PM_SEG_POLL);
	}
	PUSH(in->vmm_ns[c], PM_OWNER_OVERHEAD, PM_SEG_BUSY);
	PUSH(end - t, PM_OWNER_IDLE, PM_SEG_IDLE);
#undef PUSH
	return err;
}

static void account_energy(struct dpower *p, const struct dpower_tick_in *in)
{
	struct pm_attrib_input ai = { .model = &p->model, .ncpus = p->ncpus, .cpu = p->segs,
				      .nvms = in->nvms, .nmeter = 2 };
	struct pm_attrib_result res;
	uint64_t meter_ns[2] = { in->t0_ns, in->t1_ns };
	double meter_uj[2] = { 0, 0 };
	double window_s = (double)(in->t1_ns - in->t0_ns) / 1e9;
	uint64_t uj;
	unsigned int c, v;

	if (pm_sense_read_uj(p->sense, &uj)) {
		dpower_failed(p, DPOWER_ACT_ENERGY);
		return;
	}
	if (!p->have_uj) {	/* the first reading only sets the origin */
		p->have_uj = true;
		p->last_uj = uj;
		return;
	}
	meter_uj[1] = (double)(uj - p->last_uj);
	p->last_uj = uj;
	ai.meter_ns = meter_ns;
	ai.meter_uj = meter_uj;
	for (c = 0; c < p->ncpus; c++)
		if (build_segs(p, c, in))
			return;
	if (pm_attrib_freq_weighted(&ai, &res))
		return;
	p->node_j += meter_uj[1] / 1e6;
	p->idle_j += res.idle_uj / 1e6;
	p->overhead_j += res.overhead_uj / 1e6;
	p->node_w = window_s > 0 ? meter_uj[1] / 1e6 / window_s : 0;
	for (v = 0; v < in->nvms && v < DPOWER_MAX_VMS; v++) {
		p->vm_j[v] += res.vm_uj[v] / 1e6;
		p->vm_w[v] = window_s > 0 ? res.vm_uj[v] / 1e6 / window_s : 0;
	}
}

static unsigned int pstate_index(const struct pm_platform *plat, uint32_t khz)
{
	unsigned int i;

	for (i = 0; i + 1 < plat->nr_pstates && plat->pstates_khz[i] < khz; i++)
		;
	return i;
}

static void account_residency(struct dpower *p, uint64_t window_ns)
{
	unsigned int c, k;

	for (c = 0; c < p->ncpus; c++) {
		struct dpower_cpu_stats *st = &p->stats[c];
		const struct pm_cpu_sample *s = &p->cpu[c];
		struct pm_cpu_reading r;
		uint64_t parts[4] = { s->guest_ns, s->vmm_ns, s->halt_ns, s->idle_ns };

		st->freq_ns[pstate_index(&p->plat, st->cur_khz)] += window_ns;
		for (k = 0; k < 4; k++) {
			st->time_ns[k] += parts[k];
			st->share_pct[k] = window_ns ? 100.0 * (double)parts[k] / (double)window_ns : 0;
		}
		st->util_pct = st->share_pct[TIME_GUEST] + st->share_pct[TIME_VMM];
		if (pm_backend_read(p->be, c, &r)) {
			dpower_failed(p, DPOWER_ACT_CPU_READ);
			continue;
		}
		for (k = 0; k < r.nr_cstates && k < PM_MAX_CSTATES; k++)
			if (r.time_us[k] >= p->last_read[c].time_us[k])
				st->cstate_us[k] += r.time_us[k] - p->last_read[c].time_us[k];
		p->last_read[c] = r;
	}
}

static void apply_decision(struct dpower *p)
{
	unsigned int c;

	for (c = 0; c < p->ncpus; c++) {
		struct dpower_cpu_stats *st = &p->stats[c];
		const struct pm_cpu_decision *d = &p->dec_cpu[c];

		if (d->target_khz && d->target_khz != st->cur_khz) {
			if (pm_backend_set_freq(p->be, c, d->target_khz)) {
				dpower_failed(p, DPOWER_ACT_PSTATE);
			} else {
				emit(p, PV_EV_PSTATE, c, d->target_khz, st->cur_khz);
				st->cur_khz = d->target_khz;
				st->pstate_changes++;
			}
		}
		if (d->cstate_limit != st->cstate_limit) {
			if (pm_backend_set_cstate_limit(p->be, c, d->cstate_limit)) {
				dpower_failed(p, DPOWER_ACT_CSTATE);
			} else {
				emit(p, PV_EV_CSTATE_LIMIT, c, (uint64_t)d->cstate_limit,
				     (uint64_t)st->cstate_limit);
				st->cstate_limit = d->cstate_limit;
			}
		}
	}
}

int dpower_tick(struct dpower *p, const struct dpower_tick_in *in)
{
	uint64_t window_ns = in->t1_ns - in->t0_ns;
	unsigned int c;
	int err;

	if (in->t1_ns <= in->t0_ns || in->nvms > DPOWER_MAX_VMS)
		return -EINVAL;
	p->sample.now_ns = in->t1_ns;
	for (c = 0; c < p->ncpus; c++) {
		p->cpu[c].window_ns = window_ns;
		p->cpu[c].cur_khz = p->stats[c].cur_khz;
		if (pm_backend_is_model(p->be))
			pm_model_backend_feed(p->be, c, &p->cpu[c]);
	}
	account_energy(p, in);
	account_residency(p, window_ns);
	err = pm_gov_decide(p->gov.cur, &p->sample, &p->dec);
	if (err)
		return err;
	if (in->cons)
		pm_clamp(&p->plat, in->cons, &p->dec);
	apply_decision(p);
	p->ticks++;
	return 0;
}

int dpower_set_governor(struct dpower *p, const char *name, const struct pm_tunable_kv *kv,
			unsigned int nkv, char *err)
{
	int ret = pm_gov_mgr_switch_name(&p->gov, name, kv, nkv);

	if (ret)
		snprintf(err, DPOWER_ERR_MAX, "cannot switch to governor \"%s\" (%s); \"%s\" stays",
			 name, strerror(-ret), pm_gov_mgr_name(&p->gov));
	return ret;
}

static const char *const act_names[DPOWER_ACT_MAX] = {
	[DPOWER_ACT_PSTATE] = "pstate",
	[DPOWER_ACT_CSTATE] = "cstate",
	[DPOWER_ACT_CPU_READ] = "cpu_read",
	[DPOWER_ACT_ENERGY] = "energy",
	[DPOWER_ACT_GOVERNOR] = "governor",
	[DPOWER_ACT_DEVICE] = "device",
	[DPOWER_ACT_SCHED] = "sched",
	[DPOWER_ACT_VMM] = "vmm",
};

const char *dpower_act_name(unsigned int kind)
{
	return kind < DPOWER_ACT_MAX ? act_names[kind] : "unclassified";
}

const char *dpower_backend_name(const struct dpower *p)
{
	return p->be ? p->be->ops->name : "none";
}

const char *dpower_source(const struct dpower *p)
{
	return p->sense ? pm_sense_source(p->sense) : "none";
}
