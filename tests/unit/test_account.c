// SPDX-License-Identifier: GPL-2.0-only
/* Accounting on hand-built sequences: exact residencies, histogram buckets, windows. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tracer/account.h"

/* 1 GHz: one tick is one ns, so expected figures are the tick arithmetic itself. */
#define KHZ_1GHZ	1000000ull

#define ENTRY(t, v)		{ .tsc = (t), .type = PV_EV_VM_ENTRY, .vcpu = (v) }
#define EXIT(t, v, why)		{ .tsc = (t), .type = PV_EV_VM_EXIT, .vcpu = (v), .a = (why) }
#define HB(t, v, mode)		{ .tsc = (t), .type = PV_EV_HALT_BEGIN, .vcpu = (v), .a = (mode) }
#define HE(t, v, mode)		{ .tsc = (t), .type = PV_EV_HALT_END, .vcpu = (v), .a = (mode) }
#define TS(t, v, prev, next, pc, nc) { .tsc = (t), .type = PV_EV_TASK_SWITCH, .vcpu = (v), \
				      .a = PV_TASK_CLASSES(pc, nc), .b = (prev), .c = (next) }
#define REC(t, v, ty, a_, b_, c_) { .tsc = (t), .type = (ty), .vcpu = (v), .a = (a_), .b = (b_), \
				   .c = (c_) }

static struct pv_acct *acct_new(uint32_t nvcpus, uint64_t khz)
{
	struct pv_clock clk;
	struct pv_acct *a;

	assert_int_equal(pv_clock_init(&clk, khz), 0);
	assert_int_equal(pv_acct_create(&a, nvcpus, &clk), 0);
	return a;
}

static void get(struct pv_acct *a, uint32_t vcpu, enum pv_acct_view view, struct pv_acct_stats *st)
{
	assert_int_equal(pv_acct_vcpu(a, vcpu, view, st), 0);
}

static const struct pv_acct_task *task(const struct pv_acct_stats *st, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < st->ntasks; i++)
		if (st->tasks[i].id == id)
			return &st->tasks[i];
	fail_msg("task %u not in the table", id);
	return NULL;
}

struct seq_case {
	const char *name;
	struct pv_rec recs[12];
	size_t n;
	uint64_t close_at;
	/* expected */
	uint64_t span, guest, vmm, halt_exit, halt_poll, halt_native, seq_errors;
	uint32_t lat_reason;		/* exit latency histogram to check */
	uint64_t lat_count, lat_ns;	/* one sample of this value */
};

