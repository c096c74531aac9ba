// SPDX-License-Identifier: GPL-2.0-only
/* vmm/ctl_proto.c: a case table of good and bad request lines, and the encoders. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "tracer/event.h"
#include "vmm/ctl_proto.h"

static void test_parse_table(void **state)
{
	static const struct {
		const char *line;
		int want;		/* 0 or -EINVAL */
		int cmd;		/* when good */
		int64_t id;		/* -1 = no id */
		const char *msg;	/* substring of the error */
	} cases[] = {
		{ "{\"id\":1,\"cmd\":\"hello\"}", 0, CTL_HELLO, 1, NULL },
		{ "{\"cmd\":\"pause\"}", 0, CTL_PAUSE, -1, NULL },
		{ "{\"id\":0,\"cmd\":\"resume\"}", 0, CTL_RESUME, 0, NULL },
		{ "{\"id\":9007199254740992,\"cmd\":\"shutdown\"}", 0, CTL_SHUTDOWN, 9007199254740992ll, NULL },
		{ "{\"id\":3,\"cmd\":\"stats\"}", 0, CTL_STATS, 3, NULL },
		{ " {\"id\":4, \"cmd\" : \"set-halt-mode\", \"mode\":\"poll\", \"poll_ns\":50000} ", 0,
		  CTL_SET_HALT_MODE, 4, NULL },
		{ "{\"id\":5,\"cmd\":\"set-halt-mode\",\"mode\":\"native\"}", 0, CTL_SET_HALT_MODE, 5, NULL },
		{ "{\"id\":6,\"cmd\":\"set-timer\",\"vcpu\":1,\"period_us\":1000}", 0, CTL_SET_TIMER, 6, NULL },
		{ "{\"id\":7,\"cmd\":\"set-timer\",\"vcpu\":0,\"deadline_us\":0}", 0, CTL_SET_TIMER, 7, NULL },
		{ "{\"id\":8,\"cmd\":\"set-timer\",\"vcpu\":0,\"period_us\":0}", 0, CTL_SET_TIMER, 8, NULL },
		{ "{\"id\":9,\"cmd\":\"set-budget\",\"vcpu\":0,\"runtime_us\":300,\"period_us\":1000}", 0, CTL_SET_BUDGET, 9, NULL },
		{ "{\"id\":10,\"cmd\":\"set-budget\",\"vcpu\":255,\"runtime_us\":100,\"period_us\":100}", 0, CTL_SET_BUDGET, 10, NULL },
		{ "{\"id\":11,\"cmd\":\"set-budget\",\"vcpu\":1,\"runtime_us\":1,\"period_us\":10000000}", 0, CTL_SET_BUDGET, 11, NULL },
		{ "{\"id\":12,\"cmd\":\"set-budget\",\"vcpu\":0,\"runtime_us\":0}", 0, CTL_SET_BUDGET, 12, NULL },
		{ "{\"id\":13,\"cmd\":\"set-budget\",\"vcpu\":0,\"runtime_us\":0,\"period_us\":0}", 0, CTL_SET_BUDGET, 13, NULL },
		{ "{\"cmd\":\"set-budget\",\"period_us\":1000,\"runtime_us\":0,\"vcpu\":3}", 0, CTL_SET_BUDGET, -1, NULL },
		/* bad */
		{ "", -EINVAL, 0, -1, "bad JSON" },
		{ "{", -EINVAL, 0, -1, "bad JSON" },
		{ "not json", -EINVAL, 0, -1, "bad JSON" },
		{ "[1,2]", -EINVAL, 0, -1, "object" },
		{ "\"hello\"", -EINVAL, 0, -1, "object" },
		{ "{\"id\":1}", -EINVAL, 0, 1, "cmd" },
		{ "{\"id\":1,\"cmd\":7}", -EINVAL, 0, 1, "cmd" },
		{ "{\"id\":1,\"cmd\":\"reboot\"}", -EINVAL, 0, 1, "unknown command" },
		{ "{\"id\":\"1\",\"cmd\":\"hello\"}", -EINVAL, 0, -1, "id" },
		{ "{\"id\":-1,\"cmd\":\"hello\"}", -EINVAL, 0, -1, "id" },
		{ "{\"id\":1.5,\"cmd\":\"hello\"}", -EINVAL, 0, -1, "id" },
		{ "{\"id\":9007199254740993,\"cmd\":\"hello\"}", -EINVAL, 0, -1, "id" },
		{ "{\"id\":1,\"cmd\":\"hello\",\"cmd\":\"pause\"}", -EINVAL, 0, -1, "bad JSON" },
		{ "{\"id\":1,\"cmd\":\"pause\",\"extra\":1}", -EINVAL, 0, 1, "unknown argument" },
		{ "{\"id\":1,\"cmd\":\"set-halt-mode\"}", -EINVAL, 0, 1, "mode" },
		{ "{\"id\":1,\"cmd\":\"set-halt-mode\",\"mode\":\"guest\"}", -EINVAL, 0, 1, "mode" },
		{ "{\"id\":1,\"cmd\":\"set-halt-mode\",\"mode\":3}", -EINVAL, 0, 1, "mode" },
		{ "{\"id\":1,\"cmd\":\"set-halt-mode\",\"mode\":\"poll\",\"poll_ns\":-5}", -EINVAL, 0, 1, "poll_ns" },
		{ "{\"id\":1,\"cmd\":\"set-halt-mode\",\"mode\":\"poll\",\"poll_ns\":99999999999}", -EINVAL, 0, 1, "poll_ns" },
		{ "{\"id\":1,\"cmd\":\"set-halt-mode\",\"mode\":\"poll\",\"poll_ns\":\"5\"}", -EINVAL, 0, 1, "poll_ns" },
		{ "{\"id\":1,\"cmd\":\"set-timer\",\"period_us\":1000}", -EINVAL, 0, 1, "vcpu" },
		{ "{\"id\":1,\"cmd\":\"set-timer\",\"vcpu\":0}", -EINVAL, 0, 1, "exactly one" },
		{ "{\"id\":1,\"cmd\":\"set-timer\",\"vcpu\":0,\"period_us\":1,\"deadline_us\":1}", -EINVAL, 0, 1, "exactly one" },
		{ "{\"id\":1,\"cmd\":\"set-timer\",\"vcpu\":0,\"period_us\":10}", -EINVAL, 0, 1, "period_us" },
		{ "{\"id\":1,\"cmd\":\"set-timer\",\"vcpu\":256,\"period_us\":1000}", -EINVAL, 0, 1, "vcpu" },
		{ "{\"id\":1,\"cmd\":\"set-timer\",\"vcpu\":true,\"period_us\":1000}", -EINVAL, 0, 1, "vcpu" },
		{ "{\"id\":1,\"cmd\":\"set-timer\",\"vcpu\":0,\"period_us\":1e3}", -EINVAL, 0, 1, "period_us" },
		{ "{\"id\":1,\"cmd\":\"set-timer\",\"vcpu\":0,\"deadline_us\":99999999999999}", -EINVAL, 0, 1, "deadline_us" },
		/* set-budget: vcpu in range, 0 < R <= P, 100 us <= P <= 10 s, integers, known keys */
		{ "{\"id\":1,\"cmd\":\"set-budget\",\"runtime_us\":300,\"period_us\":1000}", -EINVAL, 0, 1, "vcpu" },
		{ "{\"id\":1,\"cmd\":\"set-budget\",\"vcpu\":256,\"runtime_us\":300,\"period_us\":1000}", -EINVAL, 0, 1, "vcpu" },
		{ "{\"id\":1,\"cmd\":\"set-budget\",\"vcpu\":-1,\"runtime_us\":300,\"period_us\":1000}", -EINVAL, 0, 1, "vcpu" },
		{ "{\"id\":1,\"cmd\":\"set-budget\",\"vcpu\":\"0\",\"runtime_us\":300,\"period_us\":1000}", -EINVAL, 0, 1, "vcpu" },
		{ "{\"id\":1,\"cmd\":\"set-budget\",\"vcpu\":0,\"period_us\":1000}", -EINVAL, 0, 1, "runtime_us" },
		{ "{\"id\":1,\"cmd\":\"set-budget\",\"vcpu\":0,\"runtime_us\":300}", -EINVAL, 0, 1, "period_us" },
		{ "{\"id\":1,\"cmd\":\"set-budget\",\"vcpu\":0,\"runtime_us\":1001,\"period_us\":1000}", -EINVAL, 0, 1, "exceed" },
		{ "{\"id\":1,\"cmd\":\"set-budget\",\"vcpu\":0,\"runtime_us\":50,\"period_us\":99}", -EINVAL, 0, 1, "period_us" },
		{ "{\"id\":1,\"cmd\":\"set-budget\",\"vcpu\":0,\"runtime_us\":300,\"period_us\":10000001}", -EINVAL, 0, 1, "period_us" },
		{ "{\"id\":1,\"cmd\":\"set-budget\",\"vcpu\":0,\"runtime_us\":10000001,\"period_us\":10000000}", -EINVAL, 0, 1, "runtime_us" },
		{ "{\"id\":1,\"cmd\":\"set-budget\",\"vcpu\":0,\"runtime_us\":-300,\"period_us\":1000}", -EINVAL, 0, 1, "runtime_us" },
		{ "{\"id\":1,\"cmd\":\"set-budget\",\"vcpu\":0,\"runtime_us\":300.0,\"period_us\":1000}", -EINVAL, 0, 1, "runtime_us" },
		{ "{\"id\":1,\"cmd\":\"set-budget\",\"vcpu\":0,\"runtime_us\":3e2,\"period_us\":1000}", -EINVAL, 0, 1, "runtime_us" },
		{ "{\"id\":1,\"cmd\":\"set-budget\",\"vcpu\":0,\"runtime_us\":300,\"period_us\":\"1000\"}", -EINVAL, 0, 1, "period_us" },
		{ "{\"id\":1,\"cmd\":\"set-budget\",\"vcpu\":0,\"runtime_us\":300,\"period_us\":null}", -EINVAL, 0, 1, "period_us" },
		{ "{\"id\":1,\"cmd\":\"set-budget\",\"vcpu\":0,\"runtime_us\":true,\"period_us\":1000}", -EINVAL, 0, 1, "runtime_us" },
		{ "{\"id\":1,\"cmd\":\"set-budget\",\"vcpu\":0,\"runtime_us\":0,\"period_us\":10000001}", -EINVAL, 0, 1, "period_us" },
		{ "{\"id\":1,\"cmd\":\"set-budget\",\"vcpu\":0,\"runtime_us\":300,\"period_us\":1000,\"deadline_us\":900}", -EINVAL, 0, 1, "unknown argument" },
		{ "{\"id\":1,\"cmd\":\"set-budget\",\"vcpu\":0,\"runtime_ns\":300000,\"period_us\":1000}", -EINVAL, 0, 1, "unknown argument" },
		{ "{\"id\":1,\"cmd\":\"set-budget\",\"vcpu\":0,\"runtime_us\":300,\"runtime_us\":200,\"period_us\":1000}", -EINVAL, 0, -1, "bad JSON" },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctl_req req;
		char err[CTL_ERR_MAX] = "";
		int ret = ctl_proto_parse(cases[i].line, strlen(cases[i].line), &req, err, sizeof(err));

		if (ret != cases[i].want)
			fail_msg("case %u '%s': got %d (%s)", i, cases[i].line, ret, err);
		if (cases[i].msg && !strstr(err, cases[i].msg))
			fail_msg("case %u: message '%s' lacks '%s'", i, err, cases[i].msg);
		if (cases[i].id >= 0) {
			assert_true(req.has_id);
			assert_int_equal(req.id, cases[i].id);
		} else {
			assert_false(req.has_id);
		}
		if (!ret)
			assert_int_equal(req.cmd, cases[i].cmd);
	}
}

