// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvctl's HTTP client: address parsing and response parsing as case tables (status line,
 * headers, Content-Length, chunked, read-to-EOF, interim 1xx, truncated and garbage input),
 * every response also fed byte by byte to check the incremental contract; then the real
 * transport against a canned-bytes server thread (chunked, close-delimited, truncated,
 * garbage, silence until the timeout, connection refused, Unix socket).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <cmocka.h>

#include "api/pvctl_http.h"

/* ---------------------------------------------------------------- addresses */

static const struct {
	const char *in;
	int rc;
	bool is_unix;
	const char *host;
	unsigned int port;
	const char *display;
} addr_cases[] = {
	{ "127.0.0.1:8035", 0, false, "127.0.0.1", 8035, "127.0.0.1:8035" },
	{ "localhost", 0, false, "localhost", 8035, "localhost:8035" },
	{ "node7.example:80", 0, false, "node7.example", 80, "node7.example:80" },
	{ "[::1]:9000", 0, false, "::1", 9000, "[::1]:9000" },
	{ "[::1]", 0, false, "::1", 8035, "[::1]:8035" },
	{ "unix:/run/powervisor/api.sock", 0, true, NULL, 0, "unix:/run/powervisor/api.sock" },
	{ "", -EINVAL, false, NULL, 0, NULL },
	{ "unix:", -EINVAL, false, NULL, 0, NULL },
	{ "host:0", -EINVAL, false, NULL, 0, NULL },
	{ "host:65536", -EINVAL, false, NULL, 0, NULL },
	{ "host:-1", -EINVAL, false, NULL, 0, NULL },
	{ "host:80x", -EINVAL, false, NULL, 0, NULL },
	{ "host:", -EINVAL, false, NULL, 0, NULL },
	{ ":8035", -EINVAL, false, NULL, 0, NULL },
	{ "::1:8035", -EINVAL, false, NULL, 0, NULL },
	{ "[::1", -EINVAL, false, NULL, 0, NULL },
	{ "[::1]x", -EINVAL, false, NULL, 0, NULL },
	{ "http://host:80", -EINVAL, false, NULL, 0, NULL },
	{ "a b:80", -EINVAL, false, NULL, 0, NULL },
};

static void test_addr_parse(void **state)
{
	struct pvctl_addr a;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
		int rc = pvctl_addr_parse(addr_cases[i].in, &a, err, sizeof(err));

		if (rc != addr_cases[i].rc)
			fail_msg("case %zu '%s': rc %d, want %d", i, addr_cases[i].in, rc,
				 addr_cases[i].rc);
		if (rc) {
			assert_true(strlen(err) > 0);
			continue;
		}
		assert_int_equal(a.is_unix, addr_cases[i].is_unix);
		assert_string_equal(a.display, addr_cases[i].display);
		if (!a.is_unix) {
			assert_string_equal(a.host, addr_cases[i].host);
			assert_int_equal(a.port, addr_cases[i].port);
		}
	}
}

/* ---------------------------------------------------------------- response parsing */

#define OK_HDR "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"

