// SPDX-License-Identifier: GPL-2.0-only
/*
 * The per-snapshot text cache (api/metrics_cache.c) beyond what test_metrics covers: the
 * gzip form (made once per text, by the builder once a client asked, never for small
 * bodies) and the builder thread (requests hand stale snapshots over and are answered at
 * once with the cached text; the thread builds the newest one; the first text and texts
 * a barrier forbids are still built by the request; the thread's snapshot references are
 * dropped, also when it stops with work pending).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "api/encoding.h"
#include "api/metrics.h"
#include "daemon/dsnap.h"
#include "daemon/snapshot.h"
#include "tests/common/gzip_text.h"

/* The builders: a large text whose last line names the snapshot, built by whom. */
static _Atomic unsigned int builds_on_request, builds_elsewhere;
static pthread_t request_thread;
static atomic_bool slow_build;

static int big_build(const struct dsnap *s, char **text, size_t *len)
{
	char *t = gzip_text_sample(2000, len), *nt = t ? realloc(t, *len + 64) : NULL;

	if (!nt) {
		free(t);
		return -1;
	}
	*len += (size_t)sprintf(nt + *len, "seq %llu\n", (unsigned long long)s->base.seq);
	*text = nt;
	if (pthread_equal(pthread_self(), request_thread))
		builds_on_request++;
	else
		builds_elsewhere++;
	if (atomic_load(&slow_build))
		usleep(300000);		/* long enough for the test to queue more work */
	return 0;
}

static int small_build(const struct dsnap *s, char **text, size_t *len)
{
	(void)s;
	*text = strdup("{\"vms\":[]}");
	*len = strlen(*text);
	return 0;
}

/* Snapshots as the loop makes them: reference counted, destroyed by the last put. */
static _Atomic unsigned int destroyed;

static void snap_destroy(struct snap *s)
{
	destroyed++;
	free(s);
}

static struct dsnap *new_snap(uint64_t seq)
{
	struct dsnap *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	atomic_init(&s->base.refs, 1);
	s->base.seq = seq;
	s->base.destroy = snap_destroy;
	return s;
}

/* The response's body, decoded when it is gzip; it must hold @line. */
static void assert_body(const struct api_resp *r, const char *line)
{
	size_t len;
	char *plain;

	assert_int_equal(r->status, 200);
	assert_true(r->vary_encoding);
	if (r->content_encoding) {
		assert_string_equal(r->content_encoding, "gzip");
		plain = gzip_text_decode(r->text, r->text_len, 1 << 20, &len);
		assert_non_null(plain);
	} else {
		plain = strndup(r->text, r->text_len);
		len = r->text_len;
	}
	assert_non_null(strstr(plain, line));
	assert_true(len > 100000);
	free(plain);
}

static void respond(struct metrics_cache *mc, struct dsnap *s, bool gzip, struct api_resp *r)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(metrics_cache_respond(mc, s, big_build, "text/plain", gzip, r), 0);
}

static void test_gzip_forms(void **state)
{
	struct dsnap *s = new_snap(1);
	struct metrics_cache mc;
	struct api_resp plain, gz1, gz2, r3, small = { 0 };
	uint64_t builds;

	(void)state;
	assert_int_equal(metrics_cache_init(&mc), 0);
	respond(&mc, s, false, &plain);
	assert_null(plain.content_encoding);		/* not asked: plain */
	assert_body(&plain, "seq 1\n");
	respond(&mc, s, true, &gz1);
	assert_non_null(gz1.content_encoding);		/* the same text, compressed now */
	assert_true(gz1.text_len * 5 < plain.text_len);
	assert_body(&gz1, "seq 1\n");
	respond(&mc, s, true, &gz2);
	assert_ptr_equal(gz2.text, gz1.text);		/* compressed once per text */
	builds = mc.builds;
	s->base.seq = 2;
	respond(&mc, s, false, &r3);
	assert_int_equal(mc.builds, builds + 1);
	assert_null(r3.content_encoding);
	assert_body(&r3, "seq 2\n");
	api_resp_free(&r3);
	s->base.seq = 3;		/* gzip was asked before: the builder compresses too */
	respond(&mc, s, true, &r3);
	assert_body(&r3, "seq 3\n");
	assert_body(&gz1, "seq 1\n");			/* older responses still intact */
	metrics_cache_fini(&mc);
	/* small bodies are not worth it (one cache per builder) */
	assert_int_equal(metrics_cache_init(&mc), 0);
	assert_int_equal(metrics_cache_respond(&mc, s, small_build, "application/json", true,
					       &small), 0);
	assert_null(small.content_encoding);
	assert_true(small.vary_encoding);
	assert_int_equal(small.text_len, strlen("{\"vms\":[]}"));
	api_resp_free(&small);
	metrics_cache_fini(&mc);
	api_resp_free(&plain);
	api_resp_free(&gz1);
	api_resp_free(&gz2);
	api_resp_free(&r3);
	snapshot_put(&s->base);
}

