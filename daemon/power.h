/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's power pipeline, run once per policy tick on the loop thread:
 *
 *   residencies of the window that just ended (per pCPU: guest / VMM / halt / poll / idle,
 *   and per pCPU per VM)
 *     → model backend fed (on hosts without power interfaces)
 *     → node energy read (RAPL / perf / model) and divided among VMs, idle and VMM
 *       overhead with the frequency-weighted method (powermgr/attrib.c)
 *     → governor decides the next window's P-state and C-state limit per pCPU
 *     → qos constraints clamp the decision (powermgr/clamp.c)
 *     → backend applies what changed; every change and failure is reported.
 *
 * Frequencies only change at ticks, so within a window each pCPU runs at one frequency and
 * its segments for attribution can be laid out from residencies alone: exact for the
 * model's weights, whatever the order of the intervals inside the window.
 */
#ifndef PV_DAEMON_POWER_H
#define PV_DAEMON_POWER_H

#include <stdbool.h>
#include <stdint.h>

#include "powermgr/attrib.h"
#include "powermgr/backend.h"
#include "powermgr/clamp.h"
#include "powermgr/constraints.h"
#include "powermgr/governor.h"
#include "powermgr/model.h"
#include "powermgr/platform.h"
#include "powermgr/sample.h"
#include "powermgr/sense.h"
#include "powermgr/timeline.h"
#include "tracer/event.h"

#define DPOWER_MAX_VMS		PM_TL_MAX_VMS
#define DPOWER_ERR_MAX		256

/*
 * What failed, the actuator="…" label of powervisor_actuator_failures_total: each kind is
 * one place the daemon writes (or reads back) a mechanism. Count with dpower_failed().
 */
enum dpower_act {
	DPOWER_ACT_PSTATE = 0,	/* cpufreq: setting a P-state (power.c) */
	DPOWER_ACT_CSTATE,	/* cpuidle: setting a C-state limit (power.c) */
	DPOWER_ACT_CPU_READ,	/* cpufreq / cpuidle: reading frequency and residencies (power.c) */
	DPOWER_ACT_ENERGY,	/* the energy meter: RAPL, perf or the model (power.c) */
	DPOWER_ACT_GOVERNOR,	/* the governor could not decide: the tick applied nothing */
	DPOWER_ACT_DEVICE,	/* device runtime-PM transitions (devices.c) */
	DPOWER_ACT_SCHED,	/* vCPU threads: affinity, scheduling policy, reservation */
	DPOWER_ACT_VMM,		/* a budget / timer command the VMM refused */
	DPOWER_ACT_MAX
};

/* Decision records (PSTATE / CSTATE_LIMIT) go to the daemon's own trace ring. */
typedef void (*dpower_emit_fn)(void *ctx, const struct pv_rec *rec);

struct dpower_cpu_stats {
	uint32_t cur_khz;		/* in effect now */
	int cstate_limit;		/* in effect now */
	uint64_t freq_ns[PM_MAX_PSTATES];	/* cumulative time at each P-state index */
	uint64_t cstate_us[PM_MAX_CSTATES];	/* cumulative residency (backend counters) */
	uint64_t time_ns[4];		/* cumulative guest, vmm, halt, idle */
	uint64_t pstate_changes;
	double util_pct;		/* last window: (guest + vmm) / window */
	double share_pct[4];		/* last window: guest, vmm, halt, idle */
};

struct dpower {
	struct pm_backend *be;
	struct pm_platform plat;
	struct pm_model model;		/* attribution weights (the backend's own when model) */
	struct pm_gov_mgr gov;
	struct pm_sense *sense;
	unsigned int ncpus;
	dpower_emit_fn emit;
	void *emit_ctx;

	struct pm_cpu_sample *cpu;	/* [ncpus], filled by the caller each tick */
	struct pm_sample sample;
	struct pm_cpu_decision *dec_cpu;
	struct pm_decision dec;
	struct pm_cpu_reading *last_read;	/* [ncpus] previous backend readings */
	struct dpower_cpu_stats *stats;	/* [ncpus] */
	struct pm_seg_list *segs;	/* [ncpus] scratch for attribution */

	bool have_uj;
	uint64_t last_uj;
	uint64_t last_ns;
	double node_j, idle_j, overhead_j;	/* cumulative */
	double vm_j[DPOWER_MAX_VMS];		/* cumulative, by VM slot */
	double node_w;				/* last window */
	double vm_w[DPOWER_MAX_VMS];
	/*
	 * Every failure, whoever counted it; act_failures[] has those counted by kind
	 * (dpower_failed), the rest of the total is reported as actuator="unclassified".
	 */
	uint64_t actuator_failures;
	uint64_t act_failures[DPOWER_ACT_MAX];
	uint64_t ticks;
};

/* Count one failure of actuator @kind (loop thread). */
static inline void dpower_failed(struct dpower *p, enum dpower_act kind)
{
	p->actuator_failures++;
	if ((unsigned int)kind < DPOWER_ACT_MAX)
		p->act_failures[kind]++;
}

/* "pstate", "cstate", … for enum dpower_act; "unclassified" for anything else. */
const char *dpower_act_name(unsigned int kind);

/* Per-window input beyond the pm_sample: who ran where (VM slot indexes). */
struct dpower_tick_in {
	uint64_t t0_ns, t1_ns;		/* the window */
	unsigned int nvms;		/* VM slots in use (<= DPOWER_MAX_VMS) */
	const uint64_t *vm_busy_ns;	/* [ncpus][nvms]: guest time of VM v on CPU c */
	const uint64_t *vm_poll_ns;	/* [ncpus][nvms]: host polling for VM v's halts */
	const uint64_t *vmm_ns;		/* [ncpus]: VMM exit handling (overhead) */
	const struct pm_constraints *cons;
};

/*
 * Open @backend ("auto", "cpupower", "model") and start @governor. @ncpus 0 = host CPUs
 * (model). On error returns -errno with the reason in @err.
 */
int dpower_open(struct dpower *p, const char *backend, const char *governor, unsigned int ncpus,
		dpower_emit_fn emit, void *emit_ctx, char *err);
void dpower_close(struct dpower *p);

/* One tick (see the pipeline above). p->cpu[] must hold the window's residencies. */
int dpower_tick(struct dpower *p, const struct dpower_tick_in *in);

/* Transactional governor switch with tunables; -errno with the reason in @err. */
int dpower_set_governor(struct dpower *p, const char *name, const struct pm_tunable_kv *kv,
			unsigned int nkv, char *err);

const char *dpower_backend_name(const struct dpower *p);
const char *dpower_source(const struct dpower *p);

#endif /* PV_DAEMON_POWER_H */
