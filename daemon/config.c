// SPDX-License-Identifier: GPL-2.0-only
/*
 * Configuration parsing. Each JSON object is described by a table of fields (name, kind,
 * offset, bounds); one walker checks types, ranges and unknown keys for all of them, so
 * every error has the same shape: "<json path>: <reason>".
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "daemon/config.h"
#include "daemon/wlspec.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

const char cfg_default_json[] =
	"{\n"
	"  \"node\": { \"tick_ms\": 10, \"backend\": \"auto\", \"governor\": \"transition\",\n"
	"            \"listen\": [\"127.0.0.1:8035\"] },\n"
	"  \"vms\": [\n"
	"    { \"name\": \"rt0\", \"vcpus\": 1, \"memory_mib\": 64, \"kernel\": \"pvguest\",\n"
	"      \"workload\": \"rt:period_us=1000,wcet_us=200\", \"qos\": \"realtime\",\n"
	"      \"reservation\": { \"runtime_us\": 600, \"period_us\": 1000 },\n"
	"      \"halt_mode\": \"poll\", \"restart\": \"on-failure\" },\n"
	"    { \"name\": \"batch0\", \"vcpus\": 1, \"memory_mib\": 64, \"kernel\": \"pvguest\",\n"
	"      \"workload\": \"cpu\", \"qos\": \"best-effort\", \"restart\": \"on-failure\" },\n"
	"    { \"name\": \"burst0\", \"vcpus\": 1, \"memory_mib\": 64, \"kernel\": \"pvguest\",\n"
	"      \"workload\": \"burst:on_ms=20,off_ms=30\", \"qos\": \"best-effort\",\n"
	"      \"restart\": \"on-failure\" }\n"
	"  ]\n"
	"}\n";

enum field_kind {
	F_U32,		/* integer in [min, max] */
	F_U64,
	F_STR,		/* string shorter than size */
	F_NAME,		/* identifier: [a-z0-9_-], 1..size-1 chars */
	F_ENUM,		/* string mapped by parse() to an enum member */
	F_CHOICE,	/* string checked by parse(), kept as text */
	F_LISTEN,	/* array of listen addresses */
	F_RESERV,	/* reservation object */
	F_GROUPS,	/* array of group objects */
};

struct field {
	const char *name;
	enum field_kind kind;
	size_t off;
	uint64_t min, max;	/* F_U32/F_U64 bounds; F_STR/F_NAME: buffer size in max */
	int (*parse)(const char *s);	/* F_ENUM */
	const char *choices;	/* F_ENUM, for the error message */
};

static const char *const restart_names[] = { "never", "on-failure" };

const char *cfg_restart_name(enum cfg_restart r)
{
	return (unsigned int)r < ARRAY_SIZE(restart_names) ? restart_names[r] : "unknown";
}

static int parse_restart(const char *s)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(restart_names); i++)
		if (!strcmp(s, restart_names[i]))
			return (int)i;
	return -EINVAL;
}

static int parse_halt(const char *s)
{
	int m = pv_halt_mode_parse(s);

	/* "guest" is a trace-only mode, not something a VM can be configured with */
	return m == PV_HALT_GUEST ? -EINVAL : m;
}

static int parse_backend(const char *s)
{
	return strcmp(s, "auto") && strcmp(s, "cpupower") && strcmp(s, "model") ? -EINVAL : 0;
}

static int parse_resv_backend(const char *s)
{
	return strcmp(s, "auto") && strcmp(s, "deadline") && strcmp(s, "budget") ? -EINVAL : 0;
}

static int parse_governor(const char *s)
{
	return strcmp(s, "performance") && strcmp(s, "powersave") && strcmp(s, "ondemand") &&
	       strcmp(s, "transition") ? -EINVAL : 0;
}

#define U32(n, s, f, lo, hi)	{ n, F_U32, offsetof(s, f), lo, hi, NULL, NULL }
#define U64(n, s, f, lo, hi)	{ n, F_U64, offsetof(s, f), lo, hi, NULL, NULL }
#define STR(n, s, f)		{ n, F_STR, offsetof(s, f), 0, sizeof(((s *)0)->f), NULL, NULL }
#define NAME(n, s, f)		{ n, F_NAME, offsetof(s, f), 0, sizeof(((s *)0)->f), NULL, NULL }
#define ENUM(n, s, f, p, c)	{ n, F_ENUM, offsetof(s, f), 0, 0, p, c }
#define CHOICE(n, s, f, p, c)	{ n, F_CHOICE, offsetof(s, f), 0, sizeof(((s *)0)->f), p, c }

