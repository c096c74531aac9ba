// SPDX-License-Identifier: GPL-2.0-only
/*
 * The embedded dashboard (api/dashboard.c + the table dashboards/web/embed.sh generates):
 * every asset is there with the right content type, anything else — unknown names, traversal,
 * odd characters — is rejected, index.html refers only to embedded assets and to no external
 * URL, and the handlers serve the same bytes through the real HTTP glue.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "api/dashboard.h"
#include "api/encoding.h"
#include "api/server.h"
#include "tests/common/gzip_text.h"
#include "tests/common/http_client.h"

/* ------------------------------------------------------------------ the table */
static const struct {
	const char *path;
	const char *ctype_prefix;	/* media type; parameters may follow */
	const char *must_contain;	/* a marker proving it is the right file */
} expected[] = {
	{ "/", "text/html", "<!DOCTYPE html>" },
	{ "/assets/app.js", "application/javascript", "api/v1/node" },
	{ "/assets/style.css", "text/css", "--panel" },
	{ "/assets/uPlot.iife.min.js", "application/javascript", "var uPlot=" },
	{ "/assets/uPlot.min.css", "text/css", ".uplot" },
};
#define NEXPECTED (sizeof(expected) / sizeof(expected[0]))

static void test_assets_present(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NEXPECTED; i++) {
		const char *data = NULL, *ctype = NULL;
		size_t len = 0;

		assert_int_equal(dashboard_asset(expected[i].path, &data, &len, &ctype), 0);
		assert_non_null(data);
		assert_true(len > 16);
		assert_int_equal(data[len], '\0');		/* NUL after the content */
		assert_int_equal(strlen(data), len);		/* text assets: no NUL inside */
		assert_non_null(strstr(data, expected[i].must_contain));
		assert_non_null(ctype);
		assert_int_equal(strncmp(ctype, expected[i].ctype_prefix,
					 strlen(expected[i].ctype_prefix)), 0);
		/* text types declare their charset */
		assert_non_null(strstr(ctype, "charset=utf-8"));
		/* only the media types api/openapi.yaml lists for / and /assets/{file} */
		assert_true(!strcmp(expected[i].path, "/") ? !strncmp(ctype, "text/html", 9) :
			    !strncmp(ctype, "application/javascript", 22) || !strncmp(ctype, "text/css", 8));
	}
	/* nothing embedded beyond what is listed here (the test must follow the table) */
	assert_int_equal(dashboard_nfiles, NEXPECTED);
}

static void test_table_well_formed(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < dashboard_nfiles; i++) {
		const struct dashboard_file *f = &dashboard_files[i];

		assert_true(!strcmp(f->path, "/") || !strncmp(f->path, "/assets/", 8));
		assert_null(strstr(f->path, ".."));
		assert_true(strlen(f->path) <= 8 + DASHBOARD_NAME_MAX);
		for (j = 0; j < i; j++)
			assert_string_not_equal(f->path, dashboard_files[j].path);
	}
}

static void test_index_alias(void **state)
{
	const char *a, *b, *ct;
	size_t la, lb;

	(void)state;
	assert_int_equal(dashboard_asset("/", &a, &la, &ct), 0);
	assert_int_equal(dashboard_asset("/index.html", &b, &lb, &ct), 0);
	assert_ptr_equal(a, b);
	assert_int_equal(la, lb);
}

