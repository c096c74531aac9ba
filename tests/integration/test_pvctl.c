// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvctl end to end: a fake API server runs in-process (api_server_start on 127.0.0.1:0 and a
 * Unix socket, with admin and read-only tokens) whose handlers return spec-shaped JSON and
 * Error bodies and record what they were sent; the real build/pvctl binary is run with
 * fork/exec for every command, and its stdout, stderr and exit status are checked: tables,
 * --json, error messages and statuses, token sources and scopes, connection failures, a
 * garbage-speaking and a silent server, the trace export file, trace tail and top.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "api/auth.h"
#include "api/server.h"

#define ADMIN_TOK "admin-token-0123456789"
#define READ_TOK  "read-token-0123456789a"
#define MAX_ARGS  32

/* ---------------------------------------------------------------- fake daemon data */

static json_t *jq(const char *s)	/* JSON written with single quotes */
{
	char *buf = strdup(s), *p;
	json_t *j;

	for (p = buf; *p; p++)
		if (*p == '\'')
			*p = '"';
	j = json_loads(buf, 0, NULL);
	free(buf);
	if (!j)
		fprintf(stderr, "bad fixture JSON: %s\n", s);
	return j;
}

static const char node_json[] =
	"{'hostname':'node1','version':'1.0.0','uptime_s':3600.5,'tick_ms':10,'backend':'model',"
	"'governor':'ondemand','pstates_khz':[800000,1600000,2400000],'cstates':["
	"{'name':'POLL','exit_latency_us':0,'target_residency_us':0},"
	"{'name':'C1','exit_latency_us':2,'target_residency_us':2},"
	"{'name':'C6','exit_latency_us':100,'target_residency_us':400}],'cpus':["
	"{'cpu':0,'freq_khz':2400000,'util_pct':87.5,'time_pct':{'guest':80.0,'vmm':7.5,'halt':0,"
	"'idle':12.5},'cstate_limit':1,'cstate_residency_pct':{'POLL':0,'C1':12.5,'C6':0},"
	"'freq_residency_pct':{'2400':90,'800':10},'latency_budget_us':50,'freq_floor_khz':1600000},"
	"{'cpu':1,'freq_khz':800000,'util_pct':3.0,'time_pct':{'guest':1.0,'vmm':2.0,'halt':0,"
	"'idle':97.0},'cstate_limit':2,'cstate_residency_pct':{'C1':2.0,'C6':95.0},"
	"'latency_budget_us':null,'freq_floor_khz':0}],"
	"'power':{'watts':45.2,'energy_j':162720.5,'idle_energy_j':1000.0,'overhead_energy_j':50.0,"
	"'source':'model'}}";

static const char vms_json[] =
	"{'vms':[{'name':'rt0','state':'running','qos':'realtime','vcpus':2,'pid':4242,"
	"'restarts':0,'cpu_pct':37.5,'power_w':3.25,'energy_j':120.5,'rt_misses':2},"
	"{'name':'web','state':'paused','qos':'best-effort','vcpus':1,'pid':4300,'restarts':1,"
	"'cpu_pct':0.0,'power_w':0.1,'energy_j':7.25,'rt_misses':0},"
	"{'name':'old','state':'failed','qos':'best-effort','vcpus':1,'restarts':3,"
	"'end_reason':'kvm internal error'}]}";

static const char vm_rt0_json[] =
	"{'name':'rt0','state':'running','qos':'realtime','vcpus':2,'pid':4242,'restarts':0,"
	"'cpu_pct':37.5,'power_w':3.25,'energy_j':120.5,'rt_misses':2,'spec':{'name':'rt0',"
	"'vcpus':2,'memory_mib':64,'kernel':'pvguest','workload':'rt:period_us=1000,wcet_us=200;cpu',"
	"'qos':'realtime','restart':'never'},'halt_mode_requested':'exit','halt_mode_honoured':'exit',"
	"'vcpu_stats':[{'vcpu':0,'tid':4243,'pcpu':2,'state':'running','guest_ns':1500000000,"
	"'vmm_ns':20000000,'halt_ns':300000000,'migrations':1,'exits':12000,'boosted':true},"
	"{'vcpu':1,'tid':4244,'pcpu':3,'state':'running','guest_ns':900000000,'vmm_ns':10000000,"
	"'halt_ns':100000000,'migrations':0,'exits':8000,'boosted':false}],'exits_total':20000,"
	"'rt':{'activations':1000,'completions':998,'misses':2},'qos_state':{'class':'realtime',"
	"'admitted':true,'backend':'deadline','reservation':{'runtime_us':200,'period_us':1000},"
	"'cpus':[2,3]},'energy':{'energy_j':120.5,'power_w':3.25,'share_pct':12.5,'source':'model'}}";

static const char power_json[] =
	"{'governor':'ondemand','governors':['performance','powersave','ondemand','transition'],"
	"'backend':'model','tunables':[{'name':'up_threshold_pct','value':80,'min':1,'max':100,"
	"'default':80},{'name':'sampling_ms','value':10,'min':1,'max':1000,'default':10}]}";

static const char qos_json[] =
	"{'class':'realtime','latency_budget_us':100,'reservation':{'runtime_us':200,"
	"'period_us':1000,'deadline_us':0},'backend':'deadline','admitted':true,"
	"'reason':'admitted: utilisation 0.20 of 0.95','boosted_vcpus':[0],'cpus':[2,3],"
	"'apply_latency_us':850.5}";

