/* SPDX-License-Identifier: GPL-2.0-only */
/* pvguest: timebase (TSC frequency, conversions) and LAPIC timer setup, ring 3. */
#ifndef PVGUEST_TIMER_H
#define PVGUEST_TIMER_H

#include "guest.h"

/* vCPU 0: find the TSC frequency (bootinfo, hypervisor CPUID leaf, or the PIT). */
int timer_init_timebase(void);
/* vCPU 0: pick TSC-deadline or one-shot (override: -1 automatic, or enum timer_mode). */
void timer_choose_mode(int override);
/* Every vCPU: enable its LAPIC, mask LINT0/1, program the timer LVT (vCPU 0 calibrates
 * the one-shot rate). */
void timer_setup_cpu(uint32_t cpu);
const char *timer_mode_name(enum timer_mode mode);

static inline uint64_t tsc_to_ns(uint64_t tsc)
{
	return (uint64_t)(((unsigned __int128)tsc * guest.ns_per_tsc_q32) >> 32);
}

static inline uint64_t tsc_to_us(uint64_t tsc)
{
	return tsc_to_ns(tsc) / 1000;
}

static inline uint64_t us_to_tsc(uint64_t us)
{
	return us * guest.tsc_khz / 1000;
}

static inline uint64_t ms_to_tsc(uint64_t ms)
{
	return ms * guest.tsc_khz;
}

/* One-shot initial count that expires at deadline (>= 1), 0 for "no deadline". */
static inline uint32_t timer_oneshot_count(uint64_t deadline_tsc, uint64_t now_tsc)
{
	unsigned __int128 c;

	if (!deadline_tsc)
		return 0;
	if (deadline_tsc <= now_tsc)
		return 1;
	c = ((unsigned __int128)(deadline_tsc - now_tsc) * guest.lapic_per_tsc_q32) >> 32;
	return c == 0 ? 1 : c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
}

#endif /* PVGUEST_TIMER_H */