static void test_parse_args(void **state)
{
	struct ctl_req req;
	char err[CTL_ERR_MAX];
	const char *l1 = "{\"id\":2,\"cmd\":\"set-halt-mode\",\"mode\":\"poll\",\"poll_ns\":50000}";
	const char *l2 = "{\"id\":2,\"cmd\":\"set-timer\",\"vcpu\":1,\"period_us\":1000}";
	const char *l3 = "{\"id\":3,\"cmd\":\"set-budget\",\"vcpu\":2,\"runtime_us\":300,\"period_us\":1000}";
	const char *l4 = "{\"id\":4,\"cmd\":\"set-budget\",\"vcpu\":1,\"runtime_us\":0}";
	char big[CTL_LINE_MAX + 10];

	(void)state;
	assert_int_equal(ctl_proto_parse(l1, strlen(l1), &req, err, sizeof(err)), 0);
	assert_int_equal(req.halt.mode, PV_HALT_POLL);
	assert_true(req.halt.has_poll_ns);
	assert_int_equal(req.halt.poll_ns, 50000);
	assert_int_equal(ctl_proto_parse(l2, strlen(l2), &req, err, sizeof(err)), 0);
	assert_int_equal(req.timer.vcpu, 1);
	assert_int_equal(req.timer.period_us, 1000);
	assert_int_equal(req.timer.deadline_us, 0);
	assert_int_equal(ctl_proto_parse(l3, strlen(l3), &req, err, sizeof(err)), 0);
	assert_int_equal(req.cmd, CTL_SET_BUDGET);
	assert_int_equal(req.budget.vcpu, 2);
	assert_int_equal(req.budget.runtime_us, 300);
	assert_int_equal(req.budget.period_us, 1000);
	assert_int_equal(ctl_proto_parse(l4, strlen(l4), &req, err, sizeof(err)), 0);
	assert_int_equal(req.budget.vcpu, 1);
	assert_int_equal(req.budget.runtime_us, 0);
	assert_int_equal(req.budget.period_us, 0);
	/* oversized and embedded NUL */
	memset(big, ' ', sizeof(big));
	assert_int_equal(ctl_proto_parse(big, sizeof(big), &req, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "longer"));
	assert_int_equal(ctl_proto_parse("{\"cmd\":\"hello\"}\0x", 17, &req, err, sizeof(err)), -EINVAL);
}

