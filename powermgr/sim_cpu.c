// SPDX-License-Identifier: GPL-2.0-only
/*
 * Simulator: the replay of one CPU's items over a window — release in order, RT items
 * preempting best-effort ones, work stretched by the granted frequency (with a qos boost
 * while an RT job runs), C-state choice and wake latency when the CPU runs out of work —
 * recorded as segments for the energy accounting. The rules are in sim.c's design note.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "powermgr/clamp.h"
#include "powermgr/sim_priv.h"
#include "tracer/grow.h"

static int idxq_push(struct idxq *q, size_t x)
{
	if (q->head + q->n == q->cap) {
		if (q->head) {
			memmove(q->v, q->v + q->head, q->n * sizeof(*q->v));
			q->head = 0;
		} else if (PV_GROW(q->v, q->cap, q->n, 64)) {
			return -ENOMEM;
		}
	}
	q->v[q->head + q->n++] = x;
	return 0;
}

static size_t idxq_pop(struct idxq *q)
{
	q->n--;
	return q->v[q->head++];
}

static int sim_seg(struct sim_cpu *c, uint64_t a, uint64_t b, int32_t owner, uint8_t kind,
		   uint32_t khz, int cstate)
{
	struct pm_seg seg = {
		.start_ns = a, .end_ns = b, .owner = owner, .khz = khz, .kind = kind,
		.cstate_limit = (int8_t)c->limit, .cstate = (int8_t)cstate,
	};
	struct pm_seg_list *l = c->segs;

	if (b <= a)
		return 0;
	if (l->n > c->w.seg0) {
		struct pm_seg *p = &l->s[l->n - 1];

		if (p->end_ns == a && p->owner == owner && p->kind == kind && p->khz == khz &&
		    p->cstate == seg.cstate && p->cstate_limit == seg.cstate_limit) {
			p->end_ns = b;
			return 0;
		}
	}
	return pm_seg_push(l, &seg);
}

static uint32_t sim_item_khz(struct sim *s, struct sim_cpu *c, unsigned int cpu,
			     const struct pm_tl_item *it)
{
	struct pm_cpu_constraint cc = { PM_LATENCY_NONE, 0 };
	struct pm_cpu_decision d = { c->khz, c->limit };

	if (!(it->flags & PM_TL_RT) || !s->cfg->rt_boost_khz || c->khz >= s->cfg->rt_boost_khz)
		return c->khz;
	if (s->cfg->cons && cpu < s->cfg->cons->ncpus)
		cc = s->cfg->cons->cpu[cpu];
	if (cc.floor_khz < s->cfg->rt_boost_khz)
		cc.floor_khz = s->cfg->rt_boost_khz;
	pm_clamp_cpu(&s->plat, &cc, &d);
	return d.target_khz;
}

static unsigned int sim_pick_state(const struct sim *s, const struct sim_cpu *c)
{
	unsigned int k = 0;

	for (int i = 1; i <= c->limit && i < PM_MODEL_NR_CSTATES; i++)
		if ((uint64_t)s->m->cst_resid_us[i] * 1000 <= c->last_idle_ns)
			k = (unsigned int)i;
	return k;
}

static void sim_release(struct sim_cpu *c, uint64_t t, int *err)
{
	while (c->next < c->tl->n && c->tl->items[c->next].release_ns <= t) {
		const struct pm_tl_item *it = &c->tl->items[c->next];

		if (it->flags & PM_TL_RT && it->flags & PM_TL_JOB_END)
			c->w.rt_count++;
		*err |= idxq_push(it->flags & PM_TL_RT ? &c->rtq : &c->beq, c->next);
		c->next++;
	}
}

static void sim_complete(struct sim *s, const struct pm_tl_item *it, uint64_t t)
{
	struct pm_sim_result *r = s->res;

	if (t > r->vm_finish_ns[it->vm])
		r->vm_finish_ns[it->vm] = t;
	if ((it->flags & PM_TL_JOB_END) && it->deadline_ns) {
		r->rt_jobs++;
		r->rt_jobs_rec_ok += !(it->flags & PM_TL_REC_MISS);
		if (t > it->deadline_ns) {
			r->rt_misses++;
			r->rt_misses_new += !(it->flags & PM_TL_REC_MISS);
			if (t - it->deadline_ns > r->rt_max_late_ns)
				r->rt_max_late_ns = t - it->deadline_ns;
		}
	}
}

/* Advance one CPU through [t0, t1). */
int pm_sim_cpu_run(struct sim *s, unsigned int cpu, uint64_t t0, uint64_t t1)
{
	struct sim_cpu *c = &s->cpu[cpu];
	uint64_t t = t0;
	int err = 0;

	while (t < t1 && !err) {
		const struct pm_tl_item *it;
		uint64_t stop;

		sim_release(c, t, &err);
		if (t < c->wake_until) {	/* leaving a C-state: exit latency */
			stop = c->wake_until < t1 ? c->wake_until : t1;
			err |= sim_seg(c, t, stop, PM_OWNER_IDLE, PM_SEG_IDLE, c->khz, PM_MODEL_POLL);
			c->w.idle_ns += stop - t;
			t = stop;
			continue;
		}
		if (c->cur >= 0) {
			uint32_t khz;
			uint64_t fin, r_rt = UINT64_MAX;
			bool poll;

			it = &c->tl->items[c->cur];
			if (!(it->flags & PM_TL_RT) && c->rtq.n) {	/* released while waking */
				c->pre = c->cur;
				c->pre_rem = c->rem;
				c->cur = -1;
				continue;
			}
			poll = it->kind == PM_TL_POLL;
			khz = sim_item_khz(s, c, cpu, it);
			fin = poll ? t + (uint64_t)(c->rem + 0.5)
				   : t + (uint64_t)(c->rem * 1e6 / khz + 0.999);
			if (!(it->flags & PM_TL_RT) && c->next_rt[c->next] < c->tl->n)
				r_rt = c->tl->items[c->next_rt[c->next]].release_ns;
			stop = fin < t1 ? fin : t1;
			if (r_rt > t && r_rt < stop)
				stop = r_rt;
			if (khz != c->last_seg_khz && !poll) {
				s->res->freq_changes += c->last_seg_khz != 0;
				c->last_seg_khz = khz;
			}
			err |= sim_seg(c, t, stop, it->kind == PM_TL_VMM ? PM_OWNER_OVERHEAD : it->vm,
				       poll ? PM_SEG_POLL : PM_SEG_BUSY, khz, -1);
			if (poll) {
				c->rem -= (double)(stop - t);
				c->w.poll_ns += stop - t;
			} else {
				c->rem -= (double)(stop - t) * khz / 1e6;
				if (it->kind == PM_TL_VMM)
					c->w.vmm_ns += stop - t;
				else
					c->w.guest_ns += stop - t;
				c->w.busy_khz_ns += (double)khz * (stop - t);
				s->busy_khz_ns += (double)khz * (stop - t);
				s->busy_ns += (double)(stop - t);
			}
			t = stop;
			if (stop == fin) {
				sim_complete(s, it, t);
				c->cur = -1;
			} else if (stop == r_rt) {
				sim_release(c, t, &err);
				if (c->rtq.n) {
					c->pre = c->cur;
					c->pre_rem = c->rem;
					c->cur = -1;
				}
			}
			continue;
		}
		/* pick the next item: RT first, then preempted best effort, then FIFO */
		if (c->rtq.n || c->pre >= 0 || c->beq.n) {
			if (c->rtq.n) {
				c->cur = (long)idxq_pop(&c->rtq);
				it = &c->tl->items[c->cur];
				c->rem = it->kind == PM_TL_POLL ? (double)it->poll_ns
								 : (double)it->work_cycles;
			} else if (c->pre >= 0) {
				c->cur = c->pre;
				c->rem = c->pre_rem;
				c->pre = -1;
			} else {
				c->cur = (long)idxq_pop(&c->beq);
				it = &c->tl->items[c->cur];
				c->rem = it->kind == PM_TL_POLL ? (double)it->poll_ns
								 : (double)it->work_cycles;
			}
			if (c->idle) {
				uint64_t len = t - c->idle_start;

				c->idle = false;
				c->w.hist[pm_idle_bucket(len)]++;
				c->last_idle_ns = len;
				c->wake_until = t + (uint64_t)s->m->cst_exit_us[c->idle_state] * 1000;
			}
			continue;
		}
		/* nothing to run: idle until the next release or the end of the window */
		if (!c->idle) {
			unsigned int k = sim_pick_state(s, c);

			c->idle = true;
			c->idle_start = t;
			c->idle_state = (int)k;
			s->res->cstate_entries[k]++;
			pm_sim_charge(s, PM_OWNER_IDLE, t, t,
				      pm_model_transition_uj(s->m, k, c->khz));
		}
		stop = t1;
		if (c->next < c->tl->n && c->tl->items[c->next].release_ns < stop)
			stop = c->tl->items[c->next].release_ns > t ? c->tl->items[c->next].release_ns : t;
		err |= sim_seg(c, t, stop, PM_OWNER_IDLE, PM_SEG_IDLE, c->khz, c->idle_state);
		c->w.idle_ns += stop - t;
		t = stop;
	}
	return err;
}
