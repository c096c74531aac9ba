// SPDX-License-Identifier: GPL-2.0-only
/*
 * Discrete-event replay of a transition timeline on the model platform.
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
#include "powermgr/platform.h"
#include "powermgr/sim.h"

struct idxq {
	size_t *v;
	size_t head, n, cap;
};

static int idxq_push(struct idxq *q, size_t x)
{
	if (q->head + q->n == q->cap) {
		if (q->head) {
			memmove(q->v, q->v + q->head, q->n * sizeof(*q->v));
			q->head = 0;
		} else {
			size_t cap = q->cap ? q->cap * 2 : 64;
			size_t *n = realloc(q->v, cap * sizeof(*n));

			if (!n)
				return -ENOMEM;
			q->v = n;
			q->cap = cap;
		}
	}
	q->v[q->head + q->n++] = x;
	return 0;
}

static size_t idxq_pop(struct idxq *q)
{
	q->n--;
	return q->v[q->head++];
}

struct sim_win {
	uint64_t guest_ns, vmm_ns, poll_ns, idle_ns;
	double busy_khz_ns;
	uint32_t hist[PM_IDLE_HIST_BUCKETS];
	uint32_t rt_count;
	size_t seg0;			/* first segment of this window */
};

struct sim_cpu {
	const struct pm_tl_cpu *tl;
	size_t *next_rt;		/* [n + 1]: index of the next RT item at or after i */
	size_t next;			/* next unreleased item */
	struct idxq rtq, beq;
	long cur, pre;			/* running / preempted item, -1 = none */
	double rem, pre_rem;		/* cycles (busy) or ns (poll) left */
	bool idle;
	uint64_t idle_start;
	int idle_state;
	uint64_t wake_until;
	uint64_t last_idle_ns;		/* predictor */
	uint32_t khz;			/* granted for this window */
	uint32_t last_seg_khz;
	int limit;
	struct pm_seg_list *segs;
	struct sim_win w;
};

struct sim {
	const struct pm_timeline *tl;
	const struct pm_sim_cfg *cfg;
	const struct pm_model *m;
	struct pm_platform plat;
	struct pm_sim_result *res;
	struct sim_cpu *cpu;
	double *bins;
	size_t nbins;
	double busy_khz_ns, busy_ns;
};

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

static void sim_charge(struct sim *s, int32_t owner, uint64_t a, uint64_t b, double uj)
{
	*sim_owner_slot(s, owner) += uj;
	s->res->energy_uj += uj;
	sim_bin_add(s, a, b, uj);
}

static int sim_seg(struct sim_cpu *c, uint64_t a, uint64_t b, int32_t owner, uint8_t kind,
		   uint32_t khz, int cstate)
{
	struct pm_seg seg = {
		.start_ns = a, .end_ns = b, .owner = owner, .khz = khz, .kind = kind,
		.cstate_limit = (int8_t)c->limit, .cstate = (int8_t)cstate,
	};
	struct pm_seg_list *l = c->segs;

	if (b <= a)
		return 0;
	if (l->n > c->w.seg0) {
		struct pm_seg *p = &l->s[l->n - 1];

		if (p->end_ns == a && p->owner == owner && p->kind == kind && p->khz == khz &&
		    p->cstate == seg.cstate && p->cstate_limit == seg.cstate_limit) {
			p->end_ns = b;
			return 0;
		}
	}
	return pm_seg_push(l, &seg);
}

static uint32_t sim_item_khz(struct sim *s, struct sim_cpu *c, unsigned int cpu,
			     const struct pm_tl_item *it)
{
	struct pm_cpu_constraint cc = { PM_LATENCY_NONE, 0 };
	struct pm_cpu_decision d = { c->khz, c->limit };

	if (!(it->flags & PM_TL_RT) || !s->cfg->rt_boost_khz || c->khz >= s->cfg->rt_boost_khz)
		return c->khz;
	if (s->cfg->cons && cpu < s->cfg->cons->ncpus)
		cc = s->cfg->cons->cpu[cpu];
	if (cc.floor_khz < s->cfg->rt_boost_khz)
		cc.floor_khz = s->cfg->rt_boost_khz;
	pm_clamp_cpu(&s->plat, &cc, &d);
	return d.target_khz;
}

