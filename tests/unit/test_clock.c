// SPDX-License-Identifier: GPL-2.0-only
/* TSC <-> ns conversion accuracy against exact arithmetic, saturation, calibration. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <cmocka.h>

#include "tracer/clock.h"
#include "tracer/tsc.h"

typedef unsigned __int128 u128;

static const uint64_t khz_table[] = {
	1000, 1001, 999983, 1000000, 1234567, 2000000, 2299998, 2300000, 3000000, 3999999,
	5000000, 100000000,
};

static const uint64_t tsc_table[] = {
	0, 1, 2, 999, 1000, 2299998, 1ull << 20, 1000000007, 1ull << 32, (1ull << 32) + 1,
	1ull << 40, 123456789012345ull, (1ull << 53) - 1, 1ull << 53, (1ull << 62) - 1, 1ull << 62,
	1ull << 63, UINT64_MAX - 1, UINT64_MAX,
};

static void test_init_rejects(void **state)
{
	struct pv_clock c;

	(void)state;
	assert_int_equal(pv_clock_init(&c, 0), -EINVAL);
	assert_int_equal(pv_clock_init(&c, PV_CLOCK_MIN_KHZ - 1), -EINVAL);
	assert_int_equal(pv_clock_init(&c, PV_CLOCK_MAX_KHZ + 1), -EINVAL);
	assert_int_equal(pv_clock_init(NULL, 1000000), -EINVAL);
	assert_int_equal(pv_clock_init(&c, PV_CLOCK_MIN_KHZ), 0);
	assert_int_equal(pv_clock_init(&c, PV_CLOCK_MAX_KHZ), 0);
}

/* exact - result in [0, 1 + tsc / 2^shift) ns, as the header promises; saturation above. */
static void test_tsc_to_ns_accuracy(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(khz_table) / sizeof(khz_table[0]); i++) {
		struct pv_clock c;

		assert_int_equal(pv_clock_init(&c, khz_table[i]), 0);
		assert_true(c.shift >= 53);
		if (khz_table[i] > 1000000)
			assert_int_equal(c.shift, 63);
		for (j = 0; j < sizeof(tsc_table) / sizeof(tsc_table[0]); j++) {
			uint64_t t = tsc_table[j];
			u128 exact = (u128)t * 1000000u / khz_table[i];	/* floor of the true value */
			uint64_t got = pv_clock_tsc_to_ns(&c, t);
			double bound = 1.0 + (double)t / (double)((u128)1 << c.shift), frac;

			if (exact > UINT64_MAX) {
				assert_true(got >= (uint64_t)(exact >> 1) || got == UINT64_MAX);
				continue;
			}
			/* against the real quotient: floor plus its fraction */
			frac = (double)((u128)t * 1000000u % khz_table[i]) / (double)khz_table[i];
			if (got > (uint64_t)exact || (double)((uint64_t)exact - got) + frac > bound)
				fail_msg("khz %llu tsc %llu: got %llu exact %llu",
					 (unsigned long long)khz_table[i], (unsigned long long)t,
					 (unsigned long long)got, (unsigned long long)exact);
		}
	}
}

/* The headline figure: below 2 ns for any span under 2^53 ticks, at every frequency. */
static void test_error_below_2ns(void **state)
{
	uint64_t s = 88172645463325252ull;
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < sizeof(khz_table) / sizeof(khz_table[0]); i++) {
		struct pv_clock c;

		pv_clock_init(&c, khz_table[i]);
		for (k = 0; k < 20000; k++) {
			uint64_t t, got;
			u128 exact;

			s ^= s << 13, s ^= s >> 7, s ^= s << 17;
			t = s >> (11 + k % 40);
			exact = (u128)t * 1000000u / khz_table[i];
			got = pv_clock_tsc_to_ns(&c, t);
			assert_true(got <= exact);
			assert_true(exact - got < 2);
		}
	}
}

static void test_ns_to_tsc(void **state)
{
	static const uint64_t ns_table[] = { 0, 1, 1000, 1000000000, 86400000000000ull,
					     1ull << 62 };
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(khz_table) / sizeof(khz_table[0]); i++) {
		struct pv_clock c;

		pv_clock_init(&c, khz_table[i]);
		for (j = 0; j < sizeof(ns_table) / sizeof(ns_table[0]); j++) {
			u128 exact = (u128)ns_table[j] * khz_table[i] / 1000000u;
			uint64_t got = pv_clock_ns_to_tsc(&c, ns_table[j]);

			if (exact > UINT64_MAX) {
				assert_int_equal(got, UINT64_MAX);
				continue;
			}
			assert_true(got <= exact);
			assert_true(exact - got < 2);
		}
		/* round trip within a tick's worth of ns */
		{
			uint64_t t = 123456789012ull;
			uint64_t back = pv_clock_ns_to_tsc(&c, pv_clock_tsc_to_ns(&c, t));

			assert_true(back <= t);
			assert_true(t - back <= 2 + khz_table[i] / 1000000);
		}
	}
}

