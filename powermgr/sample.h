/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every governor sees at a policy tick: per physical CPU, how the last window was
 * spent according to the VM transitions (not /proc/stat). The daemon fills it from the
 * tracer's accounting; the simulator fills it from its replay. All times are ns within the
 * window; guest + vmm + halt + idle <= window (the rest is host work Powervisor did not
 * attribute).
 */
#ifndef PV_POWERMGR_SAMPLE_H
#define PV_POWERMGR_SAMPLE_H

#include <stdbool.h>
#include <stdint.h>

/* Idle periods that ended in the window, log2 µs buckets: [0,1), [1,2), [2,4) ... */
#define PM_IDLE_HIST_BUCKETS	24u

struct pm_cpu_sample {
	uint64_t window_ns;		/* length of the window */
	uint64_t guest_ns;		/* a vCPU ran guest code */
	uint64_t vmm_ns;		/* a vCPU thread was in its VMM handling an exit */
	uint64_t halt_ns;		/* a vCPU was halted (blocked or polling) */
	uint64_t halt_poll_ns;		/* of halt_ns, the host polled (CPU kept in C0) */
	uint64_t idle_ns;		/* no vCPU thread on this CPU */
	uint32_t idle_hist[PM_IDLE_HIST_BUCKETS];	/* idle period lengths */
	uint32_t rt_count;		/* RT activations in the window */
	bool rt_active;			/* an RT task was runnable at the end of the window */
	uint32_t cur_khz;		/* frequency in effect during the window */
};

struct pm_sample {
	uint64_t now_ns;		/* end of the window */
	unsigned int ncpus;
	struct pm_cpu_sample *cpu;	/* [ncpus] */
};

/* Bucket of an idle period of @ns nanoseconds. */
static inline unsigned int pm_idle_bucket(uint64_t ns)
{
	uint64_t us = ns / 1000;
	unsigned int b = 0;

	while (us) {
		b++;
		us >>= 1;
	}
	return b < PM_IDLE_HIST_BUCKETS ? b : PM_IDLE_HIST_BUCKETS - 1;
}

/* Lower bound of bucket @b in µs (0 for bucket 0). */
static inline uint64_t pm_idle_bucket_floor_us(unsigned int b)
{
	return b ? 1ull << (b - 1) : 0;
}

#endif /* PV_POWERMGR_SAMPLE_H */
