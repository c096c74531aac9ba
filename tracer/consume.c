// SPDX-License-Identifier: GPL-2.0-only
/*
 * The validating consumer: record validation and draining the rings of a region.
 *
 * Design note: the producer (a VMM) is less trusted than the consumer (the daemon), so a
 * record is a claim to check, not a fact. Validation is a pure function of the record and
 * of its ring's context (kind, vCPU, previous accepted time) — it is also the fuzz target —
 * and enforces everything the taxonomy in event.h makes impossible (rules in consume.h).
 * A rejected record is counted by reason and dropped; it never advances the ring's time, so
 * one forged far-future stamp cannot make every later honest record look "backwards".
 * Records are copied out of shared memory before they are checked (pv_ring_read), so the
 * producer cannot change a record between its check and its use.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tracer/consume.h"

#define BIT(t)		(1u << (t))

/* Types each ring kind may carry. */
static const uint32_t kind_types[PV_RING_KIND_MAX] = {
	[PV_RING_KIND_VCPU] = BIT(PV_EV_VM_EXIT) | BIT(PV_EV_VM_ENTRY) | BIT(PV_EV_HALT_BEGIN) |
			      BIT(PV_EV_HALT_END) | BIT(PV_EV_MIGRATE) | BIT(PV_EV_TIMER_FIRE) |
			      BIT(PV_EV_DEV_IO) | BIT(PV_EV_IRQ_INJECT) | BIT(PV_EV_THROTTLE),
	[PV_RING_KIND_GUEST] = BIT(PV_EV_TASK_SWITCH) | BIT(PV_EV_RT_ACTIVATE) |
			       BIT(PV_EV_RT_COMPLETE) | BIT(PV_EV_RT_MISS) |
			       BIT(PV_EV_HALT_BEGIN) | BIT(PV_EV_HALT_END),
	[PV_RING_KIND_DEV] = BIT(PV_EV_DEV_IO) | BIT(PV_EV_IRQ_INJECT) | BIT(PV_EV_TIMER_FIRE) |
			     BIT(PV_EV_DEVPOWER) | BIT(PV_EV_QOS_CHANGE) |
			     BIT(PV_EV_RESERVATION) | BIT(PV_EV_THROTTLE),
	[PV_RING_KIND_NODE] = BIT(PV_EV_PSTATE) | BIT(PV_EV_CSTATE_LIMIT) | BIT(PV_EV_QOS_CHANGE) |
			      BIT(PV_EV_RESERVATION) | BIT(PV_EV_THROTTLE) | BIT(PV_EV_DEVPOWER),
	[PV_RING_KIND_ANY] = ((1u << PV_EV_MAX) - 1) & ~BIT(PV_EV_NONE),
};

/* Types that may carry PV_VCPU_NONE outside vCPU-bound rings. */
static const uint32_t vcpu_none_ok = BIT(PV_EV_DEV_IO) | BIT(PV_EV_IRQ_INJECT) |
				     BIT(PV_EV_DEVPOWER) | BIT(PV_EV_QOS_CHANGE) |
				     BIT(PV_EV_RESERVATION) | BIT(PV_EV_THROTTLE);
/* Types whose vcpu field is a physical CPU. */
static const uint32_t vcpu_is_cpu = BIT(PV_EV_PSTATE) | BIT(PV_EV_CSTATE_LIMIT);

static const char *const reject_names[PV_REJ_MAX] = {
	[PV_REJ_OK] = "ok",
	[PV_REJ_TYPE] = "type",
	[PV_REJ_KIND] = "kind",
	[PV_REJ_VCPU] = "vcpu",
	[PV_REJ_TIME] = "time",
	[PV_REJ_ENUM] = "enum",
	[PV_REJ_LATENCY] = "latency",
	[PV_REJ_CPU] = "cpu",
	[PV_REJ_RANGE] = "range",
	[PV_REJ_RESERVED] = "reserved",
};

static const char *const kind_names[PV_RING_KIND_MAX] = {
	[PV_RING_KIND_VCPU] = "vcpu",
	[PV_RING_KIND_GUEST] = "guest",
	[PV_RING_KIND_DEV] = "dev",
	[PV_RING_KIND_NODE] = "node",
	[PV_RING_KIND_ANY] = "any",
};

const char *pv_consume_reject_name(unsigned int reason)
{
	return reason < PV_REJ_MAX ? reject_names[reason] : "unknown";
}

const char *pv_consume_kind_name(unsigned int kind)
{
	return kind < PV_RING_KIND_MAX ? kind_names[kind] : "unknown";
}

