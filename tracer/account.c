// SPDX-License-Identifier: GPL-2.0-only
/*
 * Accounting of a VM's transitions: the accounting object, and every record fed to the
 * machine of its ring — transitions (account_transitions.c) or guest (account_guest.c).
 * Windows and the figures read from them are in account_window.c.
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

#include "tracer/account_priv.h"

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

uint32_t pv_acct_nvcpus(const struct pv_acct *a)
{
	return a->nvcpus;
}

/* ---------------------------------------------------------------- feeding records */

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
			acct_on_task_switch(v, r);
		else if (r->type == PV_EV_HALT_BEGIN || r->type == PV_EV_HALT_END)
			acct_on_guest_idle(v, r);
		else
			acct_on_rt(v, r);
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
		acct_on_vm_exit(v, r);
		break;
	case PV_EV_VM_ENTRY:
		acct_on_vm_entry(a, v, r);
		break;
	case PV_EV_HALT_BEGIN:
		acct_on_halt_begin(v, r);
		break;
	case PV_EV_HALT_END:
		acct_on_halt_end(v, r);
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
