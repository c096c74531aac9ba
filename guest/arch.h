/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvguest: x86-64 constants shared by the assembly and C parts, and the handful of inline
 * instruction wrappers. Everything here is usable from ring 0 and ring 3 unless noted.
 *
 * Segment layout copies Linux's (0x10 kernel code, 0x18 kernel data, 0x2b user data, 0x33 user
 * code, TSS at 0x40) so a host that runs guest user mode natively sees familiar selectors.
 */
#ifndef PVGUEST_ARCH_H
#define PVGUEST_ARCH_H

#define MAX_CPUS		8

#define SEL_KCODE32		0x08
#define SEL_KCODE		0x10
#define SEL_KDATA		0x18
#define SEL_UDATA		0x2b
#define SEL_UCODE		0x33
#define SEL_TSS0		0x40	/* + 16 * cpu */
#define GDT_ENTRIES		(8 + 2 * MAX_CPUS)

/* Interrupt vectors. */
#define VEC_TIMER		0x20
#define VEC_SPURIOUS		0xff

/*
 * Trap calls: ring 3 enters ring 0 with `ud2` (#UD, vector 6) and r9 = call number; see
 * vectors.S. The build machines' host delivers exceptions from guest ring 3 into the guest
 * IDT, but not `int n` (#UD), `syscall` (stays at CPL 3) or `out` (#GP).
 */
#define SYS_YIELD		0	/* task -> runtime: rdi = op, rsi = argument */
#define SYS_DISPATCH_TSC	1	/* runtime -> task via frames.dispatch, arm ecx/edx:eax */
#define SYS_DISPATCH_ONESHOT	2	/* runtime -> task via frames.dispatch, eax = count */
#define SYS_IDLE_TSC		3	/* runtime -> halt, arm ecx/edx:eax */
#define SYS_IDLE_ONESHOT	4	/* runtime -> halt, eax = count */
#define SYS_OUTB		5	/* dx = port, eax = value */
#define SYS_OUTW		6
#define SYS_OUTL		7
#define SYS_INB			8
#define SYS_PIO_LOOP		9	/* rcx x `outb al, dx` (pio-loop, exit-flood) */
#define SYS_SERVICE		10	/* hostile_ring0(rdi, rsi), never returns */
/* As SYS_DISPATCH_* / SYS_IDLE_*, first `outl ebx` to PV_PORT_DOORBELL (pvchan.c). */
#define SYS_DISPATCH_TSC_DB	11
#define SYS_DISPATCH_ONESHOT_DB	12
#define SYS_IDLE_TSC_DB		13
#define SYS_IDLE_ONESHOT_DB	14
#define SYS_MAX			15
#define TRAP_CALL_LEN		2	/* bytes of `ud2`: the return rip is past it */

#define RFLAGS_RSVD1		0x2
#define RFLAGS_IF		0x200

/* Per-CPU frame block (struct cpu_frames in cpu.h). IST1 points at its end, so the CPU
 * always pushes its 5-word interrupt frame into .hw; the gates then iret through one of the
 * prepared frames just below it. */
#define FRAME_BYTES		40
#define FRAMES_DISPATCH		0
#define FRAMES_YIELD		40
#define FRAMES_TIMER		80
#define FRAMES_HW		120
#define FRAMES_END		160

#define KSTACK_SHIFT		13	/* 8 KiB ring-0 stacks (boot; exceptions and service) */
#define KSTACK_BYTES		(1 << KSTACK_SHIFT)

#define APIC_PHYS		0xfee00000
#define APIC_ALIAS		0xffffffffffe00000	/* ring-0 alias reachable with a disp32 */
#define APIC_TPR		0x080
#define APIC_EOI		0x0b0
#define APIC_SVR		0x0f0
#define APIC_LVT_TIMER		0x320
#define APIC_LVT_LINT0		0x350
#define APIC_LVT_LINT1		0x360
#define APIC_LVT_ERROR		0x370
#define APIC_TMICT		0x380
#define APIC_TMCCT		0x390
#define APIC_TDCR		0x3e0

#define MSR_EFER		0xc0000080
#define MSR_TSC_DEADLINE	0x6e0

#ifndef __ASSEMBLY__
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define barrier()		__asm__ __volatile__("" ::: "memory")
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define __noreturn		__attribute__((noreturn))
#define __aligned(n)		__attribute__((aligned(n)))

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/*
 * Port I/O. The build machines' host runs guest ring 3 with the hardware IOPL 0 whatever the
 * guest's RFLAGS say (`out` in ring 3 raises #GP), so ring 3 uses trap calls whose ring-0
 * side is the bare instruction; ring 0 (the panic path) uses the instructions directly.
 */
static inline bool cpu_in_ring0(void)
{
	uint16_t cs;

	__asm__ __volatile__("mov %%cs, %0" : "=r"(cs));
	return (cs & 3) == 0;
}

static inline void pio_out(unsigned int nr, uint16_t port, uint32_t v)
{
	register uint64_t r9 __asm__("r9") = nr;

	__asm__ __volatile__("ud2" : : "r"(r9), "a"(v), "d"(port) : "memory");
}

static inline void outb(uint16_t port, uint8_t v)
{
	if (cpu_in_ring0())
		__asm__ __volatile__("outb %0, %1" : : "a"(v), "Nd"(port));
	else
		pio_out(SYS_OUTB, port, v);
}

static inline void outw(uint16_t port, uint16_t v)
{
	if (cpu_in_ring0())
		__asm__ __volatile__("outw %0, %1" : : "a"(v), "Nd"(port));
	else
		pio_out(SYS_OUTW, port, v);
}

static inline void outl(uint16_t port, uint32_t v)
{
	if (cpu_in_ring0())
		__asm__ __volatile__("outl %0, %1" : : "a"(v), "Nd"(port));
	else
		pio_out(SYS_OUTL, port, v);
}

static inline uint8_t inb(uint16_t port)
{
	register uint64_t r9 __asm__("r9") = SYS_INB;
	uint8_t v;

	if (cpu_in_ring0())
		__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	else
		__asm__ __volatile__("ud2" : "=a"(v) : "r"(r9), "d"(port) : "memory");
	return v;
}

/* Ring 3 only: n (>= 1) back-to-back `outb` exits from inside one trap call. */
static inline void pio_outb_loop(uint16_t port, uint8_t v, uint64_t n)
{
	register uint64_t r9 __asm__("r9") = SYS_PIO_LOOP;

	__asm__ __volatile__("ud2" : "+c"(n) : "r"(r9), "a"(v), "d"(port) : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c,
			 uint32_t *d)
{
	__asm__ __volatile__("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			     : "a"(leaf), "c"(sub));
}

static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

/* Memory-mapped LAPIC through the user-accessible identity map (ring 3 may use it). */
static inline uint32_t lapic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(uintptr_t)(APIC_PHYS + reg);
}

static inline void lapic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(APIC_PHYS + reg) = v;
}
#else /* __ASSEMBLY__ */

/* Push every general-purpose register in struct task_regs order (uentry.S, vectors.S). */
	.macro	PUSH_REGS
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	.endm
#endif /* !__ASSEMBLY__ */

#endif /* PVGUEST_ARCH_H */
