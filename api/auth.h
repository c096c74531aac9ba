/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bearer-token authentication with two scopes. The token file holds one token per line,
 * "<token> <scope>" with scope `read` or `admin` (admin implies read); blank lines and
 * lines starting with '#' are ignored. Tokens are 16..128 printable characters without
 * spaces. Comparison is constant-time so response timing reveals nothing about tokens.
 */
#ifndef PV_API_AUTH_H
#define PV_API_AUTH_H

#include <stddef.h>

#include "api/route.h"

#define AUTH_MAX_TOKENS		64
#define AUTH_MIN_TOKEN_LEN	16
#define AUTH_MAX_TOKEN_LEN	128
#define AUTH_ERR_MAX		160

struct auth_token {
	char token[AUTH_MAX_TOKEN_LEN + 1];
	size_t len;
	enum api_scope scope;
};

struct auth {
	bool enabled;			/* false: no token file configured, everyone is admin */
	struct auth_token tokens[AUTH_MAX_TOKENS];
	unsigned int ntokens;
};

/* No authentication (loopback-only deployments and tests). */
void auth_init_open(struct auth *a);
/* Parse token-file text; -EINVAL with "line N: reason" in @err. */
int auth_parse(struct auth *a, const char *text, char *err);
int auth_load(struct auth *a, const char *path, char *err);

enum auth_result {
	AUTH_OK = 0,
	AUTH_MISSING,		/* 401: no or malformed Authorization header */
	AUTH_INVALID,		/* 401: unknown token */
	AUTH_FORBIDDEN,		/* 403: valid token, scope too small */
};

/*
 * Check an Authorization header value (may be NULL) against the scope a route needs.
 * On AUTH_OK, *granted is the caller's scope.
 */
enum auth_result auth_check(const struct auth *a, const char *header, enum api_scope need,
			    enum api_scope *granted);

#endif /* PV_API_AUTH_H */
