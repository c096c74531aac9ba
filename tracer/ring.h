/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Single-producer / single-consumer ring of struct pv_rec in shared memory.
 *
 * Design: the ring lives in a memfd shared between a VMM (producer, less trusted) and the
 * daemon (consumer). The producer owns the ring header and the record slots; the consumer
 * owns one index, published in a separate page that the producer maps read-only in spirit
 * (it only reads it to know how much room there is).
 *   - Size is a power of two; indexes are free-running 64-bit counters (never wrap in
 *     practice: 2^64 records at 1 G/s is 584 years), slot = index & mask.
 *   - Producer: copy the record into slot head & mask, then store head with release
 *     semantics. It never blocks and never overwrites unread records: when full it counts
 *     a drop (exact) and returns false. It re-reads the consumer's tail only when its
 *     cached copy says the ring is full, so the fast path touches no shared cache line
 *     other than its own.
 *   - Consumer: load head with acquire semantics, copy records out, publish tail with
 *     release semantics. head is untrusted: a head behind tail or more than a ring ahead
 *     is counted as an overrun and the consumer resynchronises instead of reading garbage.
 *     Copied records are validated by tracer/consume.c before anyone uses them.
 */
#ifndef PV_TRACER_RING_H
#define PV_TRACER_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "tracer/event.h"
#include "tracer/tsc.h"

#define PV_RING_MAGIC		0x474e5250u	/* "PRNG" */
#define PV_RING_MIN_ORDER	4u
#define PV_RING_MAX_ORDER	24u		/* 16 M records, 512 MiB */
#define PV_RING_DEF_ORDER	14u		/* 16384 records, 512 KiB */
#define PV_CACHELINE		64u

/* Shared: written by the producer only. */
struct pv_ring_shared {
	uint32_t magic;			/* PV_RING_MAGIC */
	uint32_t order;			/* log2 of the record count */
	uint32_t producer;		/* vCPU index, or PV_VCPU_NONE for a device/event thread */
	uint32_t pad;
	_Alignas(PV_CACHELINE) _Atomic uint64_t head;	/* next slot to write, free-running */
	_Atomic uint64_t drops;				/* records dropped while full, exact */
	_Alignas(PV_CACHELINE) struct pv_rec recs[];	/* 1 << order */
};

/* Shared: written by the consumer only, one cache line per ring. */
struct pv_ring_cons {
	_Alignas(PV_CACHELINE) _Atomic uint64_t tail;	/* next slot to read, free-running */
};

static inline size_t pv_ring_bytes(unsigned int order)
{
	return sizeof(struct pv_ring_shared) + ((size_t)1 << order) * sizeof(struct pv_rec);
}

/* Process-local producer handle. */
struct pv_ring_prod {
	struct pv_ring_shared *r;
	const _Atomic uint64_t *tail;	/* consumer's published index */
	uint64_t head;			/* local copy of r->head */
	uint64_t tail_cache;		/* last tail seen */
	uint64_t mask;
	uint64_t drops;			/* local copy of r->drops */
};

/* Lay out a fresh ring in @mem (pv_ring_bytes(order) bytes, cache-line aligned). */
int pv_ring_init(void *mem, unsigned int order, uint32_t producer);
/* Attach a producer to an initialised ring; @tail is the consumer's index for it. */
int pv_ring_prod_attach(struct pv_ring_prod *p, void *mem, const struct pv_ring_cons *cons);

static inline bool pv_ring_full_slow(struct pv_ring_prod *p)
{
	p->tail_cache = atomic_load_explicit(p->tail, memory_order_acquire);
	if (p->head - p->tail_cache <= p->mask)
		return false;
	p->drops++;
	atomic_store_explicit(&p->r->drops, p->drops, memory_order_relaxed);
	return true;
}

/* Append one record. Never blocks: false (and a counted drop) when the ring is full. */
static inline bool pv_ring_put(struct pv_ring_prod *p, const struct pv_rec *rec)
{
	if (__builtin_expect(p->head - p->tail_cache > p->mask, 0) && pv_ring_full_slow(p))
		return false;
	p->r->recs[p->head & p->mask] = *rec;
	p->head++;
	atomic_store_explicit(&p->r->head, p->head, memory_order_release);
	return true;
}

/* Stamp with the TSC and append: the producer's whole recording cost. */
static inline bool pv_ring_emit(struct pv_ring_prod *p, uint16_t type, uint16_t vcpu,
				uint32_t a, uint64_t b, uint64_t c)
{
	struct pv_rec rec = { .tsc = pv_rdtsc(), .type = type, .vcpu = vcpu, .a = a, .b = b, .c = c };

	return pv_ring_put(p, &rec);
}

/* Process-local consumer handle over a ring mapped read-only. */
struct pv_ring_reader {
	const struct pv_ring_shared *r;
	_Atomic uint64_t *tail_pub;	/* where the tail is published for the producer */
	uint64_t tail;			/* private: never read back from shared memory */
	uint64_t mask;
	uint64_t overruns;		/* times head was impossible and we resynchronised */
	uint64_t skipped;		/* records lost to resynchronisation */
};

/*
 * Attach a reader to a ring of @bytes bytes mapped at @mem. The ring header is untrusted:
 * magic and order are checked against @bytes. Returns 0 or -EINVAL.
 */
int pv_ring_reader_attach(struct pv_ring_reader *rd, const void *mem, size_t bytes,
			  struct pv_ring_cons *cons);

/*
 * Copy up to @max records into @out and publish the new tail; returns the count.
 * No validation of record contents here (tracer/consume.c does it).
 */
size_t pv_ring_read(struct pv_ring_reader *rd, struct pv_rec *out, size_t max);

/* Records the producer has published and we have not read (as far as can be trusted). */
uint64_t pv_ring_pending(const struct pv_ring_reader *rd);
/* Drops as the producer reported them (untrusted, for display). */
uint64_t pv_ring_drops(const struct pv_ring_reader *rd);

#endif /* PV_TRACER_RING_H */
