/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMM timers: one POSIX timer per vCPU (CLOCK_MONOTONIC, SIGEV_THREAD_ID to the vCPU
 * thread, signal TIMER_SIGNO). The signal is blocked in every thread and unblocked only
 * inside KVM_RUN (KVM_SET_SIGNAL_MASK), so an expiry either interrupts KVM_RUN (-EINTR) or,
 * if it lands while the thread is in the VMM, makes the next KVM_RUN return at once: no
 * lost wake-ups, no handler running at an awkward moment. The vCPU thread then collects
 * it with sigtimedwait (overrun count from siginfo) and calls timer_fired().
 * Arming is done from the control side (any thread) with timer_arm(). The same machinery
 * serves the budget timer (vmm/budget.c): its own signal, armed by the vCPU thread itself
 * with timer_arm_at_ns().
 */
#ifndef PV_VMM_TIMER_H
#define PV_VMM_TIMER_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>

#define TIMER_SIGNO		(SIGRTMIN + 1)	/* VMM timer expiry */
#define KICK_SIGNO		(SIGRTMIN + 0)	/* control side wants the vCPU's attention */
#define TIMER_MAX_SAMPLES	16384u		/* lateness samples kept for percentiles */
#define MIN_TIMER_PERIOD_US	50u
#define MAX_TIMER_US		(3600ull * 1000000ull)

struct vmm_timer {
	timer_t id;
	bool created;
	pthread_mutex_t lock;		/* guards the arming state below */
	uint64_t period_ns;		/* 0 = one-shot or off */
	uint64_t first_ns;		/* CLOCK_MONOTONIC of the first expiry, 0 = off */
	uint64_t gen;			/* bumped at every arm */
	/* vCPU thread only */
	uint64_t seen_gen;
	uint64_t next_ns;		/* expected time of the next expiry */
	uint64_t fires, overruns;
	uint64_t late_max_ns, late_sum_ns;
	uint32_t nsamples;		/* samples stored (ring after TIMER_MAX_SAMPLES) */
	uint64_t nlate;			/* lateness values observed */
	uint32_t *samples_ns;		/* lateness, capped at 4 s */
};

/* Create the timer for thread @tid; @cookie comes back in si_value. 0 or -errno. */
int timer_init(struct vmm_timer *t, pid_t tid, int cookie);
/* Same, delivering @signo instead of TIMER_SIGNO. */
int timer_init_signo(struct vmm_timer *t, pid_t tid, int signo, int cookie);
void timer_destroy(struct vmm_timer *t);
/*
 * Control side: periodic every @period_us, or once @deadline_us from now; both 0 = off.
 * -EINVAL for both set or values out of range.
 */
int timer_arm(struct vmm_timer *t, uint64_t period_us, uint64_t deadline_us);
/* One-shot at CLOCK_MONOTONIC @deadline_ns (absolute; 0 = off). 0 or -errno. */
int timer_arm_at_ns(struct vmm_timer *t, uint64_t deadline_ns);
/*
 * vCPU thread, for each collected expiry: returns lateness in ns (0 when unknown). An
 * expiry collected before the one the current arming implies is a stale signal of an
 * earlier arming: it counts as a fire but gives no lateness sample.
 */
uint64_t timer_fired(struct vmm_timer *t, int overrun);
/* Lateness percentile @p (0..100) of the stored samples, ns. */
uint64_t timer_lateness_pct(const struct vmm_timer *t, double p);
static inline uint64_t timer_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif /* PV_VMM_TIMER_H */
