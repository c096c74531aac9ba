// SPDX-License-Identifier: GPL-2.0-only
/* A fake powervisord for pvctl's end-to-end tests (see pvctl_fake.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/pvctl_fake.h"

json_t *pvfake_jq(const char *s)
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

const char pvfake_node_json[] =
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

const char pvfake_vms_json[] =
	"{'vms':[{'name':'rt0','state':'running','qos':'realtime','vcpus':2,'pid':4242,"
	"'restarts':0,'cpu_pct':37.5,'power_w':3.25,'energy_j':120.5,'rt_misses':2},"
	"{'name':'web','state':'paused','qos':'best-effort','vcpus':1,'pid':4300,'restarts':1,"
	"'cpu_pct':0.0,'power_w':0.1,'energy_j':7.25,'rt_misses':0},"
	"{'name':'old','state':'failed','qos':'best-effort','vcpus':1,'restarts':3,"
	"'end_reason':'kvm internal error'}]}";

const char pvfake_vm_rt0_json[] =
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

const char pvfake_power_json[] =
	"{'governor':'ondemand','governors':['performance','powersave','ondemand','transition'],"
	"'backend':'model','tunables':[{'name':'up_threshold_pct','value':80,'min':1,'max':100,"
	"'default':80},{'name':'sampling_ms','value':10,'min':1,'max':1000,'default':10}]}";

const char pvfake_qos_json[] =
	"{'class':'realtime','latency_budget_us':100,'reservation':{'runtime_us':200,"
	"'period_us':1000,'deadline_us':0},'backend':'deadline','admitted':true,"
	"'reason':'admitted: utilisation 0.20 of 0.95','boosted_vcpus':[0],'cpus':[2,3],"
	"'apply_latency_us':850.5}";

const char pvfake_trace_json[] =
	"{'events':[{'seq':0,'t_ns':1000000000,'vm':'rt0','vcpu':0,'type':'vm_exit',"
	"'detail':{'reason':'hlt'}},{'seq':1,'t_ns':1000500000,'vm':'rt0','vcpu':0,"
	"'type':'vm_entry','detail':{}},{'seq':2,'t_ns':1002000000,'vm':'web','vcpu':1,"
	"'type':'rt_miss','detail':{'lateness_ns':1500,'task':'ctl'}}],'next':3,'dropped':0}";

const char pvfake_perfetto_json[] =
	"{\"traceEvents\":[{\"name\":\"guest\",\"ph\":\"X\",\"ts\":1000.0,\"dur\":500.0,\"pid\":1,"
	"\"tid\":0},{\"name\":\"hlt\",\"ph\":\"i\",\"ts\":1500.0,\"pid\":1,\"tid\":0}],"
	"\"displayTimeUnit\":\"ns\"}";

const char pvfake_metrics_text[] =
	"# HELP powervisor_node_power_watts node power over the last tick\n"
	"# TYPE powervisor_node_power_watts gauge\n"
	"powervisor_node_power_watts{source=\"model\"} 45.2\n";

struct pvfake pvfake = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void fake_record(const struct api_req *req)
{
	const char *q;

	pthread_mutex_lock(&pvfake.lock);
	pvfake.requests++;
	snprintf(pvfake.method, sizeof(pvfake.method), "%s", api_method_name(req->method));
	snprintf(pvfake.path, sizeof(pvfake.path), "%s", req->path);
	json_decref(pvfake.body);
	pvfake.body = req->body ? json_deep_copy(req->body) : NULL;
#define QCOPY(field, key) do { q = req->query ? req->query(req->conn, key) : NULL; \
	snprintf(pvfake.field, sizeof(pvfake.field), "%s", q ? q : ""); } while (0)
	QCOPY(since, "since");
	QCOPY(vm, "vm");
	QCOPY(window, "window_s");
	QCOPY(limit, "limit");
	pthread_mutex_unlock(&pvfake.lock);
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
	return api_json(resp, 200, pvfake_jq("{'status':'ok'}"));
}

static int h_ready(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	(void)ctx;
	fake_record(req);
	if (pvfake.not_ready)
		return api_json(resp, 503, pvfake_jq("{'ready':false,'reasons':['policy loop "
						     "not ticking','backend closed']}"));
	return api_json(resp, 200, pvfake_jq("{'ready':true}"));
}

static int h_node(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	(void)ctx;
	fake_record(req);
	return api_json(resp, 200, pvfake_jq(pvfake_node_json));
}

static int h_vms(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	(void)ctx;
	fake_record(req);
	return api_json(resp, 200, pvfake_jq(pvfake_vms_json));
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
	return api_json(resp, 200, pvfake_jq(pvfake_vm_rt0_json));
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
		return api_json(resp, 200, pvfake_jq("{'class':'best-effort','admitted':true,"
						     "'backend':'none'}"));
	if (json_integer_value(json_object_get(r, "runtime_us")) > 500)
		return api_error(resp, 409, "admission_rejected", "reservation.runtime_us",
				 "utilisation would reach 1.05 of 0.95 on cpu 2");
	return api_json(resp, 200, pvfake_jq(pvfake_qos_json));
}

static int h_power(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	json_t *p = pvfake_jq(pvfake_power_json), *g = json_object_get(req->body, "governor");

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
	return api_json(resp, 200, pvfake_jq(pvfake_trace_json));
}

static int h_perfetto(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	(void)ctx;
	fake_record(req);
	return api_json(resp, 200, json_loads(pvfake_perfetto_json, 0, NULL));
}

static int h_metrics(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	(void)ctx;
	fake_record(req);
	resp->status = 200;
	resp->text = strdup(pvfake_metrics_text);
	resp->text_len = strlen(pvfake_metrics_text);
	resp->content_type = "text/plain; version=0.0.4";
	return 0;
}

static const struct api_route fake_routes[] = {
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

int pvfake_start(const char *dir)
{
	struct api_server_config cfg = { .nlisten = 2 };
	char err[AUTH_ERR_MAX];

	snprintf(pvfake.sock, sizeof(pvfake.sock), "%s/api.sock", dir);
	snprintf(pvfake.unix_addr, sizeof(pvfake.unix_addr), "unix:%s", pvfake.sock);
	if (auth_parse(&pvfake.auth, PVFAKE_ADMIN_TOK " admin\n" PVFAKE_READ_TOK " read\n", err))
		return -1;
	cfg.listen[0] = "127.0.0.1:0";
	cfg.listen[1] = pvfake.unix_addr;
	cfg.auth = &pvfake.auth;
	if (api_server_start(&pvfake.srv, &cfg, fake_routes,
			     sizeof(fake_routes) / sizeof(fake_routes[0]), NULL))
		return -1;
	snprintf(pvfake.addr, sizeof(pvfake.addr), "127.0.0.1:%u",
		 (unsigned int)api_server_port(pvfake.srv, 0));
	return 0;
}

void pvfake_stop(void)
{
	api_server_stop(pvfake.srv);
	json_decref(pvfake.body);
}

unsigned int pvfake_requests(void)
{
	unsigned int n;

	pthread_mutex_lock(&pvfake.lock);
	n = pvfake.requests;
	pthread_mutex_unlock(&pvfake.lock);
	return n;
}

const char *pvfake_body_differs(const char *want_json)
{
	static char why[4096];
	json_t *want = pvfake_jq(want_json);
	char *got = NULL;
	bool same;

	pthread_mutex_lock(&pvfake.lock);
	same = json_equal(pvfake.body, want);
	if (!same && pvfake.body)
		got = json_dumps(pvfake.body, JSON_COMPACT);
	pthread_mutex_unlock(&pvfake.lock);
	json_decref(want);
	if (same)
		return NULL;
	snprintf(why, sizeof(why), "server got %s, want %s", got ? got : "(none)", want_json);
	free(got);
	return why;
}
