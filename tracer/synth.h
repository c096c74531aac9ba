/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A synthetic vCPU: realistic transition sequences without KVM, for `pv-trace demo`,
 * tests and benchmarks of everything downstream of the rings.
 *
 * One pv_synth models one vCPU running a guest with a periodic real-time task (id 1), two
 * best-effort tasks (ids 2 and 3, time-sliced) and an idle task (id 0). Each step is one
 * guest run (VM_ENTRY .. VM_EXIT) and the handling of its exit, stamped on a simulated TSC
 * timeline: exits of several reasons (PIO with a DEV_IO record, MMIO, HLT with a halt in
 * the VMM and an interrupt injection, INTR after a VMM timer fire, PV_CALL, IRQ_WINDOW),
 * KVM-statistics halt pairs inside runs, occasional migrations; on the guest ring task
 * switches, RT activations (lateness = wake-up delay), completions, misses and guest idle.
 * Records go through pv_ring_put; every one is counted as produced or dropped.
 */
#ifndef PV_TRACER_SYNTH_H
#define PV_TRACER_SYNTH_H

#include <stdbool.h>
#include <stdint.h>

#include "tracer/ring.h"

#define PV_SYNTH_RT_TASK	1u
#define PV_SYNTH_DEF_PERIOD_US	1000u
#define PV_SYNTH_DEF_WCET_US	200u

struct pv_synth {
	uint32_t vcpu;
	uint64_t tsc_per_us;		/* simulated TSC ticks per µs */
	uint64_t rng;			/* xorshift64* state */
	uint64_t now;			/* simulated TSC */
	struct pv_ring_prod *tr;	/* transition ring */
	struct pv_ring_prod *gr;	/* guest ring */
	/* guest model */
	uint32_t cur_task;		/* running guest task */
	uint32_t be_task;		/* best-effort task of the current slice */
	uint64_t be_slice_end;
	uint64_t release;		/* next RT release */
	bool job;			/* an RT job released and not complete */
	uint64_t job_release;
	uint64_t job_left;		/* ticks of work left */
	uint64_t next_timer;		/* next VMM timer expiry */
	uint32_t pcpu;
	bool gidle;			/* the guest reported idle (HALT_BEGIN guest) */
	uint64_t gidle_since;
	/* counters */
	uint64_t produced;
	uint64_t dropped;
	uint64_t steps;
};

/*
 * Start vCPU @vcpu at TSC @start_tsc with @tsc_khz ticks per ms (>= 1000) and a seed;
 * @tr / @gr are the producer handles of its transition and guest rings.
 */
void pv_synth_init(struct pv_synth *s, uint32_t vcpu, uint64_t tsc_khz, uint64_t start_tsc,
		   uint64_t seed, struct pv_ring_prod *tr, struct pv_ring_prod *gr);
/* One run + exit; returns the simulated TSC afterwards. */
uint64_t pv_synth_step(struct pv_synth *s);

#endif /* PV_TRACER_SYNTH_H */
