// SPDX-License-Identifier: GPL-2.0-only
/* Hand-built snapshots for API and metrics tests (see fake_dsnap.h). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/dvm.h"
#include "powermgr/constraints.h"
#include "powermgr/governor.h"
#include "tests/common/fake_dsnap.h"

static void fake_destroy(struct snap *s)
{
	free(s);
}

static size_t fake_size(unsigned int nvms)
{
	return offsetof(struct dsnap, vms) + (nvms ? nvms : 1) * sizeof(struct dsnap_vm);
}

struct dsnap *fake_dsnap_new(unsigned int nvms)
{
	static const char *const cst[] = { "POLL", "C1", "C6" };
	const struct pm_governor_ops *gov = pm_governor_find("transition");
	struct dsnap *s = calloc(1, fake_size(nvms));
	struct timespec ts;
	unsigned int c, i;

	if (!s)
		return NULL;
	s->base.refs = 1;
	s->base.destroy = fake_destroy;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->base.time_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	snprintf(s->hostname, sizeof(s->hostname), "testhost");
	snprintf(s->version, sizeof(s->version), "9.9.9");
	s->uptime_s = 100.0;
	s->tick_ms = 10;
	s->ready = true;
	snprintf(s->backend, sizeof(s->backend), "model");
	snprintf(s->source, sizeof(s->source), "model");
	snprintf(s->governor, sizeof(s->governor), "transition");
	s->governors = pm_governor_names();
	for (i = 0; gov && i < gov->nr_tunables && i < DSNAP_MAX_TUNABLES; i++) {
		snprintf(s->tunables[i].name, sizeof(s->tunables[i].name), "%s", gov->tunables[i].name);
		s->tunables[i].value = gov->tunables[i].def;
		s->tunables[i].def = gov->tunables[i].def;
		s->tunables[i].min = gov->tunables[i].min;
		s->tunables[i].max = gov->tunables[i].max;
		s->ntunables = i + 1;
	}
	s->npstates = 3;
	s->pstates_khz[0] = 800000;
	s->pstates_khz[1] = 1600000;
	s->pstates_khz[2] = 2400000;
	s->ncstates = 3;
	for (i = 0; i < 3; i++) {
		snprintf(s->cstates[i].name, sizeof(s->cstates[i].name), "%s", cst[i]);
		s->cstates[i].exit_latency_us = i * i * 50;
		s->cstates[i].target_residency_us = i * i * 150;
	}
	s->ncpus = 2;
	for (c = 0; c < 2; c++) {
		struct dsnap_cpu *o = &s->cpus[c];

		o->cpu = c;
		o->cur_khz = c ? 800000 : 2400000;
		o->cstate_limit = c ? 2 : 0;
		o->util_pct = c ? 10.0 : 80.0;
		o->share_pct[0] = c ? 8 : 70;
		o->share_pct[1] = c ? 2 : 10;
		o->share_pct[2] = c ? 30 : 15;
		o->share_pct[3] = c ? 60 : 5;
		for (i = 0; i < 4; i++)
			o->time_ns[i] = (uint64_t)(i + 1) * 1000000000ull * (c + 1);
		o->freq_ns[0] = 75000000000ull;
		o->freq_ns[2] = 25000000000ull;
		o->cstate_us[1] = 20000000ull;	/* 20 s of 100: 20 % */
		o->latency_budget_us = c ? PM_LATENCY_NONE : 50;
		o->floor_khz = c ? 0 : 1600000;
	}
	s->node_w = 12.5;
	s->node_j = 1250.0;
	s->idle_j = 300.0;
	s->overhead_j = 25.0;
	s->actuator_failures = 7;	/* 2 of them counted without a kind */
	s->actuator_failures_by[DPOWER_ACT_PSTATE] = 4;
	s->actuator_failures_by[DPOWER_ACT_DEVICE] = 1;
	s->ticks = 10000;
	pv_hist_init(&s->tick_hist);
	pv_hist_add(&s->tick_hist, 30000);
	pv_hist_init(&s->qos_apply_hist);
	pv_hist_add(&s->qos_apply_hist, 120000);
	snprintf(s->resv_backend, sizeof(s->resv_backend), "budget");
	s->ndevs = 1;
	snprintf(s->devs[0].name, sizeof(s->devs[0].name), "uart");
	s->devs[0].state = 1;
	s->devs[0].idle_threshold_ms = 500;
	s->devs[0].idle_ms = 1234.5;
	return s;
}

