/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-VM energy attribution from a node energy counter and the transition timeline.
 *
 * Input is what a real host has: per physical CPU the intervals the transitions give
 * (owner: a VM, idle, or VMM overhead; the frequency in effect, changing wherever a
 * PSTATE decision took effect; for idle intervals the C-state limit in effect) and the
 * node counter read at policy ticks (cumulative µJ, quantized, as RAPL reports it).
 * Two methods divide the same counter deltas (see attrib.c):
 *   pm_attrib_freq_weighted  Powervisor's: weights = modelled power at the frequency in
 *                            effect x time, idle and overhead as owners of their own;
 *   pm_attrib_cpushare       Kepler / Scaphandre: busy owners weighted by CPU time only.
 */
#ifndef PV_POWERMGR_ATTRIB_H
#define PV_POWERMGR_ATTRIB_H

#include <stddef.h>
#include <stdint.h>

#include "powermgr/model.h"
#include "powermgr/timeline.h"

enum pm_seg_kind {
	PM_SEG_BUSY = 0,	/* executing (guest or VMM) */
	PM_SEG_POLL,		/* C0 polling for a halted vCPU */
	PM_SEG_IDLE,		/* no work: in a C-state (or waking from one) */
};

/* One interval on one physical CPU. Never crosses a counter read. */
struct pm_seg {
	uint64_t start_ns, end_ns;
	int32_t owner;		/* VM index, PM_OWNER_IDLE or PM_OWNER_OVERHEAD */
	uint32_t khz;		/* frequency in effect */
	uint8_t kind;		/* enum pm_seg_kind */
	int8_t cstate_limit;	/* IDLE: the limit in effect (what a host knows) */
	int8_t cstate;		/* IDLE: the state really used (ground truth only) */
	uint8_t pad;
};

struct pm_seg_list {
	struct pm_seg *s;
	size_t n, cap;
};

int pm_seg_push(struct pm_seg_list *l, const struct pm_seg *s);
void pm_seg_list_free(struct pm_seg_list *l);

struct pm_attrib_input {
	const struct pm_model *model;	/* power weights */
	unsigned int ncpus;
	const struct pm_seg_list *cpu;	/* [ncpus], each sorted by start */
	unsigned int nvms;
	const uint64_t *meter_ns;	/* counter read times, ascending */
	const double *meter_uj;		/* cumulative counter values at those times */
	size_t nmeter;
};

struct pm_attrib_result {
	unsigned int nvms;
	double vm_uj[PM_TL_MAX_VMS];
	double idle_uj;
	double overhead_uj;
	double node_uj;			/* sum of the counter deltas divided */
};

int pm_attrib_freq_weighted(const struct pm_attrib_input *in, struct pm_attrib_result *out);
int pm_attrib_cpushare(const struct pm_attrib_input *in, struct pm_attrib_result *out);
/* Sum over owners (VMs + idle + overhead). */
double pm_attrib_total_uj(const struct pm_attrib_result *r);
/* Energy-weighted mean absolute per-VM error of @est against @truth, percent. */
double pm_attrib_error_pct(const struct pm_attrib_result *est, const struct pm_attrib_result *truth);

#endif /* PV_POWERMGR_ATTRIB_H */
