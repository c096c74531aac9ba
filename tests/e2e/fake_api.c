// SPDX-License-Identifier: GPL-2.0-only
/*
 * fake_api: a stand-in for powervisord in the dashboard's browser test. It serves the
 * embedded dashboard (api/dashboard.c) and the read side of the REST API the dashboard uses,
 * with responses shaped like api/openapi.yaml and numbers that move with time: counters are
 * integrals of smooth rates, so deltas give plausible rates and never go backwards.
 *
 *   fake_api [--listen 127.0.0.1:0] [--token TOKEN]
 *
 * Prints "fake_api: listening on http://HOST:PORT/" once ready, serves until SIGINT/SIGTERM.
 * With --token, every /api route needs "Authorization: Bearer TOKEN" (read scope), as the
 * daemon does with a token file; "/", "/assets/{file}", /healthz and /readyz stay public.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "api/auth.h"
#include "api/dashboard.h"
#include "api/server.h"

#define NCPUS		4
#define TAU		6.283185307179586

static double t0_s;

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds since start, plus an offset so counters do not start at zero. */
static double now_s(void)
{
	return mono_s() - t0_s + 600.0;
}

/* base + amp * sin(2π t / period + phase) and its integral from 0 (amp <= base keeps it >= 0). */
static double wave(double base, double amp, double period, double phase, double t)
{
	return base + amp * sin(TAU * t / period + phase);
}

static double wave_int(double base, double amp, double period, double phase, double t)
{
	double w = TAU / period;

	return base * t + amp / w * (cos(phase) - cos(w * t + phase));
}

/* ------------------------------------------------------------------ the fake VMs */
struct fake_exit {
	const char *reason;
	double base_per_s, amp_per_s, period_s;
	double lat_p50_us;
};

struct fake_vm {
	const char *name;
	const char *state;
	const char *qos;
	const char *halt_mode;
	const char *workload;
	int vcpus;
	int pid;
	int restarts;
	double cpu_base_pct, cpu_amp_pct, cpu_period_s;
	double power_base_w, power_amp_w;
	int rt;				/* reports real-time activations */
	double miss_every_s;		/* 0 = never misses */
	int resv_runtime_us, resv_period_us;
	int admitted;
	const char *backend;
	const char *reason;
	int latency_budget_us;		/* 0 = none */
	int dedicated_cpu;		/* -1 = none */
	struct fake_exit exits[5];
};

static const struct fake_vm vms[] = {
	{ "rt0", "running", "realtime", "poll", "rt:period_us=1000,wcet_us=200", 1, 4101, 0,
	  38, 6, 11, 2.6, 0.5, 1, 13, 400, 1000, 1, "budget",
	  "admitted: U=0.40 <= 0.95 on cpu1 (SCHED_FIFO + VMM budget)", 100, 1,
	  { { "hlt", 950, 60, 9, 11 }, { "pio", 2100, 500, 7, 12 }, { "intr", 400, 150, 13, 6 },
	    { "pv_call", 1000, 200, 5, 4 }, { NULL, 0, 0, 0, 0 } } },
	{ "web1", "running", "latency-sensitive", "poll", "burst:on_ms=20,off_ms=30", 2, 4102, 0,
	  55, 35, 17, 3.4, 1.8, 0, 0, 0, 0, 1, "none", "dedicated cpu0, halt polling 200 us", 200, 0,
	  { { "hlt", 3000, 2500, 17, 10 }, { "mmio", 1800, 1200, 11, 18 },
	    { "pio", 900, 400, 8, 12 }, { "irq_window", 120, 100, 6, 3 }, { NULL, 0, 0, 0, 0 } } },
	{ "batch0", "running", "best-effort", "exit", "cpu", 1, 4103, 1,
	  92, 6, 23, 4.1, 0.4, 0, 0, 0, 0, 1, "none", "best effort", 0, -1,
	  { { "intr", 250, 80, 19, 5 }, { "pio", 60, 40, 12, 13 }, { "other", 15, 10, 9, 20 },
	    { NULL, 0, 0, 0, 0 } } },
	{ "burst0", "paused", "realtime", "exit", "rt:period_us=2000,wcet_us=1400", 1, 4104, 0,
	  0, 0, 10, 0.05, 0.0, 1, 0, 700, 1000, 0, "budget",
	  "rejected: U=1.10 > 0.95 on cpu1", 0, -1,
	  { { "hlt", 0, 0, 10, 12 }, { NULL, 0, 0, 0, 0 } } },	/* paused: no exits */
};
#define NVMS (sizeof(vms) / sizeof(vms[0]))

