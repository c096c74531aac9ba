/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VM-exit dispatch: one switch over struct kvm_run's exit reason. Pure with respect to
 * KVM (it only reads and writes the kvm_run structure it is given), so unit tests feed it
 * hand-made kvm_run structures.
 */
#ifndef PV_VMM_EXIT_H
#define PV_VMM_EXIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "tracer/ring.h"
#include "tracer/shm.h"
#include "vmm/iobus.h"

enum exit_action {
	EXIT_CONTINUE = 0,	/* re-enter the guest */
	EXIT_HALT,		/* userspace HLT (no in-kernel irqchip): wait for an event */
	EXIT_END,		/* end the VM: ctx end_reason / end_status say why */
};

struct exit_ctx {
	uint16_t vcpu;			/* index for the records */
	const struct iobus *pio;
	const struct iobus *mmio;
	struct pv_ring_prod *ring;	/* this vCPU's transition ring, NULL = no records */
	struct pv_vcpu_counters *vc;	/* this vCPU's counters (exits by reason) */
	struct pv_vm_counters *vm;	/* unhandled_pio / unhandled_mmio */
	void *caller;			/* handed to devices (struct vcpu *) */
	/* out */
	uint32_t reason;		/* enum pv_exit_reason of the last exit */
	uint32_t end_reason;		/* enum pv_vm_end_reason when EXIT_END */
	uint64_t end_status;
};

/*
 * Handle one exit whose host TSC is @tsc: record PV_EV_VM_EXIT (reason, qualifier, data),
 * count it, and emulate PIO / MMIO. @run_size is the size of the kvm_run mapping (the PIO
 * data offset is checked against it).
 */
enum exit_action exit_dispatch(struct exit_ctx *c, struct kvm_run *run, size_t run_size,
			       uint64_t tsc);
/* KVM_RUN failed with @err (positive errno): record PV_EXIT_ERROR. */
void exit_record_error(struct exit_ctx *c, int err, uint64_t tsc);
/* Name of an end reason for messages ("triple-fault", ...). */
const char *exit_end_reason_name(unsigned int reason);

#endif /* PV_VMM_EXIT_H */