static const struct {
	const char *name;
	const char *in;
	int rc_partial;		/* with eof = false */
	int rc_eof;		/* with eof = true */
	int status;
	const char *body;
	const char *ctype;
} parse_cases[] = {
	{ "content-length", OK_HDR "Content-Length: 7\r\n\r\n{\"a\":1}", 0, 0, 200, "{\"a\":1}",
	  "application/json" },
	{ "content-length, extra bytes ignored", OK_HDR "Content-Length: 2\r\n\r\n{}xx", 0, 0, 200,
	  "{}", "application/json" },
	{ "content-length zero", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, 0, 200, "",
	  "" },
	{ "http/1.0, no reason", "HTTP/1.0 404\r\nContent-Length: 2\r\n\r\nno", 0, 0, 404, "no",
	  "" },
	{ "case-insensitive names, OWS", "HTTP/1.1 201 Created\r\ncontent-length:   3  \r\n"
	  "CONTENT-TYPE:text/plain\r\n\r\nabc", 0, 0, 201, "abc", "text/plain" },
	{ "duplicate equal lengths", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2"
	  "\r\n\r\nok", 0, 0, 200, "ok", "" },
	{ "chunked", OK_HDR "Transfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3;ext=1\r\n:1}\r\n"
	  "0\r\n\r\n", 0, 0, 200, "{\"a\":1}", "application/json" },
	{ "chunked, upper-case hex, trailers", "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n"
	  "\r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n", 0, 0, 200, "0123456789", "" },
	{ "chunked wins over content-length", "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n", 0, 0, 200, "hi", "" },
	{ "read to EOF", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close", -EAGAIN,
	  0, 200, "until close", "text/plain" },
	{ "204 has no body", "HTTP/1.1 204 No Content\r\n\r\n", 0, 0, 204, "", "" },
	{ "204 ignores length", "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", 0, 0,
	  204, "", "" },
	{ "100 continue skipped", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"
	  "Content-Length: 1\r\n\r\nx", 0, 0, 200, "x", "" },
	{ "error status with body", "HTTP/1.1 409 Conflict\r\nContent-Length: 2\r\n\r\n{}", 0, 0,
	  409, "{}", "" },
	/* incomplete: wait for more, and at EOF it is a truncation */
	{ "empty", "", -EAGAIN, -EPROTO, 0, NULL, NULL },
	{ "partial status line", "HTTP/1.1 20", -EAGAIN, -EPROTO, 0, NULL, NULL },
	{ "no blank line", OK_HDR "Content-Length: 2\r\n", -EAGAIN, -EPROTO, 0, NULL, NULL },
	{ "short body", OK_HDR "Content-Length: 10\r\n\r\n12345", -EAGAIN, -EPROTO, 0, NULL,
	  NULL },
	{ "chunk cut", OK_HDR "Transfer-Encoding: chunked\r\n\r\n5\r\nab", -EAGAIN, -EPROTO, 0,
	  NULL, NULL },
	{ "no last chunk", OK_HDR "Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n", -EAGAIN,
	  -EPROTO, 0, NULL, NULL },
	{ "no final CRLF", OK_HDR "Transfer-Encoding: chunked\r\n\r\n0\r\n", -EAGAIN, -EPROTO, 0,
	  NULL, NULL },
	{ "interim only", "HTTP/1.1 100 Continue\r\n\r\n", -EAGAIN, -EPROTO, 0, NULL, NULL },
	/* garbage */
	{ "not http", "SSH-2.0-OpenSSH_9.2\r\n", -EPROTO, -EPROTO, 0, NULL, NULL },
	{ "html", "<html>", -EPROTO, -EPROTO, 0, NULL, NULL },
	{ "http/2 status", "HTTP/2 200\r\n\r\n", -EPROTO, -EPROTO, 0, NULL, NULL },
	{ "bad status code", "HTTP/1.1 2x0 OK\r\n\r\n", -EPROTO, -EPROTO, 0, NULL, NULL },
	{ "status 600", "HTTP/1.1 600 Odd\r\n\r\n", -EPROTO, -EPROTO, 0, NULL, NULL },
	{ "status 099", "HTTP/1.1 099 Odd\r\n\r\n", -EPROTO, -EPROTO, 0, NULL, NULL },
	{ "no space after code", "HTTP/1.1 200OK\r\n\r\n", -EPROTO, -EPROTO, 0, NULL, NULL },
	{ "101 switching", "HTTP/1.1 101 Switching\r\n\r\n", -EPROTO, -EPROTO, 0, NULL, NULL },
	{ "header without colon", "HTTP/1.1 200 OK\r\nBroken header\r\n\r\n", -EPROTO, -EPROTO,
	  0, NULL, NULL },
	{ "space in header name", "HTTP/1.1 200 OK\r\nContent Length: 1\r\n\r\nx", -EPROTO,
	  -EPROTO, 0, NULL, NULL },
	{ "obs-fold", "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n", -EPROTO, -EPROTO, 0, NULL,
	  NULL },
	{ "control char in value", "HTTP/1.1 200 OK\r\nX-A: a\001b\r\n\r\n", -EPROTO, -EPROTO, 0,
	  NULL, NULL },
	{ "negative length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", -EPROTO, -EPROTO,
	  0, NULL, NULL },
	{ "length with junk", "HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n", -EPROTO,
	  -EPROTO, 0, NULL, NULL },
	{ "empty length", "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", -EPROTO, -EPROTO, 0, NULL,
	  NULL },
	{ "conflicting lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n"
	  "\r\nxx", -EPROTO, -EPROTO, 0, NULL, NULL },
	{ "huge length", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
	  -EMSGSIZE, -EMSGSIZE, 0, NULL, NULL },
	{ "gzip coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", -EPROTO,
	  -EPROTO, 0, NULL, NULL },
	{ "bad chunk size", OK_HDR "Transfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n",
	  -EPROTO, -EPROTO, 0, NULL, NULL },
	{ "chunk size overflow", OK_HDR "Transfer-Encoding: chunked\r\n\r\n"
	  "FFFFFFFFFFFFFFFFFFFF\r\n", -EMSGSIZE, -EMSGSIZE, 0, NULL, NULL },
	{ "chunk data too long", OK_HDR "Transfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
	  -EPROTO, -EPROTO, 0, NULL, NULL },
	{ "bare LF line ends", "HTTP/1.1 200 OK\nContent-Length: 1\n\nx", -EAGAIN, -EPROTO, 0,
	  NULL, NULL },
};

