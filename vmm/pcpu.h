/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Physical-CPU tracking of vCPU threads. sched_getcpu() is served from the rseq area
 * (glibc >= 2.35) or the vDSO: a few nanoseconds, cheap enough to call at every exit.
 * A change since the last exit is recorded as PV_EV_MIGRATE (a = new, b = old pCPU).
 */
#ifndef PV_VMM_PCPU_H
#define PV_VMM_PCPU_H

#include <sched.h>
#include <stdint.h>

#include "tracer/ring.h"
#include "tracer/shm.h"

/* Returns the current CPU; records a migration when it differs from *@last. */
static inline int pcpu_track(int *last, struct pv_ring_prod *ring, uint16_t vcpu,
			     struct pv_vcpu_counters *vc, uint64_t tsc)
{
	int cpu = sched_getcpu();

	if (__builtin_expect(cpu == *last, 1) || cpu < 0)
		return cpu;
	if (*last >= 0) {
		struct pv_rec rec = { .tsc = tsc, .type = PV_EV_MIGRATE, .vcpu = vcpu,
				      .a = (uint32_t)cpu, .b = (uint64_t)*last };

		pv_ring_put(ring, &rec);
		atomic_store_explicit(&vc->migrations,
				      atomic_load_explicit(&vc->migrations, memory_order_relaxed) + 1,
				      memory_order_relaxed);
	}
	atomic_store_explicit(&vc->pcpu, (uint64_t)cpu, memory_order_relaxed);
	*last = cpu;
	return cpu;
}

#endif /* PV_VMM_PCPU_H */
