// SPDX-License-Identifier: GPL-2.0-only
/*
 * The model platform's power numbers.
 *
 * Design note — what the model is and where every number comes from.
 *
 * Reference part: Intel Xeon Gold 6338 (Ice Lake-SP): 32 cores, base 2.0 GHz, max turbo
 * 3.2 GHz, TDP 205 W [Intel ARK, product 212285]. Minimum P-state 800 MHz: the
 * cpuinfo_min_freq intel_pstate reports on Ice Lake-SP [assumption where no datasheet
 * figure is public]. P-states every 100 MHz (the bus-clock ratio step).
 *
 * Voltage: linear in frequency, 0.70 V at 0.8 GHz to 1.05 V at 3.2 GHz [assumption,
 * POWER_MODEL.md; typical of published DVFS curves for 10 nm server parts].
 *
 * Core power: P_dyn = C_eff V^2 f (CMOS switching power); leakage per powered core
 * k V [first-order model, POWER_MODEL.md]. Calibration: the leakage share of one core at
 * base frequency is leak_frac = 25 % [assumption], and 32 cores at 2.0 GHz plus the uncore
 * equal the TDP, which fixes both C_eff and k:
 *     core_w(base) = (TDP - uncore) / 32 = 5.0 W;  k = 0.25 x 5.0 / V(base);
 *     C_eff = 0.75 x 5.0 / (V(base)^2 x 2.0 GHz)  (~2.45 nF).
 * Uncore (mesh, LLC, memory controllers, UPI): 45 W while any core is active, 15 W when all
 * cores are in C6 (package C6) [assumption, ~20-25 % of package power at TDP]. Ice Lake-SP
 * is built of tiles (core + CHA/LLC slice + mesh stop), so a model of N < 32 cores owns N/32
 * of the uncore and of the TDP: the modelled CPUs are a slice of the package.
 *
 * Idle states, from Linux intel_idle's icx_cstates table: C1 exit 1 µs / target residency
 * 1 µs, C1E 4/4, C6 170/600; state 0 is POLL (C0, exit 0). Power while resident:
 *     POLL: leakage + poll_activity x dynamic at the current P-state (10 % [assumption]:
 *           a PAUSE loop switches far less than real work);
 *     C1:   c1_frac = 35 % of POLL (clock gated, voltage kept) [POWER_MODEL.md: 30-40 %];
 *     C1E:  C1 at the minimum P-state's voltage and clock (voltage dropped to minimum);
 *     C6:   0 W for the core (power gated; its state saved to SRAM).
 * Break-even: entering state s and leaving it costs E_tr(s) = (P_poll - P_s) x target
 * residency, so that an idle period of exactly the target residency costs the same in s as
 * polling — the definition of target residency cpuidle governors use. Shorter periods cost
 * more than polling would. The exit latency is wake latency added to whatever woke the
 * CPU (the simulator applies it).
 *
 * Turbo: bins above base only with package headroom (pm_model_grant): the PCU keeps the
 * package within PL1 = TDP, approximated here by estimating the package power from each
 * core's last-window utilisation at its requested frequency and removing one turbo bin at
 * a time from the highest-clocked core until the estimate fits [modelling choice; real
 * PCUs also weigh active-core count and temperature].
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "powermgr/model.h"

#define MODEL_DEF_PKG_CORES	32u
#define MODEL_DEF_MIN_KHZ	800000u
#define MODEL_DEF_BASE_KHZ	2000000u
#define MODEL_DEF_TURBO_KHZ	3200000u
#define MODEL_DEF_STEP_KHZ	100000u

static const char *const model_cstate_names[PM_MODEL_NR_CSTATES] = {
	[PM_MODEL_POLL] = "POLL", [PM_MODEL_C1] = "C1", [PM_MODEL_C1E] = "C1E", [PM_MODEL_C6] = "C6",
};

void pm_model_defaults(struct pm_model *m, unsigned int ncpus)
{
	memset(m, 0, sizeof(*m));
	m->pkg_cores = MODEL_DEF_PKG_CORES;
	m->ncpus = ncpus ? ncpus : PM_MODEL_DEF_NCPUS;
	m->min_khz = MODEL_DEF_MIN_KHZ;
	m->base_khz = MODEL_DEF_BASE_KHZ;
	m->turbo_khz = MODEL_DEF_TURBO_KHZ;
	m->step_khz = MODEL_DEF_STEP_KHZ;
	m->v_min = 0.70;
	m->v_max = 1.05;
	m->tdp_w = 205.0;
	m->uncore_w = 45.0;
	m->uncore_pc6_w = 15.0;
	m->leak_frac = 0.25;
	m->poll_activity = 0.10;
	m->c1_frac = 0.35;
	m->cst_exit_us[PM_MODEL_POLL] = 0;
	m->cst_resid_us[PM_MODEL_POLL] = 0;
	m->cst_exit_us[PM_MODEL_C1] = 1;
	m->cst_resid_us[PM_MODEL_C1] = 1;
	m->cst_exit_us[PM_MODEL_C1E] = 4;
	m->cst_resid_us[PM_MODEL_C1E] = 4;
	m->cst_exit_us[PM_MODEL_C6] = 170;
	m->cst_resid_us[PM_MODEL_C6] = 600;
	pm_model_calibrate(m);
}

int pm_model_calibrate(struct pm_model *m)
{
	double core_w, vb;
	uint32_t f;

	if (!m->pkg_cores || !m->ncpus || m->ncpus > PM_MAX_CPUS || !m->step_khz ||
	    !m->min_khz || m->min_khz > m->base_khz || m->base_khz > m->turbo_khz ||
	    (m->turbo_khz - m->min_khz) / m->step_khz + 1 > PM_MAX_PSTATES ||
	    m->v_min <= 0 || m->v_max < m->v_min || m->tdp_w <= m->uncore_w ||
	    m->uncore_pc6_w < 0 || m->uncore_pc6_w > m->uncore_w ||
	    m->leak_frac < 0 || m->leak_frac >= 1 || m->poll_activity < 0 ||
	    m->poll_activity > 1 || m->c1_frac < 0 || m->c1_frac > 1)
		return -EINVAL;
	for (unsigned int i = 1; i < PM_MODEL_NR_CSTATES; i++)
		if (m->cst_resid_us[i] < m->cst_resid_us[i - 1] ||
		    m->cst_exit_us[i] < m->cst_exit_us[i - 1])
			return -EINVAL;

	core_w = (m->tdp_w - m->uncore_w) / m->pkg_cores;
	vb = pm_model_volt(m, m->base_khz);
	m->leak_w_per_v = m->leak_frac * core_w / vb;
	m->ceff_f = (1.0 - m->leak_frac) * core_w / (vb * vb * m->base_khz * 1e3);

	m->nr_pstates = 0;
	m->nr_turbo = 0;
	for (f = m->min_khz; f <= m->turbo_khz; f += m->step_khz) {
		m->pstates_khz[m->nr_pstates++] = f;
		if (f > m->base_khz)
			m->nr_turbo++;
	}
	return 0;
}

double pm_model_volt(const struct pm_model *m, uint32_t khz)
{
	double span = (double)m->turbo_khz - m->min_khz;
	double x;

	if (span <= 0)
		return m->v_min;
	x = ((double)khz - m->min_khz) / span;
	if (x < 0)
		x = 0;
	if (x > 1)
		x = 1;
	return m->v_min + x * (m->v_max - m->v_min);
}

double pm_model_dyn_w(const struct pm_model *m, uint32_t khz)
{
	double v = pm_model_volt(m, khz);

	return m->ceff_f * v * v * khz * 1e3;
}

double pm_model_leak_w(const struct pm_model *m, uint32_t khz)
{
	return m->leak_w_per_v * pm_model_volt(m, khz);
}

double pm_model_active_w(const struct pm_model *m, uint32_t khz)
{
	return pm_model_dyn_w(m, khz) + pm_model_leak_w(m, khz);
}

static double model_poll_w(const struct pm_model *m, uint32_t khz)
{
	return pm_model_leak_w(m, khz) + m->poll_activity * pm_model_dyn_w(m, khz);
}

double pm_model_idle_w(const struct pm_model *m, unsigned int cstate, uint32_t khz)
{
	switch (cstate) {
	case PM_MODEL_POLL:
		return model_poll_w(m, khz);
	case PM_MODEL_C1:
		return m->c1_frac * model_poll_w(m, khz);
	case PM_MODEL_C1E:
		return m->c1_frac * model_poll_w(m, m->min_khz);
	default:
		return 0.0;
	}
}

double pm_model_uncore_w(const struct pm_model *m, bool all_c6)
{
	double share = (double)m->ncpus / m->pkg_cores;

	return share * (all_c6 ? m->uncore_pc6_w : m->uncore_w);
}

double pm_model_tdp_w(const struct pm_model *m)
{
	return m->tdp_w * m->ncpus / m->pkg_cores;
}

double pm_model_transition_uj(const struct pm_model *m, unsigned int cstate, uint32_t khz)
{
	double d;

	if (cstate == PM_MODEL_POLL || cstate >= PM_MODEL_NR_CSTATES)
		return 0.0;
	d = model_poll_w(m, khz) - pm_model_idle_w(m, cstate, khz);
	return d > 0 ? d * m->cst_resid_us[cstate] : 0.0;	/* W x µs = µJ */
}