static void test_parse_cases(void **state)
{
	struct pvctl_http_resp r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const char *in = parse_cases[i].in;
		int eof;

		for (eof = 0; eof <= 1; eof++) {
			int want = eof ? parse_cases[i].rc_eof : parse_cases[i].rc_partial;
			int rc = pvctl_http_parse(in, strlen(in), eof, &r);

			if (rc != want)
				fail_msg("case '%s' eof=%d: rc %d, want %d", parse_cases[i].name, eof,
					 rc, want);
			if (rc)
				continue;
			assert_int_equal(r.status, parse_cases[i].status);
			assert_string_equal(r.body, parse_cases[i].body);
			assert_int_equal(r.body_len, strlen(parse_cases[i].body));
			assert_string_equal(r.content_type, parse_cases[i].ctype);
			pvctl_http_resp_free(&r);
		}
	}
}

/* Every prefix of a complete response is "need more" (or already complete), never garbage. */
static void test_parse_incremental(void **state)
{
	struct pvctl_http_resp r;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const char *in = parse_cases[i].in;
		bool done = false;

		if (parse_cases[i].rc_eof)
			continue;
		for (n = 0; n <= strlen(in); n++) {
			int rc = pvctl_http_parse(in, n, false, &r);

			if (rc == 0) {
				pvctl_http_resp_free(&r);
				done = true;
			} else if (rc != -EAGAIN) {
				fail_msg("case '%s' prefix %zu: rc %d", parse_cases[i].name, n, rc);
			} else if (done) {
				fail_msg("case '%s' prefix %zu: complete, then incomplete",
					 parse_cases[i].name, n);
			}
		}
	}
}

static void test_parse_binary_body_and_caps(void **state)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
	char buf[64], *big;
	struct pvctl_http_resp r;
	size_t n;

	(void)state;
	memcpy(buf, head, sizeof(head) - 1);
	memcpy(buf + sizeof(head) - 1, "a\0b\0c", 5);
	assert_int_equal(pvctl_http_parse(buf, sizeof(head) - 1 + 5, false, &r), 0);
	assert_int_equal(r.body_len, 5);
	assert_memory_equal(r.body, "a\0b\0c", 5);
	pvctl_http_resp_free(&r);

	/* a header block over the cap is rejected without waiting for the end */
	n = PVCTL_HTTP_HDR_MAX + 100;
	big = malloc(n);
	assert_non_null(big);
	memcpy(big, "HTTP/1.1 200 OK\r\nX-Big: ", 24);
	memset(big + 24, 'a', n - 24);
	assert_int_equal(pvctl_http_parse(big, n, false, &r), -EMSGSIZE);
	free(big);
}

/* ---------------------------------------------------------------- transport */

struct canned {
	int lfd;
	const char *reply;	/* NULL: read the request and stay silent */
	size_t split;		/* send in two parts at this offset (0 = one part) */
	char request[2048];
};

static void *canned_serve(void *arg)
{
	struct canned *c = arg;
	size_t got = 0;
	int fd = accept(c->lfd, NULL, NULL);

	if (fd < 0)
		return NULL;
	while (got < sizeof(c->request) - 1 && !strstr(c->request, "\r\n\r\n")) {
		ssize_t n = recv(fd, c->request + got, sizeof(c->request) - 1 - got, 0);

		if (n <= 0)
			break;
		got += (size_t)n;
		c->request[got] = '\0';
	}
	if (c->reply) {
		size_t len = strlen(c->reply);

		if (c->split && c->split < len) {
			send(fd, c->reply, c->split, MSG_NOSIGNAL);
			usleep(20000);
			send(fd, c->reply + c->split, len - c->split, MSG_NOSIGNAL);
		} else {
			send(fd, c->reply, len, MSG_NOSIGNAL);
		}
	} else {
		usleep(400000);
	}
	close(fd);
	return NULL;
}

