// SPDX-License-Identifier: GPL-2.0-only
/* Minimal HTTP/1.1 client for tests ("Connection: close", reads to EOF). */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "tests/common/http_client.h"

static int connect_to(uint16_t port, const char *unix_path)
{
	int fd;

	if (unix_path) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", unix_path);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			return fd;
	} else {
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
					   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
			return fd;
	}
	if (fd >= 0)
		close(fd);
	return -errno;
}

static int send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0)
			return errno == EINTR ? 0 : -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int parse_response(char *buf, size_t len, struct http_result *res)
{
	char *hdr_end = strstr(buf, "\r\n\r\n"), *line, *save = NULL;

	if (!hdr_end || sscanf(buf, "HTTP/1.%*d %d", &res->status) != 1)
		return -EPROTO;
	*hdr_end = '\0';
	for (line = strtok_r(buf, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save))
		if (!strncasecmp(line, "Content-Type:", 13))
			snprintf(res->content_type, sizeof(res->content_type), "%s", line + 14);
	res->body_len = len - (size_t)(hdr_end + 4 - buf);
	res->body = malloc(res->body_len + 1);
	if (!res->body)
		return -ENOMEM;
	memcpy(res->body, hdr_end + 4, res->body_len);
	res->body[res->body_len] = '\0';
	return 0;
}

int http_request(uint16_t port, const char *unix_path, const char *method, const char *path,
		 const char *token, const char *body, size_t body_len, int timeout_ms,
		 struct http_result *res)
{
	char head[1024], *buf = NULL;
	size_t len = 0, cap = 0;
	int fd, err, n;

	memset(res, 0, sizeof(*res));
	fd = connect_to(port, unix_path);
	if (fd < 0)
		return fd;
	n = snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
		     "%s%s%sContent-Length: %zu\r\n\r\n", method, path,
		     token ? "Authorization: Bearer " : "", token ? token : "", token ? "\r\n" : "",
		     body ? body_len : 0);
	err = send_all(fd, head, (size_t)n);
	if (!err && body)
		err = send_all(fd, body, body_len);
	while (!err) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t got;

		if (poll(&pfd, 1, timeout_ms) <= 0) {
			err = -ETIMEDOUT;
			break;
		}
		if (len + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);

			if (!nb) {
				err = -ENOMEM;
				break;
			}
			buf = nb;
		}
		got = recv(fd, buf + len, cap - len - 1, 0);
		if (got < 0) {
			err = -errno;
			break;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	if (!err && buf) {
		buf[len] = '\0';
		err = parse_response(buf, len, res);
	} else if (!err) {
		err = -EPROTO;
	}
	free(buf);
	return err;
}

void http_result_free(struct http_result *res)
{
	free(res->body);
	res->body = NULL;
}
