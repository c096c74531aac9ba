// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvctl node | health | metrics — the node view (/api/v1/node), the probes (/healthz and
 * /readyz, whose 503 carries a Ready body rather than an Error), and the raw Prometheus
 * text (/metrics). The per-CPU table is shared with `pvctl top`.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/pvctl_cmd.h"

/* "C6" for an index into node.cstates, or the index itself. */
static void node_cstate_name(json_t *node, json_int_t idx, char *buf, size_t len)
{
	json_t *cs = json_array_get(json_object_get(node, "cstates"), (size_t)idx);

	if (idx >= 0 && json_is_string(json_object_get(cs, "name")))
		snprintf(buf, len, "%s", pvctl_jstr(cs, "name"));
	else
		snprintf(buf, len, "%lld", (long long)idx);
}

/* The state with the largest share in a {name: pct} object: "C6 82%". */
static const char *node_top_share(json_t *obj, char *buf, size_t len)
{
	const char *key, *best = NULL;
	double best_v = -1;
	json_t *v;

	json_object_foreach(obj, key, v) {
		if (json_is_number(v) && json_number_value(v) > best_v) {
			best_v = json_number_value(v);
			best = key;
		}
	}
	if (!best)
		return "-";
	snprintf(buf, len, "%s %.0f%%", best, best_v);
	return buf;
}

static void node_time_cell(struct pvctl_table *t, json_t *cpu, const char *state)
{
	json_t *v = json_object_get(json_object_get(cpu, "time_pct"), state);

	if (json_is_number(v))
		pvctl_table_cell(t, "%.1f", json_number_value(v));
	else
		pvctl_table_cell(t, "-");
}

void pvctl_node_print_cpus(FILE *out, json_t *node)
{
	static const struct pvctl_col cols[] = {
		{ "CPU", PVCTL_RIGHT }, { "FREQ (MHz)", PVCTL_RIGHT }, { "UTIL (%)", PVCTL_RIGHT },
		{ "GUEST (%)", PVCTL_RIGHT }, { "VMM (%)", PVCTL_RIGHT },
		{ "HALT (%)", PVCTL_RIGHT }, { "IDLE (%)", PVCTL_RIGHT },
		{ "C-LIMIT", PVCTL_LEFT }, { "C-STATE (%)", PVCTL_LEFT },
		{ "FLOOR (MHz)", PVCTL_RIGHT }, { "LAT BUDGET (µs)", PVCTL_RIGHT },
	};
	json_t *cpus = json_object_get(node, "cpus"), *c, *v;
	struct pvctl_table t;
	char b[64];
	size_t i;

	pvctl_table_init(&t, cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(cpus, i, c) {
		pvctl_table_cell(&t, "%s", pvctl_jint(c, "cpu", b, sizeof(b)));
		v = json_object_get(c, "freq_khz");
		if (json_is_number(v))
			pvctl_table_cell(&t, "%.0f", json_number_value(v) / 1000.0);
		else
			pvctl_table_cell(&t, "-");
		pvctl_table_cell(&t, "%s", pvctl_jnum(c, "util_pct", 1, b, sizeof(b)));
		node_time_cell(&t, c, "guest");
		node_time_cell(&t, c, "vmm");
		node_time_cell(&t, c, "halt");
		node_time_cell(&t, c, "idle");
		v = json_object_get(c, "cstate_limit");
		if (json_is_integer(v))
			node_cstate_name(node, json_integer_value(v), b, sizeof(b));
		pvctl_table_cell(&t, "%s", json_is_integer(v) ? b : "-");
		pvctl_table_cell(&t, "%s", node_top_share(json_object_get(c, "cstate_residency_pct"),
							  b, sizeof(b)));
		v = json_object_get(c, "freq_floor_khz");
		if (json_is_number(v) && json_number_value(v) > 0)
			pvctl_table_cell(&t, "%.0f", json_number_value(v) / 1000.0);
		else
			pvctl_table_cell(&t, "-");
		pvctl_table_cell(&t, "%s", pvctl_jint(c, "latency_budget_us", b, sizeof(b)));
	}
	pvctl_table_print(&t, out);
	pvctl_table_free(&t);
}

static void node_print(struct pvctl *p, json_t *node, const void *arg)
{
	json_t *pw = json_object_get(node, "power"), *v;
	double up = json_number_value(json_object_get(node, "uptime_s"));
	char b[4][64], line[1024];
	size_t i, used = 0;

	(void)arg;
	fprintf(p->out, "host:      %s (powervisord %s, up %.0f s)\n", pvctl_jstr(node, "hostname"),
		pvctl_jstr(node, "version"), up);
	fprintf(p->out, "policy:    governor %s, backend %s, tick %s ms\n",
		pvctl_jstr(node, "governor"), pvctl_jstr(node, "backend"),
		pvctl_jint(node, "tick_ms", b[0], 64));
	fprintf(p->out, "power:     %s W, %s J since start (idle %s J, overhead %s J; source %s)\n",
		pvctl_jnum(pw, "watts", 2, b[0], 64), pvctl_jnum(pw, "energy_j", 1, b[1], 64),
		pvctl_jnum(pw, "idle_energy_j", 1, b[2], 64),
		pvctl_jnum(pw, "overhead_energy_j", 1, b[3], 64), pvctl_jstr(pw, "source"));
	line[0] = '\0';
	json_array_foreach(json_object_get(node, "pstates_khz"), i, v)
		if (used < sizeof(line))
			used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%.0f",
						 i ? ", " : "", json_number_value(v) / 1000.0);
	fprintf(p->out, "p-states:  %s MHz\n", used ? line : "-");
	line[0] = '\0';
	used = 0;
	json_array_foreach(json_object_get(node, "cstates"), i, v)
		if (used < sizeof(line))
			used += (size_t)snprintf(line + used, sizeof(line) - used,
						 "%s%s (exit %s µs, residency %s µs)", i ? ", " : "",
						 pvctl_jstr(v, "name"),
						 pvctl_jint(v, "exit_latency_us", b[0], 64),
						 pvctl_jint(v, "target_residency_us", b[1], 64));
	pvctl_text_sanitize(line, sizeof(line), line);
	fprintf(p->out, "c-states:  %s\n\n", used ? line : "-");
	pvctl_node_print_cpus(p->out, node);
}

