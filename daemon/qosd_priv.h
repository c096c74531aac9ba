/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared inside the QoS driver only: qosd.c (classes, admission) and qosd_boost.c. */
#ifndef PV_DAEMON_QOSD_PRIV_H
#define PV_DAEMON_QOSD_PRIV_H

#include <stdbool.h>
#include <stdint.h>

struct daemon;
struct dvm;
struct resv_ops;
struct admit_overhead;

/* The reservation mechanism of @vm: the node's, unless the VM fell back. */
const struct resv_ops *qosd_vm_resv(const struct daemon *d, const struct dvm *vm);
/* The overheads of @vm measured from its trace (admission adds them to each activation). */
void qosd_measured_overhead(const struct dvm *vm, const struct resv_ops *ops,
			    struct admit_overhead *o);
/* A QoS record into the daemon's event stream. */
void qosd_emit(struct daemon *d, uint16_t type, uint32_t vcpu, const struct dvm *vm,
	       uint64_t b, uint64_t c);
/* Give vCPU @v its reservation (@on) or take it back: 0 or -errno (counted as a failure). */
int qosd_boost_apply(struct daemon *d, struct dvm *vm, uint32_t v, bool on);
/* Arm or disarm the VMM-timer sampling that inferred boosting needs. */
void qosd_set_sampling(struct dvm *vm, uint32_t v, bool on);
/* The boosting decisions of a realtime VM's vCPUs, once per tick. */
void qosd_boost_tick(struct daemon *d, struct dvm *vm, uint64_t now_ns);

#endif /* PV_DAEMON_QOSD_PRIV_H */
