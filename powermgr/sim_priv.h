/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private to the simulator (sim.c, sim_cpu.c, sim_energy.c): its state, per run and per
 * CPU, and the steps pm_sim_run() drives every tick.
 */
#ifndef PV_POWERMGR_SIM_PRIV_H
#define PV_POWERMGR_SIM_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "powermgr/platform.h"
#include "powermgr/sim.h"

/* A FIFO of item indices. */
struct idxq {
	size_t *v;
	size_t head, n, cap;
};

struct sim_win {
	uint64_t guest_ns, vmm_ns, poll_ns, idle_ns;
	double busy_khz_ns;
	uint32_t hist[PM_IDLE_HIST_BUCKETS];
	uint32_t rt_count;
	size_t seg0;			/* first segment of this window */
};

struct sim_cpu {
	const struct pm_tl_cpu *tl;
	size_t *next_rt;		/* [n + 1]: index of the next RT item at or after i */
	size_t next;			/* next unreleased item */
	struct idxq rtq, beq;
	long cur, pre;			/* running / preempted item, -1 = none */
	double rem, pre_rem;		/* cycles (busy) or ns (poll) left */
	bool idle;
	uint64_t idle_start;
	int idle_state;
	uint64_t wake_until;
	uint64_t last_idle_ns;		/* predictor */
	uint32_t khz;			/* granted for this window */
	uint32_t last_seg_khz;
	int limit;
	struct pm_seg_list *segs;
	struct sim_win w;
};

struct sim {
	const struct pm_timeline *tl;
	const struct pm_sim_cfg *cfg;
	const struct pm_model *m;
	struct pm_platform plat;
	struct pm_sim_result *res;
	struct sim_cpu *cpu;
	double *bins;
	size_t nbins;
	double busy_khz_ns, busy_ns;
};

/* sim_cpu.c: advance CPU @cpu through [t0, t1) (replay of its items, idle in between). */
int pm_sim_cpu_run(struct sim *s, unsigned int cpu, uint64_t t0, uint64_t t1);

/* sim_energy.c: charge @uj over [a, b) to @owner (ground truth and the meter's bins). */
void pm_sim_charge(struct sim *s, int32_t owner, uint64_t a, uint64_t b, double uj);
/* sim_energy.c: energy of the window [t0, t1)'s segments, with package C6 across CPUs. */
int pm_sim_account(struct sim *s, uint64_t t0, uint64_t t1);
/* sim_energy.c: read the RAPL-like meter at @t (running sum *cum over *cum_bins bins). */
int pm_sim_meter(struct sim *s, uint64_t t, double *cum, size_t *cum_bins);

#endif /* PV_POWERMGR_SIM_PRIV_H */