static const struct seq_case seq_cases[] = {
	{ "run, exit, run, exit open at close",
	  { ENTRY(1000, 0), EXIT(3000, 0, PV_EXIT_PIO), ENTRY(3500, 0), EXIT(6000, 0, PV_EXIT_MMIO) },
	  4, 7000, 6000, 2000 + 2500, 500 + 1000, 0, 0, 0, 0, PV_EXIT_PIO, 1, 500 },
	{ "KVM-statistics halt inside the run, just before the exit",
	  { ENTRY(0, 0), HB(400, 0, PV_HALT_POLL), HE(1000, 0, PV_HALT_POLL),
	    EXIT(1000, 0, PV_EXIT_INTR), ENTRY(1200, 0) },
	  5, 1500, 1500, 400 + 300, 200, 0, 600, 0, 0, PV_EXIT_INTR, 1, 200 },
	{ "native halt inside the run",
	  { ENTRY(0, 0), HB(100, 0, PV_HALT_NATIVE), HE(900, 0, PV_HALT_NATIVE),
	    EXIT(950, 0, PV_EXIT_PV_CALL), ENTRY(1000, 0) },
	  5, 1000, 1000, 100 + 50, 50, 0, 0, 800, 0, PV_EXIT_PV_CALL, 1, 50 },
	{ "userspace HLT: halt in the VMM, latency includes it",
	  { ENTRY(0, 0), EXIT(100, 0, PV_EXIT_HLT), HB(110, 0, PV_HALT_EXIT),
	    HE(5110, 0, PV_HALT_EXIT), ENTRY(5200, 0), EXIT(5300, 0, PV_EXIT_PIO) },
	  6, 5300, 5300, 100 + 100, 10 + 90, 5000, 0, 0, 0, PV_EXIT_HLT, 1, 5100 },
	{ "starts with an exit (attached mid-run)",
	  { EXIT(500, 0, PV_EXIT_MMIO), ENTRY(800, 0) },
	  2, 1000, 500, 200, 300, 0, 0, 0, 0, PV_EXIT_MMIO, 1, 300 },
	{ "lost ENTRY: two exits",
	  { ENTRY(0, 0), EXIT(100, 0, PV_EXIT_PIO), EXIT(300, 0, PV_EXIT_PIO), ENTRY(400, 0) },
	  4, 400, 400, 100, 300, 0, 0, 0, 1, PV_EXIT_PIO, 1, 100 },
	{ "lost EXIT: two entries",
	  { ENTRY(0, 0), ENTRY(300, 0) },
	  2, 500, 500, 500, 0, 0, 0, 0, 1, PV_EXIT_PIO, 0, 0 },
	{ "HALT_END without HALT_BEGIN",
	  { ENTRY(0, 0), HE(200, 0, PV_HALT_EXIT), EXIT(300, 0, PV_EXIT_PIO) },
	  3, 300, 300, 300, 0, 0, 0, 0, 1, PV_EXIT_PIO, 0, 0 },
	{ "halt never ended before the exit",
	  { ENTRY(0, 0), HB(100, 0, PV_HALT_POLL), EXIT(300, 0, PV_EXIT_INTR) },
	  3, 400, 400, 100, 100, 0, 200, 0, 1, PV_EXIT_INTR, 0, 0 },
	{ "halt open at the close is charged up to it",
	  { ENTRY(0, 0), EXIT(10, 0, PV_EXIT_HLT), HB(20, 0, PV_HALT_EXIT) },
	  3, 1020, 1020, 10, 10, 1000, 0, 0, 0, PV_EXIT_HLT, 0, 0 },
	{ "time going backwards in the stream is ignored",
	  { ENTRY(1000, 0), EXIT(900, 0, PV_EXIT_PIO), EXIT(1500, 0, PV_EXIT_PIO) },
	  3, 2000, 1000, 500, 500, 0, 0, 0, 1, PV_EXIT_PIO, 0, 0 },
};

static void test_sequences(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(seq_cases) / sizeof(seq_cases[0]); i++) {
		const struct seq_case *c = &seq_cases[i];
		struct pv_acct *a = acct_new(1, KHZ_1GHZ);
		struct pv_acct_stats st;
		const struct pv_hist *h;

		pv_acct_feed(a, c->recs, c->n);
		assert_int_equal(pv_acct_close_window(a, c->close_at), c->span);
		get(a, 0, PV_ACCT_WINDOW, &st);
		h = &st.exit_lat[c->lat_reason];
		if (st.span_ns != c->span || st.guest_ns != c->guest || st.vmm_ns != c->vmm ||
		    st.halt_ns[PV_HALT_EXIT] != c->halt_exit || st.halt_ns[PV_HALT_POLL] != c->halt_poll ||
		    st.halt_ns[PV_HALT_NATIVE] != c->halt_native || st.seq_errors != c->seq_errors ||
		    h->count != c->lat_count || (c->lat_count && h->min_ns != c->lat_ns))
			fail_msg("%s: span %lu guest %lu vmm %lu halt exit %lu poll %lu native %lu "
				 "seq %lu lat n %lu min %lu", c->name, (unsigned long)st.span_ns,
				 (unsigned long)st.guest_ns, (unsigned long)st.vmm_ns,
				 (unsigned long)st.halt_ns[0], (unsigned long)st.halt_ns[1],
				 (unsigned long)st.halt_ns[2], (unsigned long)st.seq_errors,
				 (unsigned long)h->count, (unsigned long)h->min_ns);
		if (c->lat_count)
			assert_int_equal(h->buckets[pv_hist_bucket(c->lat_ns)], 1);
		pv_acct_destroy(a);
	}
}

