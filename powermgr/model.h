/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The model platform's numbers: P-state table, voltage curve, per-core power in every
 * state, uncore, break-even energy of idle states and the turbo grant rule. Pure functions
 * of a parameter block; the model backend (backend_model.c) and the simulator (sim.c) both
 * use them, so the live estimate and the evaluation share one model. Sources and
 * assumptions are in model.c's design note.
 */
#ifndef PV_POWERMGR_MODEL_H
#define PV_POWERMGR_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "powermgr/backend.h"

enum pm_model_cstate {
	PM_MODEL_POLL = 0,	/* C0, polling idle loop */
	PM_MODEL_C1,
	PM_MODEL_C1E,
	PM_MODEL_C6,
	PM_MODEL_NR_CSTATES
};

#define PM_MODEL_SOURCE		"model"
#define PM_MODEL_DEF_NCPUS	2u

struct pm_model {
	/* Parameters (documented defaults from pm_model_defaults; a config may replace). */
	unsigned int pkg_cores;		/* cores the TDP and uncore figures cover */
	unsigned int ncpus;		/* modelled cores: a slice of the package */
	uint32_t min_khz;		/* lowest P-state */
	uint32_t base_khz;		/* highest non-turbo P-state */
	uint32_t turbo_khz;		/* highest turbo bin */
	uint32_t step_khz;		/* P-state spacing */
	double v_min;			/* volts at min_khz */
	double v_max;			/* volts at turbo_khz */
	double tdp_w;			/* package TDP (PL1) */
	double uncore_w;		/* package uncore while any core is active */
	double uncore_pc6_w;		/* package uncore when every core is in C6 */
	double leak_frac;		/* leakage share of one core's power at base, all active */
	double poll_activity;		/* switching activity of the C0 poll loop vs. real work */
	double c1_frac;			/* C1 power as a fraction of C0-poll power */
	uint32_t cst_exit_us[PM_MODEL_NR_CSTATES];
	uint32_t cst_resid_us[PM_MODEL_NR_CSTATES];
	/* Derived by pm_model_calibrate(). */
	double ceff_f;			/* effective switched capacitance per core, farads */
	double leak_w_per_v;		/* leakage per powered core, watts per volt */
	uint32_t pstates_khz[PM_MAX_PSTATES];	/* ascending */
	unsigned int nr_pstates;
	unsigned int nr_turbo;		/* of which the highest nr_turbo are turbo bins */
};

/* Ice Lake-SP defaults (Xeon Gold 6338 class) for @ncpus modelled cores, calibrated. */
void pm_model_defaults(struct pm_model *m, unsigned int ncpus);
/* Validate parameters and derive C_eff, leakage and the P-state table. 0 or -EINVAL. */
int pm_model_calibrate(struct pm_model *m);

double pm_model_volt(const struct pm_model *m, uint32_t khz);
double pm_model_dyn_w(const struct pm_model *m, uint32_t khz);	/* C_eff V^2 f */
double pm_model_leak_w(const struct pm_model *m, uint32_t khz);	/* k V */
/* Core executing work at @khz. */
double pm_model_active_w(const struct pm_model *m, uint32_t khz);
/* Core idle in @cstate (enum pm_model_cstate) with its P-state at @khz. */
double pm_model_idle_w(const struct pm_model *m, unsigned int cstate, uint32_t khz);
/* This slice's share of the uncore: all_c6 = every modelled core in C6. */
double pm_model_uncore_w(const struct pm_model *m, bool all_c6);
/* This slice's share of the TDP. */
double pm_model_tdp_w(const struct pm_model *m);
/* Entry+exit energy of @cstate: (P_poll - P_state) x target residency (the break-even rule). */
double pm_model_transition_uj(const struct pm_model *m, unsigned int cstate, uint32_t khz);
/* Energy of one idle period of @idle_us spent in @cstate, transitions included. */
double pm_model_idle_period_uj(const struct pm_model *m, unsigned int cstate, uint32_t khz,
			       double idle_us);
/* Break-even idle length of @cstate against polling, µs (= its target residency). */
double pm_model_break_even_us(const struct pm_model *m, unsigned int cstate, uint32_t khz);

/* C-state table in backend form (power_mw at base frequency). */
unsigned int pm_model_cstates(const struct pm_model *m, struct pm_cstate_info *out,
			      unsigned int max);

/*
 * Turbo grant rule: requests above base_khz are granted only while the package estimate
 * (uncore + per core util x active + (1 - util) x C1E) stays within this slice's TDP; the
 * highest-clocked turbo core loses one bin at a time until it fits. Non-turbo requests are
 * always granted. @util in [0, 1] per core (the last window's busy share).
 */
void pm_model_grant(const struct pm_model *m, const uint32_t *req_khz, const double *util,
		    unsigned int n, uint32_t *out_khz);
double pm_model_pkg_estimate_w(const struct pm_model *m, const uint32_t *khz, const double *util,
			       unsigned int n);

/* Snap to the table: lowest P-state >= khz (the highest if none). */
uint32_t pm_model_snap_khz(const struct pm_model *m, uint32_t khz);

#endif /* PV_POWERMGR_MODEL_H */
