/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvguest end-of-run summary. One line per task, one per vCPU, then "done". The format is
 * a stable interface (VMM tests parse it): `pvguest: <what> key=value …`, times in
 * microseconds unless the key says otherwise, lateness as `lat_us min=… p50=… p99=… max=…`.
 *
 *   pvguest: first-task tsc=<guest TSC of the first dispatch>
 *   pvguest: task <id> rt vcpu=<v> period_us= wcet_us= deadline_us= activations= completions=
 *            misses= lat_us min= p50= p99= max= resp_us avg= max=
 *   pvguest: task <id> <cpu|burst|idle|…> vcpu=<v> progress= cpu_ms=
 *   pvguest: pio-loop n= done= cycles_per_iter= ns_per_iter=
 *   pvguest: hlt-wake n= period_us= wakeups= lat_us min= p50= p99= max=
 *   pvguest: vcpu <v> switches= preemptions= yields= restarts= idle_pct= idle_polls= pv_events=
 *            pv_dropped=
 *   pvguest: done status=0
 */
#include "report.h"
#include "console.h"
#include "guest.h"
#include "sched.h"
#include "timer.h"

static uint32_t report_min(const struct lat_stats *s)
{
	return s->count ? s->min_us : 0;
}

static void report_task(const struct task *t)
{
	const struct spec_item *sp = &t->spec;
	uint64_t cpu_ms = tsc_to_us(t->exec_tsc) / 1000;

	switch (sp->kind) {
	case WL_RT:
		cprintf("pvguest: task %u rt vcpu=%u period_us=%lu wcet_us=%lu deadline_us=%lu "
			"activations=%lu completions=%lu misses=%lu lat_us min=%u p50=%u p99=%u "
			"max=%u resp_us avg=%lu max=%lu\n",
			t->id, t->cpu, sp->period_us, sp->wcet_us, sp->deadline_us,
			t->activations, t->completions, t->misses, report_min(&t->lat),
			t->lat_p50_us, t->lat_p99_us, t->lat.max_us,
			t->completions ? tsc_to_us(t->resp_sum_tsc / t->completions) : 0,
			tsc_to_us(t->resp_max_tsc));
		return;
	case WL_PIO_LOOP: {
		uint64_t per = t->result_tsc && sp->n ? t->result_tsc / sp->n : 0;

		cprintf("pvguest: task %u pio-loop vcpu=%u progress=%lu cpu_ms=%lu\n", t->id,
			t->cpu, t->progress, cpu_ms);
		cprintf("pvguest: pio-loop n=%lu done=%lu cycles_per_iter=%lu ns_per_iter=%lu\n",
			sp->n, t->progress, per, tsc_to_ns(per));
		return;
	}
	case WL_HLT_WAKE:
		cprintf("pvguest: task %u hlt-wake vcpu=%u progress=%lu cpu_ms=%lu\n", t->id,
			t->cpu, t->progress, cpu_ms);
		cprintf("pvguest: hlt-wake n=%lu period_us=%lu wakeups=%lu lat_us min=%u p50=%u "
			"p99=%u max=%u\n", sp->n, sp->period_us, t->lat.count,
			report_min(&t->lat), t->lat_p50_us, t->lat_p99_us, t->lat.max_us);
		return;
	case WL_BURST:
		cprintf("pvguest: task %u burst vcpu=%u on_ms=%lu off_ms=%lu progress=%lu "
			"cpu_ms=%lu\n", t->id, t->cpu, sp->on_ms, sp->off_ms, t->progress, cpu_ms);
		return;
	default:
		cprintf("pvguest: task %u %s vcpu=%u progress=%lu cpu_ms=%lu\n", t->id,
			spec_kind_name(sp->kind), t->cpu, t->progress, cpu_ms);
		return;
	}
}

void report_final(void)
{
	uint64_t now = rdtsc();
	uint64_t run_tsc = now > guest.start_tsc ? now - guest.start_tsc : 1;

	cprintf("pvguest: first-task tsc=%lu\n", guest.first_task_tsc);

	/* Tasks in id order: ids were handed out in spec order, round-robin over vCPUs. */
	for (uint32_t id = 1; id <= MAX_TASKS; id++)
		for (uint32_t v = 0; v < guest.ncpus; v++) {
			struct sched_cpu *c = sched_cpu(v);

			for (uint32_t i = 0; i < c->ntasks; i++)
				if (c->tasks[i]->id == id)
					report_task(c->tasks[i]);
		}
	for (uint32_t v = 0; v < guest.ncpus; v++) {
		const struct sched_cpu *c = sched_cpu(v);

		cprintf("pvguest: vcpu %u switches=%lu preemptions=%lu yields=%lu restarts=%lu "
			"idle_pct=%lu idle_polls=%lu pv_events=%lu pv_dropped=%u\n", v, c->switches,
			c->preemptions, c->yields, c->restarts, c->idle_tsc * 100 / run_tsc,
			c->idle_polls, c->pv.emitted, c->pv.dropped);
	}
	cprintf("pvguest: done status=%d\n", GUEST_OK);
}
