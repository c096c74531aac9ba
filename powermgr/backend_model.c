// SPDX-License-Identifier: GPL-2.0-only
/*
 * The model platform as a backend.
 *
 * Design note: the backend keeps what real hardware would keep per CPU — requested and
 * granted frequency, min/max limits, C-state limit, per-state usage and residency — and
 * integrates energy from the utilisation windows the daemon feeds (pm_model_backend_feed).
 * Within a window:
 *   busy (guest, VMM, unattributed host work) at the granted P-state: active power;
 *   polling halts: C0-poll power;
 *   idle (no vCPU, blocked halts): each idle period that ended goes to the deepest state
 *     within the limit whose target residency fits the period (bucket midpoint), paying
 *     that state's break-even transition energy; idle time is shared among the periods in
 *     proportion to their estimated lengths; with no period ended the deepest allowed
 *     state is charged for the whole idle time;
 *   uncore: this CPU's share of the slice's uncore, at the package-C6 rate for the part of
 *     the window this CPU spent in C6 (a per-core approximation of package C6).
 * Turbo requests are granted with pm_model_grant() against the last windows' utilisation.
 * The model is a live estimate, not a measurement: source "model".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "powermgr/backend_model.h"

struct model_cpu {
	uint32_t req_khz;
	uint32_t cur_khz;		/* granted */
	uint32_t min_khz, max_khz;
	int limit;
	double util;			/* last window's busy share */
	double energy_uj;
	uint64_t usage[PM_MODEL_NR_CSTATES];
	double time_us[PM_MODEL_NR_CSTATES];
};

struct model_backend {
	struct pm_backend b;		/* first */
	struct pm_model m;
	struct model_cpu *cpu;
	uint32_t *req, *out;		/* scratch for the grant */
	double *util;
};

static struct model_backend *to_model(const struct pm_backend *b)
{
	return (struct model_backend *)b;
}

bool pm_backend_is_model(const struct pm_backend *b)
{
	return b && b->ops == &pm_backend_model_ops;
}

const struct pm_model *pm_model_backend_model(const struct pm_backend *b)
{
	return pm_backend_is_model(b) ? &to_model(b)->m : NULL;
}

static int model_probe(const struct pm_backend_cfg *cfg)
{
	return cfg->ncpus > PM_MAX_CPUS ? -EINVAL : 0;
}

static int model_open(const struct pm_backend_cfg *cfg, struct pm_backend **out)
{
	struct model_backend *mb;
	long host = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int n = cfg->ncpus ? cfg->ncpus : (host > 0 ? (unsigned int)host : 1);

	if (n > PM_MAX_CPUS)
		return -EINVAL;
	mb = calloc(1, sizeof(*mb));
	if (!mb)
		return -ENOMEM;
	mb->b.ops = &pm_backend_model_ops;
	pm_model_defaults(&mb->m, n);
	mb->cpu = calloc(n, sizeof(*mb->cpu));
	mb->req = calloc(n, sizeof(*mb->req));
	mb->out = calloc(n, sizeof(*mb->out));
	mb->util = calloc(n, sizeof(*mb->util));
	if (!mb->cpu || !mb->req || !mb->out || !mb->util) {
		pm_backend_model_ops.close(&mb->b);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct model_cpu *c = &mb->cpu[i];

		c->req_khz = c->cur_khz = mb->m.base_khz;
		c->min_khz = mb->m.min_khz;
		c->max_khz = mb->m.turbo_khz;
		c->limit = PM_MODEL_NR_CSTATES - 1;
	}
	*out = &mb->b;
	return 0;
}

static void model_close(struct pm_backend *b)
{
	struct model_backend *mb = to_model(b);

	free(mb->cpu);
	free(mb->req);
	free(mb->out);
	free(mb->util);
	free(mb);
}

static unsigned int model_nr_cpus(const struct pm_backend *b)
{
	return to_model(b)->m.ncpus;
}