static bool lat_ok(uint64_t ns)
{
	return ns <= PV_MAX_LATENCY_NS;
}

/* Payload checks of one type, independent of the ring. */
static enum pv_reject validate_payload(const struct pv_rec *r)
{
	switch (r->type) {
	case PV_EV_VM_EXIT:
		return r->a < PV_EXIT_MAX ? PV_REJ_OK : PV_REJ_ENUM;
	case PV_EV_VM_ENTRY:
		return r->a || r->b || r->c ? PV_REJ_RESERVED : PV_REJ_OK;
	case PV_EV_HALT_BEGIN:
		if (r->a >= PV_HALT_MODE_MAX)
			return PV_REJ_ENUM;
		return r->b || r->c ? PV_REJ_RESERVED : PV_REJ_OK;
	case PV_EV_HALT_END:
		if (r->a >= PV_HALT_MODE_MAX)
			return PV_REJ_ENUM;
		if (!lat_ok(r->b))
			return PV_REJ_LATENCY;
		return r->c ? PV_REJ_RESERVED : PV_REJ_OK;
	case PV_EV_MIGRATE:
		if (r->a >= PV_MAX_CPUS || r->b >= PV_MAX_CPUS)
			return PV_REJ_CPU;
		return r->c ? PV_REJ_RESERVED : PV_REJ_OK;
	case PV_EV_TIMER_FIRE:
		return PV_REJ_OK;	/* overrun count, RIP, CR3: any value is possible */
	case PV_EV_TASK_SWITCH:
		if (r->a >> 16)
			return PV_REJ_RESERVED;
		if (PV_TASK_PREV_CLASS(r->a) >= PV_TASK_CLASS_MAX ||
		    PV_TASK_NEXT_CLASS(r->a) >= PV_TASK_CLASS_MAX)
			return PV_REJ_ENUM;
		return r->b < PV_TASK_ID_MAX && r->c < PV_TASK_ID_MAX ? PV_REJ_OK : PV_REJ_RANGE;
	case PV_EV_RT_ACTIVATE:
	case PV_EV_RT_COMPLETE:
		if (r->a >= PV_TASK_ID_MAX)
			return PV_REJ_RANGE;
		return lat_ok(r->b) && lat_ok(r->c) ? PV_REJ_OK : PV_REJ_LATENCY;
	case PV_EV_RT_MISS:
		if (r->a >= PV_TASK_ID_MAX)
			return PV_REJ_RANGE;
		if (!lat_ok(r->b))
			return PV_REJ_LATENCY;
		return r->c ? PV_REJ_RESERVED : PV_REJ_OK;
	case PV_EV_DEV_IO:
		if (PV_DEV_OP_OP(r->a) >= PV_DEV_OP_MAX)
			return PV_REJ_ENUM;
		if (PV_DEV_OP_DEV(r->a) >= PV_SHM_MAX_DEVS || r->b > PV_IO_MAX_BYTES)
			return PV_REJ_RANGE;
		return lat_ok(r->c) ? PV_REJ_OK : PV_REJ_LATENCY;
	case PV_EV_IRQ_INJECT:
		if (r->a >= PV_IRQ_LINE_MAX)
			return PV_REJ_RANGE;
		if (r->b >= PV_IRQ_PATH_MAX)
			return PV_REJ_ENUM;
		return r->c ? PV_REJ_RESERVED : PV_REJ_OK;
	case PV_EV_PSTATE:
		if (r->a)
			return PV_REJ_RESERVED;
		return r->b && r->b <= PV_FREQ_MAX_KHZ && r->c <= PV_FREQ_MAX_KHZ ? PV_REJ_OK
										  : PV_REJ_RANGE;
	case PV_EV_CSTATE_LIMIT:
		if (r->a)
			return PV_REJ_RESERVED;
		return r->b < PV_CSTATE_MAX && r->c < PV_CSTATE_MAX ? PV_REJ_OK : PV_REJ_RANGE;
	case PV_EV_QOS_CHANGE:
		return r->b < PV_QOS_CLASS_MAX && r->c < PV_QOS_CLASS_MAX ? PV_REJ_OK : PV_REJ_ENUM;
	case PV_EV_RESERVATION:
		if (!lat_ok(r->b) || !lat_ok(r->c))
			return PV_REJ_LATENCY;
		return r->b <= r->c ? PV_REJ_OK : PV_REJ_RANGE;
	case PV_EV_DEVPOWER:
		if (r->a >= PV_SHM_MAX_DEVS)
			return PV_REJ_RANGE;
		return r->b < PV_DEVPOWER_MAX_STATE && r->c < PV_DEVPOWER_MAX_STATE ? PV_REJ_OK
										    : PV_REJ_RANGE;
	case PV_EV_THROTTLE:
		return lat_ok(r->b) && lat_ok(r->c) ? PV_REJ_OK : PV_REJ_LATENCY;
	default:
		return PV_REJ_TYPE;
	}
}

