/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's QoS driver: turns the VMs' QoS classes and the guests' reports into
 * actions each tick — constraint requests for powermgr (PM-QoS aggregation), reservations
 * applied to and removed from vCPU threads (transition-driven boosting), CPU pinning.
 */
#ifndef PV_DAEMON_QOSD_H
#define PV_DAEMON_QOSD_H

#include <stdint.h>

struct daemon;

void qosd_tick(struct daemon *d, uint64_t now_ns);

#endif /* PV_DAEMON_QOSD_H */
