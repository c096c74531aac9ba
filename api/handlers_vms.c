// SPDX-License-Identifier: GPL-2.0-only
/*
 * Read side of /api/v1/vms: the list, one VM in full, its vCPUs, exits by reason with
 * latency histograms, and its energy. Everything from the latest snapshot; per-second exit
 * rates from a snapshot about a second older (handlers_rate_base).
 */
#include <errno.h>
#include <string.h>

#include "api/handlers.h"
#include "tracer/shm.h"

static const char *const vcpu_state_names[PV_VCPU_STATE_MAX] = {
	[PV_VCPU_CREATED] = "created", [PV_VCPU_RUNNING] = "running",
	[PV_VCPU_PAUSED] = "paused", [PV_VCPU_STOPPED] = "stopped",
};

static json_int_t clamp_i64(uint64_t v)
{
	return v > INT64_MAX ? INT64_MAX : (json_int_t)v;
}

json_t *handlers_vm_summary(const struct dsnap_vm *vm)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:f, s:f, s:f, s:I}",
			      "name", vm->cfg.name, "state", handlers_vm_state_name(vm->state),
			      "qos", pv_qos_class_name(vm->cfg.qos), "vcpus", (json_int_t)vm->cfg.vcpus,
			      "pid", (json_int_t)vm->pid, "restarts", (json_int_t)vm->restarts,
			      "cpu_pct", vm->cpu_pct, "power_w", vm->power_w, "energy_j", vm->energy_j,
			      "rt_misses", clamp_i64(vm->total.rt_misses));

	if (j && vm->end_reason[0])
		json_object_set_new(j, "end_reason", json_string(vm->end_reason));
	return j;
}

static json_t *vcpu_json(const struct dsnap_vcpu *v)
{
	return json_pack("{s:I, s:I, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:b}",
			 "vcpu", (json_int_t)v->vcpu, "tid", (json_int_t)v->tid,
			 "pcpu", (json_int_t)v->pcpu,
			 "state", v->run_state < PV_VCPU_STATE_MAX ? vcpu_state_names[v->run_state] :
			 "stopped",
			 "guest_ns", clamp_i64(v->guest_ns), "vmm_ns", clamp_i64(v->vmm_ns),
			 "halt_ns", clamp_i64(v->halt_ns), "migrations", clamp_i64(v->migrations),
			 "exits", clamp_i64(v->exits), "boosted", v->boosted);
}

static json_t *vcpus_json(const struct dsnap_vm *vm)
{
	json_t *a = json_array();
	uint32_t i;

	for (i = 0; a && i < vm->nvcpus && i < MAX_VCPUS; i++)
		json_array_append_new(a, vcpu_json(&vm->vcpus[i]));
	return a;
}

json_t *handlers_energy_json(const struct dsnap *s, const struct dsnap_vm *vm)
{
	return json_pack("{s:f, s:f, s:f, s:s}", "energy_j", vm->energy_j, "power_w", vm->power_w,
			 "share_pct", s->node_j > 0 ? 100.0 * vm->energy_j / s->node_j : 0.0,
			 "source", s->source);
}

json_t *handlers_vm_full(const struct dsnap *s, const struct dsnap_vm *vm)
{
	json_t *j = handlers_vm_summary(vm);
	uint64_t exits = 0;
	unsigned int r;

	if (!j)
		return NULL;
	for (r = 0; r < PV_EXIT_MAX; r++)
		exits += vm->total.exits[r];
	json_object_set_new(j, "spec", cfg_vm_to_json(&vm->cfg));
	json_object_set_new(j, "halt_mode_requested", json_string(vm->halt_requested));
	json_object_set_new(j, "halt_mode_honoured",
			    json_string(vm->halt_honoured[0] ? vm->halt_honoured : "unknown"));
	json_object_set_new(j, "vcpu_stats", vcpus_json(vm));
	json_object_set_new(j, "exits_total", json_integer(clamp_i64(exits)));
	json_object_set_new(j, "rt", json_pack("{s:I, s:I, s:I, s:o}",
			    "activations", clamp_i64(vm->total.rt_activations),
			    "completions", clamp_i64(vm->total.rt_completions),
			    "misses", clamp_i64(vm->total.rt_misses),
			    "lateness", handlers_hist_json(&vm->total.rt_release_lat)));
	json_object_set_new(j, "qos_state", handlers_qos_json(s, vm));
	json_object_set_new(j, "energy", handlers_energy_json(s, vm));
	return j;
}

