/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel image loaders: ELF64 (pvguest, any ELF kernel, entered directly in long mode) and
 * Linux bzImage through the 64-bit boot protocol. Parsing is separate from loading so that
 * malformed images are rejected with a message before anything touches guest RAM, and so
 * the parsers can be unit-tested on images built in memory. Every size and offset read
 * from an image is checked (with overflow-safe arithmetic) against the image length, the
 * guest RAM size and the VMM's reserved areas.
 */
#ifndef PV_VMM_LOADER_H
#define PV_VMM_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/mem.h"

#define LOADER_MAX_RESERVED	4
#define LOADER_MAX_SEGS		16
#define LOADER_MAX_IMAGE	(512ull << 20)	/* no kernel we boot is bigger */
#define LOADER_ERR_MAX		160
#define LOADER_KERNEL_BASE	0xffffffff80000000ull	/* -2 GiB, mapped to physical 0 */

struct loader_area {
	uint64_t start;		/* guest physical, inclusive */
	uint64_t end;		/* exclusive */
};

/* Where an image may go. */
struct loader_layout {
	uint64_t ram_bytes;
	unsigned int nreserved;
	struct loader_area reserved[LOADER_MAX_RESERVED];	/* VMM areas images must avoid */
};

struct loader_seg {
	uint64_t file_off;
	uint64_t filesz;
	uint64_t paddr;
	uint64_t memsz;
};

struct loader_elf_info {
	uint64_t entry;			/* virtual entry (identity or -2 GiB map) */
	unsigned int nsegs;
	struct loader_seg segs[LOADER_MAX_SEGS];
	uint64_t lowest, highest;	/* physical extent of the image */
};

struct loader_bz_info {
	uint16_t version;		/* boot protocol version */
	uint32_t setup_bytes;		/* real-mode part: (setup_sects + 1) * 512 */
	uint32_t hdr_end;		/* setup header ends at this file offset */
	uint64_t kernel_len;		/* protected-mode payload bytes */
	uint64_t load_gpa;		/* where the payload goes */
	uint64_t entry;			/* load_gpa + 0x200 */
	uint64_t init_size;		/* memory the kernel needs from load_gpa */
	uint32_t cmdline_max;		/* longest command line the kernel accepts */
	uint32_t initrd_addr_max;
};

void loader_layout_init(struct loader_layout *lay, uint64_t ram_bytes);
int loader_layout_reserve(struct loader_layout *lay, uint64_t start, uint64_t len);

bool loader_is_elf(const void *img, size_t len);
bool loader_is_bzimage(const void *img, size_t len);

/* 0, or -EINVAL / -ENOEXEC / -E2BIG with a message in @err. */
int loader_elf_parse(const void *img, size_t len, const struct loader_layout *lay,
		     struct loader_elf_info *out, char *err, size_t errlen);
int loader_elf_load(const void *img, size_t len, const struct loader_elf_info *info,
		    const struct mem *m);

int loader_bzimage_parse(const void *img, size_t len, const struct loader_layout *lay,
			 struct loader_bz_info *out, char *err, size_t errlen);
/*
 * Copy the payload, write boot_params at MEM_BOOTINFO_GPA (e820 from @lay, command line at
 * MEM_CMDLINE_GPA) and the initrd (may be NULL) as high as allowed. Returns 0 or -errno.
 */
int loader_bzimage_load(const void *img, size_t len, const struct loader_bz_info *info,
			const struct loader_layout *lay, const struct mem *m, const char *cmdline,
			const void *initrd, size_t initrd_len, char *err, size_t errlen);

/* Read a whole file (at most @max bytes) into a malloc'd buffer. */
int loader_read_file(const char *path, void **buf, size_t *len, size_t max);

#endif /* PV_VMM_LOADER_H */