double pm_model_idle_period_uj(const struct pm_model *m, unsigned int cstate, uint32_t khz,
			       double idle_us)
{
	if (idle_us < 0)
		idle_us = 0;
	return pm_model_transition_uj(m, cstate, khz) + pm_model_idle_w(m, cstate, khz) * idle_us;
}

double pm_model_break_even_us(const struct pm_model *m, unsigned int cstate, uint32_t khz)
{
	double d;

	if (cstate == PM_MODEL_POLL || cstate >= PM_MODEL_NR_CSTATES)
		return 0.0;
	d = model_poll_w(m, khz) - pm_model_idle_w(m, cstate, khz);
	return d > 0 ? pm_model_transition_uj(m, cstate, khz) / d : 0.0;
}

unsigned int pm_model_cstates(const struct pm_model *m, struct pm_cstate_info *out,
			      unsigned int max)
{
	unsigned int n = max < PM_MODEL_NR_CSTATES ? max : PM_MODEL_NR_CSTATES;

	for (unsigned int i = 0; i < n; i++) {
		snprintf(out[i].name, sizeof(out[i].name), "%s", model_cstate_names[i]);
		out[i].exit_latency_us = m->cst_exit_us[i];
		out[i].target_residency_us = m->cst_resid_us[i];
		out[i].power_mw = (uint32_t)lround(pm_model_idle_w(m, i, m->base_khz) * 1e3);
	}
	return n;
}

