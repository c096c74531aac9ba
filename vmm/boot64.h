/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Direct 64-bit entry: boot page tables, flat GDT, vCPU register state, and the
 * struct pv_bootinfo handed to ELF guests (vmm/pv_abi.h "Boot contract").
 */
#ifndef PV_VMM_BOOT64_H
#define PV_VMM_BOOT64_H

#include <stdint.h>

#include "vmm/loader.h"
#include "vmm/mem.h"
#include "vmm/pv_abi.h"

#define BOOT64_SEL_CODE		0x08
#define BOOT64_SEL_DATA		0x10
#define BOOT64_SEL_TSS		0x18

/* Identity map of the first 4 GiB (2 MiB pages) plus -2 GiB -> 0, and the flat GDT. */
int boot64_setup_tables(const struct mem *m);
/* Long mode, CPL 0, interrupts off, RIP = @rip, RDI = @rdi, RSI = @rsi, RSP = 0. */
int boot64_setup_vcpu(int vcpu_fd, uint64_t rip, uint64_t rdi, uint64_t rsi);

struct boot64_info {
	uint32_t nvcpus;
	uint32_t flags;			/* PV_BI_F_* */
	uint64_t tsc_khz;
	uint64_t pv_pages_gpa;
	uint64_t duration_ms;
	const char *cmdline;		/* may be NULL */
	const char *workload;		/* may be NULL */
};

/* Write struct pv_bootinfo at MEM_BOOTINFO_GPA with a memory map from @lay. */
int boot64_write_bootinfo(const struct mem *m, const struct loader_layout *lay,
			  const struct boot64_info *bi);

#endif /* PV_VMM_BOOT64_H */
