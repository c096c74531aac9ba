// SPDX-License-Identifier: GPL-2.0-only
/*
 * Control server. Policy: a client can only ever hurt itself. Sockets are non-blocking;
 * a line longer than CTL_LINE_MAX gets an error reply and is discarded up to its newline;
 * a client that does not read its replies (send would block) is disconnected; at most
 * CTL_MAX_CLIENTS clients at once, further ones are refused. Requests are parsed by
 * ctl_proto.c and executed against the VM; the VM never waits for a client.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "vmm/ctl.h"
#include "vmm/evloop.h"
#include "vmm/exit.h"
#include "vmm/vm.h"

struct ctl_client {
	struct ev_src src;		/* fd -1 = free slot */
	struct ctl *ctl;
	size_t len;
	bool discarding;		/* skipping the rest of an oversized line */
	char buf[CTL_LINE_MAX + 1];
};

struct ctl {
	struct ev_src listen;
	struct evloop *ev;
	struct vm *vm;
	char path[108];
	struct ctl_client clients[CTL_MAX_CLIENTS];
};

static void ctl_client_close(struct ctl_client *cl)
{
	if (cl->src.fd < 0)
		return;
	evloop_del(cl->ctl->ev, &cl->src);
	close(cl->src.fd);
	cl->src.fd = -1;
}

/* Send a line, optionally with a file descriptor; frees @line. */
static void ctl_send(struct ctl_client *cl, char *line, int pass_fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov;
	struct msghdr msg = { 0 };
	ssize_t n;

	if (!line || cl->src.fd < 0) {
		free(line);
		return;
	}
	iov = (struct iovec){ .iov_base = line, .iov_len = strlen(line) };
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (pass_fd >= 0) {
		struct cmsghdr *cm;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
	}
	n = sendmsg(cl->src.fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n != (ssize_t)iov.iov_len)
		ctl_client_close(cl);	/* gone or not reading: drop it */
	free(line);
}

void ctl_broadcast(struct ctl *c, char *line)
{
	unsigned int i;

	if (!line)
		return;
	for (i = 0; c && i < CTL_MAX_CLIENTS; i++)
		if (c->clients[i].src.fd >= 0)
			ctl_send(&c->clients[i], strdup(line), -1);
	free(line);
}

/* Budget state of one vCPU: what was asked for, and how it is going. */
static json_t *ctl_budget_json(struct vcpu *v)
{
	struct budget *b = &v->budget;
	uint64_t runtime_ns, period_ns, throttles = atomic_load(&v->vc->throttles);

	budget_get(b, &runtime_ns, &period_ns);
	return json_pack("{s:I, s:I, s:I, s:f, s:b, s:f, s:f, s:f, s:f}",
		"runtime_us", (json_int_t)(runtime_ns / 1000),
		"period_us", (json_int_t)(period_ns / 1000),
		"throttles", (json_int_t)throttles,
		"throttled_ms", atomic_load(&v->vc->throttled_ns) / 1e6,
		"throttled", (int)(atomic_load(&v->vc->throttled) != 0),
		"overrun_avg_us", throttles ? atomic_load(&b->overrun_sum_ns) / 1e3 / (double)throttles : 0.0,
		"overrun_max_us", atomic_load(&b->overrun_max_ns) / 1e3,
		"wake_late_max_us", atomic_load(&b->wake_late_max_ns) / 1e3,
		"lead_us", atomic_load(&b->cur_lead_ns) / 1e3);
}

