/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PM-QoS style constraint requests. Each request (owner, physical CPU, wake-latency budget,
 * frequency floor) is added, updated and removed independently — a latency-sensitive VM
 * adds one per dedicated CPU, a real-time VM a floor on its CPU — and the aggregate per CPU
 * is the strictest: the minimum latency budget and the maximum floor. powermgr receives the
 * aggregate (struct pm_constraints) and clamps every governor decision with it, so no
 * governor can override a constraint. `version` changes whenever the aggregate may have.
 */
#ifndef PV_QOS_CONSTRAINT_H
#define PV_QOS_CONSTRAINT_H

#include <stdbool.h>
#include <stdint.h>

#include "powermgr/constraints.h"

#define QOS_MAX_REQUESTS	512u
#define QOS_OWNER_MAX		32u

struct qos_request {
	uint32_t id;			/* > 0; 0 = free slot */
	char owner[QOS_OWNER_MAX];	/* VM name (or "api" for operator requests) */
	uint32_t cpu;
	uint32_t latency_us;		/* PM_LATENCY_NONE = no budget */
	uint32_t floor_khz;		/* 0 = no floor */
};

struct qos_constraints {
	unsigned int ncpus;
	struct qos_request req[QOS_MAX_REQUESTS];
	uint32_t next_id;
	uint64_t version;		/* bumped on every effective change */
};

void qos_constraints_init(struct qos_constraints *c, unsigned int ncpus);
/* New request; its id (> 0) or -EINVAL (bad cpu/owner) / -ENOSPC. */
int qos_req_add(struct qos_constraints *c, const char *owner, uint32_t cpu, uint32_t latency_us,
		uint32_t floor_khz);
/* Change a request's values; -ENOENT when @id is unknown. */
int qos_req_update(struct qos_constraints *c, uint32_t id, uint32_t latency_us, uint32_t floor_khz);
int qos_req_remove(struct qos_constraints *c, uint32_t id);
/* Remove every request of @owner; returns how many. */
int qos_req_remove_owner(struct qos_constraints *c, const char *owner);
const struct qos_request *qos_req_find(const struct qos_constraints *c, uint32_t id);

/* Aggregate into @out (out->cpu has out->ncpus entries, at least c->ncpus). */
int qos_constraints_aggregate(const struct qos_constraints *c, struct pm_constraints *out);

#endif /* PV_QOS_CONSTRAINT_H */
