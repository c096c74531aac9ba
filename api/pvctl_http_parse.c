// SPDX-License-Identifier: GPL-2.0-only
/*
 * HTTP/1.x response parsing for pvctl (RFC 9112), as a pure function of the bytes received.
 *
 * Design: pvctl_http_parse() is called after every read with everything received so far
 * and answers "complete", "need more" or "invalid". It is strict on purpose — a CLI talking
 * to its own daemon gains nothing from guessing: CRLF line ends, a well-formed status line,
 * token header names, no obs-fold, one consistent Content-Length, and only the chunked
 * transfer coding. Transfer-Encoding wins over Content-Length (RFC 9112 §6.3). Interim 1xx
 * responses are skipped; 204 and 304 carry no body. Without either length header the body
 * runs to the end of the connection, so only EOF completes it. Re-parsing from the start on
 * every read costs one pass over the header block and the chunk headers, never the data.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/pvctl_http.h"

enum body_kind {
	BODY_NONE,		/* 1xx, 204, 304 */
	BODY_LENGTH,		/* Content-Length */
	BODY_CHUNKED,
	BODY_EOF,		/* until the connection closes */
};

struct head {
	int status;
	size_t head_len;	/* bytes up to and including the blank line */
	enum body_kind kind;
	size_t content_length;
	char content_type[128];
};

