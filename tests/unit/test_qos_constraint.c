// SPDX-License-Identifier: GPL-2.0-only
/* PM-QoS style requests: add / update / remove, owners, and strictest-wins aggregation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "qos/constraint.h"

#define NCPU 4

static void aggregate(const struct qos_constraints *c, struct pm_cpu_constraint *cpu)
{
	struct pm_constraints out = { .ncpus = NCPU, .cpu = cpu };

	assert_int_equal(qos_constraints_aggregate(c, &out), 0);
}

static void test_aggregation(void **state)
{
	static struct qos_constraints c;
	struct pm_cpu_constraint agg[NCPU];
	int a, b, d;
	uint64_t v;

	(void)state;
	qos_constraints_init(&c, NCPU);
	aggregate(&c, agg);
	assert_int_equal(agg[0].latency_us, PM_LATENCY_NONE);
	assert_int_equal(agg[0].floor_khz, 0);

	a = qos_req_add(&c, "ls0", 1, 100, 0);
	b = qos_req_add(&c, "rt0", 1, PM_LATENCY_NONE, 2000000);
	d = qos_req_add(&c, "ls1", 1, 20, 1200000);
	assert_true(a > 0 && b > a && d > b);
	aggregate(&c, agg);
	assert_int_equal(agg[1].latency_us, 20);	/* min */
	assert_int_equal(agg[1].floor_khz, 2000000);	/* max */
	assert_int_equal(agg[0].latency_us, PM_LATENCY_NONE);	/* other CPUs untouched */

	v = c.version;
	assert_int_equal(qos_req_update(&c, (uint32_t)d, 20, 1200000), 0);
	assert_int_equal(c.version, v);			/* no change, no new version */
	assert_int_equal(qos_req_update(&c, (uint32_t)d, 500, 1200000), 0);
	assert_true(c.version > v);
	aggregate(&c, agg);
	assert_int_equal(agg[1].latency_us, 100);

	assert_int_equal(qos_req_remove(&c, (uint32_t)a), 0);
	assert_int_equal(qos_req_remove(&c, (uint32_t)a), -ENOENT);
	aggregate(&c, agg);
	assert_int_equal(agg[1].latency_us, 500);
	assert_int_equal(qos_req_remove_owner(&c, "rt0"), 1);
	aggregate(&c, agg);
	assert_int_equal(agg[1].floor_khz, 1200000);
	assert_non_null(qos_req_find(&c, (uint32_t)d));
	assert_null(qos_req_find(&c, (uint32_t)b));
}

static void test_invalid_and_full(void **state)
{
	static struct qos_constraints c;
	unsigned int i;

	(void)state;
	qos_constraints_init(&c, NCPU);
	assert_int_equal(qos_req_add(&c, "x", NCPU, 1, 1), -EINVAL);
	assert_int_equal(qos_req_add(&c, "", 0, 1, 1), -EINVAL);
	assert_int_equal(qos_req_add(&c, NULL, 0, 1, 1), -EINVAL);
	assert_int_equal(qos_req_add(&c, "a-very-long-owner-name-beyond-32-chars", 0, 1, 1), -EINVAL);
	assert_int_equal(qos_req_update(&c, 12345, 1, 1), -ENOENT);
	for (i = 0; i < QOS_MAX_REQUESTS; i++)
		assert_true(qos_req_add(&c, "bulk", i % NCPU, 1000 + i, i) > 0);
	assert_int_equal(qos_req_add(&c, "bulk", 0, 1, 1), -ENOSPC);
	assert_int_equal(qos_req_remove_owner(&c, "bulk"), QOS_MAX_REQUESTS);
	assert_true(qos_req_add(&c, "again", 0, 1, 1) > 0);	/* slots are reused */
}

static void test_matches_brute_force(void **state)
{
	static struct qos_constraints c;
	struct pm_cpu_constraint agg[NCPU];
	int ids[64] = { 0 };
	unsigned int iter, i;

	(void)state;
	srand(7);
	qos_constraints_init(&c, NCPU);
	for (iter = 0; iter < 5000; iter++) {
		unsigned int k = (unsigned int)rand() % 64;

		if (ids[k]) {
			if (rand() % 2) {
				assert_int_equal(qos_req_remove(&c, (uint32_t)ids[k]), 0);
				ids[k] = 0;
			} else {
				assert_int_equal(qos_req_update(&c, (uint32_t)ids[k],
								(uint32_t)rand() % 1000,
								(uint32_t)rand() % 3000000), 0);
			}
		} else {
			ids[k] = qos_req_add(&c, "p", (uint32_t)rand() % NCPU, (uint32_t)rand() % 1000,
					     (uint32_t)rand() % 3000000);
			assert_true(ids[k] > 0);
		}
		aggregate(&c, agg);
		for (i = 0; i < NCPU; i++) {
			uint32_t lat = PM_LATENCY_NONE, floor = 0;
			unsigned int j;

			for (j = 0; j < 64; j++) {
				const struct qos_request *r = ids[j] ? qos_req_find(&c, (uint32_t)ids[j]) : NULL;

				if (!r || r->cpu != i)
					continue;
				lat = r->latency_us < lat ? r->latency_us : lat;
				floor = r->floor_khz > floor ? r->floor_khz : floor;
			}
			assert_int_equal(agg[i].latency_us, lat);
			assert_int_equal(agg[i].floor_khz, floor);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aggregation),
		cmocka_unit_test(test_invalid_and_full),
		cmocka_unit_test(test_matches_brute_force),
	};

	return cmocka_run_group_tests_name("qos_constraint", tests, NULL, NULL);
}