static const char trace_json[] =
	"{'events':[{'seq':0,'t_ns':1000000000,'vm':'rt0','vcpu':0,'type':'vm_exit',"
	"'detail':{'reason':'hlt'}},{'seq':1,'t_ns':1000500000,'vm':'rt0','vcpu':0,"
	"'type':'vm_entry','detail':{}},{'seq':2,'t_ns':1002000000,'vm':'web','vcpu':1,"
	"'type':'rt_miss','detail':{'lateness_ns':1500,'task':'ctl'}}],'next':3,'dropped':0}";

static const char perfetto_json[] =
	"{\"traceEvents\":[{\"name\":\"guest\",\"ph\":\"X\",\"ts\":1000.0,\"dur\":500.0,\"pid\":1,"
	"\"tid\":0},{\"name\":\"hlt\",\"ph\":\"i\",\"ts\":1500.0,\"pid\":1,\"tid\":0}],"
	"\"displayTimeUnit\":\"ns\"}";

static const char metrics_text[] =
	"# HELP powervisor_node_power_watts node power over the last tick\n"
	"# TYPE powervisor_node_power_watts gauge\n"
	"powervisor_node_power_watts{source=\"model\"} 45.2\n";

/* ---------------------------------------------------------------- fake daemon */

struct fake {
	pthread_mutex_t lock;
	unsigned int requests;		/* handler calls */
	char method[8], path[128];
	json_t *body;			/* last request body */
	char since[32], vm[64], window[32], limit[16];
	bool not_ready;
};

static struct fake fake = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void fake_record(const struct api_req *req)
{
	const char *q;

	pthread_mutex_lock(&fake.lock);
	fake.requests++;
	snprintf(fake.method, sizeof(fake.method), "%s", api_method_name(req->method));
	snprintf(fake.path, sizeof(fake.path), "%s", req->path);
	json_decref(fake.body);
	fake.body = req->body ? json_deep_copy(req->body) : NULL;
#define QCOPY(field, key) do { q = req->query ? req->query(req->conn, key) : NULL; \
	snprintf(fake.field, sizeof(fake.field), "%s", q ? q : ""); } while (0)
	QCOPY(since, "since");
	QCOPY(vm, "vm");
	QCOPY(window, "window_s");
	QCOPY(limit, "limit");
	pthread_mutex_unlock(&fake.lock);
}

static bool known_vm(const char *name)
{
	return !strcmp(name, "rt0") || !strcmp(name, "web");
}

static int no_vm(struct api_resp *resp, const char *name)
{
	return api_error(resp, 404, "not_found", NULL, "no VM named %s", name);
}

static int h_health(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	(void)ctx;
	fake_record(req);
	return api_json(resp, 200, jq("{'status':'ok'}"));
}

static int h_ready(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	(void)ctx;
	fake_record(req);
	if (fake.not_ready)
		return api_json(resp, 503, jq("{'ready':false,'reasons':['policy loop not ticking',"
					      "'backend closed']}"));
	return api_json(resp, 200, jq("{'ready':true}"));
}

static int h_node(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	(void)ctx;
	fake_record(req);
	return api_json(resp, 200, jq(node_json));
}

static int h_vms(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	(void)ctx;
	fake_record(req);
	return api_json(resp, 200, jq(vms_json));
}

static int h_vm_create(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	const char *name = json_string_value(json_object_get(req->body, "name"));
	const char *qos = json_string_value(json_object_get(req->body, "qos"));

	(void)ctx;
	fake_record(req);
	if (!name)
		return api_error(resp, 400, "invalid_field", "name", "name is required");
	if (!strcmp(name, "taken"))
		return api_error(resp, 409, "conflict", "name", "a VM named %s exists", name);
	return api_json(resp, 201, json_pack("{s:s, s:s, s:s, s:I}", "name", name, "state",
					     "starting", "qos", qos ? qos : "best-effort",
					     "vcpus", (json_int_t)1));
}

static int h_vm_get(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	(void)ctx;
	fake_record(req);
	if (strcmp(req->params[0], "rt0"))
		return no_vm(resp, req->params[0]);
	return api_json(resp, 200, jq(vm_rt0_json));
}

static int h_vm_action(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	(void)ctx;
	fake_record(req);
	if (!known_vm(req->params[0]))
		return no_vm(resp, req->params[0]);
	if (strstr(req->path, "/pause") && !strcmp(req->params[0], "web"))
		return api_error(resp, 409, "wrong_state", NULL, "VM web is already paused");
	resp->status = 204;
	return 0;
}

static int h_qos(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	json_t *r = json_object_get(req->body, "reservation");

	(void)ctx;
	fake_record(req);
	if (!known_vm(req->params[0]))
		return no_vm(resp, req->params[0]);
	if (req->method == API_DELETE)
		return api_json(resp, 200, jq("{'class':'best-effort','admitted':true,"
					      "'backend':'none'}"));
	if (json_integer_value(json_object_get(r, "runtime_us")) > 500)
		return api_error(resp, 409, "admission_rejected", "reservation.runtime_us",
				 "utilisation would reach 1.05 of 0.95 on cpu 2");
	return api_json(resp, 200, jq(qos_json));
}

