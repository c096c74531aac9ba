// SPDX-License-Identifier: GPL-2.0-only
/* Admission control: flat and hierarchical case tables, overheads, and a brute-force oracle. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "qos/admit.h"

#define US	1000ull
#define MS	1000000ull

struct flat_case {
	const char *name;
	uint64_t alpha_ppm;
	struct admit_task tasks[4];
	unsigned int n;
	bool admitted;
	uint64_t fail_at_ns;	/* when rejected by the demand test */
	const char *reason;	/* expected substring when rejected */
};

static const struct flat_case flat_cases[] = {
	{ "one rt vcpu", 950000, { { 200 * US, 1 * MS, 0, { 0 } } }, 1, true, 0, NULL },
	{ "three 40% vcpus", 950000,
	  { { 400 * US, MS, 0, { 0 } }, { 400 * US, MS, 0, { 0 } }, { 400 * US, MS, 0, { 0 } } }, 3,
	  false, 0, "utilisation 120.00% with overheads exceeds the 95.00% available" },
	{ "90% fits without overheads", 950000, { { 900 * US, MS, 0, { 0 } } }, 1, true, 0, NULL },
	{ "activation overhead pushes 90% over", 950000,
	  { { 900 * US, MS, 0, { .act_overhead_ns = 60 * US } } }, 1, false, 0, "utilisation 96.00%" },
	{ "exit costs push 90% over", 950000,
	  /* 900 us at 5000 exits/s * 12 us = 54 us more */
	  { { 900 * US, MS, 0, { .exit_rate_per_s = 5000, .exit_cost_ns = 12 * US } } }, 1, false, 0,
	  "utilisation 95.40%" },
	{ "budget slack counted", 950000,
	  { { 500 * US, MS, 0, { .enforce_slack_ns = 500 * US } } }, 1, false, 0,
	  "utilisation 100.00%" },
	{ "constrained deadlines fail at the first one", 950000,
	  { { 300 * US, MS, 300 * US, { 0 } }, { 300 * US, MS, 500 * US, { 0 } } }, 2, false,
	  300 * US, "demand exceeds guaranteed supply at t = 300 us" },
	{ "constrained deadlines fail at the second one on a full cpu", 1000000,
	  { { 300 * US, MS, 300 * US, { 0 } }, { 300 * US, MS, 500 * US, { 0 } } }, 2, false,
	  500 * US, "at t = 500 us" },
	{ "constrained deadlines that fit", 1000000,
	  { { 200 * US, MS, 300 * US, { 0 } }, { 200 * US, MS, 500 * US, { 0 } } }, 2, true, 0, NULL },
	{ "runtime with overhead beyond deadline", 950000,
	  { { 250 * US, MS, 300 * US, { .act_overhead_ns = 60 * US } } }, 1, false, 0,
	  "exceeds its deadline" },
	{ "empty set", 950000, { { 0 } }, 0, true, 0, NULL },
};

static void test_flat_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(flat_cases) / sizeof(flat_cases[0]); i++) {
		const struct flat_case *c = &flat_cases[i];
		struct admit_supply s = admit_cpu_supply(c->alpha_ppm);
		struct admit_result res;

		assert_int_equal(admit_check(&s, c->tasks, c->n, &res), 0);
		if (res.admitted != c->admitted)
			fail_msg("%s: admitted=%d, want %d (%s)", c->name, res.admitted, c->admitted,
				 res.reason);
		if (!c->admitted && c->reason && !strstr(res.reason, c->reason))
			fail_msg("%s: reason \"%s\", want \"%s\"", c->name, res.reason, c->reason);
		if (c->fail_at_ns)
			assert_int_equal(res.fail_at_ns, c->fail_at_ns);
		if (c->admitted)
			assert_string_equal(res.reason, "");
	}
}

static void test_bad_parameters(void **state)
{
	static const struct { struct admit_task t; const char *reason; } bad[] = {
		{ { 10 * US, 50 * US, 0, { 0 } }, "period must be between 100 us and 10 s" },
		{ { 10 * US, 11000 * MS, 0, { 0 } }, "period must be between" },
		{ { 0, MS, 0, { 0 } }, "runtime must be positive" },
		{ { 2 * MS, MS, 0, { 0 } }, "runtime exceeds the period" },
		{ { 300 * US, MS, 200 * US, { 0 } }, "deadline must be between runtime and period" },
		{ { 300 * US, MS, 2 * MS, { 0 } }, "deadline must be between runtime and period" },
	};
	struct admit_supply s = admit_cpu_supply(DEF_ADMIT_ALPHA_PPM);
	struct admit_result res;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(admit_check(&s, &bad[i].t, 1, &res), -EINVAL);
		if (!strstr(res.reason, bad[i].reason))
			fail_msg("case %zu: reason \"%s\", want \"%s\"", i, res.reason, bad[i].reason);
	}
	assert_int_equal(admit_check(NULL, NULL, 0, &res), -EINVAL);
}

static void test_group_supply(void **state)
{
	struct admit_supply g = admit_group_supply(500 * US, MS);
	struct admit_task ok = { 100 * US, 10 * MS, 0, { 0 } };
	struct admit_task too_tight = { 100 * US, MS, 0, { 0 } };
	struct admit_task within_gap = { 400 * US, 2 * MS, 0, { 0 } };
	struct admit_result res;

	(void)state;
	assert_int_equal(g.alpha_ppm, 500000);
	assert_int_equal(g.blackout_ns, MS);
	assert_int_equal(admit_check(&g, &ok, 1, &res), 0);
	assert_true(res.admitted);
	/* a 1 ms deadline can fall entirely inside the parent's 1 ms supply gap */
	assert_int_equal(admit_check(&g, &too_tight, 1, &res), 0);
	assert_false(res.admitted);
	assert_int_equal(res.fail_at_ns, MS);
	assert_int_equal(admit_check(&g, &within_gap, 1, &res), 0);
	assert_true(res.admitted);
}