json_t *ctl_stats_json(struct vm *vm)
{
	json_t *o = json_object(), *vcpus = json_array(), *devs = json_array();
	struct pv_vm_counters *m = vm->vmc;
	uint32_t i, r;

	json_object_set_new(o, "state", json_integer((json_int_t)atomic_load(&m->state)));
	json_object_set_new(o, "end_reason", json_string(exit_end_reason_name(
		(unsigned int)atomic_load(&m->end_reason))));
	json_object_set_new(o, "end_status", json_integer((json_int_t)atomic_load(&m->end_status)));
	json_object_set_new(o, "halt_mode_requested", json_string(pv_halt_mode_name(
		(unsigned int)atomic_load(&m->halt_mode_requested))));
	json_object_set_new(o, "halt_mode_honoured", json_string(pv_halt_mode_name(
		(unsigned int)atomic_load(&m->halt_mode_honoured))));
	json_object_set_new(o, "unhandled_pio", json_integer((json_int_t)atomic_load(&m->unhandled_pio)));
	json_object_set_new(o, "unhandled_mmio", json_integer((json_int_t)atomic_load(&m->unhandled_mmio)));
	json_object_set_new(o, "startup_cpu_ns", json_integer((json_int_t)atomic_load(&vm->startup_cpu_ns)));
	for (i = 0; i < vm->nvcpus; i++) {
		struct pv_vcpu_counters *c = vm->vcpus[i].vc;
		json_t *v = json_object(), *ex = json_object();

		for (r = 0; r < PV_EXIT_MAX; r++)
			json_object_set_new(ex, pv_exit_reason_name(r),
					    json_integer((json_int_t)atomic_load(&c->exits[r])));
		json_object_set_new(v, "exits", ex);
		json_object_set_new(v, "budget", ctl_budget_json(&vm->vcpus[i]));
#define J(f) json_object_set_new(v, #f, json_integer((json_int_t)atomic_load(&c->f)))
		J(guest_ns); J(vmm_ns); J(halt_ns); J(halt_poll_ns); J(migrations); J(timer_fires);
		J(timer_overruns); J(tid); J(pcpu); J(run_state); J(halt_mode); J(guest_events);
		J(guest_rejects); J(guest_drops); J(rt_runnable);
#undef J
		json_array_append_new(vcpus, v);
	}
	for (i = 0; i < vm->ndevs; i++) {
		struct pv_dev_counters *d = vm->devs[i]->ctr;

		if (!d)
			continue;
		json_array_append_new(devs, json_pack("{s:s, s:I, s:I, s:I, s:I}", "name",
			vm->devs[i]->name, "reads", (json_int_t)atomic_load(&d->reads),
			"writes", (json_int_t)atomic_load(&d->writes),
			"bytes", (json_int_t)atomic_load(&d->bytes),
			"busy_ns", (json_int_t)atomic_load(&d->busy_ns)));
	}
	json_object_set_new(o, "vcpus", vcpus);
	json_object_set_new(o, "devices", devs);
	return o;
}

static json_t *ctl_hello(struct ctl *c)
{
	struct vm *vm = c->vm;
	json_t *tids = json_array();
	uint32_t i;

	for (i = 0; i < vm->nvcpus; i++)
		json_array_append_new(tids, json_integer(atomic_load(&vm->vcpus[i].tid)));
	return json_pack("{s:i, s:s, s:i, s:o, s:i, s:I, s:I}", "version", CTL_PROTO_VERSION,
			 "name", vm->cfg->name, "nvcpus", (int)vm->nvcpus, "vcpu_tids", tids,
			 "pid", (int)getpid(), "shm_size", (json_int_t)vm->shm.hdr.total_size,
			 "state", (json_int_t)atomic_load(&vm->vmc->state));
}

static void ctl_execute(struct ctl_client *cl, const struct ctl_req *req)
{
	struct vm *vm = cl->ctl->vm;
	json_t *res = NULL;
	char msg[CTL_ERR_MAX];
	int err = 0;

	switch (req->cmd) {
	case CTL_HELLO:
		ctl_send(cl, ctl_proto_ok(req, ctl_hello(cl->ctl)), vm->shm.fd);
		return;
	case CTL_PAUSE:
		err = vm_pause(vm);
		break;
	case CTL_RESUME:
		err = vm_resume(vm);
		break;
	case CTL_SHUTDOWN:
		vm_end(vm, PV_END_SHUTDOWN, 0);
		break;
	case CTL_SET_HALT_MODE:
		err = vm_set_halt_mode(vm, req->halt.mode, req->halt.has_poll_ns ? req->halt.poll_ns :
				       atomic_load(&vm->poll_ns));
		if (!err)
			res = json_pack("{s:s, s:s}", "requested", pv_halt_mode_name(
				(unsigned int)atomic_load(&vm->vmc->halt_mode_requested)), "honoured",
				pv_halt_mode_name((unsigned int)atomic_load(&vm->vmc->halt_mode_honoured)));
		break;
	case CTL_SET_TIMER:
		err = vm_set_timer(vm, req->timer.vcpu, req->timer.period_us, req->timer.deadline_us);
		break;
	case CTL_SET_BUDGET:
		err = vm_set_budget(vm, req->budget.vcpu, req->budget.runtime_us, req->budget.period_us);
		break;
	case CTL_STATS:
		res = ctl_stats_json(vm);
		break;
	default:
		err = -EINVAL;
		break;
	}
	if (err) {
		json_decref(res);
		if (err == -EOPNOTSUPP && req->cmd == CTL_SET_HALT_MODE)
			snprintf(msg, sizeof(msg), "KVM cannot change to this halt mode at run time "
				 "(native must be chosen at start and cannot be left)");
		else if (err == -ESRCH)
			snprintf(msg, sizeof(msg), "the VM has ended");
		else if (err == -ENOENT && (req->cmd == CTL_SET_BUDGET || req->cmd == CTL_SET_TIMER))
			snprintf(msg, sizeof(msg), "%s: no vCPU %u (the VM has %u)", ctl_cmd_name(req->cmd),
				 req->cmd == CTL_SET_BUDGET ? req->budget.vcpu : req->timer.vcpu, vm->nvcpus);
		else
			snprintf(msg, sizeof(msg), "%s: %s", ctl_cmd_name(req->cmd), strerror(-err));
		ctl_send(cl, ctl_proto_error(req, msg), -1);
		return;
	}
	ctl_send(cl, ctl_proto_ok(req, res), -1);
}

