// SPDX-License-Identifier: GPL-2.0-only
/*
 * /api/v1/power: the governor, the governors available, the backend and the running
 * governor's tunables (GET); a governor switch and/or tunables (PUT PowerSpec).
 *
 * Tunables are validated here against the table of the governor they are for (the new one
 * on a switch, else the running one): unknown names and values out of range are 400 with
 * the field "tunables.<name>". The switch itself runs on the loop and is transactional in
 * powermgr: on failure the old governor keeps running and the answer is 409 with the
 * reason. Naming the running governor only sets tunables (it does not restart it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "powermgr/governor.h"

static json_t *power_json(const struct dsnap *s)
{
	json_t *govs = json_array(), *tun = json_array();
	unsigned int i;

	if (!govs || !tun) {
		json_decref(govs);
		json_decref(tun);
		return NULL;
	}
	for (i = 0; s->governors && s->governors[i]; i++)
		json_array_append_new(govs, json_string(s->governors[i]));
	for (i = 0; i < s->ntunables && i < DSNAP_MAX_TUNABLES; i++)
		json_array_append_new(tun, json_pack("{s:s, s:I, s:I, s:I, s:I}",
				      "name", s->tunables[i].name,
				      "value", (json_int_t)s->tunables[i].value,
				      "min", (json_int_t)s->tunables[i].min,
				      "max", (json_int_t)s->tunables[i].max,
				      "default", (json_int_t)s->tunables[i].def));
	return json_pack("{s:s, s:o, s:s, s:o}", "governor", s->governor, "governors", govs,
			 "backend", s->backend, "tunables", tun);
}

int handlers_power_get(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	(void)req;
	return handlers_get_node(ctx, resp, power_json);
}

/* Range of tunable @name for governor @gov (the running one: from the snapshot). */
static int tunable_range(const struct dsnap *s, const char *gov, const char *name,
			 int64_t *min, int64_t *max)
{
	const struct pm_governor_ops *ops;
	unsigned int i;

	if (!strcmp(gov, s->governor)) {
		for (i = 0; i < s->ntunables && i < DSNAP_MAX_TUNABLES; i++)
			if (!strcmp(s->tunables[i].name, name)) {
				*min = s->tunables[i].min;
				*max = s->tunables[i].max;
				return 0;
			}
		return -ENOENT;
	}
	ops = pm_governor_find(gov);
	for (i = 0; ops && i < ops->nr_tunables; i++)
		if (!strcmp(ops->tunables[i].name, name)) {
			*min = ops->tunables[i].min;
			*max = ops->tunables[i].max;
			return 0;
		}
	return -ENOENT;
}

static bool governor_known(const struct dsnap *s, const char *name)
{
	unsigned int i;

	for (i = 0; s->governors && s->governors[i]; i++)
		if (!strcmp(s->governors[i], name))
			return true;
	return false;
}

/* PowerSpec → @io, validated against @s; -EINVAL with a 400. */
static int parse_spec(const struct dsnap *s, json_t *body, struct cmds_io *io,
		      struct api_resp *resp)
{
	static const char *const keys[] = { "governor", "tunables", NULL };
	json_t *g, *t, *v;
	const char *gov, *name;
	char field[64];
	int64_t min, max;

	if (!body)
		return api_error(resp, 400, "missing_body", NULL, "a PowerSpec JSON body is required"),
		       -EINVAL;
	if (handlers_check_keys(body, keys, NULL, resp))
		return -EINVAL;
	g = json_object_get(body, "governor");
	t = json_object_get(body, "tunables");
	if (!g && !t)
		return api_error(resp, 400, "missing_field", "governor", "give a governor and/or "
				 "tunables"), -EINVAL;
	if (g && (!json_is_string(g) || !governor_known(s, json_string_value(g))))
		return api_error(resp, 400, json_is_string(g) ? "invalid_value" : "invalid_type",
				 "governor", "governor must be one of the names in `governors`"),
		       -EINVAL;
	gov = g ? json_string_value(g) : s->governor;
	if (strcmp(gov, s->governor))
		snprintf(io->governor, sizeof(io->governor), "%s", gov);
	if (!t)
		return 0;
	if (!json_is_object(t))
		return api_error(resp, 400, "invalid_type", "tunables", "tunables must be an object "
				 "of integers"), -EINVAL;
	if (json_object_size(t) > PM_GOV_MAX_TUNABLES)
		return api_error(resp, 400, "out_of_range", "tunables", "at most %u tunables",
				 PM_GOV_MAX_TUNABLES), -EINVAL;
	json_object_foreach(t, name, v) {
		snprintf(field, sizeof(field), "tunables.%.40s", name);
		if (strlen(name) >= CMDS_TUNABLE_NAME_MAX || tunable_range(s, gov, name, &min, &max))
			return api_error(resp, 400, "unknown_field", field, "governor %s has no "
					 "tunable '%.40s'", gov, name), -EINVAL;
		if (handlers_int_member(t, name, field, min, max, &io->tun[io->ntun].value, NULL,
					resp))
			return -EINVAL;
		snprintf(io->tun[io->ntun].name, sizeof(io->tun[0].name), "%s", name);
		io->ntun++;
	}
	return 0;
}

int handlers_power_put(void *vctx, const struct api_req *req, struct api_resp *resp)
{
	struct api_ctx *ctx = vctx;
	struct snap *ref;
	const struct dsnap *s = handlers_snap(ctx, &ref, resp);
	struct cmds_io *io;
	uint64_t seq;
	json_t *j;
	int err;

	if (!s)
		return 0;
	io = cmds_io_new();
	if (!io) {
		snapshot_put(ref);
		return -ENOMEM;
	}
	err = parse_spec(s, req->body, io, resp);
	seq = ref->seq;
	snapshot_put(ref);
	if (!err)
		err = handlers_call(ctx, CMDS_POWER_SET, &io, ctx->cmd_timeout_ms, NULL, resp);
	free(io);
	if (err)
		return 0;
	s = handlers_snap_after(ctx, seq, &ref, resp);
	if (!s)
		return 0;
	j = power_json(s);
	snapshot_put(ref);
	return j ? api_json(resp, 200, j) : -ENOMEM;
}