static int h_power(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	json_t *p = jq(power_json), *g = json_object_get(req->body, "governor");

	(void)ctx;
	fake_record(req);
	if (json_object_get(json_object_get(req->body, "tunables"), "bogus")) {
		json_decref(p);
		return api_error(resp, 400, "invalid_field", "tunables.bogus",
				 "the governor has no tunable bogus");
	}
	if (g)
		json_object_set(p, "governor", g);
	return api_json(resp, 200, p);
}

static int h_trace(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	const char *since = req->query ? req->query(req->conn, "since") : NULL;

	(void)ctx;
	fake_record(req);
	if (since && strcmp(since, "0"))
		return api_json(resp, 200, json_pack("{s:[], s:I}", "events", "next",
						     (json_int_t)atoll(since)));
	return api_json(resp, 200, jq(trace_json));
}

static int h_perfetto(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	(void)ctx;
	fake_record(req);
	return api_json(resp, 200, json_loads(perfetto_json, 0, NULL));
}

static int h_metrics(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	(void)ctx;
	fake_record(req);
	resp->status = 200;
	resp->text = strdup(metrics_text);
	resp->text_len = strlen(metrics_text);
	resp->content_type = "text/plain; version=0.0.4";
	return 0;
}

static const struct api_route routes[] = {
	{ API_GET, "/healthz", API_SCOPE_PUBLIC, h_health, "health" },
	{ API_GET, "/readyz", API_SCOPE_PUBLIC, h_ready, "ready" },
	{ API_GET, "/api/v1/node", API_SCOPE_READ, h_node, "node" },
	{ API_GET, "/api/v1/vms", API_SCOPE_READ, h_vms, "list" },
	{ API_POST, "/api/v1/vms", API_SCOPE_ADMIN, h_vm_create, "create" },
	{ API_GET, "/api/v1/vms/{name}", API_SCOPE_READ, h_vm_get, "get" },
	{ API_DELETE, "/api/v1/vms/{name}", API_SCOPE_ADMIN, h_vm_action, "delete" },
	{ API_POST, "/api/v1/vms/{name}/pause", API_SCOPE_ADMIN, h_vm_action, "pause" },
	{ API_POST, "/api/v1/vms/{name}/resume", API_SCOPE_ADMIN, h_vm_action, "resume" },
	{ API_GET, "/api/v1/vms/{name}/qos", API_SCOPE_READ, h_qos, "qos" },
	{ API_PUT, "/api/v1/vms/{name}/qos", API_SCOPE_ADMIN, h_qos, "put qos" },
	{ API_DELETE, "/api/v1/vms/{name}/qos", API_SCOPE_ADMIN, h_qos, "clear qos" },
	{ API_GET, "/api/v1/power", API_SCOPE_READ, h_power, "power" },
	{ API_PUT, "/api/v1/power", API_SCOPE_ADMIN, h_power, "put power" },
	{ API_GET, "/api/v1/trace", API_SCOPE_READ, h_trace, "trace" },
	{ API_GET, "/api/v1/trace/perfetto", API_SCOPE_READ, h_perfetto, "perfetto" },
	{ API_GET, "/metrics", API_SCOPE_READ, h_metrics, "metrics" },
};

/* ---------------------------------------------------------------- running pvctl */

struct fixture {
	struct api_server *srv;
	struct auth auth;
	char dir[64], sock[96], addr[64], unix_addr[112], bin[PATH_MAX];
};

static struct fixture fx;

struct run {
	int status;		/* exit status, or 128 + signal */
	char out[65536];
	char err[8192];
};

static struct run R;

static void drain(int fd, char *buf, size_t cap, size_t *len, bool *open)
{
	ssize_t n = read(fd, buf + *len, cap - 1 - *len);

	if (n <= 0) {
		*open = false;
		return;
	}
	*len += (size_t)n;
	buf[*len] = '\0';
	if (*len >= cap - 1)
		*open = false;
}

