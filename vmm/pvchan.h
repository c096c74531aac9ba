/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Paravirtual channel, VMM side: drains one vCPU's guest event ring (struct pv_gpage in
 * guest RAM) into that vCPU's guest trace ring, and copies the guest's per-task summaries
 * into shared memory. Everything read from the page is untrusted (see pvchan.c).
 */
#ifndef PV_VMM_PVCHAN_H
#define PV_VMM_PVCHAN_H

#include <stdbool.h>
#include <stdint.h>

#include "tracer/ring.h"
#include "tracer/shm.h"
#include "vmm/pv_abi.h"

struct pvchan {
	struct pv_gpage *page;		/* host mapping of the guest page, NULL = none */
	uint32_t vcpu;
	uint32_t tail;			/* private: next record to read (never re-read from page) */
	int64_t tsc_offset;		/* guest TSC = host TSC + offset */
	uint64_t min_tsc;		/* host TSC at VM creation: nothing can be older */
	uint64_t slack_tsc;		/* tolerated "future" stamps (offset measurement error) */
	uint64_t last_tsc;		/* last host TSC emitted (monotonic per ring) */
	uint32_t last_flags;
	struct pv_ring_prod *ring;	/* the vCPU's guest ring, NULL = count only */
	struct pv_vcpu_counters *vc;
};

/* Initialise the page (magic, version, vcpu, ring order) and the drain state. */
void pvchan_init(struct pvchan *pc, void *page, uint32_t vcpu, int64_t tsc_offset,
		 uint64_t now_tsc, uint64_t tsc_khz, struct pv_ring_prod *ring,
		 struct pv_vcpu_counters *vc);

/* Publish the idle-poll window to the guest (pv_abi.h "Idle polling"); 0 = halt at once. */
static inline void pvchan_set_idle_poll(struct pvchan *pc, uint64_t poll_ns)
{
	if (pc->page)
		pc->page->idle_poll_us = (uint32_t)(poll_ns / 1000);
}

/* Cheap: anything to drain? (one load of the guest's head) */
static inline bool pvchan_pending(const struct pvchan *pc)
{
	return pc->page && pc->page->head != pc->tail;
}

/* Drain and validate; returns records accepted. @now_tsc bounds plausible stamps. */
unsigned int pvchan_drain(struct pvchan *pc, uint64_t now_tsc);
/* Mirror PV_GF_RT_RUNNABLE into rt_runnable; true when it changed. */
bool pvchan_sync_flags(struct pvchan *pc);
/* Copy validated task summaries into shared memory (seq odd while writing). */
void pvchan_sync_tasks(struct pvchan *pc);

#endif /* PV_VMM_PVCHAN_H */
