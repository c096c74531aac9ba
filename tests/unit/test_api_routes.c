// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daemon's route table (api/routes.c) against the contract (api/openapi.yaml), both
 * ways: every operation of the spec has a route and every route is in the spec, with the
 * spec's summary, and the scope the spec implies (`security: []` = public, other GETs read,
 * mutations admin). Also: no two routes for one (method, pattern), and every pattern is
 * reachable through the matcher with its own parameters.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "api/routes.h"
#include "tests/common/daemon_run.h"
#include "tests/common/openapi_paths.h"

#define SPEC_OPS	23	/* operations in api/openapi.yaml today */

struct spec_op {
	struct openapi_op op;
	char summary[160];
	int public_;		/* `security: []` on the operation */
};

static char spec_path[PATH_MAX];

/* The spec: $PV_OPENAPI, ./api/openapi.yaml, or <build>/../api/openapi.yaml. */
static int find_spec(void)
{
	char bindir[PATH_MAX];
	const char *env = getenv("PV_OPENAPI");

	if (env) {
		snprintf(spec_path, sizeof(spec_path), "%s", env);
		return access(spec_path, R_OK);
	}
	snprintf(spec_path, sizeof(spec_path), "api/openapi.yaml");
	if (!access(spec_path, R_OK))
		return 0;
	if (dr_find_bindir(bindir, sizeof(bindir), 3))
		return -1;
	snprintf(spec_path, sizeof(spec_path), "%.*s/../api/openapi.yaml", PATH_MAX - 32, bindir);
	return access(spec_path, R_OK);
}

/* Summaries and `security: []` per operation (6-space indented keys under a method). */
static int read_details(struct spec_op *ops, int n)
{
	char line[512], path[256] = "", method[8] = "";
	FILE *f = fopen(spec_path, "re");
	int i;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\r\n");

		line[len] = '\0';
		if (!strncmp(line, "components:", 11))
			break;
		if (!strncmp(line, "  /", 3) && line[len - 1] == ':') {
			snprintf(path, sizeof(path), "%.*s", (int)(len - 3), line + 2);
			method[0] = '\0';
		} else if (!strncmp(line, "    ", 4) && line[4] != ' ' && line[len - 1] == ':') {
			snprintf(method, sizeof(method), "%.*s", (int)(len - 5), line + 4);
			for (i = 0; method[i]; i++)
				method[i] = (char)toupper((unsigned char)method[i]);
		} else if (method[0] && (!strncmp(line, "      summary: ", 15) ||
					 !strcmp(line, "      security: []"))) {
			for (i = 0; i < n; i++) {
				if (strcmp(ops[i].op.path, path) || strcmp(ops[i].op.method, method))
					continue;
				if (line[6] == 's' && line[7] == 'u')
					snprintf(ops[i].summary, sizeof(ops[i].summary), "%.150s", line + 15);
				else
					ops[i].public_ = 1;
			}
		}
	}
	fclose(f);
	return 0;
}

static int load(struct spec_op *ops)
{
	struct openapi_op raw[OPENAPI_MAX_OPS];
	int n, i;

	if (find_spec())
		fail_msg("cannot find api/openapi.yaml (set PV_OPENAPI)");
	n = openapi_read_ops(spec_path, raw, OPENAPI_MAX_OPS);
	assert_true(n > 0);
	memset(ops, 0, sizeof(*ops) * (size_t)n);
	for (i = 0; i < n; i++)
		ops[i].op = raw[i];
	assert_int_equal(read_details(ops, n), 0);
	return n;
}

static const struct api_route *route_of(const char *method, const char *path)
{
	size_t i;

	for (i = 0; i < routes_count; i++)
		if (!strcmp(api_method_name(routes_table[i].method), method) &&
		    !strcmp(routes_table[i].pattern, path))
			return &routes_table[i];
	return NULL;
}

