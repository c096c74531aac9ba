// SPDX-License-Identifier: GPL-2.0-only
/* Attribution exactness on hand-built timelines, the simulator, and the record loader. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "powermgr/attrib.h"
#include "powermgr/sim.h"
#include "powermgr/timeline.h"
#include "powermgr/workload.h"

#define MS	1000000ull

static void seg(struct pm_seg_list *l, uint64_t a, uint64_t b, int owner, uint8_t kind,
		uint32_t khz, int lim)
{
	struct pm_seg s = { .start_ns = a, .end_ns = b, .owner = owner, .kind = kind, .khz = khz,
			    .cstate_limit = (int8_t)lim, .cstate = (int8_t)lim };

	assert_int_equal(pm_seg_push(l, &s), 0);
}

/* VM0 at 3.2 GHz beside VM1 at 0.8 GHz: equal CPU time, very different energy. */
static void test_attrib_frequency_matters(void **state)
{
	struct pm_model m;
	struct pm_seg_list cpu[2] = { { 0 } };
	uint64_t t[3] = { 0, 10 * MS, 20 * MS };
	double e[3], u, p_hi, p_lo;
	struct pm_attrib_input in;
	struct pm_attrib_result fw, cs;

	(void)state;
	pm_model_defaults(&m, 2);
	u = pm_model_uncore_w(&m, false) / 2;
	p_hi = pm_model_active_w(&m, 3200000) + u;
	p_lo = pm_model_active_w(&m, 800000) + u;
	seg(&cpu[0], 0, 10 * MS, 0, PM_SEG_BUSY, 3200000, 3);
	seg(&cpu[0], 10 * MS, 20 * MS, PM_OWNER_IDLE, PM_SEG_IDLE, 3200000, PM_MODEL_C6);
	seg(&cpu[1], 0, 4 * MS, 1, PM_SEG_BUSY, 800000, 3);
	seg(&cpu[1], 4 * MS, 4 * MS + 20000, PM_OWNER_OVERHEAD, PM_SEG_BUSY, 800000, 3);
	seg(&cpu[1], 4 * MS + 20000, 20 * MS, 1, PM_SEG_BUSY, 800000, 3);
	/* the node used exactly the modelled power; the counter is quantized to 61 µJ */
	e[0] = 0;
	e[1] = (p_hi + p_lo) * 10 * MS * 1e-3;
	e[2] = e[1] + (u + p_lo) * 10 * MS * 1e-3;
	for (int i = 0; i < 3; i++)
		e[i] = floor(e[i] / 61.03515625) * 61.03515625;
	in = (struct pm_attrib_input){ .model = &m, .ncpus = 2, .cpu = cpu, .nvms = 2,
				       .meter_ns = t, .meter_uj = e, .nmeter = 3 };
	assert_int_equal(pm_attrib_freq_weighted(&in, &fw), 0);
	assert_int_equal(pm_attrib_cpushare(&in, &cs), 0);
	/* both divide the whole counter: sum = node within 1 % (exactly, here) */
	assert_true(fabs(pm_attrib_total_uj(&fw) - e[2]) < 1e-6 * e[2]);
	assert_true(fabs(pm_attrib_total_uj(&cs) - e[2]) < 1e-6 * e[2]);
	/* frequency-weighted: VM0 gets its 10 ms at 3.2 GHz, within quantization */
	assert_true(fabs(fw.vm_uj[0] - p_hi * 10 * MS * 1e-3) < 0.01 * fw.vm_uj[0]);
	assert_true(fabs(fw.idle_uj - u * 10 * MS * 1e-3) < 0.01 * fw.idle_uj);
	/* CPU-time share: VM0 and VM1 ran equally long in tick 1 -> charged about equally */
	{
		struct pm_attrib_result truth = { .nvms = 2 };

		truth.vm_uj[0] = p_hi * 10 * MS * 1e-3;
		truth.vm_uj[1] = p_lo * (20 * MS - 20000) * 1e-3;
		assert_true(pm_attrib_error_pct(&fw, &truth) < 1.0);
		assert_true(pm_attrib_error_pct(&cs, &truth) > 20.0);
		assert_true(cs.vm_uj[0] < 0.7 * truth.vm_uj[0]);
	}
	/* bad input */
	in.nmeter = 1;
	assert_int_equal(pm_attrib_freq_weighted(&in, &fw), -EINVAL);
	pm_seg_list_free(&cpu[0]);
	pm_seg_list_free(&cpu[1]);
}

