// SPDX-License-Identifier: GPL-2.0-only
/*
 * Timelines for replay, and their loader from tracer records.
 *
 * Design note — the loader, written against what pv-vmm really records:
 *  - Per vCPU, records come from two rings (the VMM's transition ring and the guest's
 *    paravirtual ring, converted to host TSC when drained) interleaved in batches: they
 *    are sorted by stamp; at equal stamps RT_COMPLETE, then RT_ACTIVATE, then TASK_SWITCH,
 *    then ring order, so "complete + switch away" and "switch in + activate" pair up
 *    whichever ring was drained first.
 *  - VM_ENTRY..VM_EXIT is a run interval; EXIT..next ENTRY is VMM work (overhead), except
 *    halts recorded outside KVM_RUN (user-space HLT waits), which are idle. Inside a run
 *    interval the VMM records KVM's halted time as HALT_BEGIN/END at the *end* of the
 *    interval (ENTRY t0, HALT_BEGIN t1, HALT_END t2, EXIT t2): it knows how long, not
 *    when. When the guest reports its idle periods (HALT_* with PV_HALT_GUEST), the halt
 *    is placed inside them, centred and scaled to KVM's amount (the guest's idle period
 *    also holds its idle entry / wake-up code, which runs emulated on nested hosts); see
 *    ld_halted(). Halts are idle, or C0 polling when KVM mostly polled (PV_HALT_POLL).
 *  - RT jobs: RT_ACTIVATE..RT_COMPLETE (or a TASK_SWITCH to an RT task and away). Busy
 *    work inside is RT (it preempts best-effort work in the replay); the job's last piece
 *    carries the absolute deadline = release + relative deadline, release = activation -
 *    the lateness the guest reported, relative deadline = RT_COMPLETE's c or else the
 *    period (RT_ACTIVATE c). A job that completed after it when recorded is marked
 *    PM_TL_REC_MISS. A job never completed (trace ended) is replayed as best effort.
 *  - MIGRATE moves the vCPU's following work to the new pCPU; work before the first
 *    MIGRATE ran on its old pCPU (b), else on the stream's pcpu.
 *  - Sharing: run intervals are wall-clock; two vCPUs "running" on one pCPU at the same
 *    time were time-shared by the host scheduler. Each busy interval gets, as work, an
 *    equal share of every stretch of time it overlapped others on its pCPU (what CFS gives
 *    threads of equal weight), so a pCPU never carries more work than wall time.
 *  - Busy work becomes cycles at the recorded frequency, in items of at most
 *    PM_TL_SLICE_NS released at their recorded time, so work of vCPUs that shared a pCPU
 *    interleaves in the replay as it did in the recording.
 * Records are untrusted: malformed or unmatched ones are skipped and counted, never fatal.
 * Valid records of other types (device I/O, timers, IRQs, decisions) are ignored.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "powermgr/timeline.h"

int pm_timeline_init(struct pm_timeline *tl, unsigned int ncpus, unsigned int nvms,
		     uint32_t rec_khz)
{
	memset(tl, 0, sizeof(*tl));
	if (!ncpus || ncpus > PV_MAX_CPUS || !nvms || nvms > PM_TL_MAX_VMS || !rec_khz)
		return -EINVAL;
	tl->cpu = calloc(ncpus, sizeof(*tl->cpu));
	if (!tl->cpu)
		return -ENOMEM;
	tl->ncpus = ncpus;
	tl->nvms = nvms;
	tl->rec_khz = rec_khz;
	return 0;
}

void pm_timeline_free(struct pm_timeline *tl)
{
	for (unsigned int i = 0; tl->cpu && i < tl->ncpus; i++)
		free(tl->cpu[i].items);
	free(tl->cpu);
	memset(tl, 0, sizeof(*tl));
}

int pm_timeline_add(struct pm_timeline *tl, unsigned int cpu, const struct pm_tl_item *it)
{
	struct pm_tl_cpu *c;

	if (cpu >= tl->ncpus || it->vm >= tl->nvms || it->kind > PM_TL_POLL)
		return -EINVAL;
	c = &tl->cpu[cpu];
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct pm_tl_item *n = realloc(c->items, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		c->items = n;
		c->cap = cap;
	}
	c->items[c->n++] = *it;
	return 0;
}

static int tl_cmp_release(const void *a, const void *b)
{
	const struct pm_tl_item *x = a, *y = b;

	if (x->release_ns != y->release_ns)
		return x->release_ns < y->release_ns ? -1 : 1;
	/* equal release: keep generator order stable enough — VMM before guest */
	return (int)y->kind - (int)x->kind;
}

