// SPDX-License-Identifier: GPL-2.0-only
/* Host stall probe for benches (see stall_probe.h). */
#include <sched.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "qos/dl_resync.h"
#include "tests/common/stall_probe.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *stall_probe_main(void *arg)
{
	struct stall_probe *p = arg;
	struct sched_param sp = { .sched_priority = 99 };
	struct {	/* struct sched_attr, SCHED_ATTR_SIZE_VER0 */
		uint32_t size, policy;
		uint64_t flags;
		int32_t nice;
		uint32_t prio;
		uint64_t runtime, deadline, period;
	} dl = { sizeof(dl), 6 /* SCHED_DEADLINE */, 0, 0, 0, 100000, 200000,
		 STALL_PROBE_PERIOD_NS };
	uint64_t next = mono_ns() + STALL_PROBE_PERIOD_NS;

	/* refused: maybe the kernel's leaked deadline bandwidth (qos/dl_resync.h) */
	if (syscall(SYS_sched_setattr, 0, &dl, 0) && (dl_bw_resync() ||
						      syscall(SYS_sched_setattr, 0, &dl, 0)))
		pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	else
		p->deadline = true;
	while (!atomic_load(&p->stop)) {
		struct timespec ts = { (time_t)(next / 1000000000ull), (long)(next % 1000000000ull) };
		uint64_t late;

		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		late = mono_ns() - next;
		atomic_fetch_add(&p->wakes, 1);
		if (late >= STALL_PROBE_LATE_NS) {
			uint64_t k = atomic_fetch_add(&p->stalls, 1);

			if (k < STALL_PROBE_KEEP) {
				p->at_ns[k] = next;
				p->late_ns[k] = late;
			}
		}
		if (late > atomic_load(&p->max_late_ns))
			atomic_store(&p->max_late_ns, late);
		next += STALL_PROBE_PERIOD_NS;
		if (next < mono_ns())	/* after a long stall: no burst of catch-up wake-ups */
			next = mono_ns() + STALL_PROBE_PERIOD_NS;
	}
	return NULL;
}

void stall_probe_start(struct stall_probe *p)
{
	memset(p, 0, sizeof(*p));
	p->started = !pthread_create(&p->th, NULL, stall_probe_main, p);
}

void stall_probe_stop(struct stall_probe *p)
{
	atomic_store(&p->stop, true);
	if (p->started)
		pthread_join(p->th, NULL);
	p->started = false;
}

bool stall_probe_stalled(const struct stall_probe *p, uint64_t from_ns, uint64_t to_ns,
			 uint64_t runtime_ns, uint64_t period_ns)
{
	uint64_t n = atomic_load(&p->stalls);

	for (uint64_t k = 0; k < n && k < STALL_PROBE_KEEP; k++) {
		uint64_t late = p->late_ns[k];
		uint64_t repay = runtime_ns ? late * period_ns / runtime_ns : 0;

		if (p->at_ns[k] <= to_ns && p->at_ns[k] + late + repay >= from_ns)
			return true;
	}
	return false;
}
