// SPDX-License-Identifier: GPL-2.0-only
/*
 * Probes. /healthz: the process answers (no state needed). /readyz: the snapshot says the
 * policy loop has ticked with the power backend open, and the snapshot is fresh — a loop
 * stuck for longer than API_READY_MAX_AGE_NS makes the node not ready even though the
 * HTTP threads still answer. 503 with the reasons otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "api/handlers.h"

#define API_READY_MAX_AGE_NS	2000000000ull

int handlers_health(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	(void)ctx;
	(void)req;
	return api_json(resp, 200, json_pack("{s:s}", "status", "ok"));
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int handlers_ready(void *vctx, const struct api_req *req, struct api_resp *resp)
{
	struct api_ctx *ctx = vctx;
	struct snap *ref = snapshot_get(ctx->pub);
	const struct dsnap *s = (const struct dsnap *)ref;
	json_t *reasons = json_array();
	uint64_t now = mono_ns();
	char msg[160];
	bool ready;

	(void)req;
	if (!reasons) {
		snapshot_put(ref);
		return -ENOMEM;
	}
	if (!s) {
		json_array_append_new(reasons, json_string("no state published yet"));
	} else {
		if (!s->ready)
			json_array_append_new(reasons, json_string(s->not_ready[0] ? s->not_ready :
								     "not ready"));
		if (now > s->base.time_ns + API_READY_MAX_AGE_NS) {
			snprintf(msg, sizeof(msg), "policy loop stalled: last state %.1f s ago",
				 (double)(now - s->base.time_ns) / 1e9);
			json_array_append_new(reasons, json_string(msg));
		}
	}
	snapshot_put(ref);
	ready = json_array_size(reasons) == 0;
	return api_json(resp, ready ? 200 : 503, json_pack("{s:b, s:o}", "ready", ready,
							    "reasons", reasons));
}
