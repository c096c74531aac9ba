// SPDX-License-Identifier: GPL-2.0-only
/* Snapshot publication with a reader-side lock that the publisher only ever try-locks. */
#include <errno.h>
#include <string.h>

#include "daemon/snapshot.h"

int snapshot_init(struct snap_pub *p)
{
	memset(p, 0, sizeof(*p));
	return -pthread_mutex_init(&p->lock, NULL);
}

void snapshot_put(struct snap *s)
{
	if (s && atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
		s->destroy(s);
}

void snapshot_destroy(struct snap_pub *p)
{
	snapshot_put(p->cur);
	snapshot_put(p->pending);
	pthread_mutex_destroy(&p->lock);
	memset(p, 0, sizeof(*p));
}

int snapshot_flush(struct snap_pub *p)
{
	struct snap *old;

	if (!p->pending)
		return 0;
	if (pthread_mutex_trylock(&p->lock)) {
		p->busy++;
		return -EBUSY;
	}
	old = p->cur;
	p->cur = p->pending;
	p->pending = NULL;
	pthread_mutex_unlock(&p->lock);
	snapshot_put(old);	/* outside the lock: may free */
	return 0;
}

int snapshot_publish(struct snap_pub *p, struct snap *s)
{
	s->seq = ++p->seq;
	/* a newer snapshot supersedes one still waiting to be published */
	snapshot_put(p->pending);
	p->pending = s;
	return snapshot_flush(p);
}

struct snap *snapshot_hold(struct snap *s)
{
	atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
	return s;
}

struct snap *snapshot_get(struct snap_pub *p)
{
	struct snap *s;

	pthread_mutex_lock(&p->lock);
	s = p->cur;
	if (s)
		atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
	pthread_mutex_unlock(&p->lock);
	return s;
}
