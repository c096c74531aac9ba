// SPDX-License-Identifier: GPL-2.0-only
/*
 * The REST API of the real powervisord on the real /dev/kvm, over real HTTP: a daemon with
 * two small pvguest VMs and a token file; every route of api/openapi.yaml is exercised —
 * reads, a VM created and seen running, paused and resumed, a QoS change with its measured
 * latency, a governor switch, the trace cursor, a Perfetto export that parses, the VM
 * deleted — and `promtool check metrics` runs on a live scrape.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "tests/common/apid.h"
#include "tests/common/daemon_run.h"

static struct apid d;
static unsigned int routes_hit;		/* bit per route of the table below */

static const char cfg[] =
	"{ \"node\": { \"tick_ms\": 10, \"backend\": \"model\", \"governor\": \"transition\",\n"
	"            \"groups\": [ { \"name\": \"g1\", \"runtime_us\": 500, \"period_us\": 1000 } ] },\n"
	"  \"vms\": [\n"
	"    { \"name\": \"idle1\", \"workload\": \"idle\", \"memory_mib\": 16 },\n"
	"    { \"name\": \"rt1\", \"workload\": \"rt:period_us=1000,wcet_us=100\", \"memory_mib\": 16 }\n"
	"  ] }\n";

/* The operations of the spec, to check at the end that each one was called. */
static const char *const routes[] = {
	"GET /healthz", "GET /readyz", "GET /api/v1/node", "GET /api/v1/vms", "POST /api/v1/vms",
	"GET /api/v1/vms/{name}", "DELETE /api/v1/vms/{name}", "POST /api/v1/vms/{name}/pause",
	"POST /api/v1/vms/{name}/resume", "GET /api/v1/vms/{name}/vcpus",
	"GET /api/v1/vms/{name}/exits", "GET /api/v1/vms/{name}/energy",
	"GET /api/v1/vms/{name}/qos", "PUT /api/v1/vms/{name}/qos", "DELETE /api/v1/vms/{name}/qos",
	"GET /api/v1/power", "PUT /api/v1/power", "GET /api/v1/devices", "GET /api/v1/trace",
	"GET /api/v1/trace/perfetto", "GET /metrics", "GET /", "GET /assets/{file}",
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static void hit(const char *route)
{
	unsigned int i;

	for (i = 0; i < NROUTES; i++)
		if (!strcmp(routes[i], route))
			routes_hit |= 1u << i;
}

/* @method @path with the admin token; status checked; JSON body returned (or NULL). */
static json_t *call(const char *route, const char *method, const char *path, const char *body,
		    int want)
{
	struct http_result r;
	json_t *j;

	if (apid_req(&d, method, path, body, &r))
		fail_msg("%s %s: no answer", method, path);
	if (r.status != want)
		fail_msg("%s %s: %d, want %d: %s", method, path, r.status, want, r.body);
	hit(route);
	j = r.body_len ? json_loads(r.body, 0, NULL) : NULL;
	http_result_free(&r);
	return j;
}

/* Poll until rt1 has been attributed some energy (a tick or two after it runs), up to @ms. */
static bool wait_energy(unsigned int ms)
{
	uint64_t end = dr_now_ms() + ms;
	double j = 0;

	do {
		json_t *e = apid_get(&d, "/api/v1/vms/rt1/energy", NULL);

		j = json_real_value(json_object_get(e, "energy_j"));
		json_decref(e);
	} while (j <= 0 && dr_now_ms() < end && !usleep(20000));
	return j > 0;
}

static int setup(void **state)
{
	(void)state;
	if (apid_start(&d, cfg, true, NULL, 15000))
		return -1;
	/* both VMs up and accounted before the tests look */
	if (apid_wait_running(&d, (const char *const[]){ "idle1", "rt1", NULL }, 20000))
		return -1;
	if (!wait_energy(5000)) {
		apid_dump(&d);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	apid_stop(&d);
	return 0;
}

static void test_auth_and_public(void **state)
{
	static const struct {
		const char *method, *path, *token;
		int status;
	} cases[] = {
		{ "GET", "/healthz", NULL, 200 },
		{ "GET", "/readyz", NULL, 200 },
		{ "GET", "/", NULL, 200 },
		{ "GET", "/assets/app.js", NULL, 200 },
		{ "GET", "/assets/nope.js", NULL, 404 },
		{ "GET", "/api/v1/vms", NULL, 401 },
		{ "GET", "/api/v1/vms", "wrong-token-0123456789", 401 },
		{ "GET", "/api/v1/vms", APID_READ_TOKEN, 200 },
		{ "GET", "/metrics", NULL, 401 },
		{ "POST", "/api/v1/vms/idle1/pause", APID_READ_TOKEN, 403 },
		{ "PUT", "/api/v1/power", APID_READ_TOKEN, 403 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_result r;

		assert_int_equal(http_request(d.port, NULL, cases[i].method, cases[i].path,
					      cases[i].token, NULL, 0, 5000, &r), 0);
		if (r.status != cases[i].status)
			fail_msg("%s %s: %d, want %d", cases[i].method, cases[i].path, r.status,
				 cases[i].status);
		if (r.status == 200 && !strcmp(cases[i].path, "/"))
			assert_non_null(strstr(r.content_type, "text/html"));
		http_result_free(&r);
	}
	hit("GET /healthz");
	hit("GET /readyz");
	hit("GET /");
	hit("GET /assets/{file}");
}

static void test_reads(void **state)
{
	json_t *j, *v;
	size_t i;

	(void)state;
	j = call("GET /api/v1/node", "GET", "/api/v1/node", NULL, 200);
	assert_string_equal(json_string_value(json_object_get(j, "backend")), "model");
	assert_true(json_array_size(json_object_get(j, "cpus")) >= 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "power"),
							      "source")), "model");
	json_decref(j);
	j = call("GET /api/v1/vms", "GET", "/api/v1/vms", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "vms")), 2);
	json_decref(j);
	j = call("GET /api/v1/vms/{name}", "GET", "/api/v1/vms/rt1", NULL, 200);
	assert_true(json_integer_value(json_object_get(j, "exits_total")) > 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "spec"), "workload")),
			    "rt:period_us=1000,wcet_us=100");
	json_decref(j);
	j = call("GET /api/v1/vms/{name}/vcpus", "GET", "/api/v1/vms/rt1/vcpus", NULL, 200);
	v = json_array_get(json_object_get(j, "vcpus"), 0);
	assert_true(json_integer_value(json_object_get(v, "tid")) > 0);
	assert_string_equal(json_string_value(json_object_get(v, "state")), "running");
	json_decref(j);
	j = call("GET /api/v1/vms/{name}/exits", "GET", "/api/v1/vms/rt1/exits", NULL, 200);
	assert_true(json_array_size(json_object_get(j, "exits")) >= 1);
	json_array_foreach(json_object_get(j, "exits"), i, v)
		assert_int_equal(json_integer_value(json_object_get(v, "count")),
				 json_integer_value(json_object_get(json_object_get(v, "latency"),
								    "count")));
	json_decref(j);
	j = call("GET /api/v1/vms/{name}/energy", "GET", "/api/v1/vms/rt1/energy", NULL, 200);
	assert_true(json_real_value(json_object_get(j, "energy_j")) > 0);
	json_decref(j);
	j = call("GET /api/v1/vms/{name}/qos", "GET", "/api/v1/vms/idle1/qos", NULL, 200);
	assert_string_equal(json_string_value(json_object_get(j, "class")), "best-effort");
	json_decref(j);
	j = call("GET /api/v1/devices", "GET", "/api/v1/devices", NULL, 200);
	assert_true(json_array_size(json_object_get(j, "devices")) >= 1);
	json_decref(j);
	j = call("GET /api/v1/vms/{name}", "GET", "/api/v1/vms/nope", NULL, 404);
	json_decref(j);
}

