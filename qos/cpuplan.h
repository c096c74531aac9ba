/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CPU planning: which physical CPUs each VM's vCPUs may run on, from the VMs' QoS classes.
 *
 *   - latency-sensitive and partition vCPUs get a dedicated CPU each: no other VM's vCPU
 *     runs there, so a halted vCPU can keep its CPU polling or shallow-idle without
 *     stealing from anyone, and its wake latency does not depend on another VM;
 *   - realtime vCPUs are pinned to one shared CPU each (their reservation, admitted per
 *     CPU, is what protects them), chosen worst-fit: the shared CPU with the least reserved
 *     bandwidth, so reservations spread out and admission has the most room;
 *   - best-effort vCPUs float over every shared CPU.
 * At least `min_shared` CPUs always stay shared (best-effort VMs and the host need
 * somewhere to run). Dedicated CPUs are taken from the highest index down (CPU 0 usually
 * carries host housekeeping and interrupts). A vCPU keeps the CPU it had in the previous
 * plan when that is still valid, so adding one VM does not reshuffle the others.
 */
#ifndef PV_QOS_CPUPLAN_H
#define PV_QOS_CPUPLAN_H

#include <sched.h>
#include <stdint.h>

#include "tracer/event.h"

#define CPUPLAN_MAX_VCPUS	16u
#define CPUPLAN_MAX_CPUS	CPU_SETSIZE
#define CPUPLAN_REASON_MAX	160
#define CPUPLAN_ANY		(-1)	/* float over the shared CPUs */
#define DEF_MIN_SHARED_CPUS	1u

struct cpuplan_vm {
	/* input */
	const char *name;
	enum pv_qos_class cls;
	uint32_t nvcpus;
	uint64_t resv_ppm;			/* reserved bandwidth per vCPU (realtime), ppm */
	int prev_cpu[CPUPLAN_MAX_VCPUS];	/* previous plan, CPUPLAN_ANY if none */
	/* output */
	int cpu[CPUPLAN_MAX_VCPUS];		/* pinned CPU or CPUPLAN_ANY */
};

struct cpuplan {
	unsigned int ncpus;
	cpu_set_t shared;			/* CPUs not dedicated to anyone */
	cpu_set_t dedicated;
	uint64_t resv_ppm[CPUPLAN_MAX_CPUS];	/* realtime bandwidth pinned to each CPU */
};

/*
 * Plan @n VMs on @ncpus CPUs. 0, or -ENOSPC with the reason when the exclusive demands
 * do not fit while keeping @min_shared CPUs shared, -EINVAL for bad input.
 */
int cpuplan_compute(struct cpuplan *p, unsigned int ncpus, unsigned int min_shared,
		    struct cpuplan_vm *vms, unsigned int n, char *reason);

/* The CPUs vCPU @vcpu of @vm may run on, per plan @p. */
void cpuplan_vcpu_mask(const struct cpuplan *p, const struct cpuplan_vm *vm, uint32_t vcpu,
		       cpu_set_t *mask);

#endif /* PV_QOS_CPUPLAN_H */
