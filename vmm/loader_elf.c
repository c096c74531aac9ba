// SPDX-License-Identifier: GPL-2.0-only
/*
 * ELF64 loader. Accepts only what pv-vmm can enter directly: little-endian x86-64
 * ET_EXEC images whose PT_LOAD segments lie in guest RAM, outside the VMM's areas and
 * outside each other, and whose entry point is inside a loaded segment and reachable
 * through the boot page tables (identity below 4 GiB or the -2 GiB kernel map).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "vmm/loader.h"

static int loader_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

void loader_layout_init(struct loader_layout *lay, uint64_t ram_bytes)
{
	memset(lay, 0, sizeof(*lay));
	lay->ram_bytes = ram_bytes;
}

int loader_layout_reserve(struct loader_layout *lay, uint64_t start, uint64_t len)
{
	if (lay->nreserved >= LOADER_MAX_RESERVED || start + len < start)
		return -ENOSPC;
	lay->reserved[lay->nreserved++] = (struct loader_area){ start, start + len };
	return 0;
}

static bool overlaps(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return a0 < b1 && b0 < a1;
}

bool loader_is_elf(const void *img, size_t len)
{
	return len >= SELFMAG && !memcmp(img, ELFMAG, SELFMAG);
}

static int elf_check_ehdr(const Elf64_Ehdr *eh, size_t len, char *err, size_t errlen)
{
	if (len < sizeof(*eh))
		return loader_fail(err, errlen, -ENOEXEC, "ELF: truncated header (%zu bytes)", len);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return loader_fail(err, errlen, -ENOEXEC, "ELF: not a 64-bit image");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return loader_fail(err, errlen, -ENOEXEC, "ELF: not little-endian");
	if (eh->e_machine != EM_X86_64)
		return loader_fail(err, errlen, -ENOEXEC, "ELF: machine %u is not x86-64",
				   eh->e_machine);
	if (eh->e_type != ET_EXEC)
		return loader_fail(err, errlen, -ENOEXEC, "ELF: type %u is not ET_EXEC", eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return loader_fail(err, errlen, -ENOEXEC, "ELF: program header size %u",
				   eh->e_phentsize);
	if (eh->e_phnum == 0 || eh->e_phnum > 64)
		return loader_fail(err, errlen, -ENOEXEC, "ELF: %u program headers", eh->e_phnum);
	if (eh->e_phoff > len || (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > len - eh->e_phoff)
		return loader_fail(err, errlen, -ENOEXEC, "ELF: program headers beyond the file");
	return 0;
}

/* Physical address the boot page tables map @va to, or UINT64_MAX. */
static uint64_t elf_va_to_pa(uint64_t va)
{
	if (va < (4ull << 30))
		return va;
	if (va >= LOADER_KERNEL_BASE)
		return va - LOADER_KERNEL_BASE;
	return UINT64_MAX;
}

static int elf_check_seg(const Elf64_Phdr *ph, size_t len, const struct loader_layout *lay,
			 char *err, size_t errlen)
{
	unsigned int i;

	if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset)
		return loader_fail(err, errlen, -ENOEXEC, "ELF: segment data beyond the file");
	if (ph->p_filesz > ph->p_memsz)
		return loader_fail(err, errlen, -ENOEXEC, "ELF: segment filesz > memsz");
	if (ph->p_memsz > LOADER_MAX_IMAGE)
		return loader_fail(err, errlen, -E2BIG, "ELF: absurd segment size %#llx",
				   (unsigned long long)ph->p_memsz);
	if (ph->p_paddr > lay->ram_bytes || ph->p_memsz > lay->ram_bytes - ph->p_paddr)
		return loader_fail(err, errlen, -E2BIG,
				   "ELF: segment [%#llx, +%#llx) outside guest RAM (%llu MiB)",
				   (unsigned long long)ph->p_paddr, (unsigned long long)ph->p_memsz,
				   (unsigned long long)(lay->ram_bytes >> 20));
	for (i = 0; i < lay->nreserved; i++)
		if (overlaps(ph->p_paddr, ph->p_paddr + ph->p_memsz, lay->reserved[i].start,
			     lay->reserved[i].end))
			return loader_fail(err, errlen, -EINVAL,
					   "ELF: segment [%#llx, +%#llx) overlaps the VMM area [%#llx, %#llx)",
					   (unsigned long long)ph->p_paddr,
					   (unsigned long long)ph->p_memsz,
					   (unsigned long long)lay->reserved[i].start,
					   (unsigned long long)lay->reserved[i].end);
	return 0;
}

