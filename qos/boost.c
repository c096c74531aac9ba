// SPDX-License-Identifier: GPL-2.0-only
/* Transition-driven boosting decisions (policy described in qos/boost.h). */
#include <errno.h>
#include <math.h>

#include "qos/boost.h"

void boost_tunables_default(struct boost_tunables *t)
{
	t->hold_us = DEF_BOOST_HOLD_US;
	t->infer_min_wakes = DEF_INFER_MIN_WAKES;
	t->infer_max_cv_pct = DEF_INFER_MAX_CV_PCT;
}

int boost_tunables_check(const struct boost_tunables *t)
{
	if (t->hold_us > MAX_BOOST_HOLD_US || t->infer_min_wakes < 2 ||
	    t->infer_max_cv_pct < 1 || t->infer_max_cv_pct > 100)
		return -EINVAL;
	return 0;
}

void boost_note_wake(struct boost_vcpu *v, uint64_t now_ns)
{
	double x, delta;

	if (v->last_wake_ns && now_ns > v->last_wake_ns) {
		x = (double)(now_ns - v->last_wake_ns);
		if (v->nwakes && (x > INFER_BREAK_FACTOR * v->mean_ns ||
				  x * INFER_BREAK_FACTOR < v->mean_ns)) {
			/* the pattern broke (a pause, boot's wake-ups, a phase change): learn it
			 * again from this interval */
			v->nwakes = 1;
			v->mean_ns = x;
			v->m2 = 0;
		} else {
			v->nwakes++;
			delta = x - v->mean_ns;
			v->mean_ns += delta / (double)v->nwakes;
			v->m2 += delta * (x - v->mean_ns);
		}
	}
	v->last_wake_ns = now_ns;
}

void boost_note_interval(struct boost_vcpu *v, uint64_t entry_ns, uint64_t exit_ns,
			 uint64_t halted_ns)
{
	uint64_t len = exit_ns > entry_ns ? exit_ns - entry_ns : 0;
	bool idle = halted_ns + INFER_IDLE_SLACK_NS >= len;

	if (!idle && v->was_idle)
		boost_note_wake(v, exit_ns);
	v->was_idle = idle;
}

bool boost_looks_periodic(const struct boost_vcpu *v, const struct boost_tunables *t)
{
	double sd;

	if (v->nwakes < t->infer_min_wakes || v->mean_ns <= 0)
		return false;
	sd = sqrt(v->m2 / (double)(v->nwakes - 1));
	return sd * 100.0 <= (double)t->infer_max_cv_pct * v->mean_ns;
}

enum boost_action boost_decide(struct boost_vcpu *v, enum boost_mode mode, bool rt_runnable,
			       uint64_t now_ns, const struct boost_tunables *t)
{
	bool want;

	if (mode == BOOST_INFERRED)	/* periodic, and the last wake-up not long ago */
		rt_runnable = boost_looks_periodic(v, t) &&
			      (double)(now_ns - v->last_wake_ns) < INFER_BREAK_FACTOR * v->mean_ns;
	if (rt_runnable)
		v->last_rt_ns = now_ns;
	want = rt_runnable || (v->boosted && now_ns - v->last_rt_ns < (uint64_t)t->hold_us * 1000);
	if (!v->entered_guest)
		want = false;	/* SCHED_DEADLINE before the first KVM_RUN wedges it (resv.h) */
	if (want == v->boosted)
		return BOOST_NONE;
	v->boosted = want;
	if (want) {
		v->boosts++;
		return BOOST_APPLY;
	}
	v->drops++;
	return BOOST_DROP;
}
