// SPDX-License-Identifier: GPL-2.0-only
/* Non-blocking JSON-lines client of a pv-vmm control socket (see vmmctl.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "daemon/vmmctl.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void vmmctl_init(struct vmmctl *c, vmmctl_event_fn on_event, void *event_arg)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->pending_fd = -1;
	c->next_id = 1;
	c->on_event = on_event;
	c->event_arg = event_arg;
}

bool vmmctl_connected(const struct vmmctl *c)
{
	return c->fd >= 0;
}

int vmmctl_connect(struct vmmctl *c, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	c->fd = fd;
	c->len = 0;
	return 0;
}

static void fail_all(struct vmmctl *c, int err)
{
	unsigned int i;

	for (i = 0; i < VMMCTL_MAX_PENDING; i++) {
		struct vmmctl_pending p = c->pend[i];

		if (!p.id)
			continue;
		c->pend[i].id = 0;
		if (p.fn)
			p.fn(p.arg, err, NULL, NULL, -1);
	}
}

void vmmctl_close(struct vmmctl *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->pending_fd >= 0)
		close(c->pending_fd);
	c->pending_fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->len = 0;
	fail_all(c, -ECONNRESET);
}

int vmmctl_request(struct vmmctl *c, const char *cmd, json_t *args, unsigned int timeout_ms,
		   vmmctl_reply_fn fn, void *arg)
{
	struct vmmctl_pending *slot = NULL;
	json_t *req;
	char *line;
	size_t len;
	ssize_t n;
	unsigned int i;

	if (c->fd < 0)
		return -ENOTCONN;
	for (i = 0; i < VMMCTL_MAX_PENDING && !slot; i++)
		if (!c->pend[i].id)
			slot = &c->pend[i];
	if (!slot)
		return -EBUSY;
	req = json_pack("{s:I, s:s}", "id", (json_int_t)c->next_id, "cmd", cmd);
	if (!req)
		return -ENOMEM;
	if (args)
		json_object_update(req, args);
	line = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!line)
		return -ENOMEM;
	len = strlen(line);
	line[len] = '\n';	/* the terminating NUL becomes the line end */
	n = send(c->fd, line, len + 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	free(line);
	/* control lines are small and the socket buffer is empty in practice: a short write
	 * means the VMM is not reading; treat it like a dead peer */
	if (n != (ssize_t)(len + 1))
		return n < 0 ? -errno : -EIO;
	slot->id = c->next_id++;
	slot->deadline_ns = mono_ns() + (uint64_t)timeout_ms * 1000000ull;
	slot->fn = fn;
	slot->arg = arg;
	return 0;
}

static struct vmmctl_pending *find_pending(struct vmmctl *c, int64_t id)
{
	unsigned int i;

	for (i = 0; id && i < VMMCTL_MAX_PENDING; i++)
		if (c->pend[i].id == id)
			return &c->pend[i];
	return NULL;
}

void vmmctl_handle_line(struct vmmctl *c, const char *line, size_t len)
{
	struct vmmctl_pending *p, done;
	json_t *j = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL), *id, *ok, *ev;
	int fd = c->pending_fd;

	c->pending_fd = -1;	/* a passed descriptor belongs to the line it came with */
	if (!json_is_object(j))
		goto out_protocol_error;
	ev = json_object_get(j, "event");
	if (json_is_string(ev)) {
		/* an event sent just before the reply that carries a descriptor can arrive in
		 * the same read: the descriptor is the reply's (the VMM never sends one with
		 * an event), so it waits for the next line */
		c->pending_fd = fd;
		fd = -1;
		if (c->on_event)
			c->on_event(c->event_arg, json_string_value(ev), j);
		goto out;
	}
	id = json_object_get(j, "id");
	ok = json_object_get(j, "ok");
	if (!json_is_integer(id) || !json_is_boolean(ok))
		goto out_protocol_error;
	p = find_pending(c, json_integer_value(id));
	if (!p)
		goto out_protocol_error;	/* late (already timed out) or invented */
	done = *p;
	p->id = 0;
	if (!done.fn)
		goto out;	/* fire-and-forget request */
	if (json_is_true(ok)) {
		json_t *res = json_object_get(j, "result");

		done.fn(done.arg, 0, json_is_object(res) ? res : NULL, NULL, fd);
	} else {
		const char *msg = json_string_value(json_object_get(j, "error"));

		done.fn(done.arg, -EREMOTEIO, NULL, msg ? msg : "error", fd);
	}
	json_decref(j);
	return;

out_protocol_error:
	c->protocol_errors++;
out:
	if (fd >= 0)
		close(fd);
	json_decref(j);
}

/* Receive what is there, keeping any SCM_RIGHTS descriptor for the next reply line. */
static ssize_t recv_some(struct vmmctl *c, char *buf, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 4)];
	struct iovec iov = { buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	ssize_t n = recvmsg(c->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	if (n < 0)
		return -errno;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		int fds[4];
		size_t nfd, i;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(fds, CMSG_DATA(cm), nfd * sizeof(int));
		for (i = 0; i < nfd; i++) {
			if (c->pending_fd < 0)
				c->pending_fd = fds[i];
			else
				close(fds[i]);	/* more than we asked for */
		}
	}
	return n;
}

int vmmctl_on_readable(struct vmmctl *c)
{
	char chunk[8192];
	ssize_t n;

	if (c->fd < 0)
		return -ENOTCONN;
	for (;;) {
		char *nl, *start;

		n = recv_some(c, chunk, sizeof(chunk));
		if (n == -EAGAIN || n == -EINTR)
			return 0;
		if (n <= 0) {
			vmmctl_close(c);
			return -ECONNRESET;
		}
		if (c->len + (size_t)n > VMMCTL_LINE_MAX) {
			/* a line longer than any honest reply: the VMM is broken or hostile */
			c->protocol_errors++;
			vmmctl_close(c);
			return -ECONNRESET;
		}
		if (!c->buf && !(c->buf = malloc(VMMCTL_LINE_MAX)))
			return -ENOMEM;
		memcpy(c->buf + c->len, chunk, (size_t)n);
		c->len += (size_t)n;
		start = c->buf;
		while ((nl = memchr(start, '\n', c->len - (size_t)(start - c->buf)))) {
			vmmctl_handle_line(c, start, (size_t)(nl - start));
			if (c->fd < 0)
				return -ECONNRESET;	/* a callback closed us */
			start = nl + 1;
		}
		c->len -= (size_t)(start - c->buf);
		memmove(c->buf, start, c->len);
	}
}

void vmmctl_expire(struct vmmctl *c, uint64_t now_ns)
{
	unsigned int i;

	for (i = 0; i < VMMCTL_MAX_PENDING; i++) {
		struct vmmctl_pending p = c->pend[i];

		if (!p.id || now_ns < p.deadline_ns)
			continue;
		c->pend[i].id = 0;
		if (p.fn)
			p.fn(p.arg, -ETIMEDOUT, NULL, NULL, -1);
	}
}