static void test_rejected_paths(void **state)
{
	static char longname[8 + DASHBOARD_NAME_MAX + 8];
	static const char *const bad[] = {
		"", "/assets/", "/assets", "assets/app.js", "app.js", "/app.js",
		"/assets/../index.html", "/assets/..", "/assets/.", "/assets/.hidden",
		"/assets/../../etc/passwd", "/assets/..%2f..%2fetc%2fpasswd", "/assets/%2e%2e",
		"/assets/app.js/", "/assets/sub/app.js", "/assets//app.js", "/assets/app.js?x=1",
		"/assets/app.js ", "/assets/ app.js", "/assets/app.js\n", "/assets/APP.JS",
		"/assets/app.j", "/assets/app.jsx", "/index.htm", "//", "/./", "/assets/index.html",
		"/etc/passwd", "/assets/\\app.js", "/assets/app%2ejs", longname,
	};
	const char *data = (const char *)0x1, *ctype = (const char *)0x1;
	size_t i, len = 12345;

	(void)state;
	memcpy(longname, "/assets/", 8);
	memset(longname + 8, 'a', sizeof(longname) - 9);
	longname[sizeof(longname) - 1] = '\0';
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = dashboard_asset(bad[i], &data, &len, &ctype);

		if (rc != -ENOENT)
			fail_msg("path \"%s\" gave %d, want -ENOENT", bad[i], rc);
		/* outputs untouched on failure */
		assert_ptr_equal(data, (const char *)0x1);
		assert_int_equal(len, 12345);
	}
	assert_int_equal(dashboard_asset(NULL, &data, &len, &ctype), -EINVAL);
	assert_int_equal(dashboard_asset("/", NULL, &len, &ctype), -EINVAL);
	assert_int_equal(dashboard_asset("/", &data, NULL, &ctype), -EINVAL);
	assert_int_equal(dashboard_asset("/", &data, &len, NULL), -EINVAL);
}

/* Does @text contain @needle, ignoring case? */
static const char *find_nocase(const char *text, const char *needle)
{
	size_t n = strlen(needle);

	for (; *text; text++)
		if (!strncasecmp(text, needle, n))
			return text;
	return NULL;
}

/* Our own files name no external URL (vendor files are checked for their license instead). */
static void test_no_external_urls(void **state)
{
	static const char *const own[] = { "/", "/assets/app.js", "/assets/style.css" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		const char *data, *ctype, *hit;
		size_t len;

		assert_int_equal(dashboard_asset(own[i], &data, &len, &ctype), 0);
		hit = find_nocase(data, "http://");
		if (!hit)
			hit = find_nocase(data, "https://");
		if (hit)
			fail_msg("%s names an external URL: %.60s", own[i], hit);
		/* no protocol-relative or CSS imports either */
		assert_null(find_nocase(data, "src=\"//"));
		assert_null(find_nocase(data, "href=\"//"));
		assert_null(find_nocase(data, "@import"));
	}
}

/* uPlot is MIT-licensed: its notice travels with the served copies. */
static void test_vendor_license(void **state)
{
	static const char *const vendor[] = { "/assets/uPlot.iife.min.js", "/assets/uPlot.min.css" };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		const char *data, *ctype;
		size_t len;

		assert_int_equal(dashboard_asset(vendor[i], &data, &len, &ctype), 0);
		assert_int_equal(strncmp(data, "/*!", 3), 0);
		assert_non_null(strstr(data, "Copyright (c)"));
		assert_non_null(strstr(data, "Leon Sorokin"));
		assert_non_null(strstr(data, "Permission is hereby granted"));
	}
}

/* Every src="..." / href="..." in index.html is an embedded asset (or an inline data: URI). */
static void test_index_refs_embedded(void **state)
{
	static const char *const attrs[] = { "src=\"", "href=\"" };
	const char *html, *ctype;
	size_t len, a, nrefs = 0;

	(void)state;
	assert_int_equal(dashboard_asset("/", &html, &len, &ctype), 0);
	for (a = 0; a < 2; a++) {
		const char *p = html;

		while ((p = strstr(p, attrs[a]))) {
			const char *v = p + strlen(attrs[a]), *end = strchr(v, '"');
			char url[1024], path[1032];
			const char *d, *ct;
			size_t l;

			assert_non_null(end);
			assert_true((size_t)(end - v) < sizeof(url));
			memcpy(url, v, (size_t)(end - v));
			url[end - v] = '\0';
			/* relative "assets/x" (resolved against "/") or absolute "/assets/x" */
			p = end;
			if (!strncmp(url, "data:", 5))
				continue;
			snprintf(path, sizeof(path), "%s%s", url[0] == '/' ? "" : "/", url);
			if (dashboard_asset(path, &d, &l, &ct))
				fail_msg("index.html refers to \"%s\", which is not embedded", url);
			nrefs++;
		}
	}
	/* uPlot js + css, our js + css */
	assert_true(nrefs >= 4);
	/* the page restricts itself to its own origin */
	assert_non_null(strstr(html, "Content-Security-Policy"));
	assert_non_null(strstr(html, "default-src 'none'"));
}

