/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * powervisord's REST API server: started after daemon_init, stopped after daemon_run and
 * before daemon_fini (powervisord_main.c). It listens on the configuration's node.listen
 * addresses (default 127.0.0.1:8035; "unix:/path" for a Unix socket) or on the --listen
 * addresses given on the command line, authenticates with node.token_file (or
 * --token-file; none = open API, for loopback only), serves HTTPS with node.tls_cert /
 * node.tls_key, and runs the handlers of api/routes.c on its own threads: they read the
 * daemon's published snapshots and send mutations through its command queue, so the
 * policy loop never waits for HTTP.
 *
 * (It lives in api/ rather than daemon/: it uses the server, routes and handlers, and the
 * static libraries link one way, api above daemon.)
 */
#ifndef PV_API_APISERVER_H
#define PV_API_APISERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "api/server.h"

struct daemon;
struct apiserver;

struct apiserver_opts {
	const char *listen[API_MAX_LISTEN];	/* replaces node.listen when nlisten > 0 */
	unsigned int nlisten;
	const char *token_file;			/* replaces node.token_file when not NULL */
	bool rate_set;				/* rate_per_s replaces the default */
	uint32_t rate_per_s;			/* per client; 0 = unlimited (benchmarks) */
};

/*
 * Start serving for @d (after daemon_init). Prints one "listening on URL" line per address
 * to stderr. 0, or -errno with the reason on stderr (nothing left running).
 */
int apiserver_start(struct apiserver **out, struct daemon *d, const struct apiserver_opts *o);
/*
 * Stop (after daemon_run returned): refuse new commands, complete those still waiting with
 * -ESHUTDOWN, wait for the requests in flight, free. NULL is fine.
 */
void apiserver_stop(struct apiserver *a, struct daemon *d);
/* The TCP port bound for listen address @i (0 for Unix sockets). */
uint16_t apiserver_port(const struct apiserver *a, unsigned int i);

#endif /* PV_API_APISERVER_H */
