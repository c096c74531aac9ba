// SPDX-License-Identifier: GPL-2.0-only
/*
 * GET /metrics: docs/METRICS.md from one snapshot, cached per snapshot (metrics_cache.c).
 *
 * Series choices: vm_state has one series per state (1 for the current one) so a state
 * change never leaves a stale series. Series labelled by a reason appear with the first
 * event of that reason (exit counters and latency histograms by exit reason, trace rejects
 * by reason), and RT lateness histograms only for VMs whose guests reported real-time
 * activations: with every reason of every VM a scrape of 16 VMs was 170 KB, mostly zeros (a
 * histogram is 28 series), and scrape size is what bounds /metrics throughput;
 * cpu_latency_budget_seconds is absent while a CPU has
 * no budget, as documented. Actuator failures have a series per kind from the start (nine
 * of them), so an alert's increase() sees the first failure of a kind. Power figures carry
 * source= the sensing source ("model" on hosts without RAPL/perf power).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/metrics.h"
#include "api/prom.h"
#include "daemon/dvm.h"
#include "powermgr/constraints.h"
#include "tracer/consume.h"

static const char *const cpu_states[4] = { "guest", "vmm", "halt", "idle" };
static const char *const vm_states[] = { "starting", "running", "paused", "stopped", "failed" };

#define L(n, v)	((struct prom_label){ (n), (v) })

/* ---- node ---------------------------------------------------------------------------- */

static void node_metrics(struct prom_buf *b, const struct dsnap *s)
{
	struct prom_label l[3];
	char cpu[16], mhz[16];
	unsigned int c, k;

	prom_family(b, "powervisor_build_info", "gauge", "The running daemon");
	l[0] = L("version", s->version);
	prom_sample(b, "powervisor_build_info", l, 1, 1);
	prom_family(b, "powervisor_governor_info", "gauge",
		    "Active power governor and platform backend");
	l[0] = L("governor", s->governor);
	l[1] = L("backend", s->backend);
	prom_sample(b, "powervisor_governor_info", l, 2, 1);

	l[0] = L("source", s->source);
	prom_family(b, "powervisor_node_power_watts", "gauge", "Node power over the last second");
	prom_sample(b, "powervisor_node_power_watts", l, 1, s->node_w);
	prom_family(b, "powervisor_node_energy_joules_total", "counter", "Node energy since start");
	prom_sample(b, "powervisor_node_energy_joules_total", l, 1, s->node_j);
	prom_family(b, "powervisor_idle_energy_joules_total", "counter",
		    "Energy attributed to idle CPUs");
	prom_sample(b, "powervisor_idle_energy_joules_total", l, 1, s->idle_j);
	prom_family(b, "powervisor_overhead_energy_joules_total", "counter",
		    "Energy attributed to VMM overhead");
	prom_sample(b, "powervisor_overhead_energy_joules_total", l, 1, s->overhead_j);

	prom_family(b, "powervisor_cpu_frequency_hertz", "gauge", "Current CPU frequency");
	for (c = 0; c < s->ncpus; c++) {
		snprintf(cpu, sizeof(cpu), "%u", c);
		l[0] = L("cpu", cpu);
		prom_sample(b, "powervisor_cpu_frequency_hertz", l, 1, s->cpus[c].cur_khz * 1e3);
	}
	prom_family(b, "powervisor_cpu_frequency_residency_seconds_total", "counter",
		    "Time spent at each frequency");
	for (c = 0; c < s->ncpus; c++) {
		snprintf(cpu, sizeof(cpu), "%u", c);
		l[0] = L("cpu", cpu);
		for (k = 0; k < s->npstates && k < PM_MAX_PSTATES; k++) {
			snprintf(mhz, sizeof(mhz), "%u", s->pstates_khz[k] / 1000);
			l[1] = L("freq_mhz", mhz);
			prom_sample(b, "powervisor_cpu_frequency_residency_seconds_total", l, 2,
				    (double)s->cpus[c].freq_ns[k] / 1e9);
		}
	}
	prom_family(b, "powervisor_cpu_time_seconds_total", "counter",
		    "Where each CPU's time went, from transitions");
	for (c = 0; c < s->ncpus; c++) {
		snprintf(cpu, sizeof(cpu), "%u", c);
		l[0] = L("cpu", cpu);
		for (k = 0; k < 4; k++) {
			l[1] = L("state", cpu_states[k]);
			prom_sample(b, "powervisor_cpu_time_seconds_total", l, 2,
				    (double)s->cpus[c].time_ns[k] / 1e9);
		}
	}
	prom_family(b, "powervisor_cpu_cstate_residency_seconds_total", "counter",
		    "Time in each idle state");
	for (c = 0; c < s->ncpus; c++) {
		snprintf(cpu, sizeof(cpu), "%u", c);
		l[0] = L("cpu", cpu);
		for (k = 0; k < s->ncstates && k < PM_MAX_CSTATES; k++) {
			l[1] = L("state", s->cstates[k].name);
			prom_sample(b, "powervisor_cpu_cstate_residency_seconds_total", l, 2,
				    (double)s->cpus[c].cstate_us[k] / 1e6);
		}
	}
	prom_family(b, "powervisor_cpu_cstate_limit", "gauge", "Deepest idle state index allowed");
	for (c = 0; c < s->ncpus; c++) {
		snprintf(cpu, sizeof(cpu), "%u", c);
		l[0] = L("cpu", cpu);
		prom_sample(b, "powervisor_cpu_cstate_limit", l, 1, s->cpus[c].cstate_limit);
	}
	prom_family(b, "powervisor_cpu_latency_budget_seconds", "gauge",
		    "Aggregated wake-latency constraint (absent when none)");
	for (c = 0; c < s->ncpus; c++) {
		if (s->cpus[c].latency_budget_us == PM_LATENCY_NONE)
			continue;
		snprintf(cpu, sizeof(cpu), "%u", c);
		l[0] = L("cpu", cpu);
		prom_sample(b, "powervisor_cpu_latency_budget_seconds", l, 1,
			    s->cpus[c].latency_budget_us / 1e6);
	}
	prom_family(b, "powervisor_cpu_frequency_floor_hertz", "gauge",
		    "Aggregated frequency floor (0 when none)");
	for (c = 0; c < s->ncpus; c++) {
		snprintf(cpu, sizeof(cpu), "%u", c);
		l[0] = L("cpu", cpu);
		prom_sample(b, "powervisor_cpu_frequency_floor_hertz", l, 1,
			    s->cpus[c].floor_khz * 1e3);
	}
}

