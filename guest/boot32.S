/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multiboot v1 entry (QEMU -kernel). QEMU only accepts an ELF64 through the a.out kludge
 * (flag bit 16), so the header carries explicit load/entry addresses (see pvguest.ld).
 *
 * Entered in 32-bit protected mode, paging off, EAX = 0x2badb002, EBX = multiboot info.
 * The page tables are static data (pagetable.S), so entering long mode costs ~15 emulated
 * ring-0 instructions. The 64-bit part turns the multiboot information into a pv_bootinfo
 * (multiboot.c) and joins the pv-vmm entry path at start64 as vCPU 0.
 */
#include "arch.h"

#define MB_MAGIC	0x1badb002
#define MB_FLAGS	((1 << 1) | (1 << 16))	/* memory info, address fields valid */
#define MB_BOOT_MAGIC	0x2badb002

	.section .multiboot, "a"
	.align 4
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long mb_header		/* header_addr */
	.long __image_start	/* load_addr */
	.long __data_end	/* load_end_addr */
	.long __bss_end		/* bss_end_addr */
	.long mb_entry32	/* entry_addr */

	.section .text.boot32, "ax"
	.code32
	.globl mb_entry32
mb_entry32:
	cli
	cmpl	$MB_BOOT_MAGIC, %eax
	jne	mb_hang
	movl	%ebx, %edi		/* multiboot info, zero-extended below */
	lgdt	gdt_ptr			/* 6-byte form: limit + low 32 bits of the base */
	movl	%cr4, %eax
	orl	$0x20, %eax		/* PAE */
	movl	%eax, %cr4
	movl	$boot_pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$0x100, %eax		/* LME */
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000001, %eax	/* PG | PE */
	movl	%eax, %cr0
	ljmp	$SEL_KCODE, $mb_entry64
mb_hang:
	hlt
	jmp	mb_hang

	.code64
mb_entry64:
	movl	$SEL_KDATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%edi, %edi
	movq	$(kstacks + KSTACK_BYTES), %rsp
	call	multiboot_bootinfo	/* rax = struct pv_bootinfo * */
	movq	%rax, %rdi
	xorl	%esi, %esi
	jmp	start64

	.section .note.GNU-stack, "", @progbits
