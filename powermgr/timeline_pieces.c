// SPDX-License-Identifier: GPL-2.0-only
/*
 * Timeline loader, stage 2: one vCPU's interval lists into pieces — busy work (guest or
 * VMM) and polling halts on the pCPU the vCPU was on, cut at RT job and migration
 * boundaries, with the halts KVM counted placed inside the guest's own idle reports. The
 * rules are in timeline_load.c's design note.
 */
#include <errno.h>
#include <stdlib.h>

#include "powermgr/timeline_load.h"
#include "tracer/grow.h"

static int ld_piece_push(struct ld_pieces *l, const struct ld_piece *p)
{
	if (p->b <= p->a)
		return 0;
	if (PV_GROW(l->v, l->cap, l->n, 256))
		return -ENOMEM;
	l->v[l->n++] = *p;
	return 0;
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
			err = pm_ld_push(out, ld_max(h->a, ra), ld_min(h->b, rb), 0);
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
			err = pm_ld_push(out, a + trim, a + trim + keep, 0);
	}
	if (!err && have_k && kh > g)
		err = pm_ld_push(out, rb - ld_min(kh - g, rb - ra), rb, 0);
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

int pm_ld_pieces_of(const struct ld_vcpu *v, const struct pm_tl_stream *st,
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
				err = pm_ld_push(&gap_halts, ld_max(v->khalt.v[k].a, ga),
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
