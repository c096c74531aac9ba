/* SPDX-License-Identifier: GPL-2.0-only */
/* One policy tick (design note in daemon/tick.c). */
#ifndef PV_DAEMON_TICK_H
#define PV_DAEMON_TICK_H

struct daemon;

void daemon_tick(struct daemon *d);

#endif /* PV_DAEMON_TICK_H */