/* ------------------------------------------------------------------ handlers */
static void req_with(struct api_req *req, const char *param)
{
	memset(req, 0, sizeof(*req));
	req->method = API_GET;
	req->path = "/assets/x";
	if (param) {
		req->params[0] = param;
		req->nparams = 1;
	}
}

static void test_handler_asset(void **state)
{
	struct api_req req;
	struct api_resp resp;
	const char *data, *ctype;
	size_t len;

	(void)state;
	assert_int_equal(dashboard_asset("/assets/app.js", &data, &len, &ctype), 0);
	req_with(&req, "app.js");
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(dashboard_handle_asset(NULL, &req, &resp), 0);
	assert_int_equal(resp.status, 200);
	assert_null(resp.json);
	assert_non_null(resp.text);
	assert_int_equal(resp.text_len, len);
	assert_memory_equal(resp.text, data, len);
	assert_string_equal(resp.content_type, ctype);
	api_resp_free(&resp);

	memset(&resp, 0, sizeof(resp));
	req_with(&req, NULL);
	assert_int_equal(dashboard_handle_index(NULL, &req, &resp), 0);
	assert_int_equal(resp.status, 200);
	assert_non_null(strstr(resp.content_type, "text/html"));
	assert_non_null(strstr(resp.text, "assets/app.js"));
	api_resp_free(&resp);
}

/* A browser's Accept-Encoding gets each asset gzip-compressed; the same bytes inside. */
static void test_handler_gzip(void **state)
{
	static const char *const names[] = { "app.js", "uPlot.iife.min.js", "style.css" };
	struct api_req req;
	struct api_resp resp;
	const char *data, *ctype;
	char path[64], *plain;
	size_t len, plen;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "/assets/%s", names[i]);
		assert_int_equal(dashboard_asset(path, &data, &len, &ctype), 0);
		req_with(&req, names[i]);
		req.accept_gzip = true;
		memset(&resp, 0, sizeof(resp));
		assert_int_equal(dashboard_handle_asset(NULL, &req, &resp), 0);
		assert_int_equal(resp.status, 200);
		assert_true(resp.vary_encoding);
		if (len < API_GZIP_MIN_BYTES) {
			assert_null(resp.content_encoding);
			assert_memory_equal(resp.text, data, len);
			api_resp_free(&resp);
			continue;
		}
		assert_string_equal(resp.content_encoding, "gzip");
		assert_true(resp.text_len < len);
		plain = gzip_text_decode(resp.text, resp.text_len, len, &plen);
		assert_non_null(plain);
		assert_int_equal(plen, len);
		assert_memory_equal(plain, data, len);
		free(plain);
		api_resp_free(&resp);
	}
	req_with(&req, NULL);
	req.accept_gzip = true;
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(dashboard_handle_index(NULL, &req, &resp), 0);
	assert_string_equal(resp.content_encoding, "gzip");
	api_resp_free(&resp);
}

