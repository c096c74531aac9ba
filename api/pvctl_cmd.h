/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What pvctl's commands share around their requests: the one VM NAME argument, the
 * reservation options of `vm create` and `qos set`, and "call, then print the answer for
 * people unless --json".
 */
#ifndef PV_API_PVCTL_CMD_H
#define PV_API_PVCTL_CMD_H

#include <stddef.h>

#include "api/pvctl.h"

/* Human output of a successful answer @res; @arg is the caller's (a VM name, ...). */
typedef void pvctl_show_fn(struct pvctl *p, json_t *res, const void *arg);

/*
 * pvctl_call() — which prints the server's JSON with --json — then, without --json,
 * @show(p, res, arg). Returns the exit status; @body stays the caller's.
 */
int pvctl_call_show(struct pvctl *p, const char *method, const char *target, json_t *body,
		    pvctl_show_fn *show, const void *arg);

/* The one NAME argument of `CMD NAME` (argv[0] is CMD): 0 with *name, or a usage error. */
int pvctl_name_arg(struct pvctl *p, int argc, char **argv, const char *usage,
		   const char **name);

/* Indices of the reservation options in the values given to pvctl_reservation(). */
enum { PVCTL_RESV_RUNTIME = 0, PVCTL_RESV_PERIOD, PVCTL_RESV_DEADLINE };
/* --runtime-us, --period-us or --deadline-us (@which) into resv[@which], range-checked. */
int pvctl_parse_resv(int which, const char *arg, long long resv[3], char *err, size_t errlen);

#endif /* PV_API_PVCTL_CMD_H */
