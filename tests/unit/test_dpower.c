// SPDX-License-Identifier: GPL-2.0-only
/* The daemon's power pipeline on the model platform: energy split, decisions, clamping. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "daemon/power.h"

struct rec_log {
	unsigned int pstate, cstate;
};

static void log_rec(void *ctx, const struct pv_rec *rec)
{
	struct rec_log *l = ctx;

	if (rec->type == PV_EV_PSTATE)
		l->pstate++;
	else if (rec->type == PV_EV_CSTATE_LIMIT)
		l->cstate++;
}

#define MS 1000000ull

/* One 10 ms window: VM0 busy 8 ms on CPU0, VM1 busy 2 ms on CPU1, 0.2 ms VMM each. */
static void run_tick(struct dpower *p, uint64_t t0, const struct pm_constraints *cons)
{
	uint64_t busy[2 * 2] = { 8 * MS, 0, 0, 2 * MS };
	uint64_t poll[2 * 2] = { 0 };
	uint64_t vmm[2] = { MS / 5, MS / 5 };
	struct dpower_tick_in in = { .t0_ns = t0, .t1_ns = t0 + 10 * MS, .nvms = 2,
				     .vm_busy_ns = busy, .vm_poll_ns = poll, .vmm_ns = vmm,
				     .cons = cons };

	memset(p->cpu, 0, sizeof(*p->cpu) * p->ncpus);
	p->cpu[0].guest_ns = 8 * MS;
	p->cpu[0].vmm_ns = MS / 5;
	p->cpu[0].idle_ns = 10 * MS - p->cpu[0].guest_ns - p->cpu[0].vmm_ns;
	p->cpu[1].guest_ns = 2 * MS;
	p->cpu[1].vmm_ns = MS / 5;
	p->cpu[1].idle_ns = 10 * MS - p->cpu[1].guest_ns - p->cpu[1].vmm_ns;
	assert_int_equal(dpower_tick(p, &in), 0);
}

static void test_energy_split_and_decisions(void **state)
{
	struct dpower p;
	struct rec_log log = { 0 };
	char err[DPOWER_ERR_MAX] = "";
	double sum;
	int i;

	(void)state;
	assert_int_equal(dpower_open(&p, "model", "performance", 2, log_rec, &log, err), 0);
	assert_string_equal(dpower_backend_name(&p), "model");
	assert_string_equal(dpower_source(&p), "model");
	for (i = 0; i < 50; i++)
		run_tick(&p, 1000 * MS + (uint64_t)i * 10 * MS, NULL);
	/* performance: every CPU at the top P-state, each change traced once */
	assert_int_equal(p.stats[0].cur_khz, pm_platform_max_khz(&p.plat));
	assert_int_equal(p.stats[1].cur_khz, pm_platform_max_khz(&p.plat));
	assert_true(log.pstate >= 1 && log.pstate <= 2);
	/* energy: positive, the busier VM costs more, the split adds up to the node within 1 % */
	assert_true(p.node_j > 0);
	assert_true(p.vm_j[0] > 2.0 * p.vm_j[1]);
	sum = p.vm_j[0] + p.vm_j[1] + p.idle_j + p.overhead_j;
	assert_true(fabs(sum - p.node_j) <= 0.01 * p.node_j);
	assert_true(p.node_w > 0);
	/* residency bookkeeping */
	assert_int_equal(p.stats[0].time_ns[0], 50 * 8 * MS);
	assert_true(fabs(p.stats[0].util_pct - 82.0) < 0.01);
	dpower_close(&p);
}

static void test_constraints_clamp_decisions(void **state)
{
	struct pm_cpu_constraint cc[2] = { { PM_LATENCY_NONE, 0 }, { 2, 2000000 } };
	struct pm_constraints cons = { .ncpus = 2, .cpu = cc };
	struct dpower p;
	char err[DPOWER_ERR_MAX] = "";
	int i;

	(void)state;
	assert_int_equal(dpower_open(&p, "model", "powersave", 2, NULL, NULL, err), 0);
	for (i = 0; i < 5; i++)
		run_tick(&p, (uint64_t)i * 10 * MS + MS, &cons);
	assert_int_equal(p.stats[0].cur_khz, pm_platform_min_khz(&p.plat));	/* powersave */
	assert_true(p.stats[1].cur_khz >= 2000000);				/* the floor */
	assert_int_equal(p.stats[1].cstate_limit, pm_clamp_cstate_for_latency(&p.plat, 2));
	dpower_close(&p);
}

static void test_governor_switch_rollback(void **state)
{
	struct dpower p;
	char err[DPOWER_ERR_MAX] = "";

	(void)state;
	assert_int_equal(dpower_open(&p, "model", "ondemand", 2, NULL, NULL, err), 0);
	assert_int_not_equal(dpower_set_governor(&p, "schedutil", NULL, 0, err), 0);
	assert_non_null(strstr(err, "\"ondemand\" stays"));
	assert_string_equal(pm_gov_mgr_name(&p.gov), "ondemand");
	assert_int_equal(dpower_set_governor(&p, "transition", NULL, 0, err), 0);
	assert_string_equal(pm_gov_mgr_name(&p.gov), "transition");
	dpower_close(&p);
	assert_int_not_equal(dpower_open(&p, "acpi", "ondemand", 2, NULL, NULL, err), 0);
	assert_non_null(strstr(err, "platform backend \"acpi\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_energy_split_and_decisions),
		cmocka_unit_test(test_constraints_clamp_decisions),
		cmocka_unit_test(test_governor_switch_rollback),
	};

	return cmocka_run_group_tests_name("dpower", tests, NULL, NULL);
}