static const struct fake_vm *find_vm(const struct api_req *req)
{
	size_t i;

	if (req->nparams < 1)
		return NULL;
	for (i = 0; i < NVMS; i++)
		if (!strcmp(vms[i].name, req->params[0]))
			return &vms[i];
	return NULL;
}

static int not_found(struct api_resp *resp, const struct api_req *req)
{
	return api_error(resp, 404, "not_found", "name", "no VM named '%s'",
			 req->nparams ? req->params[0] : "");
}

static int running(const struct fake_vm *vm)
{
	return !strcmp(vm->state, "running");
}

static double vm_cpu_pct(const struct fake_vm *vm, double t)
{
	return running(vm) ? wave(vm->cpu_base_pct, vm->cpu_amp_pct, vm->cpu_period_s, 0.3, t) : 0;
}

static double vm_power_w(const struct fake_vm *vm, double t)
{
	return wave(vm->power_base_w, vm->power_amp_w, vm->cpu_period_s, 0.3, t);
}

static double vm_energy_j(const struct fake_vm *vm, double t)
{
	return wave_int(vm->power_base_w, vm->power_amp_w, vm->cpu_period_s, 0.3, t);
}

static long long vm_misses(const struct fake_vm *vm, double t)
{
	return vm->rt && vm->miss_every_s > 0 ? (long long)(t / vm->miss_every_s) : 0;
}

static long long vm_activations(const struct fake_vm *vm, double t)
{
	return vm->rt ? (long long)(t * (running(vm) ? 1000.0 : 0.2)) : 0;
}

static double exit_rate(const struct fake_exit *x, double t)
{
	return wave(x->base_per_s, x->amp_per_s, x->period_s, 1.0, t);
}

static long long exit_count(const struct fake_exit *x, double t)
{
	return (long long)wave_int(x->base_per_s, x->amp_per_s, x->period_s, 1.0, t);
}

/* A log2 latency histogram around @p50_us with a tail to @p99_us, @count samples. */
static json_t *histogram(long long count, double p50_us, double p99_us)
{
	json_t *buckets = json_array();
	double sum_ns = 0;
	long long left = count;
	int b;

	for (b = 10; b <= 22 && left > 0; b++) {
		double le_us = (double)(1ll << b) / 1000.0;
		double share;
		long long n;

		if (le_us < p50_us / 2)
			share = 0.02;
		else if (le_us < p50_us * 2)
			share = 0.6;
		else if (le_us < p99_us)
			share = 0.7;
		else
			share = 1.0;
		n = b == 22 ? left : (long long)((double)left * share);
		left -= n;
		sum_ns += (double)n * le_us * 700.0;
		json_array_append_new(buckets, json_pack("{s:I, s:I}", "le_ns", (json_int_t)(1ll << b),
							 "count", (json_int_t)n));
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}", "count", (json_int_t)count,
			 "sum_ns", (json_int_t)sum_ns, "p50_ns", (json_int_t)(p50_us * 1000),
			 "p99_ns", (json_int_t)(p99_us * 1000),
			 "max_ns", (json_int_t)(p99_us * 1800), "buckets", buckets);
}

static json_t *vm_summary(const struct fake_vm *vm, double t)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:f, s:f, s:f, s:I}",
			 "name", vm->name, "state", vm->state, "qos", vm->qos, "vcpus", vm->vcpus,
			 "pid", vm->pid, "restarts", vm->restarts, "cpu_pct", vm_cpu_pct(vm, t),
			 "power_w", vm_power_w(vm, t), "energy_j", vm_energy_j(vm, t),
			 "rt_misses", (json_int_t)vm_misses(vm, t));
}

static double node_power_w(double t)
{
	return wave(14.0, 2.5, 11.0, 0.0, t) + wave(3.0, 1.5, 4.3, 1.0, t);
}

static double node_energy_j(double t)
{
	return wave_int(14.0, 2.5, 11.0, 0.0, t) + wave_int(3.0, 1.5, 4.3, 1.0, t);
}

static json_t *vm_energy(const struct fake_vm *vm, double t)
{
	return json_pack("{s:f, s:f, s:f, s:s}", "energy_j", vm_energy_j(vm, t),
			 "power_w", vm_power_w(vm, t),
			 "share_pct", 100.0 * vm_energy_j(vm, t) / node_energy_j(t), "source", "model");
}

