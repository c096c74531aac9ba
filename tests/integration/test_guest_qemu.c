/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvguest under QEMU (multiboot v1 path): boot build/guest/pvguest.elf with a few workloads
 * and check its console summary lines and exit status. QEMU is the peer VMM until pv-vmm
 * exists; the same image is pv-vmm's test guest.
 *
 * Skips when /dev/kvm or qemu-system-x86_64 is missing. Every QEMU run is bounded
 * (RUN_TIMEOUT_S, then SIGKILL). isa-debug-exit makes QEMU exit with (status << 1) | 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#define QEMU_BIN	"qemu-system-x86_64"
#define RUN_TIMEOUT_S	25
#define OUT_MAX		(64 * 1024)
#define QEMU_STATUS(s)	(((s) << 1) | 1)

struct qemu_run {
	char out[OUT_MAX];
	size_t len;
	int exit_code;		/* -1: killed (timeout) or abnormal end */
	bool timed_out;
};

static char guest_elf[PATH_MAX];

static bool have_kvm(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static bool have_qemu(void)
{
	const char *path = getenv("PATH");
	char dir[PATH_MAX], cand[PATH_MAX + 64];

	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		if (n > 0 && n < sizeof(dir)) {
			memcpy(dir, path, n);
			dir[n] = '\0';
			snprintf(cand, sizeof(cand), "%s/%s", dir, QEMU_BIN);
			if (access(cand, X_OK) == 0)
				return true;
		}
		path += n;
		if (*path == ':')
			path++;
	}
	return false;
}

/* build/guest/pvguest.elf: $PVGUEST_ELF, next to this binary (build/tests/integration/), or
 * relative to the repository root. */
static bool find_guest_elf(void)
{
	const char *env = getenv("PVGUEST_ELF");
	char exe[PATH_MAX - 32];
	ssize_t n;

	if (env && access(env, R_OK) == 0) {
		snprintf(guest_elf, sizeof(guest_elf), "%s", env);
		return true;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(guest_elf, sizeof(guest_elf), "%s/../../guest/pvguest.elf", exe);
			if (access(guest_elf, R_OK) == 0)
				return true;
		}
	}
	snprintf(guest_elf, sizeof(guest_elf), "build/guest/pvguest.elf");
	return access(guest_elf, R_OK) == 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run_qemu(const char *append, int expect_exit, struct qemu_run *r)
{
	int pfd[2];
	pid_t pid;
	double deadline = now_s() + RUN_TIMEOUT_S;
	int status;

	memset(r, 0, sizeof(*r));
	r->exit_code = -1;
	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		char *argv[] = {
			(char *)QEMU_BIN, (char *)"-enable-kvm", (char *)"-nographic",
			(char *)"-no-reboot", (char *)"-m", (char *)"128",
			(char *)"-kernel", guest_elf, (char *)"-append", (char *)append,
			(char *)"-device", (char *)"isa-debug-exit,iobase=0xf4,iosize=4", NULL,
		};

		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		dup2(pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		execvp(QEMU_BIN, argv);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		double left = deadline - now_s();
		ssize_t n;

		if (left <= 0) {
			r->timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		n = read(pfd[0], r->out + r->len, sizeof(r->out) - 1 - r->len);
		if (n <= 0)
			break;
		r->len += (size_t)n;
		if (r->len == sizeof(r->out) - 1)
			break;
	}
	r->out[r->len] = '\0';
	close(pfd[0]);
	if (!r->timed_out && now_s() > deadline)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!r->timed_out && WIFEXITED(status))
		r->exit_code = WEXITSTATUS(status);
	if (r->exit_code != expect_exit)
		fprintf(stderr, "--- qemu '%s' exit=%d timeout=%d output:\n%s\n---\n", append,
			r->exit_code, r->timed_out, r->out);
}

/* The line starting with prefix (e.g. "pvguest: task 1 rt "), or NULL. */
static const char *find_line(const struct qemu_run *r, const char *prefix)
{
	const char *p = r->out;

	while ((p = strstr(p, prefix)) != NULL) {
		if (p == r->out || p[-1] == '\n' || p[-1] == '\r' || p[-1] == '.')
			return p;
		p++;
	}
	return NULL;
}

/* Value of "key=" within the line starting at line (up to its end), or -1. */
static long long line_value(const char *line, const char *key)
{
	const char *eol = strchr(line, '\n');
	size_t klen = strlen(key);

	for (const char *p = line; *p && (!eol || p < eol); p++) {
		if (strncmp(p, key, klen) == 0 && p[klen] == '=' && (p == line || p[-1] == ' '))
			return strtoll(p + klen + 1, NULL, 10);
	}
	return -1;
}

