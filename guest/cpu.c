/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvguest descriptor tables. Ring 0, run once per vCPU at boot (each emulated instruction
 * costs ~1.3 us on the build machines: the IDT only gets the vectors pvguest uses).
 *
 * GDT: Linux's layout (see arch.h) plus one 16-byte TSS descriptor per CPU.
 * TSS: IST1 = end of this CPU's frame block, for every vector: the CPU always pushes its
 * frame into frames.hw (vectors.S). The panic path grows down from there into the CPU's
 * ring-0 stack (struct cpu_area). #UD is the trap-call gate.
 */
#include "cpu.h"
#include "lib.h"

#define RUNTIME_STACK_BYTES	16384

struct tss64 {
	uint32_t rsvd0;
	uint64_t rsp[3];
	uint64_t rsvd1;
	uint64_t ist[7];
	uint64_t rsvd2;
	uint16_t rsvd3;
	uint16_t iomap_base;
} __attribute__((packed));

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t rsvd;
} __attribute__((packed));

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

#define GATE_INT_DPL0	0x8e


uint64_t gdt[GDT_ENTRIES] __aligned(16) = {
	[0] = 0,
	[SEL_KCODE32 >> 3] = 0x00cf9a000000ffffull,	/* 32-bit code (multiboot stub) */
	[SEL_KCODE >> 3] = 0x00af9a000000ffffull,	/* 64-bit kernel code */
	[SEL_KDATA >> 3] = 0x00cf92000000ffffull,	/* kernel data */
	[4] = 0x00cffa000000ffffull,			/* 32-bit user code (layout only) */
	[SEL_UDATA >> 3] = 0x00cff2000000ffffull,	/* user data */
	[SEL_UCODE >> 3] = 0x00affa000000ffffull,	/* 64-bit user code */
};

struct desc_ptr gdt_ptr = { .limit = sizeof(gdt) - 1, .base = (uint64_t)gdt };

struct cpu_area cpu_areas[MAX_CPUS];
static struct tss64 cpu_tss[MAX_CPUS] __aligned(16);
static struct idt_gate idt[256] __aligned(16);
static uint8_t runtime_stacks[MAX_CPUS][RUNTIME_STACK_BYTES] __aligned(16);

extern char exc_stubs[];
extern char vec_timer[], vec_spurious[], vec_trap_call[];
extern char runtime_timer_entry[], runtime_yield_entry[];

static void idt_set(unsigned int vec, const void *handler, uint8_t ist, uint8_t type)
{
	uint64_t off = (uint64_t)handler;

	idt[vec] = (struct idt_gate){
		.off_lo = (uint16_t)off,
		.sel = SEL_KCODE,
		.ist = ist,
		.type_attr = type,
		.off_mid = (uint16_t)(off >> 16),
		.off_hi = (uint32_t)(off >> 32),
	};
}

void cpu_setup_tables(uint32_t ncpus)
{
	for (uint32_t c = 0; c < ncpus; c++) {
		uint64_t base = (uint64_t)&cpu_tss[c];
		uint64_t limit = sizeof(struct tss64) - 1;
		unsigned int slot = (SEL_TSS0 >> 3) + 2 * c;

		cpu_tss[c].ist[0] = (uint64_t)(&cpu_areas[c].frames + 1);
		cpu_tss[c].rsp[0] = cpu_tss[c].ist[0];
		cpu_tss[c].iomap_base = sizeof(struct tss64);
		gdt[slot] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 |
			    ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
		gdt[slot + 1] = base >> 32;
	}
	for (unsigned int v = 0; v < 32; v++)
		idt_set(v, exc_stubs + 16 * v, 1, GATE_INT_DPL0);
	idt_set(6, vec_trap_call, 1, GATE_INT_DPL0);
	idt_set(VEC_TIMER, vec_timer, 1, GATE_INT_DPL0);
	idt_set(VEC_SPURIOUS, vec_spurious, 1, GATE_INT_DPL0);
}

void cpu_load_tables(uint32_t cpu)
{
	struct desc_ptr idtr = { .limit = sizeof(idt) - 1, .base = (uint64_t)idt };
	uint16_t tr = (uint16_t)(SEL_TSS0 + 16 * cpu);

	__asm__ __volatile__("lidt %0" : : "m"(idtr));
	__asm__ __volatile__("ltr %0" : : "r"(tr));
}

static struct iret_frame cpu_user_frame(void *rip, uint64_t rsp, uint64_t rflags)
{
	return (struct iret_frame){
		.rip = (uint64_t)rip,
		.cs = SEL_UCODE,
		.rflags = rflags,
		.rsp = rsp,
		.ss = SEL_UDATA,
	};
}

void cpu_enter_ring3(uint32_t cpu, void *cookie, void (*fn)(void *))
{
	struct cpu_frames *f = &cpu_areas[cpu].frames;
	uint64_t top = (uint64_t)runtime_stacks[cpu] + RUNTIME_STACK_BYTES - 16;
	uint64_t rflags = RFLAGS_RSVD1;	/* IF = 0: the runtime is atomic */

	*(uint64_t *)top = (uint64_t)cookie;
	f->timer = cpu_user_frame(runtime_timer_entry, top, rflags);
	f->yield = cpu_user_frame(runtime_yield_entry, top, rflags);
	/* fn runs as if called: rsp = top - 8 keeps the ABI's entry alignment. */
	f->dispatch = cpu_user_frame((void *)fn, top - 8, rflags);
	__asm__ __volatile__("movq %0, %%rsp\n\tiretq"
			     : : "r"(&f->dispatch), "D"(cookie) : "memory");
	__builtin_unreachable();
}
