// SPDX-License-Identifier: GPL-2.0-only
/* The event thread's epoll loop (see evloop.h). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include "vmm/ctl.h"
#include "vmm/evloop.h"
#include "vmm/exit.h"
#include "vmm/traceout.h"
#include "vmm/vm.h"

static const char *const state_names[PV_VCPU_STATE_MAX] = {
	[PV_VCPU_CREATED] = "created",
	[PV_VCPU_RUNNING] = "running",
	[PV_VCPU_PAUSED] = "paused",
	[PV_VCPU_STOPPED] = "stopped",
};

int evloop_add(struct evloop *ev, struct ev_src *src, uint32_t events)
{
	struct epoll_event e = { .events = events, .data.ptr = src };

	return epoll_ctl(ev->epfd, EPOLL_CTL_ADD, src->fd, &e) < 0 ? -errno : 0;
}

void evloop_del(struct evloop *ev, struct ev_src *src)
{
	epoll_ctl(ev->epfd, EPOLL_CTL_DEL, src->fd, NULL);
}

static void ev_drain_fd(int fd)
{
	uint64_t buf[16];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static void ev_on_signal(struct evloop *ev, struct ev_src *src, uint32_t events)
{
	struct signalfd_siginfo si;

	(void)events;
	while (read(src->fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		vm_end(ev->vm, PV_END_SHUTDOWN, si.ssi_signo);
}

/* Push vCPU state / rt-runnable changes and the VM end to control clients. */
static void ev_announce(struct evloop *ev)
{
	struct vm *vm = ev->vm;
	uint32_t i;

	for (i = 0; i < vm->nvcpus; i++) {
		uint64_t st = atomic_load(&vm->vcpus[i].vc->run_state);
		uint64_t rt = atomic_load(&vm->vcpus[i].vc->rt_runnable);

		if (st != ev->last_state[i] && st < PV_VCPU_STATE_MAX) {
			ev->last_state[i] = st;
			if (ev->ctl)
				ctl_broadcast(ev->ctl, ctl_proto_event("vcpu-state",
					json_pack("{s:i, s:s}", "vcpu", (int)i, "state", state_names[st])));
		}
		if (rt != ev->last_rt[i]) {
			ev->last_rt[i] = rt;
			if (ev->ctl)
				ctl_broadcast(ev->ctl, ctl_proto_event("rt-runnable",
					json_pack("{s:i, s:i}", "vcpu", (int)i, "value", (int)rt)));
		}
	}
	if (vm_ended(vm) && !ev->end_announced) {
		uint64_t r = atomic_load(&vm->vmc->end_reason);

		ev->end_announced = true;
		if (ev->ctl)
			ctl_broadcast(ev->ctl, ctl_proto_event("vm-end",
				json_pack("{s:s, s:I}", "reason", exit_end_reason_name((unsigned int)r),
					  "status", (json_int_t)atomic_load(&vm->vmc->end_status))));
	}
}

static void ev_on_notify(struct evloop *ev, struct ev_src *src, uint32_t events)
{
	(void)events;
	ev_drain_fd(src->fd);
	ev_announce(ev);
}

static void ev_on_heartbeat(struct evloop *ev, struct ev_src *src, uint32_t events)
{
	(void)events;
	ev_drain_fd(src->fd);
	vm_tick(ev->vm);
	ev_announce(ev);
}

static void ev_on_duration(struct evloop *ev, struct ev_src *src, uint32_t events)
{
	(void)events;
	ev_drain_fd(src->fd);
	vm_end(ev->vm, PV_END_DURATION, 0);
}

static void ev_on_trace(struct evloop *ev, struct ev_src *src, uint32_t events)
{
	(void)events;
	ev_drain_fd(src->fd);
	if (ev->to)
		traceout_drain(ev->to);
}

