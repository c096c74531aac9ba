// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvctl's HTTP transport: address parsing, connect (TCP via getaddrinfo, or a Unix socket),
 * send, and receive until pvctl_http_parse() says the response is complete. Sockets are
 * non-blocking and every wait is a poll() bounded by one deadline for the whole exchange,
 * so a daemon that accepts but never answers costs at most the timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "api/pvctl_err.h"
#include "api/pvctl_http.h"

#define HTTP_READ_CHUNK		(64 * 1024)

static int http_parse_port(const char *s, uint16_t *port)
{
	char *end;
	long v;

	if (!*s || *s == '+' || *s == '-' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int pvctl_addr_parse(const char *s, struct pvctl_addr *a, char *err, size_t errlen)
{
	const char *host = s, *colon, *port_s = NULL;
	size_t hlen;

	memset(a, 0, sizeof(*a));
	if (!s || !*s)
		return pvctl_errf(err, errlen, "empty address");
	if (!strncmp(s, "unix:", 5)) {
		if (s[5] == '\0')
			return pvctl_errf(err, errlen, "'%s': missing socket path after unix:", s);
		if (strlen(s + 5) >= sizeof(a->path))
			return pvctl_errf(err, errlen, "'%s': socket path too long", s);
		a->is_unix = true;
		snprintf(a->path, sizeof(a->path), "%s", s + 5);
		snprintf(a->display, sizeof(a->display), "%s", s);
		return 0;
	}
	if (*s == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb == s + 1 || (rb[1] && rb[1] != ':'))
			return pvctl_errf(err, errlen, "'%s': expected [IPv6]:PORT", s);
		host = s + 1;
		hlen = (size_t)(rb - host);
		if (rb[1] == ':')
			port_s = rb + 2;
	} else {
		colon = strrchr(s, ':');
		if (colon && strchr(s, ':') != colon)
			return pvctl_errf(err, errlen, "'%s': write IPv6 addresses as [ADDR]:PORT",
					  s);
		hlen = colon ? (size_t)(colon - s) : strlen(s);
		if (colon)
			port_s = colon + 1;
	}
	if (!hlen || hlen >= sizeof(a->host))
		return pvctl_errf(err, errlen, "'%s': expected HOST:PORT or unix:/path", s);
	memcpy(a->host, host, hlen);
	a->host[hlen] = '\0';
	if (strpbrk(a->host, " \t\r\n/@?#"))
		return pvctl_errf(err, errlen, "'%s': invalid host name", s);
	a->port = PVCTL_DEF_PORT;
	if (port_s && http_parse_port(port_s, &a->port))
		return pvctl_errf(err, errlen, "'%s': the port must be a number in 1..65535", s);
	snprintf(a->display, sizeof(a->display), *s == '[' ? "[%s]:%u" : "%s:%u", a->host,
		 (unsigned int)a->port);
	return 0;
}

static int64_t http_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for @events on @fd until @deadline_ms; 0, -ETIMEDOUT or -errno. */
static int http_wait(int fd, short events, int64_t deadline_ms)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = events };
		int64_t left = deadline_ms - http_now_ms();
		int n;

		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n < 0)
			return -EINTR;	/* Ctrl-C: let the caller give up promptly */
	}
}

static int http_connect_one(int family, const struct sockaddr *sa, socklen_t salen,
			    int64_t deadline_ms)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), err = 0;
	socklen_t elen = sizeof(err);

	if (fd < 0)
		return -errno;
	if (connect(fd, sa, salen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		err = -errno;
		goto out_close;
	}
	err = http_wait(fd, POLLOUT, deadline_ms);
	if (err)
		goto out_close;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
		err = errno;
	if (!err)
		return fd;
	err = -err;
out_close:
	close(fd);
	return err;
}

static int http_connect(const struct pvctl_addr *a, int64_t deadline_ms,
			struct pvctl_http_fail *fail)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	char port[8];
	int fd = -ECONNREFUSED, rc;

	if (a->is_unix) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		memcpy(sun.sun_path, a->path, sizeof(a->path) < sizeof(sun.sun_path) ?
		       sizeof(a->path) : sizeof(sun.sun_path));
		return http_connect_one(AF_UNIX, (struct sockaddr *)&sun, sizeof(sun), deadline_ms);
	}
	snprintf(port, sizeof(port), "%u", (unsigned int)a->port);
	rc = getaddrinfo(a->host, port, &hints, &res);
	if (rc) {
		fail->phase = PVCTL_HTTP_RESOLVE;
		snprintf(fail->detail, sizeof(fail->detail), "%s",
			 rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return rc == EAI_SYSTEM && errno ? -errno : -EHOSTUNREACH;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = http_connect_one(ai->ai_family, ai->ai_addr, ai->ai_addrlen, deadline_ms);
		if (fd >= 0 || fd == -ETIMEDOUT || fd == -EINTR)
			break;
	}
	freeaddrinfo(res);
	return fd;
}