static int model_pstates(struct pm_backend *b, unsigned int cpu, uint32_t *khz, unsigned int max,
			 unsigned int *n, unsigned int *nr_turbo)
{
	const struct pm_model *m = &to_model(b)->m;

	(void)cpu;
	if (max < m->nr_pstates)
		return -ENOSPC;
	memcpy(khz, m->pstates_khz, m->nr_pstates * sizeof(*khz));
	*n = m->nr_pstates;
	*nr_turbo = m->nr_turbo;
	return 0;
}

static int model_cstates(struct pm_backend *b, unsigned int cpu, struct pm_cstate_info *out,
			 unsigned int max, unsigned int *n)
{
	(void)cpu;
	*n = pm_model_cstates(&to_model(b)->m, out, max);
	return 0;
}

static int model_read(struct pm_backend *b, unsigned int cpu, struct pm_cpu_reading *r)
{
	const struct model_cpu *c = &to_model(b)->cpu[cpu];

	r->cur_khz = c->cur_khz;
	r->nr_cstates = PM_MODEL_NR_CSTATES;
	for (unsigned int i = 0; i < PM_MODEL_NR_CSTATES; i++) {
		r->usage[i] = c->usage[i];
		r->time_us[i] = (uint64_t)c->time_us[i];
	}
	r->cstate_limit = c->limit;
	return 0;
}

/* Re-run the turbo grant over every CPU's request. */
static void model_regrant(struct model_backend *mb)
{
	unsigned int n = mb->m.ncpus;

	for (unsigned int i = 0; i < n; i++) {
		uint32_t f = mb->cpu[i].req_khz;

		if (f < mb->cpu[i].min_khz)
			f = mb->cpu[i].min_khz;
		if (f > mb->cpu[i].max_khz)
			f = mb->cpu[i].max_khz;
		mb->req[i] = f;
		mb->util[i] = mb->cpu[i].util;
	}
	pm_model_grant(&mb->m, mb->req, mb->util, n, mb->out);
	for (unsigned int i = 0; i < n; i++)
		mb->cpu[i].cur_khz = mb->out[i];
}

static int model_set_freq(struct pm_backend *b, unsigned int cpu, uint32_t khz)
{
	struct model_backend *mb = to_model(b);

	if (khz < mb->m.min_khz || khz > mb->m.turbo_khz)
		return pm_backend_fail(b, -ERANGE, "model: cpu%u %u kHz outside the table", cpu, khz);
	mb->cpu[cpu].req_khz = pm_model_snap_khz(&mb->m, khz);
	model_regrant(mb);
	return 0;
}

static int model_set_limits(struct pm_backend *b, unsigned int cpu, uint32_t min_khz,
			    uint32_t max_khz)
{
	struct model_backend *mb = to_model(b);

	if (min_khz < mb->m.min_khz || max_khz > mb->m.turbo_khz)
		return pm_backend_fail(b, -ERANGE, "model: cpu%u limits %u-%u kHz", cpu, min_khz,
				       max_khz);
	mb->cpu[cpu].min_khz = pm_model_snap_khz(&mb->m, min_khz);
	mb->cpu[cpu].max_khz = max_khz;
	model_regrant(mb);
	return 0;
}

static int model_set_cstate_limit(struct pm_backend *b, unsigned int cpu, int limit)
{
	if (limit >= (int)PM_MODEL_NR_CSTATES)
		return pm_backend_fail(b, -EINVAL, "model: cpu%u no C-state %d", cpu, limit);
	to_model(b)->cpu[cpu].limit = limit;
	return 0;
}

static unsigned int model_pick(const struct pm_model *m, int limit, double period_us)
{
	unsigned int k = 0;

	for (int i = 1; i <= limit; i++)
		if (m->cst_resid_us[i] <= period_us)
			k = (unsigned int)i;
	return k;
}