static int ev_timerfd(struct ev_src *src, uint64_t first_ms, uint64_t period_ms)
{
	struct itimerspec its = {
		.it_value = { (time_t)(first_ms / 1000), (long)(first_ms % 1000) * 1000000 },
		.it_interval = { (time_t)(period_ms / 1000), (long)(period_ms % 1000) * 1000000 },
	};

	src->fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (src->fd < 0)
		return -errno;
	if (timerfd_settime(src->fd, 0, &its, NULL) < 0)
		return -errno;
	return 0;
}

int evloop_init(struct evloop *ev, struct vm *vm, struct traceout *to)
{
	const struct vmm_config *cfg = vm->cfg;
	sigset_t set;
	int err;

	memset(ev, 0, sizeof(*ev));
	ev->vm = vm;
	ev->to = to;
	ev->sig.fd = ev->hb.fd = ev->dur.fd = ev->trace.fd = -1;
	ev->last_state = calloc(vm->nvcpus, sizeof(*ev->last_state));
	ev->last_rt = calloc(vm->nvcpus, sizeof(*ev->last_rt));
	if (!ev->last_state || !ev->last_rt)
		return -ENOMEM;
	ev->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (ev->epfd < 0)
		return -errno;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	ev->sig = (struct ev_src){ .fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK),
				   .cb = ev_on_signal };
	if (ev->sig.fd < 0)
		return -errno;
	ev->notify = (struct ev_src){ .fd = vm->notify_fd, .cb = ev_on_notify };
	ev->hb.cb = ev_on_heartbeat;
	err = ev_timerfd(&ev->hb, EVLOOP_HEARTBEAT_MS, EVLOOP_HEARTBEAT_MS);
	if (err)
		return err;
	if ((err = evloop_add(ev, &ev->sig, EPOLLIN)) || (err = evloop_add(ev, &ev->notify, EPOLLIN)) ||
	    (err = evloop_add(ev, &ev->hb, EPOLLIN)))
		return err;
	if (cfg->duration_ms) {
		uint64_t ms = cfg->duration_ms + (vm->is_linux ? 0 : EVLOOP_GRACE_MS);

		ev->dur.cb = ev_on_duration;
		err = ev_timerfd(&ev->dur, ms, 0);
		if (!err)
			err = evloop_add(ev, &ev->dur, EPOLLIN);
		if (err)
			return err;
	}
	if (to) {
		ev->trace.cb = ev_on_trace;
		err = ev_timerfd(&ev->trace, EVLOOP_TRACE_MS, EVLOOP_TRACE_MS);
		if (!err)
			err = evloop_add(ev, &ev->trace, EPOLLIN);
		if (err)
			return err;
	}
	return 0;
}

static bool ev_all_stopped(const struct vm *vm)
{
	uint32_t i;

	for (i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i].thread_started &&
		    atomic_load(&vm->vcpus[i].vc->run_state) != PV_VCPU_STOPPED)
			return false;
	return true;
}

int evloop_run(struct evloop *ev)
{
	struct epoll_event evs[16];
	int n, i;

	for (;;) {
		if (vm_ended(ev->vm) && ev_all_stopped(ev->vm)) {
			ev_announce(ev);
			return 0;
		}
		n = epoll_wait(ev->epfd, evs, 16, (int)EVLOOP_HEARTBEAT_MS);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (i = 0; i < n; i++) {
			struct ev_src *src = evs[i].data.ptr;

			src->cb(ev, src, evs[i].events);
		}
	}
}

void evloop_destroy(struct evloop *ev)
{
	if (ev->sig.fd >= 0)
		close(ev->sig.fd);
	if (ev->hb.fd >= 0)
		close(ev->hb.fd);
	if (ev->dur.fd >= 0)
		close(ev->dur.fd);
	if (ev->trace.fd >= 0)
		close(ev->trace.fd);
	if (ev->epfd >= 0)
		close(ev->epfd);
	free(ev->last_state);
	free(ev->last_rt);
	ev->last_state = ev->last_rt = NULL;
	ev->epfd = -1;
}