/* Run pvctl with @env (NULL-terminated, added to PATH and HOME) and @argv. */
static int run_argv(char *const env_extra[], char *const args[])
{
	char *argv[MAX_ARGS + 2], *envp[16], home[96];
	int out[2], err[2], i, n = 0, wst;
	size_t olen = 0, elen = 0;
	bool oo = true, eo = true;
	time_t start = time(NULL);
	pid_t pid;

	memset(&R, 0, sizeof(R));
	argv[0] = fx.bin;
	for (i = 0; args[i] && i < MAX_ARGS; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	snprintf(home, sizeof(home), "HOME=%s", fx.dir);	/* no user config leaks in */
	envp[n++] = "PATH=/usr/bin:/bin";
	envp[n++] = home;
	for (i = 0; env_extra && env_extra[i] && n < 15; i++)
		envp[n++] = env_extra[i];
	envp[n] = NULL;
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	assert_int_equal(pipe2(err, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		dup2(devnull, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		execve(fx.bin, argv, envp);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	while ((oo || eo) && time(NULL) - start < 15) {
		struct pollfd pfd[2] = { { .fd = oo ? out[0] : -1, .events = POLLIN },
					 { .fd = eo ? err[0] : -1, .events = POLLIN } };

		if (poll(pfd, 2, 1000) <= 0)
			continue;
		if (pfd[0].revents)
			drain(out[0], R.out, sizeof(R.out), &olen, &oo);
		if (pfd[1].revents)
			drain(err[0], R.err, sizeof(R.err), &elen, &eo);
	}
	close(out[0]);
	close(err[0]);
	if (oo || eo)
		kill(pid, SIGKILL);
	waitpid(pid, &wst, 0);
	R.status = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst);
	if (getenv("PVCTL_IT_VERBOSE")) {	/* eyeball the output */
		fprintf(stderr, "$ pvctl");
		for (i = 1; argv[i]; i++)
			fprintf(stderr, " %s", argv[i]);
		fprintf(stderr, "   -> %d\n%s%s", R.status, R.out, R.err);
	}
	return R.status;
}

#define ENV(...) ((char *const[]){ __VA_ARGS__, NULL })
#define ARGS(...) ((char *const[]){ __VA_ARGS__, NULL })
/* pvctl --addr <fake> --token ADMIN ... */
#define PV(...) run_argv(NULL, ARGS("--addr", fx.addr, "--token", ADMIN_TOK, __VA_ARGS__))
/* the same with --json */
#define PVJ(...) run_argv(NULL, ARGS("--json", "--addr", fx.addr, "--token", ADMIN_TOK, \
				     __VA_ARGS__))

static void expect(int status, const char *out_has, const char *err_is)
{
	if (R.status != status)
		fail_msg("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", R.status, status, R.out, R.err);
	if (out_has && !strstr(R.out, out_has))
		fail_msg("stdout lacks '%s':\n%s", out_has, R.out);
	if (err_is && strcmp(R.err, err_is))
		fail_msg("stderr:\n%s\nwant:\n%s", R.err, err_is);
}

/* The line of stdout that contains @needle. */
static const char *line_with(const char *needle, char *buf, size_t len)
{
	const char *p = strstr(R.out, needle), *s, *e;

	if (!p)
		fail_msg("no line with '%s' in:\n%s", needle, R.out);
	for (s = p; s > R.out && s[-1] != '\n'; s--)
		;
	e = strchr(p, '\n');
	snprintf(buf, len, "%.*s", e ? (int)(e - s) : (int)strlen(s), s);
	return buf;
}

static void expect_json_stdout(const char *fixture_json)
{
	json_t *got = json_loads(R.out, 0, NULL), *want = jq(fixture_json);

	if (!got || !json_equal(got, want))
		fail_msg("--json output differs:\n%s", R.out);
	json_decref(got);
	json_decref(want);
}

static void expect_body(const char *want_json)
{
	json_t *want = jq(want_json);

	pthread_mutex_lock(&fake.lock);
	if (!json_equal(fake.body, want)) {
		char *got = fake.body ? json_dumps(fake.body, JSON_COMPACT) : NULL;

		pthread_mutex_unlock(&fake.lock);
		fail_msg("server got %s, want %s", got ? got : "(none)", want_json);
	}
	pthread_mutex_unlock(&fake.lock);
	json_decref(want);
}

static unsigned int requests(void)
{
	unsigned int n;

	pthread_mutex_lock(&fake.lock);
	n = fake.requests;
	pthread_mutex_unlock(&fake.lock);
	return n;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	struct api_server_config cfg = { .nlisten = 2 };
	char err[AUTH_ERR_MAX], exe[PATH_MAX], *slash;
	ssize_t n;
	int i;

	(void)state;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	for (i = 0; i < 3; i++) {		/* build/tests/integration/test_pvctl -> build */
		slash = strrchr(exe, '/');
		if (!slash)
			return -1;
		*slash = '\0';
	}
	if (getenv("PVCTL_BIN"))
		snprintf(fx.bin, sizeof(fx.bin), "%s", getenv("PVCTL_BIN"));
	else if (strlen(exe) + sizeof("/pvctl") <= sizeof(fx.bin))
		snprintf(fx.bin, sizeof(fx.bin), "%.*s/pvctl", (int)(sizeof(fx.bin) - 8), exe);
	if (access(fx.bin, X_OK)) {
		fprintf(stderr, "test_pvctl: %s is not built\n", fx.bin);
		return -1;
	}
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/pvctl-it-%d", (int)getpid());
	if (mkdir(fx.dir, 0700))
		return -1;
	snprintf(fx.sock, sizeof(fx.sock), "%s/api.sock", fx.dir);
	snprintf(fx.unix_addr, sizeof(fx.unix_addr), "unix:%s", fx.sock);
	if (auth_parse(&fx.auth, ADMIN_TOK " admin\n" READ_TOK " read\n", err))
		return -1;
	cfg.listen[0] = "127.0.0.1:0";
	cfg.listen[1] = fx.unix_addr;
	cfg.auth = &fx.auth;
	if (api_server_start(&fx.srv, &cfg, routes, sizeof(routes) / sizeof(routes[0]), NULL))
		return -1;
	snprintf(fx.addr, sizeof(fx.addr), "127.0.0.1:%u", (unsigned int)api_server_port(fx.srv, 0));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	api_server_stop(fx.srv);
	json_decref(fake.body);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx.dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---------------------------------------------------------------- tests */

static void test_usage(void **state)
{
	(void)state;
	run_argv(NULL, ARGS("--help"));
	expect(0, "vm create -f FILE.json", "");
	run_argv(NULL, ARGS("--version"));
	expect(0, "pvctl 1.0.0", "");
	run_argv(NULL, ARGS(NULL));
	expect(64, NULL, "pvctl: missing command\nusage: pvctl [global options] COMMAND ...  "
	       "(pvctl --help)\n");
	run_argv(NULL, ARGS("frobnicate"));
	expect(64, NULL, NULL);
	assert_non_null(strstr(R.err, "pvctl: unknown command 'frobnicate'\nusage: "));
	PV("vm");
	expect(64, NULL, NULL);
	assert_non_null(strstr(R.err, "usage: pvctl vm list"));
	PV("vm", "show");
	expect(64, NULL, "pvctl: missing VM name\nusage: pvctl vm show NAME\n");
	PV("vm", "show", "Bad/Name");
	expect(64, NULL, "pvctl: invalid VM name 'Bad/Name': use 1-31 characters from a-z, 0-9, "
	       "'_' and '-'\nusage: pvctl vm show NAME\n");
	run_argv(NULL, ARGS("--addr", "host:99999", "vm", "list"));
	expect(64, NULL, NULL);
	assert_non_null(strstr(R.err, "pvctl: --addr: 'host:99999': the port must be a number"));
	run_argv(NULL, ARGS("--timeout", "5", "vm", "list"));
	expect(64, NULL, NULL);
	assert_non_null(strstr(R.err, "--timeout: '5' needs a unit"));
}

static void test_health(void **state)
{
	(void)state;
	run_argv(NULL, ARGS("--addr", fx.addr, "health"));	/* public: no token needed */
	expect(0, "alive:  ok\nready:  yes\n", "");
	fake.not_ready = true;
	run_argv(NULL, ARGS("--addr", fx.addr, "health"));
	expect(1, "ready:  no (policy loop not ticking; backend closed)\n", "");
	run_argv(NULL, ARGS("--addr", fx.addr, "--json", "health"));
	expect(1, "\"ready\": false", "");
	fake.not_ready = false;
}

static void test_vm_list(void **state)
{
	char l[256];

	(void)state;
	PV("vm", "list");
	expect(0, NULL, "");
	assert_string_equal(line_with("NAME", l, sizeof(l)),
			    "NAME  STATE    QOS          VCPUS   PID  CPU (%)  POWER (W)  ENERGY (J)"
			    "  RT MISSES  RESTARTS  END REASON");
	assert_string_equal(line_with("rt0", l, sizeof(l)),
			    "rt0   running  realtime         2  4242     37.5       3.25       120.5"
			    "          2         0");
	assert_string_equal(line_with("old", l, sizeof(l)),
			    "old   failed   best-effort      1     -        -          -           -"
			    "          -         3  kvm internal error");
	PVJ("vm", "list");
	expect(0, "{\n  \"vms\": [\n    {\n      \"name\": \"rt0\",", "");
	expect_json_stdout(vms_json);
}

static void test_vm_show(void **state)
{
	char l[256];

	(void)state;
	PV("vm", "show", "rt0");
	expect(0, NULL, "");
	assert_string_equal(line_with("name:", l, sizeof(l)), "name:          rt0");
	assert_non_null(strstr(R.out, "real-time:     1000 activations, 998 completions, 2 misses"));
	assert_non_null(strstr(R.out, "qos state:     class realtime, admitted yes, backend "
			       "deadline, cpus 2,3"));
	assert_string_equal(line_with("VCPU", l, sizeof(l)),
			    "VCPU   TID  PCPU  STATE    GUEST (ms)  VMM (ms)  HALT (ms)  EXITS  "
			    "MIGRATIONS  BOOSTED");
	assert_string_equal(line_with("4243", l, sizeof(l)),
			    "   0  4243     2  running      1500.0      20.0      300.0  12000  "
			    "         1  yes");
	PVJ("vm", "show", "rt0");
	expect(0, NULL, "");
	expect_json_stdout(vm_rt0_json);
	PV("vm", "show", "missing");
	expect(1, "", "pvctl: not_found: no VM named missing\n");
}

static void test_vm_create(void **state)
{
	char spec[128];
	unsigned int before;

	(void)state;
	PV("vm", "create", "--name", "rt1", "--vcpus", "2", "--memory-mib", "128", "--workload",
	   "rt:period_us=1000,wcet_us=200;cpu", "--qos", "realtime", "--runtime-us", "200",
	   "--period-us", "1000");
	expect(0, "created VM rt1 (state starting)\n", "");
	assert_string_equal(fake.method, "POST");
	assert_string_equal(fake.path, "/api/v1/vms");
	expect_body("{'name':'rt1','vcpus':2,'memory_mib':128,'workload':"
		    "'rt:period_us=1000,wcet_us=200;cpu','qos':'realtime','reservation':"
		    "{'runtime_us':200,'period_us':1000}}");

	snprintf(spec, sizeof(spec), "%s/spec.json", fx.dir);
	write_text(spec, "{\"name\":\"web2\",\"vcpus\":1,\"halt_mode\":\"poll\"}\n");
	PVJ("vm", "create", "-f", spec);
	expect(0, "\"state\": \"starting\"", "");
	expect_body("{'name':'web2','vcpus':1,'halt_mode':'poll'}");

	PV("vm", "create", "--name", "taken");
	expect(1, "", "pvctl: conflict: a VM named taken exists (field name)\n");

	before = requests();
	PV("vm", "create", "--name", "x", "--vcpus", "0");
	expect(64, "", NULL);
	assert_non_null(strstr(R.err, "pvctl: --vcpus: 0 is out of range (1..16)\nusage: pvctl vm "
			       "create"));
	PV("vm", "create", "--name", "x", "--qos", "gold");
	expect(64, "", NULL);
	assert_non_null(strstr(R.err, "--qos: 'gold' is not one of: best-effort"));
	write_text(spec, "{\"name\": \"x\",\n \"vcpus\": }\n");
	PV("vm", "create", "-f", spec);
	expect(64, "", NULL);
	assert_non_null(strstr(R.err, "line 2"));
	assert_int_equal(requests(), before);	/* nothing invalid reached the server */
}

static void test_vm_actions(void **state)
{
	(void)state;
	PV("vm", "pause", "rt0");
	expect(0, "paused VM rt0\n", "");
	assert_string_equal(fake.path, "/api/v1/vms/rt0/pause");
	PV("vm", "resume", "rt0");
	expect(0, "resumed VM rt0\n", "");
	PV("vm", "delete", "web");
	expect(0, "deleted VM web\n", "");
	assert_string_equal(fake.method, "DELETE");
	PV("vm", "pause", "web");
	expect(1, "", "pvctl: wrong_state: VM web is already paused\n");
	PV("vm", "delete", "ghost");
	expect(1, "", "pvctl: not_found: no VM named ghost\n");
	PVJ("vm", "delete", "rt0");
	expect(0, "", "");
	assert_string_equal(R.out, "");		/* 204: nothing to print */
}

static void test_power(void **state)
{
	char l[256];

	(void)state;
	PV("power", "get");
	expect(0, "governor:  ondemand (available: performance,powersave,ondemand,transition)\n"
	       "backend:   model\n", "");
	assert_string_equal(line_with("TUNABLE", l, sizeof(l)),
			    "TUNABLE           VALUE  MIN   MAX  DEFAULT");
	assert_string_equal(line_with("up_threshold", l, sizeof(l)),
			    "up_threshold_pct     80    1   100       80");
	PVJ("power", "get");
	expect_json_stdout(power_json);
	PV("power", "set-governor", "powersave");
	expect(0, "governor:  powersave", "");
	assert_string_equal(fake.method, "PUT");
	expect_body("{'governor':'powersave'}");
	PV("power", "set", "up_threshold_pct=90", "sampling_ms=20");
	expect(0, "governor:  ondemand", "");
	expect_body("{'tunables':{'up_threshold_pct':90,'sampling_ms':20}}");
	PV("power", "set", "bogus=1");
	expect(1, "", "pvctl: invalid_field: the governor has no tunable bogus (field "
	       "tunables.bogus)\n");
	PV("power", "set-governor", "turbo");
	expect(64, "", NULL);
	assert_non_null(strstr(R.err, "governor: 'turbo' is not one of: performance, powersave"));
	PV("power", "set", "up_threshold_pct=high");
	expect(64, "", NULL);
	assert_non_null(strstr(R.err, "up_threshold_pct: 'high' is not an integer"));
}

static void test_qos(void **state)
{
	(void)state;
	PV("qos", "get", "rt0");
	expect(0, "vm:              rt0\nclass:           realtime\nlatency budget:  100 µs\n"
	       "reservation:     200 µs every 1000 µs (deadline 0 µs)\n", "");
	assert_non_null(strstr(R.out, "dedicated cpus:  2,3\n"));
	assert_non_null(strstr(R.out, "apply latency:   850.5 µs\n"));
	assert_string_equal(fake.path, "/api/v1/vms/rt0/qos");
	PV("qos", "set", "rt0", "--class", "realtime", "--latency-budget-us", "100", "--runtime-us",
	   "200", "--period-us", "1000");
	expect(0, "admitted:        yes", "");
	expect_body("{'class':'realtime','latency_budget_us':100,'reservation':"
		    "{'runtime_us':200,'period_us':1000}}");
	PV("qos", "set", "rt0", "--class", "realtime", "--runtime-us", "900", "--period-us", "1000",
	   "--deadline-us", "1000");
	expect(1, "", "pvctl: admission_rejected: utilisation would reach 1.05 of 0.95 on cpu 2 "
	       "(field reservation.runtime_us)\n");
	PV("qos", "clear", "rt0");
	expect(0, "QoS of VM rt0 cleared (now best-effort)\n", "");
	assert_string_equal(fake.method, "DELETE");
	PVJ("qos", "get", "rt0");
	expect_json_stdout(qos_json);
	PV("qos", "set", "rt0", "--class", "realtime", "--runtime-us", "200");
	expect(64, "", NULL);
	assert_non_null(strstr(R.err, "a reservation needs both --runtime-us and --period-us"));
	PV("qos", "get", "nope");
	expect(1, "", "pvctl: not_found: no VM named nope\n");
}

static void test_trace_export(void **state)
{
	char path[128], msg[256], *text;
	size_t len;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/trace.json", fx.dir);
	PV("trace", "export", "-o", path, "--window", "500ms");
	snprintf(msg, sizeof(msg), "wrote 2 events (%zu bytes, last 0.5 s) to %s\n",
		 strlen(perfetto_json), path);
	expect(0, msg, "");
	assert_non_null(strstr(R.out, "https://ui.perfetto.dev"));
	assert_string_equal(fake.path, "/api/v1/trace/perfetto");
	assert_string_equal(fake.window, "0.500");
	f = fopen(path, "r");
	assert_non_null(f);
	text = calloc(1, 65536);
	len = fread(text, 1, 65535, f);
	fclose(f);
	assert_int_equal(len, strlen(perfetto_json));
	assert_string_equal(text, perfetto_json);	/* the server's bytes, untouched */
	free(text);

	PV("trace", "export", "-o", path);		/* default window */
	expect(0, "last 5 s", "");
	assert_string_equal(fake.window, "5.000");
	PV("trace", "export", "--window", "2m", "-o", path);
	expect(64, "", NULL);
	assert_non_null(strstr(R.err, "--window: 2m is out of range (10ms..60s)"));
	PV("trace", "export", "--window", "5s");
	expect(64, "", NULL);
	assert_non_null(strstr(R.err, "-o FILE is required"));
	PV("trace", "export", "-o", "/nonexistent-dir/t.json");
	expect(1, "", NULL);
	assert_non_null(strstr(R.err, "pvctl: cannot write /nonexistent-dir/t.json"));
}

static void test_trace_tail(void **state)
{
	char l[256];
	json_t *j;

	(void)state;
	PV("trace", "tail", "--iterations", "2", "--interval", "10ms");
	expect(0, NULL, "");
	assert_string_equal(line_with("SEQ", l, sizeof(l)),
			    "       SEQ         TIME (s)  VM           VCPU  TYPE           DETAIL");
	assert_string_equal(line_with("hlt", l, sizeof(l)),
			    "         0         1.000000  rt0             0  vm_exit        reason=hlt");
	assert_string_equal(line_with("rt_miss", l, sizeof(l)),
			    "         2         1.002000  web             1  rt_miss        "
			    "lateness_ns=1500 task=ctl");
	assert_string_equal(fake.since, "3");		/* the second poll used `next` */
	assert_string_equal(fake.limit, "1000");
	PVJ("trace", "tail", "--iterations", "1", "--vm", "rt0", "--since", "0");
	expect(0, NULL, "");
	assert_string_equal(fake.vm, "rt0");
	j = json_loads(R.out, JSON_DISABLE_EOF_CHECK, NULL);	/* first NDJSON line */
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "type")), "vm_exit");
	json_decref(j);
	PV("trace", "tail", "--vm", "Bad!");
	expect(64, "", NULL);
}

