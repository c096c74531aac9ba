// SPDX-License-Identifier: GPL-2.0-only
/*
 * EDF admission with measured overheads and a linear supply bound (see qos/admit.h for the
 * theory). All arithmetic is in integer nanoseconds and parts per million with 128-bit
 * intermediates, so the test is exact and repeatable: no floating-point rounding decides
 * whether a reservation is admitted.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "qos/admit.h"

#define PPM		1000000u
#define MAX_TASKS	256u

typedef unsigned __int128 u128;

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

struct admit_supply admit_cpu_supply(uint64_t alpha_ppm)
{
	return (struct admit_supply){ .alpha_ppm = alpha_ppm, .blackout_ns = 0 };
}

struct admit_supply admit_group_supply(uint64_t runtime_ns, uint64_t period_ns)
{
	struct admit_supply s = { 0, 0 };

	if (period_ns && runtime_ns <= period_ns) {
		s.alpha_ppm = (uint64_t)((u128)runtime_ns * PPM / period_ns);
		s.blackout_ns = 2 * (period_ns - runtime_ns);
	}
	return s;
}

uint64_t admit_inflated_runtime_ns(const struct admit_task *t)
{
	u128 exits_ns = (u128)t->runtime_ns * t->ovh.exit_rate_per_s * t->ovh.exit_cost_ns /
			1000000000u;
	uint64_t q = sat_add(t->runtime_ns, t->ovh.act_overhead_ns);

	q = sat_add(q, exits_ns > UINT64_MAX ? UINT64_MAX : (uint64_t)exits_ns);
	return sat_add(q, t->ovh.enforce_slack_ns);
}

static uint64_t task_deadline(const struct admit_task *t)
{
	return t->deadline_ns ? t->deadline_ns : t->period_ns;
}

int admit_task_check(const struct admit_task *t, char *reason)
{
	const char *why = NULL;

	if (t->period_ns < MIN_RESV_PERIOD_NS || t->period_ns > MAX_RESV_PERIOD_NS)
		why = "period must be between 100 us and 10 s";
	else if (!t->runtime_ns)
		why = "runtime must be positive";
	else if (t->runtime_ns > t->period_ns)
		why = "runtime exceeds the period";
	else if (t->deadline_ns && (t->deadline_ns < t->runtime_ns || t->deadline_ns > t->period_ns))
		why = "deadline must be between runtime and period";
	if (!why)
		return 0;
	snprintf(reason, ADMIT_REASON_MAX, "%s", why);
	return -EINVAL;
}

/* Demand of the whole set in [0, t]: sum of jobs with release and deadline inside. */
static u128 dbf(const struct admit_task *tasks, const uint64_t *q, unsigned int n, uint64_t t)
{
	u128 demand = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint64_t d = task_deadline(&tasks[i]);

		if (t >= d)
			demand += (u128)((t - d) / tasks[i].period_ns + 1) * q[i];
	}
	return demand;
}

/* Is dbf(t) <= alpha * (t - blackout)? Compared scaled by PPM to stay in integers. */
static bool supply_covers(const struct admit_supply *s, u128 demand, uint64_t t)
{
	if (t <= s->blackout_ns)
		return demand == 0;
	return demand * PPM <= (u128)s->alpha_ppm * (t - s->blackout_ns);
}