static const struct field node_fields[] = {
	U32("tick_ms", struct cfg_node, tick_ms, MIN_TICK_MS, MAX_TICK_MS),
	CHOICE("backend", struct cfg_node, backend, parse_backend, "auto, cpupower, model"),
	CHOICE("governor", struct cfg_node, governor, parse_governor,
	     "performance, powersave, ondemand, transition"),
	CHOICE("reservation_backend", struct cfg_node, resv_backend, parse_resv_backend,
	       "auto, deadline, budget"),
	{ "listen", F_LISTEN, 0, 0, 0, NULL, NULL },
	{ "groups", F_GROUPS, 0, 0, 0, NULL, NULL },
	STR("token_file", struct cfg_node, token_file),
	STR("tls_cert", struct cfg_node, tls_cert),
	STR("tls_key", struct cfg_node, tls_key),
	STR("state_dir", struct cfg_node, state_dir),
	STR("vmm_path", struct cfg_node, vmm_path),
	STR("guest_path", struct cfg_node, guest_path),
};

static const struct field vm_fields[] = {
	NAME("name", struct cfg_vm, name),
	U32("vcpus", struct cfg_vm, vcpus, MIN_VCPUS, MAX_VCPUS),
	U32("memory_mib", struct cfg_vm, mem_mib, MIN_MEM_MIB, MAX_MEM_MIB),
	STR("kernel", struct cfg_vm, kernel),
	STR("cmdline", struct cfg_vm, cmdline),
	STR("workload", struct cfg_vm, workload),
	ENUM("qos", struct cfg_vm, qos, pv_qos_class_parse,
	     "best-effort, latency-sensitive, realtime, partition"),
	ENUM("halt_mode", struct cfg_vm, halt_mode, parse_halt, "exit, poll, native"),
	U32("poll_ns", struct cfg_vm, poll_ns, 0, MAX_POLL_NS),
	U32("latency_budget_us", struct cfg_vm, latency_budget_us, 0, MAX_LATENCY_BUDGET_US),
	{ "reservation", F_RESERV, offsetof(struct cfg_vm, reservation), 0, 0, NULL, NULL },
	NAME("group", struct cfg_vm, group),
	ENUM("restart", struct cfg_vm, restart, parse_restart, "never, on-failure"),
	U32("restart_backoff_ms", struct cfg_vm, restart_backoff_ms, 1, MAX_RESTART_BACKOFF_MS),
	U32("max_restarts", struct cfg_vm, max_restarts, 0, 1000),
};

static const struct field group_fields[] = {
	NAME("name", struct cfg_group, name),
	U64("runtime_us", struct cfg_group, runtime_us, 1, 10000000),
	U64("period_us", struct cfg_group, period_us, 100, 10000000),
};

static const struct field resv_fields[] = {
	U64("runtime_us", struct cfg_reservation, runtime_us, 1, 10000000),
	U64("period_us", struct cfg_reservation, period_us, 10, 10000000),
	U64("deadline_us", struct cfg_reservation, deadline_us, 0, 10000000),
};

