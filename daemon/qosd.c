// SPDX-License-Identifier: GPL-2.0-only
/* The daemon's QoS driver (see qosd.h). */
#include <errno.h>
#include <stdio.h>

#include "daemon/daemon.h"
#include "daemon/qosd.h"

int qosd_apply(struct daemon *d, struct dvm *vm, const struct qos_spec *spec,
	       struct qos_outcome *out)
{
	(void)d;
	out->admitted = false;
	if ((unsigned int)spec->cls >= PV_QOS_CLASS_MAX) {
		snprintf(out->reason, sizeof(out->reason), "unknown class");
		return -EINVAL;
	}
	if ((spec->cls == PV_QOS_REALTIME) != spec->resv.set) {
		snprintf(out->reason, sizeof(out->reason), "a reservation goes with, and only with, "
			 "class realtime");
		return -EINVAL;
	}
	vm->cfg.qos = spec->cls;
	vm->cfg.latency_budget_us = spec->latency_budget_us;
	vm->cfg.reservation = spec->resv;
	out->admitted = true;
	snprintf(out->reason, sizeof(out->reason), "applied");
	return 0;
}

void qosd_vm_removed(struct daemon *d, struct dvm *vm)
{
	qos_req_remove_owner(&d->qcons, vm->cfg.name);
}

void qosd_tick(struct daemon *d, uint64_t now_ns)
{
	(void)now_ns;
	/* the aggregate powermgr clamps with; requests come and go with the VMs' classes */
	qos_constraints_aggregate(&d->qcons, &d->pmcons);
}
