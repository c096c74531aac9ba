// SPDX-License-Identifier: GPL-2.0-only
/* Exporters: JSON lines and Chrome/Perfetto trace JSON parsed back with jansson and checked. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "tracer/export.h"

#define KHZ	2000000ull	/* 2 GHz: 2000 ticks per µs */
#define T0	1000000ull
#define US(x)	(T0 + (uint64_t)((x) * 2000))	/* tsc at x µs */

static struct pv_clock clk2g(void)
{
	struct pv_clock c;

	assert_int_equal(pv_clock_init(&c, KHZ), 0);
	return c;
}

/* ---------------------------------------------------------------- JSON lines */

struct jcase {
	const char *name;
	struct pv_rec r;
	const char *key;
	const char *want_str;	/* or */
	long long want_int;
	int is_null;
};

static const struct jcase jcases[] = {
	{ "type name", { US(1), PV_EV_VM_EXIT, 0, PV_EXIT_PIO, 0x10103f8, 0x41 }, "type", "vm_exit", 0, 0 },
	{ "t_ns", { US(1.5), PV_EV_VM_ENTRY, 0, 0, 0, 0 }, "t_ns", NULL, 1500, 0 },
	{ "tsc", { US(0), PV_EV_VM_ENTRY, 0, 0, 0, 0 }, "tsc", NULL, (long long)T0, 0 },
	{ "vcpu", { US(0), PV_EV_VM_ENTRY, 3, 0, 0, 0 }, "vcpu", NULL, 3, 0 },
	{ "vcpu none", { US(0), PV_EV_DEV_IO, PV_VCPU_NONE, 0, 0, 0 }, "vcpu", NULL, 0, 1 },
	{ "pio reason", { US(1), PV_EV_VM_EXIT, 0, PV_EXIT_PIO, 0x10103f8, 0x41 }, "reason", "pio", 0, 0 },
	{ "pio port", { US(1), PV_EV_VM_EXIT, 0, PV_EXIT_PIO, 0x10103f8, 0x41 }, "port", NULL, 0x3f8, 0 },
	{ "pio size", { US(1), PV_EV_VM_EXIT, 0, PV_EXIT_PIO, 0x10103f8, 0x41 }, "size", NULL, 1, 0 },
	{ "pio dir", { US(1), PV_EV_VM_EXIT, 0, PV_EXIT_PIO, 0x10103f8, 0x41 }, "dir", "out", 0, 0 },
	{ "pio data", { US(1), PV_EV_VM_EXIT, 0, PV_EXIT_PIO, 0x10103f8, 0x41 }, "data", NULL, 0x41, 0 },
	{ "mmio gpa", { US(1), PV_EV_VM_EXIT, 0, PV_EXIT_MMIO, 0xfee00080, 0x104 }, "gpa", "0xfee00080", 0, 0 },
	{ "mmio len", { US(1), PV_EV_VM_EXIT, 0, PV_EXIT_MMIO, 0xfee00080, 0x104 }, "len", NULL, 4, 0 },
	{ "error errno", { US(1), PV_EV_VM_EXIT, 0, PV_EXIT_ERROR, 0, 11 }, "errno", NULL, 11, 0 },
	{ "qualifier > int64", { US(1), PV_EV_VM_EXIT, 0, PV_EXIT_INTR, ~0ull, 0 }, "qualifier", "0xffffffffffffffff", 0, 0 },
	{ "halt mode", { US(1), PV_EV_HALT_END, 0, PV_HALT_POLL, 777, 0 }, "mode", "poll", 0, 0 },
	{ "halted ns", { US(1), PV_EV_HALT_END, 0, PV_HALT_POLL, 777, 0 }, "halted_ns", NULL, 777, 0 },
	{ "migrate cpu", { US(1), PV_EV_MIGRATE, 0, 5, 4, 0 }, "cpu", NULL, 5, 0 },
	{ "migrate old", { US(1), PV_EV_MIGRATE, 0, 5, 4, 0 }, "old_cpu", NULL, 4, 0 },
	{ "timer rip", { US(1), PV_EV_TIMER_FIRE, 0, 0, 0xffffffff81000000ull, 0x1000 }, "rip", "0xffffffff81000000", 0, 0 },
	{ "task next", { US(1), PV_EV_TASK_SWITCH, 1, PV_TASK_CLASSES(PV_TASK_BE, PV_TASK_RT), 2, 1 }, "next_task", NULL, 1, 0 },
	{ "task prev class", { US(1), PV_EV_TASK_SWITCH, 1, PV_TASK_CLASSES(PV_TASK_BE, PV_TASK_RT), 2, 1 }, "prev_class", "be", 0, 0 },
	{ "task next class", { US(1), PV_EV_TASK_SWITCH, 1, PV_TASK_CLASSES(PV_TASK_BE, PV_TASK_RT), 2, 1 }, "next_class", "rt", 0, 0 },
	{ "rt lateness", { US(1), PV_EV_RT_ACTIVATE, 0, 1, 2500, 1000000 }, "lateness_ns", NULL, 2500, 0 },
	{ "rt period", { US(1), PV_EV_RT_ACTIVATE, 0, 1, 2500, 1000000 }, "period_ns", NULL, 1000000, 0 },
	{ "rt response", { US(1), PV_EV_RT_COMPLETE, 0, 1, 300000, 1000000 }, "response_ns", NULL, 300000, 0 },
	{ "rt miss task", { US(1), PV_EV_RT_MISS, 0, 9, 5, 0 }, "task", NULL, 9, 0 },
	{ "dev op", { US(1), PV_EV_DEV_IO, 0, PV_DEV_OP(3, PV_DEV_OP_WRITE), 8, 100 }, "op", "write", 0, 0 },
	{ "dev id", { US(1), PV_EV_DEV_IO, 0, PV_DEV_OP(3, PV_DEV_OP_WRITE), 8, 100 }, "dev", NULL, 3, 0 },
	{ "irq path", { US(1), PV_EV_IRQ_INJECT, 0, 4, PV_IRQ_TRAPPED, 0 }, "path", "trapped", 0, 0 },
	{ "pstate cpu", { US(1), PV_EV_PSTATE, 7, 0, 2300000, 1200000 }, "cpu", NULL, 7, 0 },
	{ "pstate khz", { US(1), PV_EV_PSTATE, 7, 0, 2300000, 1200000 }, "khz", NULL, 2300000, 0 },
	{ "qos class", { US(1), PV_EV_QOS_CHANGE, 0, 3, PV_QOS_REALTIME, 0 }, "class", "realtime", 0, 0 },
	{ "reservation runtime", { US(1), PV_EV_RESERVATION, 0, 3, 200000, 1000000 }, "runtime_ns", NULL, 200000, 0 },
	{ "devpower state", { US(1), PV_EV_DEVPOWER, PV_VCPU_NONE, 1, 3, 0 }, "state", NULL, 3, 0 },
	{ "throttle overrun", { US(1), PV_EV_THROTTLE, 0, 1, 50, 1000 }, "overrun_ns", NULL, 50, 0 },
};