static int canned_listen(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static int canned_exchange(const char *reply, size_t split, int timeout_ms,
			   const struct pvctl_http_req *req, struct pvctl_http_resp *r,
			   struct pvctl_http_fail *fail, struct canned *c)
{
	struct pvctl_addr a;
	char addr[64];
	pthread_t th;
	uint16_t port;
	int rc;

	memset(c, 0, sizeof(*c));
	c->lfd = canned_listen(&port);
	c->reply = reply;
	c->split = split;
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", (unsigned int)port);
	assert_int_equal(pvctl_addr_parse(addr, &a, NULL, 0), 0);
	assert_int_equal(pthread_create(&th, NULL, canned_serve, c), 0);
	rc = pvctl_http_request(&a, req, timeout_ms, r, fail);
	pthread_join(th, NULL);
	close(c->lfd);
	return rc;
}

static void test_transport(void **state)
{
	const struct pvctl_http_req get = { .method = "GET", .target = "/api/v1/vms",
					    .token = "tok-0123456789abcdef" };
	const struct pvctl_http_req put = { .method = "PUT", .target = "/api/v1/power",
					    .body = "{\"governor\":\"powersave\"}", .body_len = 24 };
	struct pvctl_http_resp r;
	struct pvctl_http_fail fail;
	struct canned c;

	(void)state;
	/* chunked, split across two writes */
	assert_int_equal(canned_exchange("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
					 "3\r\n{\"a\r\n4\r\n\":1}\r\n0\r\n\r\n", 50, 2000, &get, &r,
					 &fail, &c), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "{\"a\":1}");
	pvctl_http_resp_free(&r);
	assert_non_null(strstr(c.request, "GET /api/v1/vms HTTP/1.1\r\n"));
	assert_non_null(strstr(c.request, "Authorization: Bearer tok-0123456789abcdef\r\n"));
	assert_non_null(strstr(c.request, "Connection: close\r\n"));

	/* a body is sent with its length; close-delimited reply */
	assert_int_equal(canned_exchange("HTTP/1.1 200 OK\r\n\r\nbye", 0, 2000, &put, &r, &fail,
					 &c), 0);
	assert_string_equal(r.body, "bye");
	pvctl_http_resp_free(&r);
	assert_non_null(strstr(c.request, "Content-Length: 24\r\n"));
	assert_null(strstr(c.request, "Authorization"));

	/* truncated, garbage, silence */
	assert_int_equal(canned_exchange("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort", 0,
					 2000, &get, &r, &fail, &c), -EPROTO);
	assert_int_equal(fail.phase, PVCTL_HTTP_PARSE);
	assert_int_equal(canned_exchange("220 smtp.example ESMTP\r\n", 0, 2000, &get, &r, &fail,
					 &c), -EPROTO);
	assert_int_equal(fail.phase, PVCTL_HTTP_PARSE);
	assert_int_equal(canned_exchange(NULL, 0, 150, &get, &r, &fail, &c), -ETIMEDOUT);
	assert_int_equal(fail.phase, PVCTL_HTTP_RECV);
}

static void test_connect_errors(void **state)
{
	const struct pvctl_http_req get = { .method = "GET", .target = "/healthz" };
	struct pvctl_http_resp r;
	struct pvctl_http_fail fail;
	struct pvctl_addr a;
	char addr[64];
	uint16_t port;
	int fd;

	(void)state;
	fd = canned_listen(&port);
	close(fd);	/* nobody listens there now */
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", (unsigned int)port);
	assert_int_equal(pvctl_addr_parse(addr, &a, NULL, 0), 0);
	assert_int_equal(pvctl_http_request(&a, &get, 1000, &r, &fail), -ECONNREFUSED);
	assert_int_equal(fail.phase, PVCTL_HTTP_CONNECT);

	assert_int_equal(pvctl_addr_parse("unix:/nonexistent/pvctl-test.sock", &a, NULL, 0), 0);
	assert_int_equal(pvctl_http_request(&a, &get, 1000, &r, &fail), -ENOENT);
	assert_int_equal(fail.phase, PVCTL_HTTP_CONNECT);

	assert_int_equal(pvctl_addr_parse("no-such-host.invalid:80", &a, NULL, 0), 0);
	assert_true(pvctl_http_request(&a, &get, 1000, &r, &fail) < 0);
	assert_int_equal(fail.phase, PVCTL_HTTP_RESOLVE);
	assert_true(strlen(fail.detail) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_parse),
		cmocka_unit_test(test_parse_cases),
		cmocka_unit_test(test_parse_incremental),
		cmocka_unit_test(test_parse_binary_body_and_caps),
		cmocka_unit_test(test_transport),
		cmocka_unit_test(test_connect_errors),
	};

	return cmocka_run_group_tests_name("pvctl_http", tests, NULL, NULL);
}