static void ctl_line(struct ctl_client *cl, const char *line, size_t len)
{
	struct ctl_req req;
	char err[CTL_ERR_MAX];

	if (len && line[len - 1] == '\r')
		len--;
	if (!len)
		return;
	if (ctl_proto_parse(line, len, &req, err, sizeof(err)))
		ctl_send(cl, ctl_proto_error(&req, err), -1);
	else
		ctl_execute(cl, &req);
}

static void ctl_on_client(struct evloop *ev, struct ev_src *src, uint32_t events)
{
	struct ctl_client *cl = src->ctx;
	ssize_t n;

	(void)ev;
	if (src->fd < 0)
		return;
	if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN)) {
		ctl_client_close(cl);
		return;
	}
	n = recv(src->fd, cl->buf + cl->len, sizeof(cl->buf) - 1 - cl->len, MSG_DONTWAIT);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			ctl_client_close(cl);
		return;
	}
	cl->len += (size_t)n;
	for (;;) {
		char *nl = memchr(cl->buf, '\n', cl->len);
		size_t used;

		if (!nl) {
			if (cl->len == sizeof(cl->buf) - 1) {
				if (!cl->discarding)
					ctl_send(cl, ctl_proto_error(NULL, "request longer than 4096 bytes"), -1);
				cl->discarding = true;
				cl->len = 0;
			}
			return;
		}
		used = (size_t)(nl - cl->buf) + 1;
		if (!cl->discarding)
			ctl_line(cl, cl->buf, used - 1);
		cl->discarding = false;
		if (cl->src.fd < 0)
			return;
		memmove(cl->buf, cl->buf + used, cl->len - used);
		cl->len -= used;
	}
}

static void ctl_on_listen(struct evloop *ev, struct ev_src *src, uint32_t events)
{
	struct ctl *c = src->ctx;
	unsigned int i;
	int fd;

	(void)events;
	fd = accept4(src->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	for (i = 0; i < CTL_MAX_CLIENTS && c->clients[i].src.fd >= 0; i++)
		;
	if (i == CTL_MAX_CLIENTS) {
		static const char busy[] = "{\"id\":null,\"ok\":false,\"error\":\"too many clients\"}\n";

		if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
			/* refused either way */
		}
		close(fd);
		return;
	}
	c->clients[i].src = (struct ev_src){ .fd = fd, .cb = ctl_on_client, .ctx = &c->clients[i] };
	c->clients[i].len = 0;
	c->clients[i].discarding = false;
	if (evloop_add(ev, &c->clients[i].src, EPOLLIN | EPOLLRDHUP)) {
		close(fd);
		c->clients[i].src.fd = -1;
	}
}

int ctl_open(struct ctl **out, struct evloop *ev, struct vm *vm, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctl *c;
	unsigned int i;
	int err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->ev = ev;
	c->vm = vm;
	strcpy(c->path, path);
	strcpy(sa.sun_path, path);
	for (i = 0; i < CTL_MAX_CLIENTS; i++) {
		c->clients[i].src.fd = -1;
		c->clients[i].ctl = c;
	}
	c->listen = (struct ev_src){ .fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0),
				     .cb = ctl_on_listen, .ctx = c };
	if (c->listen.fd < 0)
		goto out_errno;
	unlink(path);
	if (bind(c->listen.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(c->listen.fd, CTL_MAX_CLIENTS) < 0)
		goto out_errno;
	err = evloop_add(ev, &c->listen, EPOLLIN);
	if (err)
		goto out_close_sock;
	ev->ctl = c;
	*out = c;
	return 0;

out_errno:
	err = -errno;
out_close_sock:
	if (c->listen.fd >= 0)
		close(c->listen.fd);
	free(c);
	return err;
}

void ctl_close(struct ctl *c)
{
	unsigned int i;

	if (!c)
		return;
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		ctl_client_close(&c->clients[i]);
	evloop_del(c->ev, &c->listen);
	close(c->listen.fd);
	unlink(c->path);
	if (c->ev->ctl == c)
		c->ev->ctl = NULL;
	free(c);
}
