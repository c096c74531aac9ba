// SPDX-License-Identifier: GPL-2.0-only
/*
 * The REST API's trace routes, readiness and rate limit through the whole request pipeline
 * (api_dispatch), on the fixture of tests/common/api_fixture.h (nine known trace events,
 * VMs alpha and beta, a fake policy loop): the trace cursor walks every event once, the
 * Perfetto document has the node's and each VM's tracks, no snapshot yet means 503 for
 * reads and readiness, readiness follows the snapshot, and a flood meets the rate limit
 * first. The case table and the commands are in test_api_handlers.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "api/routes.h"
#include "tests/common/api_fixture.h"
#include "tests/common/fake_dsnap.h"

#define R API_FIXTURE_READ_TOK

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
		assert_int_equal(api_fx_request("GET", "/api/v1/trace", q, R, NULL, 0, &body), 200);
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

/* `type`: exactly the events of the listed types, in order; the cursor goes to the end. */
static void test_trace_type_filter(void **state)
{
	static const struct { const char *query; const char *seqs; int64_t next; } tc[] = {
		{ "type=vm_exit", "1,3", 9 },
		{ "type=halt_begin,halt_end", "5,6,8,9", 9 },
		{ "type=halt_end,halt_begin", "5,6,8,9", 9 },
		{ "type=halt_end,halt_end", "6,9", 9 },
		{ "type=pstate,vm_entry", "2,4,7", 9 },
		{ "type=pstate,vm_entry&since=2", "4,7", 9 },
		{ "type=vm_exit,vm_entry,halt_begin,halt_end,pstate", "1,2,3,4,5,6,7,8,9", 9 },
		{ "type=vm_exit,vm_entry&vm=alpha", "1,2", 9 },
		{ "type=halt_end&vm=beta", "6", 9 },
		{ "type=rt_miss,reservation", "", 9 },
		{ "type=rt_miss&since=3", "", 9 },
		{ "type=halt_begin,halt_end&limit=3", "5,6,8", 8 },
		{ "type=halt_begin,halt_end&limit=3&since=8", "9", 9 },
		{ "type=halt_begin&vm=alpha&limit=1", "8", 8 },
		{ "", "1,2,3,4,5,6,7,8,9", 9 },		/* absent: every event */
		{ "vm=beta", "3,4,5,6", 9 },
	};
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(tc) / sizeof(tc[0]); i++) {
		char *body, got[64] = "";
		json_t *j, *ev;
		size_t used = 0;

		assert_int_equal(api_fx_request("GET", "/api/v1/trace", tc[i].query, R, NULL, 0,
						&body), 200);
		j = json_loads(body, 0, NULL);
		if (!j)
			fail_msg("%s: not JSON: %.300s", tc[i].query, body);
		free(body);
		json_array_foreach(json_object_get(j, "events"), k, ev)
			used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%lld",
						 k ? "," : "", (long long)json_integer_value(
						 json_object_get(ev, "seq")));
		if (strcmp(got, tc[i].seqs))
			fail_msg("%s: events %s, want %s", tc[i].query, got, tc[i].seqs);
		assert_int_equal(json_integer_value(json_object_get(j, "next")), tc[i].next);
		assert_int_equal(json_integer_value(json_object_get(j, "dropped")), 0);
		json_decref(j);
	}
}

static const char *long_type;

static const char *long_type_query(const void *conn, const char *key)
{
	(void)conn;
	return strcmp(key, "type") ? NULL : long_type;
}

