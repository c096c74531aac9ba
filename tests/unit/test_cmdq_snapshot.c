// SPDX-License-Identifier: GPL-2.0-only
/* The loop's two meeting points with other threads: command queue and snapshot publication. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <poll.h>
#include <cmocka.h>

#include "daemon/cmdq.h"
#include "daemon/snapshot.h"

static _Atomic int destroyed;

struct test_snap {
	struct snap s;
	uint64_t value;
};

static void test_snap_destroy(struct snap *s)
{
	atomic_fetch_add(&destroyed, 1);
	free(s);
}

static struct snap *new_snap(uint64_t v)
{
	struct test_snap *t = calloc(1, sizeof(*t));

	t->s.refs = 1;
	t->s.destroy = test_snap_destroy;
	t->value = v;
	return &t->s;
}

static void test_snapshot_basic(void **state)
{
	struct snap_pub p;
	struct snap *a, *got;

	(void)state;
	destroyed = 0;
	assert_int_equal(snapshot_init(&p), 0);
	assert_null(snapshot_get(&p));
	assert_int_equal(snapshot_publish(&p, new_snap(1)), 0);
	a = snapshot_get(&p);
	assert_int_equal(((struct test_snap *)a)->value, 1);
	assert_int_equal(a->seq, 1);
	assert_int_equal(snapshot_publish(&p, new_snap(2)), 0);
	assert_int_equal(destroyed, 0);		/* the reader still holds #1 */
	snapshot_put(a);
	assert_int_equal(destroyed, 1);

	/* a reader inside the critical section defers publication instead of blocking */
	pthread_mutex_lock(&p.lock);
	assert_int_equal(snapshot_publish(&p, new_snap(3)), -EBUSY);
	assert_int_equal(snapshot_publish(&p, new_snap(4)), -EBUSY);	/* supersedes #3 */
	assert_int_equal(destroyed, 2);
	pthread_mutex_unlock(&p.lock);
	assert_int_equal(snapshot_flush(&p), 0);
	got = snapshot_get(&p);
	assert_int_equal(((struct test_snap *)got)->value, 4);
	assert_int_equal(got->seq, 4);
	snapshot_put(got);
	assert_int_equal(p.busy, 2);
	snapshot_destroy(&p);
	assert_int_equal(destroyed, 4);
}

struct reader_arg {
	struct snap_pub *p;
	_Atomic bool *stop;
	uint64_t reads;
	uint64_t last;
	bool monotonic;
};

static void *reader(void *arg)
{
	struct reader_arg *r = arg;

	r->monotonic = true;
	while (!atomic_load(r->stop)) {
		struct snap *s = snapshot_get(r->p);

		if (!s)
			continue;
		if (((struct test_snap *)s)->value < r->last)
			r->monotonic = false;
		r->last = ((struct test_snap *)s)->value;
		snapshot_put(s);
		r->reads++;
	}
	return NULL;
}

static void test_snapshot_concurrent(void **state)
{
	struct snap_pub p;
	_Atomic bool stop = false;
	struct reader_arg ra[2] = { { &p, &stop, 0, 0, true }, { &p, &stop, 0, 0, true } };
	pthread_t th[2];
	uint64_t i, n = 200000, deferred = 0;

	(void)state;
	destroyed = 0;
	assert_int_equal(snapshot_init(&p), 0);
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, reader, &ra[i]);
	for (i = 1; i <= n; i++)
		if (snapshot_publish(&p, new_snap(i)) == -EBUSY)
			deferred++;
	while (snapshot_flush(&p) == -EBUSY)
		;
	stop = true;
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_true(ra[0].monotonic && ra[1].monotonic);
	assert_true(ra[0].reads > 0 && ra[1].reads > 0);
	snapshot_destroy(&p);
	assert_int_equal(destroyed, n);		/* every snapshot freed exactly once */
	print_message("published %lu, deferred %lu, reads %lu/%lu\n", (unsigned long)n,
		      (unsigned long)deferred, (unsigned long)ra[0].reads, (unsigned long)ra[1].reads);
}

struct loop_ctx {
	pthread_t thread;
	int runs;
};

static int cmd_add(void *loop_ctx, struct cmd *c)
{
	struct loop_ctx *l = loop_ctx;
	int *out = malloc(sizeof(int));

	l->runs++;
	*out = *(int *)c->arg + 1;
	c->out = out;
	/* commands run on the loop thread */
	return pthread_equal(pthread_self(), l->thread) ? 0 : -EPERM;
}

static int cmd_fail(void *loop_ctx, struct cmd *c)
{
	(void)loop_ctx;
	(void)c;
	return -ENOENT;
}

struct loop_arg {
	struct cmdq *q;
	struct loop_ctx *ctx;
	_Atomic bool *stop;
};