/* ---- VMs: one family at a time, every VM inside (the format wants families contiguous) */

static void vm_info_metrics(struct prom_buf *b, const struct dsnap *s)
{
	struct prom_label l[3];
	uint32_t i, k;

	prom_family(b, "powervisor_vm_info", "gauge", "VM definition");
	for (i = 0; i < s->nvms; i++) {
		const struct dsnap_vm *vm = &s->vms[i];

		l[0] = L("vm", vm->cfg.name);
		l[1] = L("qos_class", pv_qos_class_name(vm->cfg.qos));
		l[2] = L("halt_mode", pv_halt_mode_name(vm->cfg.halt_mode));
		prom_sample(b, "powervisor_vm_info", l, 3, 1);
	}
	prom_family(b, "powervisor_vm_state", "gauge", "VM state, one series per state");
	for (i = 0; i < s->nvms; i++) {
		const char *cur = handlers_vm_state_name(s->vms[i].state);

		l[0] = L("vm", s->vms[i].cfg.name);
		for (k = 0; k < sizeof(vm_states) / sizeof(vm_states[0]); k++) {
			l[1] = L("state", vm_states[k]);
			prom_sample(b, "powervisor_vm_state", l, 2, !strcmp(cur, vm_states[k]));
		}
	}
	prom_family(b, "powervisor_vm_restarts_total", "counter", "VMM restarts by the supervisor");
	for (i = 0; i < s->nvms; i++) {
		l[0] = L("vm", s->vms[i].cfg.name);
		prom_sample(b, "powervisor_vm_restarts_total", l, 1, s->vms[i].restarts);
	}
	l[1] = L("source", s->source);
	prom_family(b, "powervisor_vm_energy_joules_total", "counter", "Energy attributed to the VM");
	for (i = 0; i < s->nvms; i++) {
		l[0] = L("vm", s->vms[i].cfg.name);
		prom_sample(b, "powervisor_vm_energy_joules_total", l, 2, s->vms[i].energy_j);
	}
	prom_family(b, "powervisor_vm_power_watts", "gauge", "VM power over the last second");
	for (i = 0; i < s->nvms; i++) {
		l[0] = L("vm", s->vms[i].cfg.name);
		prom_sample(b, "powervisor_vm_power_watts", l, 2, s->vms[i].power_w);
	}
}

