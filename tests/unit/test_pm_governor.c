// SPDX-License-Identifier: GPL-2.0-only
/* Governor case tables, tunables, transactional switch, and the clamp property. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "powermgr/clamp.h"
#include "powermgr/governor.h"
#include "powermgr/model.h"

#define MS	1000000ull

static struct pm_platform plat;

static int setup(void **state)
{
	struct pm_model m;

	(void)state;
	pm_model_defaults(&m, 1);
	pm_platform_from_model(&plat, &m);
	return 0;
}

struct gcase {
	const char *gov;
	struct pm_tunable_kv kv[2];
	unsigned int nkv;
	struct pm_cpu_sample in;
	uint32_t want_khz;
	int want_limit;
};

/* busy = guest + vmm; window 10 ms */
#define WIN(g, v, h, hp, i, khz) { .window_ns = 10 * MS, .guest_ns = (g) * MS / 10, \
	.vmm_ns = (v) * MS / 10, .halt_ns = (h) * MS / 10, .halt_poll_ns = (hp) * MS / 10, \
	.idle_ns = (i) * MS / 10, .cur_khz = (khz) }

static const struct gcase gov_cases[] = {
	/* performance: top turbo bin, or base with turbo=0; C-states unrestricted */
	{ "performance", {{ 0 }}, 0, WIN(10, 0, 0, 0, 90, 800000), 3200000, 3 },
	{ "performance", {{ "turbo", 0 }}, 1, WIN(100, 0, 0, 0, 0, 800000), 2000000, 3 },
	/* powersave: minimum */
	{ "powersave", {{ 0 }}, 0, WIN(100, 0, 0, 0, 0, 3200000), 800000, 3 },
	/* ondemand: > up_threshold -> max; else min + load x (max - min) */
	{ "ondemand", {{ 0 }}, 0, WIN(85, 0, 0, 0, 15, 800000), 3200000, 3 },
	{ "ondemand", {{ 0 }}, 0, WIN(50, 0, 0, 0, 50, 800000), 2000000, 3 },
	{ "ondemand", {{ 0 }}, 0, WIN(0, 0, 0, 0, 100, 2000000), 800000, 3 },
	{ "ondemand", {{ "turbo", 0 }}, 1, WIN(50, 0, 0, 0, 50, 800000), 1400000, 3 },
	{ "ondemand", {{ "up_threshold", 95 }}, 1, WIN(90, 0, 0, 0, 10, 800000), 3000000, 3 },
	/* a polling halt is load to ondemand (/proc/stat sees a running thread) */
	{ "ondemand", {{ 0 }}, 0, WIN(10, 0, 90, 90, 0, 800000), 3200000, 3 },
	/* transition: demand x headroom at the current frequency */
	{ "transition", {{ 0 }}, 0, WIN(40, 0, 0, 0, 60, 2000000), 1000000, 3 },
	{ "transition", {{ "headroom_pct", 100 }}, 1, WIN(40, 0, 0, 0, 60, 2000000), 800000, 3 },
	{ "transition", {{ 0 }}, 0, WIN(60, 5, 0, 0, 35, 2000000), 1700000, 3 },
	/* polling is not demand */
	{ "transition", {{ 0 }}, 0, WIN(10, 0, 90, 90, 0, 2000000), 800000, 3 },
	/* saturated best effort: ramp x1.5, capped at base */
	{ "transition", {{ 0 }}, 0, WIN(100, 0, 0, 0, 0, 800000), 1200000, 3 },
	{ "transition", {{ 0 }}, 0, WIN(100, 0, 0, 0, 0, 1800000), 2000000, 3 },
	{ "transition", {{ "be_turbo", 1 }}, 1, WIN(100, 0, 0, 0, 0, 2000000), 3000000, 3 },
	/* saturated with RT activity: straight to the cap (turbo allowed for RT) */
	{ "transition", {{ 0 }}, 0, { .window_ns = 10 * MS, .guest_ns = 10 * MS, .rt_count = 3,
				      .cur_khz = 800000 }, 3200000, 3 },
	/* RT activity, not saturated: rt headroom (200 %) */
	{ "transition", {{ 0 }}, 0, { .window_ns = 10 * MS, .guest_ns = 3 * MS, .idle_ns = 7 * MS,
				      .rt_count = 3, .cur_khz = 2000000 }, 1200000, 3 },
	/* idle periods: 10 of ~300 µs -> C1E (C6 needs 600 µs) */
	{ "transition", {{ 0 }}, 0, { .window_ns = 10 * MS, .guest_ns = 7 * MS, .idle_ns = 3 * MS,
				      .idle_hist = { [9] = 10 }, .cur_khz = 2000000 }, 1800000, 2 },
	/* idle periods: 2 of 1-2 ms -> C6 */
	{ "transition", {{ 0 }}, 0, { .window_ns = 10 * MS, .guest_ns = 6 * MS, .idle_ns = 4 * MS,
				      .idle_hist = { [11] = 2 }, .cur_khz = 2000000 }, 1500000, 3 },
	/* mixed: 3 long, 7 short -> 30 % < 60 % hit rate: C1E */
	{ "transition", {{ 0 }}, 0, { .window_ns = 10 * MS, .guest_ns = 6 * MS, .idle_ns = 4 * MS,
				      .idle_hist = { [11] = 3, [3] = 7 }, .cur_khz = 2000000 },
	  1500000, 2 },
	/* all idle periods below 1 µs: poll only */
	{ "transition", {{ 0 }}, 0, { .window_ns = 10 * MS, .guest_ns = 6 * MS, .idle_ns = 4 * MS,
				      .idle_hist = { [0] = 50 }, .cur_khz = 2000000 }, 1500000, 0 },
};