static bool http_is_tchar(char c)
{
	return isalnum((unsigned char)c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Find "\r\n" in [p, end); NULL when absent. A bare CR or LF elsewhere is invalid. */
static const char *http_find_crlf(const char *p, const char *end)
{
	const char *q = memchr(p, '\r', (size_t)(end - p));

	return q && q + 1 < end && q[1] == '\n' ? q : NULL;
}

static int http_parse_status_line(const char *p, const char *eol, int *status)
{
	size_t n = (size_t)(eol - p);
	const char *q;

	if (n < 12 || memcmp(p, "HTTP/1.", 7) || (p[7] != '0' && p[7] != '1') || p[8] != ' ')
		return -EPROTO;
	if (!isdigit((unsigned char)p[9]) || !isdigit((unsigned char)p[10]) ||
	    !isdigit((unsigned char)p[11]) || p[9] < '1' || p[9] > '5')
		return -EPROTO;
	if (n > 12 && p[12] != ' ')
		return -EPROTO;
	for (q = p + 12; q < eol; q++)
		if ((unsigned char)*q < 0x20 && *q != '\t')
			return -EPROTO;
	*status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	return 0;
}

static void http_trim(const char **v, const char **vend)
{
	while (*v < *vend && (**v == ' ' || **v == '\t'))
		(*v)++;
	while (*vend > *v && ((*vend)[-1] == ' ' || (*vend)[-1] == '\t'))
		(*vend)--;
}

static int http_parse_length(const char *v, const char *vend, size_t *out)
{
	size_t n = 0;

	if (v == vend)
		return -EPROTO;
	for (; v < vend; v++) {
		if (!isdigit((unsigned char)*v))
			return -EPROTO;
		if (n > PVCTL_HTTP_BODY_MAX / 10)
			return -EMSGSIZE;
		n = n * 10 + (size_t)(*v - '0');
	}
	if (n > PVCTL_HTTP_BODY_MAX)
		return -EMSGSIZE;
	*out = n;
	return 0;
}

/* One header line [p, eol): validate and record the headers that matter. */
static int http_parse_header(const char *p, const char *eol, struct head *h, bool *have_cl,
			     bool *have_te)
{
	const char *colon = memchr(p, ':', (size_t)(eol - p)), *v, *vend, *q;
	size_t cl;
	int err;

	if (!colon || colon == p)
		return -EPROTO;
	for (q = p; q < colon; q++)
		if (!http_is_tchar(*q))
			return -EPROTO;	/* also rejects obs-fold (leading space) */
	v = colon + 1;
	vend = eol;
	for (q = v; q < vend; q++)
		if (((unsigned char)*q < 0x20 && *q != '\t') || *q == 0x7f)
			return -EPROTO;
	http_trim(&v, &vend);
	if ((size_t)(colon - p) == 14 && !strncasecmp(p, "Content-Length", 14)) {
		err = http_parse_length(v, vend, &cl);
		if (err)
			return err;
		if (*have_cl && cl != h->content_length)
			return -EPROTO;
		*have_cl = true;
		h->content_length = cl;
	} else if ((size_t)(colon - p) == 17 && !strncasecmp(p, "Transfer-Encoding", 17)) {
		if ((size_t)(vend - v) != 7 || strncasecmp(v, "chunked", 7) || *have_te)
			return -EPROTO;	/* only a single "chunked" is supported */
		*have_te = true;
	} else if ((size_t)(colon - p) == 12 && !strncasecmp(p, "Content-Type", 12)) {
		size_t n = (size_t)(vend - v);

		if (n >= sizeof(h->content_type))
			n = sizeof(h->content_type) - 1;
		memcpy(h->content_type, v, n);
		h->content_type[n] = '\0';
	}
	return 0;
}

/* Parse one response head starting at @buf. */
static int http_parse_head(const char *buf, size_t len, bool eof, struct head *h)
{
	const char *end = buf + len, *p = buf, *eol;
	bool have_cl = false, have_te = false;
	int err;

	memset(h, 0, sizeof(*h));
	if (len && memcmp(buf, "HTTP/", len < 5 ? len : 5))
		return -EPROTO;		/* not HTTP at all: fail fast, don't wait */
	eol = http_find_crlf(p, end);
	if (!eol)
		goto incomplete;
	err = http_parse_status_line(p, eol, &h->status);
	if (err)
		return err;
	for (p = eol + 2;; p = eol + 2) {
		eol = http_find_crlf(p, end);
		if (!eol)
			goto incomplete;
		if (eol == p)
			break;
		if ((size_t)(eol - buf) > PVCTL_HTTP_HDR_MAX)
			return -EMSGSIZE;
		err = http_parse_header(p, eol, h, &have_cl, &have_te);
		if (err)
			return err;
	}
	h->head_len = (size_t)(eol + 2 - buf);
	if (h->status < 200 || h->status == 204 || h->status == 304)
		h->kind = BODY_NONE;
	else if (have_te)
		h->kind = BODY_CHUNKED;
	else if (have_cl)
		h->kind = BODY_LENGTH;
	else
		h->kind = BODY_EOF;
	return 0;
incomplete:
	if (len > PVCTL_HTTP_HDR_MAX)
		return -EMSGSIZE;
	return eof ? -EPROTO : -EAGAIN;
}

static int http_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Walk a chunked body in [p, end). With @out NULL, validate and set *total; with @out,
 * copy the data (the walk has already succeeded once).
 */
static int http_walk_chunks(const char *p, const char *end, bool eof, char *out, size_t *total)
{
	size_t sum = 0;

	for (;;) {
		const char *eol = http_find_crlf(p, end), *q;
		size_t size = 0;
		int digits = 0, d;

		if (!eol) {
			if ((size_t)(end - p) > PVCTL_HTTP_LINE_MAX)
				return -EPROTO;
			return eof ? -EPROTO : -EAGAIN;
		}
		if ((size_t)(eol - p) > PVCTL_HTTP_LINE_MAX)
			return -EPROTO;
		for (q = p; q < eol && (d = http_hex(*q)) >= 0; q++, digits++) {
			if (digits >= 15)
				return -EMSGSIZE;
			size = size * 16 + (size_t)d;
		}
		if (!digits || (q < eol && *q != ';' && *q != ' ' && *q != '\t'))
			return -EPROTO;	/* chunk extensions are allowed and ignored */
		p = eol + 2;
		if (size == 0)
			break;
		if (size > PVCTL_HTTP_BODY_MAX - sum)
			return -EMSGSIZE;
		if ((size_t)(end - p) < size + 2)
			return eof ? -EPROTO : -EAGAIN;
		if (p[size] != '\r' || p[size + 1] != '\n')
			return -EPROTO;
		if (out)
			memcpy(out + sum, p, size);
		sum += size;
		p += size + 2;
	}
	for (;;) {	/* trailer section, ended by an empty line */
		const char *eol = http_find_crlf(p, end);

		if (!eol) {
			if ((size_t)(end - p) > PVCTL_HTTP_LINE_MAX)
				return -EPROTO;
			return eof ? -EPROTO : -EAGAIN;
		}
		if (eol == p)
			break;
		if (!memchr(p, ':', (size_t)(eol - p)))
			return -EPROTO;
		p = eol + 2;
	}
	*total = sum;
	return 0;
}

static int http_set_body(struct pvctl_http_resp *resp, const char *data, size_t n)
{
	resp->body = malloc(n + 1);
	if (!resp->body)
		return -ENOMEM;
	if (data)
		memcpy(resp->body, data, n);
	resp->body[n] = '\0';
	resp->body_len = n;
	return 0;
}

int pvctl_http_parse(const char *buf, size_t len, bool eof, struct pvctl_http_resp *resp)
{
	const char *body;
	struct head h;
	size_t avail, total;
	int err;

	memset(resp, 0, sizeof(*resp));
	for (;;) {
		err = http_parse_head(buf, len, eof, &h);
		if (err)
			return err;
		if (h.status >= 200)
			break;
		if (h.status == 101)
			return -EPROTO;	/* we never asked to switch protocols */
		buf += h.head_len;	/* interim response: the final one follows */
		len -= h.head_len;
		if (!len && eof)
			return -EPROTO;
	}
	body = buf + h.head_len;
	avail = len - h.head_len;
	switch (h.kind) {
	case BODY_NONE:
		err = http_set_body(resp, NULL, 0);
		break;
	case BODY_LENGTH:
		if (avail < h.content_length)
			return eof ? -EPROTO : -EAGAIN;
		err = http_set_body(resp, body, h.content_length);
		break;
	case BODY_CHUNKED:
		err = http_walk_chunks(body, body + avail, eof, NULL, &total);
		if (err)
			return err;
		err = http_set_body(resp, NULL, total);
		if (!err)
			err = http_walk_chunks(body, body + avail, eof, resp->body, &total);
		break;
	case BODY_EOF:
	default:
		if (!eof)
			return avail > PVCTL_HTTP_BODY_MAX ? -EMSGSIZE : -EAGAIN;
		if (avail > PVCTL_HTTP_BODY_MAX)
			return -EMSGSIZE;
		err = http_set_body(resp, body, avail);
		break;
	}
	if (err) {
		pvctl_http_resp_free(resp);
		return err;
	}
	resp->status = h.status;
	memcpy(resp->content_type, h.content_type, sizeof(resp->content_type));
	return 0;
}

void pvctl_http_resp_free(struct pvctl_http_resp *resp)
{
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
}
