// SPDX-License-Identifier: GPL-2.0-only
/*
 * Accounting of a VM's transitions.
 *
 * Design note — what is computed and the conventions:
 *   - Each vCPU's transition ring drives a state machine with three places, UNKNOWN (before
 *     its first record), GUEST (after VM_ENTRY) and VMM (after VM_EXIT), and a "halted"
 *     flag with a mode that can be set in either place. Time between two consecutive
 *     transitions is charged to where the vCPU was: halted[mode] if halted, else guest or
 *     VMM. So guest time is ENTRY -> EXIT minus halts inside it and VMM time is EXIT -> ENTRY
 *     minus halts inside it (a userspace HLT exit blocks in the VMM).
 *   - Halts the VMM derives from KVM statistics are placed inside the run interval just
 *     before its EXIT: ENTRY t0, HALT_BEGIN t1, HALT_END t2, EXIT t2 gives guest t1 - t0 and
 *     halted t2 - t1; the zero-length rest is charged to the guest.
 *   - Exit handling latency is EXIT -> next ENTRY (halts included), histogrammed by the
 *     EXIT's reason when the ENTRY arrives. Exits are counted at the EXIT.
 *   - The guest ring of a vCPU drives a second, independent machine: TASK_SWITCH charges
 *     the time since the previous switch to the task switched out (the first switch only
 *     starts the clock), guest idle (HALT_* with PV_HALT_GUEST) is halt_ns[PV_HALT_GUEST],
 *     RT events are counted and histogrammed. The guest ring is drained later than the
 *     transitions happened, so the two machines never share an interval.
 *   - Task ids live in a table of PV_ACCT_MAX_TASKS per vCPU, filled on first sight and
 *     kept for the VM's life; switches to further ids are counted in tasks_overflow and
 *     their residency in other_task_ns.
 *   - Time accumulates in TSC ticks and is converted to ns only when figures are read, so
 *     rounding does not grow with the number of intervals. Histograms take ns per sample.
 *   - A window is closed at a given TSC: in-progress intervals are charged up to it and
 *     restart there; a record older than the close still changes the state but charges no
 *     time before the close (the lag of the drain, bounded by the policy tick).
 *   - Records that contradict the state (EXIT in the VMM, ENTRY in the guest, HALT_END
 *     without HALT_BEGIN, a task switch whose previous id is not the running one) are
 *     counted as seq_errors and the state resynchronises on them: a dropped record costs
 *     accuracy for one interval, never a crash or a stuck state. Time going backwards in
 *     one stream (a trace file not validated per ring) is counted and the record ignored.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tracer/account.h"

enum acct_place {
	PLACE_UNKNOWN = 0,
	PLACE_GUEST,
	PLACE_VMM,
};

/* Times in TSC ticks, converted when read. */
struct acct_ticks {
	uint64_t span;
	uint64_t guest;
	uint64_t vmm;
	uint64_t halt[PV_HALT_MODE_MAX];
	uint64_t task[PV_ACCT_MAX_TASKS];
	uint64_t other_task;
};

struct acct_vcpu {
	/* transition ring */
	enum acct_place place;
	bool halted;
	uint32_t halt_mode;
	uint64_t since;			/* start of the interval being charged */
	uint64_t last_tsc;		/* latest transition-ring record */
	bool exit_open;
	uint32_t exit_reason;
	uint64_t exit_tsc;
	/* guest ring */
	bool task_known;
	int cur_slot;			/* -1: a task beyond the table */
	uint32_t cur_task;
	uint64_t task_since;
	bool gidle;
	uint64_t gidle_since;
	uint64_t glast_tsc;
	/* task table (ids persist across windows) */
	uint32_t ntasks;
	uint32_t task_id[PV_ACCT_MAX_TASKS];
	uint32_t task_cls[PV_ACCT_MAX_TASKS];
	/* figures: the open window, the last closed one, the cumulative */
	struct acct_ticks wt, lt, tt;
	struct pv_acct_stats win, last, tot;
};

struct pv_acct {
	struct pv_clock clk;
	uint32_t nvcpus;
	bool started;
	uint64_t win_start;
	uint64_t win_end;		/* last close */
	struct acct_vcpu v[];
};

void pv_acct_stats_init(struct pv_acct_stats *st)
{
	unsigned int i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < PV_EXIT_MAX; i++)
		pv_hist_init(&st->exit_lat[i]);
	pv_hist_init(&st->rt_release_lat);
	pv_hist_init(&st->rt_response);
	pv_hist_init(&st->rt_miss_lat);
}