static void test_governor_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(gov_cases) / sizeof(gov_cases[0]); i++) {
		const struct gcase *c = &gov_cases[i];
		struct pm_cpu_sample in = c->in;
		struct pm_cpu_decision out = { 0, -1 };
		struct pm_sample s = { .ncpus = 1, .cpu = &in };
		struct pm_decision d = { .ncpus = 1, .cpu = &out };
		struct pm_gov_mgr m;

		pm_gov_mgr_init(&m, &plat);
		assert_int_equal(pm_gov_mgr_switch_name(&m, c->gov, c->kv, c->nkv), 0);
		assert_int_equal(pm_gov_decide(m.cur, &s, &d), 0);
		pm_clamp(&plat, NULL, &d);
		if (out.target_khz != c->want_khz || out.cstate_limit != c->want_limit)
			fail_msg("case %zu (%s): got %u kHz / C%d, want %u kHz / C%d", i, c->gov,
				 out.target_khz, out.cstate_limit, c->want_khz, c->want_limit);
		pm_gov_mgr_shutdown(&m);
	}
}

static void test_ondemand_sampling_down(void **state)
{
	static const struct pm_tunable_kv kv[] = { { "sampling_down_factor", 3 } };
	struct pm_cpu_sample busy = WIN(90, 0, 0, 0, 10, 800000), idle = WIN(0, 0, 0, 0, 100, 800000);
	static const uint32_t want[] = { 3200000, 3200000, 3200000, 800000 };
	struct pm_cpu_decision out;
	struct pm_sample s = { .ncpus = 1, .cpu = &busy };
	struct pm_decision d = { .ncpus = 1, .cpu = &out };
	struct pm_gov_mgr m;

	(void)state;
	pm_gov_mgr_init(&m, &plat);
	assert_int_equal(pm_gov_mgr_switch_name(&m, "ondemand", kv, 1), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pm_gov_decide(m.cur, &s, &d), 0);
		assert_int_equal(out.target_khz, want[i]);
		s.cpu = &idle;	/* held at max for sampling_down_factor samples */
	}
	pm_gov_mgr_shutdown(&m);
}

