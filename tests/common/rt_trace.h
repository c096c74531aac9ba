/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One VM's RT deadline misses as the daemon traced them, collected for benches through the
 * REST API (GET /api/v1/trace?vm=…&type=rt_miss,reservation: the daemon sends only those
 * two event types; paged every 200 ms by a background thread) with the times mapped to
 * CLOCK_MONOTONIC (the page's t0_monotonic_ns), so that they can be set beside the host
 * stalls a stall_probe saw in the same run. Also records when the VM's reservation was first
 * applied.
 */
#ifndef PV_TESTS_RT_TRACE_H
#define PV_TESTS_RT_TRACE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/common/stall_probe.h"

#define RT_TRACE_MAX	8192

struct rt_trace {
	uint16_t port;
	char token[64];			/* "" = none */
	char vm[32];
	pthread_t th;
	bool started;
	atomic_bool stop;
	size_t n;			/* misses kept (at most RT_TRACE_MAX) */
	uint64_t at_ns[RT_TRACE_MAX], late_ns[RT_TRACE_MAX];
	uint64_t resv_ns;		/* the reservation first applied, 0 = never */
};

/* Start collecting @vm's misses from the daemon at 127.0.0.1:@port (@token may be NULL). */
void rt_trace_start(struct rt_trace *t, uint16_t port, const char *token, const char *vm);
/* One last page, then stop; the figures are final after this. */
void rt_trace_stop(struct rt_trace *t);

/*
 * Misses of jobs released in [@from_ns, @to_ns] (0, UINT64_MAX: all) while the reservation
 * (@resv_runtime_ns every @period_ns) was held, in @held; of those, the ones during which
 * @probe saw the host stall or a stall's debt was still being repaid (between the job's
 * release, a period before its deadline, and the miss; see stall_probe_stalled), in
 * @in_stalls.
 */
void rt_trace_classify(const struct rt_trace *t, const struct stall_probe *probe,
		       uint64_t resv_runtime_ns, uint64_t period_ns, uint64_t from_ns, uint64_t to_ns, size_t *held,
		       size_t *in_stalls);

#endif /* PV_TESTS_RT_TRACE_H */