static int http_send_all(int fd, const char *p, size_t len, int64_t deadline_ms)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		int err;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -errno;
			err = http_wait(fd, POLLOUT, deadline_ms);
			if (err)
				return err;
			continue;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int http_send_request(int fd, const struct pvctl_addr *a, const struct pvctl_http_req *req,
			     int64_t deadline_ms)
{
	char *head = NULL;
	int n, err;

	n = asprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: pvctl/1.0\r\n"
		     "Accept: application/json, text/plain;q=0.9\r\nConnection: close\r\n"
		     "%s%s%s" "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n",
		     req->method, req->target, a->is_unix ? "localhost" : a->display,
		     req->token ? "Authorization: Bearer " : "", req->token ? req->token : "",
		     req->token ? "\r\n" : "",
		     req->content_type ? req->content_type : "application/json",
		     req->body ? req->body_len : 0);
	if (n < 0)
		return -ENOMEM;
	err = http_send_all(fd, head, (size_t)n, deadline_ms);
	free(head);
	if (!err && req->body && req->body_len)
		err = http_send_all(fd, req->body, req->body_len, deadline_ms);
	return err;
}

static int http_recv_response(int fd, int64_t deadline_ms, struct pvctl_http_resp *resp,
			      struct pvctl_http_fail *fail)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	int err;

	for (;;) {
		ssize_t got;

		if (cap - len < HTTP_READ_CHUNK) {
			size_t ncap = cap ? cap * 2 : 2 * HTTP_READ_CHUNK;
			char *nb;

			if (ncap > PVCTL_HTTP_BODY_MAX + PVCTL_HTTP_HDR_MAX + 2 * HTTP_READ_CHUNK) {
				err = -EMSGSIZE;
				fail->phase = PVCTL_HTTP_PARSE;
				break;
			}
			nb = realloc(buf, ncap);
			if (!nb) {
				err = -ENOMEM;
				break;
			}
			buf = nb;
			cap = ncap;
		}
		got = recv(fd, buf + len, cap - len, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				err = http_wait(fd, POLLIN, deadline_ms);
				if (err)
					break;
				continue;
			}
			err = -errno;
			break;
		}
		len += (size_t)got;
		err = pvctl_http_parse(buf, len, got == 0, resp);
		if (err != -EAGAIN) {
			if (err && err != -ENOMEM)
				fail->phase = PVCTL_HTTP_PARSE;
			break;
		}
	}
	free(buf);
	return err;
}

int pvctl_http_request(const struct pvctl_addr *a, const struct pvctl_http_req *req,
		       int timeout_ms, struct pvctl_http_resp *resp, struct pvctl_http_fail *fail)
{
	int64_t deadline_ms = http_now_ms() + (timeout_ms > 0 ? timeout_ms : 1);
	int fd, err;

	memset(resp, 0, sizeof(*resp));
	memset(fail, 0, sizeof(*fail));
	fail->phase = PVCTL_HTTP_CONNECT;
	fd = http_connect(a, deadline_ms, fail);
	if (fd < 0)
		return fd;
	fail->phase = PVCTL_HTTP_SEND;
	err = http_send_request(fd, a, req, deadline_ms);
	if (!err) {
		fail->phase = PVCTL_HTTP_RECV;
		err = http_recv_response(fd, deadline_ms, resp, fail);
	}
	/*
	 * A server may answer (e.g. 413) and close before reading the whole body: the send
	 * fails with EPIPE/ECONNRESET but a response may be waiting. Try to read it.
	 */
	if (err == -EPIPE || err == -ECONNRESET) {
		if (fail->phase == PVCTL_HTTP_SEND) {
			fail->phase = PVCTL_HTTP_RECV;
			if (!http_recv_response(fd, deadline_ms, resp, fail))
				err = 0;
		}
	}
	close(fd);
	if (!err)
		fail->phase = PVCTL_HTTP_OK;
	return err;
}
