/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's QoS driver: turns the VMs' QoS classes and the guests' reports into
 * actions each tick — constraint requests for powermgr (PM-QoS aggregation), reservations
 * applied to and removed from vCPU threads (transition-driven boosting), CPU pinning — and
 * admits or rejects QoS changes.
 */
#ifndef PV_DAEMON_QOSD_H
#define PV_DAEMON_QOSD_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/config.h"

struct daemon;
struct dvm;

#define QOSD_REASON_MAX	160

/* A requested QoS for one VM (the API's QosSpec). */
struct qos_spec {
	enum pv_qos_class cls;
	uint32_t latency_budget_us;	/* latency-sensitive, partition: 0 = default */
	struct cfg_reservation resv;	/* realtime: required */
};

struct qos_outcome {
	bool admitted;
	char reason[QOSD_REASON_MAX];	/* why not, or what was applied */
};

/*
 * Loop thread: validate and admit @spec for @vm, then apply it (takes effect within one
 * tick; the time from the request to the thread-level change is measured and traced).
 * 0 when admitted; -EINVAL (bad spec) / -ENOSPC (CPUs) / -EBUSY (admission) with the
 * reason in @out; the VM keeps its previous QoS when refused.
 */
int qosd_apply(struct daemon *d, struct dvm *vm, const struct qos_spec *spec,
	       struct qos_outcome *out);
/* A VM is going away: drop its requests, reservations and pinning. */
void qosd_vm_removed(struct daemon *d, struct dvm *vm);

/* Plan and admit the configured VMs at start (a VM that does not fit runs best-effort). */
void qosd_init(struct daemon *d);
void qosd_tick(struct daemon *d, uint64_t now_ns);

#endif /* PV_DAEMON_QOSD_H */
