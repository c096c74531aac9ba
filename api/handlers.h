/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The REST API's handlers (api/openapi.yaml) and their context.
 *
 * Every handler is parse → internal command → encode and never sees libmicrohttpd:
 *   - GET handlers read only the latest published snapshot (struct dsnap, via @pub) and the
 *     trace retention buffer (its own lock); they never touch loop-owned state;
 *   - mutating handlers validate the request (400 with the offending `field`), then run a
 *     command on the policy loop through @cmdq with the functions of @ops (daemon/commands.h)
 *     and wait at most cmd_timeout_ms; the outcome maps to 200/201/204, 404, 409 (name
 *     taken, admission rejected, wrong state) or 503 (loop busy or stopping).
 * So a test builds a struct dsnap by hand, publishes it in a snap_pub, serves the command
 * queue from a thread with fake command functions, and calls the handlers directly.
 */
#ifndef PV_API_HANDLERS_H
#define PV_API_HANDLERS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "api/metrics.h"
#include "api/route.h"
#include "daemon/cmdq.h"
#include "daemon/commands.h"
#include "daemon/dsnap.h"
#include "daemon/tracebuf.h"
#include "tracer/clock.h"
#include "tracer/hist.h"

#define DEF_API_CMD_TIMEOUT_MS		DEF_CMD_TIMEOUT_MS
#define DEF_API_DELETE_TIMEOUT_MS	6000u	/* shutdown request + SIGKILL after 3 s */
#define API_RATE_SAMPLES		4	/* older snapshots kept for per-second rates */
#define API_RATE_SPACING_NS		500000000ull
#define DEF_TRACE_LIMIT			1000
#define MAX_TRACE_LIMIT			10000
#define DEF_PERFETTO_WINDOW_S		5.0
#define MIN_PERFETTO_WINDOW_S		0.01
#define MAX_PERFETTO_WINDOW_S		60.0

struct api_ctx {
	struct snap_pub *pub;		/* published struct dsnap snapshots */
	struct cmdq *cmdq;		/* commands into the policy loop */
	const struct cmds_ops *ops;	/* their functions: cmds_daemon_ops, or a test's */
	unsigned int cmd_timeout_ms;	/* per mutation */
	unsigned int delete_timeout_ms;
	struct tracebuf *trace;		/* recent events; NULL = no trace routes data */
	struct pv_clock clk;		/* host TSC <-> ns, for trace times */
	uint64_t tsc0;			/* host TSC of time zero for trace `t_ns` */
	uint64_t mono0_ns;		/* CLOCK_MONOTONIC at that time zero (read together) */
	/* private */
	pthread_mutex_t lock;
	struct snap *rate[API_RATE_SAMPLES];	/* older snapshots, oldest first */
	unsigned int nrate;
	struct metrics_cache metrics;	/* GET /metrics text per snapshot */
	struct metrics_cache vm_list;	/* GET /api/v1/vms body per snapshot */
};

/* @trace may be NULL; @clk is needed with @trace. Timeouts get their defaults. */
int api_ctx_init(struct api_ctx *ctx, struct snap_pub *pub, struct cmdq *cmdq,
		 const struct cmds_ops *ops, struct tracebuf *trace, const struct pv_clock *clk,
		 uint64_t tsc0);
void api_ctx_fini(struct api_ctx *ctx);

/* ---- handlers (api/routes.c binds them to paths) ------------------------------------- */
int handlers_health(void *ctx, const struct api_req *req, struct api_resp *resp);
int handlers_ready(void *ctx, const struct api_req *req, struct api_resp *resp);
int handlers_node(void *ctx, const struct api_req *req, struct api_resp *resp);
int handlers_vms_list(void *ctx, const struct api_req *req, struct api_resp *resp);
/* The body of GET /api/v1/vms for snapshot @s (a metrics_build_fn for the VM list cache). */
int handlers_vms_list_text(const struct dsnap *s, char **text, size_t *len);
int handlers_vms_get(void *ctx, const struct api_req *req, struct api_resp *resp);
int handlers_vms_vcpus(void *ctx, const struct api_req *req, struct api_resp *resp);
int handlers_vms_exits(void *ctx, const struct api_req *req, struct api_resp *resp);
int handlers_vms_energy(void *ctx, const struct api_req *req, struct api_resp *resp);
int handlers_vmops_create(void *ctx, const struct api_req *req, struct api_resp *resp);
int handlers_vmops_delete(void *ctx, const struct api_req *req, struct api_resp *resp);
int handlers_vmops_pause(void *ctx, const struct api_req *req, struct api_resp *resp);
int handlers_vmops_resume(void *ctx, const struct api_req *req, struct api_resp *resp);
int handlers_qos_get(void *ctx, const struct api_req *req, struct api_resp *resp);
int handlers_qos_put(void *ctx, const struct api_req *req, struct api_resp *resp);
int handlers_qos_delete(void *ctx, const struct api_req *req, struct api_resp *resp);
int handlers_power_get(void *ctx, const struct api_req *req, struct api_resp *resp);
int handlers_power_put(void *ctx, const struct api_req *req, struct api_resp *resp);
int handlers_devices(void *ctx, const struct api_req *req, struct api_resp *resp);
int handlers_trace(void *ctx, const struct api_req *req, struct api_resp *resp);
int handlers_trace_perfetto(void *ctx, const struct api_req *req, struct api_resp *resp);