static void *loop_thread(void *arg)
{
	struct loop_arg *la = arg;
	struct pollfd pfd = { .fd = cmdq_fd(la->q), .events = POLLIN };

	la->ctx->thread = pthread_self();
	while (!atomic_load(la->stop)) {
		if (poll(&pfd, 1, 10) > 0)
			cmdq_run(la->q, la->ctx);
	}
	return NULL;
}

static _Atomic int freed_outputs;

static void free_int(void *p)
{
	atomic_fetch_add(&freed_outputs, 1);
	free(p);
}

static void test_cmdq_calls(void **state)
{
	struct cmdq q;
	struct loop_ctx ctx = { 0 };
	_Atomic bool stop = false;
	struct loop_arg la = { &q, &ctx, &stop };
	pthread_t th;
	uint64_t lat_ns, worst = 0;
	int in = 41, i, *out = NULL;

	(void)state;
	assert_int_equal(cmdq_init(&q), 0);
	pthread_create(&th, NULL, loop_thread, &la);
	for (i = 0; i < 100; i++) {
		assert_int_equal(cmdq_call(&q, cmd_add, &in, (void **)&out, 1000, free_int, &lat_ns), 0);
		assert_int_equal(*out, 42);
		free(out);
		if (lat_ns > worst)
			worst = lat_ns;
	}
	assert_int_equal(ctx.runs, 100);
	assert_int_equal(cmdq_call(&q, cmd_fail, &in, NULL, 1000, NULL, NULL), -ENOENT);
	/* woken by the eventfd, not by a 10 ms poll timeout */
	print_message("worst request->applied latency %lu us\n", (unsigned long)(worst / 1000));
	assert_true(worst < 10 * 1000 * 1000);
	stop = true;
	pthread_join(th, NULL);
	cmdq_destroy(&q);
}

static struct cmd *deferred;

static int cmd_defer(void *loop_ctx, struct cmd *c)
{
	(void)loop_ctx;
	deferred = c;
	return -EINPROGRESS;
}

struct defer_arg {
	struct cmdq *q;
	int result;
};

static void *defer_submitter(void *arg)
{
	struct defer_arg *d = arg;

	d->result = cmdq_call(d->q, cmd_defer, NULL, NULL, 2000, NULL, NULL);
	return NULL;
}

static void test_cmdq_deferred_completion(void **state)
{
	struct cmdq q;
	struct loop_ctx ctx = { 0 };
	struct defer_arg d = { &q, 1 };
	pthread_t th;

	(void)state;
	deferred = NULL;
	assert_int_equal(cmdq_init(&q), 0);
	pthread_create(&th, NULL, defer_submitter, &d);
	while (!cmdq_run(&q, &ctx))
		usleep(1000);
	assert_non_null(deferred);
	usleep(20000);
	assert_int_equal(d.result, 1);		/* the submitter is still waiting */
	cmdq_complete(&q, deferred, -ENOENT);	/* e.g. the VMM's reply arrived */
	pthread_join(th, NULL);
	assert_int_equal(d.result, -ENOENT);
	cmdq_destroy(&q);
}

static void test_cmdq_timeout_full_and_close(void **state)
{
	struct cmdq q;
	struct loop_ctx ctx = { 0 };
	int in = 1, i;

	(void)state;
	freed_outputs = 0;
	assert_int_equal(cmdq_init(&q), 0);
	/* nobody runs the loop: every call times out, and the abandoned commands stay queued */
	for (i = 0; i < (int)CMDQ_MAX_PENDING; i++)
		assert_int_equal(cmdq_call(&q, cmd_add, &in, NULL, 1, free_int, NULL), -ETIMEDOUT);
	assert_int_equal(cmdq_call(&q, cmd_add, &in, NULL, 1, free_int, NULL), -EAGAIN);
	/* the loop runs them later and frees their outputs, since nobody waits any more */
	ctx.thread = pthread_self();
	assert_int_equal(cmdq_run(&q, &ctx), CMDQ_MAX_PENDING);
	assert_int_equal(freed_outputs, CMDQ_MAX_PENDING);
	cmdq_close(&q);
	assert_int_equal(cmdq_call(&q, cmd_add, &in, NULL, 10, free_int, NULL), -ESHUTDOWN);
	cmdq_destroy(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot_basic),
		cmocka_unit_test(test_snapshot_concurrent),
		cmocka_unit_test(test_cmdq_calls),
		cmocka_unit_test(test_cmdq_deferred_completion),
		cmocka_unit_test(test_cmdq_timeout_full_and_close),
	};

	return cmocka_run_group_tests_name("cmdq_snapshot", tests, NULL, NULL);
}