/* Malformed, mistyped, unknown and oversized bodies over real HTTP: 400 naming the field, 413. */
static void test_bad_bodies(void **state)
{
	static const struct {
		const char *method, *path, *body;
		int status;
		const char *field;
		const char *says;	/* in the error message, or NULL */
	} cases[] = {
		{ "POST", "/api/v1/vms", "{\"name\":", 400, NULL, NULL },
		{ "POST", "/api/v1/vms", "{\"name\":\"x\",\"memory_mib\":\"lots\"}", 400, "memory_mib", NULL },
		{ "POST", "/api/v1/vms", "{\"name\":\"x\",\"colour\":1}", 400, "colour", NULL },
		/* the node's groups, checked as for the configuration file's VMs */
		{ "POST", "/api/v1/vms", "{\"name\":\"x\",\"qos\":\"realtime\",\"reservation\":"
		  "{\"runtime_us\":100,\"period_us\":1000},\"group\":\"nosuch\"}", 400, "group",
		  "no group \"nosuch\" in node.groups" },
		{ "POST", "/api/v1/vms", "{\"name\":\"x\",\"group\":\"g1\"}", 400, "group",
		  "only applies to qos \"realtime\"" },
		{ "POST", "/api/v1/vms", "{\"name\":\"x\",\"group\":\"G 1\"}", 400, "group", NULL },
		/* the guest's workload grammar, at create time */
		{ "POST", "/api/v1/vms", "{\"name\":\"x\",\"workload\":\"idle;spin\"}", 400, "workload",
		  "unknown workload in 'spin'" },
		{ "POST", "/api/v1/vms", "{\"name\":\"x\",\"workload\":\"rt:period_us=1000\"}", 400,
		  "workload", "missing required key in 'rt:period_us=1000'" },
		{ "PUT", "/api/v1/vms/rt1/qos", "{\"class\":\"realtime\",\"reservation\":{\"period_us\":5}}", 400,
		  "reservation.period_us", NULL },
		{ "PUT", "/api/v1/power", "{\"tunables\":{\"sat_pct\":true}}", 400, "tunables.sat_pct", NULL },
		{ "PUT", "/api/v1/power", NULL, 413, NULL, NULL },	/* body: 70 kB, see below */
	};
	size_t i, big_len = 70 * 1024;
	char *big = malloc(big_len + 1);

	(void)state;
	memset(big, ' ', big_len);
	big[0] = '{';
	big[big_len - 1] = '}';
	big[big_len] = '\0';
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_result r;
		json_t *j, *f;

		assert_int_equal(apid_req(&d, cases[i].method, cases[i].path,
					  cases[i].body ? cases[i].body : big, &r), 0);
		if (r.status != cases[i].status)
			fail_msg("case %zu: %d, want %d: %s", i, r.status, cases[i].status, r.body);
		j = json_loads(r.body, 0, NULL);
		f = json_object_get(json_object_get(j, "error"), "field");
		if (cases[i].field && strcmp(json_string_value(f) ?: "", cases[i].field))
			fail_msg("case %zu: field in %s, want %s", i, r.body, cases[i].field);
		f = json_object_get(json_object_get(j, "error"), "message");
		if (cases[i].says && !strstr(json_string_value(f) ?: "", cases[i].says))
			fail_msg("case %zu: message in %s, want \"%s\"", i, r.body, cases[i].says);
		json_decref(j);
		http_result_free(&r);
	}
	free(big);
}

