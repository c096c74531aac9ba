/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host stall probe for benches: a thread that sleeps to every 1 ms boundary and counts the
 * wake-ups later than STALL_PROBE_LATE_NS. The build machines are nested VMs whose vCPUs
 * the outer hypervisor preempts for milliseconds now and then; a bench that reports RT
 * misses prints the stalls seen in the same window beside them. The probe must not be
 * delayed by the reservations it sits beside, so it is itself SCHED_DEADLINE with a short
 * relative deadline (it wins EDF against a 1 ms vCPU reservation), or SCHED_FIFO 99 (above
 * every budget-backend priority) where that fails.
 */
#ifndef PV_TESTS_STALL_PROBE_H
#define PV_TESTS_STALL_PROBE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define STALL_PROBE_PERIOD_NS	1000000ull
#define STALL_PROBE_LATE_NS	500000ull	/* a wake-up this late counts as a stall */
#define STALL_PROBE_KEEP	16384		/* stalls remembered with their times */

struct stall_probe {
	pthread_t th;
	bool started;
	bool deadline;			/* it got SCHED_DEADLINE (else SCHED_FIFO 99: a deadline
					 * reservation beside it delays it, counted as stalls) */
	atomic_bool stop;
	_Atomic uint64_t wakes, stalls, max_late_ns;
	/* the first STALL_PROBE_KEEP stalls: CLOCK_MONOTONIC of the missed wake-up, lateness */
	uint64_t at_ns[STALL_PROBE_KEEP], late_ns[STALL_PROBE_KEEP];
};

void stall_probe_start(struct stall_probe *p);
/* Stop it; the counters and times are final after this. */
void stall_probe_stop(struct stall_probe *p);
/*
 * Did the host stall anywhere in [from_ns, to_ns] (CLOCK_MONOTONIC), or earlier but with its
 * effect on a CPU reservation of @runtime_ns every @period_ns still lasting (0: none)? A
 * stall taken while the reserved thread is current is charged to its runtime (this host's
 * outer hypervisor reports almost none of it as steal time), and the kernel's CBS makes the
 * thread repay that debt from later periods, throttled: a stall of S keeps a reservation
 * from running for about S x period / runtime after it (a reserved vCPU's dl.runtime was
 * seen at -2 to -4 ms in /proc/PID/task/TID/sched on this host).
 */
bool stall_probe_stalled(const struct stall_probe *p, uint64_t from_ns, uint64_t to_ns,
			 uint64_t runtime_ns, uint64_t period_ns);

#endif /* PV_TESTS_STALL_PROBE_H */