struct dsnap_vm *fake_dsnap_add_vm(struct dsnap *s, const char *name, int state, int cls,
				   unsigned int nvcpus, unsigned int seed)
{
	struct dsnap_vm *vm = &s->vms[s->nvms];
	unsigned int v;

	memset(vm, 0, sizeof(*vm));
	cfg_vm_init(&vm->cfg);
	snprintf(vm->cfg.name, sizeof(vm->cfg.name), "%s", name);
	vm->cfg.vcpus = nvcpus;
	vm->cfg.qos = (enum pv_qos_class)cls;
	vm->slot = s->nvms;
	vm->state = state;
	vm->pid = (int32_t)(4000 + s->nvms);
	snprintf(vm->halt_requested, sizeof(vm->halt_requested), "exit");
	snprintf(vm->halt_honoured, sizeof(vm->halt_honoured), "exit");
	vm->cpu_pct = 10.0 * seed;
	vm->power_w = 1.5 * seed;
	vm->energy_j = 100.0 * seed;
	vm->uptime_ms = 5000;
	vm->nvcpus = nvcpus;
	for (v = 0; v < nvcpus && v < MAX_VCPUS; v++) {
		vm->vcpus[v].vcpu = v;
		vm->vcpus[v].tid = (int32_t)(5000 + v);
		vm->vcpus[v].pcpu = v % 2;
		vm->vcpus[v].run_state = state == DVM_PAUSED ? 2 : 1;
		vm->vcpus[v].guest_ns = 2000000000ull * seed;
		vm->vcpus[v].vmm_ns = 1000000ull * seed;
		vm->vcpus[v].halt_ns = 500000000ull;
		vm->vcpus[v].migrations = seed;
		vm->vcpus[v].exits = 100ull * seed;
		vm->vcpus[v].boosted = cls == PV_QOS_REALTIME && v == 0;
	}
	pv_acct_stats_init(&vm->total);
	pv_acct_stats_init(&vm->window);
	vm->total.exits[PV_EXIT_PIO] = 100ull * seed;
	for (v = 0; v < 100 * seed; v++)
		pv_hist_add(&vm->total.exit_lat[PV_EXIT_PIO], 1500 + v);
	vm->total.exits[PV_EXIT_HLT] = 7;
	for (v = 0; v < 7; v++)
		pv_hist_add(&vm->total.exit_lat[PV_EXIT_HLT], 20000);
	vm->total.rt_activations = 10ull * seed;
	vm->total.rt_completions = 10ull * seed - 1;
	vm->total.rt_misses = 1;
	for (v = 0; v < 10 * seed; v++)
		pv_hist_add(&vm->total.rt_release_lat, 40000);
	vm->window.exits[PV_EXIT_PIO] = 10;
	vm->window_ns = 10000000;
	vm->records = 1000ull * seed;
	vm->rejects = 3;
	vm->rejects_by_reason[PV_REJ_TYPE] = 2;
	vm->rejects_by_reason[PV_REJ_VCPU] = 1;
	vm->drops = 4;
	vm->qos.cls = cls;
	if (cls == PV_QOS_REALTIME)
		vm->qos.resv = (struct cfg_reservation){ .set = true, .runtime_us = 200,
							  .period_us = 1000 };
	vm->cfg.reservation = vm->qos.resv;
	snprintf(vm->qos.backend, sizeof(vm->qos.backend), "budget");
	vm->qos.admitted = true;
	snprintf(vm->qos.reason, sizeof(vm->qos.reason), "admitted");
	vm->qos.cpus_mask = cls == PV_QOS_REALTIME ? 2 : 0;
	vm->qos.apply_latency_us = 42.0;
	vm->qos.throttles = 5;
	s->devs[0].busy_ns[vm->slot] = 100000000ull * seed;
	s->nvms++;
	return vm;
}

struct dsnap *fake_dsnap_dup(const struct dsnap *s, unsigned int extra)
{
	struct dsnap *n = malloc(fake_size(s->nvms + extra));

	if (!n)
		return NULL;
	memcpy(n, s, offsetof(struct dsnap, vms) + s->nvms * sizeof(struct dsnap_vm));
	n->base.refs = 1;
	n->base.destroy = fake_destroy;
	return n;
}

void fake_dsnap_publish(struct snap_pub *pub, struct dsnap *s)
{
	snapshot_publish(pub, &s->base);
}
