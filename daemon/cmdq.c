// SPDX-License-Identifier: GPL-2.0-only
/* Command queue into the policy loop: mutex-protected FIFO + eventfd wake-up + per-command cond. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "daemon/cmdq.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int cmdq_init(struct cmdq *q)
{
	memset(q, 0, sizeof(*q));
	q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->efd < 0)
		return -errno;
	return -pthread_mutex_init(&q->lock, NULL);
}

int cmdq_fd(const struct cmdq *q)
{
	return q->efd;
}

static void cmd_free(struct cmd *c)
{
	if (c->free_out && c->out)
		c->free_out(c->out);
	pthread_cond_destroy(&c->cond);
	free(c);
}

/* Mark @c finished; the submitter frees it unless it gave up, then we do. Lock held. */
static void finish_locked(struct cmd *c)
{
	c->done = true;
	c->done_ns = mono_ns();
	if (c->abandoned)
		cmd_free(c);
	else
		pthread_cond_signal(&c->cond);
}

void cmdq_close(struct cmdq *q)
{
	struct cmd *c, *next;

	pthread_mutex_lock(&q->lock);
	q->closed = true;
	for (c = q->head; c; c = next) {
		next = c->next;
		c->result = -ESHUTDOWN;
		finish_locked(c);
	}
	q->head = q->tail = NULL;
	q->npending = 0;
	pthread_mutex_unlock(&q->lock);
}

void cmdq_destroy(struct cmdq *q)
{
	cmdq_close(q);
	close(q->efd);
	pthread_mutex_destroy(&q->lock);
}

int cmdq_call(struct cmdq *q, cmd_fn fn, void *arg, void **out, unsigned int timeout_ms,
	      void (*free_out)(void *), uint64_t *apply_latency_ns)
{
	struct cmd *c = calloc(1, sizeof(*c));
	struct timespec deadline;
	pthread_condattr_t ca;
	uint64_t one = 1;
	int ret = 0;

	if (!c)
		return -ENOMEM;
	c->fn = fn;
	c->arg = arg;
	c->free_out = free_out;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cond, &ca);
	pthread_condattr_destroy(&ca);

	pthread_mutex_lock(&q->lock);
	if (q->closed || q->npending >= CMDQ_MAX_PENDING) {
		ret = q->closed ? -ESHUTDOWN : -EAGAIN;
		q->rejected++;
		pthread_mutex_unlock(&q->lock);
		cmd_free(c);
		return ret;
	}
	c->submit_ns = mono_ns();
	if (q->tail)
		q->tail->next = c;
	else
		q->head = c;
	q->tail = c;
	q->npending++;
	if (write(q->efd, &one, sizeof(one)) < 0) {
		/* the counter cannot overflow in practice; the loop also drains on ticks */
	}

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	while (!c->done && ret != ETIMEDOUT)
		ret = pthread_cond_timedwait(&c->cond, &q->lock, &deadline);
	if (!c->done) {
		c->abandoned = true;	/* the loop frees it when (if) it runs */
		pthread_mutex_unlock(&q->lock);
		return -ETIMEDOUT;
	}
	pthread_mutex_unlock(&q->lock);
	ret = c->result;
	if (apply_latency_ns)
		*apply_latency_ns = c->done_ns - c->submit_ns;
	if (out) {
		*out = c->out;
		c->out = NULL;
	}
	cmd_free(c);
	return ret;
}

unsigned int cmdq_run(struct cmdq *q, void *loop_ctx)
{
	unsigned int n = 0;
	uint64_t cnt;
	struct cmd *c;

	if (read(q->efd, &cnt, sizeof(cnt)) < 0) {
		/* EAGAIN: woken by a tick, not by a submitter */
	}
	for (;;) {
		pthread_mutex_lock(&q->lock);
		c = q->head;
		if (c) {
			q->head = c->next;
			if (!q->head)
				q->tail = NULL;
			q->npending--;
		}
		pthread_mutex_unlock(&q->lock);
		if (!c)
			break;
		/* run without the lock: fn may take long and must not block submitters */
		c->start_ns = mono_ns();
		c->result = c->fn(loop_ctx, c);
		n++;
		if (c->result == -EINPROGRESS)
			continue;	/* finished later by cmdq_complete() */
		pthread_mutex_lock(&q->lock);
		finish_locked(c);
		q->executed++;
		pthread_mutex_unlock(&q->lock);
	}
	return n;
}

void cmdq_complete(struct cmdq *q, struct cmd *c, int result)
{
	pthread_mutex_lock(&q->lock);
	c->result = result;
	finish_locked(c);
	q->executed++;
	pthread_mutex_unlock(&q->lock);
}