/* Exits of a VM now (from the API). */
static json_int_t exits_of(const char *name)
{
	char path[96];
	json_t *j;
	json_int_t n;

	snprintf(path, sizeof(path), "/api/v1/vms/%s", name);
	j = apid_get(&d, path, NULL);
	n = json_integer_value(json_object_get(j, "exits_total"));
	json_decref(j);
	return n;
}

/*
 * The @field GET /api/v1/vms lists for @name right now ("" when not listed): the list is
 * cached per snapshot and built off the request, but never older than the client's last
 * change (read-your-writes), so each change below shows at once.
 */
static char *listed(const char *name, const char *field)
{
	json_t *j = apid_get(&d, "/api/v1/vms", NULL), *v;
	char *value = strdup("");
	size_t i;

	json_array_foreach(json_object_get(j, "vms"), i, v)
		if (!strcmp(json_string_value(json_object_get(v, "name")) ?: "", name)) {
			free(value);
			value = strdup(json_string_value(json_object_get(v, field)) ?: "?");
		}
	json_decref(j);
	return value;
}

static void assert_listed(const char *name, const char *field, const char *want)
{
	char *got = listed(name, field);

	if (strcmp(got, want))
		fail_msg("GET /api/v1/vms lists %s's %s as \"%s\", expected \"%s\"", name, field,
			 got, want);
	free(got);
}

