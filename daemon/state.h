/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What survives a daemon restart, in the state dir (atomic files, daemon/persist.h):
 *   vms/            VMM control sockets, consoles and logs
 *   run/<vm>.json   running VMMs, for re-attachment (daemon/runfile.h)
 *   vms.json        VMs created through the API (definitions)
 *   counters.json   cumulative energy per VM and node, restarts
 *   policy.json     governor and tunables chosen through the API
 */
#ifndef PV_DAEMON_STATE_H
#define PV_DAEMON_STATE_H

struct daemon;

/* Create the directories and remove temporaries a killed writer left. */
int state_prepare(struct daemon *d);
/* Restore dynamic VMs, counters and policy (missing files are fine). */
void state_load(struct daemon *d);
/* Write counters, dynamic VMs and policy. */
void state_save(struct daemon *d);

#endif /* PV_DAEMON_STATE_H */