static json_t *vm_qos(const struct fake_vm *vm, double t)
{
	json_t *q = json_pack("{s:s, s:s, s:b, s:s, s:f}", "class", vm->qos, "backend", vm->backend,
			      "admitted", vm->admitted, "reason", vm->reason,
			      "apply_latency_us", 140.0 + 40.0 * sin(t / 5.0));
	json_t *boosted = json_array(), *cpus = json_array();

	if (vm->latency_budget_us)
		json_object_set_new(q, "latency_budget_us", json_integer(vm->latency_budget_us));
	if (vm->resv_period_us)
		json_object_set_new(q, "reservation", json_pack("{s:i, s:i}", "runtime_us",
				    vm->resv_runtime_us, "period_us", vm->resv_period_us));
	if (vm->rt && vm->admitted && running(vm) && fmod(t, 4.0) < 2.5)
		json_array_append_new(boosted, json_integer(0));
	if (vm->dedicated_cpu >= 0)
		json_array_append_new(cpus, json_integer(vm->dedicated_cpu));
	json_object_set_new(q, "boosted_vcpus", boosted);
	json_object_set_new(q, "cpus", cpus);
	return q;
}

static json_t *vm_exits(const struct fake_vm *vm, double t)
{
	json_t *arr = json_array();
	const struct fake_exit *x;

	for (x = vm->exits; x->reason; x++) {
		double p50 = x->lat_p50_us * (1.0 + 0.15 * sin(t / 3.0));

		json_array_append_new(arr, json_pack("{s:s, s:I, s:f, s:o}", "reason", x->reason,
				      "count", (json_int_t)exit_count(x, t), "per_s", exit_rate(x, t),
				      "latency", histogram(exit_count(x, t), p50, p50 * 2.4)));
	}
	return arr;
}

static long long vm_exits_total(const struct fake_vm *vm, double t)
{
	const struct fake_exit *x;
	long long n = 0;

	for (x = vm->exits; x->reason; x++)
		n += exit_count(x, t);
	return n;
}

static json_t *vm_vcpus(const struct fake_vm *vm, double t)
{
	json_t *arr = json_array();
	int i;

	for (i = 0; i < vm->vcpus; i++) {
		double busy = vm_cpu_pct(vm, t) / 100.0;

		json_array_append_new(arr, json_pack("{s:i, s:i, s:i, s:s, s:I, s:I, s:I, s:i, s:I, s:b}",
				      "vcpu", i, "tid", vm->pid + 1 + i,
				      "pcpu", vm->dedicated_cpu >= 0 ? vm->dedicated_cpu : (i + 2) % NCPUS,
				      "state", running(vm) ? "running" : "paused",
				      "guest_ns", (json_int_t)(t * busy * 0.9e9),
				      "vmm_ns", (json_int_t)(t * busy * 0.1e9),
				      "halt_ns", (json_int_t)(t * (1.0 - busy) * 1e9),
				      "migrations", vm->dedicated_cpu >= 0 ? 0 : (int)(t / 30),
				      "exits", (json_int_t)(vm_exits_total(vm, t) / vm->vcpus),
				      "boosted", vm->rt && vm->admitted && fmod(t, 4.0) < 2.5));
	}
	return arr;
}

/* ------------------------------------------------------------------ handlers */
static int h_health(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	(void)ctx;
	(void)req;
	return api_json(resp, 200, json_pack("{s:s}", "status", "ok"));
}

static int h_ready(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	(void)ctx;
	(void)req;
	return api_json(resp, 200, json_pack("{s:b, s:[]}", "ready", 1, "reasons"));
}

