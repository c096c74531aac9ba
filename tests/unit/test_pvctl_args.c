// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvctl argument handling as case tables: the option iterator, global options taken from
 * anywhere, names, bounded integers, durations, enumerations, and each command's option
 * parser down to the exact JSON body it would send.
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
#include <cmocka.h>

#include "api/pvctl.h"

#define MAXARGS 24

/* Split @line on spaces into @argv (modifies a copy kept in @buf). */
static int split(const char *line, char *buf, size_t len, char **argv)
{
	char *save = NULL, *tok;
	int n = 0;

	snprintf(buf, len, "%s", line);
	for (tok = strtok_r(buf, " ", &save); tok && n < MAXARGS; tok = strtok_r(NULL, " ", &save))
		argv[n++] = tok;
	argv[n] = NULL;
	return n;
}

static void test_names(void **state)
{
	static const struct {
		const char *s;
		bool ok;
	} cases[] = {
		{ "rt0", true }, { "a", true }, { "web_1-b", true },
		{ "abcdefghijklmnopqrstuvwxyz01234", true },	/* 31 */
		{ "abcdefghijklmnopqrstuvwxyz012345", false },	/* 32 */
		{ "", false }, { "Rt0", false }, { "rt 0", false }, { "rt/0", false },
		{ "rt.0", false }, { "../x", false }, { "rt0\n", false }, { "é", false },
	};
	char err[PVCTL_ERR_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (pvctl_name_valid(cases[i].s) != cases[i].ok)
			fail_msg("name '%s'", cases[i].s);
		assert_int_equal(pvctl_parse_name(cases[i].s, "VM name", err, sizeof(err)),
				 cases[i].ok ? 0 : -EINVAL);
	}
	assert_non_null(strstr(err, "invalid VM name"));
	assert_non_null(strstr(err, "a-z, 0-9"));
}

static void test_ints(void **state)
{
	static const struct {
		const char *s;
		long long min, max;
		int rc;
		long long v;
		const char *msg;
	} cases[] = {
		{ "1", 1, 16, 0, 1, NULL }, { "16", 1, 16, 0, 16, NULL },
		{ "0", 1, 16, -EINVAL, 0, "out of range (1..16)" },
		{ "17", 1, 16, -EINVAL, 0, "out of range" },
		{ "-5", -10, 10, 0, -5, NULL },
		{ "-5", 0, 10, -EINVAL, 0, "out of range" },
		{ "", 0, 10, -EINVAL, 0, "not an integer" },
		{ "abc", 0, 10, -EINVAL, 0, "not an integer" },
		{ "12abc", 0, 100, -EINVAL, 0, "not an integer" },
		{ " 1", 0, 10, -EINVAL, 0, "not an integer" },
		{ "+1", 0, 10, -EINVAL, 0, "not an integer" },
		{ "0x10", 0, 100, -EINVAL, 0, "not an integer" },
		{ "1.5", 0, 10, -EINVAL, 0, "not an integer" },
		{ "99999999999999999999", 0, INT64_MAX, -EINVAL, 0, "out of range" },
		{ "9223372036854775807", 0, INT64_MAX, 0, INT64_MAX, NULL },
	};
	char err[PVCTL_ERR_MAX];
	long long v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = pvctl_parse_int(cases[i].s, "--vcpus", cases[i].min, cases[i].max, &v, err,
					 sizeof(err));

		if (rc != cases[i].rc)
			fail_msg("int '%s': rc %d", cases[i].s, rc);
		if (!rc)
			assert_int_equal(v, cases[i].v);
		else
			assert_non_null(strstr(err, cases[i].msg));
	}
	assert_non_null(strstr(err, "--vcpus"));
}

