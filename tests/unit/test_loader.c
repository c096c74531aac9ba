// SPDX-License-Identifier: GPL-2.0-only
/* vmm/loader_elf.c and vmm/loader_bzimage.c on images built here, good and malformed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <elf.h>
#include <cmocka.h>
#include <asm/bootparam.h>

#include "vmm/loader.h"
#include "vmm/mem.h"

#define RAM (64ull << 20)

struct elfimg {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2];
	uint8_t code[64];
};

static void elf_good(struct elfimg *e)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
	e->eh.e_ident[EI_CLASS] = ELFCLASS64;
	e->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	e->eh.e_ident[EI_VERSION] = EV_CURRENT;
	e->eh.e_type = ET_EXEC;
	e->eh.e_machine = EM_X86_64;
	e->eh.e_version = EV_CURRENT;
	e->eh.e_entry = 0x100000;
	e->eh.e_phoff = offsetof(struct elfimg, ph);
	e->eh.e_ehsize = sizeof(Elf64_Ehdr);
	e->eh.e_phentsize = sizeof(Elf64_Phdr);
	e->eh.e_phnum = 2;
	e->ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
		.p_offset = offsetof(struct elfimg, code), .p_vaddr = 0x100000, .p_paddr = 0x100000,
		.p_filesz = 32, .p_memsz = 32 };
	e->ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W,
		.p_offset = offsetof(struct elfimg, code) + 32, .p_vaddr = 0x200000,
		.p_paddr = 0x200000, .p_filesz = 32, .p_memsz = 0x10000 };
	memset(e->code, 0x90, sizeof(e->code));
}

static void layout(struct loader_layout *lay)
{
	loader_layout_init(lay, RAM);
	loader_layout_reserve(lay, 0, MEM_LOW_RESERVED_END);
	loader_layout_reserve(lay, RAM - 2 * 4096, 2 * 4096);
}

enum elf_mut {
	M_NONE, M_MAGIC, M_CLASS32, M_BIGENDIAN, M_MACHINE, M_TYPE_DYN, M_PHENTSIZE, M_PHNUM0,
	M_PHNUM_HUGE, M_PHOFF_PAST, M_SEG_PAST_FILE, M_FILESZ_GT_MEMSZ, M_SEG_OUTSIDE_RAM,
	M_SEG_WRAP, M_SEG_LOW_VMM, M_SEG_PVPAGES, M_OVERLAP, M_ENTRY_OUTSIDE, M_HUGE_MEMSZ,
	M_NOLOAD, M_TRUNC_EHDR, M_HIGH_KERNEL_OK, M_HIGH_MISMATCH,
};

static void test_elf_table(void **state)
{
	static const struct {
		enum elf_mut m;
		int want;
		const char *msg;	/* substring of the error */
	} cases[] = {
		{ M_NONE, 0, NULL },
		{ M_MAGIC, -ENOEXEC, "magic" },
		{ M_CLASS32, -ENOEXEC, "64-bit" },
		{ M_BIGENDIAN, -ENOEXEC, "little-endian" },
		{ M_MACHINE, -ENOEXEC, "x86-64" },
		{ M_TYPE_DYN, -ENOEXEC, "ET_EXEC" },
		{ M_PHENTSIZE, -ENOEXEC, "program header size" },
		{ M_PHNUM0, -ENOEXEC, "program headers" },
		{ M_PHNUM_HUGE, -ENOEXEC, "program headers" },
		{ M_PHOFF_PAST, -ENOEXEC, "beyond the file" },
		{ M_SEG_PAST_FILE, -ENOEXEC, "beyond the file" },
		{ M_FILESZ_GT_MEMSZ, -ENOEXEC, "filesz > memsz" },
		{ M_SEG_OUTSIDE_RAM, -E2BIG, "outside guest RAM" },
		{ M_SEG_WRAP, -E2BIG, NULL },
		{ M_SEG_LOW_VMM, -EINVAL, "VMM area" },
		{ M_SEG_PVPAGES, -EINVAL, "VMM area" },
		{ M_OVERLAP, -EINVAL, "overlap" },
		{ M_ENTRY_OUTSIDE, -ENOEXEC, "entry" },
		{ M_HUGE_MEMSZ, -E2BIG, "absurd" },
		{ M_NOLOAD, -ENOEXEC, "no loadable" },
		{ M_TRUNC_EHDR, -ENOEXEC, "truncated" },
		{ M_HIGH_KERNEL_OK, 0, NULL },
		{ M_HIGH_MISMATCH, -ENOEXEC, "entry" },
	};
	struct loader_layout lay;
	unsigned int i;

	(void)state;
	layout(&lay);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct elfimg e;
		struct loader_elf_info info;
		size_t len = sizeof(e);
		char err[LOADER_ERR_MAX] = "";
		int ret;

		elf_good(&e);
		switch (cases[i].m) {
		case M_NONE: break;
		case M_MAGIC: e.eh.e_ident[1] = 'X'; break;
		case M_CLASS32: e.eh.e_ident[EI_CLASS] = ELFCLASS32; break;
		case M_BIGENDIAN: e.eh.e_ident[EI_DATA] = ELFDATA2MSB; break;
		case M_MACHINE: e.eh.e_machine = EM_386; break;
		case M_TYPE_DYN: e.eh.e_type = ET_DYN; break;
		case M_PHENTSIZE: e.eh.e_phentsize = 40; break;
		case M_PHNUM0: e.eh.e_phnum = 0; break;
		case M_PHNUM_HUGE: e.eh.e_phnum = 1000; break;
		case M_PHOFF_PAST: e.eh.e_phoff = sizeof(e) - 8; break;
		case M_SEG_PAST_FILE: e.ph[0].p_filesz = 4096; e.ph[0].p_memsz = 4096; break;
		case M_FILESZ_GT_MEMSZ: e.ph[0].p_memsz = 8; break;
		case M_SEG_OUTSIDE_RAM: e.ph[1].p_paddr = RAM - 4096; break;
		case M_SEG_WRAP: e.ph[1].p_paddr = UINT64_MAX - 16; break;
		case M_SEG_LOW_VMM: e.ph[1].p_paddr = 0x8000; break;
		case M_SEG_PVPAGES: e.ph[1].p_paddr = RAM - 0x10000 - 4096; e.ph[1].p_memsz = 0x10000; break;
		case M_OVERLAP: e.ph[1].p_paddr = 0x100010; break;
		case M_ENTRY_OUTSIDE: e.eh.e_entry = 0x300000; break;
		case M_HUGE_MEMSZ: e.ph[1].p_memsz = 1ull << 40; break;
		case M_NOLOAD: e.ph[0].p_type = PT_NOTE; e.ph[1].p_type = PT_NOTE; break;
		case M_TRUNC_EHDR: len = 40; break;
		case M_HIGH_KERNEL_OK:
			e.ph[0].p_vaddr = LOADER_KERNEL_BASE + 0x100000;
			e.eh.e_entry = LOADER_KERNEL_BASE + 0x100004;
			break;
		case M_HIGH_MISMATCH:
			e.ph[0].p_vaddr = LOADER_KERNEL_BASE + 0x400000;
			e.eh.e_entry = LOADER_KERNEL_BASE + 0x400004;
			break;
		}
		ret = loader_elf_parse(&e, len, &lay, &info, err, sizeof(err));
		if (ret != cases[i].want)
			fail_msg("case %u: got %d want %d (%s)", i, ret, cases[i].want, err);
		if (cases[i].msg && !strstr(err, cases[i].msg))
			fail_msg("case %u: message '%s' lacks '%s'", i, err, cases[i].msg);
		if (!ret) {
			assert_int_equal(info.nsegs, 2);
			assert_int_equal(info.lowest, 0x100000);
			assert_int_equal(info.highest, 0x210000);
		}
	}
}