static void test_json_fields(void **state)
{
	struct pv_clock c = clk2g();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(jcases) / sizeof(jcases[0]); i++) {
		const struct jcase *k = &jcases[i];
		json_t *o = pv_export_json_object(&k->r, &c, T0);
		json_t *v = json_object_get(o, k->key);

		if (!v)
			fail_msg("%s: no key %s", k->name, k->key);
		if (k->is_null)
			assert_true(json_is_null(v));
		else if (k->want_str) {
			if (!json_is_string(v) || strcmp(json_string_value(v), k->want_str))
				fail_msg("%s: %s is not \"%s\"", k->name, k->key, k->want_str);
		} else if (!json_is_integer(v) || json_integer_value(v) != k->want_int) {
			fail_msg("%s: %s = %lld, want %lld", k->name, k->key,
				 (long long)json_integer_value(v), k->want_int);
		}
		json_decref(o);
	}
}

/* A stream of records written as lines and parsed back one by one. */
static void test_json_lines_stream(void **state)
{
	struct pv_clock c = clk2g();
	struct pv_export_json *x;
	char line[1024];
	FILE *f = tmpfile();
	size_t i, n = 0;

	(void)state;
	assert_non_null(f);
	assert_int_equal(pv_export_json_begin(&x, f, &c, T0), 0);
	for (i = 0; i < sizeof(jcases) / sizeof(jcases[0]); i++)
		assert_int_equal(pv_export_json_rec(x, &jcases[i].r), 0);
	assert_int_equal(pv_export_json_end(x), 0);
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		json_error_t err;
		json_t *o = json_loads(line, 0, &err);

		if (!o)
			fail_msg("line %zu does not parse: %s", n + 1, err.text);
		assert_string_equal(json_string_value(json_object_get(o, "type")),
				    pv_ev_name(jcases[n].r.type));
		assert_int_equal(json_integer_value(json_object_get(o, "tsc")), jcases[n].r.tsc);
		assert_non_null(strchr(line, '\n'));
		json_decref(o);
		n++;
	}
	assert_int_equal(n, sizeof(jcases) / sizeof(jcases[0]));
	fclose(f);
	assert_int_equal(pv_export_json_begin(&x, NULL, &c, 0), -EINVAL);
}

