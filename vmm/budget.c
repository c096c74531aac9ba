// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMM timers as budgets (the `budget` reservation mechanism, qos/resv.h).
 *
 * What it decides: whether a vCPU may enter the guest now, and if so for how long at most.
 * A vCPU with a budget (runtime, period) gets at most `runtime` of its time in every
 * period; the vCPU is taken out of the guest by its VMM timer, never by the guest's
 * cooperation, and sleeps until its next period. This needs nothing from the kernel but
 * POSIX timers, so it works where SCHED_DEADLINE cannot be used (ENVIRONMENT.md: a vCPU
 * whose first KVM_RUN happens under SCHED_DEADLINE never runs); the daemon pairs it with
 * SCHED_FIFO at a deadline-monotonic priority.
 *
 * Periods are aligned to the moment the budget was armed: period k starts at
 * arm + k * period. The budget is replenished in full at every period start; an overrun
 * (the timer is served late, an exit takes long to handle) is reported, not carried over.
 * Timer lateness is not small here (ENVIRONMENT.md: tens of µs, more under load), so it
 * is compensated: the timer is armed `lead` early, lead being a moving average of the
 * budget timer's own measured lateness (capped at runtime/2 and MAX_BUDGET_LEAD_NS), and
 * the budget counts as spent once less than `lead` is left. On average the vCPU then gets
 * its runtime; what remains is the lateness jitter, which admission control covers as
 * slack (resv_budget_ops.needs_enforce_slack) and THROTTLE records report as overrun.
 *
 * What consumes budget: the vCPU thread's wall time in KVM_RUN while not halted (the same
 * measure as guest_ns: the TSC interval minus the halted time KVM's statistics report)
 * plus the VMM's handling time between an exit and the next entry. Halted time, blocked or
 * polling in KVM, does not: an idle vCPU keeps its budget. Sleeping in the VMM (pause,
 * throttle, user-space HLT, exit-flood throttling) does not either. Time the host takes
 * the thread away while it is in the guest does count (wall clock, as guest_ns), which is
 * conservative and rare under SCHED_FIFO. A halt shorter than the loop's halt-read
 * threshold (vcpu.c, 20 µs) is charged as guest time; the error is bounded by that.
 *
 * Enforcement: before every entry the one-shot budget timer is armed at
 * now + (runtime - used - lead), or a full runtime into the next period when this one
 * ends first (the budget cannot run out before). Wall time never runs slower than consumed
 * time, so the timer is never late with respect to the budget except by its own lateness.
 * After an exit without halting the expiry is the same instant as before, so the timer is
 * only re-armed when the expiry moved by more than BUDGET_REARM_SLACK_NS: PIO round trips
 * pay no extra syscall. When the vCPU halted meanwhile the timer fires early, the time is
 * accounted and the timer armed again for what is left: a halted vCPU is interrupted about
 * every `runtime - used`. Such a wake-up is the VMM probing an idle vCPU, not guest work;
 * its delivery (on the nested build hosts tens of µs of non-halted KVM_RUN time after the
 * expiry) is given back when the vCPU is found still halted after the exit
 * (KVM_GET_MP_STATE, once per budget timer expiry); a guest that woke, ran and halted
 * again inside that window is under-charged by at most the timer's lateness. When the
 * vCPU was also halted after the exit before and KVM counted no HLT in between, it was
 * idle throughout (it cannot halt again without HLT): nothing of the interval, nor the
 * VMM's handling of the probe, is charged. So an idle vCPU keeps its budget.
 * When the budget is spent, at the timer's expiry or at any exit, budget_gate says so
 * (with the overrun) and the vCPU thread sleeps in the VMM until the next period start: a
 * vCPU outside KVM_RUN cannot run guest code, so an interrupt that wakes a halted guest
 * mid-throttle waits for the replenishment. The sleep is ended early by control-side kicks
 * (pause, shutdown, a new budget): see vcpu.c.
 *
 * Cost when no budget is armed: budget_active() is one load and compare per entry,
 * budget_charge() one add per exit; no syscall.
 */
#include <errno.h>
#include <string.h>

#include "vmm/budget.h"

#define US_NS	1000ull

bool budget_valid_us(uint64_t runtime_us, uint64_t period_us)
{
	if (!runtime_us)
		return period_us <= MAX_BUDGET_PERIOD_US;	/* off; the period is ignored */
	return period_us >= MIN_BUDGET_PERIOD_US && period_us <= MAX_BUDGET_PERIOD_US &&
	       runtime_us <= period_us;
}

int budget_init(struct budget *b, pid_t tid, int cookie)
{
	memset(b, 0, sizeof(*b));
	pthread_mutex_init(&b->lock, NULL);
	return timer_init_signo(&b->timer, tid, BUDGET_SIGNO, cookie);
}

void budget_destroy(struct budget *b)
{
	timer_destroy(&b->timer);
}

int budget_set(struct budget *b, uint64_t runtime_ns, uint64_t period_ns)
{
	if (runtime_ns % US_NS || period_ns % US_NS ||
	    !budget_valid_us(runtime_ns / US_NS, period_ns / US_NS))
		return -EINVAL;
	if (!b->timer.created)
		return -ENODEV;
	pthread_mutex_lock(&b->lock);
	b->req_runtime_ns = runtime_ns;
	b->req_period_ns = runtime_ns ? period_ns : 0;
	atomic_fetch_add_explicit(&b->gen, 1, memory_order_release);
	pthread_mutex_unlock(&b->lock);
	return 0;
}