/* The list body of @s as text: built once per snapshot (the list is polled the most). */
int handlers_vms_list_text(const struct dsnap *s, char **text, size_t *len)
{
	json_t *a = json_array(), *j;
	uint32_t i;

	for (i = 0; a && i < s->nvms; i++)
		json_array_append_new(a, handlers_vm_summary(&s->vms[i]));
	j = a ? json_pack("{s:o}", "vms", a) : NULL;
	*text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!*text)
		return -ENOMEM;
	*len = strlen(*text);
	return 0;
}

int handlers_vms_list(void *vctx, const struct api_req *req, struct api_resp *resp)
{
	struct api_ctx *ctx = vctx;
	uint64_t min = atomic_load(&ctx->vm_list.min_seq);
	struct snap *ref;
	const struct dsnap *s;
	int err;

	/* after a change through the API: a snapshot that shows it (read-your-writes) */
	s = min ? handlers_snap_after(ctx, min - 1, &ref, resp) : handlers_snap(ctx, &ref, resp);
	if (!s)
		return 0;
	err = metrics_cache_respond(&ctx->vm_list, s, handlers_vms_list_text, "application/json",
				    req->accept_gzip, resp);
	snapshot_put(ref);
	return err;
}

int handlers_vms_get(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	return handlers_get_vm(ctx, req, resp, handlers_vm_full);
}

static json_t *vcpus_resource(const struct dsnap *s, const struct dsnap_vm *vm)
{
	(void)s;
	return json_pack("{s:o}", "vcpus", vcpus_json(vm));
}

int handlers_vms_vcpus(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	return handlers_get_vm(ctx, req, resp, vcpus_resource);
}

/* Exits of @vm per second since the same VM in @base (NULL: over the last tick). */
static double exit_rate(const struct dsnap *s, const struct dsnap_vm *vm,
			const struct dsnap *base, unsigned int r)
{
	const struct dsnap_vm *old = base ? dsnap_vm(base, vm->cfg.name) : NULL;
	double dt;

	if (old && old->slot == vm->slot && s->base.time_ns > base->base.time_ns &&
	    vm->total.exits[r] >= old->total.exits[r]) {
		dt = (double)(s->base.time_ns - base->base.time_ns) / 1e9;
		return (double)(vm->total.exits[r] - old->total.exits[r]) / dt;
	}
	return vm->window_ns ? (double)vm->window.exits[r] * 1e9 / (double)vm->window_ns : 0.0;
}

int handlers_vms_exits(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	struct snap *ref, *bref = NULL;
	const struct dsnap *s = handlers_snap(ctx, &ref, resp), *base;
	const struct dsnap_vm *vm;
	json_t *a = NULL;
	unsigned int r;

	if (!s)
		return 0;
	vm = handlers_vm(s, req, resp);
	if (vm) {
		base = handlers_rate_base(ctx, ref, &bref);
		a = json_array();
		for (r = 0; a && r < PV_EXIT_MAX; r++) {
			if (!vm->total.exits[r])
				continue;
			json_array_append_new(a, json_pack("{s:s, s:I, s:f, s:o}",
					      "reason", pv_exit_reason_name(r),
					      "count", clamp_i64(vm->total.exits[r]),
					      "per_s", exit_rate(s, vm, base, r),
					      "latency", handlers_hist_json(&vm->total.exit_lat[r])));
		}
		snapshot_put(bref);
	}
	snapshot_put(ref);
	if (!vm)
		return 0;
	return a ? api_json(resp, 200, json_pack("{s:o}", "exits", a)) : -ENOMEM;
}

int handlers_vms_energy(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	return handlers_get_vm(ctx, req, resp, handlers_energy_json);
}
