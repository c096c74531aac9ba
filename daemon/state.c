// SPDX-License-Identifier: GPL-2.0-only
/* Daemon state across restarts (layout in state.h). Corrupt files are reported and ignored. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <jansson.h>

#include "daemon/daemon.h"
#include "daemon/persist.h"
#include "daemon/state.h"

#define TOMBSTONES	"deleted.json"

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

static bool in_config(const struct daemon *d, const char *name)
{
	uint32_t i;

	for (i = 0; i < d->cfg.nvms; i++)
		if (!strcmp(d->cfg.vms[i].name, name))
			return true;
	return false;
}

/* The tombstones as a JSON array of names (empty when there are none or they are corrupt). */
static json_t *read_tombstones(const struct daemon *d)
{
	json_t *j = persist_read_json(d->state_dir, TOMBSTONES);

	if (json_is_array(j))
		return j;
	if (j || errno != ENOENT)
		fprintf(stderr, "powervisord: %s/%s is corrupt: ignored\n", d->state_dir, TOMBSTONES);
	json_decref(j);
	return json_array();
}

static void write_tombstones(const struct daemon *d, json_t *names)
{
	if (!names || persist_write_json(d->state_dir, TOMBSTONES, names))
		fprintf(stderr, "powervisord: cannot write %s/%s\n", d->state_dir, TOMBSTONES);
}

/* Index of @name in the array @names, -1 if absent. */
static ssize_t tombstone_index(json_t *names, const char *name)
{
	json_t *e;
	size_t i;

	json_array_foreach(names, i, e)
		if (json_is_string(e) && !strcmp(json_string_value(e), name))
			return (ssize_t)i;
	return -1;
}

void state_vm_deleted(struct daemon *d, const char *name)
{
	json_t *names;

	if (!in_config(d, name))
		return;		/* vms.json alone decides whether an API-only VM comes back */
	names = read_tombstones(d);
	if (names && tombstone_index(names, name) < 0) {
		json_array_append_new(names, json_string(name));
		write_tombstones(d, names);
	}
	json_decref(names);
}

void state_vm_created(struct daemon *d, const char *name)
{
	json_t *names = read_tombstones(d);
	ssize_t i = names ? tombstone_index(names, name) : -1;

	if (i >= 0) {
		json_array_remove(names, (size_t)i);
		write_tombstones(d, names);
	}
	json_decref(names);
}

/*
 * Configuration VMs (the only ones loaded so far) named by a tombstone are dropped before
 * anything starts; tombstones naming no configuration VM are forgotten, so a VM added to
 * the file later under such a name runs.
 */
static void load_tombstones(struct daemon *d)
{
	json_t *names = read_tombstones(d), *keep = json_array(), *e;
	bool changed = false;
	size_t i;

	json_array_foreach(names, i, e) {
		const char *name = json_string_value(e);
		struct dvm *vm = name ? daemon_find_vm(d, name) : NULL;

		if (!vm || vm->dynamic) {
			changed = true;
			continue;
		}
		fprintf(stderr, "powervisord: vm %s: not started: it was deleted through the API "
			"(tombstone in %s/%s; create it through the API to bring it back)\n",
			name, d->state_dir, TOMBSTONES);
		d->vms[vm->slot] = NULL;
		dvm_free(vm);
		json_array_append(keep, e);
	}
	if (changed)
		write_tombstones(d, keep);
	json_decref(keep);
	json_decref(names);
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
		struct dvm *old;
		int slot;

		if (cfg_vm_from_json(&vm, e, "vms.json", err) ||
		    cfg_vm_check_node(&vm, &d->cfg.node, "vms.json", err)) {
			fprintf(stderr, "powervisord: %s: ignored\n", err);
			continue;
		}
		old = daemon_find_vm(d, vm.name);
		if (old && old->dynamic)
			continue;
		if (old) {	/* deleted, then created again through the API (state.h) */
			fprintf(stderr, "powervisord: vm %s: the definition created through the API "
				"replaces the configuration file's\n", vm.name);
			d->vms[old->slot] = NULL;
			dvm_free(old);
		}
		slot = daemon_free_slot(d);
		if (slot < 0)
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
	load_tombstones(d);
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
