/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reservation mechanisms: how a vCPU thread is given (runtime, deadline, period).
 *
 * Two backends behind one ops table, probed at start-up:
 *   - `deadline`: SCHED_DEADLINE, the kernel's constant-bandwidth server. Exact and
 *     enforced by the kernel. On some hosts (ENVIRONMENT.md: the nested build machines) a
 *     vCPU thread whose *first* KVM_RUN happens under SCHED_DEADLINE gets -EAGAIN forever,
 *     so it is only ever applied to vCPUs that have already entered the guest.
 *   - `budget`: SCHED_FIFO at a deadline-monotonic priority (shorter relative deadline →
 *     higher priority), with the runtime enforced by the vCPU's VMM timer: when the budget
 *     of the period is spent the VMM takes the vCPU out of the guest and it sleeps until
 *     its next period. It needs no kernel feature beyond SCHED_FIFO, so it works wherever
 *     the VMM does. The VMM side is reached through the `set_budget` callback.
 * Both revert a thread to SCHED_OTHER on clear. Errors are -errno and never leave a thread
 * half-configured: apply either fully succeeds or the thread keeps its previous policy.
 */
#ifndef PV_QOS_RESV_H
#define PV_QOS_RESV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define RESV_FIFO_PRIO_MIN	10
#define RESV_FIFO_PRIO_MAX	90
#define RESV_DM_REF_NS		100000ull	/* deadline that maps to RESV_FIFO_PRIO_MAX */

struct resv_params {
	uint64_t runtime_ns;
	uint64_t deadline_ns;		/* relative; 0 = period */
	uint64_t period_ns;
};

/* What a backend needs from the VMM to enforce a budget (the daemon provides it). */
struct resv_vmm {
	void *cookie;
	/* Arm (runtime, period) budget enforcement on vCPU @vcpu; runtime 0 disarms. */
	int (*set_budget)(void *cookie, uint32_t vcpu, uint64_t runtime_ns, uint64_t period_ns);
};

struct resv_target {
	pid_t tid;			/* vCPU thread */
	uint32_t vcpu;
	const struct resv_vmm *vmm;
};

struct resv_ops {
	const char *name;
	/* 0 when this host can use the backend, else -errno (e.g. -EPERM, -ENOSYS). */
	int (*probe)(void);
	int (*apply)(const struct resv_target *t, const struct resv_params *p);
	int (*clear)(const struct resv_target *t);
	/* Does enforcement overrun by up to a timer's lateness? (admission adds the slack) */
	bool needs_enforce_slack;
};

extern const struct resv_ops resv_deadline_ops;
extern const struct resv_ops resv_budget_ops;

/* Backend by name ("deadline" / "budget"), NULL if unknown. */
const struct resv_ops *resv_lookup(const char *name);
/* The preferred backend that probes successfully (deadline, then budget), NULL if none. */
const struct resv_ops *resv_probe_best(void);
/* SCHED_FIFO priority for a relative deadline: monotone, shorter → higher. */
int resv_dm_priority(uint64_t deadline_ns);

/* Thin wrappers over sched_setattr(2) / sched_getattr(2) for a thread. */
int resv_set_other(pid_t tid);
int resv_get_policy(pid_t tid, int *policy, int *prio);

#endif /* PV_QOS_RESV_H */
