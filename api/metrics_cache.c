// SPDX-License-Identifier: GPL-2.0-only
/*
 * The per-snapshot text cache behind GET /metrics and GET /api/v1/vms (see metrics.h).
 *
 * Design note: a cached text is immutable and reference counted, so a response borrows it
 * and libmicrohttpd releases it once sent; a newer snapshot replaces it while requests
 * still hold the old one. Its gzip form (api/encoding.h) hangs off the text and is made
 * at most once per text: by the thread that builds the text when a client asked for gzip
 * in the last 30 s (the usual case: Prometheus and browsers always ask), or else by the
 * first request that wants it. Requests that race on the latter keep the first one.
 *
 * Who builds: with a builder thread (metrics_cache_start_builder, what the daemon runs for
 * both caches), a request that finds the text older than its snapshot, but by at most
 * METRICS_STALE_TICKS policy ticks, hands that snapshot to the thread and is answered at
 * once with the text it has: the 2–3 ms that building and compressing a 17-VM scrape take
 * on a loaded machine never hold up the connections that share a server thread with the
 * builder, while requests keep coming. An older text is not served: a scrape every 15 s or
 * a one-shot pvctl builds its own, fresh. Without a thread, the first request that finds
 * the text stale builds, and the others serve the recent-enough previous text meanwhile.
 * The barrier (min_seq) is read-your-writes: after a client changed something through the
 * API (created a VM, changed its QoS), no text of a snapshot from before the change is
 * served.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/encoding.h"
#include "api/metrics.h"
#include "daemon/dsnap.h"
#include "daemon/snapshot.h"

#define METRICS_STALE_TICKS	2u	/* a stale text older than this is not served */
#define DEF_STALE_TICK_MS	10u	/* for snapshots that do not say their tick */
#define GZIP_RECENT_NS		(30ull * 1000000000ull)	/* "lately": two scrape intervals */

struct gz_body {
	size_t len;
	unsigned char *data;
};

struct metrics_text {
	_Atomic uint32_t refs;
	uint64_t seq;			/* snapshot it was built from */
	uint64_t time_ns;		/* ... and when that snapshot was built */
	_Atomic(struct gz_body *) gz;	/* its gzip form, NULL until made */
	size_t len;
	char data[];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Compress texts as they are built: a client asked for gzip lately. */
static bool gzip_wanted(const struct metrics_cache *mc)
{
	uint64_t at = atomic_load_explicit(&mc->gzip_asked_ns, memory_order_relaxed);

	return at && mono_ns() - at < GZIP_RECENT_NS;
}

int metrics_cache_init(struct metrics_cache *mc)
{
	int err;

	memset(mc, 0, sizeof(*mc));
	err = pthread_mutex_init(&mc->lock, NULL);
	if (err)
		return -err;
	err = pthread_cond_init(&mc->wake, NULL);
	if (err)
		pthread_mutex_destroy(&mc->lock);
	return -err;
}

static void gz_free(struct gz_body *gz)
{
	if (gz)
		free(gz->data);
	free(gz);
}

static void text_put(struct metrics_text *t)
{
	if (t && atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) == 1) {
		gz_free(atomic_load_explicit(&t->gz, memory_order_relaxed));
		free(t);
	}
}

void metrics_cache_barrier(struct metrics_cache *mc, uint64_t seq)
{
	uint64_t cur = atomic_load_explicit(&mc->min_seq, memory_order_relaxed);

	while (cur < seq && !atomic_compare_exchange_weak_explicit(&mc->min_seq, &cur, seq,
								    memory_order_release,
								    memory_order_relaxed))
		;
}

void metrics_cache_fini(struct metrics_cache *mc)
{
	if (mc->builder_running) {
		pthread_mutex_lock(&mc->lock);
		mc->builder_stop = true;
		pthread_cond_signal(&mc->wake);
		pthread_mutex_unlock(&mc->lock);
		pthread_join(mc->builder, NULL);
		mc->builder_running = false;
	}
	snapshot_put(mc->want);
	mc->want = NULL;
	text_put(mc->cur);
	mc->cur = NULL;
	pthread_cond_destroy(&mc->wake);
	pthread_mutex_destroy(&mc->lock);
}

/* The gzip form of @t: the one made already, or made now. NULL when zlib fails. */
static const struct gz_body *text_gz(struct metrics_cache *mc, struct metrics_text *t)
{
	struct gz_body *gz = atomic_load_explicit(&t->gz, memory_order_acquire), *mine;

	if (gz)
		return gz;
	mine = calloc(1, sizeof(*mine));
	if (!mine || api_gzip(t->data, t->len, API_GZIP_LEVEL, &mine->data, &mine->len)) {
		gz_free(mine);
		return NULL;
	}
	if (!atomic_compare_exchange_strong_explicit(&t->gz, &gz, mine, memory_order_acq_rel,
						     memory_order_acquire)) {
		gz_free(mine);		/* another request made it first: @gz is that one */
		return gz;
	}
	atomic_fetch_add_explicit(&mc->gzips, 1, memory_order_relaxed);
	return mine;
}

static struct metrics_text *build_text(struct metrics_cache *mc, const struct dsnap *s,
				       metrics_build_fn build, bool gzip)
{
	struct metrics_text *t;
	char *raw;
	size_t n;

	if (build(s, &raw, &n))
		return NULL;
	t = malloc(sizeof(*t) + n + 1);
	if (t) {
		atomic_init(&t->refs, 1);
		atomic_init(&t->gz, NULL);
		t->seq = s->base.seq;
		t->time_ns = s->base.time_ns;
		t->len = n;
		memcpy(t->data, raw, n + 1);
		if (gzip && n >= API_GZIP_MIN_BYTES)
			text_gz(mc, t);	/* a failure leaves it to the next request */
	}
	free(raw);
	return t;
}