static void test_durations(void **state)
{
	static const struct {
		const char *s;
		int rc;
		uint64_t ms;
		const char *msg;
	} cases[] = {
		{ "5s", 0, 5000, NULL }, { "500ms", 0, 500, NULL }, { "2m", 0, 120000, NULL },
		{ "1h", 0, 3600000, NULL }, { "1.5s", 0, 1500, NULL }, { "0.01s", 0, 10, NULL },
		{ "0s", 0, 0, NULL }, { "10ms", 0, 10, NULL }, { "0.5m", 0, 30000, NULL },
		{ "5", -EINVAL, 0, "needs a unit" }, { "", -EINVAL, 0, "not a duration" },
		{ "s", -EINVAL, 0, "not a duration" }, { "5x", -EINVAL, 0, "not a duration" },
		{ "5 s", -EINVAL, 0, "not a duration" }, { "-5s", -EINVAL, 0, "not a duration" },
		{ "1.s", -EINVAL, 0, "not a duration" }, { ".5s", -EINVAL, 0, "not a duration" },
		{ "5sec", -EINVAL, 0, "not a duration" }, { "5S", -EINVAL, 0, "not a duration" },
		{ "1.5ms", -EINVAL, 0, "finer than 1 ms" }, { "0.0001s", -EINVAL, 0, "finer" },
		{ "99999999999999999999h", -EINVAL, 0, "too long" },
	};
	char err[PVCTL_ERR_MAX];
	uint64_t ms;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = pvctl_parse_duration_ms(cases[i].s, "--window", &ms, err, sizeof(err));

		if (rc != cases[i].rc)
			fail_msg("duration '%s': rc %d", cases[i].s, rc);
		if (!rc)
			assert_int_equal(ms, cases[i].ms);
		else if (!strstr(err, cases[i].msg))
			fail_msg("duration '%s': message '%s'", cases[i].s, err);
	}
}

static void test_enum(void **state)
{
	char err[PVCTL_ERR_MAX];

	(void)state;
	assert_int_equal(pvctl_parse_enum("realtime", "--qos", pvctl_qos_classes, err, sizeof(err)),
			 2);
	assert_int_equal(pvctl_parse_enum("rt", "--qos", pvctl_qos_classes, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "--qos: 'rt' is not one of: best-effort, latency-sensitive, "
			    "realtime, partition");
}

static void test_optiter(void **state)
{
	static const struct pvctl_opt opts[] = {
		{ "file", 'f', true, 1 }, { "force", 0, false, 2 }, { NULL, 0, false, 0 },
	};
	static const struct {
		const char *line;
		const char *expect;	/* id:arg list */
	} cases[] = {
		{ "-f a.json x", "1:a.json P:x" },
		{ "--file=a.json --force", "1:a.json 2:" },
		{ "--file a --file=b", "1:a 1:b" },
		{ "- -- --force", "P:- P:--force" },
		{ "--nope", "E:unknown option '--nope'" },
		{ "--nope=1", "E:unknown option '--nope'" },
		{ "-x", "E:unknown option '-x'" },
		{ "-fa", "E:unknown option '-fa'" },
		{ "--file", "E:option '--file' needs a value" },
		{ "--force=yes", "E:option '--force' takes no value" },
	};
	char buf[256], got[512], err[PVCTL_ERR_MAX], *argv[MAXARGS + 1];
	struct pvctl_optiter it;
	const char *arg;
	size_t i, used;
	int argc, id;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		argc = split(cases[i].line, buf, sizeof(buf), argv);
		pvctl_opt_init(&it, argc, argv);
		used = 0;
		got[0] = '\0';
		while ((id = pvctl_opt_next(&it, opts, &arg, err, sizeof(err))) != PVCTL_OPT_END) {
			if (id == -EINVAL) {
				used += (size_t)snprintf(got + used, sizeof(got) - used, "%sE:%s",
							 used ? " " : "", err);
				break;
			}
			used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%s:%s",
						 used ? " " : "", id == PVCTL_OPT_POSITIONAL ? "P" :
						 id == 1 ? "1" : "2", arg ? arg : "");
		}
		if (strcmp(got, cases[i].expect))
			fail_msg("'%s': got '%s', want '%s'", cases[i].line, got, cases[i].expect);
	}
}

