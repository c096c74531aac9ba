/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvguest exception handler (ring 0, IST2): print what happened and power off with
 * GUEST_ERR_PANIC. pvguest has no fault recovery: a fault in a task or the runtime is a bug
 * (or a deliberate hostile mode), and the VMM should see the run end, not limp on.
 */
#include "guest.h"
#include "console.h"

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

void trap_panic(struct trap_frame *tf);

void trap_panic(struct trap_frame *tf)
{
	uint64_t cr2;
	uint16_t tr;

	__asm__ __volatile__("mov %%cr2, %0" : "=r"(cr2));
	__asm__ __volatile__("str %0" : "=r"(tr));
	cprintf_unlocked("pvguest: panic: cpu %u exception %lu err=%lx rip=%lx cs=%lx "
			 "rsp=%lx rflags=%lx cr2=%lx rax=%lx\n",
			 (unsigned int)((tr - SEL_TSS0) / 16), tf->vector, tf->error, tf->rip,
			 tf->cs, tf->rsp, tf->rflags, cr2, tf->rax);
	cprintf_unlocked("pvguest: done status=%d\n", GUEST_ERR_PANIC);
	guest_poweroff(GUEST_ERR_PANIC);
}