void budget_get(struct budget *b, uint64_t *runtime_ns, uint64_t *period_ns)
{
	pthread_mutex_lock(&b->lock);
	*runtime_ns = b->req_runtime_ns;
	*period_ns = b->req_period_ns;
	pthread_mutex_unlock(&b->lock);
}

static void budget_disarm_timer(struct budget *b)
{
	if (b->deadline_ns)
		timer_arm_at_ns(&b->timer, 0);
	b->deadline_ns = 0;
}

/* Lateness compensation from the moving average, capped. */
static void budget_update_lead(struct budget *b)
{
	uint64_t cap = b->runtime_ns / 2 < MAX_BUDGET_LEAD_NS ? b->runtime_ns / 2 : MAX_BUDGET_LEAD_NS;

	b->lead_ns = b->late_ewma_ns < cap ? b->late_ewma_ns : cap;
	atomic_store_explicit(&b->cur_lead_ns, b->lead_ns, memory_order_relaxed);
}

/* Take the control side's latest request; periods restart now. */
static void budget_pick_up(struct budget *b, uint64_t now_ns)
{
	pthread_mutex_lock(&b->lock);
	b->seen_gen = atomic_load_explicit(&b->gen, memory_order_relaxed);
	b->runtime_ns = b->req_runtime_ns;
	b->period_ns = b->req_period_ns;
	pthread_mutex_unlock(&b->lock);
	b->on = b->runtime_ns != 0;
	b->arm_ns = b->period_start_ns = now_ns;
	b->used_ns = b->pending_ns = 0;
	b->throttled_period_ns = 0;
	budget_update_lead(b);
	budget_disarm_timer(b);
	atomic_store_explicit(&b->cur_runtime_ns, b->runtime_ns, memory_order_relaxed);
	atomic_store_explicit(&b->cur_period_ns, b->period_ns, memory_order_relaxed);
}

/* Move pending consumption into the period that holds @now_ns. */
static void budget_account(struct budget *b, uint64_t now_ns)
{
	if (now_ns >= b->period_start_ns + b->period_ns) {
		uint64_t k = (now_ns - b->arm_ns) / b->period_ns;
		uint64_t in_period;

		b->period_start_ns = b->arm_ns + k * b->period_ns;
		/* what was consumed since the last gate is charged to the new period only up
		 * to the time that has elapsed in it; the rest belonged to earlier periods */
		in_period = now_ns - b->period_start_ns;
		b->used_ns = b->pending_ns < in_period ? b->pending_ns : in_period;
	} else {
		b->used_ns += b->pending_ns;
	}
	b->pending_ns = 0;
}

static void atomic_max(_Atomic uint64_t *p, uint64_t v)
{
	if (v > atomic_load_explicit(p, memory_order_relaxed))
		atomic_store_explicit(p, v, memory_order_relaxed);
}

bool budget_gate(struct budget *b, uint64_t now_ns, struct budget_throttle *th)
{
	uint64_t deadline, diff;

	if (budget_changed(b))
		budget_pick_up(b, now_ns);
	if (!b->on) {
		b->pending_ns = 0;
		return false;
	}
	budget_account(b, now_ns);
	if (b->used_ns + b->lead_ns >= b->runtime_ns) {
		budget_disarm_timer(b);
		th->wake_ns = b->period_start_ns + b->period_ns;
		th->overrun_ns = b->used_ns > b->runtime_ns ? b->used_ns - b->runtime_ns : 0;
		th->period_ns = b->period_ns;
		th->first = b->throttled_period_ns != b->period_start_ns;
		if (th->first) {
			b->throttled_period_ns = b->period_start_ns;
			atomic_fetch_add_explicit(&b->overrun_sum_ns, th->overrun_ns, memory_order_relaxed);
			atomic_max(&b->overrun_max_ns, th->overrun_ns);
		}
		return true;
	}
	deadline = now_ns + (b->runtime_ns - b->used_ns - b->lead_ns);
	/* cannot run out before the period ends: the earliest is a full runtime into the next */
	if (deadline >= b->period_start_ns + b->period_ns)
		deadline = b->period_start_ns + b->period_ns + b->runtime_ns - b->lead_ns;
	diff = deadline > b->deadline_ns ? deadline - b->deadline_ns : b->deadline_ns - deadline;
	if (!b->deadline_ns || diff > BUDGET_REARM_SLACK_NS) {
		if (timer_arm_at_ns(&b->timer, deadline) == 0)
			b->deadline_ns = deadline;
	}
	return false;
}

void budget_fired(struct budget *b, int overrun, bool halted, bool idle, uint64_t last_guest_ns)
{
	uint64_t samples = b->timer.nlate, late = timer_fired(&b->timer, overrun), refund;

	b->deadline_ns = 0;	/* one-shot: the next gate arms it again */
	if (b->timer.nlate == samples)
		return;		/* stale signal: no lateness measured */
	b->probed_idle = idle;
	b->probes += halted;
	b->idle_probes += idle;
	if (halted) {
		refund = idle || late > last_guest_ns ? last_guest_ns : late;
		b->pending_ns -= refund < b->pending_ns ? refund : b->pending_ns;
	}
	if (late >= b->late_ewma_ns)
		b->late_ewma_ns += (late - b->late_ewma_ns) >> BUDGET_LEAD_EWMA_SHIFT;
	else
		b->late_ewma_ns -= (b->late_ewma_ns - late) >> BUDGET_LEAD_EWMA_SHIFT;
	budget_update_lead(b);
}

void budget_woke(struct budget *b, uint64_t wake_ns, uint64_t now_ns)
{
	if (now_ns > wake_ns)
		atomic_max(&b->wake_late_max_ns, now_ns - wake_ns);
}
