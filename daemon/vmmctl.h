/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's side of a pv-vmm control socket (protocol: vmm/ctl_proto.h), non-blocking so
 * that a slow or hostile VMM can never stall the policy loop: requests are written and
 * forgotten; the loop calls vmmctl_on_readable() when epoll says so, and each reply is
 * matched to its request by id and handed to the request's callback. Requests not answered
 * within their deadline are failed with -ETIMEDOUT by vmmctl_expire(). Pushed events go to
 * the event callback. File descriptors passed with a reply (the trace memfd of `hello`)
 * are delivered with it. Everything the VMM sends is untrusted: lines are length-capped,
 * must be JSON objects, and unknown ids are ignored.
 */
#ifndef PV_DAEMON_VMMCTL_H
#define PV_DAEMON_VMMCTL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#define VMMCTL_LINE_MAX		65536		/* `stats` replies are large */
#define VMMCTL_MAX_PENDING	32
#define DEF_VMMCTL_TIMEOUT_MS	2000u

/*
 * Reply callback: @err is 0 with @result (borrowed) on success, -EREMOTEIO with the VMM's
 * message in @msg when it answered an error, -ETIMEDOUT / -ECONNRESET otherwise. @fd is a
 * received descriptor (ownership passes to the callback) or -1.
 */
typedef void (*vmmctl_reply_fn)(void *arg, int err, json_t *result, const char *msg, int fd);
/* Event callback: @name and the whole event object (borrowed). */
typedef void (*vmmctl_event_fn)(void *arg, const char *name, json_t *ev);

struct vmmctl_pending {
	int64_t id;			/* 0 = free */
	uint64_t deadline_ns;
	vmmctl_reply_fn fn;
	void *arg;
};

struct vmmctl {
	int fd;				/* -1 when not connected */
	int64_t next_id;
	char *buf;			/* partial input line */
	size_t len;
	int pending_fd;			/* descriptor received, waiting for its line */
	struct vmmctl_pending pend[VMMCTL_MAX_PENDING];
	vmmctl_event_fn on_event;
	void *event_arg;
	uint64_t protocol_errors;	/* garbage from the VMM, counted */
};

void vmmctl_init(struct vmmctl *c, vmmctl_event_fn on_event, void *event_arg);
/* Connect to @path without blocking: 0, or -errno (-ENOENT / -ECONNREFUSED: not up yet). */
int vmmctl_connect(struct vmmctl *c, const char *path);
/* Fail every pending request with -ECONNRESET and close. */
void vmmctl_close(struct vmmctl *c);
bool vmmctl_connected(const struct vmmctl *c);

/*
 * Send {"id":N,"cmd":@cmd, ...@args} (@args: an object whose members are merged, may be
 * NULL; not stolen). @fn (NULL: fire and forget) is called exactly once, later. 0 or -errno
 * (then @fn is not called).
 */
int vmmctl_request(struct vmmctl *c, const char *cmd, json_t *args, unsigned int timeout_ms,
		   vmmctl_reply_fn fn, void *arg);

/* epoll said readable: read, dispatch replies and events. -ECONNRESET when the peer left. */
int vmmctl_on_readable(struct vmmctl *c);
/* Fail requests whose deadline passed at @now_ns. */
void vmmctl_expire(struct vmmctl *c, uint64_t now_ns);

/*
 * Parse one line as the VMM would send it; dispatches like vmmctl_on_readable. Exposed for
 * unit tests (fed hostile lines).
 */
void vmmctl_handle_line(struct vmmctl *c, const char *line, size_t len);

#endif /* PV_DAEMON_VMMCTL_H */