int pv_acct_create(struct pv_acct **out, uint32_t nvcpus, const struct pv_clock *clk)
{
	struct pv_acct *a;
	uint32_t i;

	if (!out || !clk || !clk->mult || nvcpus < 1 || nvcpus > PV_MAX_VCPUS)
		return -EINVAL;
	a = calloc(1, sizeof(*a) + nvcpus * sizeof(a->v[0]));
	if (!a)
		return -ENOMEM;
	a->clk = *clk;
	a->nvcpus = nvcpus;
	for (i = 0; i < nvcpus; i++) {
		pv_acct_stats_init(&a->v[i].win);
		pv_acct_stats_init(&a->v[i].last);
		pv_acct_stats_init(&a->v[i].tot);
	}
	*out = a;
	return 0;
}

void pv_acct_destroy(struct pv_acct *a)
{
	free(a);
}

/* ------------------------------------------------------------ transition ring machine */

/* Charge [since, t) to where the vCPU is (nothing while UNKNOWN) and move since to t. */
static void charge(struct acct_vcpu *v, uint64_t t)
{
	uint64_t d = t > v->since ? t - v->since : 0;

	if (v->halted)
		v->wt.halt[v->halt_mode] += d;
	else if (v->place == PLACE_GUEST)
		v->wt.guest += d;
	else if (v->place == PLACE_VMM)
		v->wt.vmm += d;
	if (t > v->since)
		v->since = t;
}

static void on_vm_exit(struct acct_vcpu *v, const struct pv_rec *r)
{
	if (v->place == PLACE_VMM)
		v->win.seq_errors++;	/* the ENTRY in between was lost */
	charge(v, r->tsc);
	if (v->halted) {		/* a halt that never ended */
		v->win.seq_errors++;
		v->halted = false;
	}
	v->place = PLACE_VMM;
	v->win.exits[r->a]++;
	v->exit_open = true;
	v->exit_reason = r->a;
	v->exit_tsc = r->tsc;
}

static void on_vm_entry(struct pv_acct *a, struct acct_vcpu *v, const struct pv_rec *r)
{
	if (v->place == PLACE_GUEST)
		v->win.seq_errors++;	/* the EXIT in between was lost */
	charge(v, r->tsc);
	if (v->halted) {
		v->win.seq_errors++;
		v->halted = false;
	}
	if (v->exit_open && r->tsc >= v->exit_tsc)
		pv_hist_add(&v->win.exit_lat[v->exit_reason],
			    pv_clock_tsc_to_ns(&a->clk, r->tsc - v->exit_tsc));
	v->exit_open = false;
	v->place = PLACE_GUEST;
}

static void on_halt_begin(struct acct_vcpu *v, const struct pv_rec *r)
{
	charge(v, r->tsc);
	if (v->halted)
		v->win.seq_errors++;
	v->halted = true;
	v->halt_mode = r->a;
}

static void on_halt_end(struct acct_vcpu *v, const struct pv_rec *r)
{
	if (!v->halted) {
		v->win.seq_errors++;
		charge(v, r->tsc);
		return;
	}
	if (r->a != v->halt_mode)
		v->win.seq_errors++;
	charge(v, r->tsc);
	v->win.halts[v->halt_mode]++;
	v->halted = false;
}

/* ---------------------------------------------------------------- guest ring machine */

/* Slot of task @id, adding it if there is room; -1 when the table is full. */
static int task_slot(struct acct_vcpu *v, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < v->ntasks; i++)
		if (v->task_id[i] == id)
			return (int)i;
	if (v->ntasks == PV_ACCT_MAX_TASKS)
		return -1;
	v->task_id[v->ntasks] = id;
	v->task_cls[v->ntasks] = PV_TASK_IDLE;
	return (int)v->ntasks++;
}

static void charge_task(struct acct_vcpu *v, uint64_t t)
{
	uint64_t d;

	if (!v->task_known)
		return;
	d = t > v->task_since ? t - v->task_since : 0;
	if (v->cur_slot >= 0)
		v->wt.task[v->cur_slot] += d;
	else
		v->wt.other_task += d;
	if (t > v->task_since)
		v->task_since = t;
}

