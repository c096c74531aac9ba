// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_api: the REST API and /metrics of the real powervisord under load, with VMs running.
 *
 * The daemon runs 16 small pvguest VMs (1 vCPU, 16 MiB, a light `burst` workload) and one
 * real-time VM (rt:period_us=1000,wcet_us=200, class realtime with a 700/1000 us
 * reservation), with a token file and no per-client rate limit (--api-rate 0). wrk (-t2
 * -c16 -d5s --latency, bearer token) loads GET /api/v1/vms, GET /metrics as Prometheus
 * scrapes it (Accept-Encoding: gzip), and GET /metrics without gzip. Printed:
 *   BENCH api.vms_rps / api.vms_p99_ms          goal >= 10000 req/s, <= 5 ms
 *   BENCH api.metrics_rps / api.metrics_p99_ms  same goals (gzip, as Prometheus asks)
 *   BENCH api.metrics_identity_rps / _p99_ms    the same without gzip
 *   BENCH api.metrics_bytes / _gzip_bytes       size of one scrape, plain / on the wire
 *   BENCH api.rt_misses_idle                    RT deadline misses in 5 s without load
 *   BENCH api.rt_misses_during_load             ... accrued during the three load windows
 *   BENCH api.host_stalls_idle / _during_load   what the host itself lost in those windows
 *                                               (tests/common/stall_probe.h)
 *   BENCH api.rt_misses_*_outside_host_stalls   the misses (read from the trace API, only
 *                                               rt_miss events: tests/common/rt_trace.h)
 *                                               during which the probe saw no host stall:
 *                                               the ones the API load could have caused
 *                                               (goal 0)
 *   BENCH api.rt_misses_ab_*                    8 interleaved pairs of 3 s windows, idle and
 *                                               /metrics load: sums, medians, and in how
 *                                               many pairs the load window missed more
 * Bounded (< 90 s); skipped without wrk or /dev/kvm. 2 cores shared with the VMs and wrk:
 * the figures say what this machine does, not what the API costs alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "tests/common/apid.h"
#include "tests/common/daemon_run.h"
#include "tests/common/rt_trace.h"
#include "tests/common/stall_probe.h"

#define WRK		"/usr/bin/wrk"
#define NVMS		16
#define RT_PERIOD_NS	1000000ull	/* the RT VM's rt:period_us and reservation period */
#define RT_RUNTIME_NS	700000ull	/* its reservation's runtime */
#define LOAD_S		5
#define AB_PAIRS	8	/* interleaved idle / load windows ... */
#define AB_S		3	/* ... of this many seconds each */

struct wrk_result {
	double rps;
	double p99_ms;
	double bytes_per_resp;		/* read / requests: body and headers */
	long long non2xx;
	long long requests;
};

static struct apid d;


static char *config(void)
{
	size_t cap = 8192, len = 0;
	char *s = malloc(cap);
	int i;

	if (!s)
		return NULL;
	len += (size_t)snprintf(s + len, cap - len,
		"{ \"node\": { \"tick_ms\": 10, \"backend\": \"model\", \"governor\": \"transition\" },\n"
		"  \"vms\": [\n"
		"    { \"name\": \"rt0\", \"workload\": \"rt:period_us=1000,wcet_us=200\", \"memory_mib\": 16,\n"
		"      \"qos\": \"realtime\", \"reservation\": { \"runtime_us\": 700, \"period_us\": 1000 } }");
	for (i = 0; i < NVMS; i++)
		len += (size_t)snprintf(s + len, cap - len, ",\n    { \"name\": \"b%02d\", \"workload\": "
					"\"burst:on_ms=1,off_ms=200\", \"memory_mib\": 16 }", i);
	snprintf(s + len, cap - len, "\n  ] }\n");
	return s;
}