static enum pv_reject validate_vcpu(const struct pv_rec *r, const struct pv_consume_ctx *ctx)
{
	uint32_t bit = BIT(r->type);

	if (bit & vcpu_is_cpu)
		return r->vcpu < PV_MAX_CPUS ? PV_REJ_OK : PV_REJ_CPU;
	if (ctx->kind == PV_RING_KIND_VCPU || ctx->kind == PV_RING_KIND_GUEST)
		return r->vcpu == ctx->vcpu && ctx->vcpu < ctx->nvcpus ? PV_REJ_OK : PV_REJ_VCPU;
	if (r->vcpu == PV_VCPU_NONE)
		return bit & vcpu_none_ok ? PV_REJ_OK : PV_REJ_VCPU;
	return r->vcpu < ctx->nvcpus && r->vcpu < PV_MAX_VCPUS ? PV_REJ_OK : PV_REJ_VCPU;
}

enum pv_reject pv_consume_validate(const struct pv_rec *r, const struct pv_consume_ctx *ctx)
{
	enum pv_reject why;

	if (r->type == PV_EV_NONE || r->type >= PV_EV_MAX)
		return PV_REJ_TYPE;
	if (ctx->kind >= PV_RING_KIND_MAX || !(kind_types[ctx->kind] & BIT(r->type)))
		return PV_REJ_KIND;
	/* halts: the VMM reports exit/poll/native, the guest only its own idle */
	if ((r->type == PV_EV_HALT_BEGIN || r->type == PV_EV_HALT_END) && r->a < PV_HALT_MODE_MAX &&
	    ((ctx->kind == PV_RING_KIND_VCPU && r->a == PV_HALT_GUEST) ||
	     (ctx->kind == PV_RING_KIND_GUEST && r->a != PV_HALT_GUEST)))
		return PV_REJ_KIND;
	why = validate_vcpu(r, ctx);
	if (why)
		return why;
	why = validate_payload(r);
	if (why)
		return why;
	if (ctx->kind != PV_RING_KIND_ANY && r->tsc < ctx->last_tsc)
		return PV_REJ_TIME;
	return PV_REJ_OK;
}

size_t pv_consume_filter(struct pv_consume_ctx *ctx, struct pv_consume_stats *st,
			 struct pv_rec *recs, size_t n)
{
	size_t i, kept = 0;

	for (i = 0; i < n; i++) {
		enum pv_reject why = pv_consume_validate(&recs[i], ctx);

		if (why) {
			st->rejects[why]++;
			st->rejected++;
			continue;
		}
		if (recs[i].tsc > ctx->last_tsc)
			ctx->last_tsc = recs[i].tsc;
		if (kept != i)
			recs[kept] = recs[i];
		kept++;
	}
	st->consumed += kept;
	return kept;
}

/* ---------------------------------------------------------------- consumer object */

struct consumer_ring {
	struct pv_ring_reader rd;
	bool attached;
	struct pv_consume_ctx ctx;
	struct pv_consume_stats st;
};

struct pv_consumer {
	const struct pv_shm *shm;
	uint32_t nrings;
	size_t batch;
	struct pv_rec *buf;		/* batch records */
	struct consumer_ring rings[];
};

int pv_consumer_create(struct pv_consumer **out, const struct pv_shm *shm, size_t batch)
{
	struct pv_consumer *c;
	uint32_t i, nrings, nvcpus;

	if (!out || !shm || !shm->base || batch > PV_CONSUME_MAX_BATCH)
		return -EINVAL;
	nrings = shm->hdr.nrings;
	nvcpus = shm->hdr.nvcpus;
	if (nvcpus < 1 || nvcpus > PV_MAX_VCPUS || nrings < 2 * nvcpus ||
	    nrings > PV_SHM_MAX_RINGS)
		return -EINVAL;
	c = calloc(1, sizeof(*c) + nrings * sizeof(c->rings[0]));
	if (!c)
		return -ENOMEM;
	c->batch = batch ? batch : PV_CONSUME_DEF_BATCH;
	c->buf = calloc(c->batch, sizeof(*c->buf));
	if (!c->buf) {
		free(c);
		return -ENOMEM;
	}
	c->shm = shm;
	c->nrings = nrings;
	for (i = 0; i < nrings; i++) {
		struct consumer_ring *cr = &c->rings[i];

		cr->ctx.kind = pv_consume_ring_kind(nvcpus, i);
		cr->ctx.nvcpus = nvcpus;
		cr->ctx.vcpu = i < nvcpus ? i : i < 2 * nvcpus ? i - nvcpus : PV_VCPU_NONE;
	}
	*out = c;
	return 0;
}