static void test_global(void **state)
{
	static const struct {
		const char *line;
		int rc;
		const char *rest, *addr, *token, *token_file, *timeout;
		bool json;
	} cases[] = {
		{ "vm list", 0, "vm list", NULL, NULL, NULL, NULL, false },
		{ "--json vm list", 0, "vm list", NULL, NULL, NULL, NULL, true },
		{ "vm list --json --addr unix:/s", 0, "vm list", "unix:/s", NULL, NULL, NULL, true },
		{ "--addr=h:1 --timeout 2s qos set a --class realtime", 0, "qos set a --class realtime",
		  "h:1", NULL, NULL, "2s", false },
		{ "--token-file /t vm show x", 0, "vm show x", NULL, NULL, "/t", NULL, false },
		{ "vm create --name a -- --json", 0, "vm create --name a -- --json", NULL, NULL, NULL,
		  NULL, false },
		{ "--token a --token-file b vm list", -EINVAL, NULL, NULL, NULL, NULL, NULL, false },
		{ "vm list --addr", -EINVAL, NULL, NULL, NULL, NULL, NULL, false },
		{ "--json=1 vm list", -EINVAL, NULL, NULL, NULL, NULL, NULL, false },
	};
	char buf[256], err[PVCTL_ERR_MAX], rest_s[256], *argv[MAXARGS + 1], *rest[MAXARGS + 1];
	struct pvctl_flags f;
	size_t i, used;
	int argc, nrest, rc, k;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		argc = split(cases[i].line, buf, sizeof(buf), argv);
		rc = pvctl_args_global(argc, argv, &f, rest, &nrest, err, sizeof(err));
		if (rc != cases[i].rc)
			fail_msg("'%s': rc %d", cases[i].line, rc);
		if (rc)
			continue;
		for (k = 0, used = 0, rest_s[0] = '\0'; k < nrest; k++)
			used += (size_t)snprintf(rest_s + used, sizeof(rest_s) - used, "%s%s",
						 k ? " " : "", rest[k]);
		assert_string_equal(rest_s, cases[i].rest);
		assert_int_equal(f.json, cases[i].json);
#define STR_EQ(a, b) do { if ((a) || (b)) assert_string_equal((a) ? (a) : "", (b) ? (b) : ""); } while (0)
		STR_EQ(f.addr, cases[i].addr);
		STR_EQ(f.token, cases[i].token);
		STR_EQ(f.token_file, cases[i].token_file);
		STR_EQ(f.timeout, cases[i].timeout);
	}
}

/* ---------------------------------------------------------------- command bodies */

static void check_body(json_t *body, const char *want)
{
	json_t *w = json_loads(want, 0, NULL);

	assert_non_null(w);
	if (!json_equal(body, w)) {
		char *got = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);

		fail_msg("body %s, want %s", got, want);
	}
	json_decref(w);
}

static void test_vm_create(void **state)
{
	static const struct {
		const char *line;
		const char *body;	/* NULL: a usage error whose message contains @msg */
		const char *msg;
	} cases[] = {
		{ "--name rt0", "{\"name\":\"rt0\"}", NULL },
		{ "--name rt0 --vcpus 2 --memory-mib 128 --workload rt:period_us=1000,wcet_us=200;cpu "
		  "--qos realtime --runtime-us 200 --period-us 1000",
		  "{\"name\":\"rt0\",\"vcpus\":2,\"memory_mib\":128,\"workload\":"
		  "\"rt:period_us=1000,wcet_us=200;cpu\",\"qos\":\"realtime\",\"reservation\":"
		  "{\"runtime_us\":200,\"period_us\":1000}}", NULL },
		{ "--name=a --halt-mode poll --poll-ns 50000 --latency-budget-us 100 --restart "
		  "on-failure --restart-backoff-ms 500 --max-restarts 3 --kernel pvguest --cmdline x",
		  "{\"name\":\"a\",\"halt_mode\":\"poll\",\"poll_ns\":50000,\"latency_budget_us\":100,"
		  "\"restart\":\"on-failure\",\"restart_backoff_ms\":500,\"max_restarts\":3,"
		  "\"kernel\":\"pvguest\",\"cmdline\":\"x\"}", NULL },
		{ "--name a --runtime-us 100 --period-us 1000 --deadline-us 500",
		  "{\"name\":\"a\",\"reservation\":{\"runtime_us\":100,\"period_us\":1000,"
		  "\"deadline_us\":500}}", NULL },
		{ "", NULL, "needs --name" },
		{ "--vcpus 2", NULL, "needs --name" },
		{ "--name Bad", NULL, "invalid VM name 'Bad'" },
		{ "--name a --vcpus 0", NULL, "--vcpus: 0 is out of range (1..16)" },
		{ "--name a --vcpus 17", NULL, "out of range (1..16)" },
		{ "--name a --memory-mib 8", NULL, "--memory-mib: 8 is out of range (16..65536)" },
		{ "--name a --memory-mib lots", NULL, "not an integer" },
		{ "--name a --qos gold", NULL, "--qos: 'gold' is not one of" },
		{ "--name a --halt-mode spin", NULL, "--halt-mode" },
		{ "--name a --poll-ns 10000001", NULL, "--poll-ns" },
		{ "--name a --runtime-us 100", NULL, "both --runtime-us and --period-us" },
		{ "--name a --period-us 100", NULL, "both --runtime-us and --period-us" },
		{ "--name a --runtime-us 2000 --period-us 1000", NULL, "must not exceed" },
		{ "--name a --runtime-us 100 --period-us 5", NULL, "--period-us: 5 is out of range" },
		{ "--name a --runtime-us 100 --period-us 1000 --deadline-us 50", NULL, "must lie" },
		{ "--name a extra", NULL, "unexpected argument 'extra'" },
		{ "--name a --colour red", NULL, "unknown option '--colour'" },
		{ "-f x.json --name a", NULL, "either -f FILE.json or flags" },
		{ "-f /nonexistent/spec.json", NULL, "-f /nonexistent/spec.json" },
	};
	char buf[512], err[PVCTL_ERR_MAX], *argv[MAXARGS + 1];
	json_t *body;
	size_t i;
	int argc, rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		argc = split(cases[i].line, buf, sizeof(buf), argv);
		err[0] = '\0';
		rc = pvctl_vm_create_body(argc, argv, &body, err, sizeof(err));
		if (cases[i].body) {
			if (rc)
				fail_msg("'%s': %s", cases[i].line, err);
			check_body(body, cases[i].body);
			json_decref(body);
		} else {
			if (rc != -EINVAL || !strstr(err, cases[i].msg))
				fail_msg("'%s': rc %d, message '%s', want '%s'", cases[i].line, rc,
					 err, cases[i].msg);
			assert_null(body);
		}
	}
}