/* "1.23ms" / "850.00us" / "1.02s" → ms. */
static double to_ms(const char *v)
{
	char *end;
	double x = strtod(v, &end);

	if (!strncmp(end, "us", 2))
		return x / 1000.0;
	if (!strncmp(end, "ms", 2))
		return x;
	if (*end == 's')
		return x * 1000.0;
	return x;
}

/* wrk's "12.34MB read" → bytes (its units are binary). */
static double to_bytes(const char *v)
{
	char *end;
	double x = strtod(v, &end);

	switch (*end) {
	case 'K': return x * 1024.0;
	case 'M': return x * 1024.0 * 1024.0;
	case 'G': return x * 1024.0 * 1024.0 * 1024.0;
	default: return x;
	}
}

/* wrk against @path for @secs; @gzip: with Accept-Encoding: gzip, as Prometheus scrapes. */
static int run_wrk(const char *path, bool gzip, unsigned int secs, struct wrk_result *res)
{
	char url[128], hdr[128], out[160], dur[16], *text, *p;
	uint64_t end;
	pid_t pid;
	int st = -1;

	memset(res, 0, sizeof(*res));
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned int)d.port, path);
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", APID_READ_TOKEN);
	snprintf(out, sizeof(out), "%s/wrk.out", d.dir);
	snprintf(dur, sizeof(dur), "-d%us", secs);
	pid = fork();
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(fd, 1);
		dup2(fd, 2);
		if (gzip)
			execl(WRK, WRK, "-t2", "-c16", dur, "--timeout", "2s", "--latency", "-H",
			      hdr, "-H", "Accept-Encoding: gzip", url, (char *)NULL);
		else
			execl(WRK, WRK, "-t2", "-c16", dur, "--timeout", "2s", "--latency", "-H",
			      hdr, url, (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return -errno;
	end = dr_now_ms() + (secs + 10) * 1000u;
	while (dr_now_ms() < end && waitpid(pid, &st, WNOHANG) != pid)
		usleep(50000);
	if (dr_now_ms() >= end) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return -ETIMEDOUT;
	}
	text = dr_slurp(out);
	printf("--- wrk %s%s\n%s", path, gzip ? " (gzip)" : "", text);
	if ((p = strstr(text, "Requests/sec:")))
		res->rps = strtod(p + 13, NULL);
	if ((p = strstr(text, "Latency Distribution")) && (p = strstr(p, "99%")))
		res->p99_ms = to_ms(p + 3 + strspn(p + 3, " \t"));
	if ((p = strstr(text, "Non-2xx or 3xx responses:")))
		res->non2xx = atoll(p + 25);
	if ((p = strstr(text, " requests in ")))
		while (p > text && p[-1] >= '0' && p[-1] <= '9')
			p--, res->requests = atoll(p);
	if ((p = strstr(text, " requests in ")) && (p = strchr(p, ',')) && res->requests)
		res->bytes_per_resp = to_bytes(p + 1) / (double)res->requests;
	free(text);
	return res->rps > 0 ? 0 : -EIO;
}