/* ---------------------------------------------------------------- Perfetto */

static const struct pv_rec pf_recs[] = {
	{ US(0), PV_EV_VM_ENTRY, 0, 0, 0, 0 },
	{ US(0), PV_EV_TASK_SWITCH, 0, PV_TASK_CLASSES(PV_TASK_IDLE, PV_TASK_RT), 0, 1 },
	{ US(10), PV_EV_HALT_BEGIN, 0, PV_HALT_POLL, 0, 0 },
	{ US(15), PV_EV_HALT_END, 0, PV_HALT_POLL, 5000, 0 },
	{ US(15), PV_EV_VM_EXIT, 0, PV_EXIT_PIO, 0x10103f8, 0 },
	{ US(17.5), PV_EV_VM_ENTRY, 0, 0, 0, 0 },
	{ US(20), PV_EV_RT_MISS, 0, 1, 12345, 0 },
	{ US(25), PV_EV_TASK_SWITCH, 0, PV_TASK_CLASSES(PV_TASK_RT, PV_TASK_BE), 1, 2 },
	{ US(30), PV_EV_VM_EXIT, 0, PV_EXIT_HLT, 0, 0 },
	{ US(31), PV_EV_HALT_BEGIN, 0, PV_HALT_EXIT, 0, 0 },
	{ US(30), PV_EV_HALT_BEGIN, 0, PV_HALT_GUEST, 0, 0 },
	{ US(80), PV_EV_HALT_END, 0, PV_HALT_EXIT, 49000, 0 },
	{ US(81), PV_EV_MIGRATE, 0, 1, 0, 0 },
	{ US(82), PV_EV_VM_ENTRY, 0, 0, 0, 0 },
	{ US(82), PV_EV_HALT_END, 0, PV_HALT_GUEST, 52000, 0 },
	{ US(5), PV_EV_VM_ENTRY, 1, 0, 0, 0 },
	{ US(50), PV_EV_PSTATE, 1, 0, 1800000, 2300000 },
	{ US(60), PV_EV_VM_EXIT, 1, PV_EXIT_MMIO, 0xfee00000, 4 },
	{ US(90), PV_EV_VM_EXIT, 7, PV_EXIT_MMIO, 0, 0 },	/* vcpu out of range: skipped */
};

static json_t *find_event(json_t *evs, const char *ph, const char *name, int tid, int nth)
{
	size_t i;
	json_t *e;

	json_array_foreach(evs, i, e) {
		json_t *t = json_object_get(e, "tid");

		if (strcmp(json_string_value(json_object_get(e, "ph")), ph) ||
		    strcmp(json_string_value(json_object_get(e, "name")), name))
			continue;
		if (tid >= 0 && (!t || json_integer_value(t) != tid))
			continue;
		if (nth-- == 0)
			return e;
	}
	return NULL;
}

static double num(json_t *e, const char *k)
{
	json_t *v = json_object_get(e, k);

	assert_true(json_is_number(v));
	return json_number_value(v);
}

static void assert_slice(json_t *evs, const char *name, int tid, int nth, double ts, double dur)
{
	json_t *e = find_event(evs, "X", name, tid, nth);

	if (!e)
		fail_msg("no slice %s #%d on tid %d", name, nth, tid);
	if (num(e, "ts") < ts - 1e-6 || num(e, "ts") > ts + 1e-6 ||
	    num(e, "dur") < dur - 1e-6 || num(e, "dur") > dur + 1e-6)
		fail_msg("slice %s #%d: ts %f dur %f, want %f %f", name, nth, num(e, "ts"),
			 num(e, "dur"), ts, dur);
}

