// SPDX-License-Identifier: GPL-2.0-only
/* Text summaries of accounting and consumer figures. */
#include <inttypes.h>

#include "tracer/report.h"

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static double us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

static void hist_line(FILE *f, unsigned int ind, const char *name, const struct pv_hist *h)
{
	if (!h->count)
		return;
	fprintf(f, "%*s%-16s n=%-9" PRIu64 " min %9.1f  p50 %9.1f  p99 %9.1f  max %9.1f  mean %9.1f us\n",
		ind, "", name, h->count, us(h->min_ns), us(pv_hist_quantile_ns(h, 0.5)),
		us(pv_hist_quantile_ns(h, 0.99)), us(h->max_ns), us(pv_hist_mean_ns(h)));
}

void pv_report_stats(FILE *f, const struct pv_acct_stats *st, unsigned int ind)
{
	uint64_t span = st->span_ns;
	unsigned int i;

	fprintf(f, "%*sspan %.3f ms: guest %.1f%%  vmm %.1f%%  halted %.1f%% (exit %.1f%%, poll %.1f%%, native %.1f%%)  guest-reported idle %.1f%%\n",
		ind, "", (double)span / 1e6, pct(st->guest_ns, span), pct(st->vmm_ns, span),
		pct(pv_acct_halted_ns(st), span), pct(st->halt_ns[PV_HALT_EXIT], span),
		pct(st->halt_ns[PV_HALT_POLL], span), pct(st->halt_ns[PV_HALT_NATIVE], span),
		pct(st->halt_ns[PV_HALT_GUEST], span));
	fprintf(f, "%*shalts: exit %" PRIu64 ", poll %" PRIu64 ", native %" PRIu64 ", guest %" PRIu64
		"; migrations %" PRIu64 "; timer fires %" PRIu64 " (overruns %" PRIu64 "); irqs direct %"
		PRIu64 " trapped %" PRIu64 "; dev ops r %" PRIu64 " w %" PRIu64 "\n",
		ind, "", st->halts[PV_HALT_EXIT], st->halts[PV_HALT_POLL], st->halts[PV_HALT_NATIVE],
		st->halts[PV_HALT_GUEST], st->migrations, st->timer_fires, st->timer_overruns,
		st->irqs[PV_IRQ_DIRECT], st->irqs[PV_IRQ_TRAPPED], st->dev_ops[PV_DEV_OP_READ],
		st->dev_ops[PV_DEV_OP_WRITE]);
	fprintf(f, "%*sexit handling latency (EXIT -> ENTRY):\n", ind, "");
	for (i = 0; i < PV_EXIT_MAX; i++)
		hist_line(f, ind + 2, pv_exit_reason_name(i), &st->exit_lat[i]);
	for (i = 0; i < PV_EXIT_MAX; i++)
		if (st->exits[i] && !st->exit_lat[i].count)
			fprintf(f, "%*s%-16s n=%-9" PRIu64 " (no entry followed)\n", ind + 2, "",
				pv_exit_reason_name(i), st->exits[i]);
	fprintf(f, "%*sreal time: %" PRIu64 " activations, %" PRIu64 " completions, %" PRIu64 " misses\n",
		ind, "", st->rt_activations, st->rt_completions, st->rt_misses);
	hist_line(f, ind + 2, "release lateness", &st->rt_release_lat);
	hist_line(f, ind + 2, "response time", &st->rt_response);
	hist_line(f, ind + 2, "miss lateness", &st->rt_miss_lat);
	if (st->ntasks) {
		fprintf(f, "%*sguest tasks:\n", ind, "");
		for (i = 0; i < st->ntasks; i++) {
			const struct pv_acct_task *t = &st->tasks[i];

			fprintf(f, "%*stask %-5u %-4s %10.3f ms (%5.1f%%)  in %-8" PRIu64
				" act %-7" PRIu64 " done %-7" PRIu64 " miss %" PRIu64 "\n",
				ind + 2, "", t->id, pv_task_class_name(t->cls), (double)t->run_ns / 1e6,
				pct(t->run_ns, span), t->switches_in, t->activations, t->completions,
				t->misses);
		}
		if (st->tasks_overflow)
			fprintf(f, "%*sother tasks: %.3f ms, %" PRIu64 " switches (table full)\n",
				ind + 2, "", (double)st->other_task_ns / 1e6, st->tasks_overflow);
	}
	if (st->seq_errors || st->ignored)
		fprintf(f, "%*sout-of-sequence records %" PRIu64 ", ignored %" PRIu64 "\n", ind, "",
			st->seq_errors, st->ignored);
}

void pv_report_acct(FILE *f, const struct pv_acct *a, const char *vm_name)
{
	struct pv_acct_stats st;
	uint32_t i;

	pv_acct_vm(a, PV_ACCT_TOTAL, &st);
	fprintf(f, "VM %s, %u vCPUs (percentages of vCPU time: the VM line sums its vCPUs)\n",
		vm_name && *vm_name ? vm_name : "?", pv_acct_nvcpus(a));
	st.span_ns *= pv_acct_nvcpus(a);
	pv_report_stats(f, &st, 2);
	for (i = 0; i < pv_acct_nvcpus(a); i++) {
		pv_acct_vcpu(a, i, PV_ACCT_TOTAL, &st);
		fprintf(f, "  vCPU %u\n", i);
		pv_report_stats(f, &st, 4);
	}
}

void pv_report_consume(FILE *f, const char *what, const struct pv_consume_stats *st)
{
	unsigned int i;

	fprintf(f, "%s: consumed %" PRIu64 ", rejected %" PRIu64, what, st->consumed, st->rejected);
	for (i = 1; i < PV_REJ_MAX; i++)
		if (st->rejects[i])
			fprintf(f, " %s=%" PRIu64, pv_consume_reject_name(i), st->rejects[i]);
	fprintf(f, ", overruns %" PRIu64 " (skipped %" PRIu64 "), producer drops %" PRIu64 "\n",
		st->overruns, st->skipped, st->drops);
}
