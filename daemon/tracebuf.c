// SPDX-License-Identifier: GPL-2.0-only
/* Retention ring of recent events for the API (see tracebuf.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/tracebuf.h"

int tracebuf_init(struct tracebuf *tb, unsigned int order)
{
	memset(tb, 0, sizeof(*tb));
	if (order < 4 || order > 24)
		return -EINVAL;
	tb->ents = calloc((size_t)1 << order, sizeof(*tb->ents));
	if (!tb->ents)
		return -ENOMEM;
	tb->mask = ((uint64_t)1 << order) - 1;
	tb->next_seq = 1;
	return -pthread_mutex_init(&tb->lock, NULL);
}

void tracebuf_fini(struct tracebuf *tb)
{
	if (!tb->ents)
		return;
	pthread_mutex_destroy(&tb->lock);
	free(tb->ents);
	memset(tb, 0, sizeof(*tb));
}

void tracebuf_append(struct tracebuf *tb, uint32_t vm, uint32_t ring, const struct pv_rec *recs,
		     size_t n)
{
	size_t i;

	pthread_mutex_lock(&tb->lock);
	for (i = 0; i < n; i++) {
		struct tracebuf_ent *e = &tb->ents[tb->next_seq & tb->mask];

		e->seq = tb->next_seq++;
		e->vm = vm;
		e->ring = ring;
		e->rec = recs[i];
	}
	pthread_mutex_unlock(&tb->lock);
}

static bool tracebuf_want(const struct tracebuf_filter *f, const struct tracebuf_ent *e)
{
	if (!f)
		return true;
	if (f->vm >= 0 && e->vm != (uint32_t)f->vm)
		return false;
	return !f->types || (e->rec.type < PV_EV_MAX && (f->types & TRACEBUF_TYPE(e->rec.type)));
}

size_t tracebuf_read(struct tracebuf *tb, uint64_t since, const struct tracebuf_filter *f,
		     struct tracebuf_ent *out, size_t max, uint64_t *next, uint64_t *missed)
{
	uint64_t oldest, seq;
	size_t n = 0;

	pthread_mutex_lock(&tb->lock);
	oldest = tb->next_seq > tb->mask + 1 ? tb->next_seq - (tb->mask + 1) : 1;
	*missed = since + 1 < oldest ? oldest - (since + 1) : 0;
	seq = since + 1 < oldest ? oldest : since + 1;
	if (seq > tb->next_seq)
		seq = tb->next_seq;	/* a cursor from before a daemon restart: start afresh */
	for (; seq < tb->next_seq && n < max; seq++) {
		const struct tracebuf_ent *e = &tb->ents[seq & tb->mask];

		if (tracebuf_want(f, e))
			out[n++] = *e;
	}
	*next = seq - 1;
	pthread_mutex_unlock(&tb->lock);
	return n;
}