static void vcpu_metrics(struct prom_buf *b, const struct dsnap *s)
{
	static const char *const states[3] = { "guest", "vmm", "halt" };
	struct prom_label l[3];
	char vc[16];
	uint32_t i, v, k;

	prom_family(b, "powervisor_vcpu_time_seconds_total", "counter", "vCPU residency");
	for (i = 0; i < s->nvms; i++) {
		l[0] = L("vm", s->vms[i].cfg.name);
		for (v = 0; v < s->vms[i].nvcpus && v < MAX_VCPUS; v++) {
			const struct dsnap_vcpu *c = &s->vms[i].vcpus[v];
			const uint64_t ns[3] = { c->guest_ns, c->vmm_ns, c->halt_ns };

			snprintf(vc, sizeof(vc), "%u", v);
			l[1] = L("vcpu", vc);
			for (k = 0; k < 3; k++) {
				l[2] = L("state", states[k]);
				prom_sample(b, "powervisor_vcpu_time_seconds_total", l, 3,
					    (double)ns[k] / 1e9);
			}
		}
	}
	prom_family(b, "powervisor_vcpu_migrations_total", "counter",
		    "Moves between physical CPUs");
	for (i = 0; i < s->nvms; i++) {
		l[0] = L("vm", s->vms[i].cfg.name);
		for (v = 0; v < s->vms[i].nvcpus && v < MAX_VCPUS; v++) {
			snprintf(vc, sizeof(vc), "%u", v);
			l[1] = L("vcpu", vc);
			prom_sample(b, "powervisor_vcpu_migrations_total", l, 2,
				    (double)s->vms[i].vcpus[v].migrations);
		}
	}
}

static void exit_metrics(struct prom_buf *b, const struct dsnap *s)
{
	struct prom_label l[2];
	uint32_t i, r;

	prom_family(b, "powervisor_vm_exits_total", "counter", "VM exits by reason");
	for (i = 0; i < s->nvms; i++) {
		l[0] = L("vm", s->vms[i].cfg.name);
		for (r = 0; r < PV_EXIT_MAX; r++) {
			if (!s->vms[i].total.exits[r])
				continue;
			l[1] = L("reason", pv_exit_reason_name(r));
			prom_sample(b, "powervisor_vm_exits_total", l, 2,
				    (double)s->vms[i].total.exits[r]);
		}
	}
	prom_family(b, "powervisor_vm_exit_latency_seconds", "histogram",
		    "Exit handling time (exit to entry)");
	for (i = 0; i < s->nvms; i++) {
		l[0] = L("vm", s->vms[i].cfg.name);
		for (r = 0; r < PV_EXIT_MAX; r++) {
			if (!s->vms[i].total.exit_lat[r].count)
				continue;
			l[1] = L("reason", pv_exit_reason_name(r));
			prom_histogram(b, "powervisor_vm_exit_latency_seconds", l, 2,
				       &s->vms[i].total.exit_lat[r], 1e-9);
		}
	}
}

static void rt_qos_metrics(struct prom_buf *b, const struct dsnap *s)
{
	struct prom_label l[2];
	char vc[16];
	uint32_t i, v;

	prom_family(b, "powervisor_rt_activations_total", "counter",
		    "Real-time task activations reported by guests");
	for (i = 0; i < s->nvms; i++) {
		l[0] = L("vm", s->vms[i].cfg.name);
		prom_sample(b, "powervisor_rt_activations_total", l, 1,
			    (double)s->vms[i].total.rt_activations);
	}
	prom_family(b, "powervisor_rt_deadline_misses_total", "counter", "Real-time deadline misses");
	for (i = 0; i < s->nvms; i++) {
		l[0] = L("vm", s->vms[i].cfg.name);
		prom_sample(b, "powervisor_rt_deadline_misses_total", l, 1,
			    (double)s->vms[i].total.rt_misses);
	}
	prom_family(b, "powervisor_rt_lateness_seconds", "histogram",
		    "Release lateness of real-time activations");
	for (i = 0; i < s->nvms; i++) {
		if (!s->vms[i].total.rt_release_lat.count)
			continue;	/* no real-time activity: no histogram of zeros */
		l[0] = L("vm", s->vms[i].cfg.name);
		prom_histogram(b, "powervisor_rt_lateness_seconds", l, 1,
			       &s->vms[i].total.rt_release_lat, 1e-9);
	}
	prom_family(b, "powervisor_qos_boosted", "gauge", "vCPU currently holds its reservation");
	for (i = 0; i < s->nvms; i++) {
		l[0] = L("vm", s->vms[i].cfg.name);
		for (v = 0; v < s->vms[i].nvcpus && v < MAX_VCPUS; v++) {
			snprintf(vc, sizeof(vc), "%u", v);
			l[1] = L("vcpu", vc);
			prom_sample(b, "powervisor_qos_boosted", l, 2, s->vms[i].vcpus[v].boosted);
		}
	}
	prom_family(b, "powervisor_qos_reservation_admitted", "gauge",
		    "The VM's reservation passed admission control");
	for (i = 0; i < s->nvms; i++) {
		l[0] = L("vm", s->vms[i].cfg.name);
		prom_sample(b, "powervisor_qos_reservation_admitted", l, 1,
			    s->vms[i].qos.resv.set && s->vms[i].qos.admitted);
	}
	prom_family(b, "powervisor_qos_throttled_total", "counter",
		    "Budget exhaustions enforced by the VMM timer");
	for (i = 0; i < s->nvms; i++) {
		l[0] = L("vm", s->vms[i].cfg.name);
		prom_sample(b, "powervisor_qos_throttled_total", l, 1, (double)s->vms[i].qos.throttles);
	}
	prom_family(b, "powervisor_qos_apply_latency_seconds", "histogram",
		    "QoS change request to applied");
	prom_histogram(b, "powervisor_qos_apply_latency_seconds", NULL, 0, &s->qos_apply_hist, 1e-9);
}