void pv_consumer_destroy(struct pv_consumer *c)
{
	if (!c)
		return;
	free(c->buf);
	free(c);
}

/* The ring's reader, attaching (again) if needed; NULL while its header is invalid. */
static struct pv_ring_reader *consumer_reader(struct pv_consumer *c, uint32_t i)
{
	struct consumer_ring *cr = &c->rings[i];

	if (!cr->attached) {
		if (pv_shm_reader(c->shm, i, &cr->rd)) {
			cr->st.attach_failures++;
			return NULL;
		}
		cr->attached = true;
	}
	return &cr->rd;
}

/* Raw read of up to @max records of ring @i; refreshes the ring-level counters. */
static size_t consumer_read_raw(struct pv_consumer *c, uint32_t i, struct pv_rec *out,
				size_t max)
{
	struct consumer_ring *cr = &c->rings[i];
	struct pv_ring_reader *rd = consumer_reader(c, i);
	size_t n;

	if (!rd)
		return 0;
	n = pv_ring_read(rd, out, max);
	cr->st.overruns = rd->overruns;
	cr->st.skipped = rd->skipped;
	cr->st.drops = pv_ring_drops(rd);
	return n;
}

/* One pass; *raw gets the records read (accepted or not). */
static ssize_t consumer_pass(struct pv_consumer *c, pv_consume_fn fn, void *arg, size_t *raw)
{
	ssize_t total = 0;
	uint32_t i;

	*raw = 0;
	for (i = 0; i < c->nrings; i++) {
		struct consumer_ring *cr = &c->rings[i];
		size_t n = consumer_read_raw(c, i, c->buf, c->batch);

		*raw += n;
		n = pv_consume_filter(&cr->ctx, &cr->st, c->buf, n);
		if (!n)
			continue;
		total += (ssize_t)n;
		if (fn) {
			int err = fn(arg, i, &cr->ctx, c->buf, n);

			if (err)
				return err;
		}
	}
	return total;
}

ssize_t pv_consumer_poll(struct pv_consumer *c, pv_consume_fn fn, void *arg)
{
	size_t raw;

	return consumer_pass(c, fn, arg, &raw);
}

ssize_t pv_consumer_drain(struct pv_consumer *c, pv_consume_fn fn, void *arg,
			  unsigned int max_passes)
{
	ssize_t total = 0, n;
	unsigned int pass;
	size_t raw;

	for (pass = 0; !max_passes || pass < max_passes; pass++) {
		n = consumer_pass(c, fn, arg, &raw);
		if (n < 0)
			return n;
		total += n;
		if (!raw)
			break;
	}
	return total;
}

ssize_t pv_consumer_read(struct pv_consumer *c, uint32_t ring, struct pv_rec *out, size_t max)
{
	struct consumer_ring *cr;
	size_t got = 0;

	if (!c || ring >= c->nrings || (!out && max))
		return -EINVAL;
	cr = &c->rings[ring];
	while (got < max) {
		size_t n = consumer_read_raw(c, ring, out + got, max - got);

		if (!n)
			break;
		got += pv_consume_filter(&cr->ctx, &cr->st, out + got, n);
	}
	return (ssize_t)got;
}

uint32_t pv_consumer_nrings(const struct pv_consumer *c)
{
	return c->nrings;
}

const struct pv_consume_ctx *pv_consumer_ctx(const struct pv_consumer *c, uint32_t ring)
{
	return ring < c->nrings ? &c->rings[ring].ctx : NULL;
}

const struct pv_consume_stats *pv_consumer_stats(const struct pv_consumer *c, uint32_t ring)
{
	return ring < c->nrings ? &c->rings[ring].st : NULL;
}

void pv_consumer_total(const struct pv_consumer *c, struct pv_consume_stats *t)
{
	uint32_t i, j;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < c->nrings; i++) {
		const struct pv_consume_stats *s = &c->rings[i].st;

		t->consumed += s->consumed;
		t->rejected += s->rejected;
		for (j = 0; j < PV_REJ_MAX; j++)
			t->rejects[j] += s->rejects[j];
		t->overruns += s->overruns;
		t->skipped += s->skipped;
		t->drops += s->drops;
		t->attach_failures += s->attach_failures;
	}
}
