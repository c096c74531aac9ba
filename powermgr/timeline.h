/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A transition timeline for replay: per physical CPU, the work that became runnable, in
 * the order it was released, as the VMM recorded it. Busy work is kept in cycles at the
 * recorded frequency so a replay at another frequency stretches or shrinks it; polling
 * halts keep their wall-clock length (a poll ends when the wake-up comes, not when work
 * is done). Built by a generator (workload.c) or from tracer records
 * (pm_timeline_from_records, timeline_load.c), consumed by the simulator (sim.c).
 */
#ifndef PV_POWERMGR_TIMELINE_H
#define PV_POWERMGR_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tracer/event.h"

#define PM_TL_MAX_VMS		32u
#define PM_OWNER_IDLE		(-1)
#define PM_OWNER_OVERHEAD	(-2)

enum pm_tl_kind {
	PM_TL_GUEST = 0,	/* a vCPU runs guest code: owner = its VM */
	PM_TL_VMM,		/* the VMM handles an exit: owner = overhead */
	PM_TL_POLL,		/* the host polls for a halted vCPU: owner = its VM */
};

#define PM_TL_RT	0x1u	/* part of an RT job: preempts best-effort work */
#define PM_TL_JOB_END	0x2u	/* last item of an RT job: its completion is checked */
#define PM_TL_REC_MISS	0x4u	/* JOB_END: the job already missed its deadline when recorded */

struct pm_tl_item {
	uint64_t release_ns;	/* became runnable (recorded start) */
	uint64_t work_cycles;	/* GUEST / VMM: cycles at the recorded frequency */
	uint64_t poll_ns;	/* POLL: wall-clock length */
	uint64_t deadline_ns;	/* absolute; JOB_END items of RT jobs, 0 = none */
	uint16_t vm;		/* VM index (also for VMM items: who caused them) */
	uint16_t vcpu;
	uint8_t kind;		/* enum pm_tl_kind */
	uint8_t flags;		/* PM_TL_RT | PM_TL_JOB_END */
};

struct pm_tl_cpu {
	struct pm_tl_item *items;
	size_t n, cap;
};

struct pm_timeline {
	unsigned int ncpus;
	unsigned int nvms;
	uint32_t rec_khz;	/* frequency the trace was recorded at */
	uint64_t end_ns;	/* end of the recording */
	struct pm_tl_cpu *cpu;	/* [ncpus] */
	char vm_name[PM_TL_MAX_VMS][16];
};

int pm_timeline_init(struct pm_timeline *tl, unsigned int ncpus, unsigned int nvms,
		     uint32_t rec_khz);
void pm_timeline_free(struct pm_timeline *tl);
int pm_timeline_add(struct pm_timeline *tl, unsigned int cpu, const struct pm_tl_item *it);
/* Sort every CPU by release time (stable) and set end_ns if it is behind. */
void pm_timeline_finish(struct pm_timeline *tl);
/*
 * Reduce the busy work (GUEST and VMM items) of VM @vm to about @factor (0 < factor < 1)
 * of it, when the host says the VM got less CPU than its wall-clock intervals hold (other
 * processes shared its pCPUs unseen by the trace): whole items (slices) are emptied,
 * spread evenly over the recording; RT job ends are kept. Returns the work removed, in ns
 * at rec_khz.
 */
uint64_t pm_timeline_scale_vm(struct pm_timeline *tl, unsigned int vm, double factor);
/* Busy work for one recorded interval of @ns at the recorded frequency. */
static inline uint64_t pm_timeline_cycles(const struct pm_timeline *tl, uint64_t ns)
{
	return ns * tl->rec_khz / 1000000u;
}

/* One vCPU's records (its transition ring and its guest ring, any order). */
struct pm_tl_stream {
	uint16_t vm;		/* VM index < nvms */
	uint16_t vcpu;
	uint32_t pcpu;		/* physical CPU at the first record (a MIGRATE's old pCPU wins) */
	const struct pv_rec *recs;
	size_t n;
};

/* Longest item the loader emits: a time slice, so that work of vCPUs sharing a pCPU
 * interleaves in the replay as it did in the recording (CFS-like granularity). */
#define PM_TL_SLICE_NS		1000000ull

/* What the loader found, per VM index (all ns are recorded wall-clock time). */
struct pm_tl_load_stats {
	size_t skipped;			/* malformed / unmatched records */
	uint64_t jobs;			/* RT jobs replayed with a deadline */
	uint64_t jobs_incomplete;	/* activated, never completed: replayed as best effort */
	uint64_t migrations;
	uint64_t shared_ns;		/* pCPU time where 2+ vCPUs were runnable at once */
	uint64_t vm_run_ns[PM_TL_MAX_VMS];	/* VM_ENTRY..VM_EXIT */
	uint64_t vm_kvm_halt_ns[PM_TL_MAX_VMS];	/* halted as the VMM recorded (KVM stats) */
	uint64_t vm_guest_idle_ns[PM_TL_MAX_VMS]; /* idle as the guest reported it */
	uint64_t vm_halt_ns[PM_TL_MAX_VMS];	/* halted (idle or polling) as replayed */
	uint64_t vm_busy_ns[PM_TL_MAX_VMS];	/* guest + VMM intervals, wall clock */
	uint64_t vm_work_ns[PM_TL_MAX_VMS];	/* busy after sharing: replayed CPU time */
};

/*
 * Build a timeline from recorded streams (see timeline_load.c's design note for the rules).
 * Records are validated (unknown types, unmatched or out-of-range records are skipped and
 * counted); TSC is converted with @tsc_khz relative to the earliest record. Per vCPU:
 * VM_ENTRY..VM_EXIT is guest work minus halts, VM_EXIT..VM_ENTRY is VMM work (overhead)
 * minus halts outside KVM_RUN; halts are idle, or polling when the halt mode is
 * PV_HALT_POLL. KVM-derived halts (placed by the VMM at the end of their run interval)
 * are placed inside the guest's own idle reports when it makes them. MIGRATE moves the
 * vCPU to another pCPU. Guest work between RT_ACTIVATE and RT_COMPLETE (or a TASK_SWITCH
 * to an RT task and away) is RT work; the job's deadline is its release (activation
 * minus the reported lateness) plus RT_COMPLETE's relative deadline, or the period
 * (RT_ACTIVATE c). vCPUs busy on one pCPU at the same time shared it: each gets an equal
 * share of the overlap as work. Items are cut at PM_TL_SLICE_NS.
 */
int pm_timeline_from_records(struct pm_timeline *tl, const struct pm_tl_stream *streams,
			     unsigned int nstreams, uint64_t tsc_khz, size_t *skipped);
/* The same, with what the loader found (@st may be NULL). */
int pm_timeline_load(struct pm_timeline *tl, const struct pm_tl_stream *streams,
		     unsigned int nstreams, uint64_t tsc_khz, struct pm_tl_load_stats *st);

#endif /* PV_POWERMGR_TIMELINE_H */
