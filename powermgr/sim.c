// SPDX-License-Identifier: GPL-2.0-only
/*
 * Discrete-event replay of a transition timeline on the model platform: the run — set-up,
 * a governor decision every tick, each CPU's replay of the window (sim_cpu.c), its energy
 * and the meter (sim_energy.c) — and the result.
 *
 * Design note — the rules, and why they make governor comparisons meaningful.
 *  - Work, not time, is replayed: a busy item carries the cycles it took at the recorded
 *    frequency, so at frequency f it takes cycles / f (stretching by f_rec / f). It cannot
 *    start before it was released in the recording, nor before the CPU is free: each CPU
 *    serves its items in release order (work-conserving), and RT items preempt
 *    best-effort ones (the RT vCPU runs at a real-time priority on the host). Polling
 *    halts keep their wall-clock length.
 *  - RT jobs: the last item of a job carries its absolute deadline; completing after it
 *    is a miss. Late completions move with the frequency and with wake latencies. Jobs
 *    that already missed when recorded (PM_TL_REC_MISS: released late by the recording
 *    host) are counted apart, so rt_misses_new shows what the replay itself added.
 *  - Idle: when a CPU runs out of work it enters the deepest C-state allowed by the
 *    governor's (clamped) limit whose target residency fits the predicted idle period —
 *    the platform's idle governor, modelled as predicting the last idle period on that
 *    CPU (the simplest menu-style predictor). It pays the state's break-even transition
 *    energy on entry, and the work that wakes it starts the state's exit latency later
 *    (the wake interval is charged to idle at C0 power).
 *  - Frequency: the governor decides every tick from a pm_sample built exactly as the
 *    daemon builds it (per CPU guest / VMM / halt / idle ns, idle-period histogram, RT
 *    activity); pm_gov_mgr, the governor ops and pm_clamp are the production code; turbo
 *    is granted by the model's rule. A qos "transition-driven boost" (rt_boost_khz) may
 *    raise the floor while an RT job runs: the same clamp applies it, mid-tick.
 *  - Ground truth: every interval's model power is integrated exactly and charged to its
 *    owner (VM, idle, overhead), with the CPU's share of the uncore (at the package-C6
 *    rate while every CPU is in C6). A RAPL-like counter (updated every meter period at a
 *    phase to our ticks, quantized to its energy unit) is read at ticks for attribution.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "powermgr/clamp.h"
#include "powermgr/sim_priv.h"

static bool sim_drained(const struct sim *s)
{
	for (unsigned int i = 0; i < s->tl->ncpus; i++) {
		const struct sim_cpu *c = &s->cpu[i];

		if (c->next < c->tl->n || c->cur >= 0 || c->pre >= 0 || c->rtq.n || c->beq.n)
			return false;
	}
	return true;
}

static int sim_setup(struct sim *s)
{
	const struct pm_timeline *tl = s->tl;

	s->cpu = calloc(tl->ncpus, sizeof(*s->cpu));
	s->res->seg = calloc(tl->ncpus, sizeof(*s->res->seg));
	s->bins = calloc(s->nbins, sizeof(*s->bins));
	if (!s->cpu || !s->res->seg || !s->bins)
		return -ENOMEM;
	for (unsigned int i = 0; i < tl->ncpus; i++) {
		struct sim_cpu *c = &s->cpu[i];
		const struct pm_tl_cpu *tc = &tl->cpu[i];

		c->tl = tc;
		c->cur = c->pre = -1;
		c->segs = &s->res->seg[i];
		c->khz = s->m->base_khz;
		c->limit = pm_platform_deepest(&s->plat);
		c->last_idle_ns = UINT64_MAX;
		c->next_rt = malloc((tc->n + 1) * sizeof(*c->next_rt));
		if (!c->next_rt)
			return -ENOMEM;
		c->next_rt[tc->n] = tc->n;
		for (size_t k = tc->n; k-- > 0;)
			c->next_rt[k] = tc->items[k].flags & PM_TL_RT ? k : c->next_rt[k + 1];
	}
	return 0;
}

/* Governor + clamp + grant for the next window. */
static int sim_decide(struct sim *s, struct pm_gov_mgr *mgr, uint64_t now, uint64_t tick,
		      struct pm_cpu_sample *cs, struct pm_cpu_decision *cd, uint32_t *req,
		      double *util, uint32_t *out)
{
	unsigned int n = s->tl->ncpus;
	struct pm_sample smp = { .now_ns = now, .ncpus = n, .cpu = cs };
	struct pm_decision dec = { .ncpus = n, .cpu = cd };
	int err;

	for (unsigned int i = 0; i < n; i++) {
		struct sim_cpu *c = &s->cpu[i];
		uint64_t busy = c->w.guest_ns + c->w.vmm_ns;

		memset(&cs[i], 0, sizeof(cs[i]));
		cs[i].window_ns = tick;
		cs[i].guest_ns = c->w.guest_ns;
		cs[i].vmm_ns = c->w.vmm_ns;
		cs[i].halt_ns = c->w.poll_ns;
		cs[i].halt_poll_ns = c->w.poll_ns;
		cs[i].idle_ns = c->w.idle_ns;
		memcpy(cs[i].idle_hist, c->w.hist, sizeof(cs[i].idle_hist));
		cs[i].rt_count = c->w.rt_count;
		cs[i].rt_active = c->rtq.n || (c->cur >= 0 && c->tl->items[c->cur].flags & PM_TL_RT);
		cs[i].cur_khz = busy ? (uint32_t)(c->w.busy_khz_ns / busy) : c->khz;
		util[i] = (double)(busy + c->w.poll_ns) / tick;
	}
	err = pm_gov_decide(mgr->cur, &smp, &dec);
	if (err)
		return err;
	pm_clamp(&s->plat, s->cfg->cons, &dec);
	for (unsigned int i = 0; i < n; i++)
		req[i] = cd[i].target_khz;
	pm_model_grant(s->m, req, util, n, out);
	for (unsigned int i = 0; i < n; i++) {
		s->cpu[i].khz = out[i];
		s->cpu[i].limit = cd[i].cstate_limit;
	}
	return 0;
}