static void test_vm_create_file(void **state)
{
	static const struct {
		const char *text;
		const char *msg;	/* NULL: accepted as written */
	} cases[] = {
		{ "{\"name\":\"web\",\"vcpus\":4,\"future_field\":true}", NULL },
		{ "{\"name\":\"web\",", "line 1" },
		{ "[1,2]", "must be a JSON object" },
		{ "{\"vcpus\":1}", "needs a \"name\" string" },
		{ "{\"name\":\"Web!\"}", "invalid VM name" },
		{ "{\"name\":\"a\",\"name\":\"b\"}", "duplicate" },
	};
	char path[64], err[PVCTL_ERR_MAX], *argv[3];
	json_t *body;
	size_t i;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/pvctl-args-%d.json", (int)getpid());
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(cases[i].text, f);
		fclose(f);
		argv[0] = "-f";
		argv[1] = path;
		argv[2] = NULL;
		err[0] = '\0';
		if (!cases[i].msg) {
			assert_int_equal(pvctl_vm_create_body(2, argv, &body, err, sizeof(err)), 0);
			check_body(body, cases[i].text);
			json_decref(body);
		} else {
			assert_int_equal(pvctl_vm_create_body(2, argv, &body, err, sizeof(err)),
					 -EINVAL);
			if (!strstr(err, cases[i].msg))
				fail_msg("'%s': message '%s'", cases[i].text, err);
		}
	}
	unlink(path);
}

static void test_qos_set(void **state)
{
	static const struct {
		const char *line;
		const char *name, *body, *msg;
	} cases[] = {
		{ "rt0 --class realtime --runtime-us 200 --period-us 1000", "rt0",
		  "{\"class\":\"realtime\",\"reservation\":{\"runtime_us\":200,\"period_us\":1000}}",
		  NULL },
		{ "--class latency-sensitive --latency-budget-us 50 web", "web",
		  "{\"class\":\"latency-sensitive\",\"latency_budget_us\":50}", NULL },
		{ "a --class best-effort --runtime-us 1 --period-us 10 --deadline-us 0", "a",
		  "{\"class\":\"best-effort\",\"reservation\":{\"runtime_us\":1,\"period_us\":10,"
		  "\"deadline_us\":0}}", NULL },
		{ "--class realtime", NULL, NULL, "missing VM name" },
		{ "rt0", NULL, NULL, "--class is required" },
		{ "rt0 --class rt", NULL, NULL, "--class: 'rt' is not one of" },
		{ "rt0 rt1 --class realtime", NULL, NULL, "unexpected argument 'rt1'" },
		{ "RT0 --class realtime", NULL, NULL, "invalid VM name" },
		{ "rt0 --class realtime --latency-budget-us 1000001", NULL, NULL, "out of range" },
		{ "rt0 --class realtime --deadline-us 100", NULL, NULL, "both --runtime-us" },
		{ "rt0 --class realtime --runtime-us 0 --period-us 100", NULL, NULL,
		  "--runtime-us: 0 is out of range" },
	};
	char buf[512], err[PVCTL_ERR_MAX], *argv[MAXARGS + 1];
	const char *name;
	json_t *body;
	size_t i;
	int argc, rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		argc = split(cases[i].line, buf, sizeof(buf), argv);
		err[0] = '\0';
		rc = pvctl_qos_set_body(argc, argv, &name, &body, err, sizeof(err));
		if (cases[i].body) {
			if (rc)
				fail_msg("'%s': %s", cases[i].line, err);
			assert_string_equal(name, cases[i].name);
			check_body(body, cases[i].body);
			json_decref(body);
		} else if (rc != -EINVAL || !strstr(err, cases[i].msg)) {
			fail_msg("'%s': rc %d, message '%s'", cases[i].line, rc, err);
		}
	}
}

