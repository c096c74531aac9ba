/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One VM as powervisord sees it: its definition, the pv-vmm process that runs it, the
 * control connection, the attached trace region with its consumer and accounting, and the
 * supervision state (restart policy with exponential back-off).
 *
 * Life cycle:
 *   STOPPED --start--> STARTING --hello ok--> RUNNING <--pause/resume--> PAUSED
 *   any --VMM exits--> STOPPED (clean power-off) | FAILED (fault, signal)
 *   FAILED --on-failure policy--> BACKOFF --delay--> STARTING
 * The VMM runs in its own session, so it survives a daemon crash; its pid, start time and
 * control socket are recorded in the state dir and a restarted daemon re-attaches to it
 * (the kernel start time guards against pid reuse).
 */
#ifndef PV_DAEMON_DVM_H
#define PV_DAEMON_DVM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon/config.h"
#include "daemon/threadstat.h"
#include "daemon/vmmctl.h"
#include "powermgr/pmu.h"
#include "qos/boost.h"
#include "tracer/account.h"
#include "tracer/clock.h"
#include "tracer/consume.h"
#include "tracer/shm.h"

#define DVM_PATH_MAX		256
#define DVM_START_TIMEOUT_MS	10000u
#define DVM_STOP_TIMEOUT_MS	3000u
#define DVM_END_REASON_MAX	32

enum dvm_state {
	DVM_STOPPED = 0,
	DVM_STARTING,
	DVM_RUNNING,
	DVM_PAUSED,
	DVM_FAILED,
	DVM_BACKOFF,		/* failed, restart scheduled */
	DVM_STATE_MAX
};

struct daemon;

/* The VM's QoS as the daemon applies it (qosd.c). */
struct resv_ops;

struct dvm_qos {
	bool admitted;
	char reason[160];
	int cpu[MAX_VCPUS];		/* pinned CPU per vCPU, -1 = the shared CPUs */
	bool affinity_applied;		/* for the current VMM's threads */
	bool halt_applied;		/* halt polling requested from the VMM */
	bool sched_applied;		/* partition: SCHED_FIFO on the vCPU threads */
	uint64_t apply_latency_ns;	/* last change: request handled → threads changed */
	uint64_t throttles;
	bool reported;			/* the guest reports RT state (else inferred mode) */
	const struct resv_ops *resv;	/* this VM's mechanism when not the node's (qosd.c) */
};

/* A vCPU's cumulative counters as its VMM reported them (validated: never backwards). */
struct dvm_vcpu_ctr {
	uint64_t guest_ns, vmm_ns, halt_ns, migrations, exits;
};

struct dvm_vcpu {
	pid_t tid;			/* from hello, validated against /proc */
	uint32_t pcpu;			/* last physical CPU (validated) */
	struct dvm_vcpu_ctr cur;	/* the running VMM's figures */
	struct dvm_vcpu_ctr base;	/* of earlier VMMs of this VM (restarts) */
	uint32_t run_state;		/* enum pv_vcpu_run_state, validated */
	bool rt_runnable;
	struct threadstat ts;		/* the kernel's view of the thread */
	struct pm_pmu pmu;		/* PMU / software counters on the thread */
	uint64_t pmu_val[PM_PMU_NR_EVENTS];	/* cumulative, last read */
	uint32_t pmu_mask;		/* events that could be counted on this host */
	struct threadstat_delta last;	/* over the last tick */
	struct boost_vcpu boost;	/* transition-driven boosting state */
	bool resv_applied;		/* the reservation is on the thread now */
	uint64_t boost_changes;
	uint64_t boosted_ns;		/* time the reservation was held (tick granularity) */
	uint64_t rt_act_tsc;		/* last RT job release the guest reported */
	uint64_t rt_done_tsc;		/* last RT job completion or miss */
	uint64_t rt_seen_tsc;		/* rt_act_tsc at the previous boosting decision */
	struct pv_task_stats tasks[PV_GUEST_MAX_TASKS];	/* last consistent copy from the VMM */
	bool entered;			/* has run guest code (reservations only after that) */
	/* inferred boosting (guests that report nothing): the run interval being read */
	uint64_t ival_entry_tsc;
	uint64_t ival_halted_ns;
	bool sampling;			/* its VMM timer samples it (qosd.c) */
};

