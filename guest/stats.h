/* SPDX-License-Identifier: GPL-2.0-only */
/* pvguest: latency statistics (min/max, exact 1 us histogram up to 4 ms, log2 beyond). */
#ifndef PVGUEST_STATS_H
#define PVGUEST_STATS_H

#include <stdint.h>
#include "tracer/event.h"

#define STATS_FINE_US	4096u	/* 1 us buckets below this */

struct lat_stats {
	uint64_t count;
	uint64_t sum_us;
	uint32_t min_us;
	uint32_t max_us;
	uint32_t log2[PV_LAT_BUCKETS];	/* the pv_task_stats histogram: [0,1) [1,2) [2,4) … */
	uint32_t fine[STATS_FINE_US];
};

void stats_init(struct lat_stats *s);
void stats_add_us(struct lat_stats *s, uint64_t us);
/* Percentile (0 < pct <= 100) in us; exact below STATS_FINE_US, bucket bound above. */
uint32_t stats_percentile_us(const struct lat_stats *s, unsigned int pct);
unsigned int stats_log2_bucket(uint64_t us);

#endif /* PVGUEST_STATS_H */
