// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exit dispatch. Policy: the guest is untrusted, so
 *   - an access nobody claims is counted (unhandled_pio / unhandled_mmio), reads return
 *     all-ones, and the guest keeps running: a probing guest must not be able to kill its
 *     VM by accident nor make the VMM log on every access;
 *   - exits that mean the guest cannot continue (triple fault, emulation failure, entry
 *     failure, a system event, an exit reason we do not know) are recorded with their
 *     reason and end the VM cleanly with an end reason, never by hanging or aborting.
 * Every exit is recorded in the vCPU's ring as PV_EV_VM_EXIT at the TSC the caller took
 * right after KVM_RUN returned.
 */
#include <errno.h>
#include <string.h>

#include "vmm/exit.h"
#include "vmm/pv_abi.h"

#define CTR_INC1(c) atomic_store_explicit(&(c), atomic_load_explicit(&(c), memory_order_relaxed) + 1, \
					  memory_order_relaxed)

static const char *const end_names[PV_END_REASON_MAX] = {
	[PV_END_NONE] = "none",
	[PV_END_POWEROFF] = "poweroff",
	[PV_END_RESET] = "reset",
	[PV_END_TRIPLE_FAULT] = "triple-fault",
	[PV_END_EMULATION] = "emulation-failure",
	[PV_END_ENTRY_FAILED] = "entry-failed",
	[PV_END_KVM_ERROR] = "kvm-error",
	[PV_END_DURATION] = "duration",
	[PV_END_SHUTDOWN] = "shutdown",
	[PV_END_EXIT_FLOOD] = "exit-flood",
	[PV_END_UNKNOWN_EXIT] = "unknown-exit",
};

const char *exit_end_reason_name(unsigned int reason)
{
	return reason < PV_END_REASON_MAX && end_names[reason] ? end_names[reason] : "?";
}

static void exit_record(struct exit_ctx *c, uint64_t tsc, uint32_t reason, uint64_t b, uint64_t d)
{
	c->reason = reason;
	if (c->vc)
		CTR_INC1(c->vc->exits[reason]);
	if (c->ring) {
		struct pv_rec rec = { .tsc = tsc, .type = PV_EV_VM_EXIT, .vcpu = c->vcpu,
				      .a = reason, .b = b, .c = d };

		pv_ring_put(c->ring, &rec);
	}
}

static enum exit_action exit_end(struct exit_ctx *c, uint32_t end_reason, uint64_t status)
{
	c->end_reason = end_reason;
	c->end_status = status;
	return EXIT_END;
}

static enum exit_action exit_pio(struct exit_ctx *c, struct kvm_run *run, size_t run_size,
				 uint64_t tsc)
{
	uint16_t port = run->io.port;
	uint32_t size = run->io.size, count = run->io.count, i;
	bool out = run->io.direction == KVM_EXIT_IO_OUT;
	uint64_t off = run->io.data_offset, first = 0;
	uint8_t *data;
	uint32_t reason = port >= PV_PORT_BASE && port < PV_PORT_BASE + PV_PORT_COUNT ?
			  PV_EXIT_PV_CALL : PV_EXIT_PIO;

	if ((size != 1 && size != 2 && size != 4) || count == 0 ||
	    off < sizeof(*run) || off > run_size || (uint64_t)size * count > run_size - off) {
		exit_record(c, tsc, PV_EXIT_OTHER, port, KVM_EXIT_IO);
		return exit_end(c, PV_END_UNKNOWN_EXIT, KVM_EXIT_IO);
	}
	data = (uint8_t *)run + off;
	if (out)
		memcpy(&first, data, size);
	exit_record(c, tsc, reason, (uint64_t)port | (uint64_t)size << 16 | (uint64_t)out << 24,
		    first);
	for (i = 0; i < count; i++, data += size) {
		if (iobus_access(c->pio, c->caller, port, data, size, out) == -ENOENT) {
			if (!out)
				memset(data, 0xff, size);
			if (c->vm)
				atomic_fetch_add_explicit(&c->vm->unhandled_pio, 1, memory_order_relaxed);
		}
	}
	return EXIT_CONTINUE;
}

