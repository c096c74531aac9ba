// SPDX-License-Identifier: GPL-2.0-only
/*
 * The REST API's handlers through the whole request pipeline (api_dispatch: rate limit, size
 * cap, routing, tokens and scopes, JSON parsing, handler), against a hand-built snapshot
 * published in a snap_pub and a command queue served by a test thread whose fake commands
 * change the published state the way the daemon's would (one completes asynchronously, as
 * pause does when it waits for the VMM; one is too slow and times out).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "api/auth.h"
#include "api/handlers.h"
#include "api/routes.h"
#include "api/server.h"
#include "daemon/dvm.h"
#include "tests/common/fake_dsnap.h"
#include "tracer/tsc.h"

#define READ_TOK	"read-token-0123456789"
#define ADMIN_TOK	"admin-token-0123456789"

/* ---- the fake policy loop -------------------------------------------------------------- */
struct fake_loop {
	pthread_t th;
	atomic_bool stop;
	struct snap_pub *pub;
	struct cmdq *q;
	struct cmd *deferred;		/* completed after cmdq_run, like a VMM reply */
	struct cmds_io last;		/* input of the last command */
	int last_kind;
	unsigned int calls;
};

static struct fake_loop fl;
static struct snap_pub pub;
static struct cmdq cq;
static struct api_ctx ctx;
static struct api_server *srv;
static struct auth auth;
static struct tracebuf tb;
static struct pv_clock clk;

static int ffail(struct cmds_io *io, int err, const char *code, const char *field,
		 const char *msg)
{
	snprintf(io->code, sizeof(io->code), "%s", code);
	snprintf(io->field, sizeof(io->field), "%s", field ? field : "");
	snprintf(io->reason, sizeof(io->reason), "%s", msg);
	return err;
}

static void record(int kind, struct cmds_io *io)
{
	fl.last = *io;
	fl.last_kind = kind;
	fl.calls++;
}

/* A writable copy of the published snapshot (+@extra VM slots) and @name's index there. */
static struct dsnap *edit(const char *name, unsigned int extra, int *idx)
{
	struct snap *ref = snapshot_get(fl.pub);
	struct dsnap *n = fake_dsnap_dup((const struct dsnap *)ref, extra);
	uint32_t i;

	snapshot_put(ref);
	*idx = -1;
	for (i = 0; name && i < n->nvms; i++)
		if (!strcmp(n->vms[i].cfg.name, name))
			*idx = (int)i;
	return n;
}

static int fake_create(void *loop, struct cmd *c)
{
	struct cmds_io *io = cmds_io_adopt(c);
	int idx;
	struct dsnap *n = edit(io->spec.name, 1, &idx);

	(void)loop;
	record(CMDS_VM_CREATE, io);
	if (idx >= 0 || !strcmp(io->spec.name, "full")) {
		free(n);
		return idx >= 0 ? ffail(io, -EEXIST, "name_taken", "name", "a VM with that name exists")
				: ffail(io, -ENOSPC, "no_slot", NULL, "no free VM slot");
	}
	fake_dsnap_add_vm(n, io->spec.name, DVM_STARTING, io->spec.qos, io->spec.vcpus, 1);
	fake_dsnap_publish(fl.pub, n);
	return 0;
}

static int fake_delete(void *loop, struct cmd *c)
{
	struct cmds_io *io = cmds_io_adopt(c);
	int idx;
	struct dsnap *n = edit(io->name, 0, &idx);

	(void)loop;
	record(CMDS_VM_DELETE, io);
	if (idx < 0) {
		free(n);
		return ffail(io, -ENOENT, "not_found", "name", "no such VM");
	}
	memmove(&n->vms[idx], &n->vms[idx + 1], (n->nvms - (uint32_t)idx - 1) * sizeof(n->vms[0]));
	n->nvms--;
	fake_dsnap_publish(fl.pub, n);
	return 0;
}

static int fake_pause_resume(struct cmd *c, int kind)
{
	struct cmds_io *io = cmds_io_adopt(c);
	int from = kind == CMDS_VM_PAUSE ? DVM_RUNNING : DVM_PAUSED, idx;
	struct dsnap *n;

	record(kind, io);
	if (!strcmp(io->name, "slow")) {
		usleep(300000);		/* longer than the handler waits */
		return 0;
	}
	n = edit(io->name, 0, &idx);
	if (idx < 0 || n->vms[idx].state != from) {
		free(n);
		return idx < 0 ? ffail(io, -ENOENT, "not_found", "name", "no such VM") :
				 ffail(io, -EBUSY, "wrong_state", NULL, "VM is not in that state");
	}
	n->vms[idx].state = kind == CMDS_VM_PAUSE ? DVM_PAUSED : DVM_RUNNING;
	fake_dsnap_publish(fl.pub, n);
	fl.deferred = c;		/* "the VMM answers later" */
	return -EINPROGRESS;
}

static int fake_pause(void *loop, struct cmd *c)
{
	(void)loop;
	return fake_pause_resume(c, CMDS_VM_PAUSE);
}

static int fake_resume(void *loop, struct cmd *c)
{
	(void)loop;
	return fake_pause_resume(c, CMDS_VM_RESUME);
}

