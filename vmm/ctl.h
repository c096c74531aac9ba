/* SPDX-License-Identifier: GPL-2.0-only */
/* Control server: Unix socket, JSON lines (protocol in vmm/ctl_proto.h), served by the event thread. */
#ifndef PV_VMM_CTL_H
#define PV_VMM_CTL_H

#include <jansson.h>

#include "vmm/ctl_proto.h"

struct ctl;
struct evloop;
struct vm;

#define CTL_MAX_CLIENTS	8

/* Bind and listen at @path (an existing socket file is replaced) and join the event loop. */
int ctl_open(struct ctl **out, struct evloop *ev, struct vm *vm, const char *path);
/* Send @line (from ctl_proto_*, freed here; NULL ignored) to every client. */
void ctl_broadcast(struct ctl *c, char *line);
void ctl_close(struct ctl *c);
/* Counters as JSON (also used by the summary and tests). */
json_t *ctl_stats_json(struct vm *vm);

#endif /* PV_VMM_CTL_H */