static void test_node_metrics(void **state)
{
	char l[256];

	(void)state;
	PV("node");
	expect(0, "host:      node1 (powervisord 1.0.0, up 3600 s)\n"
	       "policy:    governor ondemand, backend model, tick 10 ms\n"
	       "power:     45.20 W, 162720.5 J since start (idle 1000.0 J, overhead 50.0 J; "
	       "source model)\np-states:  800, 1600, 2400 MHz\n", "");
	assert_string_equal(line_with("FREQ (MHz)", l, sizeof(l)),
			    "CPU  FREQ (MHz)  UTIL (%)  GUEST (%)  VMM (%)  HALT (%)  IDLE (%)  "
			    "C-LIMIT  C-STATE (%)  FLOOR (MHz)  LAT BUDGET (µs)");
	assert_string_equal(line_with("  0        2400", l, sizeof(l)),
			    "  0        2400      87.5       80.0      7.5       0.0      12.5  "
			    "C1       C1 12%              1600               50");
	PVJ("node");
	expect_json_stdout(node_json);
	PV("metrics");
	expect(0, NULL, "");
	assert_string_equal(R.out, metrics_text);
}

static void test_top(void **state)
{
	const char *second;

	(void)state;
	PV("top", "--iterations", "2");
	expect(0, "pvctl top — node1", "");
	second = strstr(strstr(R.out, "pvctl top —") + 1, "pvctl top —");
	assert_non_null(second);			/* two frames */
	assert_null(strstr(second + 1, "pvctl top —"));	/* and only two */
	assert_null(strchr(R.out, '\033'));		/* not a terminal: no escapes */
	assert_non_null(strstr(R.out, "governor ondemand (model)  node 45.20 W"));
	assert_non_null(strstr(second, "rt0  running  realtime"));
	assert_non_null(strstr(second, "CPU  FREQ (MHz)"));
	PVJ("top", "--iterations", "1");
	expect(0, "\"node\": {", "");
	PV("top", "--iterations", "x");
	expect(64, "", NULL);
}