static void test_tunables(void **state)
{
	static const struct { const char *gov, *name; int64_t v; int err; } cases[] = {
		{ "ondemand", "up_threshold", 11, 0 },
		{ "ondemand", "up_threshold", 10, -ERANGE },
		{ "ondemand", "up_threshold", 101, -ERANGE },
		{ "ondemand", "sampling_down_factor", 0, -ERANGE },
		{ "ondemand", "bogus", 1, -ENOENT },
		{ "transition", "headroom_pct", 99, -ERANGE },
		{ "transition", "headroom_pct", 300, 0 },
		{ "transition", "idle_hit_pct", 0, -ERANGE },
		{ "performance", "turbo", 2, -ERANGE },
		{ "powersave", "turbo", 1, -ENOENT },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pm_gov *g;
		int64_t v;

		assert_int_equal(pm_gov_create(pm_governor_find(cases[i].gov), &plat, NULL, 0, &g), 0);
		assert_int_equal(pm_gov_tunable_set(g, cases[i].name, cases[i].v), cases[i].err);
		if (!cases[i].err) {
			assert_int_equal(pm_gov_tunable_get(g, cases[i].name, &v), 0);
			assert_int_equal(v, cases[i].v);
		}
		pm_gov_destroy(g);
	}
	/* the listing exposes name / value / min / max */
	{
		const struct pm_tunable_desc *d;
		struct pm_gov *g;
		int64_t v;
		unsigned int n = 0;

		assert_int_equal(pm_gov_create(&pm_gov_transition_ops, &plat, NULL, 0, &g), 0);
		while (!pm_gov_tunable_at(g, n, &d, &v)) {
			assert_true(d->min <= v && v <= d->max && d->def == v);
			n++;
		}
		assert_int_equal(n, pm_gov_transition_ops.nr_tunables);
		pm_gov_destroy(g);
	}
}

/* A governor whose start fails, and one that counts starts/stops. */
static int failing_start(struct pm_gov *g)
{
	(void)g;
	return -EIO;
}

static int null_decide(struct pm_gov *g, const struct pm_sample *s, struct pm_decision *d)
{
	(void)g;
	(void)s;
	(void)d;
	return 0;
}

static const struct pm_governor_ops failing_ops = {
	.name = "failing", .start = failing_start, .decide = null_decide,
};