static void test_elf_load(void **state)
{
	struct loader_layout lay;
	struct loader_elf_info info;
	struct elfimg e;
	struct mem m;
	char err[LOADER_ERR_MAX];
	uint8_t *p;

	(void)state;
	layout(&lay);
	elf_good(&e);
	e.code[40] = 0xab;
	assert_int_equal(mem_create(&m, RAM), 0);
	memset(mem_gpa(&m, 0x200000, 0x10000), 0xcc, 0x10000);
	assert_int_equal(loader_elf_parse(&e, sizeof(e), &lay, &info, err, sizeof(err)), 0);
	assert_int_equal(loader_elf_load(&e, sizeof(e), &info, &m), 0);
	p = mem_gpa(&m, 0x200000, 0x10000);
	assert_int_equal(p[8], 0xab);	/* file bytes */
	assert_int_equal(p[32], 0);	/* bss zeroed */
	assert_int_equal(p[0xffff], 0);
	assert_null(mem_gpa(&m, RAM - 1, 2));
	assert_non_null(mem_gpa(&m, RAM - 1, 1));
	mem_destroy(&m);
}

/* ---- bzImage ---------------------------------------------------------------------------- */
#define BZ_SETUP_SECTS	4
#define BZ_PAYLOAD	8192

static uint8_t *bz_good(size_t *len)
{
	size_t n = (BZ_SETUP_SECTS + 1) * 512 + BZ_PAYLOAD;
	uint8_t *img = calloc(1, n);
	struct setup_header *h = (struct setup_header *)(img + 0x1f1);

	h->setup_sects = BZ_SETUP_SECTS;
	h->boot_flag = 0xaa55;
	h->jump = 0x66eb;		/* jmp to 0x268 */
	h->header = 0x53726448;		/* "HdrS" */
	h->version = 0x020f;
	h->syssize = BZ_PAYLOAD / 16;
	h->relocatable_kernel = 1;
	h->kernel_alignment = 0x200000;
	h->xloadflags = XLF_KERNEL_64;
	h->cmdline_size = 2047;
	h->init_size = 0x100000;
	h->pref_address = 0x1000000;
	img[(BZ_SETUP_SECTS + 1) * 512] = 0xe9;	/* first payload byte */
	*len = n;
	return img;
}

