/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private to the timeline loader (timeline_load.c and its stages timeline_records.c,
 * timeline_pieces.c, timeline_share.c): the interval lists and pieces passed between the
 * stages. All times are ns since the earliest record.
 */
#ifndef PV_POWERMGR_TIMELINE_LOAD_H
#define PV_POWERMGR_TIMELINE_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "powermgr/timeline.h"

struct ld_iv {
	uint64_t a, b;
	uint64_t x;			/* halts: mode; jobs: absolute deadline (0 = none) */
};

struct ld_vec {
	struct ld_iv *v;
	size_t n, cap;
};

/* A busy or polling interval of one vCPU on one pCPU, before sharing. */
struct ld_piece {
	uint64_t a, b;
	uint64_t deadline_ns;
	uint32_t pcpu;
	uint16_t vm, vcpu;
	uint8_t kind, flags;
};

struct ld_pieces {
	struct ld_piece *v;
	size_t n, cap;
};

/* What one vCPU's records say, as interval lists in ns since the earliest record. */
struct ld_vcpu {
	struct ld_vec run;		/* VM_ENTRY..VM_EXIT */
	struct ld_vec khalt;		/* VMM-recorded halts, x = mode */
	struct ld_vec ghalt;		/* guest-reported idle */
	struct ld_vec job;		/* RT jobs, x = deadline */
	struct ld_vec mig;		/* a = time, x = new pCPU */
	uint32_t pcpu0;
	uint64_t last_t;
};

static inline uint64_t ld_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static inline uint64_t ld_max(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static inline uint64_t ld_mid(const struct ld_iv *h)
{
	return h->a + (h->b - h->a) / 2;
}

/* Append [a, b] with @x to @l (nothing when b < a). 0 or -ENOMEM. */
int pm_ld_push(struct ld_vec *l, uint64_t a, uint64_t b, uint64_t x);
void pm_ld_vcpu_free(struct ld_vcpu *v);

/* Stage 1 (timeline_records.c): one stream's records into @v, stamps relative to @t0. */
int pm_ld_parse_stream(const struct pm_timeline *tl, const struct pm_tl_stream *st,
		       uint64_t t0, uint64_t tsc_khz, struct ld_vcpu *v,
		       struct pm_tl_load_stats *ls);
/* Stage 2 (timeline_pieces.c): @v's busy and polling pieces, appended to @out. */
int pm_ld_pieces_of(const struct ld_vcpu *v, const struct pm_tl_stream *st,
		    struct ld_pieces *out, struct pm_tl_load_stats *ls);
/* Stage 3 (timeline_share.c): the pieces on pCPU @cpu into items of @tl. */
int pm_ld_share_cpu(struct pm_timeline *tl, const struct ld_pieces *pc, unsigned int cpu,
		    struct pm_tl_load_stats *ls);

#endif /* PV_POWERMGR_TIMELINE_LOAD_H */