static void test_exit_counts_and_buckets(void **state)
{
	static const struct pv_rec recs[] = {
		ENTRY(0, 0), EXIT(100, 0, PV_EXIT_PIO), ENTRY(600, 0),		/* 500: [256, 512) */
		EXIT(700, 0, PV_EXIT_PIO), ENTRY(1700, 0),			/* 1000: [512, 1024) */
		EXIT(1800, 0, PV_EXIT_PIO), ENTRY(2300, 0),			/* 500 again */
		EXIT(2400, 0, PV_EXIT_MMIO), ENTRY(2401, 0),			/* 1: [1, 2) */
		EXIT(2500, 0, PV_EXIT_IRQ_WINDOW), ENTRY(2500, 0),		/* 0: bucket 0 */
		EXIT(3000, 0, PV_EXIT_SHUTDOWN),
	};
	struct pv_acct *a = acct_new(1, KHZ_1GHZ);
	struct pv_acct_stats st;
	const struct pv_hist *pio;

	(void)state;
	pv_acct_feed(a, recs, sizeof(recs) / sizeof(recs[0]));
	pv_acct_close_window(a, 3000);
	get(a, 0, PV_ACCT_WINDOW, &st);
	assert_int_equal(st.exits[PV_EXIT_PIO], 3);
	assert_int_equal(st.exits[PV_EXIT_MMIO], 1);
	assert_int_equal(st.exits[PV_EXIT_IRQ_WINDOW], 1);
	assert_int_equal(st.exits[PV_EXIT_SHUTDOWN], 1);
	pio = &st.exit_lat[PV_EXIT_PIO];
	assert_int_equal(pio->count, 3);
	assert_int_equal(pio->sum_ns, 2000);
	assert_int_equal(pio->buckets[9], 2);
	assert_int_equal(pio->buckets[10], 1);
	assert_int_equal(pio->min_ns, 500);
	assert_int_equal(pio->max_ns, 1000);
	assert_int_equal(st.exit_lat[PV_EXIT_MMIO].buckets[1], 1);
	assert_int_equal(st.exit_lat[PV_EXIT_IRQ_WINDOW].buckets[0], 1);
	assert_int_equal(st.exit_lat[PV_EXIT_SHUTDOWN].count, 0);
	assert_int_equal(st.guest_ns, 100 + 100 + 100 + 100 + 99 + 500);
	assert_int_equal(st.vmm_ns, 500 + 1000 + 500 + 1 + 0);
	pv_acct_destroy(a);
}

/* Windows: in-progress intervals are split at the close; totals add the windows up. */
static void test_windows(void **state)
{
	struct pv_acct *a = acct_new(1, KHZ_1GHZ);
	struct pv_acct_stats st;
	struct pv_rec r1[] = { ENTRY(0, 0) };
	struct pv_rec r2[] = { EXIT(1500, 0, PV_EXIT_PIO) };
	struct pv_rec r3[] = { ENTRY(2500, 0), HB(2600, 0, PV_HALT_POLL) };

	(void)state;
	pv_acct_feed(a, r1, 1);
	assert_int_equal(pv_acct_close_window(a, 1000), 1000);
	get(a, 0, PV_ACCT_WINDOW, &st);
	assert_int_equal(st.guest_ns, 1000);
	pv_acct_feed(a, r2, 1);
	assert_int_equal(pv_acct_close_window(a, 2000), 1000);
	get(a, 0, PV_ACCT_WINDOW, &st);
	assert_int_equal(st.guest_ns, 500);
	assert_int_equal(st.vmm_ns, 500);
	assert_int_equal(st.exits[PV_EXIT_PIO], 1);
	assert_int_equal(st.exit_lat[PV_EXIT_PIO].count, 0);
	pv_acct_feed(a, r3, 2);
	pv_acct_close_window(a, 3000);
	get(a, 0, PV_ACCT_WINDOW, &st);
	assert_int_equal(st.vmm_ns, 500);
	assert_int_equal(st.guest_ns, 100);
	assert_int_equal(st.halt_ns[PV_HALT_POLL], 400);
	assert_int_equal(st.exits[PV_EXIT_PIO], 0);
	assert_int_equal(st.exit_lat[PV_EXIT_PIO].count, 1);	/* counted where the ENTRY is */
	assert_int_equal(st.exit_lat[PV_EXIT_PIO].min_ns, 1000);
	get(a, 0, PV_ACCT_TOTAL, &st);
	assert_int_equal(st.span_ns, 3000);
	assert_int_equal(st.guest_ns, 1600);
	assert_int_equal(st.vmm_ns, 1000);
	assert_int_equal(st.halt_ns[PV_HALT_POLL], 400);
	assert_int_equal(st.exits[PV_EXIT_PIO], 1);
	assert_int_equal(st.exit_lat[PV_EXIT_PIO].count, 1);
	assert_int_equal(st.guest_ns + st.vmm_ns + pv_acct_halted_ns(&st), st.span_ns);
	assert_int_equal(pv_acct_window_end(a), 3000);
	pv_acct_destroy(a);
}

