// SPDX-License-Identifier: GPL-2.0-only
/* API core: route matching, token files and scopes, rate limiting, the request pipeline. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "api/auth.h"
#include "api/ratelimit.h"
#include "api/route.h"
#include "api/server.h"

static int h_ok(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	json_t *params = json_array();
	unsigned int i;

	(*(int *)ctx)++;
	for (i = 0; i < req->nparams; i++)
		json_array_append_new(params, json_string(req->params[i]));
	return api_json(resp, 200, json_pack("{s:o, s:O*}", "params", params, "body", req->body));
}

static int h_fail(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	(void)ctx;
	(void)req;
	(void)resp;
	return -EIO;	/* must become a generic 500 without internals */
}

static const struct api_route routes[] = {
	{ API_GET, "/healthz", API_SCOPE_PUBLIC, h_ok, "health" },
	{ API_GET, "/api/v1/vms", API_SCOPE_READ, h_ok, "list" },
	{ API_POST, "/api/v1/vms", API_SCOPE_ADMIN, h_ok, "create" },
	{ API_GET, "/api/v1/vms/{name}", API_SCOPE_READ, h_ok, "get" },
	{ API_DELETE, "/api/v1/vms/{name}", API_SCOPE_ADMIN, h_ok, "delete" },
	{ API_GET, "/api/v1/vms/{name}/vcpus/{idx}", API_SCOPE_READ, h_ok, "vcpu" },
	{ API_GET, "/api/v1/broken", API_SCOPE_READ, h_fail, "broken" },
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static void test_route_match(void **state)
{
	static const struct {
		enum api_method m;
		const char *path;
		enum api_match want;
		const char *summary;
		const char *p0, *p1;
	} cases[] = {
		{ API_GET, "/healthz", API_MATCH_OK, "health", NULL, NULL },
		{ API_GET, "/healthz/", API_MATCH_OK, "health", NULL, NULL },
		{ API_GET, "/api/v1/vms", API_MATCH_OK, "list", NULL, NULL },
		{ API_POST, "/api/v1/vms", API_MATCH_OK, "create", NULL, NULL },
		{ API_PUT, "/api/v1/vms", API_MATCH_BAD_METHOD, NULL, NULL, NULL },
		{ API_GET, "/api/v1/vms/rt0", API_MATCH_OK, "get", "rt0", NULL },
		{ API_DELETE, "/api/v1/vms/rt0", API_MATCH_OK, "delete", "rt0", NULL },
		{ API_GET, "/api/v1/vms/rt0/vcpus/1", API_MATCH_OK, "vcpu", "rt0", "1" },
		{ API_GET, "/api/v1/vms/rt0/vcpus", API_MATCH_NO_PATH, NULL, NULL, NULL },
		{ API_GET, "/api/v1/vms/rt0/vcpus/1/x", API_MATCH_NO_PATH, NULL, NULL, NULL },
		{ API_GET, "/api/v1//vms", API_MATCH_NO_PATH, NULL, NULL, NULL },
		{ API_GET, "api/v1/vms", API_MATCH_NO_PATH, NULL, NULL, NULL },
		{ API_GET, "/", API_MATCH_NO_PATH, NULL, NULL, NULL },
		{ API_GET, "/a/b/c/d/e/f/g/h/i/j/k/l/m/n", API_MATCH_NO_PATH, NULL, NULL, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct api_route *r;
		struct api_req req = { 0 };
		char buf[API_PATH_MAX];
		enum api_match got = api_route_match(routes, NROUTES, cases[i].m, cases[i].path, &r,
						     &req, buf, sizeof(buf));

		if (got != cases[i].want)
			fail_msg("case %zu %s: match %d, want %d", i, cases[i].path, got, cases[i].want);
		if (got != API_MATCH_OK)
			continue;
		assert_string_equal(r->summary, cases[i].summary);
		if (cases[i].p0)
			assert_string_equal(req.params[0], cases[i].p0);
		if (cases[i].p1)
			assert_string_equal(req.params[1], cases[i].p1);
	}
}

#define ADMIN_TOK "adm1n-0123456789abcdef"
#define READ_TOK  "r3ad-0123456789abcdef"

static void test_auth_parse(void **state)
{
	static const struct { const char *text; const char *err; } bad[] = {
		{ "", "no tokens" },
		{ "# only a comment\n", "no tokens" },
		{ "short admin\n", "line 1: token must be 16..128 characters" },
		{ ADMIN_TOK "\n", "line 1: expected" },
		{ ADMIN_TOK " root\n", "line 1: scope must be read or admin" },
		{ "\n\n" ADMIN_TOK " admin extra\n", "line 3: expected" },
	};
	struct auth a;
	char err[AUTH_ERR_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(auth_parse(&a, bad[i].text, err), -EINVAL);
		if (!strstr(err, bad[i].err))
			fail_msg("case %zu: \"%s\", want \"%s\"", i, err, bad[i].err);
	}
	assert_int_equal(auth_parse(&a, "# tokens\n" ADMIN_TOK " admin\n\n" READ_TOK " read\n", err), 0);
	assert_int_equal(a.ntokens, 2);
}

static void test_auth_check(void **state)
{
	struct auth a, open;
	char err[AUTH_ERR_MAX];
	enum api_scope got;

	(void)state;
	assert_int_equal(auth_parse(&a, ADMIN_TOK " admin\n" READ_TOK " read\n", err), 0);
	assert_int_equal(auth_check(&a, NULL, API_SCOPE_READ, &got), AUTH_MISSING);
	assert_int_equal(auth_check(&a, "Basic abc", API_SCOPE_READ, &got), AUTH_MISSING);
	assert_int_equal(auth_check(&a, "Bearer ", API_SCOPE_READ, &got), AUTH_INVALID);
	assert_int_equal(auth_check(&a, "Bearer wrong-0123456789abcdef", API_SCOPE_READ, &got),
			 AUTH_INVALID);
	assert_int_equal(auth_check(&a, "Bearer " READ_TOK "x", API_SCOPE_READ, &got), AUTH_INVALID);
	assert_int_equal(auth_check(&a, "Bearer " READ_TOK, API_SCOPE_READ, &got), AUTH_OK);
	assert_int_equal(got, API_SCOPE_READ);
	assert_int_equal(auth_check(&a, "Bearer " READ_TOK, API_SCOPE_ADMIN, &got), AUTH_FORBIDDEN);
	assert_int_equal(auth_check(&a, "bearer  " ADMIN_TOK " ", API_SCOPE_ADMIN, &got), AUTH_OK);
	assert_int_equal(got, API_SCOPE_ADMIN);
	assert_int_equal(auth_check(&a, NULL, API_SCOPE_PUBLIC, &got), AUTH_OK);
	auth_init_open(&open);
	assert_int_equal(auth_check(&open, NULL, API_SCOPE_ADMIN, &got), AUTH_OK);
}

static void test_ratelimit(void **state)
{
	struct ratelimit rl;
	uint64_t t = 1000000000ull;
	int i, allowed = 0;

	(void)state;
	assert_int_equal(ratelimit_init(&rl, 10, 5), 0);
	for (i = 0; i < 20; i++)
		allowed += ratelimit_allow(&rl, "10.0.0.1", t);
	assert_int_equal(allowed, 5);			/* the burst */
	assert_true(ratelimit_allow(&rl, "10.0.0.2", t));	/* others unaffected */
	assert_false(ratelimit_allow(&rl, "10.0.0.1", t + 50000000ull));	/* 0.5 token */
	assert_true(ratelimit_allow(&rl, "10.0.0.1", t + 100000000ull));	/* 1 token */
	assert_false(ratelimit_allow(&rl, "10.0.0.1", t + 100000000ull));
	/* many distinct clients recycle the table instead of growing it */
	for (i = 0; i < 3 * RL_TABLE_SIZE; i++) {
		char key[32];

		snprintf(key, sizeof(key), "client-%d", i);
		assert_true(ratelimit_allow(&rl, key, t + 200000000ull + (uint64_t)i));
	}
	ratelimit_destroy(&rl);
	assert_int_equal(ratelimit_init(&rl, MAX_RL_RATE_PER_S + 1, 1), -EINVAL);
}

struct pipe_case {
	enum api_method m;
	const char *path;
	const char *auth;
	const char *body;
	int too_large;
	int status;
	const char *code;	/* error code, NULL for success */
};

static void test_dispatch_pipeline(void **state)
{
	static const struct pipe_case cases[] = {
		{ API_GET, "/healthz", NULL, NULL, 0, 200, NULL },
		{ API_GET, "/api/v1/vms", NULL, NULL, 0, 401, "unauthorized" },
		{ API_GET, "/api/v1/vms", "Bearer nope-0123456789abcdef", NULL, 0, 401, "unauthorized" },
		{ API_GET, "/api/v1/vms", "Bearer " READ_TOK, NULL, 0, 200, NULL },
		{ API_POST, "/api/v1/vms", "Bearer " READ_TOK, "{}", 0, 403, "forbidden" },
		{ API_POST, "/api/v1/vms", "Bearer " ADMIN_TOK, "{\"name\":\"x\"}", 0, 200, NULL },
		{ API_POST, "/api/v1/vms", "Bearer " ADMIN_TOK, "{\"name\":", 0, 400, "invalid_json" },
		{ API_POST, "/api/v1/vms", "Bearer " ADMIN_TOK, "{\"a\":1,\"a\":2}", 0, 400, "invalid_json" },
		{ API_POST, "/api/v1/vms", "Bearer " ADMIN_TOK, NULL, 1, 413, "body_too_large" },
		{ API_PUT, "/api/v1/vms", "Bearer " ADMIN_TOK, NULL, 0, 405, "method_not_allowed" },
		{ API_GET, "/api/v2/vms", "Bearer " ADMIN_TOK, NULL, 0, 404, "not_found" },
		{ API_GET, "/api/v1/broken", "Bearer " ADMIN_TOK, NULL, 0, 500, "internal" },
	};
	struct api_server_config cfg = { .body_max = 1024 };
	struct api_server *srv;
	struct auth a;
	char err[AUTH_ERR_MAX];
	int calls = 0;
	size_t i;

	(void)state;
	assert_int_equal(auth_parse(&a, ADMIN_TOK " admin\n" READ_TOK " read\n", err), 0);
	cfg.auth = &a;
	assert_int_equal(api_server_new_detached(&srv, &cfg, routes, NROUTES, &calls), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct api_dispatch_in in = { .method = cases[i].m, .path = cases[i].path,
					      .authorization = cases[i].auth, .client = "t",
					      .body = cases[i].body,
					      .body_len = cases[i].body ? strlen(cases[i].body) : 0,
					      .body_too_large = cases[i].too_large };
		struct api_resp resp;
		json_t *e;

		api_dispatch(srv, &in, &resp);
		if (resp.status != cases[i].status)
			fail_msg("case %zu %s %s: status %d, want %d", i, api_method_name(cases[i].m),
				 cases[i].path, resp.status, cases[i].status);
		assert_non_null(resp.json);
		e = json_object_get(resp.json, "error");
		if (cases[i].code) {
			assert_non_null(e);
			assert_string_equal(json_string_value(json_object_get(e, "code")), cases[i].code);
			assert_non_null(json_string_value(json_object_get(e, "message")));
			/* no internals leak: the 500 says nothing about EIO */
			assert_null(strstr(json_string_value(json_object_get(e, "message")), "EIO"));
		} else {
			assert_null(e);
		}
		api_resp_free(&resp);
	}
	assert_int_equal(calls, 3);	/* handlers ran only for the admitted requests */
	api_server_stop(srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_match),
		cmocka_unit_test(test_auth_parse),
		cmocka_unit_test(test_auth_check),
		cmocka_unit_test(test_ratelimit),
		cmocka_unit_test(test_dispatch_pipeline),
	};

	return cmocka_run_group_tests_name("api_core", tests, NULL, NULL);
}
