/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Ring-0 interrupt gates: the whole kernel fast path of pvguest.
 *
 * Guest ring-0 code is emulated instruction by instruction on the build machines (~1.3 us
 * each), so scheduling lives in a ring-3 runtime (sched.c) and ring 0 only does what needs
 * privilege: acknowledge the timer, arm it, halt, and change privilege level.
 *
 * Ring 3 reaches ring 0 with a trap call: `ud2` with r9 = SYS_* (the host here delivers
 * exceptions from guest ring 3, but neither `int n`, `syscall` nor `out`). Every vector
 * uses IST1, which points at the end of this CPU's frame block (struct cpu_frames): the
 * CPU pushes its 5-word frame into frames.hw, and the scheduling paths leave by iretq
 * through a frame prepared just below it. No general-purpose register is touched, so the
 * interrupted task's registers reach the ring-3 runtime intact and it saves them itself,
 * natively. Below frames.* lies this CPU's ring-0 stack, used only by the panic path.
 *
 *   path                     ring-0 instructions            leaves to
 *   timer irq (0x20)         3: EOI, sub, iretq             runtime_timer_entry (frames.timer)
 *   #UD dispatch             3: cmp, jae, jmp *table        the call below
 *   SYS_YIELD                +2: sub, iretq                 runtime_yield_entry (frames.yield)
 *   SYS_DISPATCH_*           +3: arm, sub, iretq            dispatch_tramp (frames.dispatch)
 *   SYS_IDLE_*               +3: arm, sti, hlt              (the timer gate on wake-up)
 *   SYS_*_DB                 +3: mov, mov, outl             a doorbell riding on the above
 *   SYS_OUT[BWL], SYS_INB    +3: in/out, add, iretq         the caller
 *   SYS_PIO_LOOP             +2 per iteration, +2           the caller
 *   spurious (0xff)          1: iretq                       wherever it came from
 * A preemption (timer -> runtime -> dispatch) is 9 emulated instructions and 4 privilege
 * transitions; a voluntary switch (yield -> runtime -> dispatch) is 11.
 */
#include "arch.h"

#include "vmm/pv_abi.h"

	.text
	.globl vec_timer
vec_timer:
	movl	$0, APIC_ALIAS + APIC_EOI
	subq	$(FRAMES_HW - FRAMES_TIMER), %rsp
	iretq

	.globl vec_spurious
vec_spurious:
	iretq

	/* #UD: a trap call when r9 is a call number, else a real fault (panic). */
	.globl vec_trap_call
vec_trap_call:
	cmpq	$SYS_MAX, %r9
	jae	exc_ud
	jmp	*sys_table(, %r9, 8)

	/* The runtime resumes the task past the ud2 (sched.c). */
sys_yield:
	subq	$(FRAMES_HW - FRAMES_YIELD), %rsp
	iretq

	/* ecx = MSR_TSC_DEADLINE, edx:eax = deadline (0 = disarm). */
sys_dispatch_tsc:
	wrmsr
	subq	$(FRAMES_HW - FRAMES_DISPATCH), %rsp
	iretq

	/* eax = LAPIC one-shot count (0 = disarm). */
sys_dispatch_oneshot:
	movl	%eax, APIC_ALIAS + APIC_TMICT
	subq	$(FRAMES_HW - FRAMES_DISPATCH), %rsp
	iretq

sys_idle_tsc:
	wrmsr
	sti
1:	hlt
	jmp	1b

sys_idle_oneshot:
	movl	%eax, APIC_ALIAS + APIC_TMICT
	sti
1:	hlt
	jmp	1b

	/* Doorbell variants: ebx = enum pv_doorbell, then as above. */
sys_dispatch_tsc_db:
	wrmsr
	movl	%ebx, %eax
	movl	$PV_PORT_DOORBELL, %edx
	outl	%eax, %dx
	subq	$(FRAMES_HW - FRAMES_DISPATCH), %rsp
	iretq

sys_dispatch_oneshot_db:
	movl	%eax, APIC_ALIAS + APIC_TMICT
	movl	%ebx, %eax
	movl	$PV_PORT_DOORBELL, %edx
	outl	%eax, %dx
	subq	$(FRAMES_HW - FRAMES_DISPATCH), %rsp
	iretq

sys_idle_tsc_db:
	wrmsr
	movl	%ebx, %eax
	movl	$PV_PORT_DOORBELL, %edx
	outl	%eax, %dx
	sti
1:	hlt
	jmp	1b

sys_idle_oneshot_db:
	movl	%eax, APIC_ALIAS + APIC_TMICT
	movl	%ebx, %eax
	movl	$PV_PORT_DOORBELL, %edx
	outl	%eax, %dx
	sti
1:	hlt
	jmp	1b

sys_outb:
	outb	%al, %dx
	addq	$TRAP_CALL_LEN, (%rsp)
	iretq
sys_outw:
	outw	%ax, %dx
	addq	$TRAP_CALL_LEN, (%rsp)
	iretq
sys_outl:
	outl	%eax, %dx
	addq	$TRAP_CALL_LEN, (%rsp)
	iretq
sys_inb:
	inb	%dx, %al
	addq	$TRAP_CALL_LEN, (%rsp)
	iretq

sys_pio_loop:
1:	outb	%al, %dx
	loop	1b
	addq	$TRAP_CALL_LEN, (%rsp)
	iretq

	/* rdi = enum hostile_r0 mode, rsi = argument; runs on this CPU's ring-0 stack. */
sys_service:
	call	hostile_ring0
1:	hlt
	jmp	1b

	.section .rodata
	.align	8
sys_table:
	.quad	sys_yield, sys_dispatch_tsc, sys_dispatch_oneshot, sys_idle_tsc
	.quad	sys_idle_oneshot, sys_outb, sys_outw, sys_outl, sys_inb, sys_pio_loop
	.quad	sys_service, sys_dispatch_tsc_db, sys_dispatch_oneshot_db, sys_idle_tsc_db
	.quad	sys_idle_oneshot_db
	.text

/*
 * Exceptions 0..31: 16-byte stubs at exc_stubs + 16 * vector (vector 6 is reached through
 * vec_trap_call), straight to the panic handler (trap.c) on this CPU's ring-0 stack. A
 * task fault ends the run: pvguest has no fault recovery.
 */
#define HAS_ERRCODE(v) ((v) == 8 || (v) == 10 || (v) == 11 || (v) == 12 || (v) == 13 || \
			(v) == 14 || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)
	.macro	EXC_STUB vec
	.align	16
	.if	HAS_ERRCODE(\vec)
	.else
	pushq	$0
	.endif
	pushq	$\vec
	jmp	exc_common
	.endm

	.align	16
	.globl exc_stubs
exc_stubs:
	.set	v, 0
	.rept	32
	EXC_STUB v
	.set	v, v + 1
	.endr

exc_ud = exc_stubs + 16 * 6

exc_common:
	PUSH_REGS
	movq	%rsp, %rdi
	call	trap_panic
1:	hlt
	jmp	1b

	.section .note.GNU-stack, "", @progbits