enum bz_mut {
	B_NONE, B_SHORT, B_MAGIC, B_BOOTFLAG, B_OLD, B_NO64, B_TRUNC_SETUP, B_TRUNC_PAYLOAD,
	B_BIG_INIT, B_ABSURD_INIT, B_ALIGN, B_NOTRELOC_NOPREF, B_NOTRELOC_PREF, B_ZERO_SECTS,
};

static void test_bzimage_table(void **state)
{
	static const struct {
		enum bz_mut m;
		int want;
		const char *msg;
	} cases[] = {
		{ B_NONE, 0, NULL },
		{ B_SHORT, -ENOEXEC, "truncated setup header" },
		{ B_MAGIC, -ENOEXEC, "HdrS" },
		{ B_BOOTFLAG, -ENOEXEC, "boot flag" },
		{ B_OLD, -ENOEXEC, "2.12" },
		{ B_NO64, -ENOEXEC, "64-bit" },
		{ B_TRUNC_SETUP, -ENOEXEC, "truncated" },
		{ B_TRUNC_PAYLOAD, -ENOEXEC, "truncated payload" },
		{ B_BIG_INIT, -E2BIG, "guest RAM" },
		{ B_ABSURD_INIT, -E2BIG, "absurd" },
		{ B_ALIGN, -ENOEXEC, "alignment" },
		{ B_NOTRELOC_NOPREF, -ENOEXEC, "pref_address" },
		{ B_NOTRELOC_PREF, 0, NULL },
		{ B_ZERO_SECTS, -ENOEXEC, "truncated payload" },
	};
	struct loader_layout lay;
	unsigned int i;

	(void)state;
	layout(&lay);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		uint8_t *img = bz_good(&len);
		struct setup_header *h = (struct setup_header *)(img + 0x1f1);
		struct loader_bz_info info;
		char err[LOADER_ERR_MAX] = "";
		int ret;

		switch (cases[i].m) {
		case B_NONE: break;
		case B_SHORT: len = 0x200; break;
		case B_MAGIC: h->header = 0x12345678; break;
		case B_BOOTFLAG: h->boot_flag = 0; break;
		case B_OLD: h->version = 0x020a; break;
		case B_NO64: h->xloadflags = 0; break;
		case B_TRUNC_SETUP: h->setup_sects = 100; break;
		case B_TRUNC_PAYLOAD: h->syssize = BZ_PAYLOAD; break;
		case B_BIG_INIT: h->init_size = 60u << 20; break;
		case B_ABSURD_INIT: h->init_size = 0xf0000000u; break;
		case B_ALIGN: h->kernel_alignment = 0x3000; break;
		case B_NOTRELOC_NOPREF: h->relocatable_kernel = 0; h->pref_address = 0; break;
		case B_NOTRELOC_PREF: h->relocatable_kernel = 0; h->pref_address = 0x2000000; break;
		case B_ZERO_SECTS: h->setup_sects = 0; h->syssize = (BZ_PAYLOAD + 1024) / 16; break;
		}
		ret = loader_bzimage_parse(img, len, &lay, &info, err, sizeof(err));
		if (ret != cases[i].want)
			fail_msg("case %u: got %d want %d (%s)", i, ret, cases[i].want, err);
		if (cases[i].msg && !strstr(err, cases[i].msg))
			fail_msg("case %u: message '%s' lacks '%s'", i, err, cases[i].msg);
		if (cases[i].m == B_NONE) {
			assert_int_equal(info.load_gpa, 16u << 20);
			assert_int_equal(info.entry, (16u << 20) + 0x200);
			assert_int_equal(info.setup_bytes, (BZ_SETUP_SECTS + 1) * 512);
			assert_int_equal(info.hdr_end, 0x268);
		}
		if (cases[i].m == B_NOTRELOC_PREF)
			assert_int_equal(info.load_gpa, 0x2000000);
		free(img);
	}
}

