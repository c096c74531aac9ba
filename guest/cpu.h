/* SPDX-License-Identifier: GPL-2.0-only */
/* pvguest: descriptor tables (GDT, per-CPU TSS, IDT) and the per-CPU frame block. */
#ifndef PVGUEST_CPU_H
#define PVGUEST_CPU_H

#include "arch.h"

struct iret_frame {
	uint64_t rip;
	uint64_t cs;
	uint64_t rflags;
	uint64_t rsp;
	uint64_t ss;
};

/* IST1 = &frames + 1: the CPU pushes into .hw, the gates iret through the others. */
struct cpu_frames {
	struct iret_frame dispatch;	/* runtime -> task, written before each dispatch */
	struct iret_frame yield;	/* constant: runtime_yield_entry */
	struct iret_frame timer;	/* constant: runtime_timer_entry */
	struct iret_frame hw;		/* pushed by the CPU on every gate */
} __aligned(16);

_Static_assert(__builtin_offsetof(struct cpu_frames, yield) == FRAMES_YIELD, "frames");
_Static_assert(__builtin_offsetof(struct cpu_frames, timer) == FRAMES_TIMER, "frames");
_Static_assert(__builtin_offsetof(struct cpu_frames, hw) == FRAMES_HW, "frames");
_Static_assert(sizeof(struct cpu_frames) == FRAMES_END, "frames");

/* Per CPU: the ring-0 stack the panic path grows into, then the frame block (IST1 = end). */
struct cpu_area {
	uint8_t kstack[KSTACK_BYTES];
	struct cpu_frames frames;
} __aligned(16);

extern struct cpu_area cpu_areas[MAX_CPUS];

/* Ring 0, vCPU 0 once: TSS descriptors for ncpus and the shared IDT. */
void cpu_setup_tables(uint32_t ncpus);
/* Ring 0, every vCPU: load its TSS and the IDT. */
void cpu_load_tables(uint32_t cpu);
/*
 * Ring 0 -> ring 3 for good: set up this CPU's runtime frames so that the timer and yield
 * gates land in the runtime entries with RSP at the top of the runtime stack, whose first
 * slot holds `cookie`; then iret to fn(cookie) on that stack with IF = 0.
 */
__noreturn void cpu_enter_ring3(uint32_t cpu, void *cookie, void (*fn)(void *));

#endif /* PVGUEST_CPU_H */
