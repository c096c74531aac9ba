/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * 64-bit entry (pv-vmm boot contract, vmm/pv_abi.h): every vCPU arrives here at once in long
 * mode, CPL 0, IF = 0, RSP = 0, RDI = &pv_bootinfo, RSI = vCPU index. The multiboot path
 * (boot32.S) arrives here too, as vCPU 0.
 *
 * Each vCPU switches to the static page tables (user-accessible identity map), takes its own
 * ring-0 stack by index, loads the guest's GDT, reloads the segment registers and calls
 * kmain(bootinfo, cpu). About 20 emulated instructions.
 */
#include "arch.h"

	.text
	.globl start64
start64:
	cli
	movl	$boot_pml4, %eax
	movq	%rax, %cr3
	cmpq	$MAX_CPUS, %rsi
	jae	park
	movq	%rsi, %rax
	incq	%rax
	shlq	$KSTACK_SHIFT, %rax
	addq	$kstacks, %rax
	movq	%rax, %rsp
	lgdt	gdt_ptr
	pushq	$SEL_KCODE
	pushq	$1f
	lretq
1:	movl	$SEL_KDATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs
	call	kmain
park:
	cli
	hlt
	jmp	park

	.bss
	.align	4096
	.globl kstacks
kstacks:
	.skip	KSTACK_BYTES * MAX_CPUS

	.section .note.GNU-stack, "", @progbits
