// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_qos: what QoS buys, measured on real KVM through powervisord itself.
 *
 *   1. Real-time under load, twice: a VM running `rt:period_us=1000,wcet_us=200` beside a
 *      best-effort VM with two `cpu` hogs and a host-side hog process, first with the RT
 *      VM best-effort (QoS off), then `realtime` with its reservation (QoS on). RT misses
 *      and release-lateness p99 come from the daemon's summary (the guest's own reports).
 *   2. Wake latency: `hlt-wake` in a latency-sensitive VM (dedicated CPU, halt polling,
 *      C-state constraint) and in a best-effort VM at the same time, plus the hogs; p50
 *      from each guest's console summary.
 * Prints BENCH lines and which reservation backend produced the numbers.
 *
 *   build/bench/bench_qos [seconds per run, default 6]
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <jansson.h>

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

/* Run powervisord on @config for @secs; 0 with the summary at @summary. */
static int run_daemon(const char *config, const char *state, const char *summary, int secs)
{
	char exe[PATH_MAX + 16], secs_s[16], log[PATH_MAX];
	pid_t pid;
	int st;

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
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	return 0;
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
	"{ \"node\": { \"backend\": \"model\", \"governor\": \"transition\" },\n"
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
	char dir[] = "/tmp/pv-bench-qos-XXXXXX", cfg[PATH_MAX], st[PATH_MAX], sum[PATH_MAX];
	char text[2048], console[PATH_MAX + 32];
	struct rt_result off, on;
	long ls, be;
	pid_t hog;

	if (secs < 2 || secs > 60 || find_bindir() || !mkdtemp(dir)) {
		fprintf(stderr, "usage: bench_qos [2..60 seconds]\n");
		return 2;
	}
	if (access("/dev/kvm", R_OK | W_OK) || geteuid()) {
		printf("bench_qos: needs /dev/kvm and root (reservations): skipped\n");
		return 0;
	}
	printf("bench_qos: %d s per run; RT VM beside a best-effort VM with 2 hogs and a host hog\n",
	       secs);
	hog = start_hog();
	snprintf(cfg, sizeof(cfg), "%s/off.json", dir);
	snprintf(text, sizeof(text), rt_cfg_fmt, "\"qos\": \"best-effort\"");
	write_config(cfg, text);
	snprintf(st, sizeof(st), "%s/off", dir);
	snprintf(sum, sizeof(sum), "%s/off-summary.json", dir);
	if (run_daemon(cfg, st, sum, secs) || rt_of(sum, "rt", &off)) {
		fprintf(stderr, "bench_qos: the QoS-off run failed (log %s.log)\n", st);
		goto out_fail;
	}
	snprintf(cfg, sizeof(cfg), "%s/on.json", dir);
	snprintf(text, sizeof(text), rt_cfg_fmt, "\"qos\": \"realtime\", \"reservation\": "
		 "{ \"runtime_us\": 750, \"period_us\": 1000 }");
	write_config(cfg, text);
	snprintf(st, sizeof(st), "%s/on", dir);
	snprintf(sum, sizeof(sum), "%s/on-summary.json", dir);
	if (run_daemon(cfg, st, sum, secs) || rt_of(sum, "rt", &on)) {
		fprintf(stderr, "bench_qos: the QoS-on run failed (log %s.log)\n", st);
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

	snprintf(cfg, sizeof(cfg), "%s/wake.json", dir);
	snprintf(text, sizeof(text), wake_cfg_fmt, (secs - 2) * 600, (secs - 2) * 600);
	write_config(cfg, text);
	snprintf(st, sizeof(st), "%s/wake", dir);
	snprintf(sum, sizeof(sum), "%s/wake-summary.json", dir);
	if (run_daemon(cfg, st, sum, secs)) {
		fprintf(stderr, "bench_qos: the wake-latency run failed (log %s.log)\n", st);
		goto out_fail;
	}
	snprintf(console, sizeof(console), "%s/vms/ls.console", st);
	ls = hlt_wake_p50(console);
	snprintf(console, sizeof(console), "%s/vms/bew.console", st);
	be = hlt_wake_p50(console);
	printf("BENCH qos.wake_p50_ls_us %ld us\n", ls);
	printf("BENCH qos.wake_p50_be_us %ld us\n", be);
	printf("BENCH qos.wake_ls_vs_be %.3f\n", be > 0 ? (double)ls / (double)be : 0.0);
	kill(hog, SIGKILL);
	waitpid(hog, NULL, 0);
	printf("reproduce: make build/bench/bench_qos && build/bench/bench_qos %d\n", secs);
	return 0;

out_fail:
	kill(hog, SIGKILL);
	waitpid(hog, NULL, 0);
	return 1;
}
