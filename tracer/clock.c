// SPDX-License-Identifier: GPL-2.0-only
/*
 * TSC <-> ns conversion factors, CPUID frequency discovery and calibration.
 *
 * Design note: the factors are computed once, in 128-bit arithmetic, as the largest
 * multiplier below 2^63 for the frequency (see clock.h for the error this gives); the
 * conversions themselves are inline in clock.h (one 64x64->128 multiply and a shift).
 * Calibration pairs RDTSC with CLOCK_MONOTONIC_RAW (not NTP-slewed, so it measures the
 * oscillator, not the time service), keeping the sample whose RDTSC bracket around
 * clock_gettime() is tightest so a preemption or a slow vDSO call cannot skew an end point.
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>
#include <cpuid.h>

#include "tracer/clock.h"
#include "tracer/tsc.h"

#define NS_PER_MS		1000000ull
#define CAL_SAMPLES		16
#define CPUID_LEAF_TSC		0x15u
#define CPUID_LEAF_FREQ		0x16u
#define CPUID_HV_BASE		0x40000000u
#define CPUID_HV_TSC_KHZ	0x40000010u

/* Largest shift <= 63 with (num << shift) / den < 2^63; the multiplier goes to *mult. */
static uint32_t clock_factor(uint64_t num, uint64_t den, uint64_t *mult)
{
	uint32_t shift;

	for (shift = 63; shift > 0; shift--) {
		unsigned __int128 m = ((unsigned __int128)num << shift) / den;

		if (m < ((unsigned __int128)1 << 63)) {
			*mult = (uint64_t)m;
			return shift;
		}
	}
	*mult = num / den;
	return 0;
}

int pv_clock_init(struct pv_clock *clk, uint64_t tsc_khz)
{
	if (!clk || tsc_khz < PV_CLOCK_MIN_KHZ || tsc_khz > PV_CLOCK_MAX_KHZ)
		return -EINVAL;
	clk->tsc_khz = tsc_khz;
	clk->shift = clock_factor(NS_PER_MS, tsc_khz, &clk->mult);
	clk->inv_shift = clock_factor(tsc_khz, NS_PER_MS, &clk->inv_mult);
	return 0;
}

/* The leaves that give the TSC rate exactly (to the crystal's accuracy). */
static int clock_cpuid_exact_khz(uint64_t *tsc_khz)
{
	unsigned int eax, ebx, ecx, edx, max;

	max = __get_cpuid_max(0, NULL);
	if (max >= CPUID_LEAF_TSC) {
		/* TSC = crystal * ebx / eax; ecx is the crystal in Hz (0 = not enumerated) */
		__cpuid_count(CPUID_LEAF_TSC, 0, eax, ebx, ecx, edx);
		if (eax && ebx && ecx) {
			*tsc_khz = (uint64_t)ecx * ebx / eax / 1000;
			if (*tsc_khz >= PV_CLOCK_MIN_KHZ)
				return 0;
		}
	}
	/* hypervisor timing leaf (VMware convention, also offered by some KVM setups) */
	__cpuid(CPUID_HV_BASE, eax, ebx, ecx, edx);
	if (eax >= CPUID_HV_TSC_KHZ && eax < CPUID_HV_BASE + 0x100) {
		__cpuid(CPUID_HV_TSC_KHZ, eax, ebx, ecx, edx);
		if (eax >= PV_CLOCK_MIN_KHZ) {
			*tsc_khz = eax;
			return 0;
		}
	}
	(void)edx;
	return -ENOENT;
}

int pv_clock_cpuid_khz(uint64_t *tsc_khz)
{
	unsigned int eax, ebx, ecx, edx;

	if (!tsc_khz)
		return -EINVAL;
	if (clock_cpuid_exact_khz(tsc_khz) == 0)
		return 0;
	if (__get_cpuid_max(0, NULL) >= CPUID_LEAF_FREQ) {
		/* base frequency in MHz: the nominal TSC rate on invariant-TSC parts, 1 MHz grain */
		__cpuid_count(CPUID_LEAF_FREQ, 0, eax, ebx, ecx, edx);
		if (eax & 0xffff) {
			*tsc_khz = (uint64_t)(eax & 0xffff) * 1000;
			return 0;
		}
	}
	(void)ebx, (void)ecx, (void)edx;
	return -ENOENT;
}

struct cal_point {
	uint64_t tsc;		/* midpoint of the bracket */
	uint64_t ns;		/* CLOCK_MONOTONIC_RAW */
	uint64_t width;		/* bracket width in ticks */
};

static int cal_sample(struct cal_point *best)
{
	int i;

	best->width = UINT64_MAX;
	for (i = 0; i < CAL_SAMPLES; i++) {
		struct timespec ts;
		uint64_t t0, t1;

		t0 = pv_rdtscp();
		if (clock_gettime(CLOCK_MONOTONIC_RAW, &ts) < 0)
			return -errno;
		t1 = pv_rdtscp();
		if (t1 - t0 < best->width) {
			best->width = t1 - t0;
			best->tsc = t0 + (t1 - t0) / 2;
			best->ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		}
	}
	return 0;
}

int pv_clock_calibrate(uint64_t *tsc_khz, unsigned int duration_ms)
{
	struct timespec nap = {
		.tv_sec = duration_ms / 1000,
		.tv_nsec = (long)(duration_ms % 1000) * 1000000L,
	};
	struct cal_point a, b;
	unsigned __int128 khz;
	int err;

	if (!tsc_khz || duration_ms < PV_CLOCK_MIN_CALIBRATE_MS ||
	    duration_ms > PV_CLOCK_MAX_CALIBRATE_MS)
		return -EINVAL;
	err = cal_sample(&a);
	if (err)
		return err;
	while (nanosleep(&nap, &nap) < 0)
		if (errno != EINTR)
			return -errno;
	err = cal_sample(&b);
	if (err)
		return err;
	if (b.ns <= a.ns || b.tsc <= a.tsc)
		return -EIO;
	/* ticks per ms, rounded to nearest */
	khz = ((unsigned __int128)(b.tsc - a.tsc) * NS_PER_MS + (b.ns - a.ns) / 2) / (b.ns - a.ns);
	if (khz < PV_CLOCK_MIN_KHZ || khz > PV_CLOCK_MAX_KHZ)
		return -ERANGE;
	*tsc_khz = (uint64_t)khz;
	return 0;
}

int pv_clock_host_khz(uint64_t *tsc_khz)
{
	if (!tsc_khz)
		return -EINVAL;
	/* leaf 0x16 is only 1 MHz grain (~430 ppm at 2.3 GHz): calibration beats it */
	if (clock_cpuid_exact_khz(tsc_khz) == 0)
		return 0;
	return pv_clock_calibrate(tsc_khz, PV_CLOCK_DEF_CALIBRATE_MS);
}