/* A record older than the last close changes the state but charges nothing before it. */
static void test_late_record(void **state)
{
	struct pv_acct *a = acct_new(1, KHZ_1GHZ);
	struct pv_acct_stats st;
	struct pv_rec r1[] = { ENTRY(0, 0) };
	struct pv_rec r2[] = { EXIT(900, 0, PV_EXIT_PIO) };

	(void)state;
	pv_acct_feed(a, r1, 1);
	pv_acct_close_window(a, 1000);
	pv_acct_feed(a, r2, 1);
	pv_acct_close_window(a, 2000);
	get(a, 0, PV_ACCT_WINDOW, &st);
	assert_int_equal(st.guest_ns, 0);
	assert_int_equal(st.vmm_ns, 1000);
	pv_acct_destroy(a);
}

static void test_guest_tasks(void **state)
{
	static const struct pv_rec recs[] = {
		TS(100, 0, 0, 1, PV_TASK_IDLE, PV_TASK_RT),
		TS(400, 0, 1, 2, PV_TASK_RT, PV_TASK_BE),
		TS(1000, 0, 2, 1, PV_TASK_BE, PV_TASK_RT),
		TS(1200, 0, 1, 0, PV_TASK_RT, PV_TASK_IDLE),
		TS(1300, 0, 0, 1, PV_TASK_IDLE, PV_TASK_RT),
		TS(1350, 0, 7, 2, PV_TASK_BE, PV_TASK_BE),	/* prev is not the running task */
	};
	struct pv_acct *a = acct_new(1, KHZ_1GHZ);
	struct pv_acct_stats st;

	(void)state;
	pv_acct_feed(a, recs, sizeof(recs) / sizeof(recs[0]));
	pv_acct_close_window(a, 1500);
	get(a, 0, PV_ACCT_WINDOW, &st);
	assert_int_equal(st.ntasks, 3);
	assert_int_equal(task(&st, 1)->run_ns, 300 + 200 + 50);
	assert_int_equal(task(&st, 1)->switches_in, 3);
	assert_int_equal(task(&st, 1)->cls, PV_TASK_RT);
	assert_int_equal(task(&st, 2)->run_ns, 600 + 150);
	assert_int_equal(task(&st, 2)->switches_in, 2);
	assert_int_equal(task(&st, 0)->run_ns, 100);
	assert_int_equal(task(&st, 0)->cls, PV_TASK_IDLE);
	assert_int_equal(st.seq_errors, 1);
	/* the transition machine is untouched by the guest ring */
	assert_int_equal(st.guest_ns + st.vmm_ns, 0);
	/* next window: task 2 still running, charged from the close */
	pv_acct_close_window(a, 2500);
	get(a, 0, PV_ACCT_WINDOW, &st);
	assert_int_equal(task(&st, 2)->run_ns, 1000);
	assert_int_equal(task(&st, 1)->run_ns, 0);
	assert_int_equal(task(&st, 2)->switches_in, 0);
	get(a, 0, PV_ACCT_TOTAL, &st);
	assert_int_equal(task(&st, 2)->run_ns, 1750);
	assert_int_equal(task(&st, 2)->switches_in, 2);
	pv_acct_destroy(a);
}

