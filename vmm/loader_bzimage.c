// SPDX-License-Identifier: GPL-2.0-only
/*
 * Linux bzImage through the 64-bit boot protocol (Documentation/arch/x86/boot.rst):
 * the protected-mode payload is copied to 16 MiB (aligned to kernel_alignment) when the
 * kernel is relocatable, else to pref_address; boot_params (the "zero page") gets the
 * image's setup header, our loader type, the command line, the initrd and an e820 map;
 * the 64-bit entry is the payload + 0x200 with RSI = boot_params. We insist on protocol
 * 2.12+ with XLF_KERNEL_64: older kernels cannot be entered in long mode.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <asm/bootparam.h>

#include "vmm/loader.h"

#define BZ_HDR_OFF		0x1f1
#define BZ_MAGIC_OFF		0x202
#define BZ_MIN_VERSION		0x020c
#define BZ_DEF_LOAD_GPA		(16ull << 20)
#define BZ_ENTRY64_OFF		0x200
#define BZ_LOADER_TYPE		0xff	/* undefined boot loader */
#define BZ_E820_RAM		1
#define BZ_E820_RESERVED	2
#define BZ_LOW_RAM_END		0x9fc00ull

static int bz_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

bool loader_is_bzimage(const void *img, size_t len)
{
	return len >= BZ_MAGIC_OFF + 4 && !memcmp((const char *)img + BZ_MAGIC_OFF, "HdrS", 4);
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return a ? (v + a - 1) / a * a : v;
}

int loader_bzimage_parse(const void *img, size_t len, const struct loader_layout *lay,
			 struct loader_bz_info *out, char *err, size_t errlen)
{
	const uint8_t *p = img;
	struct setup_header h;
	uint32_t setup_sects, hdr_end, align;
	uint64_t top = lay->ram_bytes;
	unsigned int i;

	memset(out, 0, sizeof(*out));
	if (len < BZ_HDR_OFF + sizeof(h))
		return bz_fail(err, errlen, -ENOEXEC, "bzImage: truncated setup header (%zu bytes)", len);
	if (!loader_is_bzimage(img, len))
		return bz_fail(err, errlen, -ENOEXEC, "bzImage: no \"HdrS\" magic");
	memcpy(&h, p + BZ_HDR_OFF, sizeof(h));
	if (h.boot_flag != 0xaa55)
		return bz_fail(err, errlen, -ENOEXEC, "bzImage: boot flag %#x != 0xaa55", h.boot_flag);
	if (h.version < BZ_MIN_VERSION)
		return bz_fail(err, errlen, -ENOEXEC,
			       "bzImage: boot protocol %u.%02u < 2.12 (no 64-bit entry)",
			       h.version >> 8, h.version & 0xff);
	if (!(h.xloadflags & XLF_KERNEL_64))
		return bz_fail(err, errlen, -ENOEXEC, "bzImage: no 64-bit entry (XLF_KERNEL_64 unset)");
	/* the jump at 0x200 is "jmp rel8": the header ends where it lands */
	hdr_end = 0x202 + p[0x201];
	if (hdr_end > BZ_HDR_OFF + sizeof(h))
		hdr_end = BZ_HDR_OFF + sizeof(h);
	setup_sects = h.setup_sects ? h.setup_sects : 4;
	out->setup_bytes = (setup_sects + 1) * 512;
	if (out->setup_bytes >= len)
		return bz_fail(err, errlen, -ENOEXEC, "bzImage: truncated (setup %u bytes, file %zu)",
			       out->setup_bytes, len);
	out->kernel_len = len - out->setup_bytes;
	if ((uint64_t)h.syssize * 16 > out->kernel_len + 15)
		return bz_fail(err, errlen, -ENOEXEC,
			       "bzImage: truncated payload (syssize says %llu, file has %llu)",
			       (unsigned long long)h.syssize * 16, (unsigned long long)out->kernel_len);
	align = h.kernel_alignment;
	if (h.relocatable_kernel) {
		if (align & (align - 1) || align > (1u << 30))
			return bz_fail(err, errlen, -ENOEXEC, "bzImage: absurd kernel alignment %#x", align);
		out->load_gpa = align_up(BZ_DEF_LOAD_GPA, align);
	} else {
		if (!h.pref_address)
			return bz_fail(err, errlen, -ENOEXEC, "bzImage: not relocatable and no pref_address");
		out->load_gpa = h.pref_address;
	}
	out->init_size = h.init_size > out->kernel_len ? h.init_size : out->kernel_len;
	if (out->init_size > LOADER_MAX_IMAGE)
		return bz_fail(err, errlen, -E2BIG, "bzImage: absurd init_size %#llx",
			       (unsigned long long)out->init_size);
	if (out->load_gpa > top || out->init_size > top - out->load_gpa)
		return bz_fail(err, errlen, -E2BIG,
			       "bzImage: kernel needs [%#llx, +%#llx), guest RAM is %llu MiB",
			       (unsigned long long)out->load_gpa, (unsigned long long)out->init_size,
			       (unsigned long long)(top >> 20));
	for (i = 0; i < lay->nreserved; i++)
		if (out->load_gpa < lay->reserved[i].end &&
		    lay->reserved[i].start < out->load_gpa + out->init_size)
			return bz_fail(err, errlen, -EINVAL, "bzImage: kernel overlaps a VMM area");
	out->version = h.version;
	out->hdr_end = hdr_end;
	out->entry = out->load_gpa + BZ_ENTRY64_OFF;
	out->cmdline_max = h.version >= 0x0206 ? h.cmdline_size : 255;
	out->initrd_addr_max = h.initrd_addr_max ? h.initrd_addr_max : 0x37ffffff;
	return 0;
}

