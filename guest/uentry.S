/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Ring-3 side of a context switch (runs natively, at full speed).
 *
 * runtime_*_entry: the timer gate or SYS_YIELD irets here with IF = 0 and RSP = the top of this CPU's
 * runtime stack, whose first slot holds the struct cpu pointer. All general-purpose
 * registers still hold the interrupted task's values: push them (struct task_regs layout)
 * and call sched_enter(regs, cpu, reason), which never returns.
 *
 * dispatch_tramp: SYS_DISPATCH irets here with the task's RFLAGS (IF = 1) and RSP =
 * &task->regs. Pop every register, then RSP = task rsp - 8 where the runtime stored the
 * task's RIP, and ret. The sequence only reads the task's saved context, so an interrupt
 * that lands inside it (a deadline already due) is harmless: the runtime sees the RIP in
 * [dispatch_tramp, dispatch_tramp_end) and keeps the saved context (restartable sequence).
 */
#include "arch.h"

	.text
	.globl runtime_timer_entry
runtime_timer_entry:
	PUSH_REGS
	movl	$0, %edx		/* SCHED_ENTRY_TIMER */
	jmp	1f

	.globl runtime_yield_entry
runtime_yield_entry:
	PUSH_REGS
	movl	$1, %edx		/* SCHED_ENTRY_YIELD */
1:	movq	%rsp, %rdi
	movq	120(%rsp), %rsi		/* struct cpu * at the runtime stack top */
	subq	$8, %rsp
	call	sched_enter
2:	jmp	2b

	.globl dispatch_tramp
dispatch_tramp:
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	popq	%rsp
	ret
	.globl dispatch_tramp_end
dispatch_tramp_end:

	.section .note.GNU-stack, "", @progbits