static void test_tokens(void **state)
{
	char tokfile[128], conf[128], conf_line[512], env_tok[64], env_addr[96], env_conf[160];

	(void)state;
	/* no token: 401 from the server, reported with its code */
	run_argv(NULL, ARGS("--addr", fx.addr, "vm", "list"));
	expect(1, "", "pvctl: unauthorized: a bearer token is required\n");
	run_argv(NULL, ARGS("--addr", fx.addr, "--token", "wrong-token-0123456789", "vm", "list"));
	expect(1, "", "pvctl: unauthorized: the token is not valid\n");
	/* read-only token: reads work, mutations are 403 */
	run_argv(NULL, ARGS("--addr", fx.addr, "--token", READ_TOK, "vm", "list"));
	expect(0, "rt0", "");
	run_argv(NULL, ARGS("--addr", fx.addr, "--token", READ_TOK, "vm", "delete", "rt0"));
	expect(1, "", "pvctl: forbidden: this operation needs the admin scope\n");
	/* token from the environment */
	snprintf(env_tok, sizeof(env_tok), "PVCTL_TOKEN=%s", ADMIN_TOK);
	snprintf(env_addr, sizeof(env_addr), "PVCTL_ADDR=%s", fx.addr);
	run_argv(ENV(env_tok, env_addr), ARGS("vm", "pause", "rt0"));
	expect(0, "paused VM rt0", "");
	/* --token-file, and flags over the environment */
	snprintf(tokfile, sizeof(tokfile), "%s/admin.tok", fx.dir);
	write_text(tokfile, "# pvctl token\n" ADMIN_TOK "\n");
	run_argv(ENV("PVCTL_TOKEN=" READ_TOK, "PVCTL_ADDR=127.0.0.1:1"),
		 ARGS("--addr", fx.addr, "--token-file", tokfile, "vm", "delete", "rt0"));
	expect(0, "deleted VM rt0", "");
	/* config file: addr and token_file (relative to the config's directory) */
	snprintf(conf, sizeof(conf), "%s/pvctl.conf", fx.dir);
	snprintf(conf_line, sizeof(conf_line), "# test\naddr = %s\ntoken_file = admin.tok\n",
		 fx.addr);
	write_text(conf, conf_line);
	snprintf(env_conf, sizeof(env_conf), "PVCTL_CONFIG=%s", conf);
	run_argv(ENV(env_conf), ARGS("vm", "resume", "rt0"));
	expect(0, "resumed VM rt0", "");
	/* the environment beats the config file: a read token now gets 403 */
	run_argv(ENV(env_conf, "PVCTL_TOKEN=" READ_TOK), ARGS("vm", "resume", "rt0"));
	expect(1, "", "pvctl: forbidden: this operation needs the admin scope\n");
	/* a broken config or token file is a configuration error (78) */
	write_text(conf, "addr: 1.2.3.4\n");
	run_argv(ENV(env_conf), ARGS("vm", "list"));
	expect(78, "", NULL);
	assert_non_null(strstr(R.err, "line 1: expected 'key = value'"));
	run_argv(NULL, ARGS("--addr", fx.addr, "--token-file", "/nonexistent.tok", "vm", "list"));
	expect(78, "", "pvctl: token file /nonexistent.tok: No such file or directory\n");
	run_argv(ENV("PVCTL_CONFIG=/nonexistent/pvctl.conf"), ARGS("vm", "list"));
	expect(78, "", NULL);
}