static void test_handler_rejects(void **state)
{
	static const char *const bad[] = {
		"..", ".", "../index.html", "../../etc/passwd", "a/b", "nope.js", ".hidden",
		"app.js%00", "", "index.html", "app.js\r\n", "%2e%2e",
	};
	struct api_req req;
	struct api_resp resp;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		req_with(&req, bad[i]);
		memset(&resp, 0, sizeof(resp));
		assert_int_equal(dashboard_handle_asset(NULL, &req, &resp), 0);
		if (resp.status != 404)
			fail_msg("asset \"%s\" gave %d, want 404", bad[i], resp.status);
		assert_null(resp.text);
		assert_non_null(resp.json);		/* the API's error shape */
		assert_non_null(json_object_get(resp.json, "error"));
		api_resp_free(&resp);
	}
	req_with(&req, NULL);		/* no {file} parameter at all */
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(dashboard_handle_asset(NULL, &req, &resp), 0);
	assert_int_equal(resp.status, 404);
	api_resp_free(&resp);
}

/* ------------------------------------------------------------------ over HTTP */
static const struct api_route routes[] = {
	{ API_GET, "/", API_SCOPE_PUBLIC, dashboard_handle_index, "The built-in dashboard" },
	{ API_GET, "/assets/{file}", API_SCOPE_PUBLIC, dashboard_handle_asset, "Dashboard assets" },
};

static void test_http(void **state)
{
	static const struct { const char *path; int status; const char *ctype; } cases[] = {
		{ "/", 200, "text/html; charset=utf-8" },
		{ "/assets/app.js", 200, "application/javascript; charset=utf-8" },
		{ "/assets/style.css", 200, "text/css; charset=utf-8" },
		{ "/assets/uPlot.iife.min.js", 200, "application/javascript; charset=utf-8" },
		{ "/assets/uPlot.min.css", 200, "text/css; charset=utf-8" },
		{ "/assets/nope.css", 404, "application/json" },
		{ "/assets/..%2f..%2fMakefile", 404, "application/json" },
		{ "/assets/%2e%2e", 404, "application/json" },
		{ "/assets/../api/server.c", 404, "application/json" },
		{ "/assets/", 404, "application/json" },
		{ "/assets/a/b", 404, "application/json" },
		{ "/favicon.ico", 404, "application/json" },
	};
	struct api_server_config cfg = { .nlisten = 1 };
	struct api_server *srv;
	struct auth auth;
	char err[AUTH_ERR_MAX];
	uint16_t port;
	size_t i;

	(void)state;
	/* authentication on: the dashboard itself must still be public */
	assert_int_equal(auth_parse(&auth, "dash-test-token-0123456789 read\n", err), 0);
	cfg.auth = &auth;
	cfg.listen[0] = "127.0.0.1:0";
	assert_int_equal(api_server_start(&srv, &cfg, routes, 2, NULL), 0);
	port = api_server_port(srv, 0);
	assert_true(port > 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_result res;
		int rc = http_request(port, NULL, "GET", cases[i].path, NULL, NULL, 0, 5000, &res);

		assert_int_equal(rc, 0);
		if (res.status != cases[i].status)
			fail_msg("GET %s: %d, want %d", cases[i].path, res.status, cases[i].status);
		assert_string_equal(res.content_type, cases[i].ctype);
		if (res.status == 200) {
			const char *data, *ct;
			size_t len;

			assert_int_equal(dashboard_asset(cases[i].path, &data, &len, &ct), 0);
			assert_int_equal(res.body_len, len);
			assert_memory_equal(res.body, data, len);
		}
		http_result_free(&res);
	}
	api_server_stop(srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assets_present),
		cmocka_unit_test(test_table_well_formed),
		cmocka_unit_test(test_index_alias),
		cmocka_unit_test(test_rejected_paths),
		cmocka_unit_test(test_no_external_urls),
		cmocka_unit_test(test_vendor_license),
		cmocka_unit_test(test_index_refs_embedded),
		cmocka_unit_test(test_handler_asset),
		cmocka_unit_test(test_handler_gzip),
		cmocka_unit_test(test_handler_rejects),
		cmocka_unit_test(test_http),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
