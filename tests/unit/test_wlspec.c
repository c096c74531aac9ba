// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workload strings checked on the host (daemon/wlspec.c, the guest's own parser built for
 * the host): a table of strings pvguest accepts and of strings it refuses, each refusal with
 * the message that names the offending item, plus the task-placement limit the guest
 * enforces when it creates the tasks.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/wlspec.h"

#define CPU4	"cpu;cpu;cpu;cpu"
#define CPU8	CPU4 ";" CPU4

struct wl_case {
	const char *workload;
	uint32_t vcpus;
	const char *error;	/* NULL: accepted; else the whole message */
};

static const struct wl_case cases[] = {
	/* accepted */
	{ "idle", 1, NULL },
	{ "cpu", 1, NULL },
	{ "rt:period_us=1000,wcet_us=200", 1, NULL },
	{ "rt:period_us=1000,wcet_us=200,deadline_us=500", 1, NULL },
	{ "rt:period_us=1000,wcet_us=200;cpu", 2, NULL },
	{ "rt:wcet_us=200,period_us=1000,vcpu=1", 2, NULL },	/* keys in any order */
	{ "burst:on_ms=20,off_ms=30", 1, NULL },
	{ "burst:on_ms=0,off_ms=30", 1, NULL },
	{ "pio-loop:n=1000", 1, NULL },
	{ "hlt-wake:n=10,period_us=1000", 1, NULL },
	{ "triple-fault", 1, NULL },
	{ "bad-insn", 1, NULL },
	{ "garbage-ports:n=5;garbage-mmio:n=5", 1, NULL },
	{ "exit-flood", 1, NULL },
	{ "bad-pv", 1, NULL },
	{ "bad-pv:n=5", 1, NULL },
	{ "cpu;;idle;", 1, NULL },		/* empty items are tolerated */
	{ " cpu; idle", 1, NULL },		/* so are leading spaces */
	{ CPU8, 1, NULL },			/* 8 tasks on one vCPU: the most */
	{ CPU8 ";cpu", 2, NULL },		/* round-robin: 5 + 4 */
	{ "cpu:vcpu=7", 16, NULL },		/* the guest runs at most 8 vCPUs */
	/* refused: the grammar */
	{ "spin", 1, "unknown workload in 'spin'" },
	{ "CPU", 1, "unknown workload in 'CPU'" },
	{ "idle;spin:n=1", 1, "unknown workload in 'spin:n=1'" },
	{ "rt:period_us=1000", 1, "missing required key in 'rt:period_us=1000'" },
	{ "burst:on_ms=20", 1, "missing required key in 'burst:on_ms=20'" },
	{ "rt:period_us=1000,wcet_us=200,wcet=5", 1,
	  "unknown key in 'rt:period_us=1000,wcet_us=200,wcet=5'" },
	{ "cpu:n=5", 1, "unknown key in 'cpu:n=5'" },
	{ "pio-loop:n=1,n=2", 1, "duplicate key in 'pio-loop:n=1,n=2'" },
	{ "pio-loop:n", 1, "expected key=value in 'pio-loop:n'" },
	{ "pio-loop:n=", 1, "bad or out-of-range number in 'pio-loop:n='" },
	{ "pio-loop:n=12k", 1, "bad or out-of-range number in 'pio-loop:n=12k'" },
	{ "pio-loop:n=0", 1, "bad or out-of-range number in 'pio-loop:n=0'" },
	{ "rt:period_us=5,wcet_us=1", 1, "bad or out-of-range number in 'rt:period_us=5,wcet_us=1'" },
	{ "rt:period_us=1000,wcet_us=2000", 1,
	  "need wcet_us <= deadline_us <= period_us in 'rt:period_us=1000,wcet_us=2000'" },
	{ "burst:on_ms=0,off_ms=0", 1, "on_ms + off_ms must be > 0 in 'burst:on_ms=0,off_ms=0'" },
	{ "cpu:vcpu=1", 1, "vcpu= beyond the vCPU count in 'cpu:vcpu=1'" },
	{ "cpu:vcpu=8", 16, "bad or out-of-range number in 'cpu:vcpu=8'" },
	{ ";", 1, "empty workload spec in ';'" },
	{ CPU8 ";" CPU8 ";cpu", 4, "too many items in 'cpu'" },
	/* refused: where the tasks land */
	{ CPU8 ";cpu", 1, "more than 8 tasks on vcpu 0 (item 9, 'cpu')" },
	{ CPU8 ";cpu:vcpu=0;cpu:vcpu=0;cpu:vcpu=0;cpu:vcpu=0", 2, NULL },	/* 8 + 4 */
	{ CPU8 ";cpu:vcpu=0;cpu:vcpu=0;cpu:vcpu=0;cpu:vcpu=0;rt:period_us=1000,wcet_us=1,vcpu=0",
	  2, "more than 8 tasks on vcpu 0 (item 13, 'rt')" },
};

static void test_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[WLSPEC_ERR_MAX] = "";
		int ret = wlspec_check(cases[i].workload, cases[i].vcpus, err, sizeof(err));

		if (!cases[i].error && ret)
			fail_msg("case %zu '%s' (%u vCPUs): refused: %s", i, cases[i].workload,
				 cases[i].vcpus, err);
		if (cases[i].error && (ret != -EINVAL || strcmp(err, cases[i].error)))
			fail_msg("case %zu '%s' (%u vCPUs): got %d \"%s\", want \"%s\"", i,
				 cases[i].workload, cases[i].vcpus, ret, err, cases[i].error);
	}
}

/* A message that does not fit is cut, never overrun. */
static void test_short_buffer(void **state)
{
	char err[16];

	(void)state;
	memset(err, 'x', sizeof(err));
	assert_int_equal(wlspec_check("spin:with,a,long,tail", 1, err, 12), -EINVAL);
	assert_int_equal(strlen(err), 11);
	assert_int_equal(err[12], 'x');
}

static void test_no_vcpu(void **state)
{
	char err[WLSPEC_ERR_MAX];

	(void)state;
	assert_int_equal(wlspec_check("cpu", 0, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "no vCPU to run it");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_short_buffer),
		cmocka_unit_test(test_no_vcpu),
	};

	return cmocka_run_group_tests_name("wlspec", tests, NULL, NULL);
}
