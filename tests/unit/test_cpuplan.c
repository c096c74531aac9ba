// SPDX-License-Identifier: GPL-2.0-only
/* CPU planning by QoS class: dedicated CPUs, worst-fit RT pinning, stability, limits. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "qos/cpuplan.h"

static void vm_init(struct cpuplan_vm *vm, const char *name, enum pv_qos_class cls, uint32_t nvcpus,
		    uint64_t resv_ppm)
{
	unsigned int v;

	memset(vm, 0, sizeof(*vm));
	vm->name = name;
	vm->cls = cls;
	vm->nvcpus = nvcpus;
	vm->resv_ppm = resv_ppm;
	for (v = 0; v < CPUPLAN_MAX_VCPUS; v++)
		vm->prev_cpu[v] = CPUPLAN_ANY;
}

static void test_two_cpu_default_mix(void **state)
{
	struct cpuplan_vm vms[3];
	struct cpuplan p;
	char reason[CPUPLAN_REASON_MAX];
	cpu_set_t m;

	(void)state;
	vm_init(&vms[0], "rt0", PV_QOS_REALTIME, 1, 400000);
	vm_init(&vms[1], "batch0", PV_QOS_BEST_EFFORT, 1, 0);
	vm_init(&vms[2], "burst0", PV_QOS_BEST_EFFORT, 1, 0);
	assert_int_equal(cpuplan_compute(&p, 2, 1, vms, 3, reason), 0);
	assert_int_equal(vms[0].cpu[0], 1);		/* ties go to the highest CPU */
	assert_int_equal(vms[1].cpu[0], CPUPLAN_ANY);
	assert_int_equal(p.resv_ppm[1], 400000);
	cpuplan_vcpu_mask(&p, &vms[1], 0, &m);
	assert_int_equal(CPU_COUNT(&m), 2);
	cpuplan_vcpu_mask(&p, &vms[0], 0, &m);
	assert_int_equal(CPU_COUNT(&m), 1);
	assert_true(CPU_ISSET(1, &m));
}

static void test_partition_is_exclusive(void **state)
{
	struct cpuplan_vm vms[2];
	struct cpuplan p;
	char reason[CPUPLAN_REASON_MAX];
	cpu_set_t m;

	(void)state;
	vm_init(&vms[0], "part", PV_QOS_PARTITION, 1, 0);
	vm_init(&vms[1], "batch", PV_QOS_BEST_EFFORT, 2, 0);
	assert_int_equal(cpuplan_compute(&p, 2, 1, vms, 2, reason), 0);
	assert_int_equal(vms[0].cpu[0], 1);
	cpuplan_vcpu_mask(&p, &vms[1], 1, &m);
	assert_int_equal(CPU_COUNT(&m), 1);
	assert_true(CPU_ISSET(0, &m));		/* best effort kept off the partition */
	assert_false(CPU_ISSET(1, &p.shared));
}

static void test_not_enough_cpus(void **state)
{
	struct cpuplan_vm vms[2];
	struct cpuplan p;
	char reason[CPUPLAN_REASON_MAX] = "";

	(void)state;
	vm_init(&vms[0], "ls", PV_QOS_LATENCY_SENSITIVE, 2, 0);
	assert_int_equal(cpuplan_compute(&p, 2, 1, vms, 1, reason), -ENOSPC);
	assert_string_equal(reason, "2 dedicated CPUs needed but only 1 of 2 can be dedicated "
			    "(1 must stay shared)");
	assert_int_equal(cpuplan_compute(&p, 0, 0, vms, 1, reason), -EINVAL);
	vm_init(&vms[1], "zero", PV_QOS_BEST_EFFORT, 0, 0);
	assert_int_equal(cpuplan_compute(&p, 4, 1, &vms[1], 1, reason), -EINVAL);
}

static void test_rt_worst_fit_and_stability(void **state)
{
	struct cpuplan_vm vms[4];
	struct cpuplan p;
	char reason[CPUPLAN_REASON_MAX];
	unsigned int i;

	(void)state;
	vm_init(&vms[0], "ls", PV_QOS_LATENCY_SENSITIVE, 1, 0);
	vm_init(&vms[1], "rt-a", PV_QOS_REALTIME, 1, 500000);
	vm_init(&vms[2], "rt-b", PV_QOS_REALTIME, 1, 300000);
	vm_init(&vms[3], "rt-c", PV_QOS_REALTIME, 1, 100000);
	assert_int_equal(cpuplan_compute(&p, 4, 1, vms, 4, reason), 0);
	assert_int_equal(vms[0].cpu[0], 3);
	assert_int_equal(vms[1].cpu[0], 2);	/* all shared CPUs empty: highest */
	assert_int_equal(vms[2].cpu[0], 1);	/* worst fit: an empty CPU */
	assert_int_equal(vms[3].cpu[0], 0);
	/* swap the classes' order and feed the previous plan back: nobody moves */
	for (i = 0; i < 4; i++)
		memcpy(vms[i].prev_cpu, vms[i].cpu, sizeof(vms[i].cpu));
	struct cpuplan_vm rev[4] = { vms[3], vms[2], vms[1], vms[0] };

	assert_int_equal(cpuplan_compute(&p, 4, 1, rev, 4, reason), 0);
	assert_int_equal(rev[0].cpu[0], 0);
	assert_int_equal(rev[1].cpu[0], 1);
	assert_int_equal(rev[2].cpu[0], 2);
	assert_int_equal(rev[3].cpu[0], 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_cpu_default_mix),
		cmocka_unit_test(test_partition_is_exclusive),
		cmocka_unit_test(test_not_enough_cpus),
		cmocka_unit_test(test_rt_worst_fit_and_stability),
	};

	return cmocka_run_group_tests_name("cpuplan", tests, NULL, NULL);
}
