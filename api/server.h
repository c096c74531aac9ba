/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The HTTP server: libmicrohttpd glue around the route table. It never blocks the policy
 * loop: handlers run on the server's own threads, read the daemon's published snapshot and
 * send mutations through the daemon's command queue. Per request it enforces, in order:
 * the per-client rate limit (429), the body-size cap (413), routing (404/405),
 * authentication and scope (401/403), JSON body parsing (400), then calls the handler.
 */
#ifndef PV_API_SERVER_H
#define PV_API_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "api/auth.h"
#include "api/route.h"

#define API_MAX_LISTEN		4
#define DEF_API_BODY_MAX	(64 * 1024)
#define MAX_API_BODY_MAX	(4 * 1024 * 1024)
#define DEF_API_THREADS		2
#define API_ERR_MAX		192

struct api_server_config {
	const char *listen[API_MAX_LISTEN];	/* "127.0.0.1:8035", "[::1]:8035", "unix:/path" */
	unsigned int nlisten;
	const char *tls_cert_pem;		/* PEM text: TLS on TCP addresses; NULL = plain */
	const char *tls_key_pem;
	size_t body_max;			/* bytes; 0 = DEF_API_BODY_MAX */
	uint32_t rate_per_s;			/* per client; 0 = unlimited */
	uint32_t burst;
	unsigned int threads;			/* 0 = DEF_API_THREADS */
	const struct auth *auth;		/* NULL = open */
	char *err;				/* NULL or API_ERR_MAX bytes: why a start failed */
};

struct api_server;

/*
 * Start listening on every address; -errno (and nothing left running) on failure, with
 * "<address>: <reason>" in cfg->err when set — libmicrohttpd's own reason when it has one
 * (a TLS certificate and key it cannot use, for instance).
 */
int api_server_start(struct api_server **out, const struct api_server_config *cfg,
		     const struct api_route *routes, size_t nroutes, void *ctx);
void api_server_stop(struct api_server *srv);
/* The TCP port actually bound for listen address @i (useful with port 0), or 0. */
uint16_t api_server_port(const struct api_server *srv, unsigned int i);

/*
 * Dispatch one already-read request (what the glue does after reading the body); exposed
 * so the whole pipeline — limits, routing, auth, body parsing — is unit-testable.
 */
struct api_dispatch_in {
	enum api_method method;
	const char *path;
	const char *authorization;		/* header value or NULL */
	const char *accept_encoding;		/* header value or NULL */
	const char *client;			/* rate-limit key */
	const char *body;			/* NULL or body bytes */
	size_t body_len;
	int body_too_large;
	const char *(*query)(const void *conn, const char *key);
	const void *conn;
};
void api_dispatch(struct api_server *srv, const struct api_dispatch_in *in,
		  struct api_resp *resp);

/* A server with no listeners, for tests of api_dispatch(). */
int api_server_new_detached(struct api_server **out, const struct api_server_config *cfg,
			    const struct api_route *routes, size_t nroutes, void *ctx);

#endif /* PV_API_SERVER_H */
