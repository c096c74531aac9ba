/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Transition-driven boosting: a vCPU holds its reservation only while real-time work is
 * runnable on it, so a VM that mixes real-time and batch tasks gets guarantees for the
 * real-time part only and its batch part competes as best effort.
 *
 * Reported mode (cooperating guests): the guest says through the paravirtual channel when
 * an RT task becomes runnable and when none is (the doorbell makes the VMM publish it at
 * once). Boost on the first, unboost after `hold_us` without RT runnable — a short hold
 * absorbs the gap between an RT task's completion and its next release when the period is
 * shorter than the hold, avoiding a sched_setattr pair per activation.
 *
 * Inferred mode (guests that report nothing; weaker): the vCPU's wake-ups from halt are
 * timed. The VMM sees a vCPU only at its exits, so the daemon samples such vCPUs with their
 * VMM timer (INFER_SAMPLE_US) and a wake-up is a run interval (entry → exit) that ran after
 * one that was halted throughout — known to within a sampling period; when their inter-arrival times are regular (coefficient of variation below
 * `max_cv_pct`, over at least `min_wakes`), the vCPU is treated as periodic real-time work
 * and boosted while that stays true: a wake-up missing for INFER_BREAK_FACTOR mean
 * intervals ends it, and an interval that far from the mean either way (a pause, the
 * guest's boot, a phase change) restarts the statistics from it. It cannot tell an RT task from a batch task inside the
 * VM, so a mixed VM is boosted as a whole: only the reported mode gives per-task precision.
 */
#ifndef PV_QOS_BOOST_H
#define PV_QOS_BOOST_H

#include <stdbool.h>
#include <stdint.h>

#define DEF_BOOST_HOLD_US	2000u
#define MAX_BOOST_HOLD_US	1000000u
#define DEF_INFER_MIN_WAKES	16u
#define DEF_INFER_MAX_CV_PCT	20u
#define INFER_BREAK_FACTOR	4.0	/* a gap this many mean intervals breaks the pattern */
#define INFER_IDLE_SLACK_NS	100000u	/* an interval halted but for this much was idle (the
					 * exit and VMM handling alone cost tens of µs here) */
#define INFER_SAMPLE_US		1000u	/* VMM-timer sampling of vCPUs that report nothing */

enum boost_mode {
	BOOST_REPORTED = 0,	/* the guest reports RT runnable state */
	BOOST_INFERRED,		/* periodicity of wake-ups */
};

enum boost_action {
	BOOST_NONE = 0,
	BOOST_APPLY,		/* give the vCPU its reservation */
	BOOST_DROP,		/* back to the normal class */
};

struct boost_tunables {
	uint32_t hold_us;
	uint32_t infer_min_wakes;
	uint32_t infer_max_cv_pct;
};

struct boost_vcpu {
	bool boosted;
	bool entered_guest;		/* reservations only after the first guest entry */
	uint64_t last_rt_ns;		/* last time RT work was runnable */
	/* inferred mode: inter-wake statistics (Welford, in ns) */
	uint64_t last_wake_ns;
	bool was_idle;			/* the previous run interval was halted throughout */
	uint64_t nwakes;
	double mean_ns, m2;
	uint64_t boosts, drops;		/* decisions taken */
};

void boost_tunables_default(struct boost_tunables *t);
int boost_tunables_check(const struct boost_tunables *t);

/* Inferred mode: note a wake-up from halt at @now_ns. */
/*
 * One run interval of the vCPU, entry → exit, of which @halted_ns were halted: an interval
 * that ran after one halted throughout is a wake-up (noted at the exit).
 */
void boost_note_interval(struct boost_vcpu *v, uint64_t entry_ns, uint64_t exit_ns,
			 uint64_t halted_ns);
void boost_note_wake(struct boost_vcpu *v, uint64_t now_ns);
/* Inferred mode: are the wake-ups regular enough to look like periodic RT work? */
bool boost_looks_periodic(const struct boost_vcpu *v, const struct boost_tunables *t);

/*
 * Decide at @now_ns. @rt_runnable is the guest's report (reported mode) and is ignored in
 * inferred mode. Updates @v (boosted, counters) as if the action succeeds; the caller
 * reverts v->boosted if applying fails.
 */
enum boost_action boost_decide(struct boost_vcpu *v, enum boost_mode mode, bool rt_runnable,
			       uint64_t now_ns, const struct boost_tunables *t);

#endif /* PV_QOS_BOOST_H */
