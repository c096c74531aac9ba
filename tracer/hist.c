// SPDX-License-Identifier: GPL-2.0-only
/*
 * Log2 latency histogram: merge, bucket bounds and quantile estimation.
 *
 * Design note: quantiles use the nearest-rank definition (the sample of rank ceil(q * n),
 * 1-based) to find the bucket, then place the rank linearly between the bucket's bounds —
 * the usual estimate when only counts per bucket are kept — and clamp to the observed
 * [min, max], which makes p0 / p100 exact and single-bucket histograms much tighter; the
 * first and last ranks return the observed min and max.
 */
#include <math.h>
#include <string.h>

#include "tracer/hist.h"

void pv_hist_init(struct pv_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min_ns = UINT64_MAX;
}

uint64_t pv_hist_bucket_lo_ns(unsigned int i)
{
	if (i == 0)
		return 0;
	if (i >= PV_HIST_BUCKETS)
		i = PV_HIST_BUCKETS - 1;
	return 1ull << (i - 1);
}

uint64_t pv_hist_bucket_hi_ns(unsigned int i)
{
	if (i >= PV_HIST_BUCKETS - 1)
		return UINT64_MAX;
	return 1ull << i;
}

void pv_hist_merge(struct pv_hist *dst, const struct pv_hist *src)
{
	unsigned int i;

	if (!src->count)
		return;
	dst->count += src->count;
	dst->sum_ns = dst->sum_ns + src->sum_ns < dst->sum_ns ? UINT64_MAX
							       : dst->sum_ns + src->sum_ns;
	if (src->min_ns < dst->min_ns)
		dst->min_ns = src->min_ns;
	if (src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
	for (i = 0; i < PV_HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
}

uint64_t pv_hist_quantile_ns(const struct pv_hist *h, double q)
{
	uint64_t rank, seen = 0, lo, hi;
	double est;
	unsigned int i;

	if (!h->count)
		return 0;
	if (!(q > 0.0))		/* also NaN */
		return h->min_ns;
	if (q >= 1.0)
		return h->max_ns;
	rank = (uint64_t)ceil(q * (double)h->count);
	if (rank <= 1)
		return h->min_ns;
	if (rank >= h->count)
		return h->max_ns;
	for (i = 0; i < PV_HIST_BUCKETS; i++) {
		if (seen + h->buckets[i] >= rank)
			break;
		seen += h->buckets[i];
	}
	if (i == PV_HIST_BUCKETS)	/* counts inconsistent with count: be safe */
		return h->max_ns;
	lo = pv_hist_bucket_lo_ns(i);
	hi = pv_hist_bucket_hi_ns(i);
	if (lo < h->min_ns)
		lo = h->min_ns;
	if (hi > h->max_ns)
		hi = h->max_ns;
	if (hi <= lo)
		return lo;
	/* rank r of n in this bucket sits at lo + (hi - lo) * (r - 0.5) / n */
	est = (double)lo + (double)(hi - lo) * ((double)(rank - seen) - 0.5) / (double)h->buckets[i];
	if (est < (double)lo)
		return lo;
	if (est > (double)hi)
		return hi;
	return (uint64_t)est;
}

uint64_t pv_hist_mean_ns(const struct pv_hist *h)
{
	return h->count ? h->sum_ns / h->count : 0;
}
