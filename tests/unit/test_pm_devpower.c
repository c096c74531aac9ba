// SPDX-License-Identifier: GPL-2.0-only
/* Device power: thresholds, latency-sensitive dependencies, runtime PM writes, records. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "powermgr/devpower.h"

#define MS	1000000ull

struct rec_log {
	struct pv_rec r[16];
	unsigned int n;
};

static void log_emit(void *ctx, const struct pv_rec *rec)
{
	struct rec_log *l = ctx;

	if (l->n < 16)
		l->r[l->n++] = *rec;
}

static void test_devpower_thresholds(void **state)
{
	static const struct {
		uint64_t use_at_ms;	/* last use */
		uint64_t tick_ms;	/* evaluation time */
		bool dep;		/* latency-sensitive dependency */
		enum pm_dev_state want;
	} cases[] = {
		{ 0, 99, false, PM_DEV_ON },		/* below threshold */
		{ 0, 100, false, PM_DEV_LOW },		/* at threshold */
		{ 50, 120, false, PM_DEV_ON },		/* recent use */
		{ 0, 1000, true, PM_DEV_ON },		/* an LS VM depends on it */
	};
	struct pm_dev_cfg cfg = { .name = "blk0", .idle_ms = 100 };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rec_log log = { .n = 0 };
		struct pm_devpower dp;
		int id;

		pm_devpower_init(&dp, log_emit, &log);
		id = pm_devpower_add(&dp, &cfg, 0);
		assert_int_equal(id, 0);
		if (cases[i].dep)
			assert_int_equal(pm_devpower_set_latency_dep(&dp, 0, 3, true), 0);
		if (cases[i].use_at_ms)
			assert_int_equal(pm_devpower_account(&dp, 0, 1, 1000, 1,
							     cases[i].use_at_ms * MS), 0);
		assert_true(pm_devpower_tick(&dp, cases[i].tick_ms * MS) >= 0);
		assert_int_equal(dp.dev[0].state, cases[i].want);
		assert_int_equal(log.n, cases[i].want == PM_DEV_LOW);
		if (log.n) {
			assert_int_equal(log.r[0].type, PV_EV_DEVPOWER);
			assert_int_equal(log.r[0].a, 0);
			assert_int_equal(log.r[0].b, PM_DEV_LOW);
			assert_int_equal(log.r[0].c, PM_DEV_ON);
		}
	}
}

static void test_devpower_restore_and_sysfs(void **state)
{
	char dir[64], path[128], buf[16] = { 0 };
	struct rec_log log = { .n = 0 };
	struct pm_dev_cfg cfg = { .name = "nic0", .idle_ms = 10 };
	struct pm_devpower dp;
	FILE *f;

	(void)state;
	strcpy(dir, "/tmp/pm_dev_XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/power", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/power/control", dir);
	f = fopen(path, "w");
	fputs("on\n", f);
	fclose(f);
	snprintf(cfg.sysfs_path, sizeof(cfg.sysfs_path), "%s", dir);
	pm_devpower_init(&dp, log_emit, &log);
	assert_int_equal(pm_devpower_add(&dp, &cfg, 0), 0);
	assert_int_equal(pm_devpower_tick(&dp, 20 * MS), 1);
	f = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "auto");
	/* I/O arrives: restored at once, "on" written, a second record */
	assert_int_equal(pm_devpower_demand(&dp, 0, 25 * MS), 0);
	assert_int_equal(dp.dev[0].state, PM_DEV_ON);
	f = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "on");
	assert_int_equal(log.n, 2);
	assert_int_equal(log.r[1].b, PM_DEV_ON);
	/* per-VM accounting */
	assert_int_equal(pm_devpower_account(&dp, 0, 2, 5000, 3, 30 * MS), 0);
	assert_int_equal(dp.dev[0].vm_busy_ns[2], 5000);
	assert_int_equal(pm_devpower_account(&dp, 0, PM_DEV_MAX_VMS, 1, 1, 30 * MS), -EINVAL);
	assert_int_equal(pm_devpower_account(&dp, 7, 0, 1, 1, 30 * MS), -ENOENT);
	/* the control file vanishes: the error is reported, the state unchanged */
	unlink(path);
	snprintf(path, sizeof(path), "%s/power", dir);
	rmdir(path);
	assert_int_equal(pm_devpower_tick(&dp, 100 * MS), -ENOENT);
	assert_int_equal(dp.dev[0].state, PM_DEV_ON);
	assert_int_equal(dp.dev[0].last_err, -ENOENT);
	rmdir(dir);
}

static void test_devpower_validation(void **state)
{
	struct pm_dev_cfg cfg = { .name = "x", .idle_ms = 0 };
	struct pm_devpower dp;

	(void)state;
	pm_devpower_init(&dp, NULL, NULL);
	assert_int_equal(pm_devpower_add(&dp, &cfg, 0), -EINVAL);
	cfg.idle_ms = DEF_PM_DEV_IDLE_MS;
	assert_int_equal(pm_devpower_add(&dp, &cfg, 0), 0);
	assert_int_equal(pm_devpower_set_idle_ms(&dp, 0, MAX_PM_DEV_IDLE_MS + 1), -ERANGE);
	assert_int_equal(pm_devpower_set_idle_ms(&dp, 0, MIN_PM_DEV_IDLE_MS), 0);
	assert_int_equal(pm_devpower_set_idle_ms(&dp, 1, 10), -ENOENT);
	for (unsigned int i = 1; i < PM_DEV_MAX; i++)
		assert_int_equal(pm_devpower_add(&dp, &cfg, 0), (int)i);
	assert_int_equal(pm_devpower_add(&dp, &cfg, 0), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_devpower_thresholds),
		cmocka_unit_test(test_devpower_restore_and_sysfs),
		cmocka_unit_test(test_devpower_validation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
