/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A fake powervisord for pvctl's end-to-end tests: the real API server (api_server_start on
 * 127.0.0.1:0 and a Unix socket, with an admin and a read-only token) with handlers that
 * answer the spec-shaped fixtures below, or Error bodies, and record what they were sent.
 */
#ifndef PV_TESTS_PVCTL_FAKE_H
#define PV_TESTS_PVCTL_FAKE_H

#include <pthread.h>
#include <stdbool.h>

#include <jansson.h>

#include "api/auth.h"
#include "api/server.h"

#define PVFAKE_ADMIN_TOK	"admin-token-0123456789"
#define PVFAKE_READ_TOK		"read-token-0123456789a"

/* What the handlers answer: JSON written with single quotes (see pvfake_jq). */
extern const char pvfake_node_json[];
extern const char pvfake_vms_json[];
extern const char pvfake_vm_rt0_json[];
extern const char pvfake_power_json[];
extern const char pvfake_qos_json[];
extern const char pvfake_trace_json[];
/* ... and the server's bytes as they are. */
extern const char pvfake_perfetto_json[];
extern const char pvfake_metrics_text[];

struct pvfake {
	/* the server */
	struct api_server *srv;
	struct auth auth;
	char sock[96];
	char addr[64];			/* "127.0.0.1:PORT" */
	char unix_addr[112];		/* "unix:DIR/api.sock" */
	/* the last request (under lock) */
	pthread_mutex_t lock;
	unsigned int requests;		/* handler calls */
	char method[8], path[128];
	json_t *body;			/* its body */
	char since[32], vm[64], window[32], limit[16];	/* its query parameters */
	/* how it answers */
	bool not_ready;			/* /readyz says 503 */
};

extern struct pvfake pvfake;

/* Start the fake on 127.0.0.1:0 and a Unix socket in @dir; 0 or -1. */
int pvfake_start(const char *dir);
void pvfake_stop(void);

/* JSON written with single quotes for double quotes; NULL (and a message) if invalid. */
json_t *pvfake_jq(const char *s);
unsigned int pvfake_requests(void);
/* NULL when the last request's body equals @want_json (pvfake_jq syntax), else why not. */
const char *pvfake_body_differs(const char *want_json);

#endif /* PV_TESTS_PVCTL_FAKE_H */
