/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvguest timebase and LAPIC timer setup. Runs in ring 3: the LAPIC page is mapped
 * user-accessible and port I/O has its gates, so only the per-switch arm (one wrmsr or one
 * TMICT store, inside the dispatch/idle gates) needs ring 0 of its own.
 *
 * TSC frequency, in order: pv_bootinfo.tsc_khz (pv-vmm), the hypervisor timing leaf
 * 0x40000010, CPUID 0x15, and finally a 20 ms measurement against PIT channel 2 (QEMU).
 * Timer mode: TSC-deadline when PV_BI_F_TSC_DEADLINE (pv-vmm) or CPUID.1:ECX[24] (QEMU)
 * says so, else one-shot with the LAPIC rate measured against the TSC; `timer=` on the
 * command line overrides.
 */
#include "timer.h"
#include "console.h"
#include "lib.h"

#define PIT_HZ			1193182ull
#define PIT_CAL_MS		20
#define LAPIC_CAL_US		2000
#define LVT_MASKED		(1u << 16)
#define LVT_TSC_DEADLINE	(2u << 17)
#define CPUID1_ECX_TSC_DEADLINE	(1u << 24)

static uint64_t timer_pit_khz(void)
{
	uint64_t count = PIT_HZ * PIT_CAL_MS / 1000;
	uint64_t t0, t1, limit;

	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));	/* gate on, speaker off */
	outb(0x43, 0xb0);					/* ch2, lo/hi, mode 0 */
	outb(0x42, (uint8_t)count);
	outb(0x42, (uint8_t)(count >> 8));
	t0 = rdtsc();
	limit = t0 + 100000000000ull;				/* give up after ~30 s */
	while (!(inb(0x61) & 0x20))
		if (rdtsc() > limit)
			return 0;
	t1 = rdtsc();
	return (t1 - t0) / PIT_CAL_MS;
}

int timer_init_timebase(void)
{
	uint32_t a, b, c, d;
	uint64_t khz = guest.bi->tsc_khz;

	if (!khz) {
		cpuid(0x40000000, 0, &a, &b, &c, &d);
		if (a >= 0x40000010 && a < 0x40010000) {
			cpuid(0x40000010, 0, &a, &b, &c, &d);
			khz = a;
		}
	}
	if (!khz) {
		cpuid(0, 0, &a, &b, &c, &d);
		if (a >= 0x15) {
			cpuid(0x15, 0, &a, &b, &c, &d);
			if (a && b && c)
				khz = (uint64_t)c * b / a / 1000;
		}
	}
	if (!khz)
		khz = timer_pit_khz();
	if (!khz)
		return -EINVAL;
	guest.tsc_khz = khz;
	guest.ns_per_tsc_q32 = (1000000ull << 32) / khz;
	return 0;
}

void timer_choose_mode(int override)
{
	uint32_t a, b, c, d;
	bool deadline;

	if (guest.qemu) {
		cpuid(1, 0, &a, &b, &c, &d);
		deadline = (c & CPUID1_ECX_TSC_DEADLINE) != 0;
	} else {
		deadline = (guest.bi->flags & PV_BI_F_TSC_DEADLINE) != 0;
	}
	if (override >= 0)
		deadline = override == TIMER_TSC_DEADLINE;
	guest.timer = deadline ? TIMER_TSC_DEADLINE : TIMER_ONESHOT;
}

const char *timer_mode_name(enum timer_mode mode)
{
	return mode == TIMER_TSC_DEADLINE ? "deadline" : "oneshot";
}

static void timer_calibrate_oneshot(void)
{
	uint64_t t0, t1;
	uint32_t left;

	lapic_write(APIC_LVT_TIMER, VEC_TIMER | LVT_MASKED);
	lapic_write(APIC_TMICT, UINT32_MAX);
	t0 = rdtsc();
	while (rdtsc() - t0 < us_to_tsc(LAPIC_CAL_US))
		cpu_relax();
	left = lapic_read(APIC_TMCCT);
	t1 = rdtsc();
	lapic_write(APIC_TMICT, 0);
	guest.lapic_per_tsc_q32 = ((uint64_t)(UINT32_MAX - left) << 32) / (t1 - t0);
}

void timer_setup_cpu(uint32_t cpu)
{
	lapic_write(APIC_SVR, 0x100 | VEC_SPURIOUS);
	lapic_write(APIC_TPR, 0);
	lapic_write(APIC_LVT_LINT0, LVT_MASKED);
	lapic_write(APIC_LVT_LINT1, LVT_MASKED);
	lapic_write(APIC_LVT_ERROR, LVT_MASKED);
	lapic_write(APIC_TDCR, 0xb);				/* divide by 1 */
	if (guest.timer == TIMER_ONESHOT && cpu == 0)
		timer_calibrate_oneshot();
	lapic_write(APIC_LVT_TIMER,
		    VEC_TIMER | (guest.timer == TIMER_TSC_DEADLINE ? LVT_TSC_DEADLINE : 0));
}
