/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Trace-driven evaluation: replay a transition timeline on the model platform with a
 * governor in the loop (POWER_MODEL.md, "Two uses of the model", 2). The governor runs
 * through the same ops, pm_gov_mgr and clamp code as in the daemon; only the platform is
 * simulated. See sim.c for the rules of the replay.
 */
#ifndef PV_POWERMGR_SIM_H
#define PV_POWERMGR_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "powermgr/attrib.h"
#include "powermgr/constraints.h"
#include "powermgr/governor.h"
#include "powermgr/model.h"
#include "powermgr/timeline.h"

#define PM_SIM_DEF_TICK_NS		10000000ull	/* the daemon's policy tick */
#define PM_SIM_DEF_METER_PERIOD_NS	1000000ull	/* RAPL updates ~every 1 ms */
#define PM_SIM_DEF_METER_PHASE_NS	500000ull	/* ... not aligned with our ticks */
#define PM_SIM_DEF_METER_UNIT_UJ	61.03515625	/* 2^-14 J, RAPL energy status unit */
#define PM_SIM_BIN_NS			100000ull	/* energy bookkeeping resolution */

struct pm_sim_cfg {
	const struct pm_model *model;		/* the platform; ncpus >= timeline CPUs */
	const struct pm_governor_ops *gov;
	const struct pm_tunable_kv *tun;
	unsigned int ntun;
	const struct pm_constraints *cons;	/* qos constraints per CPU, or NULL */
	uint32_t rt_boost_khz;			/* qos floor while an RT job runs; 0 = none */
	uint64_t tick_ns;			/* 0 = PM_SIM_DEF_TICK_NS */
	uint64_t meter_period_ns;		/* 0 = default; multiple of PM_SIM_BIN_NS */
	uint64_t meter_phase_ns;		/* default if meter_period_ns is 0 */
	double meter_unit_uj;			/* 0 = default */
	uint64_t max_ns;			/* hard stop; 0 = 4 x the recording */
};

struct pm_sim_result {
	unsigned int ncpus, nvms;
	struct pm_attrib_result truth;		/* exact per-owner energy */
	double energy_uj;			/* exact node energy */
	uint64_t end_ns;			/* simulated span */
	uint64_t rt_jobs, rt_misses;
	uint64_t rt_jobs_rec_ok;		/* jobs that met their deadline when recorded */
	uint64_t rt_max_late_ns;		/* worst completion past its deadline */
	uint64_t rt_misses_new;			/* misses of jobs that met their deadline
						 * when recorded (not PM_TL_REC_MISS) */
	uint64_t vm_finish_ns[PM_TL_MAX_VMS];	/* last completion of each VM's work */
	uint64_t freq_changes;			/* P-state changes (ticks and boosts) */
	uint64_t cstate_entries[PM_MODEL_NR_CSTATES];
	double busy_khz_avg;			/* busy-time-weighted mean frequency */
	bool truncated;				/* max_ns reached with work left */
	/* What attribution sees: */
	struct pm_seg_list *seg;		/* [ncpus] */
	uint64_t *meter_ns;
	double *meter_uj;
	size_t nmeter;
};

int pm_sim_run(const struct pm_timeline *tl, const struct pm_sim_cfg *cfg,
	       struct pm_sim_result *res);
void pm_sim_result_free(struct pm_sim_result *res);
/* Attribution input over a finished run. */
void pm_sim_attrib_input(const struct pm_sim_result *res, const struct pm_model *m,
			 struct pm_attrib_input *in);

#endif /* PV_POWERMGR_SIM_H */