static void test_tree(void **state)
{
	struct admit_node c1 = { "a-1", { 100 * US, 10 * MS, 0, { 0 } }, NULL, 0 };
	struct admit_node c2 = { "a-2", { 200 * US, 20 * MS, 0, { 0 } }, NULL, 0 };
	struct admit_node bad = { "a-bad", { 100 * US, MS, 0, { 0 } }, NULL, 0 };
	struct admit_node *a_children[] = { &c1, &c2 };
	struct admit_node *a_bad_children[] = { &c1, &bad };
	struct admit_node a = { "a", { 500 * US, MS, 0, { 0 } }, a_children, 2 };
	struct admit_node b = { "b", { 300 * US, MS, 0, { 0 } }, NULL, 0 };
	struct admit_node c = { "c", { 200 * US, MS, 0, { 0 } }, NULL, 0 };
	struct admit_node *top2[] = { &a, &b };
	struct admit_node *top3[] = { &a, &b, &c };
	struct admit_supply cpu = admit_cpu_supply(DEF_ADMIT_ALPHA_PPM);
	struct admit_result res;

	(void)state;
	assert_int_equal(admit_tree_check(&cpu, top2, 2, &res), 0);
	assert_true(res.admitted);
	assert_int_equal(res.util_ppm, 800000);

	assert_int_equal(admit_tree_check(&cpu, top3, 3, &res), 0);
	assert_false(res.admitted);
	assert_non_null(strstr(res.reason, "utilisation 100.00%"));

	a.children = a_bad_children;
	assert_int_equal(admit_tree_check(&cpu, top2, 2, &res), 0);
	assert_false(res.admitted);
	assert_non_null(strstr(res.reason, "group a: demand exceeds guaranteed supply at t = 1000 us"));
}

/* Oracle: check dbf <= supply at every deadline up to a long horizon by brute force. */
static bool brute_admit(const struct admit_supply *s, const struct admit_task *t, unsigned int n,
			uint64_t horizon_ns)
{
	uint64_t step = 100 * US, tt;	/* all parameters are multiples of 100 us */
	unsigned int i;

	for (tt = step; tt <= horizon_ns; tt += step) {
		unsigned __int128 demand = 0;

		for (i = 0; i < n; i++) {
			uint64_t d = t[i].deadline_ns ? t[i].deadline_ns : t[i].period_ns;

			if (tt >= d)
				demand += (unsigned __int128)((tt - d) / t[i].period_ns + 1) *
					  admit_inflated_runtime_ns(&t[i]);
		}
		if (tt <= s->blackout_ns) {
			if (demand)
				return false;
		} else if (demand * 1000000u > (unsigned __int128)s->alpha_ppm * (tt - s->blackout_ns)) {
			return false;
		}
	}
	return true;
}

static void test_matches_brute_force(void **state)
{
	static const uint64_t periods[] = { 1 * MS, 2 * MS, 4 * MS, 5 * MS, 10 * MS };
	unsigned int iter, agree = 0, admitted = 0;

	(void)state;
	srand(12345);
	for (iter = 0; iter < 3000; iter++) {
		struct admit_task t[3];
		unsigned int n = 1 + (unsigned int)rand() % 3, i;
		struct admit_supply s;
		struct admit_result res;
		bool want;

		for (i = 0; i < n; i++) {
			t[i].period_ns = periods[rand() % 5];
			t[i].runtime_ns = 100 * US * (1 + (uint64_t)rand() % (t[i].period_ns / (100 * US) / 2));
			t[i].deadline_ns = t[i].runtime_ns +
				100 * US * ((uint64_t)rand() % ((t[i].period_ns - t[i].runtime_ns) / (100 * US) + 1));
			memset(&t[i].ovh, 0, sizeof(t[i].ovh));
		}
		if (rand() % 2)
			s = admit_cpu_supply(500000 + 100000 * (uint64_t)(rand() % 6));
		else
			s = admit_group_supply(100 * US * (5 + (uint64_t)rand() % 5), MS);
		assert_int_equal(admit_check(&s, t, n, &res), 0);
		/* the horizon of the theory is finite; brute force far beyond any plausible one */
		want = brute_admit(&s, t, n, 400 * MS);
		if (res.util_ppm >= s.alpha_ppm - 20000)
			continue;	/* near saturation the horizon can exceed what we brute-force */
		if (want != res.admitted)
			fail_msg("iter %u: admit=%d brute=%d (%s)", iter, res.admitted, want, res.reason);
		agree++;
		admitted += want;
	}
	print_message("brute-force agreement: %u sets, %u admitted\n", agree, admitted);
	/* the random sets must exercise both outcomes */
	assert_true(agree > 1000);
	assert_true(admitted > 100 && admitted < agree - 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flat_cases),
		cmocka_unit_test(test_bad_parameters),
		cmocka_unit_test(test_group_supply),
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_matches_brute_force),
	};

	return cmocka_run_group_tests_name("admit", tests, NULL, NULL);
}