static void test_vm_lifecycle(void **state)
{
	char path[PATH_MAX];
	json_int_t e0, e1;
	json_t *j;
	char *vms;

	(void)state;
	j = call("POST /api/v1/vms", "POST", "/api/v1/vms",
		 "{\"name\":\"dyn1\",\"workload\":\"rt:period_us=2000,wcet_us=50\",\"memory_mib\":16}", 201);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "dyn1");
	json_decref(j);
	{
		char *st = listed("dyn1", "state");

		assert_true(st[0]);		/* listed at once, starting or running */
		free(st);
	}
	json_decref(call("POST /api/v1/vms", "POST", "/api/v1/vms",
			 "{\"name\":\"dyn1\",\"workload\":\"idle\"}", 409));
	json_decref(call("POST /api/v1/vms", "POST", "/api/v1/vms",
			 "{\"name\":\"dyn2\",\"vcpus\":0}", 400));
	/* it runs: state, then its exits grow */
	assert_true(apid_wait_str(&d, "/api/v1/vms/dyn1", "state", "running", 10000));
	e0 = exits_of("dyn1");
	usleep(300000);
	assert_true(exits_of("dyn1") > e0);
	snprintf(path, sizeof(path), "%s/vms.json", d.state);
	vms = dr_slurp(path);
	assert_non_null(strstr(vms, "\"dyn1\""));	/* persisted as a dynamic VM */
	free(vms);

	/* pause: state and vCPUs paused, exits stop; resume: they grow again */
	json_decref(call("POST /api/v1/vms/{name}/pause", "POST", "/api/v1/vms/dyn1/pause", NULL, 204));
	assert_listed("dyn1", "state", "paused");
	j = apid_get(&d, "/api/v1/vms/dyn1", NULL);
	assert_string_equal(json_string_value(json_object_get(j, "state")), "paused");
	json_decref(j);
	json_decref(call("POST /api/v1/vms/{name}/pause", "POST", "/api/v1/vms/dyn1/pause", NULL, 409));
	usleep(200000);
	e0 = exits_of("dyn1");
	usleep(300000);
	e1 = exits_of("dyn1");
	assert_true(e1 - e0 <= 2);	/* a paused VM does not run */
	json_decref(call("POST /api/v1/vms/{name}/resume", "POST", "/api/v1/vms/dyn1/resume", NULL, 204));
	assert_true(apid_wait_str(&d, "/api/v1/vms/dyn1", "state", "running", 2000));
	usleep(300000);
	assert_true(exits_of("dyn1") > e1);
	json_decref(call("POST /api/v1/vms/{name}/resume", "POST", "/api/v1/vms/dyn1/resume", NULL, 409));

	/* delete: 204 once down, then gone from the API and from vms.json */
	json_decref(call("DELETE /api/v1/vms/{name}", "DELETE", "/api/v1/vms/dyn1", NULL, 204));
	assert_listed("dyn1", "state", "");
	json_decref(call("GET /api/v1/vms/{name}", "GET", "/api/v1/vms/dyn1", NULL, 404));
	json_decref(call("DELETE /api/v1/vms/{name}", "DELETE", "/api/v1/vms/dyn1", NULL, 404));
	vms = dr_slurp(path);
	assert_null(strstr(vms, "\"dyn1\""));
	free(vms);
}

/*
 * A realtime VM created in one of the node's groups: admitted within the group's supply (its
 * period well above the group's: a 500/1000 us parent can go 1 ms without supplying), and
 * the group shown in its spec.
 */
static void test_vm_group(void **state)
{
	json_t *j;

	(void)state;
	j = call("POST /api/v1/vms", "POST", "/api/v1/vms",
		 "{\"name\":\"grp1\",\"workload\":\"rt:period_us=10000,wcet_us=50\",\"memory_mib\":16,"
		 "\"qos\":\"realtime\",\"reservation\":{\"runtime_us\":200,\"period_us\":10000},"
		 "\"group\":\"g1\"}", 201);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "spec"), "group")),
			    "g1");
	json_decref(j);
	j = call("GET /api/v1/vms/{name}", "GET", "/api/v1/vms/grp1", NULL, 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "spec"), "group")),
			    "g1");
	assert_string_equal(json_string_value(json_object_get(j, "qos")), "realtime");
	json_decref(j);
	json_decref(call("DELETE /api/v1/vms/{name}", "DELETE", "/api/v1/vms/grp1", NULL, 204));
}

