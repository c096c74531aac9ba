// SPDX-License-Identifier: GPL-2.0-only
/*
 * What every handler shares: the context, snapshot access (with older snapshots kept for
 * per-second rates), running a command on the loop and turning its -errno into a status,
 * and strict validation of request bodies and query arguments (400 names the field).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/handlers.h"
#include "daemon/dvm.h"

#define SNAP_WAIT_MIN_MS	50u	/* waiting for the snapshot after a command */
#define SNAP_WAIT_TICKS		5u	/* ... or this many policy ticks, if longer */

int api_ctx_init(struct api_ctx *ctx, struct snap_pub *pub, struct cmdq *cmdq,
		 const struct cmds_ops *ops, struct tracebuf *trace, const struct pv_clock *clk,
		 uint64_t tsc0)
{
	int err;

	memset(ctx, 0, sizeof(*ctx));
	if (!pub || (trace && !clk))
		return -EINVAL;
	ctx->pub = pub;
	ctx->cmdq = cmdq;
	ctx->ops = ops;
	ctx->cmd_timeout_ms = DEF_API_CMD_TIMEOUT_MS;
	ctx->delete_timeout_ms = DEF_API_DELETE_TIMEOUT_MS;
	ctx->trace = trace;
	if (clk)
		ctx->clk = *clk;
	ctx->tsc0 = tsc0;
	if (clk) {	/* the monotonic time of tsc0: now, minus the TSC time since it */
		uint64_t now_tsc = pv_rdtsc(), mono;
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		mono = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		ctx->mono0_ns = mono - (now_tsc > tsc0 ? pv_clock_tsc_to_ns(clk, now_tsc - tsc0) : 0);
	}
	err = -pthread_mutex_init(&ctx->lock, NULL);
	if (err)
		return err;
	err = metrics_cache_init(&ctx->metrics);
	if (err) {
		pthread_mutex_destroy(&ctx->lock);
		return err;
	}
	err = metrics_cache_init(&ctx->vm_list);
	if (err) {
		metrics_cache_fini(&ctx->metrics);
		pthread_mutex_destroy(&ctx->lock);
	}
	return err;
}

void api_ctx_fini(struct api_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ctx->nrate; i++)
		snapshot_put(ctx->rate[i]);
	ctx->nrate = 0;
	metrics_cache_fini(&ctx->metrics);
	metrics_cache_fini(&ctx->vm_list);
	pthread_mutex_destroy(&ctx->lock);
}

/* ---- snapshots ----------------------------------------------------------------------- */

const struct dsnap *handlers_snap(struct api_ctx *ctx, struct snap **ref, struct api_resp *resp)
{
	*ref = snapshot_get(ctx->pub);
	if (!*ref) {
		api_error(resp, 503, "not_ready", NULL, "no state published yet");
		return NULL;
	}
	return (const struct dsnap *)*ref;
}

void handlers_mutated(struct api_ctx *ctx)
{
	struct snap *ref = snapshot_get(ctx->pub);

	/* the command is done: the loop publishes the snapshot that shows it next */
	metrics_cache_barrier(&ctx->vm_list, (ref ? ref->seq : 0) + 1);
	snapshot_put(ref);
}

const struct dsnap *handlers_snap_after(struct api_ctx *ctx, uint64_t after_seq,
					struct snap **ref, struct api_resp *resp)
{
	struct timespec ms = { 0, 1000000 };
	unsigned int i, limit_ms = SNAP_WAIT_MIN_MS;

	for (i = 0;; i++) {
		*ref = snapshot_get(ctx->pub);
		if (*ref && (*ref)->seq > after_seq)
			break;
		/* a few ticks, however long the configured tick is */
		if (*ref && ((const struct dsnap *)*ref)->tick_ms * SNAP_WAIT_TICKS > limit_ms)
			limit_ms = ((const struct dsnap *)*ref)->tick_ms * SNAP_WAIT_TICKS;
		if (i + 1 >= limit_ms)
			break;
		snapshot_put(*ref);
		nanosleep(&ms, NULL);
	}
	if (!*ref) {
		api_error(resp, 503, "not_ready", NULL, "no state published yet");
		return NULL;
	}
	return (const struct dsnap *)*ref;
}

/*
 * Keep up to API_RATE_SAMPLES snapshots spaced API_RATE_SPACING_NS apart; the base for a rate
 * is the newest one at least a second older than @cur, else the oldest kept.
 */