static void test_task_table_overflow(void **state)
{
	struct pv_acct *a = acct_new(1, KHZ_1GHZ);
	struct pv_acct_stats st;
	uint32_t id;

	(void)state;
	/* ids 100..119 each run 10 ns: the first 16 fit, 4 overflow */
	for (id = 100; id < 120; id++) {
		struct pv_rec r = TS((id - 100) * 10, 0, id - 1, id, PV_TASK_BE, PV_TASK_BE);

		pv_acct_feed(a, &r, 1);
	}
	pv_acct_close_window(a, 200);
	get(a, 0, PV_ACCT_WINDOW, &st);
	assert_int_equal(st.ntasks, PV_ACCT_MAX_TASKS);
	assert_int_equal(st.tasks_overflow, 4);
	assert_int_equal(task(&st, 100)->run_ns, 10);
	assert_int_equal(task(&st, 115)->run_ns, 10);
	assert_int_equal(st.other_task_ns, 40);
	pv_acct_destroy(a);
}

static void test_rt_and_guest_idle(void **state)
{
	static const struct pv_rec recs[] = {
		REC(100, 0, PV_EV_RT_ACTIVATE, 1, 3000, 1000000),	/* lateness 3000: [2048,4096) */
		REC(300, 0, PV_EV_RT_COMPLETE, 1, 200000, 1000000),
		REC(1100, 0, PV_EV_RT_ACTIVATE, 1, 40, 1000000),	/* [32, 64) */
		REC(2200, 0, PV_EV_RT_MISS, 1, 100000, 0),
		REC(2300, 0, PV_EV_RT_COMPLETE, 1, 1100000, 1000000),
		REC(2400, 0, PV_EV_RT_ACTIVATE, 5, 0, 0),
		HB(3000, 0, PV_HALT_GUEST), HE(3600, 0, PV_HALT_GUEST),
		HB(4000, 0, PV_HALT_GUEST),
	};
	struct pv_acct *a = acct_new(1, KHZ_1GHZ);
	struct pv_acct_stats st;

	(void)state;
	pv_acct_feed(a, recs, sizeof(recs) / sizeof(recs[0]));
	pv_acct_close_window(a, 4100);
	get(a, 0, PV_ACCT_WINDOW, &st);
	assert_int_equal(st.rt_activations, 3);
	assert_int_equal(st.rt_completions, 2);
	assert_int_equal(st.rt_misses, 1);
	assert_int_equal(st.rt_release_lat.buckets[12], 1);
	assert_int_equal(st.rt_release_lat.buckets[6], 1);
	assert_int_equal(st.rt_release_lat.buckets[0], 1);
	assert_int_equal(st.rt_release_lat.max_ns, 3000);
	assert_int_equal(st.rt_response.sum_ns, 1300000);
	assert_int_equal(st.rt_miss_lat.min_ns, 100000);
	assert_int_equal(task(&st, 1)->activations, 2);
	assert_int_equal(task(&st, 1)->completions, 2);
	assert_int_equal(task(&st, 1)->misses, 1);
	assert_int_equal(task(&st, 5)->activations, 1);
	assert_int_equal(st.halt_ns[PV_HALT_GUEST], 600 + 100);
	assert_int_equal(st.halts[PV_HALT_GUEST], 1);
	assert_int_equal(pv_acct_halted_ns(&st), 0);	/* guest idle is not a host halt */
	pv_acct_destroy(a);
}

