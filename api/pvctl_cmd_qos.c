// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvctl qos get|set|clear — /api/v1/vms/{name}/qos. `set` builds a QosSpec; a reservation
 * needs runtime and period together and must satisfy runtime <= deadline <= period (the
 * schema states only minimums, but no reservation backend — SCHED_DEADLINE or the VMM
 * budget — can honour anything else, so pvctl says so before the round trip).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/pvctl_cmd.h"
#include "api/pvctl_err.h"

#define QOS_USAGE "pvctl qos get NAME | set NAME --class CLASS [--latency-budget-us N] " \
		  "[--runtime-us N --period-us N [--deadline-us N]] | clear NAME"
#define QOS_SET_USAGE "pvctl qos set NAME --class best-effort|latency-sensitive|realtime|" \
		      "partition [--latency-budget-us 0..1000000] [--runtime-us N --period-us N " \
		      "[--deadline-us N]]"

const char *const pvctl_qos_classes[] = {
	"best-effort", "latency-sensitive", "realtime", "partition", NULL,
};

enum { QO_CLASS = 1, QO_LAT, QO_RUNTIME, QO_PERIOD, QO_DEADLINE };

static const struct pvctl_opt qos_set_opts[] = {
	{ "class", 0, true, QO_CLASS },
	{ "latency-budget-us", 0, true, QO_LAT },
	{ "runtime-us", 0, true, QO_RUNTIME },
	{ "period-us", 0, true, QO_PERIOD },
	{ "deadline-us", 0, true, QO_DEADLINE },
	{ NULL, 0, false, 0 },
};

int pvctl_reservation(long long runtime_us, long long period_us, long long deadline_us,
		      json_t **out, char *err, size_t errlen)
{
	*out = NULL;
	if (runtime_us < 0 && period_us < 0 && deadline_us < 0)
		return 0;
	if (runtime_us < 0 || period_us < 0)
		return pvctl_errf(err, errlen,
				  "a reservation needs both --runtime-us and --period-us");
	if (runtime_us > period_us)
		return pvctl_errf(err, errlen,
				  "--runtime-us (%lld) must not exceed --period-us (%lld)",
				  runtime_us, period_us);
	if (deadline_us > 0 && (deadline_us < runtime_us || deadline_us > period_us))
		return pvctl_errf(err, errlen,
				  "--deadline-us (%lld) must lie between --runtime-us (%lld) "
				  "and --period-us (%lld); 0 means the period", deadline_us,
				  runtime_us, period_us);
	*out = json_pack("{s:I, s:I}", "runtime_us", (json_int_t)runtime_us, "period_us",
			 (json_int_t)period_us);
	if (*out && deadline_us >= 0)
		json_object_set_new(*out, "deadline_us", json_integer(deadline_us));
	return *out ? 0 : -ENOMEM;
}

int pvctl_qos_set_body(int argc, char **argv, const char **name, json_t **body, char *err,
		       size_t errlen)
{
	long long resv[3] = { -1, -1, -1 }, lat = -1;
	const char *arg, *cls = NULL;
	struct pvctl_optiter it;
	json_t *r = NULL;
	int id, rc = 0;

	*name = NULL;
	*body = NULL;
	pvctl_opt_init(&it, argc, argv);
	while (!rc && (id = pvctl_opt_next(&it, qos_set_opts, &arg, err, errlen)) != 0) {
		switch (id) {
		case PVCTL_OPT_POSITIONAL:
			if (*name) {
				rc = pvctl_errf(err, errlen, "unexpected argument '%s'", arg);
				break;
			}
			*name = arg;
			rc = pvctl_parse_name(arg, "VM name", err, errlen);
			break;
		case QO_CLASS:
			rc = pvctl_parse_enum(arg, "--class", pvctl_qos_classes, err, errlen);
			cls = arg;
			break;
		case QO_LAT:
			rc = pvctl_parse_int(arg, "--latency-budget-us", 0, 1000000, &lat, err,
					     errlen);
			break;
		case QO_RUNTIME:
		case QO_PERIOD:
		case QO_DEADLINE:
			rc = pvctl_parse_resv(id - QO_RUNTIME, arg, resv, err, errlen);
			break;
		default:
			rc = id;
			break;
		}
		rc = rc < 0 ? rc : 0;
	}
	if (!rc && !*name)
		rc = pvctl_errf(err, errlen, "missing VM name");
	if (!rc && !cls)
		rc = pvctl_errf(err, errlen, "--class is required");
	if (!rc)
		rc = pvctl_reservation(resv[PVCTL_RESV_RUNTIME], resv[PVCTL_RESV_PERIOD],
				       resv[PVCTL_RESV_DEADLINE], &r, err, errlen);
	if (rc)
		return -EINVAL;
	*body = json_pack("{s:s}", "class", cls);
	if (lat >= 0)
		json_object_set_new(*body, "latency_budget_us", json_integer(lat));
	if (r)
		json_object_set_new(*body, "reservation", r);
	return 0;
}

