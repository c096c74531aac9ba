/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvctl's HTTP/1.1 client: one request per connection ("Connection: close") over TCP or a
 * Unix socket, with one deadline for the whole exchange. Responses may be delimited by
 * Content-Length, chunked transfer coding, or the end of the connection; anything else
 * (garbage, truncation, conflicting lengths, oversize) is rejected rather than guessed at.
 * The parser is a pure function over the bytes received so far, so it is unit-testable.
 */
#ifndef PV_API_PVCTL_HTTP_H
#define PV_API_PVCTL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PVCTL_HTTP_HDR_MAX	(64 * 1024)		/* bytes of status line + headers */
#define PVCTL_HTTP_BODY_MAX	(256u * 1024 * 1024)	/* bytes of decoded body */
#define PVCTL_HTTP_LINE_MAX	4096			/* bytes of one chunk-size/trailer line */
#define PVCTL_ADDR_MAX		256
#define PVCTL_DEF_PORT		8035

struct pvctl_addr {
	bool is_unix;
	char host[PVCTL_ADDR_MAX];	/* name or IP literal (no brackets) */
	uint16_t port;
	char path[108];			/* Unix socket path (sun_path size) */
	char display[PVCTL_ADDR_MAX + 16];	/* for messages: "127.0.0.1:8035" */
};

/* "HOST:PORT", "HOST" (port 8035), "[V6]:PORT", "unix:/path". -EINVAL with a reason. */
int pvctl_addr_parse(const char *s, struct pvctl_addr *a, char *err, size_t errlen);

struct pvctl_http_resp {
	int status;			/* 100..599 */
	char content_type[128];
	char *body;			/* malloc'ed, NUL-terminated (may contain NULs) */
	size_t body_len;
};

/*
 * Parse the response bytes received so far. 0: complete, @resp filled (free with
 * pvctl_http_resp_free); -EAGAIN: more bytes needed (only when !@eof); -EPROTO: malformed or
 * truncated; -EMSGSIZE: headers or body over the caps; -ENOMEM.
 */
int pvctl_http_parse(const char *buf, size_t len, bool eof, struct pvctl_http_resp *resp);
void pvctl_http_resp_free(struct pvctl_http_resp *resp);

struct pvctl_http_req {
	const char *method;		/* "GET", "PUT", ... */
	const char *target;		/* "/api/v1/vms?x=1", already encoded */
	const char *token;		/* bearer token or NULL */
	const char *body;		/* NULL = no body */
	size_t body_len;
	const char *content_type;	/* of the body; NULL = application/json */
};

enum pvctl_http_phase {
	PVCTL_HTTP_OK = 0,
	PVCTL_HTTP_RESOLVE,		/* host name lookup failed (detail says why) */
	PVCTL_HTTP_CONNECT,
	PVCTL_HTTP_SEND,
	PVCTL_HTTP_RECV,
	PVCTL_HTTP_PARSE,		/* the peer's bytes are not a valid HTTP response */
};

struct pvctl_http_fail {
	enum pvctl_http_phase phase;
	char detail[128];		/* resolver message, when phase is RESOLVE */
};

/*
 * Send @req to @a and read the response within @timeout_ms (whole exchange). 0 or -errno
 * (-ETIMEDOUT on the deadline); on failure @fail says where it failed.
 */
int pvctl_http_request(const struct pvctl_addr *a, const struct pvctl_http_req *req,
		       int timeout_ms, struct pvctl_http_resp *resp, struct pvctl_http_fail *fail);

#endif /* PV_API_PVCTL_HTTP_H */