const struct dsnap *handlers_rate_base(struct api_ctx *ctx, struct snap *cur, struct snap **ref)
{
	struct snap *drop = NULL, *base = NULL;
	unsigned int i;

	pthread_mutex_lock(&ctx->lock);
	if (!ctx->nrate || cur->time_ns >= ctx->rate[ctx->nrate - 1]->time_ns + API_RATE_SPACING_NS) {
		if (ctx->nrate == API_RATE_SAMPLES) {
			drop = ctx->rate[0];
			memmove(ctx->rate, ctx->rate + 1, sizeof(ctx->rate[0]) * (API_RATE_SAMPLES - 1));
			ctx->nrate--;
		}
		atomic_fetch_add_explicit(&cur->refs, 1, memory_order_relaxed);
		ctx->rate[ctx->nrate++] = cur;
	}
	for (i = 0; i < ctx->nrate; i++) {
		struct snap *s = ctx->rate[i];

		if (s->seq >= cur->seq)
			break;
		if (!base || s->time_ns + 1000000000ull <= cur->time_ns)
			base = s;
	}
	if (base)
		atomic_fetch_add_explicit(&base->refs, 1, memory_order_relaxed);
	pthread_mutex_unlock(&ctx->lock);
	snapshot_put(drop);
	*ref = base;
	return (const struct dsnap *)base;
}

