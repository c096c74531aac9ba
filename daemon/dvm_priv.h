/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared inside VM supervision only: dvm.c (life cycle) and dvm_attach.c (hello, events). */
#ifndef PV_DAEMON_DVM_PRIV_H
#define PV_DAEMON_DVM_PRIV_H

#include <jansson.h>

#include "daemon/dvm.h"

void dvm_log(const struct dvm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dvm_set_failed(struct dvm *vm, const char *reason);
/* vmmctl callbacks: the reply to `hello`, and pushed events. */
void dvm_on_hello(void *arg, int err, json_t *res, const char *msg, int fd);
void dvm_on_event(void *arg, const char *name, json_t *ev);

#endif /* PV_DAEMON_DVM_PRIV_H */
