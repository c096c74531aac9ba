// SPDX-License-Identifier: GPL-2.0-only
/*
 * Summary. Lines are meant for people and for scripts alike (stable "key=value" words):
 *   pv-vmm: end reason=<r> status=<n> run_ms=<ms>
 *   pv-vmm: halt requested=<m> honoured=<m> halt_exits=<n>
 *   pv-vmm: startup cpu_ms=<ms> tsc_khz=<k> guest_tsc_offset=<o>
 *   pv-vmm: vcpu<i> exits=<n> pio=.. (per reason) guest_ms= vmm_ms= halt_ms= poll_ms= migrations=
 *   pv-vmm: vcpu<i> timer fires= overruns= late_p50_us= late_p99_us= late_max_us=
 *   pv-vmm: vcpu<i> budget runtime_us= period_us= throttles= throttled_ms= overrun_avg_us=
 *           overrun_max_us= late_p50_us= late_p99_us= late_max_us= wake_late_max_us= lead_us=
 *           fires= probes= idle_probes=
 *           (when a budget was ever armed; late_* = budget timer lateness)
 *   pv-vmm: vcpu<i> guest events= rejects= drops= rt_runnable=
 *   pv-vmm: vcpu<i> task <id> <class> act= done= miss= lat_p50_us= lat_p99_us= lat_max_us= progress=
 *   pv-vmm: dev <name> reads= writes= bytes= busy_us=
 *   pv-vmm: unhandled pio= mmio= trace_recs= ring_drops=
 */
#include <inttypes.h>

#include "tracer/event.h"
#include "vmm/exit.h"
#include "vmm/summary.h"
#include "vmm/vm.h"

#define LD(x) atomic_load(&(x))

int summary_exit_status(const struct vm *vm)
{
	switch (LD(vm->vmc->end_reason)) {
	case PV_END_POWEROFF:
		return LD(vm->vmc->end_status) == 0 ? 0 : 1;
	case PV_END_DURATION:
	case PV_END_SHUTDOWN:
	case PV_END_RESET:
		return 0;
	default:
		return 1;
	}
}

static void summary_budget(FILE *f, struct vcpu *v)
{
	struct budget *b = &v->budget;
	uint64_t runtime_ns, period_ns, n = LD(v->vc->throttles);

	budget_get(b, &runtime_ns, &period_ns);
	if (!runtime_ns && !n && !b->timer.fires)
		return;
	fprintf(f, "pv-vmm: vcpu%u budget runtime_us=%" PRIu64 " period_us=%" PRIu64
		" throttles=%" PRIu64 " throttled_ms=%.1f overrun_avg_us=%.1f overrun_max_us=%.1f"
		" late_p50_us=%.1f late_p99_us=%.1f late_max_us=%.1f wake_late_max_us=%.1f lead_us=%.1f"
		" fires=%" PRIu64 " probes=%" PRIu64 " idle_probes=%" PRIu64 "\n",
		v->idx, runtime_ns / 1000, period_ns / 1000, n, LD(v->vc->throttled_ns) / 1e6,
		n ? LD(b->overrun_sum_ns) / 1e3 / (double)n : 0.0, LD(b->overrun_max_ns) / 1e3,
		timer_lateness_pct(&b->timer, 50) / 1e3, timer_lateness_pct(&b->timer, 99) / 1e3,
		b->timer.late_max_ns / 1e3, LD(b->wake_late_max_ns) / 1e3, b->lead_ns / 1e3,
		b->timer.fires, b->probes, b->idle_probes);
}

