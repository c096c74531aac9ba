// SPDX-License-Identifier: GPL-2.0-only
/* Daemon state across restarts (layout in state.h). Corrupt files are reported and ignored. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "daemon/daemon.h"
#include "daemon/persist.h"
#include "daemon/state.h"

int state_prepare(struct daemon *d)
{
	char path[PATH_MAX];
	int err = persist_mkdir(d->state_dir);

	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/vms", d->state_dir);
	if ((err = persist_mkdir(path)))
		return err;
	snprintf(path, sizeof(path), "%s/run", d->state_dir);
	if ((err = persist_mkdir(path)))
		return err;
	persist_clean(d->state_dir);
	snprintf(path, sizeof(path), "%s/run", d->state_dir);
	persist_clean(path);
	return 0;
}

static void load_dynamic_vms(struct daemon *d)
{
	json_t *j = persist_read_json(d->state_dir, "vms.json"), *e;
	char err[CFG_ERR_MAX];
	size_t i;

	if (!j) {
		if (errno != ENOENT)
			fprintf(stderr, "powervisord: %s/vms.json is corrupt: ignored\n", d->state_dir);
		return;
	}
	json_array_foreach(j, i, e) {
		struct cfg_vm vm;
		int slot;

		if (cfg_vm_from_json(&vm, e, "vms.json", err)) {
			fprintf(stderr, "powervisord: %s: ignored\n", err);
			continue;
		}
		if (daemon_find_vm(d, vm.name) || (slot = daemon_free_slot(d)) < 0)
			continue;
		d->vms[slot] = dvm_new(d, &vm, (unsigned int)slot, true);
	}
	json_decref(j);
}

static void load_counters(struct daemon *d)
{
	json_t *j = persist_read_json(d->state_dir, "counters.json"), *vms, *v;
	const char *name;

	if (!j)
		return;
	d->power.node_j = json_real_value(json_object_get(j, "node_j"));
	d->power.idle_j = json_real_value(json_object_get(j, "idle_j"));
	d->power.overhead_j = json_real_value(json_object_get(j, "overhead_j"));
	vms = json_object_get(j, "vms");
	json_object_foreach(vms, name, v) {
		struct dvm *vm = daemon_find_vm(d, name);
		json_t *e = json_object_get(v, "energy_j"), *r = json_object_get(v, "restarts");

		if (!vm)
			continue;
		if (json_is_real(e) && json_real_value(e) >= 0)
			d->power.vm_j[vm->slot] = json_real_value(e);
		if (json_is_integer(r) && json_integer_value(r) >= 0)
			vm->restarts = (uint32_t)json_integer_value(r);
	}
	json_decref(j);
}

static void load_policy(struct daemon *d)
{
	json_t *j = persist_read_json(d->state_dir, "policy.json");
	const char *gov = json_string_value(json_object_get(j, "governor"));
	char err[DPOWER_ERR_MAX];

	if (gov && strcmp(gov, pm_gov_mgr_name(&d->power.gov)) &&
	    dpower_set_governor(&d->power, gov, NULL, 0, err))
		fprintf(stderr, "powervisord: policy.json: %s\n", err);
	json_decref(j);
}

void state_load(struct daemon *d)
{
	load_dynamic_vms(d);
	load_counters(d);
	load_policy(d);
}

void state_save(struct daemon *d)
{
	json_t *counters = json_pack("{s:f, s:f, s:f, s:o}", "node_j", d->power.node_j, "idle_j",
				     d->power.idle_j, "overhead_j", d->power.overhead_j, "vms",
				     json_object());
	json_t *dyn = json_array();
	json_t *policy = json_pack("{s:s}", "governor", pm_gov_mgr_name(&d->power.gov));
	unsigned int i;

	for (i = 0; i < CFG_MAX_VMS; i++) {
		struct dvm *vm = d->vms[i];

		if (!vm)
			continue;
		json_object_set_new(json_object_get(counters, "vms"), vm->cfg.name,
				    json_pack("{s:f, s:i}", "energy_j", d->power.vm_j[i],
					      "restarts", (int)vm->restarts));
		if (vm->dynamic)
			json_array_append_new(dyn, cfg_vm_to_json(&vm->cfg));
	}
	if (persist_write_json(d->state_dir, "counters.json", counters) ||
	    persist_write_json(d->state_dir, "vms.json", dyn) ||
	    persist_write_json(d->state_dir, "policy.json", policy))
		fprintf(stderr, "powervisord: cannot write state in %s\n", d->state_dir);
	json_decref(counters);
	json_decref(dyn);
	json_decref(policy);
}
