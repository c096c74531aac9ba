/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Generated timelines for the trace-driven evaluation: the fallback of bench_power when
 * no real recording can be made (no /dev/kvm, no pv-vmm), and a fixed input for tests.
 * Real traces are loaded by powermgr/record.c. See workload.c for the generator.
 */
#ifndef PV_POWERMGR_WORKLOAD_H
#define PV_POWERMGR_WORKLOAD_H

#include <stdint.h>

#include "powermgr/timeline.h"

enum { PM_WL_VM_RT = 0, PM_WL_VM_BATCH, PM_WL_VM_BURSTY, PM_WL_NR_VMS };

struct pm_workload_params {
	uint64_t duration_ns;		/* recording length */
	uint32_t rec_khz;		/* recorded at this frequency */
	uint64_t rt_period_ns;		/* RT VM: period = relative deadline */
	uint64_t rt_wcet_ns;		/* RT VM: execution time at rec_khz */
	uint64_t batch_slice_ns;	/* batch VM: guest time between timer exits */
	uint64_t burst_on_ns;		/* bursty VM: on / off phases */
	uint64_t burst_off_ns;
	uint64_t burst_chunk_ns;	/* guest time between exits while on */
	uint64_t exit_ns;		/* VMM time per exit */
	uint32_t seed;			/* jitter of bursts and RT releases */
};

void pm_workload_defaults(struct pm_workload_params *p);
/*
 * The default mixed workload on 3 pCPUs: pCPU0 = RT VM vCPU0 + bursty VM vCPU1, pCPU1 =
 * batch VM vCPU0 (CPU hog), pCPU2 = bursty VM vCPU0. VM indexes PM_WL_VM_*.
 */
int pm_workload_mixed(struct pm_timeline *tl, const struct pm_workload_params *p);

#endif /* PV_POWERMGR_WORKLOAD_H */