static int fail(char *err, const char *prefix, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, const char *prefix, const char *field, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(err, CFG_ERR_MAX, "%s%s%s: ", prefix, *prefix && *field ? "." : "", field);
	if (n < 0 || n >= CFG_ERR_MAX)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(err + n, CFG_ERR_MAX - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

static int parse_object(void *dst, json_t *obj, const struct field *fields, size_t nfields,
			const char *prefix, char *err);

static int parse_listen(struct cfg_node *node, json_t *v, const char *prefix, char *err)
{
	size_t i;
	json_t *e;

	if (!json_is_array(v))
		return fail(err, prefix, "listen", "must be an array of addresses");
	if (json_array_size(v) > CFG_MAX_LISTEN)
		return fail(err, prefix, "listen", "at most %d addresses", CFG_MAX_LISTEN);
	node->nlisten = 0;
	json_array_foreach(v, i, e) {
		const char *s = json_string_value(e);

		if (!s || !*s || strlen(s) >= CFG_PATH_MAX)
			return fail(err, prefix, "listen", "entry %zu must be a non-empty string "
				    "shorter than %d bytes", i, CFG_PATH_MAX);
		if (strncmp(s, "unix:", 5) && !strchr(s, ':'))
			return fail(err, prefix, "listen", "entry %zu: \"%s\" is neither host:port "
				    "nor unix:/path", i, s);
		strcpy(node->listen[node->nlisten++], s);
	}
	return 0;
}

static int parse_groups(struct cfg_node *node, json_t *v, const char *prefix, char *err)
{
	char sub[64];
	size_t i, j;
	json_t *e;

	if (!json_is_array(v))
		return fail(err, prefix, "groups", "must be an array");
	if (json_array_size(v) > CFG_MAX_GROUPS)
		return fail(err, prefix, "groups", "at most %d groups", CFG_MAX_GROUPS);
	node->ngroups = 0;
	json_array_foreach(v, i, e) {
		struct cfg_group *g = &node->groups[i];

		snprintf(sub, sizeof(sub), "%s.groups[%zu]", prefix, i);
		memset(g, 0, sizeof(*g));
		if (!json_is_object(e))
			return fail(err, sub, "", "must be an object");
		if (parse_object(g, e, group_fields, ARRAY_SIZE(group_fields), sub, err))
			return -EINVAL;
		if (!g->name[0] || !g->runtime_us || !g->period_us)
			return fail(err, sub, "", "name, runtime_us and period_us are required");
		if (g->runtime_us > g->period_us)
			return fail(err, sub, "runtime_us", "must not exceed period_us");
		for (j = 0; j < i; j++)
			if (!strcmp(node->groups[j].name, g->name))
				return fail(err, sub, "name", "\"%s\" is already used", g->name);
		node->ngroups++;
	}
	return 0;
}

const struct cfg_group *cfg_find_group(const struct cfg_node *node, const char *name)
{
	uint32_t i;

	for (i = 0; i < node->ngroups; i++)
		if (!strcmp(node->groups[i].name, name))
			return &node->groups[i];
	return NULL;
}

static int parse_field(void *dst, const struct field *f, json_t *v, const char *prefix, char *err)
{
	char *p = (char *)dst + f->off;
	const char *s;
	json_int_t n;
	char sub[CFG_ERR_MAX];

	switch (f->kind) {
	case F_U32:
	case F_U64:
		if (!json_is_integer(v))
			return fail(err, prefix, f->name, "must be an integer");
		n = json_integer_value(v);
		if (n < 0 || (uint64_t)n < f->min || (uint64_t)n > f->max)
			return fail(err, prefix, f->name, "must be between %llu and %llu",
				    (unsigned long long)f->min, (unsigned long long)f->max);
		if (f->kind == F_U32)
			*(uint32_t *)p = (uint32_t)n;
		else
			*(uint64_t *)p = (uint64_t)n;
		return 0;
	case F_STR:
	case F_NAME:
		s = json_string_value(v);
		if (!s)
			return fail(err, prefix, f->name, "must be a string");
		if (strlen(s) >= f->max)
			return fail(err, prefix, f->name, "longer than %llu bytes",
				    (unsigned long long)f->max - 1);
		if (f->kind == F_NAME && !valid_name(s))
			return fail(err, prefix, f->name, "must be 1+ characters of a-z 0-9 - _");
		strcpy(p, s);
		return 0;
	case F_ENUM:
	case F_CHOICE: {
		int e;

		s = json_string_value(v);
		if (!s || (e = f->parse(s)) < 0)
			return fail(err, prefix, f->name, "must be one of: %s", f->choices);
		if (f->kind == F_ENUM)
			*(int *)p = e;
		else
			snprintf(p, f->max, "%s", s);	/* parse() accepted it: it fits */
		return 0;
	}
	case F_LISTEN:
		return parse_listen(dst, v, prefix, err);
	case F_GROUPS:
		return parse_groups(dst, v, prefix, err);
	case F_RESERV: {
		struct cfg_reservation *r = (struct cfg_reservation *)p;

		if (!json_is_object(v))
			return fail(err, prefix, f->name, "must be an object");
		snprintf(sub, sizeof(sub), "%s%s%s", prefix, *prefix ? "." : "", f->name);
		memset(r, 0, sizeof(*r));
		if (parse_object(r, v, resv_fields, ARRAY_SIZE(resv_fields), sub, err))
			return -EINVAL;
		if (!r->runtime_us || !r->period_us)
			return fail(err, sub, "", "runtime_us and period_us are required");
		if (r->runtime_us > r->period_us)
			return fail(err, sub, "runtime_us", "must not exceed period_us");
		if (r->deadline_us && (r->deadline_us < r->runtime_us || r->deadline_us > r->period_us))
			return fail(err, sub, "deadline_us", "must be between runtime_us and period_us");
		r->set = true;
		return 0;
	}
	}
	return fail(err, prefix, f->name, "internal: unknown field kind");
}

static int parse_object(void *dst, json_t *obj, const struct field *fields, size_t nfields,
			const char *prefix, char *err)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(obj, key, v) {
		for (i = 0; i < nfields; i++)
			if (!strcmp(key, fields[i].name))
				break;
		if (i == nfields)
			return fail(err, prefix, key, "unknown field");
		if (parse_field(dst, &fields[i], v, prefix, err))
			return -EINVAL;
	}
	return 0;
}

void cfg_vm_init(struct cfg_vm *vm)
{
	memset(vm, 0, sizeof(*vm));
	vm->vcpus = 1;
	vm->mem_mib = DEF_MEM_MIB;
	strcpy(vm->kernel, "pvguest");
	strcpy(vm->workload, "idle");
	vm->qos = PV_QOS_BEST_EFFORT;
	vm->halt_mode = PV_HALT_EXIT;
	vm->poll_ns = DEF_POLL_NS;
	vm->restart = CFG_RESTART_NEVER;
	vm->restart_backoff_ms = DEF_RESTART_BACKOFF_MS;
	vm->max_restarts = DEF_MAX_RESTARTS;
}

void cfg_init(struct cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->node.tick_ms = DEF_TICK_MS;
	strcpy(cfg->node.backend, "auto");
	strcpy(cfg->node.governor, "transition");
	strcpy(cfg->node.resv_backend, "auto");
	strcpy(cfg->node.listen[0], "127.0.0.1:8035");
	cfg->node.nlisten = 1;
	strcpy(cfg->node.state_dir, "/var/lib/powervisor");
}

/* Rules that involve several fields of one VM. */
static int vm_check(const struct cfg_vm *vm, const char *prefix, char *err)
{
	char why[WLSPEC_ERR_MAX];

	if (!vm->name[0])
		return fail(err, prefix, "name", "is required");
	if (vm->qos == PV_QOS_REALTIME && !vm->reservation.set)
		return fail(err, prefix, "reservation", "is required for qos \"realtime\"");
	if (vm->qos != PV_QOS_REALTIME && vm->reservation.set)
		return fail(err, prefix, "reservation", "only applies to qos \"realtime\"");
	if (vm->group[0] && vm->qos != PV_QOS_REALTIME)
		return fail(err, prefix, "group", "only applies to qos \"realtime\"");
	if (!vm->workload[0] && !strcmp(vm->kernel, "pvguest"))
		return fail(err, prefix, "workload", "must not be empty for pvguest");
	if (vm->workload[0] && wlspec_check(vm->workload, vm->vcpus, why, sizeof(why)))
		return fail(err, prefix, "workload", "%s", why);
	return 0;
}

int cfg_vm_from_json(struct cfg_vm *vm, json_t *obj, const char *field_prefix, char *err)
{
	if (!json_is_object(obj))
		return fail(err, field_prefix, "", "must be an object");
	cfg_vm_init(vm);
	if (parse_object(vm, obj, vm_fields, ARRAY_SIZE(vm_fields), field_prefix, err))
		return -EINVAL;
	return vm_check(vm, field_prefix, err);
}

int cfg_vm_check_node(const struct cfg_vm *vm, const struct cfg_node *node,
		      const char *field_prefix, char *err)
{
	if (vm->group[0] && !cfg_find_group(node, vm->group))
		return fail(err, field_prefix, "group", "no group \"%s\" in node.groups", vm->group);
	return 0;
}

json_t *cfg_vm_to_json(const struct cfg_vm *vm)
{
	json_t *o = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:I, s:I}",
			      "name", vm->name, "vcpus", (json_int_t)vm->vcpus,
			      "memory_mib", (json_int_t)vm->mem_mib, "kernel", vm->kernel,
			      "cmdline", vm->cmdline, "workload", vm->workload,
			      "qos", pv_qos_class_name(vm->qos),
			      "halt_mode", pv_halt_mode_name(vm->halt_mode),
			      "poll_ns", (json_int_t)vm->poll_ns,
			      "latency_budget_us", (json_int_t)vm->latency_budget_us,
			      "restart", cfg_restart_name(vm->restart),
			      "restart_backoff_ms", (json_int_t)vm->restart_backoff_ms,
			      "max_restarts", (json_int_t)vm->max_restarts);

	if (o && vm->group[0])
		json_object_set_new(o, "group", json_string(vm->group));

	if (o && vm->reservation.set)
		json_object_set_new(o, "reservation",
				    json_pack("{s:I, s:I, s:I}",
					      "runtime_us", (json_int_t)vm->reservation.runtime_us,
					      "period_us", (json_int_t)vm->reservation.period_us,
					      "deadline_us", (json_int_t)vm->reservation.deadline_us));
	return o;
}