/* Make @t (may be NULL) the cached text unless a newer one is; under mc->lock. */
static struct metrics_text *install_locked(struct metrics_cache *mc, struct metrics_text *t)
{
	struct metrics_text *old = NULL;

	if (t && (!mc->cur || mc->cur->seq < t->seq)) {
		old = mc->cur;
		mc->cur = t;
		atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
	}
	mc->builds++;
	return old;		/* the caller puts it, outside the lock */
}

static void *builder_main(void *arg)
{
	struct metrics_cache *mc = arg;

	pthread_mutex_lock(&mc->lock);
	while (!mc->builder_stop) {
		struct metrics_text *t, *old;
		struct snap *want = mc->want;

		if (!want) {
			pthread_cond_wait(&mc->wake, &mc->lock);
			continue;
		}
		mc->want = NULL;
		mc->building = true;
		pthread_mutex_unlock(&mc->lock);
		t = build_text(mc, (const struct dsnap *)want, mc->builder_fn, gzip_wanted(mc));
		snapshot_put(want);
		pthread_mutex_lock(&mc->lock);
		mc->building = false;
		old = install_locked(mc, t);
		pthread_mutex_unlock(&mc->lock);
		text_put(old);
		text_put(t);		/* the builder's own reference */
		pthread_mutex_lock(&mc->lock);
	}
	pthread_mutex_unlock(&mc->lock);
	return NULL;
}

int metrics_cache_start_builder(struct metrics_cache *mc, metrics_build_fn build)
{
	int err;

	mc->builder_fn = build;
	err = pthread_create(&mc->builder, NULL, builder_main, mc);
	mc->builder_running = !err;
	return -err;
}

/*
 * May @t, older than @s, be served in its place? Only when it is not before the barrier and
 * at most METRICS_STALE_TICKS policy ticks older: under a steady stream of requests the
 * text of the previous tick is as good, but a scrape every 15 s or a one-shot pvctl must
 * not get what the previous request saw.
 */
static bool stale_ok(const struct metrics_cache *mc, const struct metrics_text *t,
		     const struct dsnap *s)
{
	uint64_t tick_ns = (uint64_t)(s->tick_ms ? s->tick_ms : DEF_STALE_TICK_MS) * 1000000ull;

	return t->seq >= atomic_load_explicit(&mc->min_seq, memory_order_acquire) &&
	       s->base.time_ns <= t->time_ns + METRICS_STALE_TICKS * tick_ns;
}

/* The text of @s with a reference for the caller: the cached one, or built now. */
static struct metrics_text *cache_acquire(struct metrics_cache *mc, const struct dsnap *s,
					  metrics_build_fn build)
{
	struct metrics_text *t, *old = NULL;
	struct snap *stale = NULL;
	bool mine = false, owner = false;

	pthread_mutex_lock(&mc->lock);
	t = mc->cur;
	if (!t || t->seq < s->base.seq) {
		bool ok = t && stale_ok(mc, t, s);

		if (ok && mc->builder_running) {
			/* the builder's job, once per snapshot; a newer one replaces one waiting */
			if (mc->asked_seq < s->base.seq) {
				stale = mc->want;
				mc->want = snapshot_hold((struct snap *)&s->base);
				mc->asked_seq = s->base.seq;
				pthread_cond_signal(&mc->wake);
			}
		} else if (!mc->building) {
			mine = owner = mc->building = true;
		} else if (!ok) {
			mine = true;		/* nothing acceptable to serve: build our own */
		}
	}
	if (!mine)			/* current, or recent enough while being rebuilt */
		atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
	pthread_mutex_unlock(&mc->lock);
	snapshot_put(stale);
	if (mine) {
		t = build_text(mc, s, build, gzip_wanted(mc));
		pthread_mutex_lock(&mc->lock);
		if (owner)
			mc->building = false;
		old = install_locked(mc, t);
		pthread_mutex_unlock(&mc->lock);
		text_put(old);
	}
	return t;
}

int metrics_cache_get(struct metrics_cache *mc, const struct dsnap *s, metrics_build_fn build,
		      char **text, size_t *len)
{
	struct metrics_text *t = cache_acquire(mc, s, build);

	if (!t)
		return -ENOMEM;
	*text = malloc(t->len + 1);
	if (*text) {
		memcpy(*text, t->data, t->len + 1);
		*len = t->len;
	}
	text_put(t);
	return *text ? 0 : -ENOMEM;
}

void metrics_text_release(void *ref)
{
	text_put(ref);
}

int metrics_cache_respond(struct metrics_cache *mc, const struct dsnap *s,
			  metrics_build_fn build, const char *content_type, bool gzip,
			  struct api_resp *resp)
{
	const struct gz_body *gz = NULL;
	struct metrics_text *t;

	if (gzip)
		atomic_store_explicit(&mc->gzip_asked_ns, mono_ns(), memory_order_relaxed);
	t = cache_acquire(mc, s, build);
	if (!t)
		return -ENOMEM;
	if (gzip && t->len >= API_GZIP_MIN_BYTES)
		gz = text_gz(mc, t);	/* NULL: zlib failed, send it plain */
	resp->status = 200;
	/* borrowed, never written: released through the hook once sent */
	resp->text = gz ? (char *)gz->data : t->data;
	resp->text_len = gz ? gz->len : t->len;
	resp->content_encoding = gz ? "gzip" : NULL;
	resp->vary_encoding = true;
	resp->text_release = metrics_text_release;
	resp->text_cls = t;
	resp->content_type = content_type;
	return 0;
}
