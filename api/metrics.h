/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GET /metrics: every metric of docs/METRICS.md, built from one published snapshot.
 *
 * The text depends on the snapshot only, so it is built once per snapshot (sequence number)
 * and cached (api/metrics_cache.c): a scrape borrows the cached text, or its gzip form.
 * While a newer one is built, other requests are served the previous text if it is at
 * most two ticks old, so a burst of scrapes costs one build per tick, not one per request.
 */
#ifndef PV_API_METRICS_H
#define PV_API_METRICS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/route.h"

struct dsnap;
struct metrics_text;
struct snap;

/* Builds the text of a response from a snapshot (malloc'ed): metrics_build, or another. */
typedef int (*metrics_build_fn)(const struct dsnap *s, char **text, size_t *len);

struct metrics_cache {
	pthread_mutex_t lock;
	pthread_cond_t wake;		/* the builder thread: a snapshot to build */
	struct metrics_text *cur;	/* text of the newest snapshot built, NULL before */
	struct snap *want;		/* the builder's next job (a reference), or NULL */
	uint64_t asked_seq;		/* newest snapshot handed to the builder */
	bool building;			/* a request or the builder is building a newer one */
	_Atomic uint64_t min_seq;	/* never serve a text of an older snapshot: build one
					 * (read-your-writes after a mutation) */
	bool builder_running, builder_stop;
	pthread_t builder;
	metrics_build_fn builder_fn;
	_Atomic uint64_t gzip_asked_ns;	/* when a client last asked for gzip (0: never):
					 * texts built within 30 s of it are compressed */
	uint64_t builds;		/* texts built (tests check the caching) */
	_Atomic uint64_t gzips;		/* texts compressed */
};

int metrics_cache_init(struct metrics_cache *mc);
/* Stops the builder thread if one runs. */
void metrics_cache_fini(struct metrics_cache *mc);
/* From now on serve only texts of snapshot @seq or newer (raises min_seq, never lowers). */
void metrics_cache_barrier(struct metrics_cache *mc, uint64_t seq);

/* The exposition text of @s (malloc'ed, NUL-terminated). 0 or -ENOMEM. */
int metrics_build(const struct dsnap *s, char **text, size_t *len);

/*
 * Build new texts on a thread of their own, from the snapshots requests hand over; those
 * requests are answered with the text already cached (unless min_seq forbids it). The thread
 * inherits the caller's scheduling. 0 or -errno (then requests keep building).
 */
int metrics_cache_start_builder(struct metrics_cache *mc, metrics_build_fn build);

/*
 * The text @build makes of snapshot @s, through the cache: a malloc'ed copy in *text.
 * 0 or -ENOMEM. Serves the cached text of an older snapshot while another thread is
 * building. One cache serves one builder (the API also caches GET /api/v1/vms this way).
 */
int metrics_cache_get(struct metrics_cache *mc, const struct dsnap *s, metrics_build_fn build,
		      char **text, size_t *len);
/* Drop a response's reference to a cached text (the api_resp text_release hook). */
void metrics_text_release(void *ref);
/*
 * A 200 response whose body is the cached text of @s, shared and released once sent;
 * gzip-encoded when @gzip (the client accepts it) and the text is API_GZIP_MIN_BYTES or
 * more. The response says it varies with Accept-Encoding either way.
 */
int metrics_cache_respond(struct metrics_cache *mc, const struct dsnap *s,
			  metrics_build_fn build, const char *content_type, bool gzip,
			  struct api_resp *resp);
/* metrics_cache_get with metrics_build. */
int metrics_get(struct metrics_cache *mc, const struct dsnap *s, char **text, size_t *len);

/* GET /metrics (@ctx: struct api_ctx). */
int metrics_handle(void *ctx, const struct api_req *req, struct api_resp *resp);

#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

#endif /* PV_API_METRICS_H */