static bool tl_sorted(const struct pm_tl_cpu *c)
{
	for (size_t i = 1; i < c->n; i++)
		if (c->items[i].release_ns < c->items[i - 1].release_ns)
			return false;
	return true;
}

void pm_timeline_finish(struct pm_timeline *tl)
{
	for (unsigned int i = 0; i < tl->ncpus; i++) {
		struct pm_tl_cpu *c = &tl->cpu[i];

		if (!tl_sorted(c))
			qsort(c->items, c->n, sizeof(*c->items), tl_cmp_release);
		if (c->n && c->items[c->n - 1].release_ns > tl->end_ns)
			tl->end_ns = c->items[c->n - 1].release_ns;
	}
}

uint64_t pm_timeline_scale_vm(struct pm_timeline *tl, unsigned int vm, double factor)
{
	uint64_t removed = 0;

	if (vm >= tl->nvms || !(factor > 0) || factor >= 1)
		return 0;
	for (unsigned int c = 0; c < tl->ncpus; c++) {
		double debt = 0;

		/* whole items go, spread evenly (error diffusion): another process takes a
		 * time-shared CPU in scheduler slices, not a little of every slice */
		for (size_t i = 0; i < tl->cpu[c].n; i++) {
			struct pm_tl_item *it = &tl->cpu[c].items[i];

			if (it->vm != vm || it->kind == PM_TL_POLL || it->flags & PM_TL_JOB_END)
				continue;
			debt += (double)it->work_cycles * (1.0 - factor);
			if (debt >= (double)it->work_cycles / 2) {
				debt -= (double)it->work_cycles;
				removed += it->work_cycles;
				it->work_cycles = 0;
			}
		}
	}
	return removed * 1000000u / tl->rec_khz;
}

/* ---------------------------------------------------------------- loader from records */

struct ld_iv {
	uint64_t a, b;
	uint64_t x;			/* halts: mode; jobs: absolute deadline (0 = none) */
};

struct ld_vec {
	struct ld_iv *v;
	size_t n, cap;
};

static int ld_push(struct ld_vec *l, uint64_t a, uint64_t b, uint64_t x)
{
	if (b < a)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct ld_iv *n = realloc(l->v, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		l->v = n;
		l->cap = cap;
	}
	l->v[l->n++] = (struct ld_iv){ a, b, x };
	return 0;
}

/* A busy or polling interval of one vCPU on one pCPU, before sharing. */
struct ld_piece {
	uint64_t a, b;
	uint64_t deadline_ns;
	uint32_t pcpu;
	uint16_t vm, vcpu;
	uint8_t kind, flags;
};

struct ld_pieces {
	struct ld_piece *v;
	size_t n, cap;
};

static int ld_piece_push(struct ld_pieces *l, const struct ld_piece *p)
{
	if (p->b <= p->a)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct ld_piece *n = realloc(l->v, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		l->v = n;
		l->cap = cap;
	}
	l->v[l->n++] = *p;
	return 0;
}

/* What one vCPU's records say, as interval lists in ns since the earliest record. */
struct ld_vcpu {
	struct ld_vec run;		/* VM_ENTRY..VM_EXIT */
	struct ld_vec khalt;		/* VMM-recorded halts, x = mode */
	struct ld_vec ghalt;		/* guest-reported idle */
	struct ld_vec job;		/* RT jobs, x = deadline */
	struct ld_vec mig;		/* a = time, x = new pCPU */
	uint32_t pcpu0;
	uint64_t last_t;
};

