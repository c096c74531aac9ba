/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvguest multiboot v1 support (QEMU -kernel): turn the multiboot information into the
 * struct pv_bootinfo that pv-vmm would have provided. Ring 0, called once from boot32.S.
 *
 * Only the raw facts are copied here (memory size, memory map, command line) — string work
 * is slow in emulated ring 0. The ring-3 init parses `workload=` and `duration_ms=` out of
 * the command line when PV_BI_F_QEMU is set (init.c). QEMU runs pvguest on one vCPU (no
 * SIPI support), without paravirtual pages; the TSC frequency is measured in ring 3.
 */
#include "guest.h"

#define MBI_F_MEM	(1u << 0)
#define MBI_F_CMDLINE	(1u << 2)
#define MBI_F_MMAP	(1u << 6)

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower_kb;
	uint32_t mem_upper_kb;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
} __attribute__((packed));

struct mb_mmap {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

static struct pv_bootinfo mb_bootinfo;

struct pv_bootinfo *multiboot_bootinfo(uint32_t mbi_addr);

struct pv_bootinfo *multiboot_bootinfo(uint32_t mbi_addr)
{
	const struct mb_info *mbi = (const struct mb_info *)(uintptr_t)mbi_addr;
	struct pv_bootinfo *bi = &mb_bootinfo;

	bi->magic = PV_BOOTINFO_MAGIC;
	bi->version = PV_BOOTINFO_VERSION;
	bi->nvcpus = 1;
	bi->flags = PV_BI_F_QEMU;
	if (mbi->flags & MBI_F_MEM)
		bi->mem_bytes = ((uint64_t)mbi->mem_upper_kb + 1024) * 1024;
	if (mbi->flags & MBI_F_MMAP) {
		uint32_t off = 0;

		while (off + sizeof(struct mb_mmap) <= mbi->mmap_length &&
		       bi->nr_mmap < PV_MMAP_MAX) {
			const struct mb_mmap *e =
				(const struct mb_mmap *)(uintptr_t)(mbi->mmap_addr + off);
			struct pv_mmap_entry *o = &bi->mmap[bi->nr_mmap++];

			o->addr = e->addr;
			o->len = e->len;
			o->type = e->type == 1 ? PV_MMAP_RAM : PV_MMAP_RESERVED;
			off += e->size + 4;
		}
	}
	if (mbi->flags & MBI_F_CMDLINE) {
		const char *src = (const char *)(uintptr_t)mbi->cmdline;
		size_t n = 0;

		while (n < PV_CMDLINE_MAX - 1 && src[n]) {
			bi->cmdline[n] = src[n];
			n++;
		}
	}
	return bi;
}
