// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvctl output formatting: table alignment (left/right, UTF-8 widths, no trailing blanks,
 * partial rows, headerless key/value blocks, control characters neutralised), the --json
 * re-indenter (tokens verbatim, strings with structural characters untouched, invalid
 * JSON refused) and the JSON cell helpers.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "api/pvctl.h"

/* Print @t into a string. */
static char *render(const struct pvctl_table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(pvctl_table_print(t, f), 0);
	fclose(f);
	return buf;
}

static void test_alignment(void **state)
{
	static const struct pvctl_col cols[] = {
		{ "NAME", PVCTL_LEFT }, { "VCPUS", PVCTL_RIGHT }, { "POWER (W)", PVCTL_RIGHT },
		{ "NOTE", PVCTL_LEFT },
	};
	struct pvctl_table t;
	char *out;

	(void)state;
	pvctl_table_init(&t, cols, 4);
	pvctl_table_cell(&t, "rt0");
	pvctl_table_cell(&t, "%d", 2);
	pvctl_table_cell(&t, "%.2f", 3.5);
	pvctl_table_cell(&t, "%s", "");
	pvctl_table_cell(&t, "a-much-longer-name");
	pvctl_table_cell(&t, "%d", 16);
	pvctl_table_cell(&t, "%.2f", 120.25);
	pvctl_table_cell(&t, "crashed");
	assert_int_equal(pvctl_table_rows(&t), 2);
	out = render(&t);
	assert_string_equal(out,
		"NAME                VCPUS  POWER (W)  NOTE\n"
		"rt0                     2       3.50\n"
		"a-much-longer-name     16     120.25  crashed\n");
	free(out);
	pvctl_table_free(&t);
}

static void test_utf8_control_partial(void **state)
{
	static const struct pvctl_col cols[] = {
		{ "LAT (µs)", PVCTL_RIGHT }, { "VM", PVCTL_LEFT }, { "X", PVCTL_RIGHT },
	};
	struct pvctl_table t;
	char *out;

	(void)state;
	pvctl_table_init(&t, cols, 3);
	pvctl_table_cell(&t, "5");
	pvctl_table_cell(&t, "evil\033[2Jname");	/* an escape sequence from the server */
	pvctl_table_cell(&t, "1");
	pvctl_table_cell(&t, "—");			/* a partial row: padded */
	out = render(&t);
	assert_string_equal(out,
		"LAT (µs)  VM            X\n"
		"       5  evil?[2Jname  1\n"
		"       —\n");
	free(out);
	pvctl_table_free(&t);
	assert_int_equal(pvctl_text_width("µs—x"), 4);
}

static void test_headerless_and_indent(void **state)
{
	static const struct pvctl_col cols[] = { { "", PVCTL_LEFT }, { "", PVCTL_LEFT } };
	struct pvctl_table t;
	char *out;

	(void)state;
	pvctl_table_init(&t, cols, 2);
	t.header = false;
	t.indent = "  ";
	pvctl_table_cell(&t, "name:");
	pvctl_table_cell(&t, "rt0");
	pvctl_table_cell(&t, "latency budget:");
	pvctl_table_cell(&t, "50 µs");
	out = render(&t);
	assert_string_equal(out, "  name:            rt0\n  latency budget:  50 µs\n");
	free(out);
	pvctl_table_free(&t);

	pvctl_table_init(&t, cols, 2);		/* empty: header only */
	out = render(&t);
	assert_string_equal(out, "\n");
	free(out);
	pvctl_table_free(&t);
}

static char *pretty(const char *in, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	*rc = pvctl_json_pretty(in, strlen(in), f);
	fclose(f);
	return buf;
}

static void test_json_pretty(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "{\"a\":1,\"b\":[1,2],\"c\":{},\"d\":[]}",
		  "{\n  \"a\": 1,\n  \"b\": [\n    1,\n    2\n  ],\n  \"c\": {},\n  \"d\": []\n}\n" },
		{ "{\"s\":\"a,b:{c}[d] \\\"q\\\" \\\\\"}", "{\n  \"s\": \"a,b:{c}[d] \\\"q\\\" \\\\\"\n}\n" },
		{ "{\"x\":0.10000000000000001,\"big\":123456789012345678}",
		  "{\n  \"x\": 0.10000000000000001,\n  \"big\": 123456789012345678\n}\n" },
		{ " [ true , null ] ", "[\n  true,\n  null\n]\n" },
		{ "\"just a string\"", "\"just a string\"\n" },
	};
	char *out;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out = pretty(cases[i].in, &rc);
		assert_int_equal(rc, 0);
		if (strcmp(out, cases[i].out))
			fail_msg("case %zu:\n%s\nwant:\n%s", i, out, cases[i].out);
		free(out);
	}
	out = pretty("{\"a\":", &rc);
	assert_int_equal(rc, -EINVAL);
	assert_string_equal(out, "");
	free(out);
}

static void test_json_cells(void **state)
{
	json_t *o = json_loads("{\"s\":\"x\",\"i\":42,\"r\":3.14159,\"b\":true,\"n\":null,"
			       "\"l\":[1,2,3],\"ls\":[\"a\",\"b\"],\"e\":[]}", 0, NULL);
	char b[64];

	(void)state;
	assert_non_null(o);
	assert_string_equal(pvctl_jstr(o, "s"), "x");
	assert_string_equal(pvctl_jstr(o, "i"), "-");
	assert_string_equal(pvctl_jstr(o, "missing"), "-");
	assert_string_equal(pvctl_jint(o, "i", b, sizeof(b)), "42");
	assert_string_equal(pvctl_jint(o, "b", b, sizeof(b)), "yes");
	assert_string_equal(pvctl_jint(o, "n", b, sizeof(b)), "-");
	assert_string_equal(pvctl_jnum(o, "r", 2, b, sizeof(b)), "3.14");
	assert_string_equal(pvctl_jnum(o, "i", 1, b, sizeof(b)), "42.0");
	assert_string_equal(pvctl_jnum(o, "s", 1, b, sizeof(b)), "-");
	assert_string_equal(pvctl_jlist(o, "l", b, sizeof(b)), "1,2,3");
	assert_string_equal(pvctl_jlist(o, "ls", b, sizeof(b)), "a,b");
	assert_string_equal(pvctl_jlist(o, "e", b, sizeof(b)), "-");
	assert_string_equal(pvctl_jstr(NULL, "s"), "-");
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_utf8_control_partial),
		cmocka_unit_test(test_headerless_and_indent),
		cmocka_unit_test(test_json_pretty),
		cmocka_unit_test(test_json_cells),
	};

	return cmocka_run_group_tests_name("pvctl_table", tests, NULL, NULL);
}
