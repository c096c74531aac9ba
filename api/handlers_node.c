// SPDX-License-Identifier: GPL-2.0-only
/*
 * /api/v1/node (CPUs, P-/C-states, backend, node power) and /api/v1/devices (device power
 * state and per-VM utilisation over about the last second), from the snapshot.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "powermgr/constraints.h"

static const char *const time_states[4] = { "guest", "vmm", "halt", "idle" };

static json_t *cpu_json(const struct dsnap *s, const struct dsnap_cpu *c)
{
	json_t *j = json_pack("{s:I, s:I, s:f, s:i, s:I}", "cpu", (json_int_t)c->cpu,
			      "freq_khz", (json_int_t)c->cur_khz, "util_pct", c->util_pct,
			      "cstate_limit", c->cstate_limit,
			      "freq_floor_khz", (json_int_t)c->floor_khz);
	json_t *tp = json_object(), *cres = json_object(), *fres = json_object();
	double up_us = s->uptime_s * 1e6, fsum = 0;
	char key[24];
	unsigned int k;

	if (!j || !tp || !cres || !fres) {
		json_decref(j);
		json_decref(tp);
		json_decref(cres);
		json_decref(fres);
		return NULL;
	}
	for (k = 0; k < 4; k++)
		json_object_set_new(tp, time_states[k], json_real(c->share_pct[k]));
	for (k = 0; k < s->ncstates && k < PM_MAX_CSTATES; k++) {
		double pct = up_us > 0 ? 100.0 * (double)c->cstate_us[k] / up_us : 0.0;

		json_object_set_new(cres, s->cstates[k].name, json_real(pct > 100.0 ? 100.0 : pct));
	}
	for (k = 0; k < s->npstates && k < PM_MAX_PSTATES; k++)
		fsum += (double)c->freq_ns[k];
	for (k = 0; k < s->npstates && k < PM_MAX_PSTATES; k++) {
		snprintf(key, sizeof(key), "%u", s->pstates_khz[k] / 1000);
		json_object_set_new(fres, key, json_real(fsum > 0 ? 100.0 * (double)c->freq_ns[k] /
								 fsum : 0.0));
	}
	json_object_set_new(j, "time_pct", tp);
	json_object_set_new(j, "cstate_residency_pct", cres);
	json_object_set_new(j, "freq_residency_pct", fres);
	json_object_set_new(j, "latency_budget_us", c->latency_budget_us == PM_LATENCY_NONE ?
			    json_null() : json_integer(c->latency_budget_us));
	return j;
}

static json_t *node_json(const struct dsnap *s)
{
	json_t *pst = json_array(), *cst = json_array(), *cpus = json_array();
	unsigned int i;

	if (!pst || !cst || !cpus) {
		json_decref(pst);
		json_decref(cst);
		json_decref(cpus);
		return NULL;
	}
	for (i = 0; i < s->npstates && i < PM_MAX_PSTATES; i++)
		json_array_append_new(pst, json_integer(s->pstates_khz[i]));
	for (i = 0; i < s->ncstates && i < PM_MAX_CSTATES; i++)
		json_array_append_new(cst, json_pack("{s:s, s:I, s:I}", "name", s->cstates[i].name,
				      "exit_latency_us", (json_int_t)s->cstates[i].exit_latency_us,
				      "target_residency_us",
				      (json_int_t)s->cstates[i].target_residency_us));
	for (i = 0; i < s->ncpus && i < DSNAP_MAX_CPUS; i++)
		json_array_append_new(cpus, cpu_json(s, &s->cpus[i]));
	return json_pack("{s:s, s:s, s:f, s:I, s:s, s:s, s:o, s:o, s:o, s:{s:f, s:f, s:f, s:f, s:s}}",
			 "hostname", s->hostname, "version", s->version, "uptime_s", s->uptime_s,
			 "tick_ms", (json_int_t)s->tick_ms, "backend", s->backend,
			 "governor", s->governor, "pstates_khz", pst, "cstates", cst, "cpus", cpus,
			 "power", "watts", s->node_w, "energy_j", s->node_j,
			 "idle_energy_j", s->idle_j, "overhead_energy_j", s->overhead_j,
			 "source", s->source);
}

int handlers_node(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	(void)req;
	return handlers_get_node(ctx, resp, node_json);
}

/* Per-VM busy share of device @i since @base (percent of the interval). */
static json_t *device_util(const struct dsnap *s, const struct dsnap *base, unsigned int i)
{
	json_t *u = json_object();
	double dt = base && s->base.time_ns > base->base.time_ns ?
		    (double)(s->base.time_ns - base->base.time_ns) : 0.0;
	uint32_t v;

	for (v = 0; u && v < s->nvms; v++) {
		const struct dsnap_vm *vm = &s->vms[v];
		const struct dsnap_vm *old = base ? dsnap_vm(base, vm->cfg.name) : NULL;
		uint64_t now_ns, then_ns;
		double pct = 0.0;

		if (vm->slot >= CFG_MAX_VMS)
			continue;
		now_ns = s->devs[i].busy_ns[vm->slot];
		then_ns = old && old->slot == vm->slot && i < base->ndevs &&
			  !strcmp(base->devs[i].name, s->devs[i].name) ?
			  base->devs[i].busy_ns[vm->slot] : now_ns;
		if (dt > 0 && now_ns >= then_ns)
			pct = 100.0 * (double)(now_ns - then_ns) / dt;
		json_object_set_new(u, vm->cfg.name, json_real(pct > 100.0 ? 100.0 : pct));
	}
	return u;
}

int handlers_devices(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	struct snap *ref, *bref = NULL;
	const struct dsnap *s = handlers_snap(ctx, &ref, resp), *base;
	json_t *a;
	unsigned int i;

	(void)req;
	if (!s)
		return 0;
	base = handlers_rate_base(ctx, ref, &bref);
	a = json_array();
	for (i = 0; a && i < s->ndevs && i < DSNAP_MAX_DEVS; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:f, s:I, s:I, s:o}",
				      "name", s->devs[i].name,
				      "power_state", s->devs[i].state ? "low" : "on",
				      "idle_ms", s->devs[i].idle_ms,
				      "idle_threshold_ms", (json_int_t)s->devs[i].idle_threshold_ms,
				      "latency_sensitive_users", (json_int_t)s->devs[i].latency_deps,
				      "utilization", device_util(s, base, i)));
	snapshot_put(bref);
	snapshot_put(ref);
	return a ? api_json(resp, 200, json_pack("{s:o}", "devices", a)) : -ENOMEM;
}
