// SPDX-License-Identifier: GPL-2.0-only
/*
 * Accounting: the guest ring machine of a vCPU — task residency from TASK_SWITCH (in a
 * table of PV_ACCT_MAX_TASKS ids per vCPU), guest-reported idle, and real-time
 * activations, completions and misses with their histograms. The conventions are in
 * account.c's design note.
 */
#include "tracer/account_priv.h"

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

void acct_charge_task(struct acct_vcpu *v, uint64_t t)
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

void acct_on_task_switch(struct acct_vcpu *v, const struct pv_rec *r)
{
	uint32_t next = (uint32_t)r->c;
	int slot;

	if (v->task_known && r->b != v->cur_task)
		v->win.seq_errors++;
	acct_charge_task(v, r->tsc);
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

void acct_on_rt(struct acct_vcpu *v, const struct pv_rec *r)
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

void acct_on_guest_idle(struct acct_vcpu *v, const struct pv_rec *r)
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
