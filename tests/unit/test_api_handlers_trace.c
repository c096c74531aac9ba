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
		cmocka_unit_test(test_perfetto_document),
		cmocka_unit_test(test_no_snapshot),
		cmocka_unit_test(test_readyz),
		cmocka_unit_test(test_rate_limit),
	};

	return cmocka_run_group_tests(tests, api_fx_setup, api_fx_teardown);
}
