// SPDX-License-Identifier: GPL-2.0-only
/*
 * Timelines for replay, and their loader from tracer records.
 *
 * Design note: the loader turns each vCPU's records into intervals with an owner, exactly
 * as the accounting would: entry..exit is guest work, exit..entry VMM work (overhead),
 * halts idle (or C0 polling for PV_HALT_POLL). Guest-reported RT activations and
 * completions split the guest intervals so that RT work is marked (it preempts
 * best-effort work in the replay) and the last piece of each job carries its absolute
 * deadline. Busy intervals become cycles at the recorded frequency. Records are untrusted:
 * anything malformed is skipped and counted, never fatal.
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

/* ---------------------------------------------------------------- loader from records */

enum ld_state { LD_NONE, LD_GUEST, LD_VMM, LD_HALT };

struct ld_vcpu {
	struct pm_timeline *tl;
	const struct pm_tl_stream *st;
	enum ld_state state;
	uint64_t since;
	uint32_t pcpu;
	uint32_t halt_mode;
	bool in_job;
	uint64_t job_start, job_deadline;
	long last_rt_cpu;		/* where the last RT item went, for JOB_END */
	size_t last_rt_idx;
};

struct ld_rec {
	uint64_t tsc;
	size_t idx;
	const struct pv_rec *r;
};