static void summary_vcpu(FILE *f, struct vm *vm, uint32_t i)
{
	struct vcpu *v = &vm->vcpus[i];
	struct pv_vcpu_counters *c = v->vc;
	uint64_t total = 0;
	unsigned int r, t;

	for (r = 0; r < PV_EXIT_MAX; r++)
		total += LD(c->exits[r]);
	fprintf(f, "pv-vmm: vcpu%u exits=%" PRIu64, i, total);
	for (r = 0; r < PV_EXIT_MAX; r++)
		if (LD(c->exits[r]))
			fprintf(f, " %s=%" PRIu64, pv_exit_reason_name(r), (uint64_t)LD(c->exits[r]));
	fprintf(f, " guest_ms=%.1f vmm_ms=%.1f halt_ms=%.1f poll_ms=%.1f migrations=%" PRIu64
		" throttled_ms=%.1f\n", LD(c->guest_ns) / 1e6, LD(c->vmm_ns) / 1e6,
		LD(c->halt_ns) / 1e6, LD(c->halt_poll_ns) / 1e6, (uint64_t)LD(c->migrations),
		v->flood_throttled_ns / 1e6);
	if (v->timer.fires)
		fprintf(f, "pv-vmm: vcpu%u timer fires=%" PRIu64 " overruns=%" PRIu64
			" late_p50_us=%.1f late_p99_us=%.1f late_max_us=%.1f\n", i, v->timer.fires,
			v->timer.overruns, timer_lateness_pct(&v->timer, 50) / 1e3,
			timer_lateness_pct(&v->timer, 99) / 1e3, v->timer.late_max_ns / 1e3);
	summary_budget(f, v);
	fprintf(f, "pv-vmm: vcpu%u guest events=%" PRIu64 " rejects=%" PRIu64 " drops=%" PRIu64
		" rt_runnable=%" PRIu64 "\n", i, (uint64_t)LD(c->guest_events),
		(uint64_t)LD(c->guest_rejects), (uint64_t)LD(c->guest_drops),
		(uint64_t)LD(c->rt_runnable));
	for (t = 0; t < PV_GUEST_MAX_TASKS; t++) {
		const struct pv_task_stats *ts = &c->tasks[t];

		if (!ts->id)
			continue;
		fprintf(f, "pv-vmm: vcpu%u task %u %s act=%" PRIu64 " done=%" PRIu64 " miss=%" PRIu64
			" lat_p50_us=%u lat_p99_us=%u lat_max_us=%u progress=%" PRIu64 "\n", i, ts->id,
			pv_task_class_name(ts->cls), ts->activations, ts->completions, ts->misses,
			ts->lat_p50_us, ts->lat_p99_us, ts->lat_max_us, ts->progress);
	}
}

void summary_print(FILE *f, struct vm *vm, uint64_t run_ns, int64_t trace_recs)
{
	struct pv_vm_counters *m = vm->vmc;
	uint64_t halt_exits = 0, drops = 0;
	uint32_t i;

	for (i = 0; i < vm->nvcpus; i++) {
		struct halt_sample s;

		if (halt_stats_read(&vm->vcpus[i].hs_ctl, &s) == 0)
			halt_exits += s.exits;
		drops += vm->vcpus[i].ring.drops + vm->vcpus[i].gring.drops;
	}
	fprintf(f, "pv-vmm: end reason=%s status=%" PRIu64 " run_ms=%.1f\n",
		exit_end_reason_name((unsigned int)LD(m->end_reason)), (uint64_t)LD(m->end_status),
		run_ns / 1e6);
	fprintf(f, "pv-vmm: halt requested=%s honoured=%s halt_exits=%" PRIu64 "%s\n",
		pv_halt_mode_name((unsigned int)LD(m->halt_mode_requested)),
		pv_halt_mode_name((unsigned int)LD(m->halt_mode_honoured)), halt_exits,
		LD(m->halt_mode_requested) == PV_HALT_NATIVE &&
		LD(m->halt_mode_honoured) != PV_HALT_NATIVE ?
		" (DISABLE_EXITS(HLT) accepted but HLT still exits: not honoured, polling instead)" : "");
	fprintf(f, "pv-vmm: startup cpu_ms=%.2f tsc_khz=%" PRIu64 " guest_tsc_offset=%" PRId64 "\n",
		LD(vm->startup_cpu_ns) / 1e6, vm->tsc_khz, vm->vcpus[0].tsc_offset);
	for (i = 0; i < vm->nvcpus; i++)
		summary_vcpu(f, vm, i);
	for (i = 0; i < vm->ndevs; i++) {
		struct pv_dev_counters *d = vm->devs[i]->ctr;

		if (d)
			fprintf(f, "pv-vmm: dev %s reads=%" PRIu64 " writes=%" PRIu64 " bytes=%" PRIu64
				" busy_us=%.1f\n", vm->devs[i]->name, (uint64_t)LD(d->reads),
				(uint64_t)LD(d->writes), (uint64_t)LD(d->bytes), LD(d->busy_ns) / 1e3);
	}
	fprintf(f, "pv-vmm: unhandled pio=%" PRIu64 " mmio=%" PRIu64 " trace_recs=%" PRId64
		" ring_drops=%" PRIu64 "\n", (uint64_t)LD(m->unhandled_pio),
		(uint64_t)LD(m->unhandled_mmio), trace_recs, drops);
	fflush(f);
}