static int fake_qos(void *loop, struct cmd *c)
{
	struct cmds_io *io = cmds_io_adopt(c);
	int idx;
	struct dsnap *n = edit(io->name, 0, &idx);

	(void)loop;
	record(CMDS_QOS_SET, io);
	if (idx < 0 || (io->qos.resv.set && io->qos.resv.runtime_us > 500)) {
		free(n);
		return idx < 0 ? ffail(io, -ENOENT, "not_found", "name", "no such VM") :
				 ffail(io, -EBUSY, "admission_rejected", "reservation.runtime_us",
				       "U=0.90 > 0.75 on cpu1");
	}
	n->vms[idx].cfg.qos = io->qos.cls;
	n->vms[idx].qos.cls = (int)io->qos.cls;
	n->vms[idx].qos.resv = io->qos.resv;
	fake_dsnap_publish(fl.pub, n);
	return 0;
}

static int fake_power(void *loop, struct cmd *c)
{
	struct cmds_io *io = cmds_io_adopt(c);
	int idx;
	struct dsnap *n;
	unsigned int i, k;

	(void)loop;
	record(CMDS_POWER_SET, io);
	if (!strcmp(io->governor, "powersave"))
		return ffail(io, -ECANCELED, "governor_failed", "governor",
			     "cannot start powersave; transition stays");
	n = edit(NULL, 0, &idx);
	if (io->governor[0])
		snprintf(n->governor, sizeof(n->governor), "%s", io->governor);
	for (i = 0; i < io->ntun; i++)
		for (k = 0; k < n->ntunables; k++)
			if (!strcmp(n->tunables[k].name, io->tun[i].name))
				n->tunables[k].value = io->tun[i].value;
	fake_dsnap_publish(fl.pub, n);
	return 0;
}

static const struct cmds_ops fake_ops = {
	.fn = {
		[CMDS_VM_CREATE] = fake_create, [CMDS_VM_DELETE] = fake_delete,
		[CMDS_VM_PAUSE] = fake_pause, [CMDS_VM_RESUME] = fake_resume,
		[CMDS_POWER_SET] = fake_power, [CMDS_QOS_SET] = fake_qos,
	},
};

static void *loop_thread(void *arg)
{
	struct pollfd pfd = { .fd = cmdq_fd(fl.q), .events = POLLIN };

	(void)arg;
	while (!fl.stop) {
		poll(&pfd, 1, 20);
		cmdq_run(fl.q, &fl);
		if (fl.deferred) {
			struct cmd *c = fl.deferred;

			fl.deferred = NULL;
			usleep(2000);
			cmdq_complete(fl.q, c, 0);
		}
	}
	return NULL;
}

/* ---- requests ------------------------------------------------------------------------ */

