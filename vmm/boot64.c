// SPDX-License-Identifier: GPL-2.0-only
/* Long-mode boot state shared by the ELF and bzImage paths. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "vmm/boot64.h"

#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_PS		(1ull << 7)
#define CR0_PE		(1ull << 0)
#define CR0_MP		(1ull << 1)
#define CR0_ET		(1ull << 4)
#define CR0_NE		(1ull << 5)
#define CR0_WP		(1ull << 16)
#define CR0_AM		(1ull << 18)
#define CR0_PG		(1ull << 31)
#define CR4_PAE		(1ull << 5)
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)

int boot64_setup_tables(const struct mem *m)
{
	uint64_t *pml4 = mem_gpa(m, MEM_PML4_GPA, 4096);
	uint64_t *pdpt = mem_gpa(m, MEM_PDPT_GPA, 4096);
	uint64_t *pdpt_hi = mem_gpa(m, MEM_PDPT_HI_GPA, 4096);
	uint64_t *pd = mem_gpa(m, MEM_PD_GPA, 4 * 4096);
	uint64_t *gdt = mem_gpa(m, MEM_GDT_GPA, 4 * 8);
	unsigned int i;

	if (!pml4 || !pdpt || !pdpt_hi || !pd || !gdt)
		return -EFAULT;
	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	memset(pdpt_hi, 0, 4096);
	pml4[0] = MEM_PDPT_GPA | PTE_P | PTE_RW;
	pml4[511] = MEM_PDPT_HI_GPA | PTE_P | PTE_RW;
	for (i = 0; i < 4; i++)
		pdpt[i] = (MEM_PD_GPA + i * 4096) | PTE_P | PTE_RW;
	/* -2 GiB: PDPT entries 510 and 511 -> the first two identity PDs (physical 0 .. 2 GiB) */
	pdpt_hi[510] = MEM_PD_GPA | PTE_P | PTE_RW;
	pdpt_hi[511] = (MEM_PD_GPA + 4096) | PTE_P | PTE_RW;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | PTE_P | PTE_RW | PTE_PS;

	gdt[0] = 0;
	gdt[1] = 0x00af9b000000ffffull;	/* 64-bit code, DPL 0 */
	gdt[2] = 0x00cf93000000ffffull;	/* data, DPL 0 */
	gdt[3] = 0x00808b0000000fffull;	/* busy 64-bit TSS (KVM needs a valid TR) */
	return 0;
}

static void seg_flat(struct kvm_segment *s, uint16_t sel, uint8_t type, int code)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = code ? 0 : 1, .s = 1, .l = code ? 1 : 0, .g = 1,
	};
}

int boot64_setup_vcpu(int vcpu_fd, uint64_t rip, uint64_t rdi, uint64_t rsi)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_fpu fpu;

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	seg_flat(&sregs.cs, BOOT64_SEL_CODE, 0xb, 1);
	seg_flat(&sregs.ds, BOOT64_SEL_DATA, 0x3, 0);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.tr = (struct kvm_segment){ .base = 0, .limit = 0xfff, .selector = BOOT64_SEL_TSS,
					 .type = 0xb, .present = 1, .s = 0 };
	sregs.gdt.base = MEM_GDT_GPA;
	sregs.gdt.limit = 4 * 8 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
	sregs.cr3 = MEM_PML4_GPA;
	sregs.cr4 = CR4_PAE;
	sregs.efer = EFER_LME | EFER_LMA;
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;

	memset(&fpu, 0, sizeof(fpu));
	fpu.fcw = 0x37f;
	fpu.mxcsr = 0x1f80;
	if (ioctl(vcpu_fd, KVM_SET_FPU, &fpu) < 0)
		return -errno;

	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2;
	regs.rip = rip;
	regs.rdi = rdi;
	regs.rsi = rsi;
	if (ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	return 0;
}

int boot64_write_bootinfo(const struct mem *m, const struct loader_layout *lay,
			  const struct boot64_info *bi)
{
	struct pv_bootinfo *b = mem_gpa(m, MEM_BOOTINFO_GPA, sizeof(*b));
	uint64_t cur = 0;
	unsigned int n = 0, i;

	if (!b)
		return -EFAULT;
	if ((bi->cmdline && strlen(bi->cmdline) >= PV_CMDLINE_MAX) ||
	    (bi->workload && strlen(bi->workload) >= PV_WORKLOAD_MAX))
		return -E2BIG;
	memset(b, 0, sizeof(*b));
	b->magic = PV_BOOTINFO_MAGIC;
	b->version = PV_BOOTINFO_VERSION;
	b->nvcpus = bi->nvcpus;
	b->flags = bi->flags;
	b->tsc_khz = bi->tsc_khz;
	b->mem_bytes = m->size;
	b->pv_pages_gpa = bi->pv_pages_gpa;
	b->duration_ms = bi->duration_ms;
	/* reserved areas are sorted by the caller: low VMM area first, pv pages last */
	for (i = 0; i < lay->nreserved && n + 2 <= PV_MMAP_MAX; i++) {
		const struct loader_area *a = &lay->reserved[i];

		if (a->start > cur)
			b->mmap[n++] = (struct pv_mmap_entry){ cur, a->start - cur, PV_MMAP_RAM, 0 };
		b->mmap[n++] = (struct pv_mmap_entry){ a->start, a->end - a->start,
						       PV_MMAP_RESERVED, 0 };
		cur = a->end;
	}
	if (cur < m->size && n < PV_MMAP_MAX)
		b->mmap[n++] = (struct pv_mmap_entry){ cur, m->size - cur, PV_MMAP_RAM, 0 };
	b->nr_mmap = n;
	if (bi->cmdline)
		strcpy(b->cmdline, bi->cmdline);
	if (bi->workload)
		strcpy(b->workload, bi->workload);
	return 0;
}
