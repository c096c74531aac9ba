// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvctl vm list|show|create|delete|pause|resume — the /api/v1/vms routes. `create` builds a
 * VmSpec either from a JSON file (sent as written, after checking it is an object with a
 * valid name) or from flags validated against the spec's ranges and enumerations.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/pvctl_cmd.h"
#include "api/pvctl_err.h"

#define VM_USAGE "pvctl vm list | show NAME | create (-f FILE.json | --name NAME [options]) | " \
		 "delete NAME | pause NAME | resume NAME"
#define VM_CREATE_USAGE "pvctl vm create -f FILE.json | --name NAME [--vcpus 1..16] " \
	"[--memory-mib 16..65536] [--workload SPEC] [--qos CLASS] [--kernel PATH] " \
	"[--cmdline ARGS] [--halt-mode exit|poll|native] [--poll-ns N] [--latency-budget-us N] " \
	"[--runtime-us N --period-us N [--deadline-us N]] [--restart never|on-failure] " \
	"[--restart-backoff-ms N] [--max-restarts N]"

static const char *const vm_halt_modes[] = { "exit", "poll", "native", NULL };
static const char *const vm_restart_modes[] = { "never", "on-failure", NULL };

enum {
	VO_FILE = 1, VO_NAME, VO_VCPUS, VO_MEM, VO_WORKLOAD, VO_QOS, VO_KERNEL, VO_CMDLINE,
	VO_HALT, VO_POLL, VO_LAT, VO_RUNTIME, VO_PERIOD, VO_DEADLINE, VO_RESTART, VO_BACKOFF,
	VO_MAXRESTARTS,
};

static const struct pvctl_opt vm_create_opts[] = {
	{ "file", 'f', true, VO_FILE },
	{ "name", 0, true, VO_NAME },
	{ "vcpus", 0, true, VO_VCPUS },
	{ "memory-mib", 0, true, VO_MEM },
	{ "workload", 0, true, VO_WORKLOAD },
	{ "qos", 0, true, VO_QOS },
	{ "kernel", 0, true, VO_KERNEL },
	{ "cmdline", 0, true, VO_CMDLINE },
	{ "halt-mode", 0, true, VO_HALT },
	{ "poll-ns", 0, true, VO_POLL },
	{ "latency-budget-us", 0, true, VO_LAT },
	{ "runtime-us", 0, true, VO_RUNTIME },
	{ "period-us", 0, true, VO_PERIOD },
	{ "deadline-us", 0, true, VO_DEADLINE },
	{ "restart", 0, true, VO_RESTART },
	{ "restart-backoff-ms", 0, true, VO_BACKOFF },
	{ "max-restarts", 0, true, VO_MAXRESTARTS },
	{ NULL, 0, false, 0 },
};

/* Integer options: JSON key and range from the VmSpec schema. */
static const struct {
	int id;
	const char *key, *opt;
	long long min, max;
} vm_int_opts[] = {
	{ VO_VCPUS, "vcpus", "--vcpus", 1, 16 },
	{ VO_MEM, "memory_mib", "--memory-mib", 16, 65536 },
	{ VO_POLL, "poll_ns", "--poll-ns", 0, 10000000 },
	{ VO_LAT, "latency_budget_us", "--latency-budget-us", 0, 1000000 },
	{ VO_BACKOFF, "restart_backoff_ms", "--restart-backoff-ms", 1, 60000 },
	{ VO_MAXRESTARTS, "max_restarts", "--max-restarts", 0, 1000 },
};

static int vm_load_file(const char *path, json_t **out, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *j;

	j = strcmp(path, "-") ? json_load_file(path, JSON_REJECT_DUPLICATES, &jerr) :
		json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr);
	if (!j) {
		if (jerr.line < 1)
			snprintf(err, errlen, "-f %s: %s", path, jerr.text);
		else
			snprintf(err, errlen, "-f %s: line %d column %d: %s", path, jerr.line,
				 jerr.column, jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		return pvctl_errf(err, errlen, "-f %s: the VM spec must be a JSON object", path);
	}
	if (!json_is_string(json_object_get(j, "name")) ||
	    pvctl_parse_name(pvctl_jstr(j, "name"), "VM name", err, errlen)) {
		if (!json_is_string(json_object_get(j, "name")))
			snprintf(err, errlen, "-f %s: the VM spec needs a \"name\" string", path);
		json_decref(j);
		return -EINVAL;
	}
	*out = j;
	return 0;
}