static void test_encode(void **state)
{
	struct ctl_req req = { .has_id = true, .id = 42 };
	char *s;

	(void)state;
	s = ctl_proto_ok(&req, json_pack("{s:i}", "x", 1));
	assert_string_equal(s, "{\"id\":42,\"ok\":true,\"result\":{\"x\":1}}\n");
	free(s);
	s = ctl_proto_ok(&req, NULL);
	assert_string_equal(s, "{\"id\":42,\"ok\":true,\"result\":{}}\n");
	free(s);
	s = ctl_proto_error(NULL, "bad \"thing\"");
	assert_string_equal(s, "{\"id\":null,\"ok\":false,\"error\":\"bad \\\"thing\\\"\"}\n");
	free(s);
	s = ctl_proto_event("vm-end", json_pack("{s:s}", "reason", "poweroff"));
	assert_non_null(strstr(s, "\"event\":\"vm-end\""));
	assert_non_null(strstr(s, "\"reason\":\"poweroff\""));
	assert_int_equal(s[strlen(s) - 1], '\n');
	free(s);
	assert_string_equal(ctl_cmd_name(CTL_SET_TIMER), "set-timer");
	assert_string_equal(ctl_cmd_name(CTL_SET_BUDGET), "set-budget");
	assert_string_equal(ctl_cmd_name(CTL_CMD_MAX), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_args),
		cmocka_unit_test(test_encode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
