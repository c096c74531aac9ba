// SPDX-License-Identifier: GPL-2.0-only
/*
 * Accounting: windows and figures. Closing a window charges every in-progress interval up
 * to the close and adds the window to the cumulative figures; reading converts a vCPU's
 * ticks to ns and fills in its task table, and a VM's figures are its vCPUs' summed.
 */
#include <errno.h>
#include <string.h>

#include "tracer/account_priv.h"

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

		acct_charge(v, tsc);
		acct_charge_task(v, tsc);
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

uint64_t pv_acct_window_end(const struct pv_acct *a)
{
	return a->win_end;
}

uint64_t pv_acct_halted_ns(const struct pv_acct_stats *st)
{
	return st->halt_ns[PV_HALT_EXIT] + st->halt_ns[PV_HALT_POLL] + st->halt_ns[PV_HALT_NATIVE];
}
