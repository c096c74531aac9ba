/* SPDX-License-Identifier: GPL-2.0-only */
/* pvguest: the paravirtual channel to pv-vmm (vmm/pv_abi.h), ring 3, runtime only. */
#ifndef PVGUEST_PVCHAN_H
#define PVGUEST_PVCHAN_H

#include <stdbool.h>
#include <stdint.h>
#include "vmm/pv_abi.h"

struct task;

struct pvchan {
	struct pv_gpage *page;	/* NULL: no channel (QEMU, or pv_pages_gpa == 0) */
	uint32_t head;		/* private producer index: never read back from the page */
	uint32_t dropped;
	uint64_t emitted;
	uint64_t doorbells;
	int32_t pending;	/* doorbell to ring on the way out of the runtime, -1 = none */
};

void pvchan_init(struct pvchan *pv, uint32_t cpu);
void pvchan_emit(struct pvchan *pv, uint64_t tsc, enum pv_gev_type type, uint32_t task,
		 uint64_t a, uint64_t b);
/* Set or clear PV_GF_RT_RUNNABLE and ring RT_RUNNABLE / RT_IDLE. */
void pvchan_rt_runnable(struct pvchan *pv, bool runnable);
/* Copy a task's summary into its slot. */
void pvchan_publish(struct pvchan *pv, const struct task *t);
/* Summaries final: PV_GF_DONE, doorbell SUMMARY (rung at once). */
void pvchan_done(struct pvchan *pv);
/* The host's idle-poll window in µs (0 = halt at once), bounded by PV_IDLE_POLL_MAX_US. */
static inline uint32_t pvchan_idle_poll_us(const struct pvchan *pv)
{
	uint32_t us = pv->page ? pv->page->idle_poll_us : 0;

	return us > PV_IDLE_POLL_MAX_US ? PV_IDLE_POLL_MAX_US : us;
}
/* The doorbell to piggyback on the runtime's exit trap, or -1; clears it. */
int32_t pvchan_take_doorbell(struct pvchan *pv);

#endif /* PVGUEST_PVCHAN_H */