static unsigned int sim_pick_state(const struct sim *s, const struct sim_cpu *c)
{
	unsigned int k = 0;

	for (int i = 1; i <= c->limit && i < PM_MODEL_NR_CSTATES; i++)
		if ((uint64_t)s->m->cst_resid_us[i] * 1000 <= c->last_idle_ns)
			k = (unsigned int)i;
	return k;
}

static void sim_release(struct sim_cpu *c, uint64_t t, int *err)
{
	while (c->next < c->tl->n && c->tl->items[c->next].release_ns <= t) {
		const struct pm_tl_item *it = &c->tl->items[c->next];

		if (it->flags & PM_TL_RT && it->flags & PM_TL_JOB_END)
			c->w.rt_count++;
		*err |= idxq_push(it->flags & PM_TL_RT ? &c->rtq : &c->beq, c->next);
		c->next++;
	}
}

static void sim_complete(struct sim *s, const struct pm_tl_item *it, uint64_t t)
{
	struct pm_sim_result *r = s->res;

	if (t > r->vm_finish_ns[it->vm])
		r->vm_finish_ns[it->vm] = t;
	if ((it->flags & PM_TL_JOB_END) && it->deadline_ns) {
		r->rt_jobs++;
		r->rt_jobs_rec_ok += !(it->flags & PM_TL_REC_MISS);
		if (t > it->deadline_ns) {
			r->rt_misses++;
			r->rt_misses_new += !(it->flags & PM_TL_REC_MISS);
			if (t - it->deadline_ns > r->rt_max_late_ns)
				r->rt_max_late_ns = t - it->deadline_ns;
		}
	}
}

