/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvctl, the command-line client of the REST API (api/openapi.yaml). This header ties the
 * program together: the invocation context, the request helpers every command uses, and
 * the commands. Commands return an exit status (PVCTL_EXIT_*), not -errno: that is their
 * whole contract with main(). Their option parsers are exposed separately (returning 0 or
 * -EINVAL with a message) so the unit tests can drive them with case tables.
 */
#ifndef PV_API_PVCTL_H
#define PV_API_PVCTL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "api/pvctl_args.h"
#include "api/pvctl_config.h"
#include "api/pvctl_http.h"
#include "api/pvctl_table.h"

#define PVCTL_VERSION		"1.0.0"

struct pvctl {
	struct pvctl_conf conf;		/* address, token, timeout */
	bool json;			/* --json: the server's JSON, pretty-printed */
	FILE *out;			/* results */
	FILE *err;			/* diagnostics */
};

/* Set by SIGINT/SIGTERM; long-running commands (top, trace tail) end cleanly on it. */
extern volatile sig_atomic_t pvctl_stop;

/* ---------------------------------------------------------------- pvctl_client.c */
/*
 * Send a request (@body: JSON or NULL) and return the response in @resp. Connection and
 * protocol failures are reported and give PVCTL_EXIT_CONN; unless @any_status, a non-2xx
 * status is reported as "pvctl: <code>: <message> (field <field>)" and gives
 * PVCTL_EXIT_FAIL. 0 on success (free @resp with pvctl_http_resp_free).
 */
int pvctl_request(struct pvctl *p, const char *method, const char *target, json_t *body,
		  bool any_status, struct pvctl_http_resp *resp);
/*
 * pvctl_request() and parse the 2xx body as JSON (*out NULL for an empty body); with
 * --json, also print the server's JSON.
 */
int pvctl_call(struct pvctl *p, const char *method, const char *target, json_t *body,
	       json_t **out);
/* The same without printing anything on success. */
int pvctl_fetch(struct pvctl *p, const char *method, const char *target, json_t *body,
		json_t **out);
/* Report a non-2xx response from its Error body (or its status when it has none). */
void pvctl_report_error(struct pvctl *p, const struct pvctl_http_resp *resp);
/* Usage error: "pvctl: <msg>" and "usage: <usage>" on stderr; returns PVCTL_EXIT_USAGE. */
int pvctl_usage(struct pvctl *p, const char *usage, const char *msg);
/* Print JSON text re-indented by two spaces, tokens verbatim. -EINVAL if not JSON. */
int pvctl_json_pretty(const char *text, size_t len, FILE *out);
/* Print a JSON value pretty (for values pvctl assembles itself). */
void pvctl_print_json(struct pvctl *p, json_t *j);

/* Table-cell helpers: a member of @obj formatted, or "-" when absent or null. */
const char *pvctl_jstr(json_t *obj, const char *key);
const char *pvctl_jnum(json_t *obj, const char *key, int decimals, char *buf, size_t len);
const char *pvctl_jint(json_t *obj, const char *key, char *buf, size_t len);
/* "1, 2, 3" from an array of integers or strings; "-" when absent or empty. */
const char *pvctl_jlist(json_t *obj, const char *key, char *buf, size_t len);

/* ---------------------------------------------------------------- commands */
int pvctl_cmd_vm(struct pvctl *p, int argc, char **argv);
int pvctl_cmd_power(struct pvctl *p, int argc, char **argv);
int pvctl_cmd_qos(struct pvctl *p, int argc, char **argv);
int pvctl_cmd_trace(struct pvctl *p, int argc, char **argv);
int pvctl_cmd_node(struct pvctl *p, int argc, char **argv);
int pvctl_cmd_metrics(struct pvctl *p, int argc, char **argv);
int pvctl_cmd_health(struct pvctl *p, int argc, char **argv);
int pvctl_cmd_top(struct pvctl *p, int argc, char **argv);
/* The per-CPU table of a Node (pvctl node, pvctl top). */
void pvctl_node_print_cpus(FILE *out, json_t *node);

/* ---------------------------------------------------------------- option parsers */
/* The QoS classes of the spec, NULL-terminated. */
extern const char *const pvctl_qos_classes[];
/*
 * A Reservation from --runtime-us/--period-us/--deadline-us values (-1 = not given):
 * runtime and period together, runtime <= deadline <= period. *out NULL when none given.
 */
int pvctl_reservation(long long runtime_us, long long period_us, long long deadline_us,
		      json_t **out, char *err, size_t errlen);
/* vm create options (after "create") -> VmSpec body. */
int pvctl_vm_create_body(int argc, char **argv, json_t **body, char *err, size_t errlen);
/* power set TUNABLE=VALUE... -> PowerSpec body. */
int pvctl_power_set_body(int argc, char **argv, json_t **body, char *err, size_t errlen);
/* qos set NAME --class ... (after "set") -> VM name and QosSpec body. */
int pvctl_qos_set_body(int argc, char **argv, const char **name, json_t **body, char *err,
		       size_t errlen);

struct pvctl_export_opts {
	const char *file;		/* -o FILE ("-" = stdout) */
	uint64_t window_ms;		/* --window, 10 ms .. 60 s */
};
int pvctl_trace_export_parse(int argc, char **argv, struct pvctl_export_opts *o, char *err,
			     size_t errlen);

struct pvctl_tail_opts {
	long long since;		/* --since cursor, >= 0 */
	const char *vm;			/* --vm NAME or NULL */
	const char *type;		/* --type LIST of event type names (rt_miss,…) or NULL */
	long long limit;		/* --limit per request, 1..10000 */
	uint64_t interval_ms;		/* --interval between polls */
	long long iterations;		/* --iterations: polls, 0 = until Ctrl-C */
};
int pvctl_trace_tail_parse(int argc, char **argv, struct pvctl_tail_opts *o, char *err,
			   size_t errlen);
/* The GET /api/v1/trace target for a cursor. */
int pvctl_trace_target(const struct pvctl_tail_opts *o, long long since, char *buf,
		       size_t len);

struct pvctl_top_opts {
	uint64_t interval_ms;		/* --interval, default 1 s */
	long long iterations;		/* --iterations, 0 = until q / Ctrl-C */
};
int pvctl_top_parse(int argc, char **argv, struct pvctl_top_opts *o, char *err, size_t errlen);

#endif /* PV_API_PVCTL_H */
