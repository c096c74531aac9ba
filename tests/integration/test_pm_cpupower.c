// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cpupower backend end to end: the real libcpupower against a fake sysfs tree
 * bind-mounted over /sys/devices/system/cpu in a private mount namespace.
 *
 * main() forks a child that unshares CLONE_NEWNS, makes / rprivate, builds the tree in a
 * temp dir, bind-mounts it and runs the cmocka group; the parent returns the child's
 * status. Read-only files are read-only bind mounts (root ignores mode bits). Skips
 * cleanly when not root or when mounting is not possible.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "powermgr/backend.h"
#include "powermgr/platform.h"

#define SYS_CPU	"/sys/devices/system/cpu"

static char tmp[64];

static int put(const char *rel, const char *val)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(val, f);
	return fclose(f) ? -errno : 0;
}

static int mk(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	return mkdir(path, 0755) && errno != EEXIST ? -errno : 0;
}

/* Read a file of the mounted tree (what libcpupower really wrote). */
static void get(const char *rel, char *buf, size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), SYS_CPU "/%s", rel);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, len - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
}

static unsigned long get_ul(const char *rel)
{
	char buf[64];

	get(rel, buf, sizeof(buf));
	return strtoul(buf, NULL, 10);
}

static int ro_bind(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), SYS_CPU "/%s", rel);
	if (mount(path, path, NULL, MS_BIND, NULL))
		return -errno;
	if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL))
		return -errno;
	return 0;
}

static int build_tree(void)
{
	static const char *const names[] = { "POLL", "C1", "C1E", "C6" };
	static const unsigned int lat[] = { 0, 1, 4, 170 }, res[] = { 0, 1, 4, 600 };
	char rel[128], val[64];
	int err = 0;

	err |= put("online", "0-1\n") | put("present", "0-1\n") | put("possible", "0-1\n");
	err |= mk("cpuidle") | put("cpuidle/current_driver", "intel_idle\n") |
	       put("cpuidle/current_governor", "menu\n");
	for (unsigned int c = 0; c < 2; c++) {
		/* cpu1 has one C-state fewer and no scaling_setspeed */
		unsigned int nst = c ? 3 : 4;

		snprintf(rel, sizeof(rel), "cpu%u", c);
		err |= mk(rel);
		snprintf(rel, sizeof(rel), "cpu%u/cpufreq", c);
		err |= mk(rel);
#define F(file, v) do { snprintf(rel, sizeof(rel), "cpu%u/cpufreq/" file, c); err |= put(rel, v); } while (0)
		F("scaling_governor", "performance\n");
		F("scaling_min_freq", "800000\n");
		F("scaling_max_freq", "2000000\n");
		if (!c)
			F("scaling_setspeed", "<unsupported>\n");
		F("scaling_available_frequencies",
		  "2000000 1900000 1800000 1700000 1600000 1500000 1400000 1300000 1200000 "
		  "1100000 1000000 900000 800000 \n");
		F("scaling_boost_frequencies", "3200000 2600000 \n");
		F("scaling_available_governors", "performance powersave userspace ondemand\n");
		F("scaling_driver", "acpi-cpufreq\n");
		F("cpuinfo_min_freq", "800000\n");
		F("cpuinfo_max_freq", "2000000\n");
		F("cpuinfo_transition_latency", "10000\n");
		F("scaling_cur_freq", "2000000\n");
		snprintf(val, sizeof(val), "%u\n", c);
		F("affected_cpus", val);
		F("related_cpus", val);
#undef F
		snprintf(rel, sizeof(rel), "cpu%u/cpuidle", c);
		err |= mk(rel);
		for (unsigned int k = 0; k < nst; k++) {
			snprintf(rel, sizeof(rel), "cpu%u/cpuidle/state%u", c, k);
			err |= mk(rel);
#define S(file, v) do { snprintf(rel, sizeof(rel), "cpu%u/cpuidle/state%u/" file, c, k); err |= put(rel, v); } while (0)
			snprintf(val, sizeof(val), "%s\n", names[k]);
			S("name", val);
			S("desc", val);
			snprintf(val, sizeof(val), "%u\n", lat[k]);
			S("latency", val);
			snprintf(val, sizeof(val), "%u\n", res[k]);
			S("residency", val);
			snprintf(val, sizeof(val), "%u\n", 100 * (k + 1));
			S("usage", val);
			snprintf(val, sizeof(val), "%u\n", 1000 * (k + 1));
			S("time", val);
			S("disable", "0\n");
#undef S
		}
	}
	return err ? -EIO : 0;
}