bool handlers_name_valid(const char *name)
{
	size_t n = strlen(name);

	return n >= 1 && n < CFG_NAME_MAX &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

const struct dsnap_vm *handlers_vm(const struct dsnap *s, const struct api_req *req,
				   struct api_resp *resp)
{
	const char *name = req->nparams ? req->params[0] : "";
	const struct dsnap_vm *vm = handlers_name_valid(name) ? dsnap_vm(s, name) : NULL;

	if (!vm)
		api_error(resp, 404, "not_found", "name", "no VM named '%.31s'", name);
	return vm;
}

int handlers_get_vm(void *ctx, const struct api_req *req, struct api_resp *resp,
		    handlers_vm_encode_fn enc)
{
	struct snap *ref;
	const struct dsnap *s = handlers_snap(ctx, &ref, resp);
	const struct dsnap_vm *vm;
	json_t *j = NULL;

	if (!s)
		return 0;
	vm = handlers_vm(s, req, resp);
	if (vm)
		j = enc(s, vm);
	snapshot_put(ref);
	if (!vm)
		return 0;
	return j ? api_json(resp, 200, j) : -ENOMEM;
}

int handlers_get_node(void *ctx, struct api_resp *resp, handlers_node_encode_fn enc)
{
	struct snap *ref;
	const struct dsnap *s = handlers_snap(ctx, &ref, resp);
	json_t *j;

	if (!s)
		return 0;
	j = enc(s);
	snapshot_put(ref);
	return j ? api_json(resp, 200, j) : -ENOMEM;
}

/* ---- commands ------------------------------------------------------------------------ */

int handlers_errno_status(int err)
{
	switch (err) {
	case 0:
		return 200;
	case -EINVAL:
	case -ERANGE:
		return 400;
	case -ENOENT:
		return 404;
	case -EEXIST:
	case -EBUSY:
	case -ENOSPC:
	case -ENOTSUP:
	case -ECANCELED:
	case -ENOTCONN:
	case -EREMOTEIO:
		return 409;
	case -ETIMEDOUT:
	case -EAGAIN:
	case -ESHUTDOWN:
		return 503;
	default:
		return 500;
	}
}

static const char *default_code(int status)
{
	switch (status) {
	case 400: return "invalid_field";
	case 404: return "not_found";
	case 409: return "conflict";
	case 503: return "unavailable";
	default: return "internal";
	}
}

int handlers_call(struct api_ctx *ctx, enum cmds_kind kind, struct cmds_io **iop,
		  unsigned int timeout_ms, uint64_t *lat_ns, struct api_resp *resp)
{
	int ret = cmds_call(ctx->cmdq, ctx->ops, kind, iop, timeout_ms, lat_ns);
	const struct cmds_io *io = *iop;
	int status;

	if (!ret)
		return 0;
	status = handlers_errno_status(ret);
	if (io && io->reason[0])
		api_error(resp, status, io->code[0] ? io->code : default_code(status),
			  io->field[0] ? io->field : NULL, "%s", io->reason);
	else if (ret == -ETIMEDOUT)
		api_error(resp, 503, "timeout", NULL, "the policy loop did not answer within %u ms",
			  timeout_ms);
	else if (ret == -ESHUTDOWN)
		api_error(resp, 503, "stopping", NULL, "the daemon is stopping");
	else if (ret == -EAGAIN)
		api_error(resp, 503, "busy", NULL, "too many commands queued; retry");
	else
		api_error(resp, status, default_code(status), NULL, "%s", strerror(-ret));
	return ret;
}

/* ---- request validation -------------------------------------------------------------- */

int handlers_check_keys(json_t *obj, const char *const *allowed, const char *prefix,
			struct api_resp *resp)
{
	const char *key;
	json_t *v;
	char field[128];

	if (!json_is_object(obj)) {
		api_error(resp, 400, "invalid_type", prefix && *prefix ? prefix : NULL,
			  "%s must be a JSON object", prefix && *prefix ? prefix : "the body");
		return -EINVAL;
	}
	json_object_foreach(obj, key, v) {
		const char *const *a;

		for (a = allowed; *a && strcmp(*a, key); a++)
			;
		if (*a)
			continue;
		snprintf(field, sizeof(field), "%s%s%.64s", prefix && *prefix ? prefix : "",
			 prefix && *prefix ? "." : "", key);
		api_error(resp, 400, "unknown_field", field, "unknown field '%.64s'", key);
		return -EINVAL;
	}
	return 0;
}

int handlers_int_member(json_t *obj, const char *key, const char *field, int64_t min,
			int64_t max, int64_t *out, bool *present, struct api_resp *resp)
{
	json_t *v = json_object_get(obj, key);

	if (present)
		*present = v != NULL;
	if (!v)
		return 0;
	if (!json_is_integer(v)) {
		api_error(resp, 400, "invalid_type", field, "%s must be an integer", field);
		return -EINVAL;
	}
	if (json_integer_value(v) < min || json_integer_value(v) > max) {
		api_error(resp, 400, "out_of_range", field, "%s must be between %" PRId64 " and %"
			  PRId64, field, min, max);
		return -EINVAL;
	}
	*out = json_integer_value(v);
	return 0;
}

int handlers_query_int(const struct api_req *req, const char *key, int64_t min, int64_t max,
		       int64_t def, int64_t *out, struct api_resp *resp)
{
	const char *s = req->query ? req->query(req->conn, key) : NULL;
	char *end;
	long long v;

	*out = def;
	if (!s)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || *end || errno || s[0] == '+' || s[0] == ' ') {
		api_error(resp, 400, "invalid_query", key, "%s must be a decimal integer", key);
		return -EINVAL;
	}
	if (v < min || v > max) {
		api_error(resp, 400, "out_of_range", key, "%s must be between %" PRId64 " and %"
			  PRId64, key, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int handlers_query_num(const struct api_req *req, const char *key, double min, double max,
		       double def, double *out, struct api_resp *resp)
{
	const char *s = req->query ? req->query(req->conn, key) : NULL;
	char *end;
	double v;

	*out = def;
	if (!s)
		return 0;
	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || strspn(s, "0123456789.eE+-") != strlen(s)) {
		api_error(resp, 400, "invalid_query", key, "%s must be a number", key);
		return -EINVAL;
	}
	if (v < min || v > max) {
		api_error(resp, 400, "out_of_range", key, "%s must be between %g and %g", key, min,
			  max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* ---- shared encoders ----------------------------------------------------------------- */

json_t *handlers_hist_json(const struct pv_hist *h)
{
	json_t *buckets = json_array();
	unsigned int i;

	for (i = 0; i < PV_HIST_BUCKETS; i++) {
		uint64_t hi = pv_hist_bucket_hi_ns(i);

		if (!h->buckets[i])
			continue;
		json_array_append_new(buckets, json_pack("{s:I, s:I}", "le_ns",
				      (json_int_t)(hi == UINT64_MAX ? INT64_MAX : (int64_t)(hi - 1)),
				      "count", (json_int_t)h->buckets[i]));
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}", "count", (json_int_t)h->count,
			 "sum_ns", (json_int_t)(h->sum_ns > INT64_MAX ? INT64_MAX : h->sum_ns),
			 "p50_ns", (json_int_t)pv_hist_quantile_ns(h, 0.5),
			 "p99_ns", (json_int_t)pv_hist_quantile_ns(h, 0.99),
			 "max_ns", (json_int_t)(h->count ? h->max_ns : 0), "buckets", buckets);
}

const char *handlers_vm_state_name(int state)
{
	return state >= 0 && state < DVM_STATE_MAX ? dvm_state_name((enum dvm_state)state) : "failed";
}