/* Slices on one track must nest: no partial overlap. */
static void assert_nesting(json_t *evs)
{
	size_t i, j;
	json_t *a, *b;

	json_array_foreach(evs, i, a) {
		double as, ae;

		if (strcmp(json_string_value(json_object_get(a, "ph")), "X"))
			continue;
		as = num(a, "ts");
		ae = as + num(a, "dur");
		json_array_foreach(evs, j, b) {
			double bs, be;

			if (j <= i || strcmp(json_string_value(json_object_get(b, "ph")), "X") ||
			    json_integer_value(json_object_get(a, "tid")) !=
			    json_integer_value(json_object_get(b, "tid")))
				continue;
			bs = num(b, "ts");
			be = bs + num(b, "dur");
			if ((bs > as && bs < ae && be > ae + 1e-9) || (as > bs && as < be && ae > be + 1e-9))
				fail_msg("slices %zu and %zu overlap partially", i, j);
		}
	}
}

static void test_perfetto_structure(void **state)
{
	struct pv_clock c = clk2g();
	struct pv_export_perfetto_info info = { .vm_name = "rt-vm", .nvcpus = 2, .pid = 7,
						.clk = &c, .tsc0 = T0 };
	struct pv_export_perfetto *p;
	json_error_t jerr;
	json_t *doc, *evs, *e;
	FILE *f = tmpfile();
	size_t i;
	int tid0 = (int)pv_perfetto_tid_vcpu(0), tasks0 = (int)pv_perfetto_tid_tasks(0);

	(void)state;
	assert_int_equal(pv_export_perfetto_begin(&p, f, &info), 0);
	for (i = 0; i < sizeof(pf_recs) / sizeof(pf_recs[0]); i++)
		assert_int_equal(pv_export_perfetto_rec(p, &pf_recs[i]), 0);
	assert_int_equal(pv_export_perfetto_end(p, US(100)), 0);
	rewind(f);
	doc = json_loadf(f, 0, &jerr);
	if (!doc)
		fail_msg("document does not parse: %s (line %d)", jerr.text, jerr.line);
	evs = json_object_get(doc, "traceEvents");
	assert_true(json_is_array(evs));
	assert_string_equal(json_string_value(json_object_get(doc, "displayTimeUnit")), "ns");

	/* processes and tracks */
	e = find_event(evs, "M", "process_name", -1, 1);
	assert_non_null(e);
	assert_int_equal(json_integer_value(json_object_get(e, "pid")), 7);
	assert_string_equal(json_string_value(json_object_get(json_object_get(e, "args"), "name")),
			    "rt-vm");
	e = find_event(evs, "M", "thread_name", tasks0, 0);
	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(json_object_get(e, "args"), "name")),
			    "vCPU 0 guest tasks");
	assert_non_null(find_event(evs, "M", "thread_name", (int)pv_perfetto_tid_vcpu(1), 0));

	/* vCPU 0: guest [0,15), halt poll [10,15) inside it, pio [15,17.5), guest [17.5,30),
	 * hlt [30,82) with the exit halt [31,80) inside, guest [82,100) closed at the end */
	assert_slice(evs, "guest", tid0, 0, 0, 15);
	assert_slice(evs, "halt poll", tid0, 0, 10, 5);
	assert_slice(evs, "pio", tid0, 0, 15, 2.5);
	assert_slice(evs, "guest", tid0, 1, 17.5, 12.5);
	assert_slice(evs, "hlt", tid0, 0, 30, 52);
	assert_slice(evs, "halt exit", tid0, 0, 31, 49);
	assert_slice(evs, "guest", tid0, 2, 82, 18);
	e = find_event(evs, "X", "pio", tid0, 0);
	assert_string_equal(json_string_value(json_object_get(e, "cat")), "vmm");
	assert_int_equal(json_integer_value(json_object_get(e, "pid")), 7);
	/* vCPU 1 */
	assert_slice(evs, "guest", (int)pv_perfetto_tid_vcpu(1), 0, 5, 55);
	assert_slice(evs, "mmio", (int)pv_perfetto_tid_vcpu(1), 0, 60, 40);
	/* guest tasks and idle */
	assert_slice(evs, "task 1", tasks0, 0, 0, 25);
	assert_slice(evs, "task 2", tasks0, 0, 25, 75);
	assert_slice(evs, "guest idle", (int)pv_perfetto_tid_gidle(0), 0, 30, 52);
	e = find_event(evs, "X", "task 1", tasks0, 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(e, "args"), "class")), "rt");
	/* instants */
	e = find_event(evs, "i", "rt_miss", tasks0, 0);
	assert_non_null(e);
	assert_true(num(e, "ts") > 19.999 && num(e, "ts") < 20.001);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "args"), "lateness_ns")),
			 12345);
	assert_non_null(find_event(evs, "i", "migrate", tid0, 0));
	/* counters in the node process */
	e = find_event(evs, "C", "cpu1 freq", -1, 0);
	assert_non_null(e);
	assert_int_equal(json_integer_value(json_object_get(e, "pid")), PV_PERFETTO_NODE_PID);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "args"), "khz")), 1800000);
	assert_true(num(e, "ts") > 49.999 && num(e, "ts") < 50.001);
	/* nothing for the out-of-range vCPU, and the tracks nest */
	assert_null(find_event(evs, "X", "mmio", (int)pv_perfetto_tid_vcpu(1), 1));
	assert_nesting(evs);
	json_decref(doc);
	fclose(f);
}