static void on_task_switch(struct acct_vcpu *v, const struct pv_rec *r)
{
	uint32_t next = (uint32_t)r->c;
	int slot;

	if (v->task_known && r->b != v->cur_task)
		v->win.seq_errors++;
	charge_task(v, r->tsc);
	slot = task_slot(v, next);
	if (slot < 0) {
		v->win.tasks_overflow++;
	} else {
		v->task_cls[slot] = PV_TASK_NEXT_CLASS(r->a);
		v->win.tasks[slot].switches_in++;
	}
	if (!v->task_known || r->tsc > v->task_since)
		v->task_since = r->tsc;
	v->task_known = true;
	v->cur_task = next;
	v->cur_slot = slot;
}

static void on_rt(struct acct_vcpu *v, const struct pv_rec *r)
{
	int slot = task_slot(v, r->a);
	struct pv_acct_task *t = slot >= 0 ? &v->win.tasks[slot] : NULL;

	switch (r->type) {
	case PV_EV_RT_ACTIVATE:
		v->win.rt_activations++;
		pv_hist_add(&v->win.rt_release_lat, r->b);
		if (t)
			t->activations++;
		break;
	case PV_EV_RT_COMPLETE:
		v->win.rt_completions++;
		pv_hist_add(&v->win.rt_response, r->b);
		if (t)
			t->completions++;
		break;
	default:
		v->win.rt_misses++;
		pv_hist_add(&v->win.rt_miss_lat, r->b);
		if (t)
			t->misses++;
		break;
	}
}

static void on_guest_idle(struct acct_vcpu *v, const struct pv_rec *r)
{
	if (r->type == PV_EV_HALT_BEGIN) {
		if (v->gidle) {
			v->win.seq_errors++;
			v->wt.halt[PV_HALT_GUEST] += r->tsc > v->gidle_since ? r->tsc - v->gidle_since : 0;
		}
		v->gidle = true;
		v->gidle_since = r->tsc;
		return;
	}
	if (!v->gidle) {
		v->win.seq_errors++;
		return;
	}
	v->wt.halt[PV_HALT_GUEST] += r->tsc > v->gidle_since ? r->tsc - v->gidle_since : 0;
	v->win.halts[PV_HALT_GUEST]++;
	v->gidle = false;
}

static bool is_guest_stream(const struct pv_rec *r)
{
	switch (r->type) {
	case PV_EV_TASK_SWITCH:
	case PV_EV_RT_ACTIVATE:
	case PV_EV_RT_COMPLETE:
	case PV_EV_RT_MISS:
		return true;
	case PV_EV_HALT_BEGIN:
	case PV_EV_HALT_END:
		return r->a == PV_HALT_GUEST;
	default:
		return false;
	}
}

/* Defensive range checks: records should come validated, but a bad one must not crash. */
static bool payload_sane(const struct pv_rec *r)
{
	switch (r->type) {
	case PV_EV_VM_EXIT:
		return r->a < PV_EXIT_MAX;
	case PV_EV_HALT_BEGIN:
	case PV_EV_HALT_END:
		return r->a < PV_HALT_MODE_MAX;
	case PV_EV_IRQ_INJECT:
		return r->b < PV_IRQ_PATH_MAX;
	case PV_EV_DEV_IO:
		return PV_DEV_OP_OP(r->a) < PV_DEV_OP_MAX;
	case PV_EV_TASK_SWITCH:
		return PV_TASK_NEXT_CLASS(r->a) < PV_TASK_CLASS_MAX;
	default:
		return r->type > PV_EV_NONE && r->type < PV_EV_MAX;
	}
}

