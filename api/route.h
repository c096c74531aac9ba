/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The REST API's request/response model and route table.
 *
 * Handlers see only these types, never libmicrohttpd's: the HTTP glue (api/server.c) turns
 * a connection into a struct api_req, the router picks the route, the handler parses →
 * issues an internal command → encodes, and the glue sends the struct api_resp. So every
 * handler is a plain function, unit-testable with hand-built requests.
 */
#ifndef PV_API_ROUTE_H
#define PV_API_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define API_MAX_PARAMS		4
#define API_MAX_SEGMENTS	12
#define API_PATH_MAX		512

enum api_method {
	API_GET = 0,
	API_PUT,
	API_POST,
	API_DELETE,
	API_METHOD_MAX
};

enum api_scope {
	API_SCOPE_PUBLIC = 0,	/* no token needed (health probes) */
	API_SCOPE_READ,
	API_SCOPE_ADMIN,	/* every mutating route */
};

struct api_req {
	enum api_method method;
	const char *path;			/* without the query string */
	const char *params[API_MAX_PARAMS];	/* {name} segments, in pattern order */
	unsigned int nparams;
	const char *(*query)(const void *conn, const char *key);	/* query argument */
	const void *conn;			/* opaque, for query() */
	json_t *body;				/* parsed JSON body, NULL when none */
	enum api_scope scope;			/* what the caller's token allows */
	bool accept_gzip;			/* Accept-Encoding takes gzip (api/encoding.h) */
};

struct api_resp {
	int status;			/* HTTP status */
	json_t *json;			/* body as JSON (owned), or */
	char *text;			/* body as text (owned, malloc'ed), or borrowed when */
	void (*text_release)(void *cls);	/* set: called with text_cls once it is sent */
	void *text_cls;
	size_t text_len;
	const char *content_type;	/* for text; JSON is application/json */
	const char *content_encoding;	/* for text: "gzip" when the body is, else NULL */
	bool vary_encoding;		/* the body depends on Accept-Encoding (Vary header) */
};

typedef int (*api_handler_fn)(void *ctx, const struct api_req *req, struct api_resp *resp);

struct api_route {
	enum api_method method;
	const char *pattern;		/* "/api/v1/vms/{name}/pause" */
	enum api_scope scope;
	api_handler_fn handler;
	const char *summary;		/* one line, matches the OpenAPI summary */
};

enum api_match {
	API_MATCH_OK = 0,
	API_MATCH_NO_PATH,		/* 404 */
	API_MATCH_BAD_METHOD,		/* 405: the path exists with other methods */
};

/*
 * Find the route for @method and @path. Path parameters are copied into @buf and pointed
 * to from req->params. Returns the match kind; *route is set on API_MATCH_OK.
 */
enum api_match api_route_match(const struct api_route *table, size_t n, enum api_method method,
			       const char *path, const struct api_route **route,
			       struct api_req *req, char *buf, size_t buflen);

const char *api_method_name(enum api_method m);
int api_method_parse(const char *s);	/* -EINVAL when unknown */

/* Fill @resp with {"error":{"code","message","field"}}; returns 0. @field may be NULL. */
int api_error(struct api_resp *resp, int status, const char *code, const char *field,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Fill @resp with a JSON body (takes ownership). */
int api_json(struct api_resp *resp, int status, json_t *json);
void api_resp_free(struct api_resp *resp);

#endif /* PV_API_ROUTE_H */