static int vm_int_opt(json_t *body, int id, const char *arg, char *err, size_t errlen)
{
	long long v;
	size_t i;

	for (i = 0; i < sizeof(vm_int_opts) / sizeof(vm_int_opts[0]); i++) {
		if (vm_int_opts[i].id != id)
			continue;
		if (pvctl_parse_int(arg, vm_int_opts[i].opt, vm_int_opts[i].min, vm_int_opts[i].max,
				    &v, err, errlen))
			return -EINVAL;
		json_object_set_new(body, vm_int_opts[i].key, json_integer(v));
		return 0;
	}
	return -ENOENT;
}

static int vm_str_opt(json_t *body, int id, const char *arg, char *err, size_t errlen)
{
	int rc = 0;

	switch (id) {
	case VO_NAME:
		rc = pvctl_parse_name(arg, "VM name", err, errlen);
		if (!rc)
			json_object_set_new(body, "name", json_string(arg));
		return rc;
	case VO_QOS:
		rc = pvctl_parse_enum(arg, "--qos", pvctl_qos_classes, err, errlen);
		if (rc >= 0)
			json_object_set_new(body, "qos", json_string(arg));
		return rc < 0 ? rc : 0;
	case VO_HALT:
		rc = pvctl_parse_enum(arg, "--halt-mode", vm_halt_modes, err, errlen);
		if (rc >= 0)
			json_object_set_new(body, "halt_mode", json_string(arg));
		return rc < 0 ? rc : 0;
	case VO_RESTART:
		rc = pvctl_parse_enum(arg, "--restart", vm_restart_modes, err, errlen);
		if (rc >= 0)
			json_object_set_new(body, "restart", json_string(arg));
		return rc < 0 ? rc : 0;
	case VO_WORKLOAD:
	case VO_KERNEL:
	case VO_CMDLINE:
		if (!*arg || strlen(arg) > 4096)
			return pvctl_errf(err, errlen, "--workload/--kernel/--cmdline: the value must "
					  "be 1..4096 characters");
		json_object_set_new(body, id == VO_WORKLOAD ? "workload" : id == VO_KERNEL ?
				    "kernel" : "cmdline", json_string(arg));
		return 0;
	}
	return -ENOENT;
}

int pvctl_vm_create_body(int argc, char **argv, json_t **body, char *err, size_t errlen)
{
	long long resv[3] = { -1, -1, -1 };	/* PVCTL_RESV_* */
	const char *file = NULL, *arg;
	struct pvctl_optiter it;
	json_t *b = json_object(), *r = NULL;
	bool flags = false;
	int id, rc = 0;

	*body = NULL;
	pvctl_opt_init(&it, argc, argv);
	while (!rc && (id = pvctl_opt_next_only(&it, vm_create_opts, &arg, err, errlen)) != 0) {
		if (id < 0) {
			rc = id;
		} else if (id == VO_FILE) {
			rc = file ? pvctl_errf(err, errlen, "-f given twice") : 0;
			file = arg;
		} else if (id == VO_RUNTIME || id == VO_PERIOD || id == VO_DEADLINE) {
			flags = true;
			rc = pvctl_parse_resv(id - VO_RUNTIME, arg, resv, err, errlen);
		} else {
			flags = true;
			rc = vm_int_opt(b, id, arg, err, errlen);
			if (rc == -ENOENT)
				rc = vm_str_opt(b, id, arg, err, errlen);
		}
	}
	if (!rc && file && flags)
		rc = pvctl_errf(err, errlen, "use either -f FILE.json or flags, not both");
	if (!rc && !file && !json_object_get(b, "name"))
		rc = pvctl_errf(err, errlen, "a VM needs --name NAME (or -f FILE.json)");
	if (!rc && !file) {
		rc = pvctl_reservation(resv[PVCTL_RESV_RUNTIME], resv[PVCTL_RESV_PERIOD],
				       resv[PVCTL_RESV_DEADLINE], &r, err, errlen);
		if (!rc && r)
			json_object_set_new(b, "reservation", r);
	}
	if (!rc && file) {
		json_decref(b);
		b = NULL;
		rc = vm_load_file(file, &b, err, errlen);
	}
	if (rc) {
		json_decref(b);
		return -EINVAL;
	}
	*body = b;
	return 0;
}

