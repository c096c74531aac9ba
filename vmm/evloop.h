/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The event thread (pv-vmm's main thread after set-up): one epoll loop that owns the
 * control socket and its clients, the VM's notification eventfd (run-state changes, VM
 * end), SIGINT/SIGTERM (signalfd), the 100 ms heartbeat (timerfd: heartbeat_tsc, device
 * ticks and DEV_IO batches, halt-honoured detection), the duration limit and, with
 * --trace-out, the 10 ms trace drain. It never runs in a vCPU's fast path.
 */
#ifndef PV_VMM_EVLOOP_H
#define PV_VMM_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>

struct evloop;
struct ev_src;
struct vm;
struct ctl;
struct traceout;

typedef void (*ev_cb)(struct evloop *ev, struct ev_src *src, uint32_t events);

struct ev_src {
	int fd;
	ev_cb cb;
	void *ctx;
};

struct evloop {
	int epfd;
	struct vm *vm;
	struct ctl *ctl;		/* may be NULL */
	struct traceout *to;		/* may be NULL */
	struct ev_src sig, notify, hb, dur, trace;
	bool end_announced;
	uint64_t *last_state;		/* per vCPU: run state announced */
	uint64_t *last_rt;		/* per vCPU: rt_runnable announced */
};

#define EVLOOP_HEARTBEAT_MS	100u
#define EVLOOP_TRACE_MS		10u
#define EVLOOP_GRACE_MS		1000u	/* a guest told the duration gets this long to stop */

int evloop_init(struct evloop *ev, struct vm *vm, struct traceout *to);
int evloop_add(struct evloop *ev, struct ev_src *src, uint32_t events);
void evloop_del(struct evloop *ev, struct ev_src *src);
/* Serve until the VM has ended and every vCPU thread has stopped. */
int evloop_run(struct evloop *ev);
void evloop_destroy(struct evloop *ev);

#endif /* PV_VMM_EVLOOP_H */