/* Wait (up to 5 s) until the cache serves the text with @line; false if it never does. */
static bool wait_text(struct metrics_cache *mc, struct dsnap *s, const char *line)
{
	for (int i = 0; i < 5000; i++) {
		struct api_resp r;
		bool there;

		respond(mc, s, false, &r);
		there = memmem(r.text, r.text_len, line, strlen(line)) != NULL;
		api_resp_free(&r);
		if (there)
			return true;
		usleep(1000);
	}
	return false;
}

#define WAIT_TEXT(mc, s, line) do {						\
	if (!wait_text(mc, s, line)) {						\
		metrics_cache_fini(mc);	/* no thread left on this stack */	\
		fail_msg("the builder thread never built \"%s\"", line);	\
	}									\
} while (0)

static void test_builder_thread(void **state)
{
	struct dsnap *s1 = new_snap(1), *s2 = new_snap(2), *s3 = new_snap(3), *s4 = new_snap(4);
	struct dsnap *s5 = new_snap(5), *s6 = new_snap(6);
	struct metrics_cache mc;
	struct api_resp r;

	(void)state;
	request_thread = pthread_self();
	builds_on_request = builds_elsewhere = 0;
	destroyed = 0;
	assert_int_equal(metrics_cache_init(&mc), 0);
	assert_int_equal(metrics_cache_start_builder(&mc, big_build), 0);
	respond(&mc, s1, true, &r);		/* nothing cached: the request builds */
	assert_body(&r, "seq 1\n");
	assert_int_equal(builds_on_request, 1);
	api_resp_free(&r);
	respond(&mc, s2, true, &r);		/* stale: answered at once with seq 1 */
	assert_body(&r, "seq 1\n");
	api_resp_free(&r);
	WAIT_TEXT(&mc, s2, "seq 2\n");		/* ... and seq 2 built on the thread */
	assert_int_equal(builds_on_request, 1);
	assert_int_equal(builds_elsewhere, 1);
	assert_int_equal(mc.gzips, 2);		/* the thread compressed it as it built */
	respond(&mc, s2, true, &r);
	assert_body(&r, "seq 2\n");
	assert_non_null(r.content_encoding);
	api_resp_free(&r);
	assert_int_equal(mc.gzips, 2);		/* ... so the request did not */
	/* while the thread is busy, a newer snapshot replaces the one waiting */
	atomic_store(&slow_build, true);
	respond(&mc, s3, false, &r);
	api_resp_free(&r);
	respond(&mc, s3, false, &r);		/* the same stale snapshot: no second job */
	api_resp_free(&r);
	respond(&mc, s4, false, &r);
	assert_body(&r, "seq 2\n");
	api_resp_free(&r);
	WAIT_TEXT(&mc, s4, "seq 4\n");
	atomic_store(&slow_build, false);
	assert_int_equal(builds_on_request, 1);
	/* seq 2, then seq 4 and at most one seq 3 (if the thread took it before seq 4 came) */
	assert_in_range(builds_elsewhere, 2, 3);
	/* stopping with a job pending drops its reference */
	atomic_store(&slow_build, true);
	respond(&mc, s5, false, &r);
	api_resp_free(&r);
	respond(&mc, s6, false, &r);
	api_resp_free(&r);
	metrics_cache_fini(&mc);
	atomic_store(&slow_build, false);
	snapshot_put(&s1->base);
	snapshot_put(&s2->base);
	snapshot_put(&s3->base);
	snapshot_put(&s4->base);
	snapshot_put(&s5->base);
	snapshot_put(&s6->base);
	assert_int_equal(destroyed, 6);		/* every reference the cache took was put */
}