int pm_model_backend_feed(struct pm_backend *b, unsigned int cpu, const struct pm_cpu_sample *s)
{
	struct model_backend *mb;
	const struct pm_model *m;
	struct model_cpu *c;
	uint64_t accounted, busy, idle_ns, blocked;
	double e = 0, weight = 0, c6_us = 0, idle_us;

	if (!pm_backend_is_model(b) || !s)
		return -EINVAL;
	mb = to_model(b);
	m = &mb->m;
	if (cpu >= m->ncpus)
		return pm_backend_fail(b, -EINVAL, "model: feed cpu%u out of range", cpu);
	c = &mb->cpu[cpu];
	blocked = s->halt_ns > s->halt_poll_ns ? s->halt_ns - s->halt_poll_ns : 0;
	accounted = s->guest_ns + s->vmm_ns + s->halt_ns + s->idle_ns;
	if (accounted > s->window_ns && s->window_ns)
		return pm_backend_fail(b, -EINVAL, "model: cpu%u window over-accounted", cpu);
	busy = s->guest_ns + s->vmm_ns + (s->window_ns - accounted);
	idle_ns = s->idle_ns + blocked;
	idle_us = idle_ns / 1e3;

	e += pm_model_active_w(m, c->cur_khz) * busy / 1e3;
	e += pm_model_idle_w(m, PM_MODEL_POLL, c->cur_khz) * s->halt_poll_ns / 1e3;
	c->time_us[PM_MODEL_POLL] += s->halt_poll_ns / 1e3;

	for (unsigned int bk = 0; bk < PM_IDLE_HIST_BUCKETS; bk++)
		weight += s->idle_hist[bk] * (pm_idle_bucket_floor_us(bk) * 1.5 + 0.5);
	if (weight <= 0 && idle_ns) {
		unsigned int k = (unsigned int)c->limit;

		e += pm_model_idle_period_uj(m, k, c->cur_khz, idle_us);
		c->usage[k]++;
		c->time_us[k] += idle_us;
		if (k == PM_MODEL_C6)
			c6_us += idle_us;
	}
	for (unsigned int bk = 0; weight > 0 && bk < PM_IDLE_HIST_BUCKETS; bk++) {
		double mid = pm_idle_bucket_floor_us(bk) * 1.5 + 0.5, share;
		unsigned int k;

		if (!s->idle_hist[bk])
			continue;
		k = model_pick(m, c->limit, mid);
		share = idle_us * s->idle_hist[bk] * mid / weight;
		e += s->idle_hist[bk] * pm_model_transition_uj(m, k, c->cur_khz) +
		     pm_model_idle_w(m, k, c->cur_khz) * share;
		c->usage[k] += s->idle_hist[bk];
		c->time_us[k] += share;
		if (k == PM_MODEL_C6)
			c6_us += share;
	}
	if (s->window_ns) {
		double win_us = s->window_ns / 1e3, per = 1.0 / m->ncpus;

		e += per * (pm_model_uncore_w(m, false) * (win_us - c6_us) +
			    pm_model_uncore_w(m, true) * c6_us);
		c->util = (double)busy / s->window_ns;
	}
	c->energy_uj += e;
	return 0;
}

double pm_model_backend_cpu_energy_uj(const struct pm_backend *b, unsigned int cpu)
{
	if (!pm_backend_is_model(b) || cpu >= to_model(b)->m.ncpus)
		return 0;
	return to_model(b)->cpu[cpu].energy_uj;
}

double pm_model_backend_energy_uj(const struct pm_backend *b)
{
	double e = 0;

	if (!pm_backend_is_model(b))
		return 0;
	for (unsigned int i = 0; i < to_model(b)->m.ncpus; i++)
		e += to_model(b)->cpu[i].energy_uj;
	return e;
}

static int model_get_governor(struct pm_backend *b, unsigned int cpu, char *buf, size_t len)
{
	(void)b;
	(void)cpu;
	if (len < sizeof("userspace"))
		return -ENOSPC;
	strcpy(buf, "userspace");	/* the model obeys set_freq directly */
	return 0;
}

const struct pm_backend_ops pm_backend_model_ops = {
	.name = "model",
	.source = PM_MODEL_SOURCE,
	.probe = model_probe,
	.open = model_open,
	.close = model_close,
	.nr_cpus = model_nr_cpus,
	.pstates = model_pstates,
	.cstates = model_cstates,
	.read = model_read,
	.set_freq = model_set_freq,
	.set_limits = model_set_limits,
	.set_cstate_limit = model_set_cstate_limit,
	.get_governor = model_get_governor,
};
