/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvguest latency statistics.
 *
 * Design note: percentiles must be cheap to keep current and must not need a sample buffer
 * that bounds the run length. Samples go into a 1 us-resolution histogram up to 4 ms (16 KiB
 * per task) and into the 16 log2 buckets the paravirtual ABI publishes. Below 4 ms a
 * percentile is exact to the microsecond; above, it is the upper bound of the log2 bucket
 * holding the rank, clipped to the maximum seen. Runs in ring 3 only.
 */
#include "stats.h"
#include "lib.h"

void stats_init(struct lat_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->min_us = UINT32_MAX;
}

unsigned int stats_log2_bucket(uint64_t us)
{
	unsigned int b;

	if (us == 0)
		return 0;
	b = 64 - (unsigned int)__builtin_clzll(us);	/* [2^(b-1), 2^b) -> bucket b */
	return b < PV_LAT_BUCKETS ? b : PV_LAT_BUCKETS - 1;
}

void stats_add_us(struct lat_stats *s, uint64_t us)
{
	uint32_t v = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;

	s->count++;
	s->sum_us += v;
	if (v < s->min_us)
		s->min_us = v;
	if (v > s->max_us)
		s->max_us = v;
	s->log2[stats_log2_bucket(v)]++;
	if (v < STATS_FINE_US)
		s->fine[v]++;
}

uint32_t stats_percentile_us(const struct lat_stats *s, unsigned int pct)
{
	uint64_t rank, seen = 0;

	if (s->count == 0)
		return 0;
	/* Smallest value v with at least ceil(count * pct / 100) samples <= v. */
	rank = (s->count * pct + 99) / 100;
	if (rank == 0)
		rank = 1;
	for (uint32_t v = 0; v < STATS_FINE_US; v++) {
		seen += s->fine[v];
		if (seen >= rank)
			return v;
	}
	/* Rank lies beyond the fine range: walk the log2 buckets from STATS_FINE_US on. */
	for (unsigned int b = stats_log2_bucket(STATS_FINE_US); b < PV_LAT_BUCKETS; b++) {
		seen += s->log2[b];
		if (seen >= rank) {
			uint64_t bound = b == PV_LAT_BUCKETS - 1 ? UINT32_MAX : (1ull << b) - 1;

			return bound < s->max_us ? (uint32_t)bound : s->max_us;
		}
	}
	return s->max_us;
}