/*
 * A barrier (read-your-writes after a mutation): texts of older snapshots are not served,
 * the request builds; once a text is new enough, stale ones go to the thread again.
 */
static void test_barrier(void **state)
{
	struct dsnap *s = new_snap(1);
	struct metrics_cache mc;
	struct api_resp r;

	(void)state;
	request_thread = pthread_self();
	builds_on_request = builds_elsewhere = 0;
	assert_int_equal(metrics_cache_init(&mc), 0);
	assert_int_equal(metrics_cache_start_builder(&mc, big_build), 0);
	respond(&mc, s, false, &r);
	api_resp_free(&r);
	metrics_cache_barrier(&mc, 2);
	metrics_cache_barrier(&mc, 1);		/* never lowered */
	assert_int_equal(mc.min_seq, 2);
	s->base.seq = 2;
	respond(&mc, s, false, &r);		/* seq 1 is before the barrier: built now */
	assert_body(&r, "seq 2\n");
	api_resp_free(&r);
	assert_int_equal(builds_on_request, 2);
	assert_int_equal(builds_elsewhere, 0);
	s->base.seq = 3;
	respond(&mc, s, false, &r);		/* seq 2 may be served while the thread builds */
	assert_body(&r, "seq 2\n");
	api_resp_free(&r);
	WAIT_TEXT(&mc, s, "seq 3\n");
	assert_int_equal(builds_on_request, 2);
	assert_int_equal(builds_elsewhere, 1);
	metrics_cache_fini(&mc);
	snapshot_put(&s->base);
}

/*
 * A text more than two ticks older than the request's snapshot is not served while the
 * thread builds: a scrape every 15 s gets that moment's figures, not the previous scrape's.
 */
static void test_too_old(void **state)
{
	struct dsnap *s1 = new_snap(1), *s2 = new_snap(2), *s3 = new_snap(3);
	struct metrics_cache mc;
	struct api_resp r;

	(void)state;
	request_thread = pthread_self();
	builds_on_request = builds_elsewhere = 0;
	s1->tick_ms = s2->tick_ms = s3->tick_ms = 10;
	s1->base.time_ns = 1000000000ull;
	s2->base.time_ns = s1->base.time_ns + 20000000ull;	/* two ticks later: recent */
	s3->base.time_ns = s2->base.time_ns + 15000000000ull;	/* the next scrape, 15 s on */
	assert_int_equal(metrics_cache_init(&mc), 0);
	assert_int_equal(metrics_cache_start_builder(&mc, big_build), 0);
	respond(&mc, s1, false, &r);
	api_resp_free(&r);
	respond(&mc, s2, false, &r);
	assert_body(&r, "seq 1\n");		/* recent enough: served, seq 2 to the thread */
	api_resp_free(&r);
	WAIT_TEXT(&mc, s2, "seq 2\n");
	respond(&mc, s3, false, &r);
	assert_body(&r, "seq 3\n");		/* too old: built for this request */
	api_resp_free(&r);
	assert_int_equal(builds_on_request, 2);
	assert_int_equal(builds_elsewhere, 1);
	metrics_cache_fini(&mc);
	snapshot_put(&s1->base);
	snapshot_put(&s2->base);
	snapshot_put(&s3->base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gzip_forms),
		cmocka_unit_test(test_builder_thread),
		cmocka_unit_test(test_barrier),
		cmocka_unit_test(test_too_old),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