static void test_bzimage_load(void **state)
{
	struct loader_layout lay;
	struct loader_bz_info info;
	struct boot_params *bp;
	struct mem m;
	char err[LOADER_ERR_MAX] = "";
	uint8_t initrd[5000];
	size_t len;
	uint8_t *img = bz_good(&len);

	(void)state;
	memset(initrd, 0x5a, sizeof(initrd));
	layout(&lay);
	assert_int_equal(mem_create(&m, RAM), 0);
	assert_int_equal(loader_bzimage_parse(img, len, &lay, &info, err, sizeof(err)), 0);
	assert_int_equal(loader_bzimage_load(img, len, &info, &lay, &m, "console=ttyS0", initrd,
					     sizeof(initrd), err, sizeof(err)), 0);
	bp = mem_gpa(&m, MEM_BOOTINFO_GPA, sizeof(*bp));
	assert_int_equal(bp->hdr.header, 0x53726448);
	assert_int_equal(bp->hdr.type_of_loader, 0xff);
	assert_int_equal(bp->hdr.cmd_line_ptr, MEM_CMDLINE_GPA);
	assert_string_equal((char *)mem_gpa(&m, MEM_CMDLINE_GPA, 14), "console=ttyS0");
	assert_int_equal(bp->hdr.ramdisk_size, sizeof(initrd));
	assert_true(bp->hdr.ramdisk_image + sizeof(initrd) <= RAM - 2 * 4096);
	assert_int_equal(*(uint8_t *)mem_gpa(&m, bp->hdr.ramdisk_image, 1), 0x5a);
	assert_int_equal(*(uint8_t *)mem_gpa(&m, 16u << 20, 1), 0xe9);
	assert_true(bp->e820_entries >= 3);
	assert_int_equal(bp->e820_table[2].addr, 0x100000);
	/* a command line longer than the kernel accepts is refused */
	{
		char big[3000];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		assert_int_equal(loader_bzimage_load(img, len, &info, &lay, &m, big, NULL, 0, err,
						     sizeof(err)), -E2BIG);
	}
	mem_destroy(&m);
	free(img);
}

static void test_read_file(void **state)
{
	void *buf;
	size_t len;

	(void)state;
	assert_int_equal(loader_read_file("/nonexistent/x", &buf, &len, 100), -ENOENT);
	assert_int_equal(loader_read_file("/", &buf, &len, 100), -EINVAL);
	assert_int_equal(loader_read_file("/proc/self/exe", &buf, &len, 100), -EFBIG);
	assert_true(loader_is_elf("\x7f" "ELF", 4));
	assert_false(loader_is_bzimage("xx", 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf_table),
		cmocka_unit_test(test_elf_load),
		cmocka_unit_test(test_bzimage_table),
		cmocka_unit_test(test_bzimage_load),
		cmocka_unit_test(test_read_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