static void test_power_set(void **state)
{
	static const struct {
		const char *line;
		const char *body, *msg;
	} cases[] = {
		{ "up_threshold_pct=80", "{\"tunables\":{\"up_threshold_pct\":80}}", NULL },
		{ "a=1 b_2=-3", "{\"tunables\":{\"a\":1,\"b_2\":-3}}", NULL },
		{ "", NULL, "at least one" },
		{ "up_threshold_pct", NULL, "expected TUNABLE=VALUE" },
		{ "=5", NULL, "tunable names" },
		{ "Up=5", NULL, "tunable names" },
		{ "1a=5", NULL, "tunable names" },
		{ "a=", NULL, "a: '' is not an integer" },
		{ "a=fast", NULL, "not an integer" },
		{ "a=1 a=2", NULL, "given twice" },
	};
	char buf[256], err[PVCTL_ERR_MAX], *argv[MAXARGS + 1];
	json_t *body;
	size_t i;
	int argc, rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		argc = split(cases[i].line, buf, sizeof(buf), argv);
		err[0] = '\0';
		rc = pvctl_power_set_body(argc, argv, &body, err, sizeof(err));
		if (cases[i].body) {
			assert_int_equal(rc, 0);
			check_body(body, cases[i].body);
			json_decref(body);
		} else if (rc != -EINVAL || !strstr(err, cases[i].msg)) {
			fail_msg("'%s': rc %d, message '%s'", cases[i].line, rc, err);
		}
	}
}