static void test_qos_change(void **state)
{
	json_t *j;
	double lat;

	(void)state;
	j = call("PUT /api/v1/vms/{name}/qos", "PUT", "/api/v1/vms/rt1/qos",
		 "{\"class\":\"realtime\",\"reservation\":{\"runtime_us\":300,\"period_us\":1000}}",
		 200);
	assert_string_equal(json_string_value(json_object_get(j, "class")), "realtime");
	assert_true(json_is_true(json_object_get(j, "admitted")));
	lat = json_number_value(json_object_get(j, "apply_latency_us"));
	print_message("QoS change applied in %.1f us (request -> applied)\n", lat);
	assert_true(lat > 0 && lat < 100000);	/* within one 10 ms tick is the goal; bound loosely */
	json_decref(j);
	assert_listed("rt1", "qos", "realtime");	/* the list shows it at once */
	j = call("GET /api/v1/vms/{name}/qos", "GET", "/api/v1/vms/rt1/qos", NULL, 200);
	assert_string_equal(json_string_value(json_object_get(j, "class")), "realtime");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "reservation"),
							     "runtime_us")), 300);
	json_decref(j);
	j = call("GET /api/v1/vms/{name}", "GET", "/api/v1/vms/rt1", NULL, 200);
	assert_string_equal(json_string_value(json_object_get(j, "qos")), "realtime");
	json_decref(j);
	/* refused by admission: 409 with the reason, nothing changes */
	j = call("PUT /api/v1/vms/{name}/qos", "PUT", "/api/v1/vms/idle1/qos",
		 "{\"class\":\"realtime\",\"reservation\":{\"runtime_us\":990,\"period_us\":1000}}",
		 409);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
			    "admission_rejected");
	json_decref(j);
	json_decref(call("PUT /api/v1/vms/{name}/qos", "PUT", "/api/v1/vms/idle1/qos",
			 "{\"class\":\"realtime\",\"reservation\":{\"runtime_us\":\"x\"}}", 400));
	j = call("DELETE /api/v1/vms/{name}/qos", "DELETE", "/api/v1/vms/rt1/qos", NULL, 200);
	assert_string_equal(json_string_value(json_object_get(j, "class")), "best-effort");
	json_decref(j);
	assert_listed("rt1", "qos", "best-effort");
}

static void test_power(void **state)
{
	json_t *j;

	(void)state;
	j = call("GET /api/v1/power", "GET", "/api/v1/power", NULL, 200);
	assert_string_equal(json_string_value(json_object_get(j, "governor")), "transition");
	assert_int_equal(json_array_size(json_object_get(j, "governors")), 4);
	json_decref(j);
	j = call("PUT /api/v1/power", "PUT", "/api/v1/power", "{\"governor\":\"ondemand\"}", 200);
	assert_string_equal(json_string_value(json_object_get(j, "governor")), "ondemand");
	json_decref(j);
	j = apid_get(&d, "/api/v1/node", NULL);
	assert_string_equal(json_string_value(json_object_get(j, "governor")), "ondemand");
	json_decref(j);
	json_decref(call("PUT /api/v1/power", "PUT", "/api/v1/power", "{\"governor\":\"warp\"}", 400));
	json_decref(call("PUT /api/v1/power", "PUT", "/api/v1/power",
			 "{\"tunables\":{\"no_such\":1}}", 400));
	j = call("PUT /api/v1/power", "PUT", "/api/v1/power",
		 "{\"governor\":\"transition\",\"tunables\":{\"sat_pct\":80}}", 200);
	assert_string_equal(json_string_value(json_object_get(j, "governor")), "transition");
	json_decref(j);
}

