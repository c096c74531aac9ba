/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-vCPU CPU budgets enforced by a VMM timer: at most runtime_ns of the vCPU's time in
 * every period_ns, periods aligned to the moment the budget was armed. The accounting and
 * the decision live in budget.c (the design note is there); the vCPU loop (vcpu.c) feeds
 * it, obeys it (sleeps when it says so) and records the THROTTLE transitions.
 *
 * Threads: budget_set() is the control side's only entry (any thread; the caller then kicks
 * the vCPU so that the change is seen even by a vCPU that never exits). Everything else
 * runs on the vCPU thread, except the statistics readers, which read atomics.
 */
#ifndef PV_VMM_BUDGET_H
#define PV_VMM_BUDGET_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "vmm/timer.h"

#define BUDGET_SIGNO		(SIGRTMIN + 2)	/* budget timer expiry */
#define MIN_BUDGET_PERIOD_US	100ull
#define MAX_BUDGET_PERIOD_US	10000000ull	/* 10 s */
#define BUDGET_REARM_SLACK_NS	2000ull		/* keep the armed expiry if this close */
#define MAX_BUDGET_LEAD_NS	1000000ull	/* lateness compensation cap (also <= runtime/2) */
#define BUDGET_LEAD_EWMA_SHIFT	3		/* lead += (lateness - lead) / 8 */

struct budget {
	/* control side -> vCPU thread */
	pthread_mutex_t lock;
	uint64_t req_runtime_ns;	/* under lock; 0 = off */
	uint64_t req_period_ns;
	_Atomic uint64_t gen;		/* bumped by budget_set after the values */
	/* vCPU thread only */
	uint64_t seen_gen;
	bool on;			/* a budget is being enforced */
	uint64_t runtime_ns, period_ns;	/* in force */
	uint64_t arm_ns;		/* CLOCK_MONOTONIC when armed: periods start at arm + k * period */
	uint64_t period_start_ns;	/* start of the current period */
	uint64_t used_ns;		/* consumed in the current period */
	uint64_t pending_ns;		/* consumed, not yet accounted (budget_charge) */
	bool probed_idle;		/* the last exit was the timer probing an idle vCPU */
	uint64_t deadline_ns;		/* expiry the budget timer is armed for, 0 = none */
	uint64_t throttled_period_ns;	/* start of the period last reported as throttled */
	uint64_t late_ewma_ns;		/* budget timer lateness, moving average */
	uint64_t lead_ns;		/* arm this much early (late_ewma_ns, capped) */
	struct vmm_timer timer;		/* one-shot, BUDGET_SIGNO, lateness samples */
	/* statistics: written by the vCPU thread, read by anyone */
	_Atomic uint64_t cur_runtime_ns, cur_period_ns;	/* in force (0 = off) */
	_Atomic uint64_t overrun_sum_ns, overrun_max_ns;	/* used beyond runtime at throttle */
	_Atomic uint64_t wake_late_max_ns;		/* replenished late by this much at most */
	_Atomic uint64_t cur_lead_ns;			/* lateness compensation in force */
	uint64_t probes, idle_probes;	/* expiries that found the vCPU halted / idle throughout */
};

/* What budget_gate decided: run (timer armed) or sleep until @wake_ns. */
struct budget_throttle {
	uint64_t wake_ns;		/* CLOCK_MONOTONIC start of the next period */
	uint64_t overrun_ns;		/* used beyond the runtime (0 when within it) */
	uint64_t period_ns;
	bool first;			/* first throttle in this period (record and count it) */
};

/* Create the budget timer for vCPU thread @tid (budget off). 0 or -errno. */
int budget_init(struct budget *b, pid_t tid, int cookie);
void budget_destroy(struct budget *b);
/*
 * Control side: enforce @runtime_ns per @period_ns from now on (runtime 0 = off). The vCPU
 * thread picks it up before its next entry; kick it. -EINVAL when out of range.
 */
int budget_set(struct budget *b, uint64_t runtime_ns, uint64_t period_ns);
/* Control side: the budget last asked for. */
void budget_get(struct budget *b, uint64_t *runtime_ns, uint64_t *period_ns);
/* Validation shared with the command line and the control protocol (µs). */
bool budget_valid_us(uint64_t runtime_us, uint64_t period_us);

/* vCPU thread: does budget_gate need calling before the next entry? (cheap: no syscall) */
static inline bool budget_active(const struct budget *b)
{
	return b->on || atomic_load_explicit(&b->gen, memory_order_acquire) != b->seen_gen;
}
/* vCPU thread: has the control side changed the budget since the last gate? */
static inline bool budget_changed(const struct budget *b)
{
	return atomic_load_explicit(&b->gen, memory_order_acquire) != b->seen_gen;
}
/* vCPU thread: @ns of the vCPU's time was consumed in the guest (not halted). */
static inline void budget_charge(struct budget *b, uint64_t ns)
{
	b->pending_ns += ns;
}
/* vCPU thread: @ns of VMM handling before an entry (free after probing an idle vCPU). */
static inline void budget_charge_vmm(struct budget *b, uint64_t ns)
{
	if (!b->probed_idle)
		b->pending_ns += ns;
	b->probed_idle = false;
}
/*
 * vCPU thread, before an entry while budget_active(), at CLOCK_MONOTONIC @now_ns: picks up
 * a new budget, accounts what was charged, and either arms the timer for what is left
 * (returns false) or fills @th and returns true: the budget is spent, sleep until
 * th->wake_ns (the timer is disarmed).
 */
bool budget_gate(struct budget *b, uint64_t now_ns, struct budget_throttle *th);
/*
 * vCPU thread: the budget timer's signal was collected (@overrun from siginfo). @halted:
 * the vCPU is halted now (it was idle when the signal came), @last_guest_ns: what the last
 * run interval charged as guest time; the part of it after the expiry was the signal's
 * delivery to an idle vCPU, not guest work, and is given back. @idle: the vCPU was halted
 * throughout the last run interval: all of it is given back, and the VMM's handling of
 * this probe (up to the next entry) is not charged.
 */
void budget_fired(struct budget *b, int overrun, bool halted, bool idle, uint64_t last_guest_ns);
/* vCPU thread: a throttle sleep ended at @now_ns (it was meant to end at @wake_ns). */
void budget_woke(struct budget *b, uint64_t wake_ns, uint64_t now_ns);

#endif /* PV_VMM_BUDGET_H */
