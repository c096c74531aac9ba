// SPDX-License-Identifier: GPL-2.0-only
/*
 * Write side of /api/v1/vms: create (POST VmSpec → 201 with the VM), delete (204 once the
 * VMM is down), pause and resume (204 once the VMM confirmed). The spec is parsed with the
 * configuration parser (daemon/config.c), so the API and the configuration file accept
 * exactly the same VM definitions and name the offending field the same way.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"

/* "field: reason" from the configuration parser → 400 naming the field. */
static int spec_error(struct api_resp *resp, const char *err)
{
	const char *colon = strstr(err, ": ");
	char field[CMDS_FIELD_MAX];

	if (!colon || colon == err || (size_t)(colon - err) >= sizeof(field))
		return api_error(resp, 400, "invalid_field", NULL, "%s", err);
	memcpy(field, err, (size_t)(colon - err));
	field[colon - err] = '\0';
	return api_error(resp, 400, strstr(colon, "unknown field") ? "unknown_field" :
			 "invalid_field", field, "%s", err);
}

/* A VM as just created, when the snapshot does not have it yet. */
static json_t *fresh_vm_json(const struct cfg_vm *spec)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:o}", "name", spec->name, "state", "starting",
			 "qos", pv_qos_class_name(spec->qos), "vcpus", (json_int_t)spec->vcpus,
			 "spec", cfg_vm_to_json(spec));
}

int handlers_vmops_create(void *vctx, const struct api_req *req, struct api_resp *resp)
{
	struct api_ctx *ctx = vctx;
	char err[CFG_ERR_MAX];
	struct cmds_io *io;
	struct snap *ref;
	const struct dsnap *s;
	const struct dsnap_vm *vm;
	uint64_t seq = 0;
	json_t *j;
	int ret;

	if (!req->body)
		return api_error(resp, 400, "missing_body", NULL, "a VmSpec JSON body is required");
	if (!json_is_object(req->body))
		return api_error(resp, 400, "invalid_type", NULL, "the body must be a JSON object");
	io = cmds_io_new();
	if (!io)
		return -ENOMEM;
	if (cfg_vm_from_json(&io->spec, req->body, "", err)) {
		free(io);
		return spec_error(resp, err);
	}
	ref = snapshot_get(ctx->pub);
	if (ref)
		seq = ref->seq;
	snapshot_put(ref);
	ret = handlers_call(ctx, CMDS_VM_CREATE, &io, ctx->cmd_timeout_ms, NULL, resp);
	if (ret) {
		free(io);
		return 0;
	}
	handlers_mutated(ctx);
	s = handlers_snap_after(ctx, seq, &ref, resp);
	vm = s ? dsnap_vm(s, io->spec.name) : NULL;
	j = vm ? handlers_vm_full(s, vm) : fresh_vm_json(&io->spec);
	snapshot_put(ref);
	free(io);
	if (!j)
		return -ENOMEM;
	api_resp_free(resp);	/* handlers_snap_after may have filled a 503: created anyway */
	return api_json(resp, 201, j);
}

/* Run a command on the VM named by the path; 204 when it succeeded. */
static int vm_command(struct api_ctx *ctx, const struct api_req *req, enum cmds_kind kind,
		      unsigned int timeout_ms, struct api_resp *resp)
{
	const char *name = req->nparams ? req->params[0] : "";
	struct cmds_io *io;
	int ret;

	if (!handlers_name_valid(name))
		return api_error(resp, 404, "not_found", "name", "no VM named '%.31s'", name);
	io = cmds_io_new();
	if (!io)
		return -ENOMEM;
	snprintf(io->name, sizeof(io->name), "%s", name);
	ret = handlers_call(ctx, kind, &io, timeout_ms, NULL, resp);
	free(io);
	if (ret)
		return 0;
	handlers_mutated(ctx);
	return api_json(resp, 204, NULL);
}

int handlers_vmops_delete(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	return vm_command(ctx, req, CMDS_VM_DELETE, ((struct api_ctx *)ctx)->delete_timeout_ms,
			  resp);
}

int handlers_vmops_pause(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	return vm_command(ctx, req, CMDS_VM_PAUSE, ((struct api_ctx *)ctx)->cmd_timeout_ms, resp);
}

int handlers_vmops_resume(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	return vm_command(ctx, req, CMDS_VM_RESUME, ((struct api_ctx *)ctx)->cmd_timeout_ms, resp);
}
