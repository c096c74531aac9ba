/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bringing the kernel's SCHED_DEADLINE bandwidth accounting back in step.
 *
 * Some kernels (seen on 6.18 here: see docs/QOS.md "Deadline bandwidth leak") lose track of
 * deadline bandwidth when a SCHED_DEADLINE thread leaves the class or exits while it is
 * blocked: the root domain keeps counting it, and after a few reservations every new one
 * is refused with EBUSY although no deadline thread exists. The kernel recomputes the
 * accounting from the threads that really are SCHED_DEADLINE whenever it rebuilds its
 * root domains; toggling the root cpuset's sched_load_balance (cgroup v1) forces exactly
 * that rebuild and nothing else persists. The deadline backend does it when the kernel
 * refuses a reservation that our own admission control accepted, then retries once.
 */
#ifndef PV_QOS_DL_RESYNC_H
#define PV_QOS_DL_RESYNC_H

#include <stdint.h>

/* Force a root-domain rebuild: 0, or -errno (-ENOENT: no cgroup v1 cpuset hierarchy). */
int dl_bw_resync(void);
/* Rebuilds done by this process (for reports). */
uint64_t dl_bw_resyncs(void);

#endif /* PV_QOS_DL_RESYNC_H */