int pvctl_cmd_node(struct pvctl *p, int argc, char **argv)
{
	(void)argv;
	if (argc > 0)
		return pvctl_usage(p, "pvctl node", "too many arguments");
	return pvctl_call_show(p, "GET", "/api/v1/node", NULL, node_print, NULL);
}

int pvctl_cmd_metrics(struct pvctl *p, int argc, char **argv)
{
	struct pvctl_http_resp resp;
	int rc;

	(void)argv;
	if (argc > 0)
		return pvctl_usage(p, "pvctl metrics", "too many arguments");
	rc = pvctl_request(p, "GET", "/metrics", NULL, false, &resp);
	if (rc)
		return rc;
	fwrite(resp.body, 1, resp.body_len, p->out);
	pvctl_http_resp_free(&resp);
	return 0;
}

/* GET a probe: 0 with *out, or an exit status. A 503 with a JSON body is an answer. */
static int node_probe(struct pvctl *p, const char *target, json_t **out, int *status)
{
	struct pvctl_http_resp resp;
	int rc;

	*out = NULL;
	rc = pvctl_request(p, "GET", target, NULL, true, &resp);
	if (rc)
		return rc;
	*status = resp.status;
	*out = json_loadb(resp.body, resp.body_len, 0, NULL);
	if ((resp.status != 200 && resp.status != 503) || !json_is_object(*out) ||
	    json_object_get(*out, "error")) {
		json_decref(*out);
		*out = NULL;
		pvctl_report_error(p, &resp);
		rc = PVCTL_EXIT_FAIL;
	}
	pvctl_http_resp_free(&resp);
	return rc;
}

int pvctl_cmd_health(struct pvctl *p, int argc, char **argv)
{
	json_t *health, *ready = NULL, *r;
	int rc, hs = 0, rs = 0;
	bool ok;
	size_t i;

	(void)argv;
	if (argc > 0)
		return pvctl_usage(p, "pvctl health", "too many arguments");
	rc = node_probe(p, "/healthz", &health, &hs);
	if (!rc)
		rc = node_probe(p, "/readyz", &ready, &rs);
	if (rc)
		goto out;
	ok = hs == 200 && rs == 200 && json_is_true(json_object_get(ready, "ready"));
	if (p->json) {
		json_t *both = json_pack("{s:O, s:O}", "health", health, "ready", ready);

		pvctl_print_json(p, both);
		json_decref(both);
	} else {
		fprintf(p->out, "alive:  %s\n", pvctl_jstr(health, "status"));
		fprintf(p->out, "ready:  %s", ok ? "yes" : "no");
		json_array_foreach(json_object_get(ready, "reasons"), i, r) {
			char s[256];

			pvctl_text_sanitize(s, sizeof(s), json_string_value(r) ?: "?");
			fprintf(p->out, "%s%s", i ? "; " : " (", s);
		}
		fprintf(p->out, "%s\n", json_array_size(json_object_get(ready, "reasons")) ? ")" : "");
	}
	rc = ok ? PVCTL_EXIT_OK : PVCTL_EXIT_FAIL;
out:
	json_decref(health);
	json_decref(ready);
	return rc;
}
