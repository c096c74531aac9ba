/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A transition timeline for replay: per physical CPU, the work that became runnable, in
 * the order it was released, as the VMM recorded it. Busy work is kept in cycles at the
 * recorded frequency so a replay at another frequency stretches or shrinks it; polling
 * halts keep their wall-clock length (a poll ends when the wake-up comes, not when work
 * is done). Built by a generator (workload.c) or from tracer records
 * (pm_timeline_from_records), consumed by the simulator (sim.c).
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
/* Busy work for one recorded interval of @ns at the recorded frequency. */
static inline uint64_t pm_timeline_cycles(const struct pm_timeline *tl, uint64_t ns)
{
	return ns * tl->rec_khz / 1000000u;
}

/* One vCPU's records (its transition ring and its guest ring, any order). */
struct pm_tl_stream {
	uint16_t vm;		/* VM index < nvms */
	uint16_t vcpu;
	uint32_t pcpu;		/* physical CPU at the first record */
	const struct pv_rec *recs;
	size_t n;
};

/*
 * Build a timeline from recorded streams. Records are validated (unknown types and
 * time going backwards are skipped and counted in *skipped); TSC is converted with
 * @tsc_khz relative to the earliest record. Per vCPU: VM_ENTRY..VM_EXIT is guest work,
 * VM_EXIT..VM_ENTRY is VMM work (overhead), HALT_BEGIN..HALT_END is idle, or polling when
 * the halt mode is PV_HALT_POLL; MIGRATE moves the vCPU to another pCPU; guest work
 * between RT_ACTIVATE and RT_COMPLETE (or a TASK_SWITCH to an RT task and away) is RT
 * work whose deadline is the activation plus its period (RT_ACTIVATE c), or RT_COMPLETE's
 * deadline when it carries one.
 */
int pm_timeline_from_records(struct pm_timeline *tl, const struct pm_tl_stream *streams,
			     unsigned int nstreams, uint64_t tsc_khz, size_t *skipped);

#endif /* PV_POWERMGR_TIMELINE_H */