/* conn = "k=v&k2=v2": the query() of a request. */
static const char *query_of(const void *conn, const char *key)
{
	static __thread char val[128];
	const char *p = conn;
	size_t kl = strlen(key);

	while (p && *p) {
		const char *amp = strchr(p, '&');
		size_t n = amp ? (size_t)(amp - p) : strlen(p);

		if (n > kl && !strncmp(p, key, kl) && p[kl] == '=') {
			snprintf(val, sizeof(val), "%.*s", (int)(n - kl - 1), p + kl + 1);
			return val;
		}
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

/* Dispatch one request; the body of the answer as text in *out (free it). */
static int request(const char *method, const char *path, const char *query, const char *token,
		   const char *body, int too_large, char **out)
{
	char hdr[128];
	struct api_dispatch_in in = { .path = path, .client = "test", .body = body,
				      .body_len = body ? strlen(body) : 0,
				      .body_too_large = too_large, .query = query_of,
				      .conn = query ? query : "" };
	struct api_resp resp;
	int status;

	in.method = (enum api_method)api_method_parse(method);
	if (token) {
		snprintf(hdr, sizeof(hdr), "Bearer %s", token);
		in.authorization = hdr;
	}
	api_dispatch(srv, &in, &resp);
	if (resp.json)
		*out = json_dumps(resp.json, JSON_COMPACT);
	else if (resp.text)
		*out = strndup(resp.text, resp.text_len);
	else
		*out = strdup("");
	status = resp.status;
	api_resp_free(&resp);
	return status ? status : -1;
}

/* ---- fixture ------------------------------------------------------------------------- */

static void add_records(void)
{
	uint64_t now = pv_rdtsc();
	struct pv_rec r[4] = {
		{ .tsc = now - 4000000, .type = PV_EV_VM_EXIT, .vcpu = 0, .a = PV_EXIT_PIO, .b = 0x3f8 },
		{ .tsc = now - 3000000, .type = PV_EV_VM_ENTRY, .vcpu = 0 },
		{ .tsc = now - 2000000, .type = PV_EV_HALT_BEGIN, .vcpu = 0, .a = PV_HALT_EXIT },
		{ .tsc = now - 1000000, .type = PV_EV_HALT_END, .vcpu = 0, .a = PV_HALT_EXIT,
		  .b = 400000 },
	};
	struct pv_rec node = { .tsc = now - 2500000, .type = PV_EV_PSTATE, .vcpu = 1,
			       .b = 1600000, .c = 800000 };

	tracebuf_append(&tb, 0, 0, r, 2);		/* alpha */
	tracebuf_append(&tb, 1, 0, r, 4);		/* beta */
	tracebuf_append(&tb, UINT32_MAX, 0, &node, 1);	/* node decision */
	tracebuf_append(&tb, 0, 0, r + 2, 2);		/* alpha */
}

static int setup(void **state)
{
	struct api_server_config sc = { .auth = &auth, .body_max = 4096 };
	char err[AUTH_ERR_MAX];
	struct dsnap *s;

	(void)state;
	if (snapshot_init(&pub) || cmdq_init(&cq) || tracebuf_init(&tb, 8) ||
	    pv_clock_init(&clk, 2300000))
		return -1;
	s = fake_dsnap_new(2);
	fake_dsnap_add_vm(s, "alpha", DVM_RUNNING, PV_QOS_BEST_EFFORT, 2, 2);
	fake_dsnap_add_vm(s, "beta", DVM_PAUSED, PV_QOS_REALTIME, 1, 1);
	fake_dsnap_publish(&pub, s);
	add_records();
	if (api_ctx_init(&ctx, &pub, &cq, &fake_ops, &tb, &clk, 0) ||
	    auth_parse(&auth, READ_TOK " read\n" ADMIN_TOK " admin\n", err) ||
	    api_server_new_detached(&srv, &sc, routes_table, routes_count, &ctx))
		return -1;
	fl.pub = &pub;
	fl.q = &cq;
	return pthread_create(&fl.th, NULL, loop_thread, NULL);
}

static int teardown(void **state)
{
	(void)state;
	fl.stop = true;
	pthread_join(fl.th, NULL);
	api_server_stop(srv);
	api_ctx_fini(&ctx);
	cmdq_destroy(&cq);
	snapshot_destroy(&pub);
	tracebuf_fini(&tb);
	return 0;
}

/* ---- the case table ------------------------------------------------------------------ */
struct hcase {
	const char *method, *path, *query, *token, *body;
	int too_large;
	int status;
	const char *code, *field;	/* of an Error body */
	const char *has;		/* substring of the body */
	const char *hasnt;
};

#define R READ_TOK
#define A ADMIN_TOK

static const struct hcase cases[] = {
	/* probes and auth */
	{ "GET", "/healthz", NULL, NULL, NULL, 0, 200, NULL, NULL, "\"status\":\"ok\"", NULL },
	{ "GET", "/readyz", NULL, NULL, NULL, 0, 200, NULL, NULL, "\"ready\":true", NULL },
	{ "GET", "/api/v1/node", NULL, NULL, NULL, 0, 401, "unauthorized", NULL, NULL, NULL },
	{ "GET", "/api/v1/node", NULL, "not-a-valid-token-at-all", NULL, 0, 401, "unauthorized", NULL, NULL, NULL },
	{ "POST", "/api/v1/vms", NULL, R, "{\"name\":\"x\"}", 0, 403, "forbidden", NULL, NULL, NULL },
	{ "PUT", "/api/v1/power", NULL, R, "{\"governor\":\"ondemand\"}", 0, 403, "forbidden", NULL, NULL, NULL },
	{ "PUT", "/api/v1/node", NULL, A, NULL, 0, 405, "method_not_allowed", NULL, NULL, NULL },
	{ "GET", "/api/v1/nothing", NULL, R, NULL, 0, 404, "not_found", NULL, NULL, NULL },
	/* reads from the snapshot */
	{ "GET", "/api/v1/node", NULL, R, NULL, 0, 200, NULL, NULL, "\"hostname\":\"testhost\"", NULL },
	{ "GET", "/api/v1/node", NULL, R, NULL, 0, 200, NULL, NULL, "\"latency_budget_us\":50", NULL },
	{ "GET", "/api/v1/node", NULL, R, NULL, 0, 200, NULL, NULL, "\"C1\":20.0", NULL },
	{ "GET", "/api/v1/node", NULL, R, NULL, 0, 200, NULL, NULL, "\"800\":75.0", NULL },
	{ "GET", "/api/v1/vms", NULL, R, NULL, 0, 200, NULL, NULL, "\"name\":\"alpha\",\"state\":\"running\"", NULL },
	{ "GET", "/api/v1/vms", NULL, A, NULL, 0, 200, NULL, NULL, "\"name\":\"beta\",\"state\":\"paused\"", NULL },
	{ "GET", "/api/v1/vms/alpha", NULL, R, NULL, 0, 200, NULL, NULL, "\"exits_total\":207", NULL },
	{ "GET", "/api/v1/vms/alpha", NULL, R, NULL, 0, 200, NULL, NULL, "\"spec\":{\"name\":\"alpha\"", NULL },
	{ "GET", "/api/v1/vms/beta", NULL, R, NULL, 0, 200, NULL, NULL, "\"rt\":{\"activations\":10,\"completions\":9,\"misses\":1", NULL },
	{ "GET", "/api/v1/vms/nope", NULL, R, NULL, 0, 404, "not_found", "name", NULL, NULL },
	{ "GET", "/api/v1/vms/Bad%20Name", NULL, R, NULL, 0, 404, "not_found", "name", NULL, NULL },
	{ "GET", "/api/v1/vms/alpha/vcpus", NULL, R, NULL, 0, 200, NULL, NULL, "\"vcpus\":[{\"vcpu\":0,\"tid\":5000", NULL },
	{ "GET", "/api/v1/vms/nope/vcpus", NULL, R, NULL, 0, 404, "not_found", "name", NULL, NULL },
	{ "GET", "/api/v1/vms/alpha/exits", NULL, R, NULL, 0, 200, NULL, NULL, "\"reason\":\"pio\",\"count\":200", NULL },
	{ "GET", "/api/v1/vms/alpha/exits", NULL, R, NULL, 0, 200, NULL, NULL, "\"reason\":\"hlt\",\"count\":7", "\"reason\":\"mmio\"" },
	{ "GET", "/api/v1/vms/nope/exits", NULL, R, NULL, 0, 404, "not_found", "name", NULL, NULL },
	{ "GET", "/api/v1/vms/alpha/energy", NULL, R, NULL, 0, 200, NULL, NULL, "\"energy_j\":200.0,\"power_w\":3.0,\"share_pct\":16.0", NULL },
	{ "GET", "/api/v1/vms/nope/energy", NULL, R, NULL, 0, 404, "not_found", "name", NULL, NULL },
	{ "GET", "/api/v1/vms/beta/qos", NULL, R, NULL, 0, 200, NULL, NULL, "\"boosted_vcpus\":[0],\"cpus\":[1]", NULL },
	{ "GET", "/api/v1/vms/nope/qos", NULL, R, NULL, 0, 404, "not_found", "name", NULL, NULL },
	{ "GET", "/api/v1/power", NULL, R, NULL, 0, 200, NULL, NULL, "\"governor\":\"transition\",\"governors\":[\"performance\"", NULL },
	{ "GET", "/api/v1/devices", NULL, R, NULL, 0, 200, NULL, NULL, "\"name\":\"uart\",\"power_state\":\"low\"", NULL },
	{ "GET", "/metrics", NULL, R, NULL, 0, 200, NULL, NULL, "powervisor_vm_exits_total{vm=\"alpha\",reason=\"pio\"} 200\n", NULL },
	{ "GET", "/metrics", NULL, NULL, NULL, 0, 401, "unauthorized", NULL, NULL, NULL },
	{ "GET", "/", NULL, NULL, NULL, 0, 200, NULL, NULL, "<html", NULL },
	{ "GET", "/assets/missing.js", NULL, NULL, NULL, 0, 404, NULL, NULL, NULL, NULL },
	/* trace */
	{ "GET", "/api/v1/trace", "since=0&limit=2", R, NULL, 0, 200, NULL, NULL, "\"next\":2,\"dropped\":0", NULL },
	{ "GET", "/api/v1/trace", "vm=alpha", R, NULL, 0, 200, NULL, NULL, "\"vm\":\"alpha\",\"type\":\"vm_exit\",\"vcpu\":0", "\"vm\":\"beta\"" },
	{ "GET", "/api/v1/trace", "since=6", R, NULL, 0, 200, NULL, NULL, "\"vm\":\"node\",\"type\":\"pstate\"", "\"vm\":\"beta\"" },
	{ "GET", "/api/v1/trace", "limit=0", R, NULL, 0, 400, "out_of_range", "limit", NULL, NULL },
	{ "GET", "/api/v1/trace", "limit=10001", R, NULL, 0, 400, "out_of_range", "limit", NULL, NULL },
	{ "GET", "/api/v1/trace", "limit=ten", R, NULL, 0, 400, "invalid_query", "limit", NULL, NULL },
	{ "GET", "/api/v1/trace", "since=-1", R, NULL, 0, 400, "out_of_range", "since", NULL, NULL },
	{ "GET", "/api/v1/trace", "since=12abc", R, NULL, 0, 400, "invalid_query", "since", NULL, NULL },
	{ "GET", "/api/v1/trace", "since=", R, NULL, 0, 400, "invalid_query", "since", NULL, NULL },
	{ "GET", "/api/v1/trace", "vm=nope", R, NULL, 0, 400, "invalid_query", "vm", NULL, NULL },
	{ "GET", "/api/v1/trace/perfetto", "window_s=abc", R, NULL, 0, 400, "invalid_query", "window_s", NULL, NULL },
	{ "GET", "/api/v1/trace/perfetto", "window_s=0.001", R, NULL, 0, 400, "out_of_range", "window_s", NULL, NULL },
	{ "GET", "/api/v1/trace/perfetto", "window_s=61", R, NULL, 0, 400, "out_of_range", "window_s", NULL, NULL },
	{ "GET", "/api/v1/trace/perfetto", "window_s=nan", R, NULL, 0, 400, "invalid_query", "window_s", NULL, NULL },
	{ "GET", "/api/v1/trace/perfetto", "window_s=2", R, NULL, 0, 200, NULL, NULL, "\"traceEvents\":[", NULL },
	/* create */
	{ "POST", "/api/v1/vms", NULL, A, "{\"name\":\"gamma\",\"workload\":\"idle\",\"vcpus\":2}", 0, 201, NULL, NULL, "\"name\":\"gamma\",\"state\":\"starting\"", NULL },
	{ "GET", "/api/v1/vms/gamma", NULL, R, NULL, 0, 200, NULL, NULL, "\"vcpus\":2", NULL },
	{ "POST", "/api/v1/vms", NULL, A, "{\"name\":\"alpha\",\"workload\":\"idle\"}", 0, 409, "name_taken", "name", NULL, NULL },
	{ "POST", "/api/v1/vms", NULL, A, "{\"name\":\"full\",\"workload\":\"idle\"}", 0, 409, "no_slot", NULL, NULL, NULL },
	{ "POST", "/api/v1/vms", NULL, A, "{\"name\":", 0, 400, "invalid_json", NULL, NULL, NULL },
	{ "POST", "/api/v1/vms", NULL, A, "[1,2]", 0, 400, "invalid_type", NULL, NULL, NULL },
	{ "POST", "/api/v1/vms", NULL, A, NULL, 0, 400, "missing_body", NULL, NULL, NULL },
	{ "POST", "/api/v1/vms", NULL, A, "{\"name\":\"x\",\"vcpus\":\"two\"}", 0, 400, "invalid_field", "vcpus", NULL, NULL },
	{ "POST", "/api/v1/vms", NULL, A, "{\"name\":\"x\",\"vcpus\":99}", 0, 400, "invalid_field", "vcpus", NULL, NULL },
	{ "POST", "/api/v1/vms", NULL, A, "{\"name\":\"x\",\"colour\":\"red\"}", 0, 400, "unknown_field", "colour", NULL, NULL },
	{ "POST", "/api/v1/vms", NULL, A, "{\"name\":\"Bad Name\"}", 0, 400, "invalid_field", "name", NULL, NULL },
	{ "POST", "/api/v1/vms", NULL, A, "{\"name\":\"x\",\"qos\":\"turbo\"}", 0, 400, "invalid_field", "qos", NULL, NULL },
	{ "POST", "/api/v1/vms", NULL, A, "{\"name\":\"x\",\"reservation\":{\"runtime_us\":\"a\",\"period_us\":10}}", 0, 400, "invalid_field", "reservation.runtime_us", NULL, NULL },
	{ "POST", "/api/v1/vms", NULL, A, "{\"name\":\"x\",\"name\":\"y\"}", 0, 400, "invalid_json", NULL, NULL, NULL },
	{ "POST", "/api/v1/vms", NULL, A, "{\"name\":\"big\"}", 1, 413, "body_too_large", NULL, NULL, NULL },
	/* pause / resume (asynchronous completion) */
	{ "POST", "/api/v1/vms/alpha/pause", NULL, A, NULL, 0, 204, NULL, NULL, NULL, NULL },
	{ "GET", "/api/v1/vms/alpha", NULL, R, NULL, 0, 200, NULL, NULL, "\"state\":\"paused\"", NULL },
	{ "POST", "/api/v1/vms/alpha/pause", NULL, A, NULL, 0, 409, "wrong_state", NULL, NULL, NULL },
	{ "POST", "/api/v1/vms/alpha/resume", NULL, A, NULL, 0, 204, NULL, NULL, NULL, NULL },
	{ "POST", "/api/v1/vms/alpha/resume", NULL, A, NULL, 0, 409, "wrong_state", NULL, NULL, NULL },
	{ "POST", "/api/v1/vms/nope/pause", NULL, A, NULL, 0, 404, "not_found", "name", NULL, NULL },
	{ "POST", "/api/v1/vms/Nope!/resume", NULL, A, NULL, 0, 404, "not_found", "name", NULL, NULL },
	{ "POST", "/api/v1/vms/alpha/pause", NULL, R, NULL, 0, 403, "forbidden", NULL, NULL, NULL },
	/* qos */
	{ "PUT", "/api/v1/vms/alpha/qos", NULL, A, "{\"class\":\"realtime\",\"reservation\":{\"runtime_us\":200,\"period_us\":1000}}", 0, 200, NULL, NULL, "\"class\":\"realtime\"", NULL },
	{ "PUT", "/api/v1/vms/alpha/qos", NULL, A, "{\"class\":\"realtime\",\"reservation\":{\"runtime_us\":900,\"period_us\":1000}}", 0, 409, "admission_rejected", "reservation.runtime_us", "U=0.90", NULL },
	{ "PUT", "/api/v1/vms/alpha/qos", NULL, A, "{\"class\":\"realtime\"}", 0, 400, "missing_field", "reservation", NULL, NULL },
	{ "PUT", "/api/v1/vms/alpha/qos", NULL, A, "{\"class\":\"best-effort\",\"reservation\":{\"runtime_us\":1,\"period_us\":10}}", 0, 400, "invalid_field", "reservation", NULL, NULL },
	{ "PUT", "/api/v1/vms/alpha/qos", NULL, A, "{\"class\":\"fast\"}", 0, 400, "invalid_value", "class", NULL, NULL },
	{ "PUT", "/api/v1/vms/alpha/qos", NULL, A, "{\"class\":5}", 0, 400, "invalid_type", "class", NULL, NULL },
	{ "PUT", "/api/v1/vms/alpha/qos", NULL, A, "{\"latency_budget_us\":5}", 0, 400, "missing_field", "class", NULL, NULL },
	{ "PUT", "/api/v1/vms/alpha/qos", NULL, A, "{\"class\":\"latency-sensitive\",\"latency_budget_us\":-1}", 0, 400, "out_of_range", "latency_budget_us", NULL, NULL },
	{ "PUT", "/api/v1/vms/alpha/qos", NULL, A, "{\"class\":\"latency-sensitive\",\"latency_budget_us\":\"5\"}", 0, 400, "invalid_type", "latency_budget_us", NULL, NULL },
	{ "PUT", "/api/v1/vms/alpha/qos", NULL, A, "{\"class\":\"realtime\",\"reservation\":{\"runtime_us\":200,\"period_us\":1000,\"x\":1}}", 0, 400, "unknown_field", "reservation.x", NULL, NULL },
	{ "PUT", "/api/v1/vms/alpha/qos", NULL, A, "{\"class\":\"realtime\",\"reservation\":{\"runtime_us\":200}}", 0, 400, "missing_field", "reservation.period_us", NULL, NULL },
	{ "PUT", "/api/v1/vms/alpha/qos", NULL, A, "{\"class\":\"realtime\",\"reservation\":{\"runtime_us\":500,\"period_us\":1000,\"deadline_us\":400}}", 0, 400, "out_of_range", "reservation.deadline_us", NULL, NULL },
	{ "PUT", "/api/v1/vms/alpha/qos", NULL, A, "{\"class\":\"realtime\",\"reservation\":[]}", 0, 400, "invalid_type", "reservation", NULL, NULL },
	{ "PUT", "/api/v1/vms/alpha/qos", NULL, A, "{\"class\":\"best-effort\",\"extra\":true}", 0, 400, "unknown_field", "extra", NULL, NULL },
	{ "PUT", "/api/v1/vms/alpha/qos", NULL, A, "\"best-effort\"", 0, 400, "invalid_json", NULL, NULL, NULL },
	{ "PUT", "/api/v1/vms/nope/qos", NULL, A, "{\"class\":\"best-effort\"}", 0, 404, "not_found", "name", NULL, NULL },
	{ "PUT", "/api/v1/vms/alpha/qos", NULL, A, "{\"class\":\"best-effort\"}", 1, 413, "body_too_large", NULL, NULL, NULL },
	{ "DELETE", "/api/v1/vms/alpha/qos", NULL, A, NULL, 0, 200, NULL, NULL, "\"class\":\"best-effort\"", NULL },
	{ "DELETE", "/api/v1/vms/nope/qos", NULL, A, NULL, 0, 404, "not_found", "name", NULL, NULL },
	/* power */
	{ "PUT", "/api/v1/power", NULL, A, "{\"tunables\":{\"headroom_pct\":1000}}", 0, 400, "out_of_range", "tunables.headroom_pct", NULL, NULL },
	{ "PUT", "/api/v1/power", NULL, A, "{\"tunables\":{\"headroom_pct\":\"x\"}}", 0, 400, "invalid_type", "tunables.headroom_pct", NULL, NULL },
	{ "PUT", "/api/v1/power", NULL, A, "{\"tunables\":{\"nope\":1}}", 0, 400, "unknown_field", "tunables.nope", NULL, NULL },
	{ "PUT", "/api/v1/power", NULL, A, "{\"tunables\":[1]}", 0, 400, "invalid_type", "tunables", NULL, NULL },
	{ "PUT", "/api/v1/power", NULL, A, "{}", 0, 400, "missing_field", "governor", NULL, NULL },
	{ "PUT", "/api/v1/power", NULL, A, "{\"gov\":\"ondemand\"}", 0, 400, "unknown_field", "gov", NULL, NULL },
	{ "PUT", "/api/v1/power", NULL, A, "{\"governor\":\"turbo\"}", 0, 400, "invalid_value", "governor", NULL, NULL },
	{ "PUT", "/api/v1/power", NULL, A, "{\"governor\":7}", 0, 400, "invalid_type", "governor", NULL, NULL },
	{ "PUT", "/api/v1/power", NULL, A, "{\"tunables\":{\"headroom_pct\":150}}", 0, 200, NULL, NULL, "{\"name\":\"headroom_pct\",\"value\":150", NULL },
	{ "PUT", "/api/v1/power", NULL, A, "{\"governor\":\"powersave\"}", 0, 409, "governor_failed", "governor", "transition stays", NULL },
	{ "GET", "/api/v1/power", NULL, R, NULL, 0, 200, NULL, NULL, "\"governor\":\"transition\"", NULL },
	{ "PUT", "/api/v1/power", NULL, A, "{\"governor\":\"ondemand\"}", 0, 200, NULL, NULL, "\"governor\":\"ondemand\"", NULL },
	/* delete */
	{ "DELETE", "/api/v1/vms/gamma", NULL, A, NULL, 0, 204, NULL, NULL, NULL, NULL },
	{ "GET", "/api/v1/vms/gamma", NULL, R, NULL, 0, 404, "not_found", "name", NULL, NULL },
	{ "DELETE", "/api/v1/vms/gamma", NULL, A, NULL, 0, 404, "not_found", "name", NULL, NULL },
	{ "DELETE", "/api/v1/vms/gamma", NULL, NULL, NULL, 0, 401, "unauthorized", NULL, NULL, NULL },
};

static void test_case_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct hcase *c = &cases[i];
		char *body = NULL;
		int st = request(c->method, c->path, c->query, c->token, c->body, c->too_large, &body);
		json_t *j = NULL, *err;

		if (st != c->status)
			fail_msg("case %zu %s %s?%s: status %d, want %d: %s", i, c->method, c->path,
				 c->query ? c->query : "", st, c->status, body);
		if (c->code || c->field) {
			j = json_loads(body, 0, NULL);
			err = json_object_get(j, "error");
			if (c->code && strcmp(json_string_value(json_object_get(err, "code")) ?: "",
					      c->code))
				fail_msg("case %zu %s %s: code in %s, want %s", i, c->method, c->path,
					 body, c->code);
			if (c->field && strcmp(json_string_value(json_object_get(err, "field")) ?: "",
					       c->field))
				fail_msg("case %zu %s %s: field in %s, want %s", i, c->method, c->path,
					 body, c->field);
			if (!json_is_string(json_object_get(err, "message")))
				fail_msg("case %zu: no message in %s", i, body);
			json_decref(j);
		}
		if (c->has && !strstr(body, c->has))
			fail_msg("case %zu %s %s: \"%s\" not in %.2000s", i, c->method, c->path, c->has,
				 body);
		if (c->hasnt && strstr(body, c->hasnt))
			fail_msg("case %zu %s %s: \"%s\" in %.2000s", i, c->method, c->path, c->hasnt,
				 body);
		free(body);
	}
}