static void test_trace_and_top(void **state)
{
	char buf[256], err[PVCTL_ERR_MAX], target[160], *argv[MAXARGS + 1];
	struct pvctl_export_opts eo;
	struct pvctl_tail_opts to;
	struct pvctl_top_opts po;
	int argc;

	(void)state;
	argc = split("-o t.json", buf, sizeof(buf), argv);
	assert_int_equal(pvctl_trace_export_parse(argc, argv, &eo, err, sizeof(err)), 0);
	assert_string_equal(eo.file, "t.json");
	assert_int_equal(eo.window_ms, 5000);
	argc = split("--window 500ms --output=x", buf, sizeof(buf), argv);
	assert_int_equal(pvctl_trace_export_parse(argc, argv, &eo, err, sizeof(err)), 0);
	assert_int_equal(eo.window_ms, 500);
	argc = split("--window 5s", buf, sizeof(buf), argv);
	assert_int_equal(pvctl_trace_export_parse(argc, argv, &eo, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "-o FILE is required");
	argc = split("-o x --window 2m", buf, sizeof(buf), argv);
	assert_int_equal(pvctl_trace_export_parse(argc, argv, &eo, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "out of range (10ms..60s)"));
	argc = split("-o x --window 5ms", buf, sizeof(buf), argv);
	assert_int_equal(pvctl_trace_export_parse(argc, argv, &eo, err, sizeof(err)), -EINVAL);
	argc = split("-o x --window 5", buf, sizeof(buf), argv);
	assert_int_equal(pvctl_trace_export_parse(argc, argv, &eo, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "needs a unit"));

	argc = split("", buf, sizeof(buf), argv);
	assert_int_equal(pvctl_trace_tail_parse(argc, argv, &to, err, sizeof(err)), 0);
	assert_int_equal(to.since, 0);
	assert_int_equal(to.limit, 1000);
	assert_int_equal(to.interval_ms, 1000);
	assert_int_equal(pvctl_trace_target(&to, 0, target, sizeof(target)), 0);
	assert_string_equal(target, "/api/v1/trace?since=0&limit=1000");
	argc = split("--since 42 --vm rt0 --limit 10 --interval 100ms --iterations 3", buf,
		     sizeof(buf), argv);
	assert_int_equal(pvctl_trace_tail_parse(argc, argv, &to, err, sizeof(err)), 0);
	assert_int_equal(to.iterations, 3);
	assert_int_equal(pvctl_trace_target(&to, to.since, target, sizeof(target)), 0);
	assert_string_equal(target, "/api/v1/trace?since=42&limit=10&vm=rt0");
	argc = split("--vm rt0 --type rt_miss,reservation --since 7", buf, sizeof(buf), argv);
	assert_int_equal(pvctl_trace_tail_parse(argc, argv, &to, err, sizeof(err)), 0);
	assert_string_equal(to.type, "rt_miss,reservation");
	assert_int_equal(pvctl_trace_target(&to, to.since, target, sizeof(target)), 0);
	assert_string_equal(target,
			    "/api/v1/trace?since=7&limit=1000&vm=rt0&type=rt_miss,reservation");
	argc = split("--type pstate", buf, sizeof(buf), argv);
	assert_int_equal(pvctl_trace_tail_parse(argc, argv, &to, err, sizeof(err)), 0);
	assert_int_equal(pvctl_trace_target(&to, 0, target, sizeof(target)), 0);
	assert_string_equal(target, "/api/v1/trace?since=0&limit=1000&type=pstate");
	argc = split("--type rt_miss&vm=x", buf, sizeof(buf), argv);
	assert_int_equal(pvctl_trace_tail_parse(argc, argv, &to, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "invalid --type 'rt_miss&vm=x'"));
	argc = split("--type RT_MISS", buf, sizeof(buf), argv);
	assert_int_equal(pvctl_trace_tail_parse(argc, argv, &to, err, sizeof(err)), -EINVAL);
	argc = split("--type", buf, sizeof(buf), argv);
	assert_int_equal(pvctl_trace_tail_parse(argc, argv, &to, err, sizeof(err)), -EINVAL);
	{
		char longt[300], big[400];

		memset(longt, 'a', 257);
		longt[257] = '\0';
		argv[0] = "--type";
		argv[1] = longt;
		argv[2] = NULL;
		assert_int_equal(pvctl_trace_tail_parse(2, argv, &to, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "at most 256 characters"));
		longt[256] = '\0';
		assert_int_equal(pvctl_trace_tail_parse(2, argv, &to, err, sizeof(err)), 0);
		assert_int_equal(pvctl_trace_target(&to, INT64_MAX, target, sizeof(target)),
				 -ENAMETOOLONG);
		assert_int_equal(pvctl_trace_target(&to, INT64_MAX, big, sizeof(big)), 0);
		assert_int_equal(strlen(big), 56 + 256);
	}
	argc = split("--since -1", buf, sizeof(buf), argv);
	assert_int_equal(pvctl_trace_tail_parse(argc, argv, &to, err, sizeof(err)), -EINVAL);
	argc = split("--vm ../etc", buf, sizeof(buf), argv);
	assert_int_equal(pvctl_trace_tail_parse(argc, argv, &to, err, sizeof(err)), -EINVAL);
	argc = split("--limit 10001", buf, sizeof(buf), argv);
	assert_int_equal(pvctl_trace_tail_parse(argc, argv, &to, err, sizeof(err)), -EINVAL);

	argc = split("--iterations 2", buf, sizeof(buf), argv);
	assert_int_equal(pvctl_top_parse(argc, argv, &po, err, sizeof(err)), 0);
	assert_int_equal(po.iterations, 2);
	assert_int_equal(po.interval_ms, 1000);
	argc = split("--interval 1ms", buf, sizeof(buf), argv);
	assert_int_equal(pvctl_top_parse(argc, argv, &po, err, sizeof(err)), -EINVAL);
	argc = split("--iterations two", buf, sizeof(buf), argv);
	assert_int_equal(pvctl_top_parse(argc, argv, &po, err, sizeof(err)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_ints),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_enum),
		cmocka_unit_test(test_optiter),
		cmocka_unit_test(test_global),
		cmocka_unit_test(test_vm_create),
		cmocka_unit_test(test_vm_create_file),
		cmocka_unit_test(test_qos_set),
		cmocka_unit_test(test_power_set),
		cmocka_unit_test(test_trace_and_top),
	};

	return cmocka_run_group_tests_name("pvctl_args", tests, NULL, NULL);
}