double pm_model_pkg_estimate_w(const struct pm_model *m, const uint32_t *khz, const double *util,
			       unsigned int n)
{
	double w = pm_model_uncore_w(m, false);

	for (unsigned int i = 0; i < n; i++) {
		double u = util[i] < 0 ? 0 : util[i] > 1 ? 1 : util[i];

		w += u * pm_model_active_w(m, khz[i]) +
		     (1 - u) * pm_model_idle_w(m, PM_MODEL_C1E, khz[i]);
	}
	return w;
}

void pm_model_grant(const struct pm_model *m, const uint32_t *req_khz, const double *util,
		    unsigned int n, uint32_t *out_khz)
{
	double budget = pm_model_tdp_w(m);

	for (unsigned int i = 0; i < n; i++)
		out_khz[i] = pm_model_snap_khz(m, req_khz[i]);
	while (pm_model_pkg_estimate_w(m, out_khz, util, n) > budget) {
		unsigned int hi = n;

		for (unsigned int i = 0; i < n; i++)
			if (out_khz[i] > m->base_khz && (hi == n || out_khz[i] > out_khz[hi]))
				hi = i;
		if (hi == n)
			break;		/* only non-turbo requests left: always granted */
		out_khz[hi] -= m->step_khz;
	}
}

uint32_t pm_model_snap_khz(const struct pm_model *m, uint32_t khz)
{
	for (unsigned int i = 0; i < m->nr_pstates; i++)
		if (m->pstates_khz[i] >= khz)
			return m->pstates_khz[i];
	return m->nr_pstates ? m->pstates_khz[m->nr_pstates - 1] : khz;
}