/* Advance one CPU through [t0, t1). */
static int sim_cpu_run(struct sim *s, unsigned int cpu, uint64_t t0, uint64_t t1)
{
	struct sim_cpu *c = &s->cpu[cpu];
	uint64_t t = t0;
	int err = 0;

	while (t < t1 && !err) {
		const struct pm_tl_item *it;
		uint64_t stop;

		sim_release(c, t, &err);
		if (t < c->wake_until) {	/* leaving a C-state: exit latency */
			stop = c->wake_until < t1 ? c->wake_until : t1;
			err |= sim_seg(c, t, stop, PM_OWNER_IDLE, PM_SEG_IDLE, c->khz, PM_MODEL_POLL);
			c->w.idle_ns += stop - t;
			t = stop;
			continue;
		}
		if (c->cur >= 0) {
			uint32_t khz;
			uint64_t fin, r_rt = UINT64_MAX;
			bool poll;

			it = &c->tl->items[c->cur];
			if (!(it->flags & PM_TL_RT) && c->rtq.n) {	/* released while waking */
				c->pre = c->cur;
				c->pre_rem = c->rem;
				c->cur = -1;
				continue;
			}
			poll = it->kind == PM_TL_POLL;
			khz = sim_item_khz(s, c, cpu, it);
			fin = poll ? t + (uint64_t)(c->rem + 0.5)
				   : t + (uint64_t)(c->rem * 1e6 / khz + 0.999);
			if (!(it->flags & PM_TL_RT) && c->next_rt[c->next] < c->tl->n)
				r_rt = c->tl->items[c->next_rt[c->next]].release_ns;
			stop = fin < t1 ? fin : t1;
			if (r_rt > t && r_rt < stop)
				stop = r_rt;
			if (khz != c->last_seg_khz && !poll) {
				s->res->freq_changes += c->last_seg_khz != 0;
				c->last_seg_khz = khz;
			}
			err |= sim_seg(c, t, stop, it->kind == PM_TL_VMM ? PM_OWNER_OVERHEAD : it->vm,
				       poll ? PM_SEG_POLL : PM_SEG_BUSY, khz, -1);
			if (poll) {
				c->rem -= (double)(stop - t);
				c->w.poll_ns += stop - t;
			} else {
				c->rem -= (double)(stop - t) * khz / 1e6;
				if (it->kind == PM_TL_VMM)
					c->w.vmm_ns += stop - t;
				else
					c->w.guest_ns += stop - t;
				c->w.busy_khz_ns += (double)khz * (stop - t);
				s->busy_khz_ns += (double)khz * (stop - t);
				s->busy_ns += (double)(stop - t);
			}
			t = stop;
			if (stop == fin) {
				sim_complete(s, it, t);
				c->cur = -1;
			} else if (stop == r_rt) {
				sim_release(c, t, &err);
				if (c->rtq.n) {
					c->pre = c->cur;
					c->pre_rem = c->rem;
					c->cur = -1;
				}
			}
			continue;
		}
		/* pick the next item: RT first, then preempted best effort, then FIFO */
		if (c->rtq.n || c->pre >= 0 || c->beq.n) {
			if (c->rtq.n) {
				c->cur = (long)idxq_pop(&c->rtq);
				it = &c->tl->items[c->cur];
				c->rem = it->kind == PM_TL_POLL ? (double)it->poll_ns
								 : (double)it->work_cycles;
			} else if (c->pre >= 0) {
				c->cur = c->pre;
				c->rem = c->pre_rem;
				c->pre = -1;
			} else {
				c->cur = (long)idxq_pop(&c->beq);
				it = &c->tl->items[c->cur];
				c->rem = it->kind == PM_TL_POLL ? (double)it->poll_ns
								 : (double)it->work_cycles;
			}
			if (c->idle) {
				uint64_t len = t - c->idle_start;

				c->idle = false;
				c->w.hist[pm_idle_bucket(len)]++;
				c->last_idle_ns = len;
				c->wake_until = t + (uint64_t)s->m->cst_exit_us[c->idle_state] * 1000;
			}
			continue;
		}
		/* nothing to run: idle until the next release or the end of the window */
		if (!c->idle) {
			unsigned int k = sim_pick_state(s, c);

			c->idle = true;
			c->idle_start = t;
			c->idle_state = (int)k;
			s->res->cstate_entries[k]++;
			sim_charge(s, PM_OWNER_IDLE, t, t,
				   pm_model_transition_uj(s->m, k, c->khz));
		}
		stop = t1;
		if (c->next < c->tl->n && c->tl->items[c->next].release_ns < stop)
			stop = c->tl->items[c->next].release_ns > t ? c->tl->items[c->next].release_ns : t;
		err |= sim_seg(c, t, stop, PM_OWNER_IDLE, PM_SEG_IDLE, c->khz, c->idle_state);
		c->w.idle_ns += stop - t;
		t = stop;
	}
	return err;
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
static int sim_account(struct sim *s, uint64_t t0, uint64_t t1)
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
			sim_charge(s, g->owner, g->start_ns, g->end_ns,
				   (w * dt + u_on * (dt - ov) + u_c6 * ov) * 1e-3);
		}
	}
	/* modelled CPUs the timeline does not use: idle in C6, their uncore share */
	for (unsigned int i = n; i < s->m->ncpus; i++) {
		uint64_t ov = 0;

		for (size_t q = 0; q < npc6; q++)
			ov += pc6[2 * q + 1] - pc6[2 * q];
		sim_charge(s, PM_OWNER_IDLE, t0, t1,
			   (u_on * (t1 - t0 - ov) + u_c6 * ov) * 1e-3);
	}
	err = 0;
out_free:
	free(pc6);
	free(tmp);
	free(mine);
	return err;
}

static int sim_meter(struct sim *s, uint64_t t, double *cum, size_t *cum_bins)
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
		err = sim_meter(&s, 0, &cum, &cum_bins);
	while (!err) {
		for (unsigned int i = 0; i < tl->ncpus; i++) {
			memset(&s.cpu[i].w, 0, sizeof(s.cpu[i].w));
			s.cpu[i].w.seg0 = s.cpu[i].segs->n;
		}
		for (unsigned int i = 0; i < tl->ncpus && !err; i++)
			err = sim_cpu_run(&s, i, t, t + tick);
		if (!err)
			err = sim_account(&s, t, t + tick);
		t += tick;
		if (!err)
			err = sim_meter(&s, t, &cum, &cum_bins);
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