static int h_node(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	static const int pstates_khz[] = { 800000, 1200000, 1600000, 2000000, 2400000, 2800000 };
	double t = now_s();
	json_t *cpus = json_array(), *pstates = json_array(), *node;
	double w = node_power_w(t), e = node_energy_j(t);
	size_t i;
	int c;

	(void)ctx;
	(void)req;
	for (i = 0; i < sizeof(pstates_khz) / sizeof(pstates_khz[0]); i++)
		json_array_append_new(pstates, json_integer(pstates_khz[i]));
	for (c = 0; c < NCPUS; c++) {
		double util = wave(c == 1 ? 45 : c == 2 ? 70 : 30, c == 2 ? 25 : 20, 9.0 + 4 * c, c, t);
		double guest = util * 0.82, vmm = util * 0.18, halt = (100 - util) * (c < 2 ? 0.6 : 0.2);
		double idle = 100 - util - halt;
		double idlepct = 100 - util;
		int pidx = c == 0 ? 5 : (int)(util / 100.0 * 5.99);
		json_t *cpu = json_pack(
			"{s:i, s:i, s:f, s:{s:f, s:f, s:f, s:f}, s:i, s:{s:f, s:f, s:f, s:f},"
			" s:{s:f, s:f}, s:i}",
			"cpu", c, "freq_khz", pstates_khz[pidx], "util_pct", util,
			"time_pct", "guest", guest, "vmm", vmm, "halt", halt, "idle", idle,
			"cstate_limit", c == 0 ? 1 : 3,
			"cstate_residency_pct", "POLL", c == 0 ? idlepct * 0.7 : idlepct * 0.05,
			"C1", c == 0 ? idlepct * 0.3 : idlepct * 0.15, "C1E", c == 0 ? 0.0 : idlepct * 0.2,
			"C6", c == 0 ? 0.0 : idlepct * 0.6,
			"freq_residency_pct", "2800", c == 0 ? 100.0 : 30.0, "800", c == 0 ? 0.0 : 70.0,
			"freq_floor_khz", c == 0 ? 1600000 : 0);

		json_object_set_new(cpu, "latency_budget_us", c == 0 ? json_integer(100) : json_null());
		json_array_append_new(cpus, cpu);
	}
	node = json_pack("{s:s, s:s, s:f, s:i, s:s, s:s, s:o, s:["
			 "{s:s, s:i, s:i}, {s:s, s:i, s:i}, {s:s, s:i, s:i}, {s:s, s:i, s:i}],"
			 " s:o, s:{s:f, s:f, s:f, s:f, s:s}}",
			 "hostname", "fake-node", "version", "fake-api (e2e)", "uptime_s", t,
			 "tick_ms", 10, "backend", "model", "governor", "transition",
			 "pstates_khz", pstates,
			 "cstates", "name", "POLL", "exit_latency_us", 0, "target_residency_us", 0,
			 "name", "C1", "exit_latency_us", 2, "target_residency_us", 2,
			 "name", "C1E", "exit_latency_us", 10, "target_residency_us", 20,
			 "name", "C6", "exit_latency_us", 133, "target_residency_us", 600,
			 "cpus", cpus,
			 "power", "watts", w, "energy_j", e, "idle_energy_j", e * 0.31,
			 "overhead_energy_j", e * 0.06, "source", "model");
	return api_json(resp, 200, node);
}

static int h_vms(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	double t = now_s();
	json_t *arr = json_array();
	size_t i;

	(void)ctx;
	(void)req;
	for (i = 0; i < NVMS; i++)
		json_array_append_new(arr, vm_summary(&vms[i], t));
	return api_json(resp, 200, json_pack("{s:o}", "vms", arr));
}

static int h_vm(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	const struct fake_vm *vm = find_vm(req);
	double t = now_s();
	json_t *j;

	(void)ctx;
	if (!vm)
		return not_found(resp, req);
	j = vm_summary(vm, t);
	json_object_set_new(j, "spec", json_pack("{s:s, s:i, s:i, s:s, s:s, s:s, s:s, s:s}",
			    "name", vm->name, "vcpus", vm->vcpus, "memory_mib", 64, "kernel", "pvguest",
			    "workload", vm->workload, "qos", vm->qos, "halt_mode", vm->halt_mode,
			    "restart", "on-failure"));
	json_object_set_new(j, "halt_mode_requested", json_string(vm->halt_mode));
	json_object_set_new(j, "halt_mode_honoured", json_string(!strcmp(vm->halt_mode, "native") ?
								    "poll" : vm->halt_mode));
	json_object_set_new(j, "vcpu_stats", vm_vcpus(vm, t));
	json_object_set_new(j, "exits_total", json_integer(vm_exits_total(vm, t)));
	if (vm->rt) {
		long long act = vm_activations(vm, t), miss = vm_misses(vm, t);
		double k = running(vm) ? 1.0 : 3.1;	/* the paused one kept its bad history */
		double p50 = k * (20.0 + 4.0 * sin(t / 3.0)), p99 = k * (62.0 + 26.0 * sin(t / 7.0));

		json_object_set_new(j, "rt", json_pack("{s:I, s:I, s:I, s:o}", "activations",
				    (json_int_t)act, "completions", (json_int_t)(act - miss),
				    "misses", (json_int_t)miss, "lateness", histogram(act, p50, p99)));
	}
	json_object_set_new(j, "qos_state", vm_qos(vm, t));
	json_object_set_new(j, "energy", vm_energy(vm, t));
	return api_json(resp, 200, j);
}

