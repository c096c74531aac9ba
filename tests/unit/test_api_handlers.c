// SPDX-License-Identifier: GPL-2.0-only
/*
 * The REST API's handlers through the whole request pipeline (api_dispatch: rate limit, size
 * cap, routing, tokens and scopes, JSON parsing, handler), against a hand-built snapshot
 * published in a snap_pub and a command queue served by a test thread whose fake commands
 * change the published state the way the daemon's would (one completes asynchronously, as
 * pause does when it waits for the VMM; one is too slow and times out) — the fixture of
 * tests/common/api_fixture.h. Here: the case table (every route, its errors and the state
 * changes of the commands, in order) and what the commands hand to the loop; the trace
 * routes' cursor and document, readiness and the rate limit are in test_api_handlers_trace.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/common/api_fixture.h"

/* ---- the case table ------------------------------------------------------------------ */
struct hcase {
	const char *method, *path, *query, *token, *body;
	int too_large;
	int status;
	const char *code, *field;	/* of an Error body */
	const char *has;		/* substring of the body */
	const char *hasnt;
};

#define R API_FIXTURE_READ_TOK
#define A API_FIXTURE_ADMIN_TOK

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
	{ "GET", "/api/v1/trace", "type=pstate", R, NULL, 0, 200, NULL, NULL, "\"vm\":\"node\",\"type\":\"pstate\"", "\"type\":\"vm_" },
	{ "GET", "/api/v1/trace", "type=halt_end,vm_entry&vm=beta", R, NULL, 0, 200, NULL, NULL, "\"seq\":4,", "\"vm\":\"alpha\"" },
	{ "GET", "/api/v1/trace", "type=halt_end,vm_entry&vm=beta", R, NULL, 0, 200, NULL, NULL, "\"type\":\"halt_end\"", "\"type\":\"vm_exit\"" },
	{ "GET", "/api/v1/trace", "type=rt_miss", R, NULL, 0, 200, NULL, NULL, "\"events\":[],\"next\":9,", NULL },
	{ "GET", "/api/v1/trace", "type=bogus", R, NULL, 0, 400, "invalid_query", "type", "unknown event type 'bogus'", NULL },
	{ "GET", "/api/v1/trace", "type=vm_exit,VM_ENTRY", R, NULL, 0, 400, "invalid_query", "type", "'VM_ENTRY'", NULL },
	{ "GET", "/api/v1/trace", "type=none", R, NULL, 0, 400, "invalid_query", "type", "'none'", NULL },
	{ "GET", "/api/v1/trace", "type=", R, NULL, 0, 400, "invalid_query", "type", "without empty names", NULL },
	{ "GET", "/api/v1/trace", "type=rt_miss,,pstate", R, NULL, 0, 400, "invalid_query", "type", "without empty names", NULL },
	{ "GET", "/api/v1/trace", "type=rt_miss,", R, NULL, 0, 400, "invalid_query", "type", "without empty names", NULL },
	{ "GET", "/api/v1/trace", "type=,rt_miss", R, NULL, 0, 400, "invalid_query", "type", "without empty names", NULL },
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
		int st = api_fx_request(c->method, c->path, c->query, c->token, c->body, c->too_large, &body);
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
	assert_int_equal(api_fx_request("PUT", "/api/v1/vms/beta/qos", NULL, A,
				 "{\"class\":\"realtime\",\"latency_budget_us\":30,\"reservation\":"
				 "{\"runtime_us\":250,\"period_us\":2000,\"deadline_us\":1000}}", 0,
				 &body), 200);
	assert_int_equal(api_fx.last_kind, CMDS_QOS_SET);
	assert_string_equal(api_fx.last.name, "beta");
	assert_int_equal(api_fx.last.qos.cls, PV_QOS_REALTIME);
	assert_int_equal(api_fx.last.qos.latency_budget_us, 30);
	assert_true(api_fx.last.qos.resv.set);
	assert_int_equal(api_fx.last.qos.resv.runtime_us, 250);
	assert_int_equal(api_fx.last.qos.resv.period_us, 2000);
	assert_int_equal(api_fx.last.qos.resv.deadline_us, 1000);
	assert_non_null(strstr(body, "\"apply_latency_us\":"));
	free(body);

	assert_int_equal(api_fx_request("PUT", "/api/v1/power", NULL, A,
				 "{\"governor\":\"transition\",\"tunables\":{\"sat_pct\":80}}", 0,
				 &body), 200);
	assert_int_equal(api_fx.last_kind, CMDS_POWER_SET);
	assert_string_equal(api_fx.last.governor, "transition");	/* ondemand runs: a switch */
	assert_int_equal(api_fx.last.ntun, 1);
	assert_string_equal(api_fx.last.tun[0].name, "sat_pct");
	assert_int_equal(api_fx.last.tun[0].value, 80);
	free(body);
	/* naming the running governor only sets tunables */
	assert_int_equal(api_fx_request("PUT", "/api/v1/power", NULL, A,
				 "{\"governor\":\"transition\",\"tunables\":{\"sat_pct\":70}}", 0,
				 &body), 200);
	assert_string_equal(api_fx.last.governor, "");
	free(body);

	assert_int_equal(api_fx_request("POST", "/api/v1/vms", NULL, A,
				 "{\"name\":\"delta\",\"workload\":\"burst:on_ms=5,off_ms=45\",\"memory_mib\":32,"
				 "\"qos\":\"latency-sensitive\",\"latency_budget_us\":40}", 0, &body), 201);
	assert_int_equal(api_fx.last_kind, CMDS_VM_CREATE);
	assert_string_equal(api_fx.last.spec.name, "delta");
	assert_int_equal(api_fx.last.spec.mem_mib, 32);
	assert_int_equal(api_fx.last.spec.qos, PV_QOS_LATENCY_SENSITIVE);
	assert_int_equal(api_fx.last.spec.latency_budget_us, 40);
	free(body);
}

/* A command slower than the handler's patience: 503, and the late command frees its block. */
static void test_command_timeout(void **state)
{
	unsigned int saved = api_fx.ctx.cmd_timeout_ms;
	char *body;

	(void)state;
	api_fx.ctx.cmd_timeout_ms = 100;
	assert_int_equal(api_fx_request("POST", "/api/v1/vms/slow/pause", NULL, A, NULL, 0, &body), 503);
	assert_non_null(strstr(body, "\"code\":\"timeout\""));
	free(body);
	api_fx.ctx.cmd_timeout_ms = saved;
	/* the loop is still busy with it; the next command waits its turn and succeeds */
	assert_int_equal(api_fx_request("POST", "/api/v1/vms/beta/resume", NULL, A, NULL, 0, &body), 204);
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case_table),
		cmocka_unit_test(test_command_inputs),
		cmocka_unit_test(test_command_timeout),
	};

	return cmocka_run_group_tests(tests, api_fx_setup, api_fx_teardown);
}
