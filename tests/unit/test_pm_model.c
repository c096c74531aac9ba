// SPDX-License-Identifier: GPL-2.0-only
/* Model platform numbers, calibration, break-even, turbo rule, model backend, registry. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "powermgr/backend.h"
#include "powermgr/backend_model.h"
#include "powermgr/model.h"

static void test_model_tdp_calibration(void **state)
{
	struct pm_model m;
	double w;

	(void)state;
	pm_model_defaults(&m, 32);
	/* all 32 cores at 2.0 GHz + uncore = 205 W */
	w = 32 * pm_model_active_w(&m, 2000000) + pm_model_uncore_w(&m, false);
	assert_true(fabs(w - 205.0) < 0.01);
	/* a 2-core slice owns 2/32 of it */
	pm_model_defaults(&m, 2);
	w = 2 * pm_model_active_w(&m, 2000000) + pm_model_uncore_w(&m, false);
	assert_true(fabs(w - 205.0 * 2 / 32) < 0.01);
	assert_true(fabs(pm_model_tdp_w(&m) - 205.0 * 2 / 32) < 1e-9);
}

static void test_model_known_points(void **state)
{
	static const struct { uint32_t khz; double volt; } vt[] = {
		{ 800000, 0.70 }, { 2000000, 0.875 }, { 3200000, 1.05 }, { 100000, 0.70 },
	};
	struct pm_model m;

	(void)state;
	pm_model_defaults(&m, 2);
	for (size_t i = 0; i < sizeof(vt) / sizeof(vt[0]); i++)
		assert_true(fabs(pm_model_volt(&m, vt[i].khz) - vt[i].volt) < 1e-9);
	/* leakage is 25 % of core power at base: 1.25 W of 5 W */
	assert_true(fabs(pm_model_leak_w(&m, 2000000) - 1.25) < 1e-9);
	assert_true(fabs(pm_model_dyn_w(&m, 2000000) - 3.75) < 1e-9);
	/* P_dyn scales with V^2 f */
	assert_true(fabs(pm_model_dyn_w(&m, 3200000) / pm_model_dyn_w(&m, 2000000) -
			 (1.05 * 1.05 * 3.2) / (0.875 * 0.875 * 2.0)) < 1e-9);
	/* idle ordering: POLL > C1 > C1E > C6 = 0, and C1 is 35 % of POLL */
	assert_true(pm_model_idle_w(&m, PM_MODEL_POLL, 2000000) > pm_model_idle_w(&m, PM_MODEL_C1, 2000000));
	assert_true(pm_model_idle_w(&m, PM_MODEL_C1, 2000000) > pm_model_idle_w(&m, PM_MODEL_C1E, 2000000));
	assert_true(pm_model_idle_w(&m, PM_MODEL_C6, 2000000) == 0.0);
	assert_true(fabs(pm_model_idle_w(&m, PM_MODEL_C1, 2000000) /
			 pm_model_idle_w(&m, PM_MODEL_POLL, 2000000) - 0.35) < 1e-9);
	assert_int_equal(m.nr_pstates, 25);
	assert_int_equal(m.nr_turbo, 12);
	assert_int_equal(m.pstates_khz[0], 800000);
	assert_int_equal(m.pstates_khz[24], 3200000);
}

static void test_model_break_even(void **state)
{
	struct pm_model m;

	(void)state;
	pm_model_defaults(&m, 2);
	for (unsigned int k = PM_MODEL_C1; k < PM_MODEL_NR_CSTATES; k++) {
		double tr = m.cst_resid_us[k];
		double poll_at = pm_model_idle_period_uj(&m, PM_MODEL_POLL, 2000000, tr);

		/* at the target residency a state costs what polling costs */
		assert_true(fabs(pm_model_idle_period_uj(&m, k, 2000000, tr) - poll_at) < 1e-6);
		assert_true(fabs(pm_model_break_even_us(&m, k, 2000000) - tr) < 1e-6);
		/* shorter: worse than polling; longer: better */
		assert_true(pm_model_idle_period_uj(&m, k, 2000000, tr / 2) >
			    pm_model_idle_period_uj(&m, PM_MODEL_POLL, 2000000, tr / 2));
		assert_true(pm_model_idle_period_uj(&m, k, 2000000, tr * 3) <
			    pm_model_idle_period_uj(&m, PM_MODEL_POLL, 2000000, tr * 3));
	}
	assert_int_equal(m.cst_exit_us[PM_MODEL_C6], 170);
	assert_int_equal(m.cst_resid_us[PM_MODEL_C6], 600);
}