static void test_misc_counts(void **state)
{
	static const struct pv_rec recs[] = {
		REC(1, 1, PV_EV_MIGRATE, 3, 2, 0),
		REC(2, 1, PV_EV_MIGRATE, 2, 3, 0),
		REC(3, 1, PV_EV_TIMER_FIRE, 2, 0, 0),
		REC(4, 1, PV_EV_IRQ_INJECT, 4, PV_IRQ_TRAPPED, 0),
		REC(5, 1, PV_EV_DEV_IO, PV_DEV_OP(2, PV_DEV_OP_READ), 512, 100),
		REC(6, 1, PV_EV_THROTTLE, 1, 10, 100),
		REC(7, 1, PV_EV_QOS_CHANGE, 1, 1, 0),			/* not accounting's */
		REC(8, 9, PV_EV_VM_ENTRY, 0, 0, 0),			/* vcpu out of range */
		REC(9, 1, PV_EV_VM_EXIT, 99, 0, 0),			/* bad reason: ignored */
	};
	struct pv_acct *a = acct_new(2, KHZ_1GHZ);
	struct pv_acct_stats st;

	(void)state;
	pv_acct_feed(a, recs, sizeof(recs) / sizeof(recs[0]));
	pv_acct_close_window(a, 10);
	get(a, 1, PV_ACCT_WINDOW, &st);
	assert_int_equal(st.migrations, 2);
	assert_int_equal(st.timer_fires, 1);
	assert_int_equal(st.timer_overruns, 2);
	assert_int_equal(st.irqs[PV_IRQ_TRAPPED], 1);
	assert_int_equal(st.dev_ops[PV_DEV_OP_READ], 1);
	assert_int_equal(st.dev_bytes, 512);
	assert_int_equal(st.throttles, 1);
	assert_int_equal(st.ignored, 2);
	assert_int_equal(pv_acct_vcpu(a, 2, PV_ACCT_WINDOW, &st), -EINVAL);
	pv_acct_destroy(a);
}

/* The VM figures sum the vCPUs; each vCPU's time adds up to the window. */
static void test_vm_sum_and_clock(void **state)
{
	static const struct pv_rec recs[] = {
		ENTRY(0, 0), ENTRY(0, 1), EXIT(2000, 0, PV_EXIT_PIO), EXIT(3000, 1, PV_EXIT_PIO),
		TS(0, 1, 0, 4, PV_TASK_IDLE, PV_TASK_BE), TS(10, 0, 0, 4, PV_TASK_IDLE, PV_TASK_BE),
	};
	struct pv_acct *a = acct_new(2, 2000000);	/* 2 GHz: 2 ticks per ns */
	struct pv_acct_stats st;

	(void)state;
	pv_acct_feed(a, recs, sizeof(recs) / sizeof(recs[0]));
	assert_int_equal(pv_acct_close_window(a, 4000), 2000);
	pv_acct_vm(a, PV_ACCT_WINDOW, &st);
	assert_int_equal(st.span_ns, 2000);
	assert_int_equal(st.guest_ns, 1000 + 1500);
	assert_int_equal(st.vmm_ns, 1000 + 500);
	assert_int_equal(st.exits[PV_EXIT_PIO], 2);
	assert_int_equal(st.ntasks, 1);
	assert_int_equal(task(&st, 4)->run_ns, 1995 + 2000);
	get(a, 0, PV_ACCT_WINDOW, &st);
	assert_int_equal(st.guest_ns + st.vmm_ns, st.span_ns);
	pv_acct_destroy(a);
}

static void test_create_rejects(void **state)
{
	struct pv_clock clk = { 0 };
	struct pv_acct *a;

	(void)state;
	assert_int_equal(pv_acct_create(&a, 1, &clk), -EINVAL);
	pv_clock_init(&clk, KHZ_1GHZ);
	assert_int_equal(pv_acct_create(&a, 0, &clk), -EINVAL);
	assert_int_equal(pv_acct_create(&a, PV_MAX_VCPUS + 1, &clk), -EINVAL);
	assert_int_equal(pv_acct_create(&a, PV_MAX_VCPUS, &clk), 0);
	pv_acct_destroy(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequences),
		cmocka_unit_test(test_exit_counts_and_buckets),
		cmocka_unit_test(test_windows),
		cmocka_unit_test(test_late_record),
		cmocka_unit_test(test_guest_tasks),
		cmocka_unit_test(test_task_table_overflow),
		cmocka_unit_test(test_rt_and_guest_idle),
		cmocka_unit_test(test_misc_counts),
		cmocka_unit_test(test_vm_sum_and_clock),
		cmocka_unit_test(test_create_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
