// SPDX-License-Identifier: GPL-2.0-only
/* Log2 latency histogram: bucket bounds, statistics, quantile estimates, merge. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tracer/hist.h"

static void test_buckets(void **state)
{
	static const struct { uint64_t ns; unsigned int bucket; } cases[] = {
		{ 0, 0 }, { 1, 1 }, { 2, 2 }, { 3, 2 }, { 4, 3 }, { 7, 3 }, { 8, 4 },
		{ 1000, 10 }, { 1023, 10 }, { 1024, 11 }, { 1000000, 20 },
		{ 1ull << 37, 38 }, { (1ull << 38) - 1, 38 }, { 1ull << 38, 39 },
		{ 1ull << 50, 39 }, { UINT64_MAX, 39 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned int b = pv_hist_bucket(cases[i].ns);

		assert_int_equal(b, cases[i].bucket);
		assert_true(cases[i].ns >= pv_hist_bucket_lo_ns(b));
		assert_true(cases[i].ns < pv_hist_bucket_hi_ns(b) || b == PV_HIST_BUCKETS - 1);
	}
	assert_int_equal(pv_hist_bucket_lo_ns(0), 0);
	assert_int_equal(pv_hist_bucket_hi_ns(0), 1);
	assert_int_equal(pv_hist_bucket_lo_ns(11), 1024);
	assert_int_equal(pv_hist_bucket_hi_ns(11), 2048);
	assert_int_equal(pv_hist_bucket_hi_ns(PV_HIST_BUCKETS - 1), UINT64_MAX);
}

static void test_stats(void **state)
{
	struct pv_hist h;

	(void)state;
	pv_hist_init(&h);
	assert_int_equal(pv_hist_quantile_ns(&h, 0.5), 0);
	assert_int_equal(pv_hist_mean_ns(&h), 0);
	pv_hist_add(&h, 100);
	pv_hist_add(&h, 300);
	pv_hist_add(&h, 5000);
	assert_int_equal(h.count, 3);
	assert_int_equal(h.sum_ns, 5400);
	assert_int_equal(h.min_ns, 100);
	assert_int_equal(h.max_ns, 5000);
	assert_int_equal(pv_hist_mean_ns(&h), 1800);
	assert_int_equal(h.buckets[7], 1);	/* [64, 128) */
	assert_int_equal(h.buckets[9], 1);	/* [256, 512) */
	assert_int_equal(h.buckets[13], 1);	/* [4096, 8192) */
	assert_int_equal(pv_hist_quantile_ns(&h, 0.0), 100);
	assert_int_equal(pv_hist_quantile_ns(&h, 1.0), 5000);
	pv_hist_add(&h, UINT64_MAX);
	assert_int_equal(h.sum_ns, UINT64_MAX);	/* saturates */
}

static void test_quantiles(void **state)
{
	struct pv_hist h;
	uint64_t i, q;

	(void)state;
	/* all equal: exact */
	pv_hist_init(&h);
	for (i = 0; i < 1000; i++)
		pv_hist_add(&h, 777);
	assert_int_equal(pv_hist_quantile_ns(&h, 0.5), 777);
	assert_int_equal(pv_hist_quantile_ns(&h, 0.99), 777);
	/* 1..10000 ns uniform: estimates stay within a factor of 2 and in order */
	pv_hist_init(&h);
	for (i = 1; i <= 10000; i++)
		pv_hist_add(&h, i);
	q = pv_hist_quantile_ns(&h, 0.5);
	assert_true(q >= 2500 && q <= 10000);
	assert_int_equal(pv_hist_bucket(q), pv_hist_bucket(5000));
	q = pv_hist_quantile_ns(&h, 0.99);
	assert_true(q >= 8192 && q <= 10000);
	assert_true(pv_hist_quantile_ns(&h, 0.1) <= pv_hist_quantile_ns(&h, 0.5));
	/* 99 fast, 1 slow: p50 fast, p99 still fast, p100 slow */
	pv_hist_init(&h);
	for (i = 0; i < 99; i++)
		pv_hist_add(&h, 10);
	pv_hist_add(&h, 1000000);
	q = pv_hist_quantile_ns(&h, 0.5);
	assert_true(q >= 10 && q < 16);		/* inside [8, 16) clamped to min */
	q = pv_hist_quantile_ns(&h, 0.99);
	assert_true(q >= 10 && q < 16);
	assert_int_equal(pv_hist_quantile_ns(&h, 0.995), 1000000);
}

static void test_merge(void **state)
{
	struct pv_hist a, b, e;

	(void)state;
	pv_hist_init(&a);
	pv_hist_init(&b);
	pv_hist_init(&e);
	pv_hist_add(&a, 5);
	pv_hist_add(&b, 50);
	pv_hist_add(&b, 2);
	pv_hist_merge(&a, &b);
	pv_hist_merge(&a, &e);	/* empty: no effect on min */
	assert_int_equal(a.count, 3);
	assert_int_equal(a.sum_ns, 57);
	assert_int_equal(a.min_ns, 2);
	assert_int_equal(a.max_ns, 50);
	assert_int_equal(a.buckets[2] + a.buckets[3] + a.buckets[6], 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_merge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