/* What the handlers handed to the loop: parsed and complete. */
static void test_command_inputs(void **state)
{
	char *body;

	(void)state;
	assert_int_equal(request("PUT", "/api/v1/vms/beta/qos", NULL, A,
				 "{\"class\":\"realtime\",\"latency_budget_us\":30,\"reservation\":"
				 "{\"runtime_us\":250,\"period_us\":2000,\"deadline_us\":1000}}", 0,
				 &body), 200);
	assert_int_equal(fl.last_kind, CMDS_QOS_SET);
	assert_string_equal(fl.last.name, "beta");
	assert_int_equal(fl.last.qos.cls, PV_QOS_REALTIME);
	assert_int_equal(fl.last.qos.latency_budget_us, 30);
	assert_true(fl.last.qos.resv.set);
	assert_int_equal(fl.last.qos.resv.runtime_us, 250);
	assert_int_equal(fl.last.qos.resv.period_us, 2000);
	assert_int_equal(fl.last.qos.resv.deadline_us, 1000);
	assert_non_null(strstr(body, "\"apply_latency_us\":"));
	free(body);

	assert_int_equal(request("PUT", "/api/v1/power", NULL, A,
				 "{\"governor\":\"transition\",\"tunables\":{\"sat_pct\":80}}", 0,
				 &body), 200);
	assert_int_equal(fl.last_kind, CMDS_POWER_SET);
	assert_string_equal(fl.last.governor, "transition");	/* ondemand runs: a switch */
	assert_int_equal(fl.last.ntun, 1);
	assert_string_equal(fl.last.tun[0].name, "sat_pct");
	assert_int_equal(fl.last.tun[0].value, 80);
	free(body);
	/* naming the running governor only sets tunables */
	assert_int_equal(request("PUT", "/api/v1/power", NULL, A,
				 "{\"governor\":\"transition\",\"tunables\":{\"sat_pct\":70}}", 0,
				 &body), 200);
	assert_string_equal(fl.last.governor, "");
	free(body);

	assert_int_equal(request("POST", "/api/v1/vms", NULL, A,
				 "{\"name\":\"delta\",\"workload\":\"burst:on_ms=5,off_ms=45\",\"memory_mib\":32,"
				 "\"qos\":\"latency-sensitive\",\"latency_budget_us\":40}", 0, &body), 201);
	assert_int_equal(fl.last_kind, CMDS_VM_CREATE);
	assert_string_equal(fl.last.spec.name, "delta");
	assert_int_equal(fl.last.spec.mem_mib, 32);
	assert_int_equal(fl.last.spec.qos, PV_QOS_LATENCY_SENSITIVE);
	assert_int_equal(fl.last.spec.latency_budget_us, 40);
	free(body);
}