static int parse_root(struct cfg *cfg, json_t *root, char *err)
{
	char prefix[32];
	const char *key;
	json_t *v;
	size_t i, j;

	if (!json_is_object(root))
		return fail(err, "", "(root)", "must be a JSON object");
	json_object_foreach(root, key, v) {
		if (!strcmp(key, "node")) {
			if (!json_is_object(v))
				return fail(err, "", "node", "must be an object");
			if (parse_object(&cfg->node, v, node_fields, ARRAY_SIZE(node_fields),
					 "node", err))
				return -EINVAL;
		} else if (!strcmp(key, "vms")) {
			if (!json_is_array(v))
				return fail(err, "", "vms", "must be an array");
			if (json_array_size(v) > CFG_MAX_VMS)
				return fail(err, "", "vms", "at most %d VMs", CFG_MAX_VMS);
			cfg->nvms = (uint32_t)json_array_size(v);
			for (i = 0; i < cfg->nvms; i++) {
				snprintf(prefix, sizeof(prefix), "vms[%zu]", i);
				if (cfg_vm_from_json(&cfg->vms[i], json_array_get(v, i), prefix, err))
					return -EINVAL;
				for (j = 0; j < i; j++)
					if (!strcmp(cfg->vms[j].name, cfg->vms[i].name))
						return fail(err, prefix, "name",
							    "\"%s\" is already used by vms[%zu]",
							    cfg->vms[i].name, j);
			}
		} else {
			return fail(err, "", key, "unknown field");
		}
	}
	for (i = 0; i < cfg->nvms; i++) {	/* "vms" may come before "node" */
		snprintf(prefix, sizeof(prefix), "vms[%zu]", i);
		if (cfg_vm_check_node(&cfg->vms[i], &cfg->node, prefix, err))
			return -EINVAL;
	}
	if (!cfg->node.state_dir[0])
		return fail(err, "node", "state_dir", "must not be empty");
	if (strlen(cfg->node.state_dir) > CFG_STATE_DIR_MAX)
		return fail(err, "node", "state_dir", "longer than %d bytes (Unix socket paths under "
			    "it must stay short)", CFG_STATE_DIR_MAX);
	if (!cfg->node.tls_cert[0] != !cfg->node.tls_key[0])
		return fail(err, "node", cfg->node.tls_cert[0] ? "tls_key" : "tls_cert",
			    "tls_cert and tls_key go together");
	/* readable now, so --check-config catches a wrong path (contents: api/apiserver.c) */
	if (cfg->node.tls_cert[0] && access(cfg->node.tls_cert, R_OK))
		return fail(err, "node", "tls_cert", "cannot read %s: %s", cfg->node.tls_cert,
			    strerror(errno));
	if (cfg->node.tls_key[0] && access(cfg->node.tls_key, R_OK))
		return fail(err, "node", "tls_key", "cannot read %s: %s", cfg->node.tls_key,
			    strerror(errno));
	return 0;
}

int cfg_parse(struct cfg *cfg, const char *text, char *err)
{
	json_error_t jerr;
	json_t *root;
	int ret;

	cfg_init(cfg);
	root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(err, CFG_ERR_MAX, "(json) line %d column %d: %s", jerr.line, jerr.column,
			 jerr.text);
		return -EINVAL;
	}
	ret = parse_root(cfg, root, err);
	json_decref(root);
	return ret;
}

int cfg_load(struct cfg *cfg, const char *path, char *err)
{
	json_error_t jerr;
	json_t *root;
	int ret;

	cfg_init(cfg);
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(err, CFG_ERR_MAX, "%s: line %d column %d: %s", path, jerr.line,
			 jerr.column, jerr.text);
		return -EINVAL;
	}
	ret = parse_root(cfg, root, err);
	json_decref(root);
	return ret;
}
