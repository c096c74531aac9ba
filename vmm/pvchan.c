// SPDX-License-Identifier: GPL-2.0-only
/*
 * Draining the guest's paravirtual ring.
 *
 * Policy: the guest is not trusted. Its head index is read once per drain; a head that
 * moved backwards or more than a ring ahead is impossible for an honest guest: it is
 * counted as a reject and we resynchronise to it without reading (a lying guest costs its
 * own records, never our time). Each record is copied out of guest memory once and then
 * checked: known type, task id < 2^16, classes in range, durations below
 * PV_MAX_LATENCY_NS, and a stamp that converts to a host TSC between VM creation and now
 * (plus a small slack for the offset measurement) and not older than the last record we
 * emitted (a step back within the slack is clamped), so the guest ring stays monotonic. Rejected records are counted in
 * guest_rejects and dropped. Task summaries are validated field by field the same way.
 */
#include <string.h>

#include "vmm/pvchan.h"

#define CTR_ADD1(c, v) atomic_store_explicit(&(c), atomic_load_explicit(&(c), memory_order_relaxed) + (v), \
					     memory_order_relaxed)
#define PVCHAN_SLACK_US		200u
#define PV_TASK_ID_LIMIT	(1u << 16)

void pvchan_init(struct pvchan *pc, void *page, uint32_t vcpu, int64_t tsc_offset,
		 uint64_t now_tsc, uint64_t tsc_khz, struct pv_ring_prod *ring,
		 struct pv_vcpu_counters *vc)
{
	memset(pc, 0, sizeof(*pc));
	pc->page = page;
	pc->vcpu = vcpu;
	pc->tsc_offset = tsc_offset;
	pc->min_tsc = now_tsc;
	pc->last_tsc = now_tsc;
	pc->slack_tsc = tsc_khz * PVCHAN_SLACK_US / 1000;
	pc->ring = ring;
	pc->vc = vc;
	if (page) {
		memset(page, 0, PV_GPAGE_SIZE);
		pc->page->magic = PV_GPAGE_MAGIC;
		pc->page->version = PV_GPAGE_VERSION;
		pc->page->vcpu = vcpu;
		pc->page->ring_order = PV_GRING_ORDER;
	}
}

static bool pvchan_dur_ok(uint64_t ns)
{
	return ns <= PV_MAX_LATENCY_NS;
}

/* Validate one copied record and turn it into a trace record; false = reject. */
static bool pvchan_convert(struct pvchan *pc, const struct pv_gev *g, uint64_t now_tsc,
			   struct pv_rec *out)
{
	uint64_t host = g->tsc - (uint64_t)pc->tsc_offset;
	uint32_t prev_cls, next_cls;

	if (g->type == PV_GEV_NONE || g->type >= PV_GEV_MAX || g->task >= PV_TASK_ID_LIMIT)
		return false;
	if ((int64_t)(host - pc->min_tsc) < 0 || (int64_t)(host - (now_tsc + pc->slack_tsc)) > 0)
		return false;
	if (host > now_tsc)
		host = now_tsc;
	if ((int64_t)(host - pc->last_tsc) < 0) {
		/* a record published after a later-stamped one (guest interrupt between stamp
		 * and publish): a small step back is clamped to keep the ring monotonic */
		if (pc->last_tsc - host > pc->slack_tsc)
			return false;
		host = pc->last_tsc;
	}
	memset(out, 0, sizeof(*out));
	out->tsc = host;
	out->vcpu = (uint16_t)pc->vcpu;
	switch (g->type) {
	case PV_GEV_TASK_SWITCH:
		prev_cls = PV_TASK_PREV_CLASS(g->b);
		next_cls = PV_TASK_NEXT_CLASS(g->b);
		if (g->a >= PV_TASK_ID_LIMIT || prev_cls >= PV_TASK_CLASS_MAX ||
		    next_cls >= PV_TASK_CLASS_MAX || g->b >> 16)
			return false;
		out->type = PV_EV_TASK_SWITCH;
		out->a = PV_TASK_CLASSES(prev_cls, next_cls);
		out->b = g->a;
		out->c = g->task;
		break;
	case PV_GEV_RT_ACTIVATE:
		if (!pvchan_dur_ok(g->a) || !pvchan_dur_ok(g->b))
			return false;
		out->type = PV_EV_RT_ACTIVATE;
		out->a = g->task;
		out->b = g->a;
		out->c = g->b;
		break;
	case PV_GEV_RT_COMPLETE:
		if (!pvchan_dur_ok(g->a) || !pvchan_dur_ok(g->b))
			return false;
		out->type = PV_EV_RT_COMPLETE;
		out->a = g->task;
		out->b = g->a;
		out->c = g->b;
		break;
	case PV_GEV_RT_MISS:
		if (!pvchan_dur_ok(g->a))
			return false;
		out->type = PV_EV_RT_MISS;
		out->a = g->task;
		out->b = g->a;
		break;
	case PV_GEV_IDLE_BEGIN:
		out->type = PV_EV_HALT_BEGIN;
		out->a = PV_HALT_GUEST;
		break;
	case PV_GEV_IDLE_END:
		if (!pvchan_dur_ok(g->a))
			return false;
		out->type = PV_EV_HALT_END;
		out->a = PV_HALT_GUEST;
		out->b = g->a;
		break;
	default:
		return false;
	}
	return true;
}