static void test_probe_and_tables(void **state)
{
	struct pm_cstate_info cs[PM_MAX_CSTATES];
	struct pm_cpu_reading r;
	struct pm_platform plat;
	struct pm_backend *b;
	uint32_t khz[PM_MAX_PSTATES];
	unsigned int n, nt;

	(void)state;
	assert_int_equal(pm_backend_cpupower_ops.probe(&(struct pm_backend_cfg){ 0 }), 0);
	assert_int_equal(pm_backend_open("auto", NULL, &b), 0);
	assert_string_equal(b->ops->name, "cpupower");
	assert_int_equal(pm_backend_nr_cpus(b), 2);
	assert_int_equal(pm_backend_pstates(b, 0, khz, PM_MAX_PSTATES, &n, &nt), 0);
	assert_int_equal(n, 15);
	assert_int_equal(nt, 2);
	assert_int_equal(khz[0], 800000);
	assert_int_equal(khz[12], 2000000);
	assert_int_equal(khz[14], 3200000);
	assert_int_equal(pm_backend_cstates(b, 0, cs, PM_MAX_CSTATES, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(cs[3].name, "C6");
	assert_int_equal(cs[3].exit_latency_us, 170);
	assert_int_equal(cs[3].target_residency_us, 600);
	assert_int_equal(pm_backend_cstates(b, 1, cs, PM_MAX_CSTATES, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(pm_backend_read(b, 0, &r), 0);
	assert_int_equal(r.cur_khz, 2000000);
	assert_int_equal(r.nr_cstates, 4);
	assert_int_equal(r.usage[2], 300);
	assert_int_equal(r.time_us[3], 4000);
	assert_int_equal(r.cstate_limit, 3);
	assert_int_equal(pm_platform_from_backend(&plat, b), 0);
	assert_int_equal(pm_platform_base_khz(&plat), 2000000);
	pm_backend_close(b);
}

static void test_writes_go_through_libcpupower(void **state)
{
	struct pm_cpu_reading r;
	struct pm_backend *b;
	char buf[64];

	(void)state;
	assert_int_equal(pm_backend_open("cpupower", NULL, &b), 0);
	/* governor */
	assert_int_equal(pm_backend_get_governor(b, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "performance");
	assert_int_equal(pm_backend_set_governor(b, 0, "ondemand"), 0);
	get("cpu0/cpufreq/scaling_governor", buf, sizeof(buf));
	assert_int_equal(strncmp(buf, "ondemand", 8), 0);
	/* set-speed switches to userspace first */
	assert_int_equal(pm_backend_set_freq(b, 0, 1500000), 0);
	get("cpu0/cpufreq/scaling_governor", buf, sizeof(buf));
	assert_int_equal(strncmp(buf, "userspace", 9), 0);
	assert_int_equal(get_ul("cpu0/cpufreq/scaling_setspeed"), 1500000);
	/* min / max, in an order the kernel would accept */
	assert_int_equal(pm_backend_set_limits(b, 0, 1000000, 1800000), 0);
	assert_int_equal(get_ul("cpu0/cpufreq/scaling_min_freq"), 1000000);
	assert_int_equal(get_ul("cpu0/cpufreq/scaling_max_freq"), 1800000);
	assert_int_equal(pm_backend_set_limits(b, 0, 1900000, 2000000), 0);
	assert_int_equal(get_ul("cpu0/cpufreq/scaling_min_freq"), 1900000);
	assert_int_equal(pm_backend_set_limits(b, 0, 2000000, 1000000), -EINVAL);
	/* C-state limit: states deeper than 1 disabled */
	assert_int_equal(pm_backend_set_cstate_limit(b, 0, 1), 0);
	assert_int_equal(get_ul("cpu0/cpuidle/state1/disable"), 0);
	assert_int_equal(get_ul("cpu0/cpuidle/state2/disable"), 1);
	assert_int_equal(get_ul("cpu0/cpuidle/state3/disable"), 1);
	assert_int_equal(pm_backend_read(b, 0, &r), 0);
	assert_int_equal(r.cstate_limit, 1);
	assert_int_equal(pm_backend_set_cstate_limit(b, 0, 3), 0);
	assert_int_equal(get_ul("cpu0/cpuidle/state3/disable"), 0);
	/* close restores the governor the CPU had before we touched it */
	pm_backend_close(b);
	get("cpu0/cpufreq/scaling_governor", buf, sizeof(buf));
	assert_int_equal(strncmp(buf, "performance", 11), 0);
}

static void test_errors_reported(void **state)
{
	struct pm_backend *b;

	(void)state;
	assert_int_equal(ro_bind("cpu1/cpufreq/scaling_max_freq"), 0);
	assert_int_equal(ro_bind("cpu1/cpuidle/state2/disable"), 0);
	assert_int_equal(pm_backend_open("cpupower", NULL, &b), 0);
	/* read-only max: EROFS, named */
	assert_int_equal(pm_backend_set_limits(b, 1, 800000, 1900000), -EROFS);
	assert_non_null(strstr(pm_backend_last_error(b), "scaling_max_freq"));
	assert_int_equal(get_ul("cpu1/cpufreq/scaling_max_freq"), 2000000);
	/* missing scaling_setspeed */
	assert_int_equal(pm_backend_set_freq(b, 1, 1200000), -ENOENT);
	assert_non_null(strstr(pm_backend_last_error(b), "1200000"));
	/* a state that does not exist on cpu1 */
	assert_int_equal(pm_backend_set_cstate_limit(b, 1, 3), -EINVAL);
	/* read-only disable file */
	assert_int_equal(pm_backend_set_cstate_limit(b, 1, 1), -EROFS);
	assert_non_null(strstr(pm_backend_last_error(b), "state2/disable"));
	/* CPU out of range */
	assert_int_equal(pm_backend_set_freq(b, 5, 1200000), -EINVAL);
	assert_true(b->errors >= 5);
	pm_backend_close(b);
}

static int run_child(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_and_tables),
		cmocka_unit_test(test_writes_go_through_libcpupower),
		cmocka_unit_test(test_errors_reported),
	};

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		printf("SKIP test_pm_cpupower: private mount namespace: %s\n", strerror(errno));
		return 0;
	}
	if (build_tree()) {
		printf("SKIP test_pm_cpupower: cannot build the fake tree\n");
		return 0;
	}
	if (mount(tmp, SYS_CPU, NULL, MS_BIND, NULL)) {
		printf("SKIP test_pm_cpupower: bind mount: %s\n", strerror(errno));
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

int main(void)
{
	char cmd[128];
	int status;
	pid_t pid;

	if (geteuid() != 0) {
		printf("SKIP test_pm_cpupower: needs root\n");
		return 0;
	}
	strcpy(tmp, "/tmp/pm_cpupower_XXXXXX");
	if (!mkdtemp(tmp)) {
		printf("SKIP test_pm_cpupower: mkdtemp: %s\n", strerror(errno));
		return 0;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid)
		_exit(run_child() ? 1 : 0);
	if (waitpid(pid, &status, 0) < 0)
		return 1;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd))
		fprintf(stderr, "test_pm_cpupower: could not remove %s\n", tmp);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