int pm_sim_run(const struct pm_timeline *tl, const struct pm_sim_cfg *cfg,
	       struct pm_sim_result *res)
{
	struct sim s = { .tl = tl, .cfg = cfg, .res = res };
	uint64_t tick, max_ns, t = 0;
	struct pm_gov_mgr mgr;
	struct pm_cpu_sample *cs = NULL;
	struct pm_cpu_decision *cd = NULL;
	uint32_t *req = NULL, *out = NULL;
	double *util = NULL, cum = 0;
	size_t cum_bins = 0;
	uint64_t jobs = 0, jobs_ok = 0;
	int err;

	memset(res, 0, sizeof(*res));
	if (!tl || !cfg || !cfg->model || !cfg->gov || !tl->ncpus || tl->ncpus > cfg->model->ncpus ||
	    tl->nvms > PM_TL_MAX_VMS)
		return -EINVAL;
	s.m = cfg->model;
	tick = cfg->tick_ns ? cfg->tick_ns : PM_SIM_DEF_TICK_NS;
	if (tick % PM_SIM_BIN_NS || (cfg->meter_period_ns && (cfg->meter_period_ns % PM_SIM_BIN_NS ||
							       cfg->meter_phase_ns % PM_SIM_BIN_NS)))
		return -EINVAL;
	max_ns = cfg->max_ns ? cfg->max_ns : 4 * (tl->end_ns + tick);
	res->ncpus = tl->ncpus;
	res->nvms = tl->nvms;
	res->truth.nvms = tl->nvms;
	pm_platform_from_model(&s.plat, s.m);
	s.plat.ncpus = tl->ncpus;
	s.nbins = max_ns / PM_SIM_BIN_NS + 2;
	err = sim_setup(&s);
	if (err)
		goto out_free;
	cs = calloc(tl->ncpus, sizeof(*cs));
	cd = calloc(tl->ncpus, sizeof(*cd));
	req = calloc(tl->ncpus, sizeof(*req));
	out = calloc(tl->ncpus, sizeof(*out));
	util = calloc(tl->ncpus, sizeof(*util));
	err = -ENOMEM;
	if (!cs || !cd || !req || !out || !util)
		goto out_free;

