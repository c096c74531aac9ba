// SPDX-License-Identifier: GPL-2.0-only
/* The live per-second view and the JSON summary, both from the published snapshot. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/daemon.h"
#include "daemon/dsnap.h"
#include "daemon/summary.h"
#include "qos/dl_resync.h"

static const char *const time_names[4] = { "guest", "vmm", "halt", "idle" };

static const char *cstate_name(const struct dsnap *s, int idx)
{
	return idx >= 0 && (uint32_t)idx < s->ncstates ? s->cstates[idx].name : "-";
}

void summary_live(struct daemon *d, FILE *out)
{
	struct dsnap *s = (struct dsnap *)snapshot_get(&d->pub);
	uint32_t i;

	if (!s)
		return;
	fprintf(out, "[%7.1fs] node %.1f W (%s) %.1f J  governor %s  backend %s\n", s->uptime_s,
		s->node_w, s->source, s->node_j, s->governor, s->backend);
	for (i = 0; i < s->ncpus; i++)
		fprintf(out, "   cpu%-2u %5u MHz  util %5.1f%%  guest %5.1f%% vmm %4.1f%% halt %5.1f%%"
			"  C-limit %s\n", s->cpus[i].cpu, s->cpus[i].cur_khz / 1000,
			s->cpus[i].util_pct, s->cpus[i].share_pct[0], s->cpus[i].share_pct[1],
			s->cpus[i].share_pct[2], cstate_name(s, s->cpus[i].cstate_limit));
	for (i = 0; i < s->nvms; i++) {
		const struct dsnap_vm *v = &s->vms[i];

		fprintf(out, "   %-10s %-8s %-17s cpu %5.1f%%  %6.2f W %8.2f J  exits %7llu"
			"  rt %llu/%llu miss, p99 %llu us\n", v->cfg.name, dvm_state_name(v->state),
			pv_qos_class_name((unsigned int)v->cfg.qos), v->cpu_pct, v->power_w, v->energy_j,
			(unsigned long long)(v->vcpus[0].exits), (unsigned long long)v->total.rt_misses,
			(unsigned long long)v->total.rt_activations,
			(unsigned long long)(pv_hist_quantile_ns(&v->total.rt_release_lat, 0.99) / 1000));
	}
	fflush(out);
	snapshot_put(&s->base);
}

static json_t *vm_json(const struct dsnap *s, const struct dsnap_vm *v)
{
	json_t *exits = json_object(), *vcpus = json_array();
	uint32_t r, i;

	(void)s;
	for (r = 0; r < PV_EXIT_MAX; r++)
		if (v->total.exits[r])
			json_object_set_new(exits, pv_exit_reason_name(r),
					    json_integer((json_int_t)v->total.exits[r]));
	for (i = 0; i < v->nvcpus; i++) {
		const struct dsnap_vcpu *c = &v->vcpus[i];
		json_t *pmu = json_object();

		/* every event is listed; null says "not available on this host" */
		for (r = 0; r < PM_PMU_NR_EVENTS; r++)
			json_object_set_new(pmu, pm_pmu_event_name(r), c->pmu_mask & (1u << r) ?
					    json_integer((json_int_t)c->pmu[r]) : json_null());
		json_t *tasks = json_array();

		for (r = 0; r < PV_GUEST_MAX_TASKS; r++) {
			const struct pv_task_stats *t = &c->tasks[r];

			if (t->id)
				json_array_append_new(tasks, json_pack("{s:i, s:s, s:I, s:I, s:I}",
					"id", (int)t->id, "class", pv_task_class_name(t->cls),
					"activations", (json_int_t)t->activations,
					"misses", (json_int_t)t->misses,
					"progress", (json_int_t)t->progress));
		}
		json_array_append_new(vcpus, json_pack("{s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:o,"
			" s:{s:I, s:I}, s:o}",
			"vcpu", (int)c->vcpu, "pcpu", (int)c->pcpu,
			"guest_ns", (json_int_t)c->guest_ns, "vmm_ns", (json_int_t)c->vmm_ns,
			"halt_ns", (json_int_t)c->halt_ns, "migrations", (json_int_t)c->migrations,
			"exits", (json_int_t)c->exits, "pmu", pmu,
			"reservation", "changes", (json_int_t)c->boost_changes,
			"held_ns", (json_int_t)c->boosted_ns, "guest_tasks", tasks));
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:f, s:{s:I, s:I, s:I, s:I},"
			 " s:I, s:I}",
		"name", v->cfg.name, "state", dvm_state_name(v->state),
		"qos", pv_qos_class_name((unsigned int)v->cfg.qos),
		"reservation_backend", v->qos.backend, "end_reason", v->end_reason,
		"restarts", (int)v->restarts, "vcpus", vcpus, "exits_by_reason", exits,
		"energy_j", v->energy_j,
		"rt", "activations", (json_int_t)v->total.rt_activations,
		"completions", (json_int_t)v->total.rt_completions,
		"misses", (json_int_t)v->total.rt_misses,
		"lateness_p99_ns", (json_int_t)pv_hist_quantile_ns(&v->total.rt_release_lat, 0.99),
		"trace_records", (json_int_t)v->records, "trace_rejects", (json_int_t)v->rejects);
}

