/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The published state of the node: built by the policy loop at the end of a tick, read by
 * the API, the metrics endpoint and the console summaries. Immutable once published (see
 * daemon/snapshot.h); plain data, no pointers into loop-owned state.
 */
#ifndef PV_DAEMON_DSNAP_H
#define PV_DAEMON_DSNAP_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/config.h"
#include "daemon/power.h"
#include "daemon/snapshot.h"
#include "powermgr/backend.h"
#include "powermgr/governor.h"
#include "powermgr/pmu.h"
#include "tracer/account.h"
#include "tracer/consume.h"

#define DSNAP_MAX_CPUS		64u
#define DSNAP_MAX_TUNABLES	PM_GOV_MAX_TUNABLES
#define DSNAP_MAX_DEVS		8u

struct dsnap_cpu {
	uint32_t cpu;
	uint32_t cur_khz;
	int cstate_limit;
	double util_pct;
	double share_pct[4];		/* guest, vmm, halt, idle over the last tick */
	uint64_t time_ns[4];		/* cumulative */
	uint64_t freq_ns[PM_MAX_PSTATES];	/* cumulative per P-state index */
	uint64_t cstate_us[PM_MAX_CSTATES];	/* cumulative per C-state index */
	uint32_t latency_budget_us;	/* PM_LATENCY_NONE when none */
	uint32_t floor_khz;
	uint64_t pstate_changes;
};

struct dsnap_vcpu {
	uint32_t vcpu;
	int32_t tid;
	uint32_t pcpu;
	uint32_t run_state;		/* enum pv_vcpu_run_state from the VMM */
	uint64_t guest_ns, vmm_ns, halt_ns;	/* cumulative as the VMM counts them */
	uint64_t migrations;
	uint64_t exits;
	bool boosted;
	bool rt_runnable;
	uint64_t boost_changes;		/* reservation applied / removed */
	uint64_t boosted_ns;		/* time the reservation was held */
	struct pv_task_stats tasks[PV_GUEST_MAX_TASKS];	/* guest-reported, validated */
	uint32_t pmu_mask;		/* bit e: event e (enum pm_pmu_event) is counted */
	uint64_t pmu[PM_PMU_NR_EVENTS];	/* cumulative, read once a second */
};

struct dsnap_qos {
	int cls;			/* enum pv_qos_class */
	uint32_t latency_budget_us;
	struct cfg_reservation resv;
	char backend[12];		/* "deadline" | "budget" | "none" */
	bool admitted;
	char reason[160];
	uint32_t cpus_mask;		/* dedicated / pinned CPUs (first 32) */
	double apply_latency_us;	/* last change, request → applied */
	uint64_t throttles;
};

struct dsnap_vm {
	struct cfg_vm cfg;
	uint32_t slot;			/* the daemon's slot: index of per-VM tables */
	bool dynamic;
	int state;			/* enum dvm_state */
	int32_t pid;
	uint32_t restarts;
	char end_reason[32];
	char halt_requested[8], halt_honoured[8];
	double cpu_pct;			/* on-CPU guest + VMM over the last second, % of one CPU */
	double power_w;			/* over the last second */
	double energy_j;
	uint64_t uptime_ms;
	uint32_t nvcpus;
	struct dsnap_vcpu vcpus[MAX_VCPUS];
	struct pv_acct_stats total;	/* accounting since the daemon attached */
	struct pv_acct_stats window;	/* the last tick */
	uint64_t window_ns;
	uint64_t records, rejects, drops;	/* cumulative over the VM's VMMs */
	uint64_t rejects_by_reason[PV_REJ_MAX];	/* by enum pv_reject; sums to rejects */
	struct dsnap_qos qos;
};

struct dsnap {
	struct snap base;
	char hostname[64];
	char version[16];
	double uptime_s;
	uint32_t tick_ms;
	bool ready;
	char not_ready[128];
	char backend[16];
	char source[8];			/* "rapl" | "perf" | "model" */
	char governor[16];
	const char *const *governors;	/* static table */
	uint32_t ntunables;
	struct {
		char name[24];
		int64_t value, min, max, def;
	} tunables[DSNAP_MAX_TUNABLES];
	uint32_t npstates;
	uint32_t pstates_khz[PM_MAX_PSTATES];
	uint32_t ncstates;
	struct pm_cstate_info cstates[PM_MAX_CSTATES];
	uint32_t ncpus;
	struct dsnap_cpu cpus[DSNAP_MAX_CPUS];
	double node_w, node_j, idle_j, overhead_j;
	uint64_t actuator_failures;	/* every failure */
	uint64_t actuator_failures_by[DPOWER_ACT_MAX];	/* by kind; the rest is unclassified */
	uint64_t ticks;
	struct pv_hist tick_hist;
	struct pv_hist qos_apply_hist;
	char resv_backend[12];
	uint32_t ndevs;
	struct {
		char name[16];
		int state;		/* enum pm_dev_state: 0 on, 1 low */
		uint32_t idle_threshold_ms;
		double idle_ms;		/* since the last use by any VM */
		uint32_t latency_deps;	/* latency-sensitive VMs depending on it */
		uint64_t transitions;
		uint64_t busy_ns[CFG_MAX_VMS];	/* cumulative, by VM slot */
		uint64_t ops[CFG_MAX_VMS];
	} devs[DSNAP_MAX_DEVS];
	uint32_t nvms;
	struct dsnap_vm vms[CFG_MAX_VMS];	/* last: allocated for nvms entries only */
};

struct daemon;

/* Build and publish the snapshot of @d's current state. */
int dsnap_publish(struct daemon *d);
/* Find a VM by name in a snapshot. */
const struct dsnap_vm *dsnap_vm(const struct dsnap *s, const char *name);

#endif /* PV_DAEMON_DSNAP_H */
