/* SPDX-License-Identifier: GPL-2.0-only */
/* pvguest: global state shared by every vCPU, and power-off. */
#ifndef PVGUEST_GUEST_H
#define PVGUEST_GUEST_H

#include "arch.h"
#include "vmm/pv_abi.h"

enum timer_mode {
	TIMER_TSC_DEADLINE = 0,		/* IA32_TSC_DEADLINE, armed by wrmsr in a gate */
	TIMER_ONESHOT,			/* LAPIC one-shot count, calibrated against the TSC */
};

/* Exit statuses (QEMU reports (status << 1) | 1). */
enum guest_status {
	GUEST_OK = 0,
	GUEST_ERR_SPEC = 2,		/* malformed workload spec or command line */
	GUEST_ERR_PANIC = 3,		/* unexpected exception */
	GUEST_ERR_BOOT = 4,		/* bad boot information */
};

struct guest {
	struct pv_bootinfo *bi;		/* written by the VMM or by multiboot.c */
	uint32_t ncpus;			/* vCPUs running pvguest: min(nvcpus, MAX_CPUS) */
	bool qemu;			/* PV_BI_F_QEMU: no pv-vmm ports or pages */
	uint64_t tsc_khz;
	uint64_t ns_per_tsc_q32;	/* tsc * this >> 32 = ns */
	enum timer_mode timer;
	uint64_t lapic_per_tsc_q32;	/* one-shot mode: LAPIC ticks per TSC tick << 32 */
	uint64_t duration_ms;		/* 0 = until the finite work ends */
	uint64_t start_tsc;		/* runtime start, shared by every vCPU */
	uint64_t r0_tsc;		/* TSC read in ring 0 just before the first drop to ring 3 */
	volatile uint32_t tables_ready;	/* vCPU 0 built GDT/IDT: others may load them */
	volatile uint32_t tasks_ready;	/* vCPU 0 parsed the workload: runtimes may start */
	volatile uint64_t first_task_tsc;	/* first dispatch of any task (reported at the end) */
};

extern struct guest guest;

/* Power the VM off with the given status (PV_PORT_EXIT, or isa-debug-exit under QEMU). */
__attribute__((noreturn)) void guest_poweroff(int status);

#endif /* PVGUEST_GUEST_H */