/* A command slower than the handler's patience: 503, and the late command frees its block. */
static void test_command_timeout(void **state)
{
	unsigned int saved = ctx.cmd_timeout_ms;
	char *body;

	(void)state;
	ctx.cmd_timeout_ms = 100;
	assert_int_equal(request("POST", "/api/v1/vms/slow/pause", NULL, A, NULL, 0, &body), 503);
	assert_non_null(strstr(body, "\"code\":\"timeout\""));
	free(body);
	ctx.cmd_timeout_ms = saved;
	/* the loop is still busy with it; the next command waits its turn and succeeds */
	assert_int_equal(request("POST", "/api/v1/vms/beta/resume", NULL, A, NULL, 0, &body), 204);
	free(body);
}

/* The trace cursor walks every event once; a filter keeps the cursor moving. */
static void test_trace_cursor(void **state)
{
	int64_t since = 0, seen = 0;
	char *body, q[64];
	int i;

	(void)state;
	for (i = 0; i < 10; i++) {
		json_t *j;
		size_t n;

		snprintf(q, sizeof(q), "since=%lld&limit=3", (long long)since);
		assert_int_equal(request("GET", "/api/v1/trace", q, R, NULL, 0, &body), 200);
		j = json_loads(body, 0, NULL);
		free(body);
		assert_non_null(j);
		n = json_array_size(json_object_get(j, "events"));
		if (n)
			assert_int_equal(json_integer_value(json_object_get(
				json_array_get(json_object_get(j, "events"), 0), "seq")), since + 1);
		seen += (int64_t)n;
		since = json_integer_value(json_object_get(j, "next"));
		json_decref(j);
		if (!n)
			break;
	}
	assert_int_equal(seen, 9);
	assert_int_equal(since, 9);
}

