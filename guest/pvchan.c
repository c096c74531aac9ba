/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvguest paravirtual channel (vmm/pv_abi.h): one page per vCPU at pv_pages_gpa + 4096 *
 * vcpu, reached through the user-accessible identity map. Only the ring-3 runtime of the
 * page's vCPU writes it (it runs with interrupts off), so there is exactly one producer.
 *
 * Ring: head/tail are free-running. The producer keeps its own head and never reads it
 * back (a hostile task may scribble on the page: see hostile.c bad-pv); a tail that makes
 * head - tail exceed the ring size is treated as "full". A full ring drops the record and
 * counts it in `dropped`; crossing half full rings PV_DOORBELL_DRAIN (one exit, the VMM
 * drains before resuming us).
 *
 * Doorbells are deferred to the end of the runtime pass and ride on its exit trap
 * (SYS_*_DB in vectors.S): a separate trap call costs ~100 us on the build machines, the
 * piggyback 3 emulated instructions. A second doorbell in the same pass rings the first
 * one at once.
 */
#include "pvchan.h"
#include "arch.h"
#include "guest.h"
#include "lib.h"
#include "sched.h"

#define PVCHAN_MAX_GPA	(1ull << 32)	/* the identity map covers 4 GiB */

static void pvchan_ring_pending(struct pvchan *pv)
{
	if (pv->pending >= 0)
		outl(PV_PORT_DOORBELL, (uint32_t)pv->pending);
	pv->pending = -1;
}

static void pvchan_doorbell(struct pvchan *pv, enum pv_doorbell what)
{
	pv->doorbells++;
	pvchan_ring_pending(pv);
	pv->pending = what;
}

int32_t pvchan_take_doorbell(struct pvchan *pv)
{
	int32_t what = pv->pending;

	pv->pending = -1;
	return what;
}

void pvchan_init(struct pvchan *pv, uint32_t cpu)
{
	uint64_t gpa = guest.bi->pv_pages_gpa;

	memset(pv, 0, sizeof(*pv));
	pv->pending = -1;
	if (!gpa || gpa % PV_GPAGE_SIZE ||
	    gpa + (uint64_t)(cpu + 1) * PV_GPAGE_SIZE > PVCHAN_MAX_GPA)
		return;
	pv->page = (struct pv_gpage *)(uintptr_t)(gpa + (uint64_t)cpu * PV_GPAGE_SIZE);
	pv->head = 0;
	pv->page->head = 0;
	pv->page->dropped = 0;
	pv->page->flags = 0;
	memset(pv->page->tasks, 0, sizeof(pv->page->tasks));
}

void pvchan_emit(struct pvchan *pv, uint64_t tsc, enum pv_gev_type type, uint32_t task,
		 uint64_t a, uint64_t b)
{
	struct pv_gpage *pg = pv->page;
	struct pv_gev *e;
	uint32_t used;

	if (!pg)
		return;
	used = pv->head - READ_ONCE(pg->tail);
	if (used >= PV_GRING_SIZE) {
		WRITE_ONCE(pg->dropped, ++pv->dropped);
		return;
	}
	e = &pg->ring[pv->head & (PV_GRING_SIZE - 1)];
	e->tsc = tsc;
	e->type = type;
	e->task = task;
	e->a = a;
	e->b = b;
	barrier();			/* x86 keeps stores in order: record before head */
	WRITE_ONCE(pg->head, ++pv->head);
	pv->emitted++;
	if (used + 1 > PV_GRING_SIZE / 2)
		pvchan_doorbell(pv, PV_DOORBELL_DRAIN);
}

void pvchan_rt_runnable(struct pvchan *pv, bool runnable)
{
	struct pv_gpage *pg = pv->page;

	if (!pg)
		return;
	if (runnable)
		WRITE_ONCE(pg->flags, pg->flags | PV_GF_RT_RUNNABLE);
	else
		WRITE_ONCE(pg->flags, pg->flags & ~PV_GF_RT_RUNNABLE);
	pvchan_doorbell(pv, runnable ? PV_DOORBELL_RT_RUNNABLE : PV_DOORBELL_RT_IDLE);
}

void pvchan_publish(struct pvchan *pv, const struct task *t)
{
	struct pv_task_stats *s;

	if (!pv->page || t->slot >= PV_GUEST_MAX_TASKS)
		return;
	s = &pv->page->tasks[t->slot];
	s->id = t->id;
	s->cls = t->cls;
	s->activations = t->activations;
	s->completions = t->completions;
	s->misses = t->misses;
	s->progress = t->progress;
	s->lat_min_us = t->lat.count ? t->lat.min_us : 0;
	s->lat_max_us = t->lat.max_us;
	s->lat_p50_us = t->lat_p50_us;
	s->lat_p99_us = t->lat_p99_us;
	memcpy(s->lat_hist, t->lat.log2, sizeof(s->lat_hist));
}

void pvchan_done(struct pvchan *pv)
{
	if (!pv->page)
		return;
	WRITE_ONCE(pv->page->flags, (pv->page->flags & ~PV_GF_RT_RUNNABLE) | PV_GF_DONE);
	pvchan_doorbell(pv, PV_DOORBELL_SUMMARY);
	pvchan_ring_pending(pv);
}