static enum exit_action exit_mmio(struct exit_ctx *c, struct kvm_run *run, uint64_t tsc)
{
	uint64_t gpa = run->mmio.phys_addr;
	uint32_t len = run->mmio.len;
	bool wr = run->mmio.is_write;

	if (len == 0 || len > sizeof(run->mmio.data)) {
		exit_record(c, tsc, PV_EXIT_OTHER, gpa, KVM_EXIT_MMIO);
		return exit_end(c, PV_END_UNKNOWN_EXIT, KVM_EXIT_MMIO);
	}
	exit_record(c, tsc, PV_EXIT_MMIO, gpa, len | (uint64_t)wr << 8);
	if (iobus_access(c->mmio, c->caller, gpa, run->mmio.data, len, wr) == -ENOENT) {
		if (!wr)
			memset(run->mmio.data, 0xff, len);
		if (c->vm)
			atomic_fetch_add_explicit(&c->vm->unhandled_mmio, 1, memory_order_relaxed);
	}
	return EXIT_CONTINUE;
}

static enum exit_action exit_system_event(struct exit_ctx *c, struct kvm_run *run, uint64_t tsc)
{
	uint32_t type = run->system_event.type;

	exit_record(c, tsc, PV_EXIT_SYSTEM_EVENT, type, run->system_event.ndata);
	switch (type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		return exit_end(c, PV_END_POWEROFF, 0);
	case KVM_SYSTEM_EVENT_RESET:
		return exit_end(c, PV_END_RESET, 0);
	default:	/* crash, wakeup, suspend, SEV terminate: nothing we can resume */
		return exit_end(c, PV_END_UNKNOWN_EXIT, type);
	}
}

enum exit_action exit_dispatch(struct exit_ctx *c, struct kvm_run *run, size_t run_size,
			       uint64_t tsc)
{
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return exit_pio(c, run, run_size, tsc);
	case KVM_EXIT_MMIO:
		return exit_mmio(c, run, tsc);
	case KVM_EXIT_INTR:
		exit_record(c, tsc, PV_EXIT_INTR, 0, 0);
		return EXIT_CONTINUE;
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		exit_record(c, tsc, PV_EXIT_IRQ_WINDOW, 0, 0);
		return EXIT_CONTINUE;
	case KVM_EXIT_HLT:
		exit_record(c, tsc, PV_EXIT_HLT, 0, 0);
		return EXIT_HALT;
	case KVM_EXIT_SHUTDOWN:
		exit_record(c, tsc, PV_EXIT_SHUTDOWN, 0, 0);
		return exit_end(c, PV_END_TRIPLE_FAULT, 0);
	case KVM_EXIT_INTERNAL_ERROR:
		exit_record(c, tsc, PV_EXIT_INTERNAL_ERROR, run->internal.ndata,
			    run->internal.suberror);
		return exit_end(c, PV_END_EMULATION, run->internal.suberror);
	case KVM_EXIT_FAIL_ENTRY:
		exit_record(c, tsc, PV_EXIT_FAIL_ENTRY, run->fail_entry.cpu,
			    run->fail_entry.hardware_entry_failure_reason);
		return exit_end(c, PV_END_ENTRY_FAILED,
				run->fail_entry.hardware_entry_failure_reason);
	case KVM_EXIT_SYSTEM_EVENT:
		return exit_system_event(c, run, tsc);
	default:
		exit_record(c, tsc, PV_EXIT_OTHER, 0, run->exit_reason);
		return exit_end(c, PV_END_UNKNOWN_EXIT, run->exit_reason);
	}
}

void exit_record_error(struct exit_ctx *c, int err, uint64_t tsc)
{
	exit_record(c, tsc, PV_EXIT_ERROR, 0, (uint64_t)err);
}