static void test_perfetto_document(void **state)
{
	json_t *j, *ev, *e;
	char *body;
	size_t i;
	int pids[8] = { 0 }, slices = 0, counters = 0;

	(void)state;
	assert_int_equal(request("GET", "/api/v1/trace/perfetto", "window_s=5", R, NULL, 0, &body),
			 200);
	j = json_loads(body, 0, NULL);
	if (!j)
		fail_msg("not JSON: %.500s", body);
	free(body);
	ev = json_object_get(j, "traceEvents");
	assert_true(json_array_size(ev) > 5);
	json_array_foreach(ev, i, e) {
		json_int_t pid = json_integer_value(json_object_get(e, "pid"));
		const char *ph = json_string_value(json_object_get(e, "ph"));

		if (pid >= 0 && pid < 8)
			pids[pid] = 1;
		slices += ph && !strcmp(ph, "X");
		counters += ph && !strcmp(ph, "C");
	}
	assert_true(pids[1]);		/* node */
	assert_true(pids[2]);		/* alpha: slot 0 */
	assert_true(pids[3]);		/* beta: slot 1 */
	assert_true(slices >= 2);
	assert_true(counters >= 1);	/* the P-state record */
	json_decref(j);
}

/* No snapshot yet: reads are 503, liveness stays 200, readiness 503 with a reason. */
static void test_no_snapshot(void **state)
{
	static const struct { const char *path; int status; } nc[] = {
		{ "/healthz", 200 }, { "/readyz", 503 }, { "/api/v1/node", 503 },
		{ "/api/v1/vms", 503 }, { "/metrics", 503 }, { "/api/v1/trace", 503 },
	};
	struct api_server_config sc = { .auth = NULL };
	struct api_server *s2;
	struct snap_pub empty;
	struct api_ctx c2;
	size_t i;

	(void)state;
	assert_int_equal(snapshot_init(&empty), 0);
	assert_int_equal(api_ctx_init(&c2, &empty, &cq, &fake_ops, NULL, NULL, 0), 0);
	assert_int_equal(api_server_new_detached(&s2, &sc, routes_table, routes_count, &c2), 0);
	for (i = 0; i < sizeof(nc) / sizeof(nc[0]); i++) {
		struct api_dispatch_in in = { .method = API_GET, .path = nc[i].path, .client = "c",
					      .query = query_of, .conn = "" };
		struct api_resp resp;

		api_dispatch(s2, &in, &resp);
		if (resp.status != nc[i].status)
			fail_msg("%s: %d, want %d", nc[i].path, resp.status, nc[i].status);
		api_resp_free(&resp);
	}
	api_server_stop(s2);
	api_ctx_fini(&c2);
	snapshot_destroy(&empty);
}