static void bz_e820(struct boot_params *bp, const struct loader_layout *lay)
{
	struct boot_e820_entry *e = bp->e820_table;
	unsigned int n = 0, i;
	uint64_t ram_top = lay->ram_bytes;

	/* reserved areas at the top of RAM (paravirtual pages) are cut off the last entry */
	for (i = 0; i < lay->nreserved; i++)
		if (lay->reserved[i].end == lay->ram_bytes && lay->reserved[i].start < ram_top)
			ram_top = lay->reserved[i].start;
	e[n++] = (struct boot_e820_entry){ .addr = 0, .size = BZ_LOW_RAM_END, .type = BZ_E820_RAM };
	e[n++] = (struct boot_e820_entry){ .addr = BZ_LOW_RAM_END, .size = 0x100000 - BZ_LOW_RAM_END,
					   .type = BZ_E820_RESERVED };
	e[n++] = (struct boot_e820_entry){ .addr = 0x100000, .size = ram_top - 0x100000,
					   .type = BZ_E820_RAM };
	if (ram_top < lay->ram_bytes)
		e[n++] = (struct boot_e820_entry){ .addr = ram_top, .size = lay->ram_bytes - ram_top,
						   .type = BZ_E820_RESERVED };
	bp->e820_entries = (uint8_t)n;
}

int loader_bzimage_load(const void *img, size_t len, const struct loader_bz_info *info,
			const struct loader_layout *lay, const struct mem *m, const char *cmdline,
			const void *initrd, size_t initrd_len, char *err, size_t errlen)
{
	struct boot_params *bp = mem_gpa(m, MEM_BOOTINFO_GPA, sizeof(*bp));
	size_t cl = cmdline ? strlen(cmdline) : 0;
	uint8_t *dst;

	if (!bp || info->setup_bytes + info->kernel_len != len)
		return bz_fail(err, errlen, -EINVAL, "bzImage: image changed since parsing");
	if (cl + 1 > MEM_CMDLINE_MAX || cl > info->cmdline_max)
		return bz_fail(err, errlen, -E2BIG, "bzImage: command line longer than %u bytes",
			       info->cmdline_max < MEM_CMDLINE_MAX - 1 ? info->cmdline_max :
			       (unsigned int)MEM_CMDLINE_MAX - 1);
	dst = mem_gpa(m, info->load_gpa, info->init_size);
	if (!dst)
		return -EFAULT;
	memcpy(dst, (const uint8_t *)img + info->setup_bytes, info->kernel_len);

	memset(bp, 0, sizeof(*bp));
	memcpy((uint8_t *)bp + BZ_HDR_OFF, (const uint8_t *)img + BZ_HDR_OFF,
	       info->hdr_end - BZ_HDR_OFF);
	bp->hdr.type_of_loader = BZ_LOADER_TYPE;
	bp->hdr.loadflags |= CAN_USE_HEAP;
	bp->hdr.heap_end_ptr = 0xfe00;
	bp->hdr.code32_start = (uint32_t)info->load_gpa;
	bp->hdr.cmd_line_ptr = (uint32_t)MEM_CMDLINE_GPA;
	mem_write(m, MEM_CMDLINE_GPA, cmdline ? cmdline : "", cl + 1);

	if (initrd && initrd_len) {
		uint64_t limit = (uint64_t)info->initrd_addr_max + 1;
		uint64_t top = lay->ram_bytes, gpa;
		unsigned int i;

		for (i = 0; i < lay->nreserved; i++)
			if (lay->reserved[i].end == lay->ram_bytes && lay->reserved[i].start < top)
				top = lay->reserved[i].start;
		if (limit < top)
			top = limit;
		if (initrd_len > top)
			return bz_fail(err, errlen, -E2BIG, "bzImage: initrd does not fit");
		gpa = (top - initrd_len) & ~0xfffull;
		if (gpa < info->load_gpa + info->init_size)
			return bz_fail(err, errlen, -E2BIG,
				       "bzImage: initrd (%zu bytes) does not fit above the kernel",
				       initrd_len);
		mem_write(m, gpa, initrd, initrd_len);
		bp->hdr.ramdisk_image = (uint32_t)gpa;
		bp->hdr.ramdisk_size = (uint32_t)initrd_len;
	}
	bz_e820(bp, lay);
	return 0;
}