static void test_trace(void **state)
{
	json_t *j, *ev, *e;
	json_int_t next;
	size_t i;
	char path[128];
	int pids = 0;

	(void)state;
	j = call("GET /api/v1/trace", "GET", "/api/v1/trace", "", 200);
	next = json_integer_value(json_object_get(j, "next"));
	assert_true(next > 0);
	json_decref(j);
	usleep(100000);
	snprintf(path, sizeof(path), "/api/v1/trace?since=%lld&limit=50&vm=rt1", (long long)next);
	j = call("GET /api/v1/trace", "GET", path, NULL, 200);
	ev = json_object_get(j, "events");
	assert_true(json_array_size(ev) > 0);
	json_array_foreach(ev, i, e) {
		assert_true(json_integer_value(json_object_get(e, "seq")) > next);
		assert_string_equal(json_string_value(json_object_get(e, "vm")), "rt1");
	}
	json_decref(j);
	/* only some types: the RT VM's activations and completions, nothing else */
	snprintf(path, sizeof(path), "/api/v1/trace?vm=rt1&type=rt_activate,rt_complete&limit=500");
	j = call("GET /api/v1/trace", "GET", path, NULL, 200);
	ev = json_object_get(j, "events");
	assert_true(json_array_size(ev) > 0);
	json_array_foreach(ev, i, e) {
		const char *type = json_string_value(json_object_get(e, "type"));

		assert_true(!strcmp(type, "rt_activate") || !strcmp(type, "rt_complete"));
	}
	json_decref(j);
	json_decref(call("GET /api/v1/trace", "GET", "/api/v1/trace?limit=0", NULL, 400));
	json_decref(call("GET /api/v1/trace", "GET", "/api/v1/trace?since=x", NULL, 400));
	json_decref(call("GET /api/v1/trace", "GET", "/api/v1/trace?type=bogus", NULL, 400));

	j = call("GET /api/v1/trace/perfetto", "GET", "/api/v1/trace/perfetto?window_s=0.5", NULL, 200);
	ev = json_object_get(j, "traceEvents");
	assert_true(json_array_size(ev) > 10);
	json_array_foreach(ev, i, e)
		if (!strcmp(json_string_value(json_object_get(e, "name")) ?: "", "process_name"))
			pids++;
	assert_true(pids >= 3);		/* node + the two VMs */
	json_decref(j);
	json_decref(call("GET /api/v1/trace/perfetto", "GET", "/api/v1/trace/perfetto?window_s=0",
			 NULL, 400));
}

static void test_metrics_promtool(void **state)
{
	struct http_result r;
	char file[128], cmd[256];
	int st;

	(void)state;
	assert_int_equal(apid_req(&d, "GET", "/metrics", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	hit("GET /metrics");
	assert_non_null(strstr(r.content_type, "text/plain"));
	assert_non_null(strstr(r.body, "powervisor_vm_exits_total{vm=\"rt1\",reason="));
	assert_non_null(strstr(r.body, "powervisor_vm_state{vm=\"idle1\",state=\"running\"} 1"));
	/* actuator failures by kind, every kind present (the model backend does not fail) */
	assert_non_null(strstr(r.body, "powervisor_actuator_failures_total{actuator=\"pstate\"} 0\n"));
	assert_non_null(strstr(r.body, "powervisor_actuator_failures_total{actuator=\"energy\"} 0\n"));
	assert_non_null(strstr(r.body, "powervisor_actuator_failures_total{actuator=\"unclassified\"} "));
	snprintf(file, sizeof(file), "%s/metrics.txt", d.dir);
	dr_write_file(file, r.body);
	http_result_free(&r);
	if (access("/usr/bin/promtool", X_OK)) {
		print_message("promtool not installed: check skipped\n");
		return;
	}
	snprintf(cmd, sizeof(cmd), "/usr/bin/promtool check metrics < %s", file);
	st = system(cmd);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* Last: every operation of the spec was called over HTTP by the tests above. */
static void test_every_route_exercised(void **state)
{
	unsigned int i, missing = 0;

	(void)state;
	for (i = 0; i < NROUTES; i++)
		if (!(routes_hit & (1u << i))) {
			print_message("not exercised: %s\n", routes[i]);
			missing++;
		}
	assert_int_equal(missing, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth_and_public),
		cmocka_unit_test(test_reads),
		cmocka_unit_test(test_bad_bodies),
		cmocka_unit_test(test_vm_lifecycle),
		cmocka_unit_test(test_vm_group),
		cmocka_unit_test(test_qos_change),
		cmocka_unit_test(test_power),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_metrics_promtool),
		cmocka_unit_test(test_every_route_exercised),
	};

	if (apid_find_bindir(d.bindir, sizeof(d.bindir)) || !apid_can_run(d.bindir)) {
		printf("test_api_daemon: SKIP: no /dev/kvm or no build with the guest\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
