// SPDX-License-Identifier: GPL-2.0-only
/*
 * The request pipeline, independent of the HTTP library: rate limit, size cap, route,
 * authenticate, parse the body, call the handler. Errors never leak internals: a handler
 * that fails without filling a response becomes a generic 500.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/encoding.h"
#include "api/server_priv.h"

int api_server_init_common(struct api_server *srv, const struct api_server_config *cfg,
			   const struct api_route *routes, size_t nroutes, void *ctx)
{
	unsigned int i;
	int err;

	memset(srv, 0, sizeof(*srv));
	if (cfg->body_max > MAX_API_BODY_MAX)
		return -EINVAL;
	srv->routes = routes;
	srv->nroutes = nroutes;
	srv->ctx = ctx;
	auth_init_open(&srv->open_auth);
	srv->auth = cfg->auth ? cfg->auth : &srv->open_auth;
	srv->body_max = cfg->body_max ? cfg->body_max : DEF_API_BODY_MAX;
	for (i = 0; i < API_MAX_LISTEN; i++)
		srv->unix_fd[i] = -1;
	err = ratelimit_init(&srv->rl, cfg->rate_per_s, cfg->burst ? cfg->burst : cfg->rate_per_s);
	return err;
}

int api_server_new_detached(struct api_server **out, const struct api_server_config *cfg,
			    const struct api_route *routes, size_t nroutes, void *ctx)
{
	struct api_server *srv = calloc(1, sizeof(*srv));
	int err;

	if (!srv)
		return -ENOMEM;
	err = api_server_init_common(srv, cfg, routes, nroutes, ctx);
	if (err) {
		free(srv);
		return err;
	}
	*out = srv;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void auth_error(struct api_resp *resp, enum auth_result r)
{
	switch (r) {
	case AUTH_MISSING:
		api_error(resp, 401, "unauthorized", NULL, "a bearer token is required");
		break;
	case AUTH_INVALID:
		api_error(resp, 401, "unauthorized", NULL, "the token is not valid");
		break;
	default:
		api_error(resp, 403, "forbidden", NULL, "this operation needs the admin scope");
		break;
	}
}

void api_dispatch(struct api_server *srv, const struct api_dispatch_in *in,
		  struct api_resp *resp)
{
	char buf[API_PATH_MAX];
	const struct api_route *route;
	struct api_req req = { .method = in->method, .path = in->path, .query = in->query,
			       .conn = in->conn };
	enum auth_result ar;
	json_error_t jerr;

	memset(resp, 0, sizeof(*resp));
	req.accept_gzip = api_accepts_gzip(in->accept_encoding);
	if (!ratelimit_allow(&srv->rl, in->client, now_ns())) {
		api_error(resp, 429, "rate_limited", NULL, "too many requests; slow down");
		return;
	}
	if (in->body_too_large) {
		api_error(resp, 413, "body_too_large", NULL, "request body larger than %zu bytes",
			  srv->body_max);
		return;
	}
	switch (api_route_match(srv->routes, srv->nroutes, in->method, in->path, &route, &req,
				buf, sizeof(buf))) {
	case API_MATCH_NO_PATH:
		api_error(resp, 404, "not_found", NULL, "no such resource");
		return;
	case API_MATCH_BAD_METHOD:
		api_error(resp, 405, "method_not_allowed", NULL, "%s is not allowed here",
			  api_method_name(in->method));
		return;
	case API_MATCH_OK:
		break;
	}
	ar = auth_check(srv->auth, in->authorization, route->scope, &req.scope);
	if (ar != AUTH_OK) {
		auth_error(resp, ar);
		return;
	}
	if (in->body && in->body_len) {
		req.body = json_loadb(in->body, in->body_len, JSON_REJECT_DUPLICATES, &jerr);
		if (!req.body) {
			api_error(resp, 400, "invalid_json", NULL, "body is not valid JSON: %s "
				  "(line %d column %d)", jerr.text, jerr.line, jerr.column);
			return;
		}
	}
	if (route->handler(srv->ctx, &req, resp) < 0 || !resp->status) {
		api_resp_free(resp);
		api_error(resp, 500, "internal", NULL, "internal error");
	}
	json_decref(req.body);
}
