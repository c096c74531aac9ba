// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daemon's QoS admission on a minimal daemon (model platform, 2 CPUs, no VMMs):
 * placement, per-CPU admission with overheads, refusals that change nothing, hierarchical
 * groups, dedicated CPUs and the constraints they produce.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/daemon.h"
#include "daemon/qosd.h"

static struct daemon d;

static int setup(void **state)
{
	char err[DPOWER_ERR_MAX];

	(void)state;
	memset(&d, 0, sizeof(d));
	cfg_init(&d.cfg);
	strcpy(d.state_dir, "/tmp/pv-test-qosd");
	if (dpower_open(&d.power, "model", "performance", 2, NULL, NULL, err) ||
	    tracebuf_init(&d.trace, 8))
		return -1;
	qos_constraints_init(&d.qcons, 2);
	d.pmcons.ncpus = 2;
	d.pmcons.cpu = calloc(2, sizeof(*d.pmcons.cpu));
	pm_constraints_reset(&d.pmcons);
	d.resv = &resv_budget_ops;	/* admission adds its enforcement slack */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < CFG_MAX_VMS; i++) {
		dvm_free(d.vms[i]);
		d.vms[i] = NULL;
	}
	free(d.pmcons.cpu);
	tracebuf_fini(&d.trace);
	dpower_close(&d.power);
	return 0;
}

static struct dvm *add_vm(const char *name, const char *group)
{
	struct cfg_vm c;
	int slot = daemon_free_slot(&d);

	cfg_vm_init(&c);
	snprintf(c.name, sizeof(c.name), "%s", name);
	snprintf(c.group, sizeof(c.group), "%s", group ? group : "");
	d.vms[slot] = dvm_new(&d, &c, (unsigned int)slot, false);
	for (unsigned int v = 0; v < MAX_VCPUS; v++)
		d.vms[slot]->qos.cpu[v] = CPUPLAN_ANY;
	return d.vms[slot];
}

static int set_rt(struct dvm *vm, uint64_t runtime_us, uint64_t period_us, struct qos_outcome *o)
{
	struct qos_spec s = { .cls = PV_QOS_REALTIME,
			      .resv = { true, runtime_us, period_us, 0 } };

	return qosd_apply(&d, vm, &s, o);
}

static void test_flat_admission(void **state)
{
	struct qos_outcome o;
	struct dvm *a = add_vm("a", NULL), *b = add_vm("b", NULL), *c = add_vm("c", NULL);
	struct dvm *e = add_vm("e", NULL);

	(void)state;
	assert_int_equal(set_rt(a, 300, 1000, &o), 0);
	assert_true(o.admitted);
	assert_int_equal(set_rt(b, 800, 1000, &o), 0);		/* worst fit: the other CPU */
	assert_int_not_equal(a->qos.cpu[0], b->qos.cpu[0]);
	/* budget mechanism: each 1 ms reservation also carries 13 % enforcement slack (VMM-timer
	 * lateness) and 2 % per activation, so 30 % + 40 % would not fit; 30 % + 20 % does */
	assert_int_equal(set_rt(c, 400, 1000, &o), -EBUSY);
	assert_int_equal(set_rt(c, 200, 1000, &o), 0);
	assert_int_equal(c->qos.cpu[0], a->qos.cpu[0]);
	/* no CPU has room for 40 % more once overheads count: refused, and e stays as it was */
	assert_int_equal(set_rt(e, 400, 1000, &o), -EBUSY);
	assert_false(o.admitted);
	assert_non_null(strstr(o.reason, "utilisation"));
	assert_int_equal(e->cfg.qos, PV_QOS_BEST_EFFORT);
	assert_false(e->cfg.reservation.set);
	/* a realtime CPU gets a frequency floor at the base P-state, and a wake-latency budget
	 * from its reservations' slack: the smallest of those planned there */
	assert_int_equal(d.pmcons.cpu[a->qos.cpu[0]].floor_khz, pm_platform_base_khz(&d.power.plat));
	assert_int_equal(d.pmcons.cpu[a->qos.cpu[0]].latency_us, 700);	/* a 300/1000, c 200/1000 */
	assert_int_equal(d.pmcons.cpu[b->qos.cpu[0]].latency_us, 200);	/* b 800/1000 */
}

static void test_groups(void **state)
{
	struct qos_outcome o;
	struct dvm *m1, *m2, *m3;

	(void)state;
	d.cfg.node.ngroups = 1;
	strcpy(d.cfg.node.groups[0].name, "g");
	d.cfg.node.groups[0].runtime_us = 500;
	d.cfg.node.groups[0].period_us = 1000;
	m1 = add_vm("m1", "g");
	m2 = add_vm("m2", "g");
	m3 = add_vm("m3", "g");
	assert_int_equal(set_rt(m1, 100, 10000, &o), 0);
	assert_int_equal(set_rt(m2, 200, 20000, &o), 0);
	assert_int_equal(m1->qos.cpu[0], m2->qos.cpu[0]);	/* members share the group's CPU */
	/* a 1 ms deadline can fall in the group's 1 ms supply gap: refused inside the group */
	assert_int_equal(set_rt(m3, 100, 1000, &o), -EBUSY);
	assert_non_null(strstr(o.reason, "group g: demand exceeds guaranteed supply"));
	assert_int_equal(m3->cfg.qos, PV_QOS_BEST_EFFORT);
}

static void test_dedicated_cpus(void **state)
{
	struct qos_spec ls = { .cls = PV_QOS_LATENCY_SENSITIVE, .latency_budget_us = 5 };
	struct qos_outcome o;
	struct dvm *x = add_vm("x", NULL), *y = add_vm("y", NULL);
	int cpu;

	(void)state;
	assert_int_equal(qosd_apply(&d, x, &ls, &o), 0);
	cpu = x->qos.cpu[0];
	assert_true(cpu >= 0);
	assert_int_equal(d.pmcons.cpu[cpu].latency_us, 5);	/* → shallow C-states only */
	assert_int_equal(pm_clamp_cstate_for_latency(&d.power.plat, 5) <
			 pm_platform_deepest(&d.power.plat), 1);
	/* with 2 CPUs one must stay shared: a second dedicated VM does not fit */
	assert_int_equal(qosd_apply(&d, y, &ls, &o), -ENOSPC);
	assert_non_null(strstr(o.reason, "dedicated CPUs needed"));
	/* back to best effort: the constraints go away */
	ls.cls = PV_QOS_BEST_EFFORT;
	ls.latency_budget_us = 0;
	assert_int_equal(qosd_apply(&d, x, &ls, &o), 0);
	assert_int_equal(d.pmcons.cpu[cpu].latency_us, PM_LATENCY_NONE);
}

static void test_bad_specs(void **state)
{
	struct qos_spec s = { .cls = PV_QOS_REALTIME };
	struct qos_outcome o;
	struct dvm *z = add_vm("z", NULL);

	(void)state;
	assert_int_equal(qosd_apply(&d, z, &s, &o), -EINVAL);	/* realtime without reservation */
	s.cls = PV_QOS_BEST_EFFORT;
	s.resv.set = true;
	assert_int_equal(qosd_apply(&d, z, &s, &o), -EINVAL);	/* reservation without realtime */
	s.cls = (enum pv_qos_class)42;
	assert_int_equal(qosd_apply(&d, z, &s, &o), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flat_admission, setup, teardown),
		cmocka_unit_test_setup_teardown(test_groups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dedicated_cpus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_specs, setup, teardown),
	};

	return cmocka_run_group_tests_name("qosd", tests, NULL, NULL);
}