unsigned int pvchan_drain(struct pvchan *pc, uint64_t now_tsc)
{
	uint32_t head, n, i, accepted = 0, rejected = 0;

	if (!pc->page)
		return 0;
	head = pc->page->head;	/* once: the guest may change it under us */
	n = head - pc->tail;
	if (n > PV_GRING_SIZE) {
		/* impossible for an honest guest: skip everything it claims */
		pc->tail = head;
		pc->page->tail = head;
		if (pc->vc)
			CTR_ADD1(pc->vc->guest_rejects, 1);
		return 0;
	}
	for (i = 0; i < n; i++) {
		struct pv_gev g;
		struct pv_rec rec;

		memcpy(&g, (const void *)&pc->page->ring[(pc->tail + i) & (PV_GRING_SIZE - 1)],
		       sizeof(g));
		if (!pvchan_convert(pc, &g, now_tsc, &rec)) {
			rejected++;
			continue;
		}
		pc->last_tsc = rec.tsc;
		if (pc->ring)
			pv_ring_put(pc->ring, &rec);
		accepted++;
	}
	pc->tail = head;
	__atomic_store_n(&pc->page->tail, head, __ATOMIC_RELEASE);
	if (pc->vc) {
		CTR_ADD1(pc->vc->guest_events, accepted);
		CTR_ADD1(pc->vc->guest_rejects, rejected);
		atomic_store_explicit(&pc->vc->guest_drops, pc->page->dropped, memory_order_relaxed);
	}
	return accepted;
}

bool pvchan_sync_flags(struct pvchan *pc)
{
	uint32_t f;

	if (!pc->page)
		return false;
	f = pc->page->flags;
	if (f == pc->last_flags)
		return false;
	pc->last_flags = f;
	if (pc->vc)
		atomic_store_explicit(&pc->vc->rt_runnable, !!(f & PV_GF_RT_RUNNABLE),
				      memory_order_relaxed);
	return true;
}

static bool pvchan_task_ok(const struct pv_task_stats *t)
{
	uint64_t samples = t->activations > t->progress ? t->activations : t->progress;
	unsigned int i;

	if (t->id >= PV_TASK_ID_LIMIT || t->cls >= PV_TASK_CLASS_MAX)
		return false;
	if (t->misses > t->activations || t->completions > t->activations + 1)
		return false;
	if (t->lat_min_us > t->lat_max_us && t->activations)
		return false;
	for (i = 0; i < PV_LAT_BUCKETS; i++)
		/* latency samples come from activations (rt) or wake-ups counted as progress */
		if (t->lat_hist[i] > samples + 1)
			return false;
	return true;
}

void pvchan_sync_tasks(struct pvchan *pc)
{
	struct pv_task_stats copy[PV_GUEST_MAX_TASKS];
	uint64_t seq;
	unsigned int i, bad = 0;

	if (!pc->page || !pc->vc)
		return;
	memcpy(copy, (const void *)pc->page->tasks, sizeof(copy));
	for (i = 0; i < PV_GUEST_MAX_TASKS; i++) {
		if (!copy[i].id)
			continue;
		if (!pvchan_task_ok(&copy[i])) {
			memset(&copy[i], 0, sizeof(copy[i]));
			bad++;
		}
	}
	seq = atomic_load_explicit(&pc->vc->seq, memory_order_relaxed);
	atomic_store_explicit(&pc->vc->seq, seq + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	memcpy(pc->vc->tasks, copy, sizeof(copy));
	atomic_store_explicit(&pc->vc->seq, seq + 2, memory_order_release);
	if (bad)
		CTR_ADD1(pc->vc->guest_rejects, bad);
}