static void test_perfetto_rejects(void **state)
{
	struct pv_clock c = clk2g();
	struct pv_export_perfetto_info info = { .nvcpus = 0, .clk = &c };
	struct pv_export_perfetto *p;

	(void)state;
	assert_int_equal(pv_export_perfetto_begin(&p, stdout, &info), -EINVAL);
	info.nvcpus = 1;
	info.pid = PV_PERFETTO_NODE_PID;
	assert_int_equal(pv_export_perfetto_begin(&p, stdout, &info), -EINVAL);
	info.pid = 0;
	info.clk = NULL;
	assert_int_equal(pv_export_perfetto_begin(&p, stdout, &info), -EINVAL);
}

/* Streaming: a long trace goes through with memory independent of its length. */
static void test_perfetto_long_stream(void **state)
{
	struct pv_clock c = clk2g();
	struct pv_export_perfetto_info info = { .nvcpus = 1, .clk = &c, .tsc0 = T0 };
	struct pv_export_perfetto *p;
	json_error_t jerr;
	json_t *doc;
	FILE *f = tmpfile();
	uint64_t i;

	(void)state;
	assert_int_equal(pv_export_perfetto_begin(&p, f, &info), 0);
	for (i = 0; i < 20000; i++) {
		struct pv_rec r = { .tsc = US(i), .type = i % 2 ? PV_EV_VM_EXIT : PV_EV_VM_ENTRY,
				    .a = i % 2 ? PV_EXIT_PV_CALL : 0 };

		assert_int_equal(pv_export_perfetto_rec(p, &r), 0);
	}
	assert_int_equal(pv_export_perfetto_end(p, 0), 0);
	rewind(f);
	doc = json_loadf(f, 0, &jerr);
	assert_non_null(doc);
	/* 20000 transitions -> 19999 closed slices + the one open at the end (+ metadata) */
	assert_int_equal(json_array_size(json_object_get(doc, "traceEvents")), 19999 + 1 + 2 + 1 + 6);
	json_decref(doc);
	fclose(f);
}

/* ---------------------------------------------------------------- event names */

/* pv_ev_parse inverts pv_ev_name for every event type, and nothing else. */
static void test_event_names(void **state)
{
	static const char *const bad[] = { "none", "", "RT_MISS", "rt_miss ", "rt", "unknown",
					   "rt_miss,reservation", NULL };
	unsigned int t;
	size_t i;

	(void)state;
	for (t = PV_EV_NONE + 1; t < PV_EV_MAX; t++)
		assert_int_equal(pv_ev_parse(pv_ev_name(t)), (int)t);
	assert_int_equal(pv_ev_parse("rt_miss"), PV_EV_RT_MISS);
	assert_int_equal(pv_ev_parse("reservation"), PV_EV_RESERVATION);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(pv_ev_parse(bad[i]), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_fields),
		cmocka_unit_test(test_json_lines_stream),
		cmocka_unit_test(test_perfetto_structure),
		cmocka_unit_test(test_perfetto_rejects),
		cmocka_unit_test(test_perfetto_long_stream),
		cmocka_unit_test(test_event_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