static void test_model_turbo_grant(void **state)
{
	static const struct {
		uint32_t req[3];
		double util[3];
		bool all_granted;
	} cases[] = {
		{ { 3200000, 800000, 800000 }, { 1.0, 0.0, 0.0 }, true },	/* one busy core */
		{ { 3200000, 3200000, 3200000 }, { 1.0, 1.0, 1.0 }, false },	/* no headroom */
		{ { 2000000, 2000000, 2000000 }, { 1.0, 1.0, 1.0 }, true },	/* non-turbo */
	};
	struct pm_model m;
	uint32_t out[3];

	(void)state;
	pm_model_defaults(&m, 3);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pm_model_grant(&m, cases[i].req, cases[i].util, 3, out);
		assert_int_equal(memcmp(out, cases[i].req, sizeof(out)) == 0, cases[i].all_granted);
		for (int c = 0; c < 3; c++)
			assert_true(out[c] <= cases[i].req[c]);
		if (!cases[i].all_granted)
			assert_true(pm_model_pkg_estimate_w(&m, out, cases[i].util, 3) <=
				    pm_model_tdp_w(&m) + 1e-9 || out[0] == m.base_khz);
	}
	m.tdp_w = 10;	/* below uncore: invalid */
	assert_int_equal(pm_model_calibrate(&m), -EINVAL);
}

static void test_model_backend(void **state)
{
	struct pm_backend_cfg cfg = { .ncpus = 4 };
	struct pm_cstate_info cs[PM_MAX_CSTATES];
	struct pm_cpu_sample smp = { .window_ns = 10000000, .guest_ns = 5000000,
				     .idle_ns = 5000000 };
	struct pm_cpu_reading r;
	struct pm_backend *b;
	uint32_t khz[PM_MAX_PSTATES];
	unsigned int n, nt;
	double e1, e2;

	(void)state;
	assert_int_equal(pm_backend_open("model", &cfg, &b), 0);
	assert_string_equal(b->ops->source, "model");
	assert_int_equal(pm_backend_nr_cpus(b), 4);
	assert_int_equal(pm_backend_pstates(b, 0, khz, PM_MAX_PSTATES, &n, &nt), 0);
	assert_int_equal(n, 25);
	assert_int_equal(pm_backend_cstates(b, 0, cs, PM_MAX_CSTATES, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(cs[3].name, "C6");
	assert_int_equal(pm_backend_set_freq(b, 1, 1200000), 0);
	assert_int_equal(pm_backend_read(b, 1, &r), 0);
	assert_int_equal(r.cur_khz, 1200000);
	assert_int_equal(pm_backend_set_freq(b, 1, 100), -ERANGE);
	assert_true(b->errors > 0 && strstr(pm_backend_last_error(b), "cpu1"));
	assert_int_equal(pm_backend_set_freq(b, 9, 1200000), -EINVAL);
	assert_int_equal(pm_backend_set_cstate_limit(b, 1, 7), -EINVAL);
	assert_int_equal(pm_backend_set_cstate_limit(b, 1, 1), 0);
	assert_int_equal(pm_backend_read(b, 1, &r), 0);
	assert_int_equal(r.cstate_limit, 1);
	/* energy: half busy at 1.2 GHz, half idle in C1 (no periods ended) */
	assert_int_equal(pm_model_backend_feed(b, 1, &smp), 0);
	e1 = pm_model_backend_energy_uj(b);
	{
		const struct pm_model *m = pm_model_backend_model(b);
		double want = pm_model_active_w(m, 1200000) * 5000 +
			      pm_model_idle_period_uj(m, PM_MODEL_C1, 1200000, 5000) +
			      pm_model_uncore_w(m, false) / 4 * 10000;

		assert_true(fabs(e1 - want) < 1e-6 * want);
	}
	smp.guest_ns = 20000000;	/* over-accounted window: rejected */
	assert_int_equal(pm_model_backend_feed(b, 1, &smp), -EINVAL);
	e2 = pm_model_backend_energy_uj(b);
	assert_true(e2 == e1);
	pm_backend_close(b);
}

static void test_backend_registry(void **state)
{
	struct pm_backend *b;

	(void)state;
	assert_non_null(pm_backend_find("cpupower"));
	assert_non_null(pm_backend_find("model"));
	assert_null(pm_backend_find("auto"));
	assert_null(pm_backend_find("nope"));
	assert_int_equal(pm_backend_open("nope", NULL, &b), -EINVAL);
	/* the build machines have no cpufreq: auto = model, and cpupower refuses */
	assert_int_equal(pm_backend_open("auto", NULL, &b), 0);
	assert_string_equal(b->ops->name,
			    pm_backend_cpupower_ops.probe(&(struct pm_backend_cfg){ 0 }) ? "model"
											  : "cpupower");
	pm_backend_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_tdp_calibration),
		cmocka_unit_test(test_model_known_points),
		cmocka_unit_test(test_model_break_even),
		cmocka_unit_test(test_model_turbo_grant),
		cmocka_unit_test(test_model_backend),
		cmocka_unit_test(test_backend_registry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
