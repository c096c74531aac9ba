/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GET /metrics: every metric of docs/METRICS.md, built from one published snapshot.
 *
 * The text depends on the snapshot only, so it is built once per snapshot (sequence number)
 * and cached: a scrape copies the cached text. While one request rebuilds it for a newer
 * snapshot, the others serve the previous text rather than wait (it is at most one tick
 * old), so a burst of scrapes costs one build per tick, not one per request.
 */
#ifndef PV_API_METRICS_H
#define PV_API_METRICS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/route.h"

struct dsnap;
struct metrics_text;

struct metrics_cache {
	pthread_mutex_t lock;
	struct metrics_text *cur;	/* text of the newest snapshot built, NULL before */
	bool building;			/* a request is building a newer one */
	bool strict;			/* never serve an older snapshot's text: build one */
	uint64_t builds;		/* texts built (tests check the caching) */
};

int metrics_cache_init(struct metrics_cache *mc);
void metrics_cache_fini(struct metrics_cache *mc);

/* The exposition text of @s (malloc'ed, NUL-terminated). 0 or -ENOMEM. */
int metrics_build(const struct dsnap *s, char **text, size_t *len);

/* Builds the text of a response from a snapshot (malloc'ed): metrics_build, or another. */
typedef int (*metrics_build_fn)(const struct dsnap *s, char **text, size_t *len);

/*
 * The text @build makes of snapshot @s, through the cache: a malloc'ed copy in *text.
 * 0 or -ENOMEM. Serves the cached text of an older snapshot while another thread is
 * building. One cache serves one builder (the API also caches GET /api/v1/vms this way).
 */
int metrics_cache_get(struct metrics_cache *mc, const struct dsnap *s, metrics_build_fn build,
		      char **text, size_t *len);
/*
 * The same text without a copy: *text is shared and stays valid until @*ref is released
 * with metrics_text_release (the cache keeps its own reference). 0 or -ENOMEM.
 */
struct metrics_text;
int metrics_cache_ref(struct metrics_cache *mc, const struct dsnap *s, metrics_build_fn build,
		      const char **text, size_t *len, struct metrics_text **ref);
void metrics_text_release(void *ref);
/* A 200 response whose body is the cached text of @s (shared, released once sent). */
int metrics_cache_respond(struct metrics_cache *mc, const struct dsnap *s,
			  metrics_build_fn build, const char *content_type, struct api_resp *resp);
/* metrics_cache_get with metrics_build. */
int metrics_get(struct metrics_cache *mc, const struct dsnap *s, char **text, size_t *len);

/* GET /metrics (@ctx: struct api_ctx). */
int metrics_handle(void *ctx, const struct api_req *req, struct api_resp *resp);

#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

#endif /* PV_API_METRICS_H */
