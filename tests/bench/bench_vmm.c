// SPDX-License-Identifier: GPL-2.0-only
/*
 * pv-vmm benchmarks (one run, bounded in time, "BENCH name value unit" lines):
 *   vmm.pio_exit_us        pvguest pio-loop (ring-3 `out` to PV_PORT_UNASSIGNED) under pv-vmm
 *                          with tracing on; per-iteration time measured by the guest (TSC)
 *   vmm.bare_pio_exit_us   the same guest image, VM built by libvmm, but run by a bare
 *                          KVM_RUN loop here (no tracing, no accounting): the limit
 *   vmm.pio_ratio_vs_bare  bare / pv-vmm (pv-vmm throughput relative to bare; target >= 0.95)
 *   vmm.qemu_pio_exit_us   the same pvguest microbenchmark under QEMU (multiboot), measured
 *                          inside the guest; vmm.speedup_vs_qemu = qemu / pv-vmm
 *   vmm.startup_cpu_ms     pv-vmm's user+sys CPU time from exec to the first KVM_RUN
 *   vmm.first_task_ms      launch to pvguest's first ring-3 task (guest TSC converted)
 * Without pvguest or /dev/kvm the figures are reported as skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "tracer/tsc.h"
#include "vmm/pv_abi.h"
#include "vmm/vm.h"

#define PIO_N		"30000"
#define RUNS		3

static const char *build_dir(void)
{
	const char *b = getenv("PV_BUILD");

	return b && *b ? b : "build";
}

/* Run a command with stdout+stderr into @out (malloc'd), bounded by @timeout_s. */
static int run_capture(char *const argv[], char **out, int timeout_s)
{
	char path[] = "/tmp/bench_vmm_XXXXXX";
	int fd = mkstemp(path), st = -1;
	pid_t pid;
	time_t end = time(NULL) + timeout_s;
	FILE *f;
	long n;

	if (fd < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (time(NULL) > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			break;
		}
		usleep(10000);
	}
	f = fdopen(fd, "r");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	*out = calloc(1, (size_t)n + 1);
	if (fread(*out, 1, (size_t)n, f) != (size_t)n) {
		/* best effort */
	}
	fclose(f);
	unlink(path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static double field(const char *s, const char *key)
{
	const char *p = s ? strstr(s, key) : NULL;

	return p ? strtod(p + strlen(key), NULL) : -1;
}

/* The pvguest pio-loop under pv-vmm: cycles per iteration, startup CPU, first task. */
static int bench_pvvmm(const char *elf, double *cyc, double *startup_ms, double *first_ms)
{
	char bin[256], *out = NULL;
	char *argv[] = { bin, "--kernel", (char *)elf, "--mem", "64M", "--workload",
			 "pio-loop:n=" PIO_N, "--duration-ms", "0", "--console", "stdout",
			 "--exit-limit", "0", NULL };
	uint64_t t0 = pv_rdtsc();
	double gtsc, off, khz;
	int st;

	snprintf(bin, sizeof(bin), "%s/pv-vmm", build_dir());
	st = run_capture(argv, &out, 60);
	*cyc = field(out, "cycles_per_iter=");
	*startup_ms = field(out, "startup cpu_ms=");
	gtsc = field(out, "first-task tsc=");
	off = field(out, "guest_tsc_offset=");
	khz = field(out, "tsc_khz=");
	*first_ms = gtsc > 0 && khz > 0 ? (gtsc - off - (double)t0) / khz : -1;
	if (*cyc <= 0)
		fprintf(stderr, "bench_vmm: pv-vmm run failed (%d):\n%s\n", st, out ? out : "");
	free(out);
	return *cyc > 0 ? 0 : -1;
}

/* Same guest, same VM set-up (libvmm), but a bare KVM_RUN loop. */
static int bench_bare(const char *elf, double *cyc)
{
	static struct vm vm;
	struct vmm_config cfg;
	char err[256] = "", con[4096] = "";
	char *argv[] = { "bench", "--kernel", (char *)elf, "--workload", "pio-loop:n=" PIO_N,
			 "--duration-ms", "0", "--console", "/dev/null", NULL };
	struct vcpu *v;
	size_t clen = 0;
	int done = 0;

	if (config_parse(&cfg, 9, argv, err, sizeof(err)) || vm_create(&vm, &cfg, err, sizeof(err))) {
		fprintf(stderr, "bench_vmm: bare VM: %s\n", err);
		return -1;
	}
	v = &vm.vcpus[0];
	while (!done) {
		struct kvm_run *run = v->run;

		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (run->exit_reason != KVM_EXIT_IO) {
			if (run->exit_reason == KVM_EXIT_MMIO)
				continue;
			break;
		}
		if (run->io.direction == KVM_EXIT_IO_OUT) {
			uint8_t *d = (uint8_t *)run + run->io.data_offset;

			if (run->io.port == PV_PORT_COM1 && clen < sizeof(con) - 1)
				con[clen++] = (char)d[0];
			else if (run->io.port == PV_PORT_EXIT)
				done = 1;
		} else {
			memset((uint8_t *)run + run->io.data_offset, run->io.port == PV_PORT_COM1 + 5 ?
			       0x60 : 0xff, run->io.size * run->io.count);
		}
	}
	*cyc = field(con, "cycles_per_iter=");
	vm_destroy(&vm);
	return *cyc > 0 ? 0 : -1;
}

static int bench_qemu(const char *elf, double *cyc)
{
	char *out = NULL;
	char *argv[] = { "qemu-system-x86_64", "-enable-kvm", "-m", "64", "-display", "none",
			 "-serial", "stdio", "-monitor", "none", "-no-reboot",
			 "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
			 "-kernel", (char *)elf, "-append",
			 "workload=pio-loop:n=" PIO_N " duration_ms=0", NULL };

	if (access("/usr/bin/qemu-system-x86_64", X_OK))
		return -1;
	run_capture(argv, &out, 90);
	*cyc = field(out, "cycles_per_iter=");
	if (*cyc <= 0)
		fprintf(stderr, "bench_vmm: qemu run gave no figure:\n%.2000s\n", out ? out : "");
	free(out);
	return *cyc > 0 ? 0 : -1;
}

static double best(const double *v, int n)
{
	double b = -1;
	int i;

	for (i = 0; i < n; i++)
		if (v[i] > 0 && (b < 0 || v[i] < b))
			b = v[i];
	return b;
}

int main(void)
{
	char elf[256];
	double c_vmm[RUNS], c_bare[RUNS], c_qemu = -1, st[RUNS], ft[RUNS], khz;
	int i, fd;

	snprintf(elf, sizeof(elf), "%s/guest/pvguest.elf", build_dir());
	if (access("/dev/kvm", R_OK | W_OK) || access(elf, R_OK)) {
		printf("BENCH vmm.skipped 1 (no /dev/kvm or %s)\n", elf);
		return 0;
	}
	fd = open("/dev/kvm", 0);
	close(fd);
	for (i = 0; i < RUNS; i++) {
		if (bench_pvvmm(elf, &c_vmm[i], &st[i], &ft[i]))
			c_vmm[i] = -1;
		if (bench_bare(elf, &c_bare[i]))
			c_bare[i] = -1;
	}
	bench_qemu(elf, &c_qemu);
	{
		/* TSC rate: pv-vmm prints it; use KVM's via a throwaway VM-less estimate */
		struct timespec a, b, req = { 0, 20000000 };
		uint64_t t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &a);
		t0 = pv_rdtsc();
		nanosleep(&req, NULL);
		t1 = pv_rdtsc();
		clock_gettime(CLOCK_MONOTONIC, &b);
		khz = (double)(t1 - t0) / ((b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
	}
	{
		double v = best(c_vmm, RUNS), bare = best(c_bare, RUNS);
		double us = v > 0 ? v / khz * 1000 : -1, bus = bare > 0 ? bare / khz * 1000 : -1;
		double qus = c_qemu > 0 ? c_qemu / khz * 1000 : -1;

		printf("BENCH vmm.pio_exit_us %.2f us\n", us);
		printf("BENCH vmm.bare_pio_exit_us %.2f us\n", bus);
		printf("BENCH vmm.pio_ratio_vs_bare %.3f ratio\n", us > 0 && bus > 0 ? bus / us : -1);
		printf("BENCH vmm.qemu_pio_exit_us %.2f us\n", qus);
		printf("BENCH vmm.speedup_vs_qemu %.2f ratio\n", qus > 0 && us > 0 ? qus / us : -1);
		printf("BENCH vmm.startup_cpu_ms %.2f ms\n", best(st, RUNS));
		printf("BENCH vmm.first_task_ms %.2f ms\n", best(ft, RUNS));
	}
	return 0;
}
