// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daemon's VMM control client over a real socketpair: replies matched by id, events
 * dispatched, and a descriptor passed with a reply reaches that reply even when an event
 * line arrives in the same read just before it (the hello race seen under load).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "daemon/vmmctl.h"

struct seen {
	int replies, events, err, fd;
	char event[32];
};

static void on_reply(void *arg, int err, json_t *result, const char *msg, int fd)
{
	struct seen *s = arg;

	(void)result;
	(void)msg;
	s->replies++;
	s->err = err;
	s->fd = fd;
}

static void on_event(void *arg, const char *name, json_t *ev)
{
	struct seen *s = arg;

	(void)ev;
	s->events++;
	snprintf(s->event, sizeof(s->event), "%s", name);
}

/* Send @text on @sock, with @fd attached when >= 0 (one sendmsg, as the VMM does). */
static void peer_send(int sock, const char *text, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { (void *)text, strlen(text) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *cm;

		memset(cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	assert_int_equal(sendmsg(sock, &msg, 0), (ssize_t)strlen(text));
}

static void connect_pair(struct vmmctl *c, struct seen *s, int *peer)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	memset(s, 0, sizeof(*s));
	s->fd = -2;
	vmmctl_init(c, on_event, s);
	c->fd = sv[0];
	*peer = sv[1];
}

static void test_reply_and_event(void **state)
{
	struct vmmctl c;
	struct seen s;
	char line[256];
	int peer;
	ssize_t n;

	(void)state;
	connect_pair(&c, &s, &peer);
	assert_int_equal(vmmctl_request(&c, "stats", NULL, 1000, on_reply, &s), 0);
	n = read(peer, line, sizeof(line) - 1);
	assert_true(n > 0);
	line[n] = '\0';
	assert_non_null(strstr(line, "\"cmd\":\"stats\""));
	peer_send(peer, "{\"event\":\"vcpu-state\",\"vcpu\":0,\"state\":\"running\"}\n", -1);
	peer_send(peer, "{\"id\":1,\"ok\":true,\"result\":{}}\n", -1);
	assert_int_equal(vmmctl_on_readable(&c), 0);
	assert_int_equal(s.events, 1);
	assert_string_equal(s.event, "vcpu-state");
	assert_int_equal(s.replies, 1);
	assert_int_equal(s.err, 0);
	assert_int_equal(s.fd, -1);
	assert_int_equal(c.protocol_errors, 0);
	close(peer);
	vmmctl_close(&c);
}

/* The event and the reply with its descriptor come back in one read. */
static void test_fd_survives_preceding_event(void **state)
{
	struct vmmctl c;
	struct seen s;
	char line[256];
	int peer, memfd = memfd_create("pv-test", MFD_CLOEXEC);

	(void)state;
	assert_true(memfd >= 0);
	connect_pair(&c, &s, &peer);
	assert_int_equal(vmmctl_request(&c, "hello", NULL, 1000, on_reply, &s), 0);
	assert_true(read(peer, line, sizeof(line)) > 0);
	peer_send(peer, "{\"event\":\"vcpu-state\",\"vcpu\":0,\"state\":\"running\"}\n", -1);
	peer_send(peer, "{\"id\":1,\"ok\":true,\"result\":{}}\n", memfd);
	close(memfd);
	assert_int_equal(vmmctl_on_readable(&c), 0);
	assert_int_equal(s.events, 1);
	assert_int_equal(s.replies, 1);
	assert_true(s.fd >= 0);		/* the reply got the region */
	assert_int_equal(fcntl(s.fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	close(s.fd);
	close(peer);
	vmmctl_close(&c);
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* A reply to nobody is a protocol error and its descriptor is closed, not leaked. */
static void test_unknown_id_closes_fd(void **state)
{
	struct vmmctl c;
	struct seen s;
	int peer, memfd = memfd_create("pv-test", MFD_CLOEXEC), before;

	(void)state;
	connect_pair(&c, &s, &peer);
	peer_send(peer, "{\"id\":77,\"ok\":true,\"result\":{}}\n", memfd);
	close(memfd);
	before = open_fds();
	assert_int_equal(vmmctl_on_readable(&c), 0);
	assert_int_equal(s.replies, 0);
	assert_int_equal(c.protocol_errors, 1);
	assert_int_equal(c.pending_fd, -1);
	assert_int_equal(open_fds(), before);	/* received, then closed */
	close(peer);
	vmmctl_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_and_event),
		cmocka_unit_test(test_fd_survives_preceding_event),
		cmocka_unit_test(test_unknown_id_closes_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