	pm_gov_mgr_init(&mgr, &s.plat);
	err = pm_gov_mgr_switch(&mgr, cfg->gov, cfg->tun, cfg->ntun);
	if (err)
		goto out_free;
	/* the first window runs at the governor's answer to an idle window */
	for (unsigned int i = 0; i < tl->ncpus; i++)
		s.cpu[i].w.idle_ns = tick;
	err = sim_decide(&s, &mgr, 0, tick, cs, cd, req, util, out);
	if (!err)
		err = pm_sim_meter(&s, 0, &cum, &cum_bins);
	while (!err) {
		for (unsigned int i = 0; i < tl->ncpus; i++) {
			memset(&s.cpu[i].w, 0, sizeof(s.cpu[i].w));
			s.cpu[i].w.seg0 = s.cpu[i].segs->n;
		}
		for (unsigned int i = 0; i < tl->ncpus && !err; i++)
			err = pm_sim_cpu_run(&s, i, t, t + tick);
		if (!err)
			err = pm_sim_account(&s, t, t + tick);
		t += tick;
		if (!err)
			err = pm_sim_meter(&s, t, &cum, &cum_bins);
		if (err)
			break;
		if (t >= tl->end_ns && sim_drained(&s))
			break;
		if (t >= max_ns) {
			res->truncated = true;
			break;
		}
		err = sim_decide(&s, &mgr, t, tick, cs, cd, req, util, out);
	}
	pm_gov_mgr_shutdown(&mgr);
	res->end_ns = t;
	res->busy_khz_avg = s.busy_ns > 0 ? s.busy_khz_ns / s.busy_ns : 0;
	/* jobs never completed (truncated run) count as misses */
	for (unsigned int i = 0; i < tl->ncpus; i++)
		for (size_t k = 0; k < tl->cpu[i].n; k++) {
			const struct pm_tl_item *it = &tl->cpu[i].items[k];
			bool job = (it->flags & PM_TL_JOB_END) && it->deadline_ns;

			jobs += job;
			jobs_ok += job && !(it->flags & PM_TL_REC_MISS);
		}
	if (jobs > res->rt_jobs) {
		res->rt_misses += jobs - res->rt_jobs;
		res->rt_jobs = jobs;
	}
	if (jobs_ok > res->rt_jobs_rec_ok) {
		res->rt_misses_new += jobs_ok - res->rt_jobs_rec_ok;
		res->rt_jobs_rec_ok = jobs_ok;
	}
out_free:
	for (unsigned int i = 0; s.cpu && i < tl->ncpus; i++) {
		free(s.cpu[i].next_rt);
		free(s.cpu[i].rtq.v);
		free(s.cpu[i].beq.v);
	}
	free(s.cpu);
	free(s.bins);
	free(cs);
	free(cd);
	free(req);
	free(out);
	free(util);
	if (err)
		pm_sim_result_free(res);
	return err;
}

void pm_sim_result_free(struct pm_sim_result *res)
{
	for (unsigned int i = 0; res->seg && i < res->ncpus; i++)
		pm_seg_list_free(&res->seg[i]);
	free(res->seg);
	free(res->meter_ns);
	free(res->meter_uj);
	res->seg = NULL;
	res->meter_ns = NULL;
	res->meter_uj = NULL;
	res->nmeter = 0;
}

void pm_sim_attrib_input(const struct pm_sim_result *res, const struct pm_model *m,
			 struct pm_attrib_input *in)
{
	memset(in, 0, sizeof(*in));
	in->model = m;
	in->ncpus = res->ncpus;
	in->cpu = res->seg;
	in->nvms = res->nvms;
	in->meter_ns = res->meter_ns;
	in->meter_uj = res->meter_uj;
	in->nmeter = res->nmeter;
}
