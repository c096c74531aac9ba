// SPDX-License-Identifier: GPL-2.0-only
/* Energy sensing (powercap against a fake tree, perf, model, selection) and vCPU PMU. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include "powermgr/backend_model.h"
#include "powermgr/pmu.h"
#include "powermgr/sense.h"

static char root[64];

static void put(const char *rel, const char *val)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(val, f);
	fclose(f);
}

static int tree_setup(void **state)
{
	char p[256];

	(void)state;
	strcpy(root, "/tmp/pm_powercap_XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(p, sizeof(p), "%s/intel-rapl:0", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/intel-rapl:0:0", root);	/* a sub-zone: not summed */
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/intel-rapl:1", root);
	mkdir(p, 0755);
	return 0;
}

static int tree_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_sense_delta(void **state)
{
	static const struct { uint64_t last, now, max, want, wraps; } cases[] = {
		{ 100, 150, 1000, 50, 0 },
		{ 900, 100, 1000, 200, 1 },		/* wrapped */
		{ 1000, 0, 1000, 0, 1 },
		{ 0, 0, 1000, 0, 0 },
		{ 262143328850ull, 5000, 262143328850ull, 5000, 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t w = 0;

		assert_int_equal(pm_sense_delta(cases[i].last, cases[i].now, cases[i].max, &w),
				 cases[i].want);
		assert_int_equal(w, cases[i].wraps);
	}
}

static void test_powercap_fake_tree(void **state)
{
	struct pm_sense_cfg cfg = { .powercap_root = root };
	struct pm_sense *s;
	uint64_t uj;

	(void)state;
	put("intel-rapl:0/max_energy_range_uj", "1000000\n");
	put("intel-rapl:0/energy_uj", "999000\n");
	put("intel-rapl:0:0/max_energy_range_uj", "1000000\n");
	put("intel-rapl:0:0/energy_uj", "5\n");
	put("intel-rapl:1/max_energy_range_uj", "2000000\n");
	put("intel-rapl:1/energy_uj", "10\n");
	assert_int_equal(pm_sense_open(&pm_sense_powercap_ops, &cfg, &s), 0);
	assert_string_equal(pm_sense_source(s), "rapl");
	assert_int_equal(pm_sense_read_uj(s, &uj), 0);
	assert_int_equal(uj, 0);
	/* zone 0 wraps: 999000 -> max 1000000 -> 500: 1500 µJ; zone 1: +90 */
	put("intel-rapl:0/energy_uj", "500\n");
	put("intel-rapl:1/energy_uj", "100\n");
	put("intel-rapl:0:0/energy_uj", "999999\n");	/* ignored */
	assert_int_equal(pm_sense_read_uj(s, &uj), 0);
	assert_int_equal(uj, 1500 + 90);
	assert_int_equal(s->wraps, 1);
	put("intel-rapl:0/energy_uj", "1500\n");
	assert_int_equal(pm_sense_read_uj(s, &uj), 0);
	assert_int_equal(uj, 2590);
	/* a zone that disappears is an error, not a crash */
	put("intel-rapl:1/energy_uj", "garbage\n");
	assert_int_equal(pm_sense_read_uj(s, &uj), -EINVAL);
	pm_sense_close(s);
	/* no tree */
	cfg.powercap_root = "/nonexistent/powercap";
	assert_int_equal(pm_sense_open(&pm_sense_powercap_ops, &cfg, &s), -ENOENT);
}

static void test_sense_selection(void **state)
{
	struct pm_backend_cfg bcfg = { .ncpus = 2 };
	struct pm_cpu_sample smp = { .window_ns = 10000000, .guest_ns = 10000000, .cur_khz = 2000000 };
	struct pm_backend *b;
	struct pm_sense_cfg cfg = { .powercap_root = "/nonexistent" };
	struct pm_sense *s;
	uint64_t uj;
	int err;

	(void)state;
	/* perf: RAPL PMU is not there on these hosts; where it is, the source says so */
	err = pm_sense_open(&pm_sense_perf_ops, &cfg, &s);
	if (!err) {
		assert_string_equal(pm_sense_source(s), "perf");
		pm_sense_close(s);
	} else {
		assert_true(err == -EOPNOTSUPP || err == -ENOENT || err == -ENODEV ||
			    err == -EACCES);
	}
	/* nothing measured and no model: none */
	if (err)
		assert_int_equal(pm_sense_open_first(&cfg, &s), -ENODEV);
	/* with the model backend: "model", and it follows the fed energy */
	assert_int_equal(pm_backend_open("model", &bcfg, &b), 0);
	cfg.model = b;
	if (err) {
		assert_int_equal(pm_sense_open_first(&cfg, &s), 0);
		assert_string_equal(pm_sense_source(s), "model");
		assert_int_equal(pm_model_backend_feed(b, 0, &smp), 0);
		assert_int_equal(pm_sense_read_uj(s, &uj), 0);
		assert_int_equal(uj, (uint64_t)pm_model_backend_energy_uj(b));
		assert_true(uj > 50000);	/* > 5 W for 10 ms */
		pm_sense_close(s);
	}
	pm_backend_close(b);
}

static void test_pmu_current_thread(void **state)
{
	uint64_t v0[PM_PMU_NR_EVENTS], v1[PM_PMU_NR_EVENTS];
	volatile uint64_t x = 0;
	struct pm_pmu p;

	(void)state;
	assert_int_equal(pm_pmu_open(&p, (pid_t)syscall(SYS_gettid)), 0);
	/* software events work everywhere */
	assert_true(pm_pmu_available(&p, PM_PMU_TASK_CLOCK));
	assert_true(pm_pmu_available(&p, PM_PMU_CONTEXT_SWITCHES));
	for (unsigned int i = 0; i < PM_PMU_NR_EVENTS; i++) {
		print_message("pmu %-16s %s\n", pm_pmu_event_name(i),
			      pm_pmu_available(&p, i) ? "available" : strerror(-p.err[i]));
		assert_true(pm_pmu_available(&p, i) ? p.err[i] == 0 : p.err[i] < 0);
	}
	assert_int_equal(pm_pmu_read(&p, v0), 0);
	for (int i = 0; i < 2000000; i++)
		x += (uint64_t)i;
	usleep(1000);
	assert_int_equal(pm_pmu_read(&p, v1), 0);
	assert_true(v1[PM_PMU_TASK_CLOCK] > v0[PM_PMU_TASK_CLOCK]);
	assert_true(v1[PM_PMU_CONTEXT_SWITCHES] > v0[PM_PMU_CONTEXT_SWITCHES]);
	if (pm_pmu_available(&p, PM_PMU_INSTRUCTIONS))
		assert_true(v1[PM_PMU_INSTRUCTIONS] > v0[PM_PMU_INSTRUCTIONS]);
	pm_pmu_close(&p);
	/* a thread that does not exist */
	assert_int_equal(pm_pmu_open(&p, 0x7ffffff0), -ENODEV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sense_delta),
		cmocka_unit_test_setup_teardown(test_powercap_fake_tree, tree_setup, tree_teardown),
		cmocka_unit_test(test_sense_selection),
		cmocka_unit_test(test_pmu_current_thread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
