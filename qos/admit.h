/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Admission control for real-time reservations, flat and hierarchical.
 *
 * A reservation (runtime Q, period T, relative deadline D <= T) is a vCPU's guarantee. A
 * node of the admission tree supplies CPU time to its children:
 *   - a CPU (the root of a partition) supplies alpha * t (alpha = the utilisation cap, e.g.
 *     0.95 like sched_rt_runtime_us / sched_rt_period_us);
 *   - a group reservation (Q_p, T_p) — a parent VM whose share is divided among child VMs,
 *     the recursive-scheduling idea — supplies at least the periodic resource model's linear
 *     bound lsbf(t) = (Q_p / T_p) * (t - 2 (T_p - Q_p)) (Shin & Lee, "Periodic resource
 *     model for compositional real-time guarantees", RTSS 2003).
 * Children are scheduled by EDF inside their parent, so the set is schedulable when the
 * demand bound function dbf(t) = sum_i max(0, floor((t - D_i) / T_i) + 1) * Q'_i stays at or
 * below the parent's supply at every absolute deadline t up to the bound
 *   t* = (sum_i (T_i - D_i) U_i + alpha * Delta) / (alpha - U)       (U < alpha)
 * beyond which the linear supply always wins (Baruah's bound, extended with the blackout
 * Delta). The check is exact for the linear supply bound (sufficient for the real one).
 *
 * Overheads are part of the test, not an afterthought: each child's runtime is inflated to
 *   Q' = Q + act_overhead_ns + Q * exit_rate_per_s * exit_cost_ns / 1e9 + enforce_slack_ns
 * where the activation overhead (interrupt injection, wake, VMM timer), the exit rate and
 * mean exit cost come from the VM's measured trace, and the enforcement slack is the budget
 * mechanism's overrun granularity (VMM-timer lateness p99 for the `budget` backend, 0 for
 * `deadline`). A child that is itself a group demands its own reservation (Q_p, T_p, T_p)
 * from its parent: admission is checked at every level.
 */
#ifndef PV_QOS_ADMIT_H
#define PV_QOS_ADMIT_H

#include <stdbool.h>
#include <stdint.h>

#define ADMIT_REASON_MAX	192
#define DEF_ADMIT_ALPHA_PPM	950000u		/* 95 %: the kernel's RT throttling default */
#define MIN_ADMIT_ALPHA_PPM	100000u
#define MAX_ADMIT_ALPHA_PPM	1000000u
#define MIN_RESV_PERIOD_NS	100000ull	/* 100 µs: below that, overheads dominate */
#define MAX_RESV_PERIOD_NS	10000000000ull	/* 10 s */
#define ADMIT_MAX_POINTS	2000000u	/* deadlines examined before giving up (reject) */

/* Measured costs that a reservation's runtime is inflated by. */
struct admit_overhead {
	uint64_t act_overhead_ns;	/* per activation: IRQ injection + wake + timer */
	uint64_t exit_rate_per_s;	/* VM exits per second of guest run time */
	uint64_t exit_cost_ns;		/* mean exit handling latency */
	uint64_t enforce_slack_ns;	/* budget overrun granularity of the mechanism */
};

struct admit_task {
	uint64_t runtime_ns;		/* Q */
	uint64_t period_ns;		/* T */
	uint64_t deadline_ns;		/* D, 0 = T */
	struct admit_overhead ovh;
};

/* A supplier: a CPU (blackout 0) or a group reservation. */
struct admit_supply {
	uint64_t alpha_ppm;		/* long-run share, parts per million */
	uint64_t blackout_ns;		/* Delta: longest time with no supply */
};

struct admit_result {
	bool admitted;
	uint64_t util_ppm;		/* sum of Q'/T over the set, ppm */
	uint64_t checked_points;	/* deadlines examined */
	uint64_t fail_at_ns;		/* first t with dbf(t) > supply(t), 0 when admitted */
	char reason[ADMIT_REASON_MAX];	/* why rejected (empty when admitted) */
};

/* Supply of a CPU with utilisation cap @alpha_ppm. */
struct admit_supply admit_cpu_supply(uint64_t alpha_ppm);
/* Guaranteed supply of a group reservation (runtime, period), linear bound. */
struct admit_supply admit_group_supply(uint64_t runtime_ns, uint64_t period_ns);

/* Q' for a task: runtime plus its overheads (saturating). */
uint64_t admit_inflated_runtime_ns(const struct admit_task *t);

/* Check parameters of one task; 0 or -EINVAL with the reason written. */
int admit_task_check(const struct admit_task *t, char *reason);

/*
 * Is @tasks (n of them) schedulable by EDF on @supply? Fills @res (reason on rejection).
 * Returns 0 when the question could be answered (admitted or not), -EINVAL for bad input.
 */
int admit_check(const struct admit_supply *supply, const struct admit_task *tasks, unsigned int n,
		struct admit_result *res);

/*
 * A node of the admission tree: a leaf reservation (a vCPU) or a group whose own
 * reservation (task.runtime_ns, task.period_ns) is divided among its children.
 */
struct admit_node {
	const char *name;		/* for rejection reasons */
	struct admit_task task;		/* demand on the parent */
	struct admit_node *const *children;	/* non-NULL for a group */
	unsigned int nchildren;
};

/*
 * Check a whole tree below @supply: every group's children against the group's supply,
 * then each level against its parent. The first failing level is named in res->reason.
 */
int admit_tree_check(const struct admit_supply *supply, struct admit_node *const *nodes,
		     unsigned int n, struct admit_result *res);

#endif /* PV_QOS_ADMIT_H */