static void *silent_or_garbage(void *arg)
{
	int lfd = *(int *)arg, fd = accept(lfd, NULL, NULL);
	char buf[1024];

	if (fd < 0)
		return NULL;
	if (recv(fd, buf, sizeof(buf), 0) > 0 && ((int *)arg)[1])
		send(fd, "SSH-2.0-OpenSSH_9.2\r\n", 21, MSG_NOSIGNAL);
	else
		usleep(600000);
	close(fd);
	return NULL;
}

static void test_connection_errors(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t slen = sizeof(sin);
	char addr[64], msg[256];
	int args[2], fd;
	pthread_t th;

	(void)state;
	/* a port nobody listens on */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	close(fd);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", (unsigned int)ntohs(sin.sin_port));
	run_argv(NULL, ARGS("--addr", addr, "vm", "list"));
	snprintf(msg, sizeof(msg), "pvctl: cannot connect to %s: Connection refused — is "
		 "powervisord running?\n", addr);
	expect(2, "", msg);
	run_argv(NULL, ARGS("--addr", "unix:/nonexistent/pv.sock", "health"));
	expect(2, "", "pvctl: cannot connect to unix:/nonexistent/pv.sock: No such file or "
	       "directory — is powervisord running?\n");

	/* the Unix socket listener works like TCP */
	run_argv(NULL, ARGS("--addr", fx.unix_addr, "--token", ADMIN_TOK, "vm", "list"));
	expect(0, "rt0", "");

	/* a server that speaks something else, and one that never answers */
	for (args[1] = 1; args[1] >= 0; args[1]--) {
		sin.sin_port = 0;
		args[0] = socket(AF_INET, SOCK_STREAM, 0);
		assert_int_equal(bind(args[0], (struct sockaddr *)&sin, sizeof(sin)), 0);
		assert_int_equal(listen(args[0], 2), 0);
		slen = sizeof(sin);
		assert_int_equal(getsockname(args[0], (struct sockaddr *)&sin, &slen), 0);
		snprintf(addr, sizeof(addr), "127.0.0.1:%u", (unsigned int)ntohs(sin.sin_port));
		assert_int_equal(pthread_create(&th, NULL, silent_or_garbage, args), 0);
		run_argv(NULL, ARGS("--addr", addr, "--timeout", "200ms", "vm", "list"));
		pthread_join(th, NULL);
		close(args[0]);
		if (args[1])
			snprintf(msg, sizeof(msg), "pvctl: %s sent an invalid HTTP response "
				 "(malformed or truncated)\n", addr);
		else
			snprintf(msg, sizeof(msg), "pvctl: %s did not answer within 200 ms\n", addr);
		expect(2, "", msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_vm_list),
		cmocka_unit_test(test_vm_show),
		cmocka_unit_test(test_vm_create),
		cmocka_unit_test(test_vm_actions),
		cmocka_unit_test(test_power),
		cmocka_unit_test(test_qos),
		cmocka_unit_test(test_trace_export),
		cmocka_unit_test(test_trace_tail),
		cmocka_unit_test(test_node_metrics),
		cmocka_unit_test(test_top),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_connection_errors),
	};

	return cmocka_run_group_tests_name("pvctl", tests, setup, teardown);
}
