// SPDX-License-Identifier: GPL-2.0-only
/* The HTTP glue over real sockets: TCP and Unix listeners, bodies, caps, auth, errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "api/auth.h"
#include "api/server.h"
#include "tests/common/http_client.h"

#define ADMIN_TOK "adm1n-0123456789abcdef"

static int h_echo(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	const char *q = req->query ? req->query(req->conn, "since") : NULL;

	(void)ctx;
	return api_json(resp, req->method == API_POST ? 201 : 200,
			json_pack("{s:O*, s:s?, s:s?}", "body", req->body, "since", q,
				  "name", req->nparams ? req->params[0] : NULL));
}

static const struct api_route routes[] = {
	{ API_GET, "/healthz", API_SCOPE_PUBLIC, h_echo, "health" },
	{ API_GET, "/api/v1/vms/{name}", API_SCOPE_READ, h_echo, "get" },
	{ API_POST, "/api/v1/vms", API_SCOPE_ADMIN, h_echo, "create" },
};

struct fixture {
	struct api_server *srv;
	struct auth auth;
	char sock[64];
	uint16_t port;
};

static int setup(void **state)
{
	static struct fixture f;
	struct api_server_config cfg = { .nlisten = 2, .body_max = 4096 };
	char err[AUTH_ERR_MAX], unix_addr[80];

	snprintf(f.sock, sizeof(f.sock), "/tmp/pv-api-test-%d.sock", (int)getpid());
	if (auth_parse(&f.auth, ADMIN_TOK " admin\n", err))
		return -1;
	cfg.listen[0] = "127.0.0.1:0";
	snprintf(unix_addr, sizeof(unix_addr), "unix:%s", f.sock);
	cfg.listen[1] = unix_addr;
	cfg.auth = &f.auth;
	if (api_server_start(&f.srv, &cfg, routes, 3, NULL))
		return -1;
	f.port = api_server_port(f.srv, 0);
	*state = &f;
	return f.port ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	api_server_stop(f->srv);
	return access(f->sock, F_OK) == 0 ? -1 : 0;	/* the socket file is removed */
}

static void test_tcp_and_unix(void **state)
{
	struct fixture *f = *state;
	struct http_result r;

	assert_int_equal(http_request(f->port, NULL, "GET", "/healthz", NULL, NULL, 0, 2000, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.content_type, "application/json"));
	http_result_free(&r);
	assert_int_equal(http_request(0, f->sock, "GET", "/healthz", NULL, NULL, 0, 2000, &r), 0);
	assert_int_equal(r.status, 200);
	http_result_free(&r);
}

static void test_params_query_and_auth(void **state)
{
	struct fixture *f = *state;
	struct http_result r;
	json_t *j;

	assert_int_equal(http_request(f->port, NULL, "GET", "/api/v1/vms/rt0?since=42", NULL, NULL,
				      0, 2000, &r), 0);
	assert_int_equal(r.status, 401);
	http_result_free(&r);
	assert_int_equal(http_request(f->port, NULL, "GET", "/api/v1/vms/rt0?since=42", ADMIN_TOK,
				      NULL, 0, 2000, &r), 0);
	assert_int_equal(r.status, 200);
	j = json_loads(r.body, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "rt0");
	assert_string_equal(json_string_value(json_object_get(j, "since")), "42");
	json_decref(j);
	http_result_free(&r);
}

static void test_bodies(void **state)
{
	struct fixture *f = *state;
	struct http_result r;
	char *big = malloc(8192);
	json_t *j;

	assert_int_equal(http_request(f->port, NULL, "POST", "/api/v1/vms", ADMIN_TOK,
				      "{\"name\":\"vm1\"}", 14, 2000, &r), 0);
	assert_int_equal(r.status, 201);
	j = json_loads(r.body, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "body"), "name")),
			    "vm1");
	json_decref(j);
	http_result_free(&r);

	memset(big, ' ', 8192);
	big[0] = '{';
	big[8191] = '}';
	assert_int_equal(http_request(f->port, NULL, "POST", "/api/v1/vms", ADMIN_TOK, big, 8192,
				      2000, &r), 0);
	assert_int_equal(r.status, 413);
	assert_non_null(strstr(r.body, "\"body_too_large\""));
	http_result_free(&r);

	assert_int_equal(http_request(f->port, NULL, "POST", "/api/v1/vms", ADMIN_TOK, "[1,", 3,
				      2000, &r), 0);
	assert_int_equal(r.status, 400);
	http_result_free(&r);
	assert_int_equal(http_request(f->port, NULL, "PATCH", "/api/v1/vms", ADMIN_TOK, NULL, 0,
				      2000, &r), 0);
	assert_int_equal(r.status, 405);
	http_result_free(&r);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_and_unix),
		cmocka_unit_test(test_params_query_and_auth),
		cmocka_unit_test(test_bodies),
	};

	return cmocka_run_group_tests_name("api_http", tests, setup, teardown);
}