static void require_env(void)
{
	if (!have_kvm() || !have_qemu() || !find_guest_elf()) {
		fprintf(stderr, "skip: needs /dev/kvm, %s and build/guest/pvguest.elf\n",
			QEMU_BIN);
		skip();
	}
}

static void test_cpu_and_rt(void **state)
{
	static struct qemu_run r;
	const char *boot, *rt, *cpu;

	(void)state;
	require_env();
	run_qemu("workload=rt:period_us=1000,wcet_us=200;cpu duration_ms=1000", QEMU_STATUS(0), &r);
	assert_false(r.timed_out);
	assert_int_equal(r.exit_code, QEMU_STATUS(0));
	boot = find_line(&r, "pvguest: boot vcpus=1 ");
	assert_non_null(boot);
	assert_true(line_value(boot, "tsc_khz") > 100000);
	assert_non_null(find_line(&r, "pvguest: first-task tsc="));
	rt = find_line(&r, "pvguest: task 1 rt ");
	assert_non_null(rt);
	assert_true(line_value(rt, "activations") > 100);
	assert_true(line_value(rt, "completions") > 100);
	assert_true(line_value(rt, "misses") >= 0);
	assert_true(line_value(rt, "p50") <= line_value(rt, "p99"));
	assert_true(line_value(rt, "p99") <= line_value(rt, "max"));
	cpu = find_line(&r, "pvguest: task 2 cpu ");
	assert_non_null(cpu);
	assert_true(line_value(cpu, "progress") > 0);
	assert_non_null(find_line(&r, "pvguest: done status=0"));
}

static void test_pio_loop(void **state)
{
	static struct qemu_run r;
	const char *pio;

	(void)state;
	require_env();
	/* duration_ms=0: the run ends when the finite work is done. */
	run_qemu("workload=pio-loop:n=2000", QEMU_STATUS(0), &r);
	assert_false(r.timed_out);
	assert_int_equal(r.exit_code, QEMU_STATUS(0));
	pio = find_line(&r, "pvguest: pio-loop n=2000 ");
	assert_non_null(pio);
	assert_int_equal(line_value(pio, "done"), 2000);
	assert_true(line_value(pio, "cycles_per_iter") > 0);
	assert_true(line_value(pio, "ns_per_iter") > 0);
	assert_non_null(find_line(&r, "pvguest: done status=0"));
}

static void test_hlt_wake(void **state)
{
	static struct qemu_run r;
	const char *hw;

	(void)state;
	require_env();
	run_qemu("workload=hlt-wake:n=200,period_us=1000", QEMU_STATUS(0), &r);
	assert_false(r.timed_out);
	assert_int_equal(r.exit_code, QEMU_STATUS(0));
	hw = find_line(&r, "pvguest: hlt-wake n=200 ");
	assert_non_null(hw);
	assert_int_equal(line_value(hw, "wakeups"), 200);
	assert_true(line_value(hw, "p50") <= line_value(hw, "p99"));
	assert_true(line_value(hw, "p99") <= line_value(hw, "max"));
	assert_non_null(find_line(&r, "pvguest: done status=0"));
}

static void test_malformed_spec(void **state)
{
	static struct qemu_run r;

	(void)state;
	require_env();
	run_qemu("workload=rt:period_us=1000;nosuch duration_ms=100", QEMU_STATUS(2), &r);
	assert_false(r.timed_out);
	assert_int_not_equal(r.exit_code, QEMU_STATUS(0));
	assert_int_equal(r.exit_code, QEMU_STATUS(2));
	assert_non_null(find_line(&r, "pvguest: error: bad workload spec: "));
	assert_null(find_line(&r, "pvguest: done status=0"));
}

static void test_triple_fault(void **state)
{
	static struct qemu_run r;

	(void)state;
	require_env();
	/* -no-reboot: the shutdown ends QEMU with status 0, without a summary. */
	run_qemu("workload=triple-fault duration_ms=1000", 0, &r);
	assert_false(r.timed_out);
	assert_int_equal(r.exit_code, 0);
	assert_non_null(find_line(&r, "pvguest: hostile triple-fault"));
	assert_null(find_line(&r, "pvguest: done status="));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_and_rt),
		cmocka_unit_test(test_pio_loop),
		cmocka_unit_test(test_hlt_wake),
		cmocka_unit_test(test_malformed_spec),
		cmocka_unit_test(test_triple_fault),
	};

	return cmocka_run_group_tests_name("guest_qemu", tests, NULL, NULL);
}
