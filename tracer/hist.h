/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Log2 latency histogram in nanoseconds: count, sum, min, max and power-of-two buckets.
 *
 * Bucket 0 holds the value 0, bucket i (1 .. PV_HIST_BUCKETS-2) holds [2^(i-1), 2^i) ns, the
 * last bucket holds everything from 2^(PV_HIST_BUCKETS-2) ns (~275 s) up. Quantiles are
 * estimated by linear interpolation inside the bucket that holds the rank, clamped to
 * [min, max]: the estimate stays inside the bucket that holds the true quantile (off by at
 * most a factor of 2), p0 and p100 are exact, and a histogram whose samples are all equal
 * returns that value. Used for exit handling latency and RT lateness; one histogram is 352
 * bytes and adding a sample is a count-leading-zeros and a few stores.
 */
#ifndef PV_TRACER_HIST_H
#define PV_TRACER_HIST_H

#include <stdint.h>

#define PV_HIST_BUCKETS	40u

struct pv_hist {
	uint64_t count;
	uint64_t sum_ns;		/* saturates at UINT64_MAX */
	uint64_t min_ns;		/* UINT64_MAX while empty */
	uint64_t max_ns;
	uint64_t buckets[PV_HIST_BUCKETS];
};

void pv_hist_init(struct pv_hist *h);

/* Bucket index of a value. */
static inline unsigned int pv_hist_bucket(uint64_t ns)
{
	unsigned int b;

	if (!ns)
		return 0;
	b = 64u - (unsigned int)__builtin_clzll(ns);	/* 1 + floor(log2 ns) */
	return b < PV_HIST_BUCKETS ? b : PV_HIST_BUCKETS - 1;
}

static inline void pv_hist_add(struct pv_hist *h, uint64_t ns)
{
	h->count++;
	h->sum_ns = h->sum_ns + ns < h->sum_ns ? UINT64_MAX : h->sum_ns + ns;
	if (ns < h->min_ns)
		h->min_ns = ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
	h->buckets[pv_hist_bucket(ns)]++;
}

/* Inclusive lower bound of bucket @i in ns; upper bound (exclusive; UINT64_MAX for the last). */
uint64_t pv_hist_bucket_lo_ns(unsigned int i);
uint64_t pv_hist_bucket_hi_ns(unsigned int i);

/* dst += src. */
void pv_hist_merge(struct pv_hist *dst, const struct pv_hist *src);

/* Quantile @q in [0, 1] (0 = min, 1 = max); 0 for an empty histogram. */
uint64_t pv_hist_quantile_ns(const struct pv_hist *h, double q);
/* Mean in ns (rounded down), 0 when empty. */
uint64_t pv_hist_mean_ns(const struct pv_hist *h);

#endif /* PV_TRACER_HIST_H */
