// SPDX-License-Identifier: GPL-2.0-only
/*
 * /api/v1/vms/{name}/qos: the VM's QoS state (GET), a change (PUT QosSpec) and the return
 * to best-effort (DELETE). A change is validated here (400 with the field), then admitted
 * and applied on the loop by qosd_apply (409 with the admission reason when refused; the
 * VM keeps its QoS). The response's apply_latency_us is the command queue's measure of
 * that change, request submitted → applied on the loop.
 */
#include <errno.h>
#include <string.h>

#include "api/handlers.h"

json_t *handlers_qos_json(const struct dsnap *s, const struct dsnap_vm *vm)
{
	(void)s;
	const struct dsnap_qos *q = &vm->qos;
	json_t *j = json_pack("{s:s, s:s, s:b, s:s, s:f}", "class", pv_qos_class_name((unsigned)q->cls),
			      "backend", q->backend, "admitted", q->admitted, "reason", q->reason,
			      "apply_latency_us", q->apply_latency_us);
	json_t *boosted = json_array(), *cpus = json_array();
	unsigned int i;

	if (!j || !boosted || !cpus) {
		json_decref(j);
		json_decref(boosted);
		json_decref(cpus);
		return NULL;
	}
	if (q->latency_budget_us)
		json_object_set_new(j, "latency_budget_us", json_integer(q->latency_budget_us));
	if (q->resv.set)
		json_object_set_new(j, "reservation", json_pack("{s:I, s:I, s:I}",
				    "runtime_us", (json_int_t)q->resv.runtime_us,
				    "period_us", (json_int_t)q->resv.period_us,
				    "deadline_us", (json_int_t)q->resv.deadline_us));
	for (i = 0; i < vm->nvcpus && i < MAX_VCPUS; i++)
		if (vm->vcpus[i].boosted)
			json_array_append_new(boosted, json_integer(i));
	for (i = 0; i < 32; i++)
		if (q->cpus_mask & (1u << i))
			json_array_append_new(cpus, json_integer(i));
	json_object_set_new(j, "boosted_vcpus", boosted);
	json_object_set_new(j, "cpus", cpus);
	return j;
}

int handlers_qos_get(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	return handlers_get_vm(ctx, req, resp, handlers_qos_json);
}

static int parse_reservation(json_t *r, struct cfg_reservation *out, struct api_resp *resp)
{
	static const char *const keys[] = { "runtime_us", "period_us", "deadline_us", NULL };
	int64_t runtime = 0, period = 0, deadline = 0;
	bool have_rt, have_p;

	if (handlers_check_keys(r, keys, "reservation", resp) ||
	    handlers_int_member(r, "runtime_us", "reservation.runtime_us", 1, 10000000, &runtime,
				&have_rt, resp) ||
	    handlers_int_member(r, "period_us", "reservation.period_us", 10, 10000000, &period,
				&have_p, resp) ||
	    handlers_int_member(r, "deadline_us", "reservation.deadline_us", 0, 10000000,
				&deadline, NULL, resp))
		return -EINVAL;
	if (!have_rt || !have_p) {
		api_error(resp, 400, "missing_field", have_rt ? "reservation.period_us" :
			  "reservation.runtime_us", "a reservation needs runtime_us and period_us");
		return -EINVAL;
	}
	if (runtime > (deadline ? deadline : period) || deadline > period) {
		api_error(resp, 400, "out_of_range", deadline && runtime > deadline ?
			  "reservation.deadline_us" : "reservation.runtime_us",
			  "runtime_us <= deadline_us <= period_us must hold (deadline 0 = period)");
		return -EINVAL;
	}
	*out = (struct cfg_reservation){ .set = true, .runtime_us = (uint64_t)runtime,
					 .period_us = (uint64_t)period,
					 .deadline_us = (uint64_t)deadline };
	return 0;
}

/* A QosSpec body into @q; -EINVAL with a 400 in @resp. */
static int parse_spec(json_t *body, struct qos_spec *q, struct api_resp *resp)
{
	static const char *const keys[] = { "class", "latency_budget_us", "reservation", NULL };
	json_t *cls, *r;
	int64_t budget = 0;
	int c;

	memset(q, 0, sizeof(*q));
	if (!body) {
		api_error(resp, 400, "missing_body", NULL, "a QosSpec JSON body is required");
		return -EINVAL;
	}
	if (handlers_check_keys(body, keys, NULL, resp))
		return -EINVAL;
	cls = json_object_get(body, "class");
	if (!cls) {
		api_error(resp, 400, "missing_field", "class", "class is required");
		return -EINVAL;
	}
	c = json_is_string(cls) ? pv_qos_class_parse(json_string_value(cls)) : -EINVAL;
	if (c < 0) {
		api_error(resp, 400, json_is_string(cls) ? "invalid_value" : "invalid_type", "class",
			  "class must be one of best-effort, latency-sensitive, realtime, partition");
		return -EINVAL;
	}
	q->cls = (enum pv_qos_class)c;
	if (handlers_int_member(body, "latency_budget_us", "latency_budget_us", 0,
				MAX_LATENCY_BUDGET_US, &budget, NULL, resp))
		return -EINVAL;
	q->latency_budget_us = (uint32_t)budget;
	r = json_object_get(body, "reservation");
	if (r && parse_reservation(r, &q->resv, resp))
		return -EINVAL;
	if ((q->cls == PV_QOS_REALTIME) != q->resv.set) {
		api_error(resp, 400, q->resv.set ? "invalid_field" : "missing_field", "reservation",
			  q->resv.set ? "a reservation goes only with class realtime" :
			  "class realtime needs a reservation");
		return -EINVAL;
	}
	return 0;
}

/* Apply @spec to the VM of the path; 200 with its QoS state and the measured latency. */
static int qos_change(struct api_ctx *ctx, const struct api_req *req, const struct qos_spec *spec,
		      struct api_resp *resp)
{
	struct snap *ref;
	const struct dsnap *s = handlers_snap(ctx, &ref, resp);
	const struct dsnap_vm *vm;
	struct cmds_io *io;
	uint64_t seq, lat_ns = 0;
	json_t *j = NULL;
	int err;

	if (!s)
		return 0;
	vm = handlers_vm(s, req, resp);
	seq = ref->seq;
	snapshot_put(ref);
	if (!vm)
		return 0;
	io = cmds_io_new();
	if (!io)
		return -ENOMEM;
	snprintf(io->name, sizeof(io->name), "%s", req->params[0]);
	io->qos = *spec;
	err = handlers_call(ctx, CMDS_QOS_SET, &io, ctx->cmd_timeout_ms, &lat_ns, resp);
	free(io);
	if (err)
		return 0;
	handlers_mutated(ctx);		/* the VM list shows each VM's class */
	s = handlers_snap_after(ctx, seq, &ref, resp);
	if (!s)
		return 0;
	vm = dsnap_vm(s, req->params[0]);
	if (vm)
		j = handlers_qos_json(s, vm);
	snapshot_put(ref);
	if (!vm)
		return api_error(resp, 404, "not_found", "name", "VM '%s' went away", req->params[0]);
	if (!j)
		return -ENOMEM;
	json_object_set_new(j, "apply_latency_us", json_real((double)lat_ns / 1e3));
	return api_json(resp, 200, j);
}

int handlers_qos_put(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	struct qos_spec spec;

	if (parse_spec(req->body, &spec, resp))
		return 0;
	return qos_change(ctx, req, &spec, resp);
}

int handlers_qos_delete(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	struct qos_spec spec = { .cls = PV_QOS_BEST_EFFORT };

	return qos_change(ctx, req, &spec, resp);
}