static void misc_metrics(struct prom_buf *b, const struct dsnap *s)
{
	struct prom_label l[2];
	uint64_t sum;
	uint32_t i, r;

	prom_family(b, "powervisor_device_power_state", "gauge", "0 = on, higher = lower power");
	for (i = 0; i < s->ndevs && i < DSNAP_MAX_DEVS; i++) {
		l[0] = L("device", s->devs[i].name);
		prom_sample(b, "powervisor_device_power_state", l, 1, s->devs[i].state);
	}
	prom_family(b, "powervisor_actuator_failures_total", "counter",
		    "Failed writes (and read-backs) of cpufreq/cpuidle/energy/devices/sched/VMMs");
	for (r = 0, sum = 0; r < DPOWER_ACT_MAX; r++) {	/* every kind, 0 included */
		l[0] = L("actuator", dpower_act_name(r));
		prom_sample(b, "powervisor_actuator_failures_total", l, 1,
			    (double)s->actuator_failures_by[r]);
		sum += s->actuator_failures_by[r];
	}
	l[0] = L("actuator", dpower_act_name(DPOWER_ACT_MAX));	/* counted, but not by kind */
	prom_sample(b, "powervisor_actuator_failures_total", l, 1,
		    (double)(s->actuator_failures > sum ? s->actuator_failures - sum : 0));
	prom_family(b, "powervisor_trace_records_total", "counter", "Transition records consumed");
	for (i = 0; i < s->nvms; i++) {
		l[0] = L("vm", s->vms[i].cfg.name);
		prom_sample(b, "powervisor_trace_records_total", l, 1, (double)s->vms[i].records);
	}
	prom_family(b, "powervisor_trace_rejects_total", "counter", "Records rejected by validation");
	for (i = 0; i < s->nvms; i++) {
		const struct dsnap_vm *vm = &s->vms[i];

		l[0] = L("vm", vm->cfg.name);
		for (r = PV_REJ_OK + 1; r < PV_REJ_MAX; r++) {
			if (!vm->rejects_by_reason[r])
				continue;
			l[1] = L("reason", pv_consume_reject_name(r));
			prom_sample(b, "powervisor_trace_rejects_total", l, 2,
				    (double)vm->rejects_by_reason[r]);
		}
	}
	prom_family(b, "powervisor_trace_drops_total", "counter",
		    "Records dropped by producers (ring full)");
	for (i = 0; i < s->nvms; i++) {
		l[0] = L("vm", s->vms[i].cfg.name);
		prom_sample(b, "powervisor_trace_drops_total", l, 1, (double)s->vms[i].drops);
	}
	prom_family(b, "powervisor_policy_tick_duration_seconds", "histogram",
		    "Time the policy loop spends per tick");
	prom_histogram(b, "powervisor_policy_tick_duration_seconds", NULL, 0, &s->tick_hist, 1e-9);
}

int metrics_build(const struct dsnap *s, char **text, size_t *len)
{
	struct prom_buf b;
	int err;

	prom_init(&b);
	node_metrics(&b, s);
	vm_info_metrics(&b, s);
	vcpu_metrics(&b, s);
	exit_metrics(&b, s);
	rt_qos_metrics(&b, s);
	misc_metrics(&b, s);
	err = prom_error(&b);
	if (err) {
		prom_free(&b);
		return err;
	}
	*text = prom_take(&b, len);
	return *text ? 0 : -ENOMEM;
}

int metrics_get(struct metrics_cache *mc, const struct dsnap *s, char **text, size_t *len)
{
	return metrics_cache_get(mc, s, metrics_build, text, len);
}

int metrics_handle(void *vctx, const struct api_req *req, struct api_resp *resp)
{
	struct api_ctx *ctx = vctx;
	struct snap *ref;
	const struct dsnap *s = handlers_snap(ctx, &ref, resp);
	int err;

	if (!s)
		return 0;
	err = metrics_cache_respond(&ctx->metrics, s, metrics_build, METRICS_CONTENT_TYPE,
				    req->accept_gzip, resp);
	snapshot_put(ref);
	return err;
}
