/* SPDX-License-Identifier: GPL-2.0-only */
/* A minimal blocking HTTP/1.1 client for tests: one request per connection, loopback only. */
#ifndef PV_TESTS_HTTP_CLIENT_H
#define PV_TESTS_HTTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

struct http_result {
	int status;		/* 0 when the exchange failed */
	char *body;		/* malloc'ed, NUL-terminated */
	size_t body_len;
	char content_type[128];
};

/*
 * Send @method @path to 127.0.0.1:@port (or to the Unix socket @unix_path when not NULL)
 * with optional bearer @token and @body; wait up to @timeout_ms. 0 or -errno.
 */
int http_request(uint16_t port, const char *unix_path, const char *method, const char *path,
		 const char *token, const char *body, size_t body_len, int timeout_ms,
		 struct http_result *res);
void http_result_free(struct http_result *res);

#endif /* PV_TESTS_HTTP_CLIENT_H */
