/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Device power from per-VM device use. Every emulated device a VMM reports in its region
 * (pv_dev_counters: the console UART, the paravirtual channel, ...) is the VM's use of a
 * host device of that name; the daemon sums each VM's busy time and operations per host
 * device and lets powermgr/devpower.c lower a device's power state when nobody has used it
 * for its idle threshold and no latency-sensitive VM depends on it, restoring it on the
 * next use. Every change is traced (PV_EV_DEVPOWER in the daemon's event stream).
 */
#ifndef PV_DAEMON_DEVICES_H
#define PV_DAEMON_DEVICES_H

#include <stdint.h>

struct daemon;
struct dvm;

void devices_init(struct daemon *d);
/* Fold every attached VM's device counters, then let idle devices go to low power. */
void devices_tick(struct daemon *d, uint64_t now_ns);
/* A VM's VMM ended: its counters start again from zero next time. */
void devices_vm_detached(struct dvm *vm);

#endif /* PV_DAEMON_DEVICES_H */