static void test_spec_to_table(void **state)
{
	struct spec_op ops[OPENAPI_MAX_OPS];
	int n = load(ops), i, missing = 0;

	(void)state;
	assert_int_equal(n, SPEC_OPS);	/* a new operation needs a route (and this number) */
	for (i = 0; i < n; i++) {
		const struct api_route *r = route_of(ops[i].op.method, ops[i].op.path);

		if (!r) {
			print_message("spec operation without a route: %s %s\n", ops[i].op.method,
				      ops[i].op.path);
			missing++;
			continue;
		}
		if (strcmp(r->summary, ops[i].summary))
			fail_msg("%s %s: summary \"%s\" but the spec says \"%s\"", ops[i].op.method,
				 ops[i].op.path, r->summary, ops[i].summary);
		if (ops[i].public_ != (r->scope == API_SCOPE_PUBLIC))
			fail_msg("%s %s: public in one and not in the other", ops[i].op.method,
				 ops[i].op.path);
		if (!ops[i].public_ && r->scope != (r->method == API_GET ? API_SCOPE_READ :
						    API_SCOPE_ADMIN))
			fail_msg("%s %s: GETs need read, mutations admin", ops[i].op.method,
				 ops[i].op.path);
		assert_non_null(r->handler);
	}
	assert_int_equal(missing, 0);
}

static void test_table_to_spec(void **state)
{
	struct spec_op ops[OPENAPI_MAX_OPS];
	int n = load(ops), i, extra = 0;
	size_t k, j;

	(void)state;
	assert_int_equal(routes_count, (size_t)n);
	for (k = 0; k < routes_count; k++) {
		const struct api_route *r = &routes_table[k];

		for (i = 0; i < n; i++)
			if (!strcmp(ops[i].op.method, api_method_name(r->method)) &&
			    !strcmp(ops[i].op.path, r->pattern))
				break;
		if (i == n) {
			print_message("route not in the spec: %s %s\n", api_method_name(r->method),
				      r->pattern);
			extra++;
		}
		for (j = k + 1; j < routes_count; j++)
			if (routes_table[j].method == r->method &&
			    !strcmp(routes_table[j].pattern, r->pattern))
				fail_msg("duplicate route %s %s", api_method_name(r->method),
					 r->pattern);
	}
	assert_int_equal(extra, 0);
}

/* Each pattern, with its {params} filled in, matches its own route and yields the params. */
static void test_patterns_reachable(void **state)
{
	size_t k;

	(void)state;
	for (k = 0; k < routes_count; k++) {
		const struct api_route *r = &routes_table[k], *got;
		char path[API_PATH_MAX], buf[API_PATH_MAX];
		struct api_req req = { 0 };
		const char *p = r->pattern;
		size_t o = 0;
		unsigned int nparams = 0;

		while (*p && o < sizeof(path) - 16) {
			if (*p == '{') {
				o += (size_t)snprintf(path + o, sizeof(path) - o, "p%u", nparams++);
				p = strchr(p, '}') + 1;
			} else {
				path[o++] = *p++;
			}
		}
		path[o] = '\0';
		assert_int_equal(api_route_match(routes_table, routes_count, r->method, path, &got,
						 &req, buf, sizeof(buf)), API_MATCH_OK);
		if (got != r)
			fail_msg("%s %s is shadowed by %s", api_method_name(r->method), path,
				 got->pattern);
		assert_int_equal(req.nparams, nparams);
		if (nparams)
			assert_string_equal(req.params[0], "p0");
	}
}

/* The table's comparison can fail: a spec with one operation more or less is caught. */
static void test_detects_drift(void **state)
{
	static const struct {
		const char *text;
		int want_ops;
	} cases[] = {
		{ "paths:\n  /healthz:\n    get:\n      summary: Liveness probe\n", 1 },
		{ "paths:\n  /api/v1/extra:\n    get:\n      summary: x\n    post:\n"
		  "      summary: y\ncomponents:\n", 2 },
	};
	char tmp[] = "/tmp/pv-openapi-XXXXXX";
	struct openapi_op raw[OPENAPI_MAX_OPS];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int fd = mkstemp(tmp);
		int n, missing = 0, k;

		assert_true(fd >= 0);
		assert_int_equal(write(fd, cases[i].text, strlen(cases[i].text)),
				 (ssize_t)strlen(cases[i].text));
		close(fd);
		n = openapi_read_ops(tmp, raw, OPENAPI_MAX_OPS);
		unlink(tmp);
		strcpy(tmp, "/tmp/pv-openapi-XXXXXX");
		assert_int_equal(n, cases[i].want_ops);
		for (k = 0; k < n; k++)
			missing += !route_of(raw[k].method, raw[k].path);
		/* the first spec lacks 22 routes of the table; the second has 2 unknown ones */
		assert_true(n != (int)routes_count || missing);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_to_table),
		cmocka_unit_test(test_table_to_spec),
		cmocka_unit_test(test_patterns_reachable),
		cmocka_unit_test(test_detects_drift),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
