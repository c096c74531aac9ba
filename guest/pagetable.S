/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Static page tables, assembled into the image so no ring-0 loop builds them (every ring-0
 * instruction is emulated on the build machines):
 *   - the first 4 GiB identity-mapped with 2 MiB pages, user-accessible (U=1): ring-3 tasks
 *     and the ring-3 runtime reach the paravirtual page, the bootinfo and the LAPIC directly.
 *     pvguest is a test OS: tasks are trusted, there is no protection between them.
 *   - one supervisor-only alias of the LAPIC page at APIC_ALIAS (-2 MiB), so the ring-0
 *     gates can write EOI / TMICT with a single disp32 instruction and no scratch register.
 */
#include "arch.h"

#define PTE_P	0x1
#define PTE_W	0x2
#define PTE_U	0x4
#define PTE_PWT	0x8
#define PTE_PCD	0x10
#define PTE_PS	0x80

	.section .data.pagetables, "aw"
	.align 4096
	.globl boot_pml4
boot_pml4:
	.quad	boot_pdpt + (PTE_P | PTE_W | PTE_U)
	.fill	510, 8, 0
	.quad	boot_pdpt_hi + (PTE_P | PTE_W)
boot_pdpt:
	.quad	boot_pd + 0x0000 + (PTE_P | PTE_W | PTE_U)
	.quad	boot_pd + 0x1000 + (PTE_P | PTE_W | PTE_U)
	.quad	boot_pd + 0x2000 + (PTE_P | PTE_W | PTE_U)
	.quad	boot_pd + 0x3000 + (PTE_P | PTE_W | PTE_U)
	.fill	508, 8, 0
boot_pdpt_hi:
	.fill	511, 8, 0
	.quad	boot_pd_hi + (PTE_P | PTE_W)
boot_pd_hi:
	.fill	511, 8, 0
	.quad	APIC_PHYS + (PTE_P | PTE_W | PTE_PWT | PTE_PCD | PTE_PS)
boot_pd:
	.set	i, 0
	.rept	1536			/* 0 .. 3 GiB: RAM, write-back */
	.quad	(i << 21) + (PTE_P | PTE_W | PTE_U | PTE_PS)
	.set	i, i + 1
	.endr
	.rept	512			/* 3 .. 4 GiB: MMIO hole, uncached */
	.quad	(i << 21) + (PTE_P | PTE_W | PTE_U | PTE_PCD | PTE_PWT | PTE_PS)
	.set	i, i + 1
	.endr

	.section .note.GNU-stack, "", @progbits