static void ld_vcpu_free(struct ld_vcpu *v)
{
	free(v->run.v);
	free(v->khalt.v);
	free(v->ghalt.v);
	free(v->job.v);
	free(v->mig.v);
}

struct ld_rec {
	uint64_t t;
	uint32_t prio;
	size_t idx;
	const struct pv_rec *r;
};

/* Equal stamps: a completion before the activation of the next job, both before the task
 * switch that goes with them; everything else in ring order. */
static uint32_t ld_prio(uint16_t type)
{
	switch (type) {
	case PV_EV_RT_COMPLETE:
		return 0;
	case PV_EV_RT_ACTIVATE:
		return 1;
	case PV_EV_TASK_SWITCH:
		return 2;
	default:
		return 3;
	}
}

static int ld_cmp(const void *a, const void *b)
{
	const struct ld_rec *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

struct ld_parse {
	bool running, khalt_open, ghalt_open, job_open, mig_seen;
	uint64_t entry_t, khalt_a, ghalt_a, job_a, job_release, job_deadline;
	uint32_t khalt_mode;
};

static void ld_job_release(struct ld_parse *p, uint64_t t, uint64_t late)
{
	p->job_release = late < t ? t - late : 0;
}

/* One record; returns -ENOMEM or 0, counts what it cannot use in *skip. */
static int ld_parse_rec(const struct pm_timeline *tl, struct ld_vcpu *v, struct ld_parse *p,
			const struct pv_rec *r, uint64_t t, size_t *skip)
{
	uint32_t prev, next;

	switch (r->type) {
	case PV_EV_VM_ENTRY:
		if (p->running)
			break;			/* lost exit: keep the interval open */
		if (p->khalt_open) {		/* lost halt end (halt outside KVM_RUN) */
			p->khalt_open = false;
			if (ld_push(&v->khalt, p->khalt_a, t, p->khalt_mode))
				return -ENOMEM;
		}
		p->running = true;
		p->entry_t = t;
		return 0;
	case PV_EV_VM_EXIT:
		if (!p->running)
			break;
		p->running = false;
		return ld_push(&v->run, p->entry_t, t, 0);
	case PV_EV_HALT_BEGIN:
		if (r->a >= PV_HALT_MODE_MAX)
			break;
		if (r->a == PV_HALT_GUEST) {
			if (!p->ghalt_open) {
				p->ghalt_open = true;
				p->ghalt_a = t;
			}
			return 0;
		}
		if (!p->khalt_open) {
			p->khalt_open = true;
			p->khalt_a = t;
			p->khalt_mode = r->a;
		}
		return 0;
	case PV_EV_HALT_END:
		if (r->a >= PV_HALT_MODE_MAX || r->b > PV_MAX_LATENCY_NS)
			break;
		if (r->a == PV_HALT_GUEST) {
			uint64_t a = p->ghalt_open ? p->ghalt_a : (r->b < t ? t - r->b : 0);

			if (!p->ghalt_open && !r->b)
				break;
			p->ghalt_open = false;
			return ld_push(&v->ghalt, a, t, 0);
		}
		if (p->khalt_open) {
			p->khalt_open = false;
			return ld_push(&v->khalt, p->khalt_a, t, p->khalt_mode);
		}
		if (!r->b)
			break;
		return ld_push(&v->khalt, r->b < t ? t - r->b : 0, t, r->a);
	case PV_EV_MIGRATE:
		if (r->a >= tl->ncpus)
			break;
		if (!p->mig_seen && r->b < tl->ncpus)
			v->pcpu0 = (uint32_t)r->b;	/* where it ran before: authoritative */
		p->mig_seen = true;
		return ld_push(&v->mig, t, t, r->a);
	case PV_EV_TASK_SWITCH:
		prev = PV_TASK_PREV_CLASS(r->a);
		next = PV_TASK_NEXT_CLASS(r->a);
		if (prev >= PV_TASK_CLASS_MAX || next >= PV_TASK_CLASS_MAX)
			break;
		if (next == PV_TASK_RT && !p->job_open) {
			p->job_open = true;
			p->job_a = t;
			p->job_release = t;
			p->job_deadline = 0;
		} else if (prev == PV_TASK_RT && next != PV_TASK_RT && p->job_open) {
			p->job_open = false;
			return ld_push(&v->job, p->job_a, t, p->job_deadline);
		}
		return 0;
	case PV_EV_RT_ACTIVATE:
		if (r->b > PV_MAX_LATENCY_NS || r->c > PV_MAX_LATENCY_NS)
			break;
		if (p->job_open && p->job_a != t) {
			/* the previous job never reported completion: it ends here */
			if (ld_push(&v->job, p->job_a, t, p->job_deadline))
				return -ENOMEM;
			p->job_open = false;
		}
		if (!p->job_open) {
			p->job_open = true;
			p->job_a = t;
		}
		ld_job_release(p, t, r->b);
		p->job_deadline = r->c ? p->job_release + r->c : 0;
		return 0;
	case PV_EV_RT_COMPLETE:
		if (r->b > PV_MAX_LATENCY_NS || r->c > PV_MAX_LATENCY_NS)
			break;
		if (!p->job_open)
			return 0;	/* activation not seen (trace started mid-job) */
		if (r->c)		/* the guest's relative deadline beats the period */
			p->job_deadline = p->job_release + r->c;
		p->job_open = false;
		return ld_push(&v->job, p->job_a, t, p->job_deadline);
	default:
		if (r->type == PV_EV_NONE || r->type >= PV_EV_MAX)
			break;
		return 0;	/* valid, not a transition the replay needs */
	}
	(*skip)++;
	return 0;
}

static int ld_parse_stream(const struct pm_timeline *tl, const struct pm_tl_stream *st,
			   uint64_t t0, uint64_t tsc_khz, struct ld_vcpu *v,
			   struct pm_tl_load_stats *ls)
{
	struct ld_parse p = { 0 };
	struct ld_rec *order;
	int err = 0;

	v->pcpu0 = st->pcpu;
	order = malloc((st->n ? st->n : 1) * sizeof(*order));
	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < st->n; i++) {
		/* ns = (tsc - t0) * 1e6 / tsc_khz, without overflow for hours of trace */
		uint64_t d = st->recs[i].tsc - t0;

		order[i] = (struct ld_rec){
			.t = d / tsc_khz * 1000000u + d % tsc_khz * 1000000u / tsc_khz,
			.prio = ld_prio(st->recs[i].type), .idx = i, .r = &st->recs[i],
		};
	}
	qsort(order, st->n, sizeof(*order), ld_cmp);
	for (size_t i = 0; i < st->n && !err; i++) {
		err = ld_parse_rec(tl, v, &p, order[i].r, order[i].t, &ls->skipped);
		v->last_t = order[i].t;
	}
	/* close what the end of the trace left open; an open job has no known end */
	if (!err && p.running)
		err = ld_push(&v->run, p.entry_t, v->last_t, 0);
	if (!err && p.khalt_open)
		err = ld_push(&v->khalt, p.khalt_a, v->last_t, p.khalt_mode);
	if (!err && p.ghalt_open)
		err = ld_push(&v->ghalt, p.ghalt_a, v->last_t, 0);
	if (p.job_open)
		ls->jobs_incomplete++;
	if (v->pcpu0 >= tl->ncpus)
		v->pcpu0 = 0;
	free(order);
	return err;
}

