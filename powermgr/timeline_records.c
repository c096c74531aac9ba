// SPDX-License-Identifier: GPL-2.0-only
/*
 * Timeline loader, stage 1: one vCPU's records (transition and guest rings) sorted and
 * read into interval lists — run intervals, VMM-recorded and guest-reported halts, RT jobs
 * with their deadlines, migrations. Malformed or unmatched records are skipped and counted.
 * The rules are in timeline_load.c's design note.
 */
#include <errno.h>
#include <stdlib.h>

#include "powermgr/timeline_load.h"
#include "tracer/grow.h"

int pm_ld_push(struct ld_vec *l, uint64_t a, uint64_t b, uint64_t x)
{
	if (b < a)
		return 0;
	if (PV_GROW(l->v, l->cap, l->n, 64))
		return -ENOMEM;
	l->v[l->n++] = (struct ld_iv){ a, b, x };
	return 0;
}

void pm_ld_vcpu_free(struct ld_vcpu *v)
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
			if (pm_ld_push(&v->khalt, p->khalt_a, t, p->khalt_mode))
				return -ENOMEM;
		}
		p->running = true;
		p->entry_t = t;
		return 0;
	case PV_EV_VM_EXIT:
		if (!p->running)
			break;
		p->running = false;
		return pm_ld_push(&v->run, p->entry_t, t, 0);
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
			return pm_ld_push(&v->ghalt, a, t, 0);
		}
		if (p->khalt_open) {
			p->khalt_open = false;
			return pm_ld_push(&v->khalt, p->khalt_a, t, p->khalt_mode);
		}
		if (!r->b)
			break;
		return pm_ld_push(&v->khalt, r->b < t ? t - r->b : 0, t, r->a);
	case PV_EV_MIGRATE:
		if (r->a >= tl->ncpus)
			break;
		if (!p->mig_seen && r->b < tl->ncpus)
			v->pcpu0 = (uint32_t)r->b;	/* where it ran before: authoritative */
		p->mig_seen = true;
		return pm_ld_push(&v->mig, t, t, r->a);
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
			return pm_ld_push(&v->job, p->job_a, t, p->job_deadline);
		}
		return 0;
	case PV_EV_RT_ACTIVATE:
		if (r->b > PV_MAX_LATENCY_NS || r->c > PV_MAX_LATENCY_NS)
			break;
		if (p->job_open && p->job_a != t) {
			/* the previous job never reported completion: it ends here */
			if (pm_ld_push(&v->job, p->job_a, t, p->job_deadline))
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
		return pm_ld_push(&v->job, p->job_a, t, p->job_deadline);
	default:
		if (r->type == PV_EV_NONE || r->type >= PV_EV_MAX)
			break;
		return 0;	/* valid, not a transition the replay needs */
	}
	(*skip)++;
	return 0;
}

int pm_ld_parse_stream(const struct pm_timeline *tl, const struct pm_tl_stream *st,
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
		err = pm_ld_push(&v->run, p.entry_t, v->last_t, 0);
	if (!err && p.khalt_open)
		err = pm_ld_push(&v->khalt, p.khalt_a, v->last_t, p.khalt_mode);
	if (!err && p.ghalt_open)
		err = pm_ld_push(&v->ghalt, p.ghalt_a, v->last_t, 0);
	if (p.job_open)
		ls->jobs_incomplete++;
	if (v->pcpu0 >= tl->ncpus)
		v->pcpu0 = 0;
	free(order);
	return err;
}