struct dvm {
	struct daemon *d;
	unsigned int slot;		/* index in daemon->vms and in attribution */
	struct cfg_vm cfg;
	bool dynamic;			/* created through the API (persisted in the state dir) */
	enum dvm_state state;
	pid_t pid;
	int pidfd;
	bool our_child;			/* forked by this daemon (can be reaped) */
	uint64_t starttime;		/* /proc/<pid>/stat field 22 */
	uint64_t start_ns;		/* CLOCK_MONOTONIC when (re)started or attached */
	char sock_path[DVM_PATH_MAX];
	char console_path[DVM_PATH_MAX];
	char log_path[DVM_PATH_MAX];

	struct vmmctl ctl;
	bool hello_sent;
	bool attached;
	bool stopping;			/* shutdown requested by us: not a failure */
	struct pv_shm shm;
	struct pv_consumer *cons;
	struct pv_acct *acct;
	struct pv_acct_stats acct_base;	/* totals of earlier attachments (VMM restarts) */
	struct pv_clock clk;
	uint32_t nvcpus;
	struct dvm_vcpu vcpu[MAX_VCPUS];
	char halt_honoured[8];
	struct dvm_qos qos;

	uint32_t restarts;		/* total restarts by the supervisor */
	uint32_t failures;		/* consecutive */
	uint64_t restart_at_ns;
	char end_reason[DVM_END_REASON_MAX];
	int end_status;
	uint64_t win_busy_ns;		/* guest + VMM on a CPU over the last tick */
	uint64_t busy_total_ns;		/* cumulative on-CPU guest + VMM time */
	uint64_t rate_busy_ns;		/* busy_total_ns at the last rate update */
	double rate_energy_j;		/* energy at the last rate update */
	double cpu_pct_1s;		/* over the last second, % of one CPU */
	double power_w_1s;		/* over the last second */
	uint64_t dev_busy_ns[PV_SHM_MAX_DEVS];	/* device counters at the last tick */
	uint64_t dev_ops[PV_SHM_MAX_DEVS];
	uint64_t records;		/* consumed, cumulative (survives restarts of the VMM) */
	/* the consumer's counters, cumulative like records: earlier VMMs' plus the current one's */
	struct pv_consume_stats cons_base;	/* of the VMMs this VM had before the current one */
	uint64_t rejects;		/* = the sum of rejects_by_reason */
	uint64_t rejects_by_reason[PV_REJ_MAX];	/* by enum pv_reject (index 0 unused) */
	uint64_t drops;
};

const char *dvm_state_name(enum dvm_state s);

struct dvm *dvm_new(struct daemon *d, const struct cfg_vm *cfg, unsigned int slot, bool dynamic);
void dvm_free(struct dvm *vm);

/* Fork/exec pv-vmm for @vm. 0 or -errno (the VM is then FAILED with the reason). */
int dvm_start(struct dvm *vm);
/* Ask the VMM to shut down (SIGKILL after DVM_STOP_TIMEOUT_MS, see dvm_tick). */
int dvm_stop(struct dvm *vm);
/* Try to adopt a VMM left running by a previous daemon; 0 when adopted. */
int dvm_reattach(struct dvm *vm);

/* Per tick: connect / hello while starting, drain rings into accounting, timeouts, restarts. */
void dvm_tick(struct dvm *vm, uint64_t now_ns, uint64_t now_tsc);
/* epoll events for the VM's descriptors. */
void dvm_on_ctl_readable(struct dvm *vm);
void dvm_on_exit(struct dvm *vm);

/* Pause / resume through the control socket; @done is called with the result. */
int dvm_request(struct dvm *vm, const char *cmd, json_t *args, vmmctl_reply_fn done, void *arg);

bool dvm_is_live(const struct dvm *vm);	/* a VMM process exists */
/* Cumulative counters of vCPU @v over every VMM this VM had. */
void dvm_vcpu_total(const struct dvm *vm, uint32_t v, struct dvm_vcpu_ctr *out);
/* Refresh vCPU @v's counters and guest task summaries from the region (dvm_counters.c). */
void dvm_read_vcpu(struct dvm *vm, uint32_t v);
/* Accounting totals over every attachment of this VM. */
void dvm_acct_total(const struct dvm *vm, struct pv_acct_stats *out);

#endif /* PV_DAEMON_DVM_H */
