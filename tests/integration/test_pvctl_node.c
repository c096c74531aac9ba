// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvctl end to end, the node-wide commands: node, metrics, power, trace export|tail and
 * top, run against the fake daemon of tests/common/pvctl_fake.h — tables, --json, the
 * trace export file, the trace cursor, top's frames.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/common/pvctl_run.h"

static void test_power(void **state)
{
	char l[256];

	(void)state;
	PV("power", "get");
	EXPECT(0, "governor:  ondemand (available: performance,powersave,ondemand,transition)\n"
	       "backend:   model\n", "");
	assert_string_equal(LINE_WITH("TUNABLE", l),
			    "TUNABLE           VALUE  MIN   MAX  DEFAULT");
	assert_string_equal(LINE_WITH("up_threshold", l),
			    "up_threshold_pct     80    1   100       80");
	PVJ("power", "get");
	EXPECT_JSON_STDOUT(pvfake_power_json);
	PV("power", "set-governor", "powersave");
	EXPECT(0, "governor:  powersave", "");
	assert_string_equal(pvfake.method, "PUT");
	EXPECT_BODY("{'governor':'powersave'}");
	PV("power", "set", "up_threshold_pct=90", "sampling_ms=20");
	EXPECT(0, "governor:  ondemand", "");
	EXPECT_BODY("{'tunables':{'up_threshold_pct':90,'sampling_ms':20}}");
	PV("power", "set", "bogus=1");
	EXPECT(1, "", "pvctl: invalid_field: the governor has no tunable bogus (field "
	       "tunables.bogus)\n");
	PV("power", "set-governor", "turbo");
	EXPECT(64, "", NULL);
	assert_non_null(strstr(pvrun.err,
			       "governor: 'turbo' is not one of: performance, powersave"));
	PV("power", "set", "up_threshold_pct=high");
	EXPECT(64, "", NULL);
	assert_non_null(strstr(pvrun.err, "up_threshold_pct: 'high' is not an integer"));
}

static void test_trace_export(void **state)
{
	char path[128], msg[256], *text;
	size_t len;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/trace.json", pvrun.dir);
	PV("trace", "export", "-o", path, "--window", "500ms");
	snprintf(msg, sizeof(msg), "wrote 2 events (%zu bytes, last 0.5 s) to %s\n",
		 strlen(pvfake_perfetto_json), path);
	EXPECT(0, msg, "");
	assert_non_null(strstr(pvrun.out, "https://ui.perfetto.dev"));
	assert_string_equal(pvfake.path, "/api/v1/trace/perfetto");
	assert_string_equal(pvfake.window, "0.500");
	f = fopen(path, "r");
	assert_non_null(f);
	text = calloc(1, 65536);
	len = fread(text, 1, 65535, f);
	fclose(f);
	assert_int_equal(len, strlen(pvfake_perfetto_json));
	assert_string_equal(text, pvfake_perfetto_json);	/* the server's bytes, untouched */
	free(text);

	PV("trace", "export", "-o", path);		/* default window */
	EXPECT(0, "last 5 s", "");
	assert_string_equal(pvfake.window, "5.000");
	PV("trace", "export", "--window", "2m", "-o", path);
	EXPECT(64, "", NULL);
	assert_non_null(strstr(pvrun.err, "--window: 2m is out of range (10ms..60s)"));
	PV("trace", "export", "--window", "5s");
	EXPECT(64, "", NULL);
	assert_non_null(strstr(pvrun.err, "-o FILE is required"));
	PV("trace", "export", "-o", "/nonexistent-dir/t.json");
	EXPECT(1, "", NULL);
	assert_non_null(strstr(pvrun.err, "pvctl: cannot write /nonexistent-dir/t.json"));
}

static void test_trace_tail(void **state)
{
	char l[256];
	json_t *j;

	(void)state;
	PV("trace", "tail", "--iterations", "2", "--interval", "10ms");
	EXPECT(0, NULL, "");
	assert_string_equal(LINE_WITH("SEQ", l),
			    "       SEQ         TIME (s)  VM           VCPU  TYPE           DETAIL");
	assert_string_equal(LINE_WITH("hlt", l),
			    "         0         1.000000  rt0             0  vm_exit        reason=hlt");
	assert_string_equal(LINE_WITH("rt_miss", l),
			    "         2         1.002000  web             1  rt_miss        "
			    "lateness_ns=1500 task=ctl");
	assert_string_equal(pvfake.since, "3");		/* the second poll used `next` */
	assert_string_equal(pvfake.limit, "1000");
	PVJ("trace", "tail", "--iterations", "1", "--vm", "rt0", "--since", "0");
	EXPECT(0, NULL, "");
	assert_string_equal(pvfake.vm, "rt0");
	j = json_loads(pvrun.out, JSON_DISABLE_EOF_CHECK, NULL);	/* first NDJSON line */
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "type")), "vm_exit");
	json_decref(j);
	PV("trace", "tail", "--vm", "Bad!");
	EXPECT(64, "", NULL);
}

static void test_node_metrics(void **state)
{
	char l[256];

	(void)state;
	PV("node");
	EXPECT(0, "host:      node1 (powervisord 1.0.0, up 3600 s)\n"
	       "policy:    governor ondemand, backend model, tick 10 ms\n"
	       "power:     45.20 W, 162720.5 J since start (idle 1000.0 J, overhead 50.0 J; "
	       "source model)\np-states:  800, 1600, 2400 MHz\n", "");
	assert_string_equal(LINE_WITH("FREQ (MHz)", l),
			    "CPU  FREQ (MHz)  UTIL (%)  GUEST (%)  VMM (%)  HALT (%)  IDLE (%)  "
			    "C-LIMIT  C-STATE (%)  FLOOR (MHz)  LAT BUDGET (µs)");
	assert_string_equal(LINE_WITH("  0        2400", l),
			    "  0        2400      87.5       80.0      7.5       0.0      12.5  "
			    "C1       C1 12%              1600               50");
	PVJ("node");
	EXPECT_JSON_STDOUT(pvfake_node_json);
	PV("metrics");
	EXPECT(0, NULL, "");
	assert_string_equal(pvrun.out, pvfake_metrics_text);
}

static void test_top(void **state)
{
	const char *second;

	(void)state;
	PV("top", "--iterations", "2");
	EXPECT(0, "pvctl top — node1", "");
	second = strstr(strstr(pvrun.out, "pvctl top —") + 1, "pvctl top —");
	assert_non_null(second);			/* two frames */
	assert_null(strstr(second + 1, "pvctl top —"));	/* and only two */
	assert_null(strchr(pvrun.out, '\033'));		/* not a terminal: no escapes */
	assert_non_null(strstr(pvrun.out, "governor ondemand (model)  node 45.20 W"));
	assert_non_null(strstr(second, "rt0  running  realtime"));
	assert_non_null(strstr(second, "CPU  FREQ (MHz)"));
	PVJ("top", "--iterations", "1");
	EXPECT(0, "\"node\": {", "");
	PV("top", "--iterations", "x");
	EXPECT(64, "", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_power),
		cmocka_unit_test(test_trace_export),
		cmocka_unit_test(test_trace_tail),
		cmocka_unit_test(test_node_metrics),
		cmocka_unit_test(test_top),
	};

	return cmocka_run_group_tests_name("pvctl node", tests, pvctl_run_setup,
					   pvctl_run_teardown);
}