static void test_exact_frequencies(void **state)
{
	struct pv_clock c;

	(void)state;
	pv_clock_init(&c, 1000000);	/* 1 GHz: 1 tick = 1 ns exactly */
	assert_int_equal(pv_clock_tsc_to_ns(&c, 123456789), 123456789);
	assert_int_equal(pv_clock_ns_to_tsc(&c, 987654321), 987654321);
	pv_clock_init(&c, 2000000);
	assert_int_equal(pv_clock_tsc_to_ns(&c, 2000000000ull), 1000000000ull);
	assert_int_equal(pv_clock_tsc_to_ns(&c, UINT64_MAX), UINT64_MAX / 2);
	pv_clock_init(&c, 1000);	/* 1 MHz: saturates for huge spans */
	assert_int_equal(pv_clock_tsc_to_ns(&c, UINT64_MAX), UINT64_MAX);
	assert_int_equal(pv_clock_tsc_to_ns(&c, 1000), 1000000);
}

static void test_calibrate(void **state)
{
	uint64_t a = 0, b = 0, cpuid = 0;
	struct timespec t0, t1;
	double ppm, ms;
	int err;

	(void)state;
	assert_int_equal(pv_clock_calibrate(&a, 0), -EINVAL);
	assert_int_equal(pv_clock_calibrate(&a, PV_CLOCK_MAX_CALIBRATE_MS + 1), -EINVAL);
	assert_int_equal(pv_clock_calibrate(NULL, 10), -EINVAL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pv_clock_calibrate(&a, PV_CLOCK_DEF_CALIBRATE_MS), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(pv_clock_calibrate(&b, PV_CLOCK_DEF_CALIBRATE_MS), 0);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	ppm = 1e6 * (double)(a > b ? a - b : b - a) / (double)a;
	printf("calibration: %llu kHz then %llu kHz (%.2f ppm apart), %.1f ms each\n",
	       (unsigned long long)a, (unsigned long long)b, ppm, ms);
	assert_true(ms < PV_CLOCK_DEF_CALIBRATE_MS + 20);
	assert_true(ppm < 100.0);	/* loose: a loaded CI machine can preempt a sample */
	err = pv_clock_cpuid_khz(&cpuid);
	assert_true(err == 0 || err == -ENOENT);
	if (!err) {
		printf("cpuid: %llu kHz (%.0f ppm from calibration)\n", (unsigned long long)cpuid,
		       1e6 * ((double)cpuid - (double)a) / (double)a);
		assert_true(cpuid > a / 2 && cpuid < a * 2);
	}
	assert_int_equal(pv_clock_host_khz(&b), 0);
	assert_true(b > a / 2 && b < a * 2);
}

/* Converted TSC spans track CLOCK_MONOTONIC_RAW over a real interval. */
static void test_tracks_wall_clock(void **state)
{
	struct timespec ts0, ts1, nap = { 0, 30000000 };
	struct pv_clock c;
	uint64_t khz, t0, t1, ns_tsc, ns_raw;

	(void)state;
	assert_int_equal(pv_clock_calibrate(&khz, 20), 0);
	pv_clock_init(&c, khz);
	clock_gettime(CLOCK_MONOTONIC_RAW, &ts0);
	t0 = pv_rdtsc();
	nanosleep(&nap, NULL);
	clock_gettime(CLOCK_MONOTONIC_RAW, &ts1);
	t1 = pv_rdtsc();
	ns_tsc = pv_clock_tsc_to_ns(&c, t1 - t0);
	ns_raw = (uint64_t)(ts1.tv_sec - ts0.tv_sec) * 1000000000ull + (uint64_t)ts1.tv_nsec -
		 (uint64_t)ts0.tv_nsec;
	assert_true(ns_tsc > ns_raw - ns_raw / 1000 && ns_tsc < ns_raw + ns_raw / 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_rejects),
		cmocka_unit_test(test_tsc_to_ns_accuracy),
		cmocka_unit_test(test_error_below_2ns),
		cmocka_unit_test(test_ns_to_tsc),
		cmocka_unit_test(test_exact_frequencies),
		cmocka_unit_test(test_calibrate),
		cmocka_unit_test(test_tracks_wall_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
