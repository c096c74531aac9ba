// SPDX-License-Identifier: GPL-2.0-only
/*
 * Control protocol parser and encoders. Everything a client sends is checked for type and
 * range here, so the server (ctl.c) only ever sees well-formed requests; nothing in this
 * file touches the VM.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracer/event.h"
#include "vmm/budget.h"
#include "vmm/ctl_proto.h"
#include "vmm/halt.h"
#include "vmm/timer.h"

#define CTL_REAL_DIGITS	9	/* significant digits of reals in replies (ms with ns resolution) */

static const char *const cmd_names[CTL_CMD_MAX] = {
	[CTL_HELLO] = "hello",
	[CTL_PAUSE] = "pause",
	[CTL_RESUME] = "resume",
	[CTL_SHUTDOWN] = "shutdown",
	[CTL_SET_HALT_MODE] = "set-halt-mode",
	[CTL_SET_TIMER] = "set-timer",
	[CTL_STATS] = "stats",
	[CTL_SET_BUDGET] = "set-budget",
};

const char *ctl_cmd_name(enum ctl_cmd cmd)
{
	return (unsigned int)cmd < CTL_CMD_MAX ? cmd_names[cmd] : "?";
}

static int proto_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Non-negative integer member within [0, max]; absent is allowed when !required. */
static int proto_uint(json_t *o, const char *key, uint64_t max, bool required, bool *present,
		      uint64_t *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);

	if (present)
		*present = v != NULL;
	if (!v)
		return required ? proto_err(err, errlen, "missing \"%s\"", key) : 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max)
		return proto_err(err, errlen, "\"%s\" must be an integer in [0, %llu]", key,
				 (unsigned long long)max);
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* Reject members other than "id", "cmd" and @allowed. */
static int proto_only(json_t *o, const char *const *allowed, char *err, size_t errlen)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		const char *const *a;
		bool ok = !strcmp(key, "id") || !strcmp(key, "cmd");

		for (a = allowed; !ok && a && *a; a++)
			ok = !strcmp(key, *a);
		if (!ok)
			return proto_err(err, errlen, "unknown argument \"%.40s\"", key);
	}
	return 0;
}

static int proto_budget(json_t *o, struct ctl_req *req, char *err, size_t errlen)
{
	static const char *const budget_keys[] = { "vcpu", "runtime_us", "period_us", NULL };
	bool has_p = false;
	uint64_t v = 0;
	int ret;

	ret = proto_only(o, budget_keys, err, errlen);
	if (!ret)
		ret = proto_uint(o, "vcpu", PV_MAX_VCPUS - 1, true, NULL, &v, err, errlen);
	if (!ret)
		ret = proto_uint(o, "runtime_us", MAX_BUDGET_PERIOD_US, true, NULL,
				 &req->budget.runtime_us, err, errlen);
	if (!ret)
		ret = proto_uint(o, "period_us", MAX_BUDGET_PERIOD_US, false, &has_p,
				 &req->budget.period_us, err, errlen);
	if (ret)
		return ret;
	req->budget.vcpu = (uint32_t)v;
	if (!req->budget.runtime_us)
		return 0;	/* off: the period, if given, is ignored */
	if (!has_p)
		return proto_err(err, errlen, "missing \"period_us\"");
	if (req->budget.period_us < MIN_BUDGET_PERIOD_US)
		return proto_err(err, errlen, "\"period_us\" must be in [%llu, %llu]",
				 MIN_BUDGET_PERIOD_US, MAX_BUDGET_PERIOD_US);
	if (req->budget.runtime_us > req->budget.period_us)
		return proto_err(err, errlen, "\"runtime_us\" must not exceed \"period_us\"");
	return 0;
}

