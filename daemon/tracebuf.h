/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Recent transition events kept for the API (`GET /api/v1/trace?since=…`, Perfetto export):
 * a fixed ring of the newest TRACEBUF_DEF_ORDER² records of every VM, each tagged with a
 * global sequence number (the API's cursor) and its VM slot. The loop appends a batch per
 * ring drain; readers copy out under a mutex held only for the copy, so neither side waits
 * long. A reader whose cursor fell behind the ring learns how many events it missed.
 */
#ifndef PV_DAEMON_TRACEBUF_H
#define PV_DAEMON_TRACEBUF_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "tracer/event.h"

#define TRACEBUF_DEF_ORDER	16u	/* 65536 events, 3 MiB */

struct tracebuf_ent {
	uint64_t seq;		/* 1, 2, 3 … */
	uint32_t vm;		/* VM slot */
	uint32_t ring;		/* ring index inside the VM's region */
	struct pv_rec rec;
};

struct tracebuf {
	pthread_mutex_t lock;
	struct tracebuf_ent *ents;
	uint64_t mask;
	uint64_t next_seq;	/* sequence number of the next event appended */
};

int tracebuf_init(struct tracebuf *tb, unsigned int order);
void tracebuf_fini(struct tracebuf *tb);
void tracebuf_append(struct tracebuf *tb, uint32_t vm, uint32_t ring, const struct pv_rec *recs,
		     size_t n);

/* Which events tracebuf_read copies out (a NULL filter: all of them). */
struct tracebuf_filter {
	int vm;			/* VM slot, -1 = every slot (VMs and the node) */
	uint32_t types;		/* TRACEBUF_TYPE(PV_EV_*) of each type wanted, 0 = every type */
};
#define TRACEBUF_TYPE(t)	(1u << (t))
_Static_assert(PV_EV_MAX <= 32, "every event type has a bit in tracebuf_filter.types");

/*
 * Copy up to @max events with seq > @since that pass @f (NULL = all) into @out. *next =
 * cursor for the next call: it moves past the events the filter skipped too, so a filtered
 * reader never rescans them; *missed = events older than the ring that the cursor asked for
 * (filtered or not). Returns the count.
 */
size_t tracebuf_read(struct tracebuf *tb, uint64_t since, const struct tracebuf_filter *f,
		     struct tracebuf_ent *out, size_t max, uint64_t *next, uint64_t *missed);

#endif /* PV_DAEMON_TRACEBUF_H */