/* `type` errors: field `type`, a message naming the element (at most 31 characters of it). */
static void test_trace_type_errors(void **state)
{
	static const struct {
		int nrt, nthr;		/* "rt_miss," and "throttle," repeated, then: */
		const char *tail;
		int status;
		const char *msg;
	} tc[] = {
		{ 31, 0, "throttle", 200, NULL },				/* 256 characters */
		{ 30, 1, "throttle", 400, "type must be at most 256 characters" },	/* 257 */
		{ 1, 0, "abcdefghijklmnopqrstuvwxyz0123456789", 400,
		  "unknown event type 'abcdefghijklmnopqrstuvwxyz01234'" },
		{ 0, 0, "pstate,vm_exit,nope,also_bad", 400, "unknown event type 'nope'" },
		{ 0, 0, "rt_miss,,nope", 400, "without empty names" },
	};
	char buf[512];
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(tc) / sizeof(tc[0]); i++) {
		struct api_req req = { .method = API_GET, .path = "/api/v1/trace",
				       .query = long_type_query, .conn = "" };
		struct api_resp resp = { 0 };
		const char *msg;
		json_t *err;
		size_t len = 0;

		for (r = 0; r < tc[i].nrt + tc[i].nthr; r++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s",
						r < tc[i].nrt ? "rt_miss," : "throttle,");
		snprintf(buf + len, sizeof(buf) - len, "%s", tc[i].tail);
		long_type = buf;
		assert_int_equal(handlers_trace(&api_fx.ctx, &req, &resp), 0);
		if (resp.status != tc[i].status)
			fail_msg("case %zu (%zu characters): status %d, want %d", i, strlen(buf),
				 resp.status, tc[i].status);
		if (tc[i].msg) {
			err = json_object_get(resp.json, "error");
			msg = json_string_value(json_object_get(err, "message"));
			assert_string_equal(json_string_value(json_object_get(err, "field")),
					    "type");
			assert_string_equal(json_string_value(json_object_get(err, "code")),
					    "invalid_query");
			if (!msg || !strstr(msg, tc[i].msg))
				fail_msg("case %zu: message %s, want %s", i, msg, tc[i].msg);
		}
		api_resp_free(&resp);
	}
}

static void test_perfetto_document(void **state)
{
	json_t *j, *ev, *e;
	char *body;
	size_t i;
	int pids[8] = { 0 }, slices = 0, counters = 0;

	(void)state;
	assert_int_equal(api_fx_request("GET", "/api/v1/trace/perfetto", "window_s=5", R, NULL, 0, &body),
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
	assert_int_equal(api_ctx_init(&c2, &empty, &api_fx.cq, &api_fixture_ops, NULL, NULL, 0), 0);
	assert_int_equal(api_server_new_detached(&s2, &sc, routes_table, routes_count, &c2), 0);
	for (i = 0; i < sizeof(nc) / sizeof(nc[0]); i++) {
		struct api_dispatch_in in = { .method = API_GET, .path = nc[i].path, .client = "c",
					      .query = api_fixture_query, .conn = "" };
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

		ref = snapshot_get(&api_fx.pub);
		n = fake_dsnap_dup((const struct dsnap *)ref, 0);
		snapshot_put(ref);
		n->ready = rc[i].ready;
		snprintf(n->not_ready, sizeof(n->not_ready), "power backend unavailable");
		clock_gettime(CLOCK_MONOTONIC, &ts);
		n->base.time_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec -
				  rc[i].age_ns;
		fake_dsnap_publish(&api_fx.pub, n);
		assert_int_equal(api_fx_request("GET", "/readyz", NULL, NULL, NULL, 0, &body),
				 rc[i].reason ? 503 : 200);
		if (rc[i].reason && !strstr(body, rc[i].reason))
			fail_msg("case %zu: %s", i, body);
		free(body);
	}
}

/* The rate limit comes first: a flood gets 429 whatever it asks. */
static void test_rate_limit(void **state)
{
	struct api_server_config sc = { .rate_per_s = 1, .burst = 2, .auth = &api_fx.auth };
	struct api_server *s2;
	int i, limited = 0;

	(void)state;
	assert_int_equal(api_server_new_detached(&s2, &sc, routes_table, routes_count, &api_fx.ctx), 0);
	for (i = 0; i < 5; i++) {
		struct api_dispatch_in in = { .method = API_GET, .path = "/api/v1/vms",
					      .client = "flood", .query = api_fixture_query, .conn = "" };
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
		cmocka_unit_test(test_trace_cursor),
		cmocka_unit_test(test_trace_type_filter),
		cmocka_unit_test(test_trace_type_errors),
		cmocka_unit_test(test_perfetto_document),
		cmocka_unit_test(test_no_snapshot),
		cmocka_unit_test(test_readyz),
		cmocka_unit_test(test_rate_limit),
	};

	return cmocka_run_group_tests(tests, api_fx_setup, api_fx_teardown);
}