/* ---------------------------------------------------------------- output */

static void vm_print_list(struct pvctl *p, json_t *res, const void *arg)
{
	static const struct pvctl_col cols[] = {
		{ "NAME", PVCTL_LEFT }, { "STATE", PVCTL_LEFT }, { "QOS", PVCTL_LEFT },
		{ "VCPUS", PVCTL_RIGHT }, { "PID", PVCTL_RIGHT }, { "CPU (%)", PVCTL_RIGHT },
		{ "POWER (W)", PVCTL_RIGHT }, { "ENERGY (J)", PVCTL_RIGHT },
		{ "RT MISSES", PVCTL_RIGHT }, { "RESTARTS", PVCTL_RIGHT },
		{ "END REASON", PVCTL_LEFT },
	};
	json_t *vms = json_object_get(res, "vms"), *vm;
	struct pvctl_table t;
	char b[6][32];
	size_t i;

	(void)arg;
	if (!json_array_size(vms)) {
		fprintf(p->out, "no VMs\n");
		return;
	}
	pvctl_table_init(&t, cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(vms, i, vm) {
		pvctl_table_cell(&t, "%s", pvctl_jstr(vm, "name"));
		pvctl_table_cell(&t, "%s", pvctl_jstr(vm, "state"));
		pvctl_table_cell(&t, "%s", pvctl_jstr(vm, "qos"));
		pvctl_table_cell(&t, "%s", pvctl_jint(vm, "vcpus", b[0], 32));
		pvctl_table_cell(&t, "%s", pvctl_jint(vm, "pid", b[1], 32));
		pvctl_table_cell(&t, "%s", pvctl_jnum(vm, "cpu_pct", 1, b[2], 32));
		pvctl_table_cell(&t, "%s", pvctl_jnum(vm, "power_w", 2, b[3], 32));
		pvctl_table_cell(&t, "%s", pvctl_jnum(vm, "energy_j", 1, b[4], 32));
		pvctl_table_cell(&t, "%s", pvctl_jint(vm, "rt_misses", b[5], 32));
		pvctl_table_cell(&t, "%s", pvctl_jint(vm, "restarts", b[0], 32));
		pvctl_table_cell(&t, "%s", json_string_value(json_object_get(vm, "end_reason")) ?: "");
	}
	pvctl_table_print(&t, p->out);
	pvctl_table_free(&t);
}

static void vm_print_vcpus(struct pvctl *p, json_t *vcpus)
{
	static const struct pvctl_col cols[] = {
		{ "VCPU", PVCTL_RIGHT }, { "TID", PVCTL_RIGHT }, { "PCPU", PVCTL_RIGHT },
		{ "STATE", PVCTL_LEFT }, { "GUEST (ms)", PVCTL_RIGHT }, { "VMM (ms)", PVCTL_RIGHT },
		{ "HALT (ms)", PVCTL_RIGHT }, { "EXITS", PVCTL_RIGHT },
		{ "MIGRATIONS", PVCTL_RIGHT }, { "BOOSTED", PVCTL_LEFT },
	};
	static const char *const ns_keys[] = { "guest_ns", "vmm_ns", "halt_ns" };
	struct pvctl_table t;
	char b[32];
	json_t *v;
	size_t i, k;

	if (!json_array_size(vcpus))
		return;
	fprintf(p->out, "\n");
	pvctl_table_init(&t, cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(vcpus, i, v) {
		pvctl_table_cell(&t, "%s", pvctl_jint(v, "vcpu", b, sizeof(b)));
		pvctl_table_cell(&t, "%s", pvctl_jint(v, "tid", b, sizeof(b)));
		pvctl_table_cell(&t, "%s", pvctl_jint(v, "pcpu", b, sizeof(b)));
		pvctl_table_cell(&t, "%s", pvctl_jstr(v, "state"));
		for (k = 0; k < 3; k++) {
			json_t *ns = json_object_get(v, ns_keys[k]);

			if (json_is_number(ns))
				pvctl_table_cell(&t, "%.1f", json_number_value(ns) / 1e6);
			else
				pvctl_table_cell(&t, "-");
		}
		pvctl_table_cell(&t, "%s", pvctl_jint(v, "exits", b, sizeof(b)));
		pvctl_table_cell(&t, "%s", pvctl_jint(v, "migrations", b, sizeof(b)));
		pvctl_table_cell(&t, "%s", pvctl_jint(v, "boosted", b, sizeof(b)));
	}
	pvctl_table_print(&t, p->out);
	pvctl_table_free(&t);
}

static void vm_print_show(struct pvctl *p, json_t *vm, const void *arg)
{
	static const struct pvctl_col cols[] = { { "", PVCTL_LEFT }, { "", PVCTL_LEFT } };
	json_t *spec = json_object_get(vm, "spec"), *rt = json_object_get(vm, "rt");
	json_t *energy = json_object_get(vm, "energy"), *qos = json_object_get(vm, "qos_state");
	struct pvctl_table t;
	char b[4][32];

	(void)arg;
	pvctl_table_init(&t, cols, 2);
	t.header = false;
	pvctl_table_cell(&t, "name:");
	pvctl_table_cell(&t, "%s", pvctl_jstr(vm, "name"));
	pvctl_table_cell(&t, "state:");
	pvctl_table_cell(&t, "%s%s%s", pvctl_jstr(vm, "state"),
			 json_object_get(vm, "end_reason") ? " — " : "",
			 json_string_value(json_object_get(vm, "end_reason")) ?: "");
	pvctl_table_cell(&t, "qos:");
	pvctl_table_cell(&t, "%s", pvctl_jstr(vm, "qos"));
	pvctl_table_cell(&t, "vcpus:");
	pvctl_table_cell(&t, "%s", pvctl_jint(vm, "vcpus", b[0], 32));
	pvctl_table_cell(&t, "pid:");
	pvctl_table_cell(&t, "%s (restarts %s)", pvctl_jint(vm, "pid", b[0], 32),
			 pvctl_jint(vm, "restarts", b[1], 32));
	pvctl_table_cell(&t, "cpu:");
	pvctl_table_cell(&t, "%s %%", pvctl_jnum(vm, "cpu_pct", 1, b[0], 32));
	pvctl_table_cell(&t, "power:");
	pvctl_table_cell(&t, "%s W, %s J", pvctl_jnum(vm, "power_w", 2, b[0], 32),
			 pvctl_jnum(vm, "energy_j", 1, b[1], 32));
	if (energy) {
		pvctl_table_cell(&t, "energy share:");
		pvctl_table_cell(&t, "%s %% of the node (source %s)",
				 pvctl_jnum(energy, "share_pct", 1, b[0], 32),
				 pvctl_jstr(energy, "source"));
	}
	pvctl_table_cell(&t, "halt mode:");
	pvctl_table_cell(&t, "%s (requested %s)", pvctl_jstr(vm, "halt_mode_honoured"),
			 pvctl_jstr(vm, "halt_mode_requested"));
	pvctl_table_cell(&t, "exits:");
	pvctl_table_cell(&t, "%s", pvctl_jint(vm, "exits_total", b[0], 32));
	if (rt) {
		pvctl_table_cell(&t, "real-time:");
		pvctl_table_cell(&t, "%s activations, %s completions, %s misses",
				 pvctl_jint(rt, "activations", b[0], 32),
				 pvctl_jint(rt, "completions", b[1], 32),
				 pvctl_jint(rt, "misses", b[2], 32));
	}
	if (spec) {
		pvctl_table_cell(&t, "spec:");
		pvctl_table_cell(&t, "kernel %s, memory %s MiB, workload %s, restart %s",
				 pvctl_jstr(spec, "kernel"), pvctl_jint(spec, "memory_mib", b[0], 32),
				 pvctl_jstr(spec, "workload"), pvctl_jstr(spec, "restart"));
	}
	if (qos) {
		pvctl_table_cell(&t, "qos state:");
		pvctl_table_cell(&t, "class %s, admitted %s, backend %s, cpus %s",
				 pvctl_jstr(qos, "class"), pvctl_jint(qos, "admitted", b[0], 32),
				 pvctl_jstr(qos, "backend"), pvctl_jlist(qos, "cpus", b[1], 32));
	}
	pvctl_table_print(&t, p->out);
	pvctl_table_free(&t);
	vm_print_vcpus(p, json_object_get(vm, "vcpu_stats"));
}

/* ---------------------------------------------------------------- commands */

struct vm_done {
	const char *verb;		/* "paused" */
	const char *name;
};

static void vm_print_done(struct pvctl *p, json_t *res, const void *arg)
{
	const struct vm_done *d = arg;

	(void)res;
	fprintf(p->out, "%s VM %s\n", d->verb, d->name);
}

static int vm_action(struct pvctl *p, int argc, char **argv, const char *method,
		     const char *suffix, const char *done)
{
	struct vm_done d = { .verb = done };
	char usage[64], target[128];
	int rc;

	snprintf(usage, sizeof(usage), "pvctl vm %s NAME", argv[0]);
	rc = pvctl_name_arg(p, argc, argv, usage, &d.name);
	if (rc)
		return rc;
	snprintf(target, sizeof(target), "/api/v1/vms/%s%s", d.name, suffix);
	return pvctl_call_show(p, method, target, NULL, vm_print_done, &d);
}

static void vm_print_created(struct pvctl *p, json_t *res, const void *arg)
{
	(void)arg;
	fprintf(p->out, "created VM %s (state %s)\n", pvctl_jstr(res, "name"),
		pvctl_jstr(res, "state"));
}

static int vm_create(struct pvctl *p, int argc, char **argv)
{
	char err[PVCTL_ERR_MAX];
	json_t *body;
	int rc;

	if (pvctl_vm_create_body(argc - 1, argv + 1, &body, err, sizeof(err)))
		return pvctl_usage(p, VM_CREATE_USAGE, err);
	rc = pvctl_call_show(p, "POST", "/api/v1/vms", body, vm_print_created, NULL);
	json_decref(body);
	return rc;
}

int pvctl_cmd_vm(struct pvctl *p, int argc, char **argv)
{
	char target[128];
	const char *name = NULL;
	int rc;

	if (argc < 1)
		return pvctl_usage(p, VM_USAGE, "missing vm command");
	if (!strcmp(argv[0], "list")) {
		if (argc != 1)
			return pvctl_usage(p, "pvctl vm list", "too many arguments");
		return pvctl_call_show(p, "GET", "/api/v1/vms", NULL, vm_print_list, NULL);
	}
	if (!strcmp(argv[0], "show")) {
		rc = pvctl_name_arg(p, argc, argv, "pvctl vm show NAME", &name);
		if (rc)
			return rc;
		snprintf(target, sizeof(target), "/api/v1/vms/%s", name);
		return pvctl_call_show(p, "GET", target, NULL, vm_print_show, NULL);
	}
	if (!strcmp(argv[0], "create"))
		return vm_create(p, argc, argv);
	if (!strcmp(argv[0], "delete"))
		return vm_action(p, argc, argv, "DELETE", "", "deleted");
	if (!strcmp(argv[0], "pause"))
		return vm_action(p, argc, argv, "POST", "/pause", "paused");
	if (!strcmp(argv[0], "resume"))
		return vm_action(p, argc, argv, "POST", "/resume", "resumed");
	return pvctl_usage(p, VM_USAGE, "unknown vm command");
}
