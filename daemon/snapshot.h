/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Publication of immutable state snapshots from the policy loop to readers (API, metrics,
 * CLI). The loop builds a new snapshot each tick and publishes it; readers take a
 * reference, read at leisure, and drop it; the last reference frees it.
 *
 * The loop never waits for a reader: publishing uses a try-lock on the tiny critical section
 * that readers hold only to load the pointer and take a reference (a few nanoseconds). If a
 * reader happens to hold it, the new snapshot stays pending and is published on the next
 * attempt (snapshot_publish returns -EBUSY; snapshot_flush retries it).
 */
#ifndef PV_DAEMON_SNAPSHOT_H
#define PV_DAEMON_SNAPSHOT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

struct snap {
	_Atomic uint32_t refs;
	uint64_t seq;			/* publication number, increasing */
	uint64_t time_ns;		/* CLOCK_MONOTONIC when built */
	void (*destroy)(struct snap *s);	/* frees the whole object */
};

struct snap_pub {
	pthread_mutex_t lock;
	struct snap *cur;		/* published, holds one reference */
	struct snap *pending;		/* built but not yet published */
	uint64_t seq;
	uint64_t busy;			/* publish attempts deferred by a reader */
};

int snapshot_init(struct snap_pub *p);
void snapshot_destroy(struct snap_pub *p);

/* Loop side: publish @s (the caller's reference moves in). 0, or -EBUSY when deferred. */
int snapshot_publish(struct snap_pub *p, struct snap *s);
/* Loop side: retry a deferred publication. */
int snapshot_flush(struct snap_pub *p);

/* Reader side: the current snapshot with a reference, or NULL before the first one. */
struct snap *snapshot_get(struct snap_pub *p);
/* Another reference to @s, which the caller holds one of already; returns @s. */
struct snap *snapshot_hold(struct snap *s);
void snapshot_put(struct snap *s);

#endif /* PV_DAEMON_SNAPSHOT_H */