static int proto_args(json_t *o, struct ctl_req *req, char *err, size_t errlen)
{
	static const char *const halt_keys[] = { "mode", "poll_ns", NULL };
	static const char *const timer_keys[] = { "vcpu", "period_us", "deadline_us", NULL };
	bool has_p = false, has_d = false;
	uint64_t v = 0;
	json_t *m;
	int ret;

	switch (req->cmd) {
	case CTL_SET_HALT_MODE:
		ret = proto_only(o, halt_keys, err, errlen);
		if (ret)
			return ret;
		m = json_object_get(o, "mode");
		if (!json_is_string(m))
			return proto_err(err, errlen, "\"mode\" must be \"exit\", \"poll\" or \"native\"");
		req->halt.mode = pv_halt_mode_parse(json_string_value(m));
		if (req->halt.mode < 0 || req->halt.mode > PV_HALT_NATIVE)
			return proto_err(err, errlen, "\"mode\" must be \"exit\", \"poll\" or \"native\"");
		return proto_uint(o, "poll_ns", MAX_HALT_POLL_NS, false, &req->halt.has_poll_ns,
				  &req->halt.poll_ns, err, errlen);
	case CTL_SET_TIMER:
		ret = proto_only(o, timer_keys, err, errlen);
		if (!ret)
			ret = proto_uint(o, "vcpu", PV_MAX_VCPUS - 1, true, NULL, &v, err, errlen);
		if (ret)
			return ret;
		req->timer.vcpu = (uint32_t)v;
		ret = proto_uint(o, "period_us", MAX_TIMER_US, false, &has_p, &req->timer.period_us,
				 err, errlen);
		if (!ret)
			ret = proto_uint(o, "deadline_us", MAX_TIMER_US, false, &has_d,
					 &req->timer.deadline_us, err, errlen);
		if (ret)
			return ret;
		if (has_p == has_d)
			return proto_err(err, errlen, "exactly one of \"period_us\" and \"deadline_us\"");
		if (has_p && req->timer.period_us && req->timer.period_us < MIN_TIMER_PERIOD_US)
			return proto_err(err, errlen, "\"period_us\" must be 0 or >= %u",
					 MIN_TIMER_PERIOD_US);
		return 0;
	case CTL_SET_BUDGET:
		return proto_budget(o, req, err, errlen);
	default:
		return proto_only(o, NULL, err, errlen);
	}
}

int ctl_proto_parse(const char *line, size_t len, struct ctl_req *req, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *o, *id, *cmd;
	unsigned int i;
	int ret = -EINVAL;

	memset(req, 0, sizeof(*req));
	req->cmd = CTL_CMD_MAX;
	if (len > CTL_LINE_MAX)
		return proto_err(err, errlen, "request longer than %d bytes", CTL_LINE_MAX);
	if (memchr(line, '\0', len))
		return proto_err(err, errlen, "NUL byte in request");
	o = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!o)
		return proto_err(err, errlen, "bad JSON: %.80s", jerr.text);
	if (!json_is_object(o)) {
		proto_err(err, errlen, "request must be a JSON object");
		goto out_decref;
	}
	id = json_object_get(o, "id");
	if (id) {
		if (!json_is_integer(id) || json_integer_value(id) < 0 ||
		    json_integer_value(id) > CTL_MAX_ID) {
			proto_err(err, errlen, "\"id\" must be an integer in [0, 2^53]");
			goto out_decref;
		}
		req->has_id = true;
		req->id = json_integer_value(id);
	}
	cmd = json_object_get(o, "cmd");
	if (!json_is_string(cmd)) {
		proto_err(err, errlen, "\"cmd\" must be a string");
		goto out_decref;
	}
	for (i = 0; i < CTL_CMD_MAX; i++)
		if (!strcmp(json_string_value(cmd), cmd_names[i]))
			break;
	if (i == CTL_CMD_MAX) {
		proto_err(err, errlen, "unknown command \"%.40s\"", json_string_value(cmd));
		goto out_decref;
	}
	req->cmd = (enum ctl_cmd)i;
	ret = proto_args(o, req, err, errlen);
out_decref:
	json_decref(o);
	return ret;
}

static char *proto_dump(json_t *o)
{
	char *s, *line;
	size_t n;

	if (!o)
		return NULL;
	s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(CTL_REAL_DIGITS));
	json_decref(o);
	if (!s)
		return NULL;
	n = strlen(s);
	line = realloc(s, n + 2);
	if (!line) {
		free(s);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	return line;
}

static json_t *proto_id(const struct ctl_req *req)
{
	return req && req->has_id ? json_integer(req->id) : json_null();
}

char *ctl_proto_ok(const struct ctl_req *req, json_t *result)
{
	return proto_dump(json_pack("{s:o, s:b, s:o}", "id", proto_id(req), "ok", 1,
				    "result", result ? result : json_object()));
}

char *ctl_proto_error(const struct ctl_req *req, const char *msg)
{
	return proto_dump(json_pack("{s:o, s:b, s:s}", "id", proto_id(req), "ok", 0, "error", msg));
}

char *ctl_proto_event(const char *name, json_t *fields)
{
	json_t *o = fields ? fields : json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "event", json_string(name));
	return proto_dump(o);
}
