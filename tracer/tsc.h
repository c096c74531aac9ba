/* SPDX-License-Identifier: GPL-2.0-only */
/* Reading the time stamp counter: the one clock every trace record carries. */
#ifndef PV_TRACER_TSC_H
#define PV_TRACER_TSC_H

#include <stdint.h>

/*
 * Plain RDTSC, not ordered against earlier loads: a transition stamp needs the order of
 * events on one thread, which program order already gives for stores to the ring, and an
 * LFENCE would double the cost on nested hosts.
 */
static inline uint64_t pv_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* RDTSCP: waits for earlier instructions; for measuring intervals in benchmarks. */
static inline uint64_t pv_rdtscp(void)
{
	uint32_t lo, hi, aux;

	__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	return (uint64_t)hi << 32 | lo;
}

#endif /* PV_TRACER_TSC_H */
