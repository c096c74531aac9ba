// SPDX-License-Identifier: GPL-2.0-only
/* The daemon's QoS driver (see qosd.h). */
#include "daemon/daemon.h"
#include "daemon/qosd.h"

void qosd_tick(struct daemon *d, uint64_t now_ns)
{
	(void)now_ns;
	/* the aggregate powermgr clamps with; requests come and go with the VMs' classes */
	qos_constraints_aggregate(&d->qcons, &d->pmcons);
}
