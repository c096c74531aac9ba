// SPDX-License-Identifier: GPL-2.0-only
/*
 * Paravirtual channel ports (PV_PORT_BASE .. +7). The ring itself needs no exit; the
 * ports are for what must happen now:
 *   PV_PORT_DOORBELL  outl enum pv_doorbell: drain the calling vCPU's ring at once; the
 *                     RT runnable/idle doorbells also refresh rt_runnable in shared memory
 *                     at once (the daemon polls it); SUMMARY
 *                     copies the task summaries.
 *   PV_PORT_EXIT      outl status: power off (PV_END_POWEROFF with that status).
 * Reads return PV_CHAN_ID at offset 0 (presence probe) and 0 elsewhere. Bad doorbell
 * values are counted as guest rejects.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tracer/tsc.h"
#include "vmm/devices.h"
#include "vmm/pv_abi.h"
#include "vmm/vm.h"

#define PV_CHAN_ID	0x50564348u	/* "PVCH" */

static int pvchan_read(struct dev *d, void *caller, uint64_t off, void *data, uint32_t len)
{
	uint32_t v = off == 0 ? PV_CHAN_ID : 0;

	(void)d;
	(void)caller;
	memset(data, 0, len);
	memcpy(data, &v, len < 4 ? len : 4);
	return 0;
}

static void pvchan_doorbell(struct vcpu *v, uint32_t what)
{
	if (what >= PV_DOORBELL_MAX) {
		atomic_fetch_add_explicit(&v->vc->guest_rejects, 1, memory_order_relaxed);
		return;
	}
	pvchan_drain(&v->pv, pv_rdtsc());
	switch (what) {
	case PV_DOORBELL_RT_RUNNABLE:
	case PV_DOORBELL_RT_IDLE:
		/* shm only: waking the event thread here would preempt this vCPU (measured:
		 * ~450 us per doorbell on a 2-CPU host); it reports changes at its heartbeat */
		pvchan_sync_flags(&v->pv);
		break;
	case PV_DOORBELL_SUMMARY:
		pvchan_sync_tasks(&v->pv);
		break;
	default:
		break;
	}
}

static int pvchan_write(struct dev *d, void *caller, uint64_t off, const void *data, uint32_t len)
{
	struct vm *vm = d->priv;
	uint32_t val = 0;

	memcpy(&val, data, len < 4 ? len : 4);
	switch (off) {
	case PV_PORT_DOORBELL - PV_PORT_BASE:
		if (caller)
			pvchan_doorbell(caller, val);
		break;
	case PV_PORT_EXIT - PV_PORT_BASE:
		if (caller)
			pvchan_sync_tasks(&((struct vcpu *)caller)->pv);
		vm_end(vm, PV_END_POWEROFF, val);
		break;
	default:
		break;
	}
	return 0;
}

static void pvchan_destroy(struct dev *d)
{
	free(d);
}

static const struct dev_ops pvchan_ops = {
	.read = pvchan_read,
	.write = pvchan_write,
	.destroy = pvchan_destroy,
};

int dev_pvchan_create(struct vm *vm, struct dev **out)
{
	struct dev *d = calloc(1, sizeof(*d));
	int err;

	if (!d)
		return -ENOMEM;
	*d = (struct dev){ .name = "pvchan", .ops = &pvchan_ops, .priv = vm };
	err = vm_add_dev(vm, d, PV_PORT_BASE, PV_PORT_COUNT);
	if (err) {
		free(d);
		return err;
	}
	*out = d;
	return 0;
}
