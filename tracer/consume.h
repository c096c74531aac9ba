/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The validating consumer: every record read from shared memory (or from a trace file) is
 * checked before anyone uses it, rejects are counted by reason and dropped.
 *
 * Validation rules (pv_consume_validate(), a pure function):
 *   - type in (PV_EV_NONE, PV_EV_MAX) and allowed on the ring kind:
 *       VCPU ring  (ring i < nvcpus, the vCPU thread): VM_EXIT, VM_ENTRY, HALT_BEGIN/END with
 *                  modes exit/poll/native, MIGRATE, TIMER_FIRE, DEV_IO, IRQ_INJECT, THROTTLE
 *       GUEST ring (nvcpus <= i < 2 nvcpus): TASK_SWITCH, RT_ACTIVATE/COMPLETE/MISS,
 *                  HALT_BEGIN/END with mode PV_HALT_GUEST only
 *       DEV ring   (device / event threads): DEV_IO, IRQ_INJECT, TIMER_FIRE, DEVPOWER,
 *                  QOS_CHANGE, RESERVATION, THROTTLE
 *       NODE       (the daemon's own decisions): PSTATE, CSTATE_LIMIT, QOS_CHANGE,
 *                  RESERVATION, THROTTLE, DEVPOWER
 *       ANY        (a merged stream, e.g. a trace file): every type
 *   - vcpu: on VCPU and GUEST rings it must equal the ring's vCPU; elsewhere < nvcpus, or
 *     PV_VCPU_NONE for DEV_IO, IRQ_INJECT, DEVPOWER, QOS_CHANGE, RESERVATION, THROTTLE;
 *     PSTATE / CSTATE_LIMIT carry a physical CPU < PV_MAX_CPUS.
 *   - tsc >= the previous accepted record's tsc of the same ring (not checked for ANY).
 *   - enum payloads in range (exit reason, halt mode, both task classes, irq path, qos
 *     classes, dev op); durations (halted ns, lateness, response, period, deadline, latency,
 *     runtime, overrun) <= PV_MAX_LATENCY_NS and runtime <= period; MIGRATE pCPUs
 *     < PV_MAX_CPUS; task ids < PV_TASK_ID_MAX; device ids < PV_SHM_MAX_DEVS; irq lines
 *     < PV_IRQ_LINE_MAX; I/O sizes <= PV_IO_MAX_BYTES; frequencies <= PV_FREQ_MAX_KHZ;
 *     C-state indexes < PV_CSTATE_MAX; power states < PV_DEVPOWER_MAX_STATE; every
 *     payload word the taxonomy marks 0 (or unused bits of a packed word) must be 0.
 */
#ifndef PV_TRACER_CONSUME_H
#define PV_TRACER_CONSUME_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

#include "tracer/event.h"
#include "tracer/ring.h"
#include "tracer/shm.h"

#define PV_TASK_ID_MAX		65536u		/* guest task ids are < 2^16 (vmm/pv_abi.h) */
#define PV_IRQ_LINE_MAX		4096u		/* GSIs */
#define PV_IO_MAX_BYTES		(1ull << 32)
#define PV_FREQ_MAX_KHZ		100000000ull	/* 100 GHz */
#define PV_CSTATE_MAX		64u
#define PV_DEVPOWER_MAX_STATE	16u
#define PV_CONSUME_DEF_BATCH	1024u
#define PV_CONSUME_MAX_BATCH	65536u

enum pv_reject {
	PV_REJ_OK = 0,		/* accepted */
	PV_REJ_TYPE,		/* PV_EV_NONE or >= PV_EV_MAX */
	PV_REJ_KIND,		/* type not produced on this kind of ring */
	PV_REJ_VCPU,		/* vcpu out of range, or not the ring's vCPU */
	PV_REJ_TIME,		/* tsc went backwards within the ring */
	PV_REJ_ENUM,		/* an enumerated payload out of range */
	PV_REJ_LATENCY,		/* a duration above PV_MAX_LATENCY_NS */
	PV_REJ_CPU,		/* physical CPU >= PV_MAX_CPUS */
	PV_REJ_RANGE,		/* another bounded value out of range */
	PV_REJ_RESERVED,	/* a payload word that must be 0 is not */
	PV_REJ_MAX
};

enum pv_ring_kind {
	PV_RING_KIND_VCPU = 0,
	PV_RING_KIND_GUEST,
	PV_RING_KIND_DEV,
	PV_RING_KIND_NODE,
	PV_RING_KIND_ANY,
	PV_RING_KIND_MAX
};

/* What a record is checked against: its ring and the previous accepted record's time. */
struct pv_consume_ctx {
	uint32_t kind;		/* enum pv_ring_kind */
	uint32_t nvcpus;	/* vCPUs of the VM (1 .. PV_MAX_VCPUS) */
	uint32_t vcpu;		/* the ring's vCPU (VCPU and GUEST kinds) */
	uint64_t last_tsc;	/* previous accepted record of the ring; 0 before the first */
};

/* Pure: why @rec is impossible in @ctx, or PV_REJ_OK. Never reads beyond *rec / *ctx. */
enum pv_reject pv_consume_validate(const struct pv_rec *rec, const struct pv_consume_ctx *ctx);
const char *pv_consume_reject_name(unsigned int reason);
const char *pv_consume_kind_name(unsigned int kind);

/* Counters of one ring (or their sum). */
struct pv_consume_stats {
	uint64_t consumed;		/* records accepted and delivered */
	uint64_t rejected;		/* sum of rejects[] */
	uint64_t rejects[PV_REJ_MAX];	/* by enum pv_reject (index 0 unused) */
	uint64_t overruns;		/* impossible ring heads seen (reader resynchronised) */
	uint64_t skipped;		/* records lost to resynchronisation */
	uint64_t drops;			/* drops the producer reports (untrusted, display only) */
	uint64_t attach_failures;	/* polls that found the ring header invalid */
};

struct pv_consumer;

/*
 * Called once per non-empty validated batch of one ring. A non-zero return stops the poll
 * and is returned by pv_consumer_poll().
 */
typedef int (*pv_consume_fn)(void *arg, uint32_t ring, const struct pv_consume_ctx *ctx,
			     const struct pv_rec *recs, size_t n);

/*
 * A consumer over every ring of @shm (attached with pv_shm_attach(), or the producer's own
 * mapping in tests and in a VMM recording its own trace), reading at most @batch records
 * per ring per pass (0 = PV_CONSUME_DEF_BATCH). 0, -EINVAL or -ENOMEM.
 */
int pv_consumer_create(struct pv_consumer **out, const struct pv_shm *shm, size_t batch);
void pv_consumer_destroy(struct pv_consumer *c);

/* One pass over all rings; records delivered (>= 0) or the callback's non-zero return. */
ssize_t pv_consumer_poll(struct pv_consumer *c, pv_consume_fn fn, void *arg);
/* Pass until every ring is empty (or @max_passes passes; 0 = no limit). */
ssize_t pv_consumer_drain(struct pv_consumer *c, pv_consume_fn fn, void *arg,
			  unsigned int max_passes);

/*
 * Buffer mode: up to @max validated records of ring @ring into @out; stops early only when
 * the ring is empty. Returns the count, or -EINVAL for a bad ring index.
 */
ssize_t pv_consumer_read(struct pv_consumer *c, uint32_t ring, struct pv_rec *out, size_t max);

uint32_t pv_consumer_nrings(const struct pv_consumer *c);
/* Validation context of ring @ring (kind, vCPU, last time); NULL for a bad index. */
const struct pv_consume_ctx *pv_consumer_ctx(const struct pv_consumer *c, uint32_t ring);
/* Counters of ring @ring; NULL for a bad index. */
const struct pv_consume_stats *pv_consumer_stats(const struct pv_consumer *c, uint32_t ring);
/* Sum over all rings into @total. */
void pv_consumer_total(const struct pv_consumer *c, struct pv_consume_stats *total);

/* Ring kind of ring @ring of a region with @nvcpus vCPUs (layout of tracer/shm.h). */
static inline enum pv_ring_kind pv_consume_ring_kind(uint32_t nvcpus, uint32_t ring)
{
	if (ring < nvcpus)
		return PV_RING_KIND_VCPU;
	if (ring < 2 * nvcpus)
		return PV_RING_KIND_GUEST;
	return PV_RING_KIND_DEV;
}

/* Validate @n records in place against @ctx (advancing its time), keep the accepted ones
 * in order at the front, count rejects into @st; returns how many were kept. */
size_t pv_consume_filter(struct pv_consume_ctx *ctx, struct pv_consume_stats *st,
			 struct pv_rec *recs, size_t n);

#endif /* PV_TRACER_CONSUME_H */