/* Same frequency everywhere: both methods agree (a workload that proves nothing). */
static void test_attrib_same_frequency_agree(void **state)
{
	struct pm_model m;
	struct pm_seg_list cpu[1] = { { 0 } };
	uint64_t t[2] = { 0, 10 * MS };
	double e[2] = { 0, 12345.0 };
	struct pm_attrib_input in;
	struct pm_attrib_result fw, cs;

	(void)state;
	pm_model_defaults(&m, 1);
	seg(&cpu[0], 0, 3 * MS, 0, PM_SEG_BUSY, 2000000, 3);
	seg(&cpu[0], 3 * MS, 10 * MS, 1, PM_SEG_BUSY, 2000000, 3);
	in = (struct pm_attrib_input){ .model = &m, .ncpus = 1, .cpu = cpu, .nvms = 2,
				       .meter_ns = t, .meter_uj = e, .nmeter = 2 };
	assert_int_equal(pm_attrib_freq_weighted(&in, &fw), 0);
	assert_int_equal(pm_attrib_cpushare(&in, &cs), 0);
	assert_true(fabs(fw.vm_uj[0] - cs.vm_uj[0]) < 1e-6);
	assert_true(fabs(fw.vm_uj[0] - 0.3 * 12345.0) < 1e-6);
	pm_seg_list_free(&cpu[0]);
}

/* Simulator on a tiny timeline: stretching, deadlines, energy conservation. */
static void test_sim_small(void **state)
{
	static const struct {
		const char *gov;
		uint64_t misses;
		bool slower;		/* batch finishes later than at 2 GHz */
	} cases[] = {
		{ "performance", 0, false },
		{ "powersave", 5, true },	/* 300 µs of work at 0.8 GHz > 500 µs deadline */
	};
	struct pm_timeline tl;
	struct pm_model m;

	(void)state;
	pm_model_defaults(&m, 1);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct pm_sim_cfg cfg = { .model = &m, .gov = pm_governor_find(cases[c].gov) };
		struct pm_sim_result r;
		struct pm_attrib_input in;
		struct pm_attrib_result fw;

		assert_int_equal(pm_timeline_init(&tl, 1, 2, 2000000), 0);
		for (int j = 0; j < 5; j++) {
			struct pm_tl_item rt = {
				.release_ns = j * 20 * MS, .work_cycles = 600000, .deadline_ns =
				j * 20 * MS + 500000, .vm = 0, .kind = PM_TL_GUEST,
				.flags = PM_TL_RT | PM_TL_JOB_END,
			};
			struct pm_tl_item be = { .release_ns = j * 20 * MS, .work_cycles = 10000000,
						 .vm = 1, .kind = PM_TL_GUEST };

			assert_int_equal(pm_timeline_add(&tl, 0, &be), 0);
			assert_int_equal(pm_timeline_add(&tl, 0, &rt), 0);
		}
		tl.end_ns = 100 * MS;
		pm_timeline_finish(&tl);
		assert_int_equal(pm_sim_run(&tl, &cfg, &r), 0);
		assert_int_equal(r.rt_jobs, 5);
		assert_int_equal(r.rt_misses, cases[c].misses);
		assert_int_equal(r.vm_finish_ns[1] > 80 * MS + 5 * MS, cases[c].slower);
		/* truth: owners sum to the node */
		assert_true(fabs(pm_attrib_total_uj(&r.truth) - r.energy_uj) < 1e-6 * r.energy_uj);
		/* the meter ends within one unit + one update period of the truth */
		assert_true(r.energy_uj - r.meter_uj[r.nmeter - 1] >= -1e-6);
		pm_sim_attrib_input(&r, &m, &in);
		assert_int_equal(pm_attrib_freq_weighted(&in, &fw), 0);
		assert_true(fabs(pm_attrib_total_uj(&fw) - r.energy_uj) < 0.01 * r.energy_uj);
		pm_sim_result_free(&r);
		pm_timeline_free(&tl);
	}
}

/* The default workload under transition: attribution sum and per-VM error. */
static void test_sim_mixed_attribution(void **state)
{
	struct pm_workload_params wp;
	struct pm_cpu_constraint cc[3];
	struct pm_constraints cons = { .ncpus = 3, .cpu = cc };
	struct pm_timeline tl;
	struct pm_model m;
	struct pm_sim_result r;
	struct pm_attrib_input in;
	struct pm_attrib_result fw, cs;
	struct pm_sim_cfg cfg;

	(void)state;
	pm_workload_defaults(&wp);
	wp.duration_ns = 400 * MS;
	assert_int_equal(pm_workload_mixed(&tl, &wp), 0);
	pm_model_defaults(&m, 3);
	pm_constraints_reset(&cons);
	pm_constraints_add(&cons, 0, 50, 1200000);
	cfg = (struct pm_sim_cfg){ .model = &m, .gov = &pm_gov_transition_ops, .cons = &cons,
				   .rt_boost_khz = 2000000 };
	assert_int_equal(pm_sim_run(&tl, &cfg, &r), 0);
	assert_true(r.freq_changes > 10);
	pm_sim_attrib_input(&r, &m, &in);
	assert_int_equal(pm_attrib_freq_weighted(&in, &fw), 0);
	assert_int_equal(pm_attrib_cpushare(&in, &cs), 0);
	assert_true(fabs(pm_attrib_total_uj(&fw) - r.energy_uj) < 0.01 * r.energy_uj);
	assert_true(pm_attrib_error_pct(&fw, &r.truth) < 2.0);
	assert_true(pm_attrib_error_pct(&cs, &r.truth) > pm_attrib_error_pct(&fw, &r.truth));
	pm_sim_result_free(&r);
	pm_timeline_free(&tl);
}