int loader_elf_parse(const void *img, size_t len, const struct loader_layout *lay,
		     struct loader_elf_info *out, char *err, size_t errlen)
{
	const Elf64_Ehdr *eh = img;
	bool entry_ok = false;
	unsigned int i, j;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!loader_is_elf(img, len))
		return loader_fail(err, errlen, -ENOEXEC, "ELF: bad magic");
	ret = elf_check_ehdr(eh, len, err, errlen);
	if (ret)
		return ret;
	out->lowest = UINT64_MAX;
	for (i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		struct loader_seg *s;

		memcpy(&ph, (const char *)img + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		ret = elf_check_seg(&ph, len, lay, err, errlen);
		if (ret)
			return ret;
		if (out->nsegs >= LOADER_MAX_SEGS)
			return loader_fail(err, errlen, -E2BIG, "ELF: more than %d PT_LOAD segments",
					   LOADER_MAX_SEGS);
		for (j = 0; j < out->nsegs; j++)
			if (overlaps(ph.p_paddr, ph.p_paddr + ph.p_memsz, out->segs[j].paddr,
				     out->segs[j].paddr + out->segs[j].memsz))
				return loader_fail(err, errlen, -EINVAL,
						   "ELF: segments %u and %u overlap", j, out->nsegs);
		if (eh->e_entry >= ph.p_vaddr && eh->e_entry - ph.p_vaddr < ph.p_memsz &&
		    elf_va_to_pa(eh->e_entry) == eh->e_entry - ph.p_vaddr + ph.p_paddr)
			entry_ok = true;
		s = &out->segs[out->nsegs++];
		*s = (struct loader_seg){ .file_off = ph.p_offset, .filesz = ph.p_filesz,
					  .paddr = ph.p_paddr, .memsz = ph.p_memsz };
		if (s->paddr < out->lowest)
			out->lowest = s->paddr;
		if (s->paddr + s->memsz > out->highest)
			out->highest = s->paddr + s->memsz;
	}
	if (!out->nsegs)
		return loader_fail(err, errlen, -ENOEXEC, "ELF: no loadable segment");
	if (!entry_ok)
		return loader_fail(err, errlen, -ENOEXEC,
				   "ELF: entry %#llx is not in a loaded, mapped segment",
				   (unsigned long long)eh->e_entry);
	out->entry = eh->e_entry;
	return 0;
}

int loader_elf_load(const void *img, size_t len, const struct loader_elf_info *info,
		    const struct mem *m)
{
	unsigned int i;

	for (i = 0; i < info->nsegs; i++) {
		const struct loader_seg *s = &info->segs[i];
		uint8_t *dst = mem_gpa(m, s->paddr, s->memsz);

		if (!dst || s->file_off > len || s->filesz > len - s->file_off)
			return -EFAULT;
		memcpy(dst, (const uint8_t *)img + s->file_off, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
	return 0;
}

int loader_read_file(const char *path, void **buf, size_t *len, size_t max)
{
	struct stat st;
	size_t done = 0;
	void *p;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		goto out_errno;
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		goto out_close_fd;
	}
	if ((uint64_t)st.st_size > max || st.st_size == 0) {
		err = st.st_size ? -EFBIG : -ENOEXEC;
		goto out_close_fd;
	}
	p = malloc((size_t)st.st_size);
	if (!p) {
		err = -ENOMEM;
		goto out_close_fd;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, (char *)p + done, (size_t)st.st_size - done);

		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			free(p);
			goto out_close_fd;
		}
		done += (size_t)n;
	}
	close(fd);
	*buf = p;
	*len = done;
	return 0;

out_errno:
	err = -errno;
out_close_fd:
	close(fd);
	return err;
}
