/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What survives a daemon restart, in the state dir (atomic files, daemon/persist.h):
 *   vms/            VMM control sockets, consoles and logs
 *   run/<vm>.json   running VMMs, for re-attachment (daemon/runfile.h)
 *   vms.json        VMs created through the API (definitions)
 *   counters.json   cumulative energy per VM and node, restarts
 *   policy.json     governor and tunables chosen through the API
 *   deleted.json    tombstones: names of configuration-file VMs deleted through the API
 *
 * What the API did last wins over the configuration file: a configuration VM deleted
 * through the API is not started again (its tombstone) until a VM of that name is created
 * through the API, whose definition (vms.json) then replaces the file's.
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
/* VM @name was deleted through the API: a tombstone if the configuration defines it. */
void state_vm_deleted(struct daemon *d, const char *name);
/* VM @name was created through the API: its tombstone, if any, goes. */
void state_vm_created(struct daemon *d, const char *name);

#endif /* PV_DAEMON_STATE_H */