static int reject(struct admit_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int reject(struct admit_result *res, const char *fmt, ...)
{
	va_list ap;

	res->admitted = false;
	va_start(ap, fmt);
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
	return 0;
}

/* Largest t that must be examined (Baruah's bound with a blackout); U < alpha. */
static u128 check_horizon(const struct admit_supply *s, const struct admit_task *tasks,
			  const uint64_t *q, unsigned int n, uint64_t util_ppm)
{
	u128 num = (u128)s->alpha_ppm * s->blackout_ns;	/* scaled by PPM */
	unsigned int i;

	for (i = 0; i < n; i++)
		num += (u128)(tasks[i].period_ns - task_deadline(&tasks[i])) * q[i] * PPM /
		       tasks[i].period_ns;
	return num / (s->alpha_ppm - util_ppm) + 1;
}

int admit_check(const struct admit_supply *s, const struct admit_task *tasks, unsigned int n,
		struct admit_result *res)
{
	uint64_t q[MAX_TASKS];
	bool implicit = true;
	u128 util = 0, horizon;
	uint64_t fail_at = 0;
	unsigned int i;

	memset(res, 0, sizeof(*res));
	if (!s || (n && !tasks) || n > MAX_TASKS || s->alpha_ppm > PPM)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		char why[ADMIT_REASON_MAX];

		if (admit_task_check(&tasks[i], why)) {
			snprintf(res->reason, sizeof(res->reason), "reservation %u: %.160s", i, why);
			return -EINVAL;
		}
		q[i] = admit_inflated_runtime_ns(&tasks[i]);
		util += (u128)q[i] * PPM / tasks[i].period_ns;
		if (task_deadline(&tasks[i]) != tasks[i].period_ns)
			implicit = false;
		if (q[i] > task_deadline(&tasks[i]))
			return reject(res, "reservation %u: runtime %llu ns with overheads exceeds "
				      "its deadline %llu ns", i, (unsigned long long)q[i],
				      (unsigned long long)task_deadline(&tasks[i]));
	}
	res->util_ppm = util > UINT64_MAX ? UINT64_MAX : (uint64_t)util;
	if (util > s->alpha_ppm)
		return reject(res, "utilisation %.2f%% with overheads exceeds the %.2f%% available",
			      (double)res->util_ppm / 1e4, (double)s->alpha_ppm / 1e4);
	if (implicit && s->blackout_ns == 0) {
		res->admitted = true;	/* EDF, implicit deadlines, fluid supply: U <= alpha */
		return 0;
	}
	if (util == s->alpha_ppm)
		return reject(res, "no slack: utilisation equals the available %.2f%% and "
			      "deadlines or supply gaps need some", (double)s->alpha_ppm / 1e4);

	horizon = check_horizon(s, tasks, q, n, res->util_ppm);
	for (i = 0; i < n; i++) {
		uint64_t t;

		for (t = task_deadline(&tasks[i]); t <= horizon; t += tasks[i].period_ns) {
			if (++res->checked_points > ADMIT_MAX_POINTS)
				return reject(res, "too many deadlines to examine (periods too "
					      "disparate for the slack left)");
			if (!supply_covers(s, dbf(tasks, q, n, t), t) && (!fail_at || t < fail_at))
				fail_at = t;
			if (fail_at && t >= fail_at)
				break;
		}
	}
	if (fail_at) {
		res->fail_at_ns = fail_at;
		return reject(res, "demand exceeds guaranteed supply at t = %llu us (supply gap "
			      "%llu us, share %.2f%%)", (unsigned long long)(fail_at / 1000),
			      (unsigned long long)(s->blackout_ns / 1000), (double)s->alpha_ppm / 1e4);
	}
	res->admitted = true;
	return 0;
}

int admit_tree_check(const struct admit_supply *supply, struct admit_node *const *nodes,
		     unsigned int n, struct admit_result *res)
{
	struct admit_task tasks[MAX_TASKS];
	unsigned int i;
	int err;

	memset(res, 0, sizeof(*res));
	if (n > MAX_TASKS || (n && !nodes))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		const struct admit_node *g = nodes[i];

		tasks[i] = g->task;
		if (!g->children)
			continue;
		struct admit_supply gs = admit_group_supply(g->task.runtime_ns, g->task.period_ns);

		err = admit_tree_check(&gs, g->children, g->nchildren, res);
		if (err || !res->admitted) {
			char inner[ADMIT_REASON_MAX];

			snprintf(inner, sizeof(inner), "%s", res->reason);
			snprintf(res->reason, sizeof(res->reason), "group %.24s: %.150s",
				 g->name ? g->name : "?", inner);
			return err;
		}
	}
	return admit_check(supply, tasks, n, res);
}