/* Readiness follows the snapshot: not ready, and stale (loop stuck). */
static void test_readyz(void **state)
{
	static const struct { bool ready; uint64_t age_ns; const char *reason; } rc[] = {
		{ false, 0, "power backend unavailable" },
		{ true, 5000000000ull, "policy loop stalled" },
		{ true, 0, NULL },
	};
	struct snap *ref;
	struct timespec ts;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rc) / sizeof(rc[0]); i++) {
		struct dsnap *n;
		char *body;

		ref = snapshot_get(&pub);
		n = fake_dsnap_dup((const struct dsnap *)ref, 0);
		snapshot_put(ref);
		n->ready = rc[i].ready;
		snprintf(n->not_ready, sizeof(n->not_ready), "power backend unavailable");
		clock_gettime(CLOCK_MONOTONIC, &ts);
		n->base.time_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec -
				  rc[i].age_ns;
		fake_dsnap_publish(&pub, n);
		assert_int_equal(request("GET", "/readyz", NULL, NULL, NULL, 0, &body),
				 rc[i].reason ? 503 : 200);
		if (rc[i].reason && !strstr(body, rc[i].reason))
			fail_msg("case %zu: %s", i, body);
		free(body);
	}
}

/* The rate limit comes first: a flood gets 429 whatever it asks. */
static void test_rate_limit(void **state)
{
	struct api_server_config sc = { .rate_per_s = 1, .burst = 2, .auth = &auth };
	struct api_server *s2;
	int i, limited = 0;

	(void)state;
	assert_int_equal(api_server_new_detached(&s2, &sc, routes_table, routes_count, &ctx), 0);
	for (i = 0; i < 5; i++) {
		struct api_dispatch_in in = { .method = API_GET, .path = "/api/v1/vms",
					      .client = "flood", .query = query_of, .conn = "" };
		struct api_resp resp;

		api_dispatch(s2, &in, &resp);
		limited += resp.status == 429;
		assert_true(resp.status == 429 || resp.status == 401);
		api_resp_free(&resp);
	}
	assert_int_equal(limited, 3);
	api_server_stop(s2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case_table),
		cmocka_unit_test(test_command_inputs),
		cmocka_unit_test(test_command_timeout),
		cmocka_unit_test(test_trace_cursor),
		cmocka_unit_test(test_perfetto_document),
		cmocka_unit_test(test_no_snapshot),
		cmocka_unit_test(test_readyz),
		cmocka_unit_test(test_rate_limit),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