static void feed_one(struct pv_acct *a, const struct pv_rec *r)
{
	struct acct_vcpu *v;

	if (r->vcpu >= a->nvcpus || !payload_sane(r)) {
		if (r->vcpu < a->nvcpus)
			a->v[r->vcpu].win.ignored++;
		return;
	}
	v = &a->v[r->vcpu];
	if (!a->started) {
		a->started = true;
		a->win_start = r->tsc;
	}
	if (is_guest_stream(r)) {
		if (r->tsc < v->glast_tsc) {
			v->win.seq_errors++;
			return;
		}
		v->glast_tsc = r->tsc;
		if (r->type == PV_EV_TASK_SWITCH)
			on_task_switch(v, r);
		else if (r->type == PV_EV_HALT_BEGIN || r->type == PV_EV_HALT_END)
			on_guest_idle(v, r);
		else
			on_rt(v, r);
		return;
	}
	switch (r->type) {
	case PV_EV_VM_EXIT:
	case PV_EV_VM_ENTRY:
	case PV_EV_HALT_BEGIN:
	case PV_EV_HALT_END:
		if (r->tsc < v->last_tsc) {
			v->win.seq_errors++;
			return;
		}
		v->last_tsc = r->tsc;
		break;
	default:
		break;
	}
	switch (r->type) {
	case PV_EV_VM_EXIT:
		on_vm_exit(v, r);
		break;
	case PV_EV_VM_ENTRY:
		on_vm_entry(a, v, r);
		break;
	case PV_EV_HALT_BEGIN:
		on_halt_begin(v, r);
		break;
	case PV_EV_HALT_END:
		on_halt_end(v, r);
		break;
	case PV_EV_MIGRATE:
		v->win.migrations++;
		break;
	case PV_EV_TIMER_FIRE:
		v->win.timer_fires++;
		v->win.timer_overruns += r->a;
		break;
	case PV_EV_IRQ_INJECT:
		v->win.irqs[r->b]++;
		break;
	case PV_EV_DEV_IO:
		v->win.dev_ops[PV_DEV_OP_OP(r->a)]++;
		v->win.dev_bytes += r->b;
		break;
	case PV_EV_THROTTLE:
		v->win.throttles++;
		break;
	default:
		v->win.ignored++;
		break;
	}
}

void pv_acct_feed(struct pv_acct *a, const struct pv_rec *recs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		feed_one(a, &recs[i]);
}

/* ------------------------------------------------------------------------- windows */

static void ticks_add(struct acct_ticks *d, const struct acct_ticks *s)
{
	unsigned int i;

	d->span += s->span;
	d->guest += s->guest;
	d->vmm += s->vmm;
	for (i = 0; i < PV_HALT_MODE_MAX; i++)
		d->halt[i] += s->halt[i];
	for (i = 0; i < PV_ACCT_MAX_TASKS; i++)
		d->task[i] += s->task[i];
	d->other_task += s->other_task;
}

static void counts_add(struct pv_acct_stats *d, const struct pv_acct_stats *s)
{
	unsigned int i;

	for (i = 0; i < PV_HALT_MODE_MAX; i++)
		d->halts[i] += s->halts[i];
	for (i = 0; i < PV_EXIT_MAX; i++) {
		d->exits[i] += s->exits[i];
		pv_hist_merge(&d->exit_lat[i], &s->exit_lat[i]);
	}
	for (i = 0; i < PV_IRQ_PATH_MAX; i++)
		d->irqs[i] += s->irqs[i];
	for (i = 0; i < PV_DEV_OP_MAX; i++)
		d->dev_ops[i] += s->dev_ops[i];
	d->dev_bytes += s->dev_bytes;
	d->migrations += s->migrations;
	d->timer_fires += s->timer_fires;
	d->timer_overruns += s->timer_overruns;
	d->throttles += s->throttles;
	d->rt_activations += s->rt_activations;
	d->rt_completions += s->rt_completions;
	d->rt_misses += s->rt_misses;
	pv_hist_merge(&d->rt_release_lat, &s->rt_release_lat);
	pv_hist_merge(&d->rt_response, &s->rt_response);
	pv_hist_merge(&d->rt_miss_lat, &s->rt_miss_lat);
	d->seq_errors += s->seq_errors;
	d->ignored += s->ignored;
	d->tasks_overflow += s->tasks_overflow;
}

uint64_t pv_acct_close_window(struct pv_acct *a, uint64_t tsc)
{
	uint64_t span;
	uint32_t i, j;

	if (!a->started) {
		a->started = true;
		a->win_start = tsc;
	}
	span = tsc > a->win_start ? tsc - a->win_start : 0;
	for (i = 0; i < a->nvcpus; i++) {
		struct acct_vcpu *v = &a->v[i];

		charge(v, tsc);
		charge_task(v, tsc);
		if (v->gidle && tsc > v->gidle_since) {
			v->wt.halt[PV_HALT_GUEST] += tsc - v->gidle_since;
			v->gidle_since = tsc;
		}
		v->wt.span = span;
		/* the per-task counters live in win.tasks[] slot by slot */
		for (j = 0; j < PV_ACCT_MAX_TASKS; j++) {
			v->tot.tasks[j].switches_in += v->win.tasks[j].switches_in;
			v->tot.tasks[j].activations += v->win.tasks[j].activations;
			v->tot.tasks[j].completions += v->win.tasks[j].completions;
			v->tot.tasks[j].misses += v->win.tasks[j].misses;
		}
		counts_add(&v->tot, &v->win);
		ticks_add(&v->tt, &v->wt);
		v->last = v->win;
		v->lt = v->wt;
		pv_acct_stats_init(&v->win);
		memset(&v->wt, 0, sizeof(v->wt));
	}
	if (tsc > a->win_start)
		a->win_start = tsc;
	a->win_end = tsc;
	return pv_clock_tsc_to_ns(&a->clk, span);
}