/* Loader: records of one vCPU -> guest / VMM / poll items, RT split and deadline. */
static void test_timeline_from_records(void **state)
{
	/* TSC at 1 GHz: 1 tick = 1 ns (tsc_khz = 1e6) */
	const struct pv_rec recs[] = {
		{ .tsc = 1000, .type = PV_EV_VM_ENTRY },
		{ .tsc = 1000 + 100000, .type = PV_EV_RT_ACTIVATE, .a = 1, .c = 1000000 },
		{ .tsc = 1000 + 300000, .type = PV_EV_RT_COMPLETE, .a = 1 },
		{ .tsc = 1000 + 400000, .type = PV_EV_VM_EXIT, .a = PV_EXIT_HLT },
		{ .tsc = 1000 + 410000, .type = PV_EV_HALT_BEGIN, .a = PV_HALT_POLL },
		{ .tsc = 1000 + 510000, .type = PV_EV_HALT_END, .a = PV_HALT_POLL },
		{ .tsc = 1000 + 520000, .type = PV_EV_MIGRATE, .a = 1, .b = 0 },
		{ .tsc = 1000 + 530000, .type = PV_EV_VM_ENTRY },
		{ .tsc = 1000 + 630000, .type = 999 },		/* garbage: skipped */
		{ .tsc = 1000 + 730000, .type = PV_EV_VM_EXIT },
	};
	struct pm_tl_stream st = { .vm = 0, .vcpu = 0, .pcpu = 0, .recs = recs,
				   .n = sizeof(recs) / sizeof(recs[0]) };
	struct pm_timeline tl;
	size_t skipped = 0;
	const struct pm_tl_item *it;

	(void)state;
	assert_int_equal(pm_timeline_init(&tl, 2, 1, 2000000), 0);
	assert_int_equal(pm_timeline_from_records(&tl, &st, 1, 1000000, &skipped), 0);
	assert_int_equal(skipped, 1);
	/* cpu0: guest 100 µs, RT guest 200 µs (JOB_END, deadline 1.1 ms), guest 100 µs,
	 * VMM 10 µs, poll 100 µs, VMM 10 µs (until the migration) */
	assert_int_equal(tl.cpu[0].n, 6);
	it = tl.cpu[0].items;
	assert_int_equal(it[0].kind, PM_TL_GUEST);
	assert_int_equal(it[0].work_cycles, 200000);	/* 100 µs at 2 GHz */
	assert_int_equal(it[1].flags, PM_TL_RT | PM_TL_JOB_END);
	assert_int_equal(it[1].deadline_ns, 100000 + 1000000);
	assert_int_equal(it[1].work_cycles, 400000);
	assert_int_equal(it[2].flags, 0);
	assert_int_equal(it[3].kind, PM_TL_VMM);
	assert_int_equal(it[4].kind, PM_TL_POLL);
	assert_int_equal(it[4].poll_ns, 100000);
	/* cpu1 after the migration: VMM 10 µs, guest 200 µs */
	assert_int_equal(tl.cpu[1].n, 2);
	assert_int_equal(tl.cpu[1].items[1].kind, PM_TL_GUEST);
	assert_int_equal(tl.cpu[1].items[1].work_cycles, 400000);
	pm_timeline_free(&tl);
	/* a stream that names a VM out of range is skipped whole */
	assert_int_equal(pm_timeline_init(&tl, 1, 1, 2000000), 0);
	st.vm = 5;
	assert_int_equal(pm_timeline_from_records(&tl, &st, 1, 1000000, &skipped), 0);
	assert_int_equal(skipped, st.n);
	pm_timeline_free(&tl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attrib_frequency_matters),
		cmocka_unit_test(test_attrib_same_frequency_agree),
		cmocka_unit_test(test_sim_small),
		cmocka_unit_test(test_sim_mixed_attribution),
		cmocka_unit_test(test_timeline_from_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