static int h_exits(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	const struct fake_vm *vm = find_vm(req);

	(void)ctx;
	if (!vm)
		return not_found(resp, req);
	return api_json(resp, 200, json_pack("{s:o}", "exits", vm_exits(vm, now_s())));
}

static int h_qos(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	const struct fake_vm *vm = find_vm(req);

	(void)ctx;
	if (!vm)
		return not_found(resp, req);
	return api_json(resp, 200, vm_qos(vm, now_s()));
}

static int h_energy(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	const struct fake_vm *vm = find_vm(req);

	(void)ctx;
	if (!vm)
		return not_found(resp, req);
	return api_json(resp, 200, vm_energy(vm, now_s()));
}

static int h_vcpus(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	const struct fake_vm *vm = find_vm(req);

	(void)ctx;
	if (!vm)
		return not_found(resp, req);
	return api_json(resp, 200, json_pack("{s:o}", "vcpus", vm_vcpus(vm, now_s())));
}

static const struct api_route routes[] = {
	{ API_GET, "/healthz", API_SCOPE_PUBLIC, h_health, "Liveness probe" },
	{ API_GET, "/readyz", API_SCOPE_PUBLIC, h_ready, "Readiness probe" },
	{ API_GET, "/api/v1/node", API_SCOPE_READ, h_node, "Node CPUs, P/C-states, backend and power" },
	{ API_GET, "/api/v1/vms", API_SCOPE_READ, h_vms, "List VMs" },
	{ API_GET, "/api/v1/vms/{name}", API_SCOPE_READ, h_vm, "One VM in full" },
	{ API_GET, "/api/v1/vms/{name}/vcpus", API_SCOPE_READ, h_vcpus, "Per-vCPU statistics" },
	{ API_GET, "/api/v1/vms/{name}/exits", API_SCOPE_READ, h_exits, "VM exits by reason" },
	{ API_GET, "/api/v1/vms/{name}/energy", API_SCOPE_READ, h_energy, "Energy attributed to a VM" },
	{ API_GET, "/api/v1/vms/{name}/qos", API_SCOPE_READ, h_qos, "QoS of a VM" },
	{ API_GET, "/", API_SCOPE_PUBLIC, dashboard_handle_index, "The built-in dashboard" },
	{ API_GET, "/assets/{file}", API_SCOPE_PUBLIC, dashboard_handle_asset, "Dashboard scripts and styles" },
};

static void usage(void)
{
	fprintf(stderr, "usage: fake_api [--listen HOST:PORT] [--token TOKEN]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct api_server_config cfg = { .nlisten = 1, .threads = 2 };
	static struct auth auth;
	struct api_server *srv;
	const char *listen = "127.0.0.1:0", *token = NULL;
	char err[AUTH_ERR_MAX], text[AUTH_MAX_TOKEN_LEN + 16];
	sigset_t set;
	int i, sig, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--listen") && i + 1 < argc)
			listen = argv[++i];
		else if (!strcmp(argv[i], "--token") && i + 1 < argc)
			token = argv[++i];
		else
			usage();
	}
	if (token) {
		snprintf(text, sizeof(text), "%s read\n", token);
		if (auth_parse(&auth, text, err)) {
			fprintf(stderr, "fake_api: bad token: %s\n", err);
			return 2;
		}
		cfg.auth = &auth;
	}
	t0_s = mono_s();
	/* block the signals before the server threads exist, then wait for them here */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	cfg.listen[0] = listen;
	rc = api_server_start(&srv, &cfg, routes, sizeof(routes) / sizeof(routes[0]), NULL);
	if (rc) {
		fprintf(stderr, "fake_api: cannot listen on %s: %s\n", listen, strerror(-rc));
		return 1;
	}
	{
		char host[64];
		const char *colon = strrchr(listen, ':');
		size_t hl = colon ? (size_t)(colon - listen) : 0;

		if (hl >= sizeof(host))
			hl = sizeof(host) - 1;
		memcpy(host, listen, hl);
		host[hl] = '\0';
		printf("fake_api: listening on http://%s:%u/\n", hl ? host : "127.0.0.1",
		       (unsigned int)api_server_port(srv, 0));
		fflush(stdout);
	}
	sigwait(&set, &sig);
	api_server_stop(srv);
	return 0;
}