static long long rt_misses(void)
{
	json_t *j = apid_get(&d, "/api/v1/vms/rt0", NULL);
	long long m = json_integer_value(json_object_get(j, "rt_misses"));

	json_decref(j);
	return m;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A stretch of the run: the RT VM's misses counted by the daemon, and when it was. */
struct window {
	long long misses;
	uint64_t from_ns, to_ns;
};

static void window_begin(struct window *w)
{
	w->misses = rt_misses();
	w->from_ns = now_ns();
}

static void window_end(struct window *w)
{
	w->to_ns = now_ns();
	w->misses = rt_misses() - w->misses;
}

/* The misses traced in @w under the reservation that @probe saw no host stall around. */
static size_t outside_stalls(const struct rt_trace *t, const struct stall_probe *probe,
			     const struct window *w)
{
	size_t held, in_stalls;

	rt_trace_classify(t, probe, RT_RUNTIME_NS, RT_PERIOD_NS, w->from_ns, w->to_ns, &held,
			  &in_stalls);
	return held - in_stalls;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static long long median(long long *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_ll);
	return n ? v[n / 2] : 0;
}

/*
 * The host's bursts of misses last seconds and come in no fixed window, so one idle and
 * one load window say little: AB_PAIRS pairs of AB_S-second windows, idle and /metrics
 * (gzip) load interleaved, the order swapped every pair. Misses per window in @idle_m and
 * @load_m. 0 or the wrk failure.
 */
static int ab_run(long long idle_m[AB_PAIRS], long long load_m[AB_PAIRS])
{
	struct wrk_result res;

	for (unsigned int k = 0; k < AB_PAIRS; k++) {
		for (unsigned int half = 0; half < 2; half++) {
			bool loaded = (k + half) % 2;
			long long m = rt_misses();

			if (loaded && run_wrk("/metrics", true, AB_S, &res))
				return -EIO;
			if (!loaded)
				sleep(AB_S);
			(loaded ? load_m : idle_m)[k] = rt_misses() - m;
		}
	}
	return 0;
}

static int all_running(void)
{
	json_t *j = apid_get(&d, "/api/v1/vms", NULL), *v;
	size_t i;
	int n = 0;

	json_array_foreach(json_object_get(j, "vms"), i, v)
		n += !strcmp(json_string_value(json_object_get(v, "state")) ?: "", "running");
	json_decref(j);
	return n;
}

int main(void)
{
	static struct rt_trace trace;
	struct wrk_result vms, met, met_plain;
	long long ab_idle[AB_PAIRS], ab_load[AB_PAIRS], ab_idle_sum = 0, ab_load_sum = 0;
	unsigned int ab_load_more = 0;
	struct stall_probe idle_probe, load_probe = { .started = false };
	struct window idle, load[3];
	struct http_result r;
	long long load_misses = 0;
	size_t load_outside = 0;
	uint64_t end;
	char *cfg;
	int rc = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (access(WRK, X_OK)) {
		printf("bench_api: %s is not installed: skipped\n", WRK);
		return 0;
	}
	if (apid_find_bindir(d.bindir, sizeof(d.bindir)) || !apid_can_run(d.bindir)) {
		printf("bench_api: needs /dev/kvm and the built guest: skipped\n");
		return 0;
	}
	cfg = config();
	/* no per-client rate limit: wrk is one client and would mostly measure 429s */
	if (!cfg || apid_start(&d, cfg, true, (const char *const[]){ "--api-rate", "0", NULL },
			       20000)) {
		free(cfg);
		apid_stop(&d);
		return 1;
	}
	free(cfg);
	/* from the start, so that the reservation's first application is seen */
	rt_trace_start(&trace, d.port, APID_READ_TOKEN, "rt0");
	end = dr_now_ms() + 20000;
	while (all_running() < NVMS + 1 && dr_now_ms() < end)
		usleep(100000);
	printf("bench_api: %d VMs running\n", all_running());
	sleep(1);	/* settle: reservations applied, first windows closed */

	stall_probe_start(&idle_probe);
	window_begin(&idle);
	sleep(LOAD_S);
	window_end(&idle);
	stall_probe_stop(&idle_probe);
	stall_probe_start(&load_probe);

	window_begin(&load[0]);
	if (run_wrk("/api/v1/vms", false, LOAD_S, &vms))
		goto out;
	window_end(&load[0]);
	if (apid_req(&d, "GET", "/metrics", NULL, &r) == 0) {
		printf("BENCH api.metrics_bytes %zu bytes\n", r.body_len);
		http_result_free(&r);
	}
	window_begin(&load[1]);
	if (run_wrk("/metrics", true, LOAD_S, &met))
		goto out;
	window_end(&load[1]);
	window_begin(&load[2]);
	if (run_wrk("/metrics", false, LOAD_S, &met_plain))
		goto out;
	window_end(&load[2]);
	stall_probe_stop(&load_probe);
	rt_trace_stop(&trace);
	if (ab_run(ab_idle, ab_load))
		goto out;
	printf("A/B RT misses per %u s window, idle:", AB_S);
	for (unsigned int k = 0; k < AB_PAIRS; k++)
		printf(" %lld", ab_idle[k]);
	printf("; /metrics load:");
	for (unsigned int k = 0; k < AB_PAIRS; k++) {
		printf(" %lld", ab_load[k]);
		ab_idle_sum += ab_idle[k];
		ab_load_sum += ab_load[k];
		ab_load_more += ab_load[k] > ab_idle[k];
	}
	printf("\n");
	for (size_t i = 0; i < 3; i++) {
		size_t out = outside_stalls(&trace, &load_probe, &load[i]);

		printf("RT misses while loading %s: %lld (%zu outside host stalls)\n",
		       i == 0 ? "/api/v1/vms" : i == 1 ? "/metrics (gzip)" : "/metrics (identity)",
		       load[i].misses, out);
		load_misses += load[i].misses;
		load_outside += out;
	}
	printf("BENCH api.vms_rps %.0f req/s\n", vms.rps);
	printf("BENCH api.vms_p99_ms %.2f ms\n", vms.p99_ms);
	printf("BENCH api.vms_non2xx %lld count\n", vms.non2xx);
	/* as Prometheus scrapes: Accept-Encoding: gzip */
	printf("BENCH api.metrics_rps %.0f req/s\n", met.rps);
	printf("BENCH api.metrics_p99_ms %.2f ms\n", met.p99_ms);
	printf("BENCH api.metrics_non2xx %lld count\n", met.non2xx);
	printf("BENCH api.metrics_gzip_bytes %.0f bytes\n", met.bytes_per_resp);
	/* a client that does not take gzip (curl without --compressed) */
	printf("BENCH api.metrics_identity_rps %.0f req/s\n", met_plain.rps);
	printf("BENCH api.metrics_identity_p99_ms %.2f ms\n", met_plain.p99_ms);
	printf("BENCH api.rt_misses_idle %lld count\n", idle.misses);
	printf("BENCH api.rt_misses_during_load %lld count\n", load_misses);
	/* what the host itself lost in the same windows (tests/common/stall_probe.h) */
	printf("host stall probe: idle %s, load %s (SCHED_FIFO 99: no deadline bandwidth, the RT "
	       "VM's reservation delays it too)\n", idle_probe.deadline ? "SCHED_DEADLINE" :
	       "SCHED_FIFO", load_probe.deadline ? "SCHED_DEADLINE" : "SCHED_FIFO");
	printf("BENCH api.host_stalls_idle %llu count\n", (unsigned long long)idle_probe.stalls);
	printf("BENCH api.host_stalls_during_load %llu count\n",
	       (unsigned long long)load_probe.stalls);
	printf("RT misses traced: %zu (reservation %s)\n", trace.n,
	       trace.resv_ns ? "seen" : "NOT seen: misses cannot be classified");
	printf("BENCH api.rt_misses_idle_outside_host_stalls %zu count\n",
	       outside_stalls(&trace, &idle_probe, &idle));
	printf("BENCH api.rt_misses_during_load_outside_host_stalls %zu count\n", load_outside);
	printf("BENCH api.rt_misses_ab_idle %lld count\n", ab_idle_sum);
	printf("BENCH api.rt_misses_ab_load %lld count\n", ab_load_sum);
	printf("BENCH api.rt_misses_ab_idle_median %lld count\n", median(ab_idle, AB_PAIRS));
	printf("BENCH api.rt_misses_ab_load_median %lld count\n", median(ab_load, AB_PAIRS));
	printf("BENCH api.rt_misses_ab_pairs_load_worse %u count\n", ab_load_more);
	rc = trace.resv_ns ? 0 : 1;
out:
	rt_trace_stop(&trace);
	stall_probe_stop(&load_probe);
	apid_stop(&d);
	return rc;
}