static uint64_t ld_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t ld_max(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t ld_mid(const struct ld_iv *h)
{
	return h->a + (h->b - h->a) / 2;
}

/* Sort by start and merge overlapping intervals (x of the first kept). */
static int ld_iv_cmp(const void *a, const void *b)
{
	const struct ld_iv *x = a, *y = b;

	return x->a < y->a ? -1 : x->a > y->a;
}

static void ld_union(struct ld_vec *l)
{
	size_t n = 0;

	if (!l->n)
		return;
	qsort(l->v, l->n, sizeof(*l->v), ld_iv_cmp);
	for (size_t i = 1; i < l->n; i++) {
		if (l->v[i].a <= l->v[n].b)
			l->v[n].b = ld_max(l->v[n].b, l->v[i].b);
		else
			l->v[++n] = l->v[i];
	}
	l->n = n + 1;
}

/*
 * Halted parts of the run interval [ra, rb]. The VMM knows how long the vCPU halted
 * during KVM_RUN (KVM's statistics) but not when: it records the halt at the end of the
 * interval. A cooperating guest reports when it went idle, but its idle period includes
 * its idle entry and wake-up paths (emulated ring 0 here). So: the amount is the VMM's,
 * the place is the guest's — each guest idle window in the interval keeps a centred part,
 * scaled so the total is the VMM's amount; what the VMM counted beyond the guest's
 * windows stays at the end. Without VMM halt records in the whole stream, the guest's
 * windows are taken as they are; without guest reports, the VMM's placement.
 */
static int ld_halted(const struct ld_vcpu *v, bool have_k, uint64_t ra, uint64_t rb,
		     size_t *kpos, size_t *gpos, struct ld_vec *out, uint32_t *mode)
{
	uint64_t kh = 0, kpoll = 0, g = 0;
	size_t k = *kpos, j;
	int err = 0;

	out->n = 0;
	/* VMM halts belonging to this interval: their midpoint is inside */
	while (k < v->khalt.n && ld_mid(&v->khalt.v[k]) < ra)
		k++;
	*kpos = k;
	for (; k < v->khalt.n; k++) {
		const struct ld_iv *h = &v->khalt.v[k];

		if (ld_mid(h) > rb)
			break;
		kh += ld_min(h->b, rb) - ld_min(ld_max(h->a, ra), rb);
		if (h->x == PV_HALT_POLL)
			kpoll += ld_min(h->b, rb) - ld_min(ld_max(h->a, ra), rb);
	}
	*mode = kh ? (kpoll * 2 > kh ? PV_HALT_POLL : PV_HALT_EXIT) : PV_HALT_GUEST;
	while (*gpos < v->ghalt.n && v->ghalt.v[*gpos].b <= ra)
		(*gpos)++;
	for (j = *gpos; j < v->ghalt.n && v->ghalt.v[j].a < rb; j++)
		g += ld_min(v->ghalt.v[j].b, rb) - ld_max(v->ghalt.v[j].a, ra);
	if (!g) {
		for (k = *kpos; k < v->khalt.n && !err; k++) {
			const struct ld_iv *h = &v->khalt.v[k];

			if (ld_mid(h) > rb)
				break;
			err = ld_push(out, ld_max(h->a, ra), ld_min(h->b, rb), 0);
		}
		ld_union(out);
		return err;
	}
	for (j = *gpos; j < v->ghalt.n && v->ghalt.v[j].a < rb && !err; j++) {
		uint64_t a = ld_max(v->ghalt.v[j].a, ra), b = ld_min(v->ghalt.v[j].b, rb);
		uint64_t keep = !have_k || kh >= g ? b - a
				: (uint64_t)((unsigned __int128)(b - a) * kh / g);
		uint64_t trim = (b - a - keep) / 2;

		if (keep)
			err = ld_push(out, a + trim, a + trim + keep, 0);
	}
	if (!err && have_k && kh > g)
		err = ld_push(out, rb - ld_min(kh - g, rb - ra), rb, 0);
	ld_union(out);
	return err;
}

struct ld_emit {
	struct ld_pieces *out;
	const struct ld_vcpu *v;
	const struct pm_tl_stream *st;
	struct pm_tl_load_stats *ls;
	uint8_t kind;
	size_t jpos, mpos;
	long *job_last;			/* [njobs]: index of the job's last RT piece */
};

/* pCPU at time t (MIGRATE records up to t). */
static uint32_t ld_pcpu_at(const struct ld_vcpu *v, size_t *mpos, uint64_t t)
{
	while (*mpos < v->mig.n && v->mig.v[*mpos].a <= t)
		(*mpos)++;
	return *mpos ? (uint32_t)v->mig.v[*mpos - 1].x : v->pcpu0;
}

/* One busy / polling interval: cut at job and migration boundaries, marked, stored. */
static int ld_emit_part(void *ctx, uint64_t a, uint64_t b)
{
	struct ld_emit *e = ctx;
	const struct ld_vcpu *v = e->v;
	int err = 0;

	if (e->kind == PM_TL_POLL)
		e->ls->vm_halt_ns[e->st->vm] += b - a;
	else
		e->ls->vm_busy_ns[e->st->vm] += b - a;
	while (a < b && !err) {
		struct ld_piece p = { .a = a, .vm = e->st->vm, .vcpu = e->st->vcpu, .kind = e->kind };
		uint64_t cut = b;
		size_t m;
		long job = -1;

		while (e->jpos < v->job.n && v->job.v[e->jpos].b <= a)
			e->jpos++;
		if (e->jpos < v->job.n) {
			const struct ld_iv *j = &v->job.v[e->jpos];

			if (j->a <= a) {
				job = (long)e->jpos;
				cut = ld_min(cut, j->b);
			} else {
				cut = ld_min(cut, j->a);
			}
		}
		p.pcpu = ld_pcpu_at(v, &e->mpos, a);
		m = e->mpos;
		if (m < v->mig.n)
			cut = ld_min(cut, ld_max(v->mig.v[m].a, a + 1));
		p.b = cut;
		if (job >= 0 && e->kind != PM_TL_POLL)
			p.flags = PM_TL_RT;
		err = ld_piece_push(e->out, &p);
		if (!err && p.flags & PM_TL_RT)
			e->job_last[job] = (long)e->out->n - 1;
		a = cut;
	}
	return err;
}

/*
 * [a, b) in time order: the parts outside the sorted disjoint @holes are busy work of
 * e->kind; the holes are halts, replayed as polling when @poll, else idle (no item).
 */
static int ld_walk(struct ld_emit *e, uint64_t a, uint64_t b, const struct ld_vec *holes,
		   uint8_t kind, bool poll)
{
	uint64_t t = a;
	int err = 0;

	for (size_t i = 0; i < holes->n && !err; i++) {
		uint64_t ha = ld_max(holes->v[i].a, t), hb = ld_min(holes->v[i].b, b);

		if (hb <= ha)
			continue;
		e->kind = kind;
		if (ha > t)
			err = ld_emit_part(e, t, ha);
		if (err)
			break;
		if (poll || holes->v[i].x == PV_HALT_POLL) {
			e->kind = PM_TL_POLL;
			err = ld_emit_part(e, ha, hb);
		} else {
			e->ls->vm_halt_ns[e->st->vm] += hb - ha;
		}
		t = hb;
	}
	e->kind = kind;
	if (!err && t < b)
		err = ld_emit_part(e, t, b);
	return err;
}

static int ld_pieces_of(const struct ld_vcpu *v, const struct pm_tl_stream *st,
			struct ld_pieces *out, struct pm_tl_load_stats *ls)
{
	struct ld_vec halted = { 0 }, gap_halts = { 0 };
	struct ld_emit e = { .out = out, .v = v, .st = st, .ls = ls };
	bool have_k = v->khalt.n > 0;
	size_t kpos = 0, gpos = 0, gk = 0, first = out->n;
	int err = 0;

	e.job_last = malloc((v->job.n ? v->job.n : 1) * sizeof(*e.job_last));
	if (!e.job_last)
		return -ENOMEM;
	for (size_t j = 0; j < v->job.n; j++)
		e.job_last[j] = -1;
	for (size_t i = 0; i < v->ghalt.n; i++)
		ls->vm_guest_idle_ns[st->vm] += v->ghalt.v[i].b - v->ghalt.v[i].a;
	for (size_t i = 0; i < v->khalt.n; i++)
		ls->vm_kvm_halt_ns[st->vm] += v->khalt.v[i].b - v->khalt.v[i].a;
	ls->migrations += v->mig.n;

	for (size_t i = 0; i < v->run.n && !err; i++) {
		uint64_t ra = v->run.v[i].a, rb = v->run.v[i].b;
		uint32_t mode;

		ls->vm_run_ns[st->vm] += rb - ra;
		/* VMM work from the previous exit, minus halts outside KVM_RUN (their
		 * midpoint lies in the gap) */
		if (i) {
			uint64_t ga = v->run.v[i - 1].b;

			gap_halts.n = 0;
			while (gk < v->khalt.n && ld_mid(&v->khalt.v[gk]) < ga)
				gk++;
			for (size_t k = gk; k < v->khalt.n && ld_mid(&v->khalt.v[k]) < ra && !err; k++)
				err = ld_push(&gap_halts, ld_max(v->khalt.v[k].a, ga),
					      ld_min(v->khalt.v[k].b, ra), v->khalt.v[k].x);
			ld_union(&gap_halts);
			if (!err)
				err = ld_walk(&e, ga, ra, &gap_halts, PM_TL_VMM, false);
		}
		if (!err)
			err = ld_halted(v, have_k, ra, rb, &kpos, &gpos, &halted, &mode);
		if (!err)
			err = ld_walk(&e, ra, rb, &halted, PM_TL_GUEST, mode == PV_HALT_POLL);
	}
	/* the last RT piece of each job carries its deadline; a job without busy work has
	 * nothing to replay */
	for (size_t j = 0; j < v->job.n && !err; j++) {
		struct ld_piece *p;

		if (e.job_last[j] < (long)first || !v->job.v[j].x) {
			ls->jobs_incomplete += e.job_last[j] < (long)first;
			continue;
		}
		p = &out->v[e.job_last[j]];
		p->flags |= PM_TL_JOB_END;
		p->deadline_ns = v->job.v[j].x;
		if (v->job.v[j].b > v->job.v[j].x)
			p->flags |= PM_TL_REC_MISS;
		ls->jobs++;
	}
	free(halted.v);
	free(gap_halts.v);
	free(e.job_last);
	return err;
}

/* ---- sharing: vCPUs busy on one pCPU at once each get an equal share of the overlap */

struct ld_acc {
	size_t piece;
	uint64_t start;			/* first time it ran in the current slice */
	double credit;			/* ns of CPU time in the current slice */
};

static int ld_flush(struct pm_timeline *tl, const struct ld_piece *p, struct ld_acc *acc,
		    bool last, struct pm_tl_load_stats *ls)
{
	struct pm_tl_item it = { .release_ns = acc->start, .vm = p->vm, .vcpu = p->vcpu,
				 .kind = p->kind, .flags = p->flags & PM_TL_RT };
	uint64_t ns = (uint64_t)(acc->credit + 0.5);
	int err = 0;

	if (last && p->flags & PM_TL_JOB_END) {
		it.flags |= PM_TL_JOB_END | (p->flags & PM_TL_REC_MISS);
		it.deadline_ns = p->deadline_ns;
	}
	if (p->kind == PM_TL_POLL)
		it.poll_ns = ns;
	else
		it.work_cycles = pm_timeline_cycles(tl, ns);
	if (ns || it.flags & PM_TL_JOB_END)
		err = pm_timeline_add(tl, p->pcpu, &it);
	if (p->kind != PM_TL_POLL)
		ls->vm_work_ns[p->vm] += ns;
	acc->credit = 0;
	acc->start = UINT64_MAX;
	return err;
}

struct ld_ev {
	uint64_t t;
	size_t piece;
	bool end;
};

static int ld_ev_cmp(const void *a, const void *b)
{
	const struct ld_ev *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (int)y->end - (int)x->end;	/* ends first */
}

static int ld_share_cpu(struct pm_timeline *tl, const struct ld_pieces *pc, unsigned int cpu,
			struct pm_tl_load_stats *ls)
{
	struct ld_ev *ev;
	struct ld_acc *act;
	size_t nev = 0, nact = 0;
	uint64_t t = 0;
	int err = 0;

	for (size_t i = 0; i < pc->n; i++)
		nev += pc->v[i].pcpu == cpu;
	if (!nev)
		return 0;
	ev = malloc(2 * nev * sizeof(*ev));
	act = malloc(nev * sizeof(*act));
	if (!ev || !act) {
		free(ev);
		free(act);
		return -ENOMEM;
	}
	nev = 0;
	for (size_t i = 0; i < pc->n; i++) {
		if (pc->v[i].pcpu != cpu)
			continue;
		ev[nev++] = (struct ld_ev){ pc->v[i].a, i, false };
		ev[nev++] = (struct ld_ev){ pc->v[i].b, i, true };
	}
	qsort(ev, nev, sizeof(*ev), ld_ev_cmp);
	for (size_t e = 0; e < nev && !err; e++) {
		uint64_t te = ev[e].t;

		/* run the active set from t to te, cutting at slice boundaries */
		while (nact && t < te && !err) {
			uint64_t grid = (t / PM_TL_SLICE_NS + 1) * PM_TL_SLICE_NS;
			uint64_t stop = ld_min(te, grid);

			for (size_t k = 0; k < nact; k++) {
				if (act[k].start == UINT64_MAX)
					act[k].start = t;
				act[k].credit += (double)(stop - t) / (double)nact;
			}
			if (nact > 1)
				ls->shared_ns += stop - t;
			t = stop;
			if (t == grid)
				for (size_t k = 0; k < nact && !err; k++)
					if (act[k].credit > 0)
						err = ld_flush(tl, &pc->v[act[k].piece], &act[k],
							       false, ls);
		}
		t = te;
		if (ev[e].end) {
			for (size_t k = 0; k < nact; k++) {
				if (act[k].piece != ev[e].piece)
					continue;
				if (act[k].start == UINT64_MAX)
					act[k].start = te;
				err = ld_flush(tl, &pc->v[act[k].piece], &act[k], true, ls);
				act[k] = act[--nact];
				break;
			}
		} else {
			act[nact++] = (struct ld_acc){ ev[e].piece, UINT64_MAX, 0 };
		}
	}
	free(ev);
	free(act);
	return err;
}

int pm_timeline_load(struct pm_timeline *tl, const struct pm_tl_stream *streams,
		     unsigned int nstreams, uint64_t tsc_khz, struct pm_tl_load_stats *stats)
{
	struct pm_tl_load_stats ls_local, *ls = stats ? stats : &ls_local;
	struct ld_pieces pc = { 0 };
	uint64_t t0 = UINT64_MAX;
	int err = 0;

	memset(ls, 0, sizeof(*ls));
	if (!tl->cpu || !tsc_khz || (nstreams && !streams))
		return -EINVAL;
	for (unsigned int s = 0; s < nstreams; s++)
		for (size_t i = 0; i < streams[s].n; i++)
			if (streams[s].recs[i].tsc < t0)
				t0 = streams[s].recs[i].tsc;

	for (unsigned int s = 0; s < nstreams && !err; s++) {
		const struct pm_tl_stream *st = &streams[s];
		struct ld_vcpu v = { 0 };

		if (st->vm >= tl->nvms || (!st->recs && st->n)) {
			ls->skipped += st->n;
			continue;
		}
		err = ld_parse_stream(tl, st, t0, tsc_khz, &v, ls);
		if (!err)
			err = ld_pieces_of(&v, st, &pc, ls);
		if (v.last_t > tl->end_ns)
			tl->end_ns = v.last_t;
		ld_vcpu_free(&v);
	}
	for (unsigned int c = 0; c < tl->ncpus && !err; c++)
		err = ld_share_cpu(tl, &pc, c, ls);
	free(pc.v);
	pm_timeline_finish(tl);
	return err;
}

int pm_timeline_from_records(struct pm_timeline *tl, const struct pm_tl_stream *streams,
			     unsigned int nstreams, uint64_t tsc_khz, size_t *skipped)
{
	struct pm_tl_load_stats ls;
	int err = pm_timeline_load(tl, streams, nstreams, tsc_khz, &ls);

	if (skipped)
		*skipped = ls.skipped;
	return err;
}