static int ld_cmp(const void *a, const void *b)
{
	const struct ld_rec *x = a, *y = b;

	if (x->tsc != y->tsc)
		return x->tsc < y->tsc ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int ld_emit(struct ld_vcpu *v, uint64_t end, bool job_end)
{
	struct pm_timeline *tl = v->tl;
	struct pm_tl_item it = { .release_ns = v->since, .vm = v->st->vm, .vcpu = v->st->vcpu };
	int err;

	if (end <= v->since)
		goto out_mark;
	switch (v->state) {
	case LD_GUEST:
		it.kind = PM_TL_GUEST;
		it.work_cycles = pm_timeline_cycles(tl, end - v->since);
		break;
	case LD_VMM:
		it.kind = PM_TL_VMM;
		it.work_cycles = pm_timeline_cycles(tl, end - v->since);
		break;
	case LD_HALT:
		if (v->halt_mode != PV_HALT_POLL)
			return 0;
		it.kind = PM_TL_POLL;
		it.poll_ns = end - v->since;
		break;
	default:
		return 0;
	}
	if (v->in_job && it.kind != PM_TL_POLL)
		it.flags |= PM_TL_RT;
	err = pm_timeline_add(tl, v->pcpu, &it);
	if (err)
		return err;
	if (it.flags & PM_TL_RT) {
		v->last_rt_cpu = v->pcpu;
		v->last_rt_idx = tl->cpu[v->pcpu].n - 1;
	}
out_mark:
	if (job_end && v->last_rt_cpu >= 0) {
		struct pm_tl_item *last = &tl->cpu[v->last_rt_cpu].items[v->last_rt_idx];

		last->flags |= PM_TL_JOB_END;
		last->deadline_ns = v->job_deadline;
		v->last_rt_cpu = -1;
	}
	return 0;
}

static int ld_switch(struct ld_vcpu *v, uint64_t t, enum ld_state next)
{
	int err = ld_emit(v, t, false);

	v->state = next;
	v->since = t;
	return err;
}

static int ld_rec(struct ld_vcpu *v, const struct pv_rec *r, uint64_t t, size_t *skipped)
{
	int err = 0;

	switch (r->type) {
	case PV_EV_VM_ENTRY:
		return ld_switch(v, t, LD_GUEST);
	case PV_EV_VM_EXIT:
		return ld_switch(v, t, LD_VMM);
	case PV_EV_HALT_BEGIN:
		if (r->a >= PV_HALT_MODE_MAX)
			break;
		err = ld_switch(v, t, LD_HALT);
		v->halt_mode = r->a;
		return err;
	case PV_EV_HALT_END:
		return ld_switch(v, t, LD_VMM);
	case PV_EV_MIGRATE:
		if (r->a >= v->tl->ncpus)
			break;
		err = ld_emit(v, t, false);
		v->since = t;
		v->pcpu = r->a;
		return err;
	case PV_EV_TASK_SWITCH:
		if (PV_TASK_NEXT_CLASS(r->a) == PV_TASK_RT && !v->in_job)
			goto activate;
		if (PV_TASK_PREV_CLASS(r->a) == PV_TASK_RT &&
		    PV_TASK_NEXT_CLASS(r->a) != PV_TASK_RT && v->in_job)
			goto complete;
		return 0;
	case PV_EV_RT_ACTIVATE:
		if (r->c > PV_MAX_LATENCY_NS)
			break;
		err = ld_emit(v, t, false);
		v->since = t;
		v->in_job = true;
		v->job_start = t;
		v->job_deadline = r->c ? t + r->c : 0;
		return err;
	case PV_EV_RT_COMPLETE:
		if (r->c > PV_MAX_LATENCY_NS)
			break;
		if (!v->job_deadline && r->c && v->in_job)
			v->job_deadline = v->job_start + r->c;
		goto complete;
	default:
		if (r->type == PV_EV_NONE || r->type >= PV_EV_MAX)
			break;
		return 0;	/* valid but not a transition the replay needs */
	}
	(*skipped)++;
	return 0;

activate:
	err = ld_emit(v, t, false);
	v->since = t;
	v->in_job = true;
	v->job_start = t;
	v->job_deadline = 0;
	return err;
complete:
	if (!v->in_job)
		return 0;
	err = ld_emit(v, t, true);
	v->since = t;
	v->in_job = false;
	return err;
}

int pm_timeline_from_records(struct pm_timeline *tl, const struct pm_tl_stream *streams,
			     unsigned int nstreams, uint64_t tsc_khz, size_t *skipped)
{
	uint64_t t0 = UINT64_MAX;
	size_t skip = 0;
	int err = 0;

	if (!tl->cpu || !tsc_khz)
		return -EINVAL;
	for (unsigned int s = 0; s < nstreams; s++)
		for (size_t i = 0; i < streams[s].n; i++)
			if (streams[s].recs[i].tsc < t0)
				t0 = streams[s].recs[i].tsc;

	for (unsigned int s = 0; s < nstreams && !err; s++) {
		const struct pm_tl_stream *st = &streams[s];
		struct ld_vcpu v = { .tl = tl, .st = st, .pcpu = st->pcpu, .last_rt_cpu = -1 };
		struct ld_rec *order;
		uint64_t last_t = 0;

		if (st->vm >= tl->nvms || st->pcpu >= tl->ncpus) {
			skip += st->n;
			continue;
		}
		order = calloc(st->n ? st->n : 1, sizeof(*order));
		if (!order)
			return -ENOMEM;
		for (size_t i = 0; i < st->n; i++)
			order[i] = (struct ld_rec){ st->recs[i].tsc, i, &st->recs[i] };
		qsort(order, st->n, sizeof(*order), ld_cmp);
		for (size_t i = 0; i < st->n && !err; i++) {
			/* ns = (tsc - t0) * 1e6 / tsc_khz, without overflow for hours of trace */
			uint64_t d = order[i].tsc - t0;
			uint64_t t = d / tsc_khz * 1000000u + d % tsc_khz * 1000000u / tsc_khz;

			err = ld_rec(&v, order[i].r, t, &skip);
			last_t = t;
		}
		if (!err && (v.state == LD_GUEST || v.state == LD_VMM))
			err = ld_emit(&v, last_t, false);
		if (last_t > tl->end_ns)
			tl->end_ns = last_t;
		free(order);
	}
	pm_timeline_finish(tl);
	if (skipped)
		*skipped = skip;
	return err;
}
