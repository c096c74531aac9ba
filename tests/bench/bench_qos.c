// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_qos: what QoS buys, measured on real KVM through powervisord itself.
 *
 *   1. Real-time under load, twice: a VM running `rt:period_us=1000,wcet_us=200` beside a
 *      best-effort VM with two `cpu` hogs and a host-side hog process, first with the RT
 *      VM best-effort (QoS off), then `realtime` with its reservation (QoS on). RT misses
 *      and release-lateness p99 come from the daemon's summary (the guest's own reports).
 *   2. Wake latency: `hlt-wake` in a latency-sensitive VM (dedicated CPU, halt polling with
 *      the guest's idle polling, C-state constraint) and in a best-effort VM at the same
 *      time, plus the hogs; p50 from each guest's console summary.
 *   3. Apply latency: QoS changes through the REST API (PUT /api/v1/vms/rt/qos, alternating
 *      two reservations and a class change) on a running daemon; the daemon's own measure
 *      (request submitted → applied on the loop) and the client's round trip.
 * During runs 1 a host stall probe (tests/common/stall_probe.h, a 1 ms sleeper as
 * cyclictest) measures what the host itself loses: the build machines are nested VMs whose
 * vCPUs the outer hypervisor preempts for milliseconds now and then, which no reservation
 * inside can prevent. The QoS-on run's misses are read from the trace API with their times
 * (tests/common/rt_trace.h): those of jobs released under the reservation are counted, and
 * which of them fall in a stall the probe saw.
 * Prints BENCH lines and which reservation backend produced the numbers.
 *
 *   build/bench/bench_qos [seconds per run, default 6 [reservation backend: auto (default),
 *                          deadline or budget]]
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <jansson.h>

#include "tests/common/http_client.h"
#include "tests/common/rt_trace.h"
#include "tests/common/stall_probe.h"

#define APPLY_CHANGES		20
#define RT_RUNTIME_NS		750000ull	/* rt_on's reservation (main) */
#define RT_PERIOD_NS		1000000ull

static char bindir[PATH_MAX];

static int find_bindir(void)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	for (int i = 0; i < 2 && (slash = strrchr(exe, '/')); i++)
		*slash = '\0';	/* build/bench/bench_qos -> build */
	snprintf(bindir, sizeof(bindir), "%s", exe);
	return 0;
}

/* A host-side hog: a child spinning until killed. */
static pid_t start_hog(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		volatile unsigned long x = 0;

		for (;;)
			x++;
	}
	return pid;
}