static void test_switch_rollback(void **state)
{
	static const struct pm_tunable_kv kv[] = { { "up_threshold", 42 } };
	static const struct pm_tunable_kv bad[] = { { "headroom_pct", 1 } };
	struct pm_gov_mgr m;
	int64_t v;

	(void)state;
	pm_gov_mgr_init(&m, &plat);
	assert_int_equal(pm_gov_mgr_switch_name(&m, "ondemand", kv, 1), 0);
	/* start fails: ondemand is back, running, with its tunables */
	assert_int_equal(pm_gov_mgr_switch(&m, &failing_ops, NULL, 0), -EIO);
	assert_string_equal(pm_gov_mgr_name(&m), "ondemand");
	assert_true(m.cur->running);
	assert_int_equal(pm_gov_tunable_get(m.cur, "up_threshold", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(m.rollbacks, 1);
	/* bad tunable: refused before anything is stopped */
	assert_int_equal(pm_gov_mgr_switch_name(&m, "transition", bad, 1), -ERANGE);
	assert_string_equal(pm_gov_mgr_name(&m), "ondemand");
	assert_true(m.cur->running);
	assert_int_equal(pm_gov_mgr_switch_name(&m, "nope", NULL, 0), -ENOENT);
	/* a good switch */
	assert_int_equal(pm_gov_mgr_switch_name(&m, "transition", NULL, 0), 0);
	assert_string_equal(pm_gov_mgr_name(&m), "transition");
	assert_int_equal(m.switches, 2);
	pm_gov_mgr_shutdown(&m);
	/* no governor yet and the first one fails: none running */
	pm_gov_mgr_init(&m, &plat);
	assert_int_equal(pm_gov_mgr_switch(&m, &failing_ops, NULL, 0), -EIO);
	assert_null(m.cur);
}

/* Property: whatever a governor says, clamped output respects the constraints. */
static void test_clamp_property(void **state)
{
	static const char *const govs[] = { "performance", "powersave", "ondemand", "transition" };
	unsigned int seed = 42;

	(void)state;
	srand(seed);
	for (size_t g = 0; g < 4; g++) {
		struct pm_gov_mgr m;

		pm_gov_mgr_init(&m, &plat);
		assert_int_equal(pm_gov_mgr_switch_name(&m, govs[g], NULL, 0), 0);
		for (int it = 0; it < 5000; it++) {
			uint64_t w = 1 + (uint64_t)rand() % (20 * MS), parts[4];
			struct pm_cpu_sample in = { .window_ns = w };
			struct pm_cpu_decision out;
			struct pm_cpu_constraint cc = {
				.latency_us = rand() % 4 ? (uint32_t)rand() % 300 : PM_LATENCY_NONE,
				.floor_khz = rand() % 3 ? (uint32_t)rand() % 4000000 : 0,
			};
			struct pm_constraints cons = { .ncpus = 1, .cpu = &cc };
			struct pm_sample s = { .ncpus = 1, .cpu = &in };
			struct pm_decision d = { .ncpus = 1, .cpu = &out };
			uint64_t left = w;

			for (int k = 0; k < 4; k++) {
				parts[k] = left ? (uint64_t)rand() % (left + 1) : 0;
				left -= parts[k];
			}
			in.guest_ns = parts[0];
			in.vmm_ns = parts[1];
			in.halt_ns = parts[2];
			in.halt_poll_ns = parts[2] ? (uint64_t)rand() % (parts[2] + 1) : 0;
			in.idle_ns = parts[3];
			in.cur_khz = plat.pstates_khz[rand() % plat.nr_pstates];
			in.rt_count = rand() % 3;
			for (unsigned int b = 0; b < PM_IDLE_HIST_BUCKETS; b++)
				in.idle_hist[b] = rand() % 4 ? 0 : (uint32_t)rand() % 20;
			assert_int_equal(pm_gov_decide(m.cur, &s, &d), 0);
			pm_clamp(&plat, &cons, &d);
			if (!pm_clamp_check(&plat, &cc, &out))
				fail_msg("%s violates: %u kHz C%d vs floor %u latency %u", govs[g],
					 out.target_khz, out.cstate_limit, cc.floor_khz, cc.latency_us);
			assert_true(out.target_khz >= cc.floor_khz ||
				    out.target_khz == pm_platform_max_khz(&plat));
			if (cc.latency_us != PM_LATENCY_NONE)
				assert_true(plat.cstates[out.cstate_limit].exit_latency_us <=
					    cc.latency_us);
		}
		pm_gov_mgr_shutdown(&m);
	}
}

static void test_clamp_cases(void **state)
{
	static const struct {
		struct pm_cpu_constraint c;
		struct pm_cpu_decision in, want;
	} cases[] = {
		{ { PM_LATENCY_NONE, 0 }, { 1234567, 9 }, { 1300000, 3 } },	/* snap, range */
		{ { PM_LATENCY_NONE, 1500000 }, { 800000, 3 }, { 1500000, 3 } },	/* floor */
		{ { PM_LATENCY_NONE, 9000000 }, { 800000, 3 }, { 3200000, 3 } },	/* floor > table */
		{ { 169, 0 }, { 800000, 3 }, { 800000, 2 } },		/* C6 exit 170 > 169 */
		{ { 170, 0 }, { 800000, 3 }, { 800000, 3 } },
		{ { 3, 0 }, { 800000, 3 }, { 800000, 1 } },		/* C1E exit 4 > 3 */
		{ { 0, 0 }, { 800000, 3 }, { 800000, 0 } },		/* poll only */
		{ { PM_LATENCY_NONE, 0 }, { 800000, -5 }, { 800000, 0 } },
	};
	struct pm_constraints cons;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pm_cpu_decision d = cases[i].in;

		pm_clamp_cpu(&plat, &cases[i].c, &d);
		assert_int_equal(d.target_khz, cases[i].want.target_khz);
		assert_int_equal(d.cstate_limit, cases[i].want.cstate_limit);
	}
	/* aggregation: min latency, max floor */
	{
		struct pm_cpu_constraint cc[2];

		cons.ncpus = 2;
		cons.cpu = cc;
		pm_constraints_reset(&cons);
		assert_int_equal(pm_constraints_add(&cons, 1, 100, 1000000), 0);
		assert_int_equal(pm_constraints_add(&cons, 1, 50, 900000), 0);
		assert_int_equal(pm_constraints_add(&cons, 1, PM_LATENCY_NONE, 1200000), 0);
		assert_int_equal(pm_constraints_add(&cons, 2, 1, 1), -EINVAL);
		assert_int_equal(cc[1].latency_us, 50);
		assert_int_equal(cc[1].floor_khz, 1200000);
		assert_int_equal(cc[0].latency_us, PM_LATENCY_NONE);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_governor_cases),
		cmocka_unit_test(test_ondemand_sampling_down),
		cmocka_unit_test(test_tunables),
		cmocka_unit_test(test_switch_rollback),
		cmocka_unit_test(test_clamp_cases),
		cmocka_unit_test(test_clamp_property),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