static json_t *cpu_json(const struct dsnap *s, const struct dsnap_cpu *c)
{
	json_t *freq = json_object(), *cst = json_object();
	uint64_t total = 0;
	uint32_t k;

	for (k = 0; k < s->npstates; k++)
		total += c->freq_ns[k];
	for (k = 0; k < s->npstates; k++) {
		char key[16];

		if (!c->freq_ns[k])
			continue;
		snprintf(key, sizeof(key), "%u", s->pstates_khz[k] / 1000);
		json_object_set_new(freq, key, json_real(100.0 * (double)c->freq_ns[k] /
							(double)total));
	}
	for (k = 0; k < s->ncstates; k++)
		json_object_set_new(cst, s->cstates[k].name,
				    json_real((double)c->cstate_us[k] / 1e6));
	return json_pack("{s:i, s:i, s:s, s:o, s:o, s:{s:I, s:I, s:I, s:I}}",
		"cpu", (int)c->cpu, "freq_khz", (int)c->cur_khz,
		"cstate_limit", cstate_name(s, c->cstate_limit),
		"freq_residency_pct_by_mhz", freq, "cstate_residency_s", cst,
		"time_ns", time_names[0], (json_int_t)c->time_ns[0], time_names[1],
		(json_int_t)c->time_ns[1], time_names[2], (json_int_t)c->time_ns[2],
		time_names[3], (json_int_t)c->time_ns[3]);
}

static json_t *devices_json(const struct dsnap *s)
{
	json_t *devs = json_array();
	uint32_t i, v;

	for (i = 0; i < s->ndevs; i++) {
		json_t *use = json_object();

		for (v = 0; v < s->nvms; v++) {
			uint32_t slot = (uint32_t)s->vms[v].slot;

			if (slot < CFG_MAX_VMS && s->devs[i].ops[slot])
				json_object_set_new(use, s->vms[v].cfg.name, json_pack("{s:I, s:I}",
					"busy_ns", (json_int_t)s->devs[i].busy_ns[slot],
					"ops", (json_int_t)s->devs[i].ops[slot]));
		}
		json_array_append_new(devs, json_pack("{s:s, s:s, s:I, s:o}", "name", s->devs[i].name,
			"power_state", s->devs[i].state ? "low" : "on",
			"transitions", (json_int_t)s->devs[i].transitions, "use_by_vm", use));
	}
	return devs;
}

/* Actuator failures by kind (every kind, and what was counted without one). */
static json_t *failures_json(const struct dsnap *s)
{
	json_t *o = json_object();
	uint64_t sum = 0;
	unsigned int k;

	for (k = 0; o && k < DPOWER_ACT_MAX; k++) {
		json_object_set_new(o, dpower_act_name(k),
				    json_integer((json_int_t)s->actuator_failures_by[k]));
		sum += s->actuator_failures_by[k];
	}
	if (o)
		json_object_set_new(o, dpower_act_name(DPOWER_ACT_MAX),
				    json_integer((json_int_t)(s->actuator_failures > sum ?
							      s->actuator_failures - sum : 0)));
	return o;
}

json_t *summary_json(const struct dsnap *s)
{
	json_t *vms = json_array(), *cpus = json_array();
	uint32_t i;

	for (i = 0; i < s->nvms; i++)
		json_array_append_new(vms, vm_json(s, &s->vms[i]));
	for (i = 0; i < s->ncpus; i++)
		json_array_append_new(cpus, cpu_json(s, &s->cpus[i]));
	return json_pack("{s:s, s:f, s:s, s:s, s:s, s:I, s:{s:f, s:f, s:f, s:s}, s:I, s:o, s:o, s:o,"
			 " s:o}",
		"version", s->version, "uptime_s", s->uptime_s, "governor", s->governor,
		"backend", s->backend, "reservation_backend", s->resv_backend,
		/* kernel deadline-bandwidth resynchronisations (qos/dl_resync.h) */
		"deadline_resyncs", (json_int_t)dl_bw_resyncs(),
		"node", "energy_j", s->node_j, "idle_energy_j", s->idle_j,
		"overhead_energy_j", s->overhead_j, "source", s->source,
		"actuator_failures", (json_int_t)s->actuator_failures,
		"actuator_failures_by_kind", failures_json(s), "vms", vms, "cpus", cpus,
		"devices", devices_json(s));
}

int summary_write(struct daemon *d, const char *path)
{
	struct dsnap *s = (struct dsnap *)snapshot_get(&d->pub);
	json_t *j;
	int err;

	if (!s)
		return -ENODATA;
	j = summary_json(s);
	snapshot_put(&s->base);
	if (!j)
		return -ENOMEM;
	err = json_dump_file(j, path, JSON_INDENT(2) | JSON_SORT_KEYS) ? -EIO : 0;
	json_decref(j);
	return err;
}
