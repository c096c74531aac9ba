/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest RAM: one memfd mapped once in the VMM and registered as KVM memory slot 0 at
 * guest-physical 0. The guest-physical layout pv-vmm uses (all below 1 MiB is the VMM's):
 *
 *   0x0000 .. 0x0fff   unused (real-mode IVT area), GDT at MEM_GDT_GPA
 *   0x1000 .. 0x7fff   boot page tables (boot64.c)
 *   0x8000             struct pv_bootinfo (ELF) or Linux boot_params (bzImage)
 *   0x9000 .. 0x9fff   kernel command line (bzImage)
 *   0xa000 .. 0xffff   spare
 *   top of RAM         paravirtual pages, one per vCPU (ELF guests only)
 */
#ifndef PV_VMM_MEM_H
#define PV_VMM_MEM_H

#include <stdint.h>
#include <stddef.h>

#define MEM_GDT_GPA		0x0500ull
#define MEM_PML4_GPA		0x1000ull
#define MEM_PDPT_GPA		0x2000ull	/* identity, first 4 GiB */
#define MEM_PDPT_HI_GPA		0x3000ull	/* -2 GiB .. top -> physical 0 (kernel model) */
#define MEM_PD_GPA		0x4000ull	/* 4 pages: 4 GiB of 2 MiB pages */
#define MEM_BOOTINFO_GPA	0x8000ull
#define MEM_CMDLINE_GPA		0x9000ull
#define MEM_CMDLINE_MAX		4096ull
#define MEM_LOW_RESERVED_END	0x10000ull	/* [0, this) belongs to the VMM */

#define MIN_MEM_BYTES		(4ull << 20)
#define MAX_MEM_BYTES		(3ull << 30)	/* below the 32-bit MMIO hole */
#define DEF_MEM_BYTES		(64ull << 20)

struct mem {
	int fd;			/* memfd backing guest RAM, -1 when none */
	uint8_t *host;		/* VMM mapping of guest-physical 0 */
	uint64_t size;		/* bytes of guest RAM */
};

/* Create and map @size bytes (page multiple, MIN_MEM_BYTES .. MAX_MEM_BYTES). */
int mem_create(struct mem *m, uint64_t size);
void mem_destroy(struct mem *m);
/* Host pointer for [gpa, gpa + len), or NULL when any byte is outside RAM. */
void *mem_gpa(const struct mem *m, uint64_t gpa, uint64_t len);
/* Copy into guest RAM; -EFAULT when the range is outside RAM. */
int mem_write(const struct mem *m, uint64_t gpa, const void *src, uint64_t len);
/* Parse "64M", "1G", "65536K", "1048576": bytes, or -EINVAL. */
int mem_parse_size(const char *s, uint64_t *out);

#endif /* PV_VMM_MEM_H */
