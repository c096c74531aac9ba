/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TSC <-> nanoseconds, the clocksource way: ns = (tsc * mult) >> shift.
 *
 * The frequency comes from the caller when it knows it (KVM_GET_TSC_KHZ on the VMM side, the
 * region header's tsc_khz on the consumer side), from CPUID (leaf 0x15 crystal ratio, the
 * hypervisor leaf 0x40000010, leaf 0x16 base MHz as a last resort) or from a calibration
 * against CLOCK_MONOTONIC_RAW.
 *
 * Conversion error. mult is the largest value below 2^63 that the shift allows (shift up to
 * 63), rounded down, and the product is formed in 128 bits, so the arithmetic never
 * overflows and the result never exceeds the exact value: exact - result lies in
 * [0, 1 + span / 2^shift) ns. shift >= 53 for every allowed frequency and 63 for any TSC
 * faster than 1 GHz, so the error is below 2 ns for spans under 2^53 ticks (45 days at 2.3 GHz),
 * below 1.5 ns for spans under 2^62 ticks above 1 GHz, and below 3 ns for any 64-bit span
 * above 1 GHz (checked in tests/unit/test_clock.c against exact 128-bit division). ns->tsc is the same
 * with the inverse ratio (error < 1 tick). The real error is therefore that of tsc_khz
 * itself: an integer kHz is within 0.5 kHz of the truth, 0.22 ppm at 2.3 GHz (0.22 us per
 * second of trace); a calibrated value is within the calibration error below.
 * Results that would not fit 64 bits saturate at UINT64_MAX.
 *
 * Calibration. pv_clock_calibrate() brackets CLOCK_MONOTONIC_RAW reads between two RDTSCs,
 * keeps the tightest of several samples at each end, sleeps @duration_ms in between and
 * divides. Its error is about (2 x bracket width) / duration: with a 50-100 ns bracket
 * (nested KVM host) and the default 50 ms, < 5 ppm; measured on the build machines (2.3 GHz
 * TSC, nested KVM) two successive 50 ms calibrations agree to the kHz (< 0.5 ppm) and match
 * the kernel's own calibration (2299.998 MHz); tests/unit/test_clock.c prints the figure.
 * Calibration takes @duration_ms plus ~0.1 ms.
 */
#ifndef PV_TRACER_CLOCK_H
#define PV_TRACER_CLOCK_H

#include <stdint.h>

#define PV_CLOCK_MIN_KHZ		1000ull		/* 1 MHz */
#define PV_CLOCK_MAX_KHZ		100000000ull	/* 100 GHz */
#define PV_CLOCK_DEF_CALIBRATE_MS	50u
#define PV_CLOCK_MIN_CALIBRATE_MS	1u
#define PV_CLOCK_MAX_CALIBRATE_MS	10000u

struct pv_clock {
	uint64_t tsc_khz;	/* TSC ticks per millisecond */
	uint64_t mult;		/* ns = (tsc * mult) >> shift */
	uint32_t shift;
	uint32_t inv_shift;	/* tsc = (ns * inv_mult) >> inv_shift */
	uint64_t inv_mult;
};

/* Set up the conversion for @tsc_khz (PV_CLOCK_MIN_KHZ .. PV_CLOCK_MAX_KHZ); 0 or -EINVAL. */
int pv_clock_init(struct pv_clock *clk, uint64_t tsc_khz);

/* TSC ticks (a difference or an absolute count) to ns, rounded down, saturating. */
static inline uint64_t pv_clock_tsc_to_ns(const struct pv_clock *clk, uint64_t tsc)
{
	unsigned __int128 p = (unsigned __int128)tsc * clk->mult >> clk->shift;

	return p >> 64 ? UINT64_MAX : (uint64_t)p;
}

/* ns to TSC ticks, rounded down, saturating. */
static inline uint64_t pv_clock_ns_to_tsc(const struct pv_clock *clk, uint64_t ns)
{
	unsigned __int128 p = (unsigned __int128)ns * clk->inv_mult >> clk->inv_shift;

	return p >> 64 ? UINT64_MAX : (uint64_t)p;
}

/*
 * TSC frequency from CPUID: leaf 0x15 (crystal ratio) or the hypervisor leaf 0x40000010,
 * exact; else leaf 0x16 (base MHz, 1 MHz grain). 0 or -ENOENT (nested KVM here: -ENOENT).
 */
int pv_clock_cpuid_khz(uint64_t *tsc_khz);

/*
 * Measure the TSC frequency against CLOCK_MONOTONIC_RAW over @duration_ms
 * (PV_CLOCK_MIN_CALIBRATE_MS .. PV_CLOCK_MAX_CALIBRATE_MS). 0, -EINVAL or -errno.
 */
int pv_clock_calibrate(uint64_t *tsc_khz, unsigned int duration_ms);

/* The best this host offers: an exact CPUID leaf, else a PV_CLOCK_DEF_CALIBRATE_MS calibration. */
int pv_clock_host_khz(uint64_t *tsc_khz);

#endif /* PV_TRACER_CLOCK_H */