/* ---- shared helpers (api/handlers_common.c) ------------------------------------------ */

/* The latest snapshot (reference in *ref, snapshot_put it), or NULL with a 503 in @resp. */
const struct dsnap *handlers_snap(struct api_ctx *ctx, struct snap **ref, struct api_resp *resp);
/*
 * A snapshot about a second older than @cur for rates (reference in *ref, may be NULL
 * when none is older than @cur yet).
 */
const struct dsnap *handlers_rate_base(struct api_ctx *ctx, struct snap *cur, struct snap **ref);
/* The VM of path parameter 0 in @s, or NULL with a 404 in @resp. */
const struct dsnap_vm *handlers_vm(const struct dsnap *s, const struct api_req *req,
				   struct api_resp *resp);
/* Encodes one VM of a snapshot (NULL on allocation failure). */
typedef json_t *(*handlers_vm_encode_fn)(const struct dsnap *s, const struct dsnap_vm *vm);
/* Encodes a node-level resource of a snapshot (NULL on allocation failure). */
typedef json_t *(*handlers_node_encode_fn)(const struct dsnap *s);
/* GET of a node-level resource: latest snapshot → @enc → 200. */
int handlers_get_node(void *ctx, struct api_resp *resp, handlers_node_encode_fn enc);
/* GET of a per-VM resource: latest snapshot → VM of path parameter 0 (404) → @enc → 200. */
int handlers_get_vm(void *ctx, const struct api_req *req, struct api_resp *resp,
		    handlers_vm_encode_fn enc);
/*
 * A command changed the VM set, a VM's state or its QoS: the VM list served from now on
 * comes from a snapshot published after it (the next one, which GET /api/v1/vms waits for).
 */
void handlers_mutated(struct api_ctx *ctx);
/* Wait (5 ticks, at least 50 ms) for a snapshot newer than @after_seq; else the latest. */
const struct dsnap *handlers_snap_after(struct api_ctx *ctx, uint64_t after_seq,
					struct snap **ref, struct api_resp *resp);

/*
 * Run command @kind with *@iop (see cmds_call) using the context's queue and timeout;
 * on failure fill @resp from the errno and the io block's reason / field / code.
 * Returns the command's result; *@iop as cmds_call leaves it.
 */
int handlers_call(struct api_ctx *ctx, enum cmds_kind kind, struct cmds_io **iop,
		  unsigned int timeout_ms, uint64_t *lat_ns, struct api_resp *resp);
/* The HTTP status for a command's -errno. */
int handlers_errno_status(int err);

/* 400 unless @obj is an object whose keys are all in @allowed (NULL-terminated). */
int handlers_check_keys(json_t *obj, const char *const *allowed, const char *prefix,
			struct api_resp *resp);
/* An integer member in [min, max] (absent: *out untouched, 0); -EINVAL with a 400. */
int handlers_int_member(json_t *obj, const char *key, const char *field, int64_t min,
			int64_t max, int64_t *out, bool *present, struct api_resp *resp);
/* A query argument as an integer / number in range; absent: default. -EINVAL with a 400. */
int handlers_query_int(const struct api_req *req, const char *key, int64_t min, int64_t max,
		       int64_t def, int64_t *out, struct api_resp *resp);
int handlers_query_num(const struct api_req *req, const char *key, double min, double max,
		       double def, double *out, struct api_resp *resp);
bool handlers_name_valid(const char *name);

/* Encoders shared by several routes. */
json_t *handlers_hist_json(const struct pv_hist *h);
const char *handlers_vm_state_name(int state);
json_t *handlers_vm_summary(const struct dsnap_vm *vm);
json_t *handlers_vm_full(const struct dsnap *s, const struct dsnap_vm *vm);
json_t *handlers_qos_json(const struct dsnap *s, const struct dsnap_vm *vm);
json_t *handlers_energy_json(const struct dsnap *s, const struct dsnap_vm *vm);

#endif /* PV_API_HANDLERS_H */