/* Counts of @s with the times of @t converted and the task table filled in. */
static void vcpu_view(const struct pv_acct *a, const struct acct_vcpu *v,
		      const struct pv_acct_stats *s, const struct acct_ticks *t,
		      struct pv_acct_stats *out)
{
	const struct pv_clock *clk = &a->clk;
	uint32_t i;

	*out = *s;
	out->span_ns = pv_clock_tsc_to_ns(clk, t->span);
	out->guest_ns = pv_clock_tsc_to_ns(clk, t->guest);
	out->vmm_ns = pv_clock_tsc_to_ns(clk, t->vmm);
	for (i = 0; i < PV_HALT_MODE_MAX; i++)
		out->halt_ns[i] = pv_clock_tsc_to_ns(clk, t->halt[i]);
	out->other_task_ns = pv_clock_tsc_to_ns(clk, t->other_task);
	out->ntasks = v->ntasks;
	for (i = 0; i < v->ntasks; i++) {
		out->tasks[i].id = v->task_id[i];
		out->tasks[i].cls = v->task_cls[i];
		out->tasks[i].run_ns = pv_clock_tsc_to_ns(clk, t->task[i]);
	}
}

int pv_acct_vcpu(const struct pv_acct *a, uint32_t vcpu, enum pv_acct_view view,
		 struct pv_acct_stats *out)
{
	const struct acct_vcpu *v;

	if (vcpu >= a->nvcpus || !out)
		return -EINVAL;
	v = &a->v[vcpu];
	if (view == PV_ACCT_TOTAL)
		vcpu_view(a, v, &v->tot, &v->tt, out);
	else
		vcpu_view(a, v, &v->last, &v->lt, out);
	return 0;
}

void pv_acct_stats_add(struct pv_acct_stats *d, const struct pv_acct_stats *s)
{
	uint32_t i, j;

	counts_add(d, s);
	d->span_ns += s->span_ns;
	d->guest_ns += s->guest_ns;
	d->vmm_ns += s->vmm_ns;
	for (i = 0; i < PV_HALT_MODE_MAX; i++)
		d->halt_ns[i] += s->halt_ns[i];
	d->other_task_ns += s->other_task_ns;
	for (i = 0; i < s->ntasks && i < PV_ACCT_MAX_TASKS; i++) {
		const struct pv_acct_task *st = &s->tasks[i];
		struct pv_acct_task *dt = NULL;

		for (j = 0; j < d->ntasks; j++)
			if (d->tasks[j].id == st->id)
				dt = &d->tasks[j];
		if (!dt && d->ntasks < PV_ACCT_MAX_TASKS) {
			dt = &d->tasks[d->ntasks++];
			dt->id = st->id;
		}
		if (!dt) {
			d->other_task_ns += st->run_ns;
			continue;
		}
		dt->cls = st->cls;
		dt->run_ns += st->run_ns;
		dt->switches_in += st->switches_in;
		dt->activations += st->activations;
		dt->completions += st->completions;
		dt->misses += st->misses;
	}
}

void pv_acct_vm(const struct pv_acct *a, enum pv_acct_view view, struct pv_acct_stats *out)
{
	struct pv_acct_stats one;
	uint32_t i;

	pv_acct_stats_init(out);
	for (i = 0; i < a->nvcpus; i++) {
		pv_acct_vcpu(a, i, view, &one);
		pv_acct_stats_add(out, &one);
	}
	/* the VM's window is one window, not the sum of its vCPUs' */
	pv_acct_vcpu(a, 0, view, &one);
	out->span_ns = one.span_ns;
}

uint32_t pv_acct_nvcpus(const struct pv_acct *a)
{
	return a->nvcpus;
}

uint64_t pv_acct_window_end(const struct pv_acct *a)
{
	return a->win_end;
}

uint64_t pv_acct_halted_ns(const struct pv_acct_stats *st)
{
	return st->halt_ns[PV_HALT_EXIT] + st->halt_ns[PV_HALT_POLL] + st->halt_ns[PV_HALT_NATIVE];
}
