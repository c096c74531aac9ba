// SPDX-License-Identifier: GPL-2.0-only
/* SPSC trace ring: set-up and the consumer side (the producer fast path is inline in ring.h). */
#include <errno.h>
#include <string.h>

#include "tracer/ring.h"

int pv_ring_init(void *mem, unsigned int order, uint32_t producer)
{
	struct pv_ring_shared *r = mem;

	if (!mem || order < PV_RING_MIN_ORDER || order > PV_RING_MAX_ORDER ||
	    ((uintptr_t)mem & (PV_CACHELINE - 1)))
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->order = order;
	r->producer = producer;
	atomic_store_explicit(&r->head, 0, memory_order_relaxed);
	atomic_store_explicit(&r->drops, 0, memory_order_relaxed);
	/* magic last: a reader attaching early sees an unfinished ring as invalid */
	atomic_thread_fence(memory_order_release);
	r->magic = PV_RING_MAGIC;
	return 0;
}

int pv_ring_prod_attach(struct pv_ring_prod *p, void *mem, const struct pv_ring_cons *cons)
{
	struct pv_ring_shared *r = mem;

	if (!mem || !cons || r->magic != PV_RING_MAGIC ||
	    r->order < PV_RING_MIN_ORDER || r->order > PV_RING_MAX_ORDER)
		return -EINVAL;
	p->r = r;
	p->tail = &cons->tail;
	p->mask = ((uint64_t)1 << r->order) - 1;
	p->head = atomic_load_explicit(&r->head, memory_order_relaxed);
	p->drops = atomic_load_explicit(&r->drops, memory_order_relaxed);
	p->tail_cache = atomic_load_explicit(&cons->tail, memory_order_acquire);
	return 0;
}

int pv_ring_reader_attach(struct pv_ring_reader *rd, const void *mem, size_t bytes,
			  struct pv_ring_cons *cons)
{
	const struct pv_ring_shared *r = mem;
	uint32_t order;

	if (!mem || !cons || bytes < sizeof(*r))
		return -EINVAL;
	order = r->order;	/* read once: the producer may change it under us */
	if (r->magic != PV_RING_MAGIC || order < PV_RING_MIN_ORDER ||
	    order > PV_RING_MAX_ORDER || pv_ring_bytes(order) > bytes)
		return -EINVAL;
	memset(rd, 0, sizeof(*rd));
	rd->r = r;
	rd->tail_pub = &cons->tail;
	rd->mask = ((uint64_t)1 << order) - 1;
	/* resume where a previous consumer (e.g. a restarted daemon) left off */
	rd->tail = atomic_load_explicit(&cons->tail, memory_order_relaxed);
	return 0;
}

/* The producer's head, or the private tail when the value cannot be true. */
static uint64_t reader_head(struct pv_ring_reader *rd)
{
	uint64_t head = atomic_load_explicit(&rd->r->head, memory_order_acquire);

	if (head - rd->tail <= rd->mask + 1)
		return head;
	/*
	 * Behind us, or more than a ring ahead: impossible for an honest producer that never
	 * overwrites. Skip to the newest ring-full so a buggy producer costs records, not time.
	 */
	rd->overruns++;
	if ((int64_t)(head - rd->tail) < 0)
		return rd->tail;
	rd->skipped += head - rd->tail - (rd->mask + 1);
	rd->tail = head - (rd->mask + 1);
	return head;
}

size_t pv_ring_read(struct pv_ring_reader *rd, struct pv_rec *out, size_t max)
{
	uint64_t head = reader_head(rd);
	uint64_t avail = head - rd->tail;
	size_t n = avail < max ? (size_t)avail : max;
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = rd->r->recs[(rd->tail + i) & rd->mask];
	if (n) {
		rd->tail += n;
		atomic_store_explicit(rd->tail_pub, rd->tail, memory_order_release);
	}
	return n;
}

uint64_t pv_ring_pending(const struct pv_ring_reader *rd)
{
	uint64_t head = atomic_load_explicit(&rd->r->head, memory_order_acquire);
	uint64_t avail = head - rd->tail;

	return avail <= rd->mask + 1 ? avail : 0;
}

uint64_t pv_ring_drops(const struct pv_ring_reader *rd)
{
	return atomic_load_explicit(&rd->r->drops, memory_order_relaxed);
}
