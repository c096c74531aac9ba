/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvguest workload strings checked on the host, with the guest's own parser (guest/spec.c
 * built for the host, see wlspec.c), so a VM whose workload the guest would refuse is
 * refused when it is defined — in the configuration file or through the API — instead of
 * failing later inside the guest.
 */
#ifndef PV_DAEMON_WLSPEC_H
#define PV_DAEMON_WLSPEC_H

#include <stddef.h>
#include <stdint.h>

#define WLSPEC_ERR_MAX	160

/*
 * 0 when pvguest with @vcpus vCPUs accepts @workload: its grammar (guest/spec.h: items,
 * keys, required keys, ranges, vcpu= below the vCPU count) and where its tasks land (at most
 * PV_GUEST_MAX_TASKS per vCPU). Else -EINVAL and a message naming the offending item
 * ("unknown key in 'rt:period_us=1000,wcet=5'") in @err.
 */
int wlspec_check(const char *workload, uint32_t vcpus, char *err, size_t errlen);

#endif /* PV_DAEMON_WLSPEC_H */
