// SPDX-License-Identifier: GPL-2.0-only
/*
 * Building the published snapshot from loop-owned state. Counters read from a VMM's
 * shared memory are untrusted: they are copied as numbers and never used as sizes or
 * indexes here; the values that index anything (pCPU, run state) are range-checked.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "daemon/dsnap.h"

static void dsnap_destroy(struct snap *s)
{
	free(s);
}

const struct dsnap_vm *dsnap_vm(const struct dsnap *s, const char *name)
{
	uint32_t i;

	for (i = 0; i < s->nvms; i++)
		if (!strcmp(s->vms[i].cfg.name, name))
			return &s->vms[i];
	return NULL;
}

static void fill_vcpus(struct dsnap_vm *o, const struct dvm *vm)
{
	uint32_t v;

	o->nvcpus = vm->cfg.vcpus;
	for (v = 0; v < vm->cfg.vcpus; v++) {
		const struct dvm_vcpu *vc = &vm->vcpu[v];
		struct dsnap_vcpu *ov = &o->vcpus[v];
		struct dvm_vcpu_ctr t;

		dvm_vcpu_total(vm, v, &t);
		ov->vcpu = v;
		ov->tid = vc->tid;
		ov->pcpu = vc->pcpu;
		ov->boosted = vc->resv_applied;
		ov->run_state = vc->run_state;
		ov->rt_runnable = vc->rt_runnable;
		ov->guest_ns = t.guest_ns;
		ov->vmm_ns = t.vmm_ns;
		ov->halt_ns = t.halt_ns;
		ov->migrations = t.migrations;
		ov->exits = t.exits;
		ov->boost_changes = vc->boost_changes;
		ov->boosted_ns = vc->boosted_ns;
		memcpy(ov->tasks, vc->tasks, sizeof(ov->tasks));
		ov->pmu_mask = vc->pmu_mask;
		memcpy(ov->pmu, vc->pmu_val, sizeof(ov->pmu));
	}
}

static void fill_vm(struct daemon *d, struct dsnap_vm *o, const struct dvm *vm, uint64_t now)
{
	o->cfg = vm->cfg;
	o->slot = vm->slot;
	o->dynamic = vm->dynamic;
	o->state = (int)vm->state;
	o->pid = vm->pid;
	o->restarts = vm->restarts;
	memcpy(o->end_reason, vm->end_reason, sizeof(o->end_reason));
	snprintf(o->halt_requested, sizeof(o->halt_requested), "%s",
		 pv_halt_mode_name(vm->cfg.halt_mode));
	o->energy_j = d->power.vm_j[vm->slot];
	o->power_w = vm->power_w_1s;
	o->cpu_pct = vm->cpu_pct_1s;
	o->uptime_ms = dvm_is_live(vm) ? (now - vm->start_ns) / 1000000 : 0;
	o->records = vm->records;
	o->rejects = vm->rejects;
	memcpy(o->rejects_by_reason, vm->rejects_by_reason, sizeof(o->rejects_by_reason));
	o->drops = vm->drops;
	o->qos.cls = (int)vm->cfg.qos;
	o->qos.latency_budget_us = vm->cfg.latency_budget_us;
	o->qos.resv = vm->cfg.reservation;
	snprintf(o->qos.backend, sizeof(o->qos.backend), "%s", vm->qos.resv ? vm->qos.resv->name :
		 d->resv ? d->resv->name : "none");
	o->qos.admitted = vm->qos.admitted;
	snprintf(o->qos.reason, sizeof(o->qos.reason), "%s", vm->qos.reason);
	o->qos.apply_latency_us = (double)vm->qos.apply_latency_ns / 1e3;
	o->qos.throttles = vm->qos.throttles;
	for (unsigned int v = 0; v < vm->cfg.vcpus; v++)
		if (vm->qos.cpu[v] >= 0 && vm->qos.cpu[v] < 32)
			o->qos.cpus_mask |= 1u << vm->qos.cpu[v];
	fill_vcpus(o, vm);
	dvm_acct_total(vm, &o->total);
	pv_acct_stats_init(&o->window);
	if (vm->attached) {
		uint64_t honoured = atomic_load_explicit(&pv_shm_vm(&vm->shm)->halt_mode_honoured,
							 memory_order_relaxed);

		snprintf(o->halt_honoured, sizeof(o->halt_honoured), "%s",
			 honoured < PV_HALT_MODE_MAX ? pv_halt_mode_name((unsigned int)honoured) : "?");
		pv_acct_vm(vm->acct, PV_ACCT_WINDOW, &o->window);
		o->window_ns = o->window.span_ns;
	}
}

static void fill_node(struct daemon *d, struct dsnap *s, uint64_t now)
{
	const struct dpower *p = &d->power;
	const struct pm_gov *g = p->gov.cur;
	unsigned int c, i;

	gethostname(s->hostname, sizeof(s->hostname) - 1);
	snprintf(s->version, sizeof(s->version), "%s", DAEMON_VERSION);
	s->uptime_s = (double)(now - d->start_ns) / 1e9;
	s->tick_ms = d->cfg.node.tick_ms;
	s->ready = d->power_ok && d->ticks > 0;
	if (!s->ready)
		snprintf(s->not_ready, sizeof(s->not_ready), "%s",
			 d->power_ok ? "policy loop has not ticked yet" : "power backend unavailable");
	snprintf(s->backend, sizeof(s->backend), "%s", dpower_backend_name(p));
	snprintf(s->source, sizeof(s->source), "%s", dpower_source(p));
	snprintf(s->governor, sizeof(s->governor), "%s", pm_gov_mgr_name(&p->gov));
	s->governors = pm_governor_names();
	for (i = 0; g && i < g->ops->nr_tunables && i < DSNAP_MAX_TUNABLES; i++) {
		const struct pm_tunable_desc *desc;
		int64_t v;

		if (pm_gov_tunable_at(g, i, &desc, &v))
			break;
		snprintf(s->tunables[i].name, sizeof(s->tunables[i].name), "%s", desc->name);
		s->tunables[i].value = v;
		s->tunables[i].min = desc->min;
		s->tunables[i].max = desc->max;
		s->tunables[i].def = desc->def;
		s->ntunables = i + 1;
	}
	s->npstates = p->plat.nr_pstates;
	memcpy(s->pstates_khz, p->plat.pstates_khz, sizeof(s->pstates_khz));
	s->ncstates = p->plat.nr_cstates;
	memcpy(s->cstates, p->plat.cstates, sizeof(s->cstates));
	s->ncpus = p->ncpus < DSNAP_MAX_CPUS ? p->ncpus : DSNAP_MAX_CPUS;
	for (c = 0; c < s->ncpus; c++) {
		const struct dpower_cpu_stats *st = &p->stats[c];
		struct dsnap_cpu *o = &s->cpus[c];

		o->cpu = c;
		o->cur_khz = st->cur_khz;
		o->cstate_limit = st->cstate_limit;
		o->util_pct = st->util_pct;
		memcpy(o->share_pct, st->share_pct, sizeof(o->share_pct));
		memcpy(o->time_ns, st->time_ns, sizeof(o->time_ns));
		memcpy(o->freq_ns, st->freq_ns, sizeof(o->freq_ns));
		memcpy(o->cstate_us, st->cstate_us, sizeof(o->cstate_us));
		o->latency_budget_us = d->pmcons.cpu[c].latency_us;
		o->floor_khz = d->pmcons.cpu[c].floor_khz;
		o->pstate_changes = st->pstate_changes;
	}
	s->node_w = d->node_w_1s;
	s->node_j = p->node_j;
	s->idle_j = p->idle_j;
	s->overhead_j = p->overhead_j;
	/* not p->be->errors: a backend failure is also a failed call counted by the pipeline */
	s->actuator_failures = p->actuator_failures;
	memcpy(s->actuator_failures_by, p->act_failures, sizeof(s->actuator_failures_by));
	s->ticks = d->ticks;
	s->tick_hist = d->tick_hist;
	s->qos_apply_hist = d->qos_apply_hist;
	snprintf(s->resv_backend, sizeof(s->resv_backend), "%s", d->resv ? d->resv->name : "none");
	s->ndevs = d->devpower.ndevs < DSNAP_MAX_DEVS ? d->devpower.ndevs : DSNAP_MAX_DEVS;
	for (i = 0; i < s->ndevs; i++) {
		const struct pm_dev *dv = &d->devpower.dev[i];

		snprintf(s->devs[i].name, sizeof(s->devs[i].name), "%s", dv->cfg.name);
		s->devs[i].state = (int)dv->state;
		s->devs[i].idle_threshold_ms = dv->cfg.idle_ms;
		s->devs[i].idle_ms = now > dv->last_use_ns ? (double)(now - dv->last_use_ns) / 1e6 : 0;
		s->devs[i].latency_deps = (uint32_t)__builtin_popcount(dv->latency_deps);
		s->devs[i].transitions = dv->transitions;
		for (unsigned int v = 0; v < CFG_MAX_VMS && v < PM_DEV_MAX_VMS; v++) {
			s->devs[i].busy_ns[v] = dv->vm_busy_ns[v];
			s->devs[i].ops[v] = dv->vm_ops[v];
		}
	}
}

int dsnap_publish(struct daemon *d)
{
	uint64_t now = daemon_now_ns();
	unsigned int i, n = 0;
	struct dsnap *s;

	for (i = 0; i < CFG_MAX_VMS; i++)
		n += d->vms[i] != NULL;
	s = calloc(1, offsetof(struct dsnap, vms) + n * sizeof(struct dsnap_vm));
	if (!s)
		return -ENOMEM;
	s->base.refs = 1;
	s->base.time_ns = now;
	s->base.destroy = dsnap_destroy;
	fill_node(d, s, now);
	for (i = 0; i < CFG_MAX_VMS; i++)
		if (d->vms[i])
			fill_vm(d, &s->vms[s->nvms++], d->vms[i], now);
	snapshot_publish(&d->pub, &s->base);
	return 0;
}