/* Start powervisord on @config for @secs (summary at @summary, log at @state.log). */
static pid_t start_daemon(const char *config, const char *state, const char *summary, int secs)
{
	char exe[PATH_MAX + 16], secs_s[16], log[PATH_MAX + 8];
	pid_t pid;

	snprintf(exe, sizeof(exe), "%s/powervisord", bindir);
	snprintf(secs_s, sizeof(secs_s), "%d", secs);
	snprintf(log, sizeof(log), "%s.log", state);
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(fd, 1);
		dup2(fd, 2);
		execl(exe, exe, "--listen", "127.0.0.1:0", "--config", config, "--state-dir", state, "--run-for", secs_s,
		      "--quiet", "--summary-json", summary, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int wait_daemon(pid_t pid)
{
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	return 0;
}

static int run_daemon(const char *config, const char *state, const char *summary, int secs)
{
	return wait_daemon(start_daemon(config, state, summary, secs));
}

/* The API port from "powervisord: API listening on http://127.0.0.1:PORT/" in the log. */
static uint16_t daemon_port(const char *state, int timeout_ms)
{
	char log[PATH_MAX + 8], line[256];

	snprintf(log, sizeof(log), "%s.log", state);
	for (int waited = 0; waited < timeout_ms; waited += 20) {
		FILE *f = fopen(log, "r");
		long port = 0;

		while (f && fgets(line, sizeof(line), f)) {
			const char *p = strstr(line, "API listening on http://127.0.0.1:");

			if (p)
				port = strtol(p + strlen("API listening on http://127.0.0.1:"), NULL, 10);
		}
		if (f)
			fclose(f);
		if (port > 0 && port < 65536)
			return (uint16_t)port;
		usleep(20000);
	}
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Phase 3: APPLY_CHANGES QoS changes through the API on a running daemon. Fills the p50
 * and max of the daemon's apply latency and the client's round-trip p50, in µs.
 */
static int apply_latency(const char *state, double *p50_us, double *max_us, double *rtt_p50_us)
{
	static const char *const specs[] = {
		"{\"class\":\"realtime\",\"reservation\":{\"runtime_us\":700,\"period_us\":1000}}",
		"{\"class\":\"realtime\",\"reservation\":{\"runtime_us\":750,\"period_us\":1000}}",
		"{\"class\":\"best-effort\"}",
	};
	double lat[APPLY_CHANGES], rtt[APPLY_CHANGES];
	uint16_t port = daemon_port(state, 10000);
	int n = 0;

	if (!port)
		return -1;
	usleep(500000);		/* the VMs attached and running */
	for (int i = 0; i < APPLY_CHANGES; i++) {
		const char *body = specs[i % 3];
		struct http_result r;
		json_t *j;
		uint64_t t0 = now_ns();

		if (http_request(port, NULL, "PUT", "/api/v1/vms/rt/qos", NULL, body, strlen(body),
				 5000, &r))
			continue;
		rtt[n] = (double)(now_ns() - t0) / 1e3;
		j = r.status == 200 ? json_loads(r.body, 0, NULL) : NULL;
		if (j && json_is_number(json_object_get(j, "apply_latency_us")))
			lat[n++] = json_number_value(json_object_get(j, "apply_latency_us"));
		else
			fprintf(stderr, "bench_qos: PUT %s: %d %s\n", body, r.status, r.body ? r.body : "");
		json_decref(j);
		http_result_free(&r);
		usleep(50000);
	}
	if (n < APPLY_CHANGES / 2)
		return -1;
	qsort(lat, (size_t)n, sizeof(double), cmp_double);
	qsort(rtt, (size_t)n, sizeof(double), cmp_double);
	*p50_us = lat[n / 2];
	*max_us = lat[n - 1];
	*rtt_p50_us = rtt[n / 2];
	return 0;
}

/* One phase's files under @dir: NAME.json (written with @text), state dir NAME, summary. */
struct phase {
	char cfg[PATH_MAX], st[PATH_MAX], sum[PATH_MAX];
};

static int write_config(const char *path, const char *text);

static int phase_prepare(struct phase *ph, const char *dir, const char *name, const char *text)
{
	snprintf(ph->cfg, sizeof(ph->cfg), "%s/%s.json", dir, name);
	snprintf(ph->st, sizeof(ph->st), "%s/%s", dir, name);
	snprintf(ph->sum, sizeof(ph->sum), "%s/%s-summary.json", dir, name);
	return write_config(ph->cfg, text);
}

static int write_config(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

struct rt_result {
	long long activations, misses, p99_ns;
	char backend[16];
};

static int rt_of(const char *summary, const char *vm, struct rt_result *r)
{
	json_t *j = json_load_file(summary, 0, NULL), *v;
	size_t i;
	int found = -1;

	json_array_foreach(json_object_get(j, "vms"), i, v) {
		json_t *rt = json_object_get(v, "rt");

		if (strcmp(json_string_value(json_object_get(v, "name")), vm))
			continue;
		r->activations = json_integer_value(json_object_get(rt, "activations"));
		r->misses = json_integer_value(json_object_get(rt, "misses"));
		r->p99_ns = json_integer_value(json_object_get(rt, "lateness_p99_ns"));
		found = 0;
	}
	snprintf(r->backend, sizeof(r->backend), "%s",
		 json_string_value(json_object_get(j, "reservation_backend")) ?
		 json_string_value(json_object_get(j, "reservation_backend")) : "?");
	json_decref(j);
	return found;
}

/* "pvguest: hlt-wake n=… lat_us min=… p50=…" from a console file: p50 in µs. */
static long hlt_wake_p50(const char *console)
{
	char line[512];
	long p50 = -1;
	FILE *f = fopen(console, "r");

	while (f && fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "pvguest: hlt-wake");

		if (p && (p = strstr(p, "p50=")))
			p50 = strtol(p + 4, NULL, 10);
	}
	if (f)
		fclose(f);
	return p50;
}

static const char rt_cfg_fmt[] =
	"{ \"node\": { \"backend\": \"model\", \"governor\": \"transition\",\n"
	"    \"reservation_backend\": \"%s\" },\n"
	"  \"vms\": [\n"
	"    { \"name\": \"rt\", \"workload\": \"rt:period_us=1000,wcet_us=200\", %s },\n"
	"    { \"name\": \"be\", \"vcpus\": 2, \"workload\": \"cpu;cpu\" } ] }\n";

/* n wake-ups at 1 ms: they end (and the guests print their summaries) before the run does */
static const char wake_cfg_fmt[] =
	"{ \"node\": { \"backend\": \"model\", \"governor\": \"transition\" },\n"
	"  \"vms\": [\n"
	"    { \"name\": \"ls\", \"workload\": \"hlt-wake:n=%d,period_us=1000\",\n"
	"      \"qos\": \"latency-sensitive\", \"latency_budget_us\": 20 },\n"
	"    { \"name\": \"bew\", \"workload\": \"hlt-wake:n=%d,period_us=1000\" },\n"
	"    { \"name\": \"hog\", \"workload\": \"cpu\" } ] }\n";

int main(int argc, char **argv)
{
	int secs = argc > 1 ? atoi(argv[1]) : 6;
	const char *backend = argc > 2 ? argv[2] : "auto";
	static const char rt_on[] = "\"qos\": \"realtime\", \"reservation\": "
				    "{ \"runtime_us\": 750, \"period_us\": 1000 }";
	char dir[] = "/tmp/pv-bench-qos-XXXXXX", text[2048], console[PATH_MAX + 32];
	static struct phase ph;
	struct rt_result off, on;
	struct stall_probe probe_off, probe_on;
	static struct rt_trace on_trace;
	size_t held, in_stalls;
	double apply_p50, apply_max, rtt_p50;
	long ls, be;
	pid_t hog, pid;
	int ret;

	if (secs < 2 || secs > 60 || find_bindir() || !mkdtemp(dir) ||
	    (strcmp(backend, "auto") && strcmp(backend, "deadline") && strcmp(backend, "budget"))) {
		fprintf(stderr, "usage: bench_qos [2..60 seconds [auto|deadline|budget]]\n");
		return 2;
	}
	if (access("/dev/kvm", R_OK | W_OK) || geteuid()) {
		printf("bench_qos: needs /dev/kvm and root (reservations): skipped\n");
		return 0;
	}
	printf("bench_qos: %d s per run; RT VM beside a best-effort VM with 2 hogs and a host hog\n",
	       secs);
	hog = start_hog();
	snprintf(text, sizeof(text), rt_cfg_fmt, backend, "\"qos\": \"best-effort\"");
	phase_prepare(&ph, dir, "off", text);
	stall_probe_start(&probe_off);
	ret = run_daemon(ph.cfg, ph.st, ph.sum, secs);
	stall_probe_stop(&probe_off);
	if (ret || rt_of(ph.sum, "rt", &off)) {
		fprintf(stderr, "bench_qos: the QoS-off run failed (log %s.log)\n", ph.st);
		goto out_fail;
	}
	snprintf(text, sizeof(text), rt_cfg_fmt, backend, rt_on);
	phase_prepare(&ph, dir, "on", text);
	stall_probe_start(&probe_on);
	pid = start_daemon(ph.cfg, ph.st, ph.sum, secs);
	rt_trace_start(&on_trace, daemon_port(ph.st, 10000), NULL, "rt");
	ret = wait_daemon(pid);
	rt_trace_stop(&on_trace);
	stall_probe_stop(&probe_on);
	if (ret || rt_of(ph.sum, "rt", &on)) {
		fprintf(stderr, "bench_qos: the QoS-on run failed (log %s.log)\n", ph.st);
		goto out_fail;
	}
	printf("qos off: %lld activations, %lld misses, lateness p99 %.1f us\n", off.activations,
	       off.misses, (double)off.p99_ns / 1e3);
	printf("qos on:  %lld activations, %lld misses, lateness p99 %.1f us (backend %s)\n",
	       on.activations, on.misses, (double)on.p99_ns / 1e3, on.backend);
	printf("BENCH qos.rt_misses_off %lld count\n", off.misses);
	printf("BENCH qos.rt_misses_on %lld count\n", on.misses);
	printf("BENCH qos.rt_lateness_p99_off_us %.1f us\n", (double)off.p99_ns / 1e3);
	printf("BENCH qos.rt_lateness_p99_on_us %.1f us\n", (double)on.p99_ns / 1e3);
	printf("BENCH qos.rt_lateness_p99_ratio_on_off %.3f\n",
	       off.p99_ns ? (double)on.p99_ns / (double)off.p99_ns : 0.0);
	printf("BENCH qos.backend_%s 1 flag\n", on.backend);
	printf("host stall probe (1 ms sleeper, %s): off run %llu stalls >= %llu us in %llu wake-ups, "
	       "max %.0f us; on run %llu, max %.0f us\n",
	       probe_on.deadline ? "SCHED_DEADLINE" : "SCHED_FIFO 99, below deadline reservations",
	       (unsigned long long)probe_off.stalls,
	       STALL_PROBE_LATE_NS / 1000, (unsigned long long)probe_off.wakes,
	       (double)probe_off.max_late_ns / 1e3, (unsigned long long)probe_on.stalls,
	       (double)probe_on.max_late_ns / 1e3);
	rt_trace_classify(&on_trace, &probe_on, RT_RUNTIME_NS, RT_PERIOD_NS, 0, UINT64_MAX, &held,
			  &in_stalls);
	printf("qos on: %zu misses traced, %zu of jobs released under the reservation, %zu of "
	       "those during a host stall or its repayment\n", on_trace.n, held, in_stalls);
	printf("BENCH qos.rt_misses_on_reserved %zu count\n", held);
	printf("BENCH qos.rt_misses_on_reserved_outside_host_stalls %zu count\n", held - in_stalls);
	printf("BENCH qos.host_stalls_on %llu count\n", (unsigned long long)probe_on.stalls);
	printf("BENCH qos.host_stall_max_on_us %.0f us\n", (double)probe_on.max_late_ns / 1e3);

	snprintf(text, sizeof(text), wake_cfg_fmt, (secs - 2) * 600, (secs - 2) * 600);
	phase_prepare(&ph, dir, "wake", text);
	if (run_daemon(ph.cfg, ph.st, ph.sum, secs)) {
		fprintf(stderr, "bench_qos: the wake-latency run failed (log %s.log)\n", ph.st);
		goto out_fail;
	}
	snprintf(console, sizeof(console), "%s/vms/ls.console", ph.st);
	ls = hlt_wake_p50(console);
	snprintf(console, sizeof(console), "%s/vms/bew.console", ph.st);
	be = hlt_wake_p50(console);
	printf("BENCH qos.wake_p50_ls_us %ld us\n", ls);
	printf("BENCH qos.wake_p50_be_us %ld us\n", be);
	printf("BENCH qos.wake_ls_vs_be %.3f\n", be > 0 ? (double)ls / (double)be : 0.0);

	snprintf(text, sizeof(text), rt_cfg_fmt, backend, rt_on);
	phase_prepare(&ph, dir, "apply", text);
	pid = start_daemon(ph.cfg, ph.st, ph.sum, 2 + APPLY_CHANGES / 10);
	ret = apply_latency(ph.st, &apply_p50, &apply_max, &rtt_p50);
	if (wait_daemon(pid) || ret) {
		fprintf(stderr, "bench_qos: the apply-latency run failed (log %s.log)\n", ph.st);
		goto out_fail;
	}
	printf("apply latency over %d API changes: p50 %.1f us, max %.1f us (client round trip "
	       "p50 %.1f us)\n", APPLY_CHANGES, apply_p50, apply_max, rtt_p50);
	printf("BENCH qos.apply_latency_us %.1f us\n", apply_p50);
	printf("BENCH qos.apply_latency_max_us %.1f us\n", apply_max);
	printf("BENCH qos.apply_rtt_p50_us %.1f us\n", rtt_p50);
	kill(hog, SIGKILL);
	waitpid(hog, NULL, 0);
	printf("reproduce: make build/bench/bench_qos && build/bench/bench_qos %d %s\n", secs, backend);
	return 0;

out_fail:
	kill(hog, SIGKILL);
	waitpid(hog, NULL, 0);
	return 1;
}
