/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's internal command API: other threads (HTTP handlers, signal handling) submit
 * a command — a function and its argument — that runs on the policy-loop thread, where all
 * mutable state lives, and wait for its result. The loop is woken through an eventfd, so a
 * command is applied within microseconds rather than at the next tick; each command records
 * submit → start → done times so the request-to-applied latency is measured, not guessed.
 */
#ifndef PV_DAEMON_CMDQ_H
#define PV_DAEMON_CMDQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define DEF_CMD_TIMEOUT_MS	2000u
#define CMDQ_MAX_PENDING	256u

struct cmd;
typedef int (*cmd_fn)(void *loop_ctx, struct cmd *c);

struct cmd {
	cmd_fn fn;			/* runs on the loop thread */
	void *arg;			/* command input, owned by the submitter */
	void *out;			/* command output, set by fn, owned by the submitter after */
	int result;			/* fn's return value (0 / -errno) */
	uint64_t submit_ns, start_ns, done_ns;	/* CLOCK_MONOTONIC */
	/* internal */
	struct cmd *next;
	bool done, abandoned;
	void (*free_out)(void *);	/* frees out when the submitter gave up */
	pthread_cond_t cond;
};

struct cmdq {
	pthread_mutex_t lock;
	struct cmd *head, *tail;
	unsigned int npending;
	int efd;			/* eventfd the loop polls */
	bool closed;
	uint64_t executed, rejected;
};

int cmdq_init(struct cmdq *q);
/* Fail every pending command with -ESHUTDOWN and refuse new ones. */
void cmdq_close(struct cmdq *q);
void cmdq_destroy(struct cmdq *q);
/* The fd to poll for readability on the loop side. */
int cmdq_fd(const struct cmdq *q);

/*
 * Submitter: run @fn(@arg) on the loop and wait up to @timeout_ms. Returns fn's result, or
 * -ETIMEDOUT (the command may still run later; its output is then discarded by @free_out),
 * -EAGAIN when the queue is full, -ESHUTDOWN when closed. *out receives fn's output.
 */
int cmdq_call(struct cmdq *q, cmd_fn fn, void *arg, void **out, unsigned int timeout_ms,
	      void (*free_out)(void *), uint64_t *apply_latency_ns);

/*
 * Loop: execute every queued command. Returns how many ran. A command whose fn returns
 * -EINPROGRESS stays open (e.g. waiting for a VMM's reply); the loop finishes it later
 * with cmdq_complete().
 */
unsigned int cmdq_run(struct cmdq *q, void *loop_ctx);
void cmdq_complete(struct cmdq *q, struct cmd *c, int result);

#endif /* PV_DAEMON_CMDQ_H */
