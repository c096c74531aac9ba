/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An in-process REST API for tests of the handlers through the whole request pipeline
 * (api_dispatch: rate limit, size cap, routing, tokens and scopes, JSON parsing, handler):
 * a hand-built snapshot published in a snap_pub (VMs "alpha", running, and "beta", paused),
 * a trace buffer with nine known events, a detached api_server with a read and an admin
 * token, and a command queue served by a thread — the fake policy loop — whose fake
 * commands change the published state the way the daemon's would (pause and resume complete
 * asynchronously, as when they wait for the VMM; pausing or resuming "slow" takes 300 ms,
 * longer than a handler waits). No cmocka here: functions return error codes and the tests
 * assert.
 */
#ifndef PV_TESTS_API_FIXTURE_H
#define PV_TESTS_API_FIXTURE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "api/auth.h"
#include "api/handlers.h"
#include "api/server.h"
#include "daemon/cmdq.h"
#include "daemon/commands.h"
#include "daemon/snapshot.h"
#include "daemon/tracebuf.h"
#include "tracer/clock.h"

#define API_FIXTURE_READ_TOK	"read-token-0123456789"
#define API_FIXTURE_ADMIN_TOK	"admin-token-0123456789"

struct api_fixture {
	/* what the fake loop was last handed */
	struct cmds_io last;		/* input of the last command */
	int last_kind;			/* its enum cmds_kind */
	unsigned int calls;		/* commands run */
	/* the pieces, for tests that build a second server or context over them */
	struct snap_pub pub;
	struct cmdq cq;
	struct api_ctx ctx;
	struct api_server *srv;
	struct auth auth;
	struct tracebuf tb;
	struct pv_clock clk;
	/* private: the fake policy loop */
	pthread_t th;
	atomic_bool stop;
	struct cmd *deferred;		/* completed after cmdq_run, like a VMM reply */
	unsigned int up;		/* set-up stages done (for the tear-down) */
};

/* The fake command functions; their loop context is the struct api_fixture. */
extern const struct cmds_ops api_fixture_ops;

/* Set everything up and start the loop thread: 0, or -1 (nothing left behind). */
int api_fixture_setup(struct api_fixture *f);
/* Stop the loop thread and free everything (also after a failed set-up). */
void api_fixture_teardown(struct api_fixture *f);

/*
 * The nine records of the set-up, stamped just before now: alpha (slot 0) an exit and an
 * entry, beta (slot 1) exit, entry, halt begin and end, a node P-state decision, alpha's
 * halt begin and end.
 */
void api_fixture_add_records(struct tracebuf *tb);

/* The query() of a request whose conn is "k=v&k2=v2". */
const char *api_fixture_query(const void *conn, const char *key);

/*
 * Dispatch one request to f->srv (@query "k=v&..." or NULL, @token without "Bearer " or
 * NULL, @body or NULL); the status, or -1 when none was set. The body of the answer as
 * text in *out (free it).
 */
int api_fixture_request(struct api_fixture *f, const char *method, const char *path,
			const char *query, const char *token, const char *body, int too_large,
			char **out);

/*
 * The fixture of a test program that needs one: api_fx, with set-up and tear-down in the
 * cmocka group signature (they make no cmocka calls) and a request helper on it.
 */
extern struct api_fixture api_fx;
int api_fx_setup(void **state);
int api_fx_teardown(void **state);
int api_fx_request(const char *method, const char *path, const char *query, const char *token,
		   const char *body, int too_large, char **out);

#endif /* PV_TESTS_API_FIXTURE_H */