static void qos_print(struct pvctl *p, json_t *q, const void *name)
{
	static const struct pvctl_col cols[] = { { "", PVCTL_LEFT }, { "", PVCTL_LEFT } };
	json_t *r = json_object_get(q, "reservation");
	struct pvctl_table t;
	char b[4][64];

	pvctl_table_init(&t, cols, 2);
	t.header = false;
	pvctl_table_cell(&t, "vm:");
	pvctl_table_cell(&t, "%s", (const char *)name);
	pvctl_table_cell(&t, "class:");
	pvctl_table_cell(&t, "%s", pvctl_jstr(q, "class"));
	pvctl_table_cell(&t, "latency budget:");
	pvctl_table_cell(&t, "%s µs", pvctl_jint(q, "latency_budget_us", b[0], 64));
	pvctl_table_cell(&t, "reservation:");
	if (json_is_object(r))
		pvctl_table_cell(&t, "%s µs every %s µs (deadline %s µs)",
				 pvctl_jint(r, "runtime_us", b[0], 64),
				 pvctl_jint(r, "period_us", b[1], 64),
				 pvctl_jint(r, "deadline_us", b[2], 64));
	else
		pvctl_table_cell(&t, "none");
	pvctl_table_cell(&t, "backend:");
	pvctl_table_cell(&t, "%s", pvctl_jstr(q, "backend"));
	pvctl_table_cell(&t, "admitted:");
	pvctl_table_cell(&t, "%s", pvctl_jint(q, "admitted", b[0], 64));
	if (json_is_string(json_object_get(q, "reason"))) {
		pvctl_table_cell(&t, "reason:");
		pvctl_table_cell(&t, "%s", pvctl_jstr(q, "reason"));
	}
	pvctl_table_cell(&t, "dedicated cpus:");
	pvctl_table_cell(&t, "%s", pvctl_jlist(q, "cpus", b[0], 64));
	pvctl_table_cell(&t, "boosted vcpus:");
	pvctl_table_cell(&t, "%s", pvctl_jlist(q, "boosted_vcpus", b[1], 64));
	pvctl_table_cell(&t, "apply latency:");
	pvctl_table_cell(&t, "%s µs", pvctl_jnum(q, "apply_latency_us", 1, b[2], 64));
	pvctl_table_print(&t, p->out);
	pvctl_table_free(&t);
}

static void qos_print_cleared(struct pvctl *p, json_t *q, const void *name)
{
	fprintf(p->out, "QoS of VM %s cleared (now %s)\n", (const char *)name,
		pvctl_jstr(q, "class"));
}

static int qos_get_or_clear(struct pvctl *p, int argc, char **argv, bool clear)
{
	const char *usage = clear ? "pvctl qos clear NAME" : "pvctl qos get NAME", *name;
	char target[128];
	int rc;

	rc = pvctl_name_arg(p, argc, argv, usage, &name);
	if (rc)
		return rc;
	snprintf(target, sizeof(target), "/api/v1/vms/%s/qos", name);
	return pvctl_call_show(p, clear ? "DELETE" : "GET", target, NULL,
			       clear ? qos_print_cleared : qos_print, name);
}

int pvctl_cmd_qos(struct pvctl *p, int argc, char **argv)
{
	char err[PVCTL_ERR_MAX], target[128];
	const char *name;
	json_t *body;
	int rc;

	if (argc < 1)
		return pvctl_usage(p, QOS_USAGE, "missing qos command");
	if (!strcmp(argv[0], "get") || !strcmp(argv[0], "clear"))
		return qos_get_or_clear(p, argc, argv, !strcmp(argv[0], "clear"));
	if (strcmp(argv[0], "set"))
		return pvctl_usage(p, QOS_USAGE, "unknown qos command");
	if (pvctl_qos_set_body(argc - 1, argv + 1, &name, &body, err, sizeof(err)))
		return pvctl_usage(p, QOS_SET_USAGE, err);
	snprintf(target, sizeof(target), "/api/v1/vms/%s/qos", name);
	rc = pvctl_call_show(p, "PUT", target, body, qos_print, name);
	json_decref(body);
	return rc;
}
