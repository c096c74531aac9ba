// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvctl trace export|tail. `export` saves the daemon's Chrome/Perfetto trace-event JSON for
 * the last window (written to a temporary file and renamed, so a failed export never leaves
 * half a trace behind). `tail` follows GET /api/v1/trace with the cursor protocol: ask
 * after `since`, print, continue from `next`; a full page is followed immediately, a short
 * one means "caught up" and waits one interval.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/pvctl.h"
#include "api/pvctl_err.h"

#define EXPORT_USAGE "pvctl trace export -o FILE [--window DURATION]   (10ms..60s, default 5s)"
#define TAIL_USAGE "pvctl trace tail [--since N] [--vm NAME] [--type LIST] [--limit 1..10000] " \
		   "[--interval DURATION] [--iterations N]"
#define MIN_WINDOW_MS		10
#define MAX_WINDOW_MS		60000
#define DEF_WINDOW_MS		5000
#define DEF_TAIL_LIMIT		1000
#define DEF_TAIL_INTERVAL_MS	1000
#define MAX_TAIL_TYPE_LEN	256	/* the daemon's bound on `type` */

enum { TO_OUT = 1, TO_WINDOW, TO_SINCE, TO_VM, TO_TYPE, TO_LIMIT, TO_INTERVAL, TO_ITER };

static const struct pvctl_opt trace_export_opts[] = {
	{ "output", 'o', true, TO_OUT },
	{ "window", 0, true, TO_WINDOW },
	{ NULL, 0, false, 0 },
};

static const struct pvctl_opt trace_tail_opts[] = {
	{ "since", 0, true, TO_SINCE },
	{ "vm", 0, true, TO_VM },
	{ "type", 0, true, TO_TYPE },
	{ "limit", 0, true, TO_LIMIT },
	{ "interval", 0, true, TO_INTERVAL },
	{ "iterations", 0, true, TO_ITER },
	{ NULL, 0, false, 0 },
};

int pvctl_trace_export_parse(int argc, char **argv, struct pvctl_export_opts *o, char *err,
			     size_t errlen)
{
	struct pvctl_optiter it;
	const char *arg;
	int id;

	memset(o, 0, sizeof(*o));
	o->window_ms = DEF_WINDOW_MS;
	pvctl_opt_init(&it, argc, argv);
	while ((id = pvctl_opt_next_only(&it, trace_export_opts, &arg, err, errlen)) != 0) {
		if (id < 0)
			return id;
		if (id == TO_OUT) {
			if (!*arg)
				return pvctl_errf(err, errlen, "-o: empty file name");
			o->file = arg;
		} else if (pvctl_parse_duration_in(arg, "--window", MIN_WINDOW_MS, MAX_WINDOW_MS,
						   "10ms..60s", &o->window_ms, err, errlen)) {
			return -EINVAL;
		}
	}
	if (!o->file)
		return pvctl_errf(err, errlen, "-o FILE is required");
	return 0;
}

/* --type: names and commas only (so the target needs no escaping); the daemon checks the names. */
static int tail_type(const char *s, char *err, size_t errlen)
{
	size_t n = strlen(s);

	if (n && n <= MAX_TAIL_TYPE_LEN && strspn(s, "abcdefghijklmnopqrstuvwxyz_,") == n)
		return 0;
	return pvctl_errf(err, errlen, "invalid --type '%.40s': a comma-separated list of event "
			  "type names such as rt_miss,reservation (at most %d characters)", s,
			  MAX_TAIL_TYPE_LEN);
}

int pvctl_trace_tail_parse(int argc, char **argv, struct pvctl_tail_opts *o, char *err,
			   size_t errlen)
{
	struct pvctl_optiter it;
	const char *arg;
	int id, rc = 0;

	memset(o, 0, sizeof(*o));
	o->limit = DEF_TAIL_LIMIT;
	o->interval_ms = DEF_TAIL_INTERVAL_MS;
	pvctl_opt_init(&it, argc, argv);
	while (!rc && (id = pvctl_opt_next_only(&it, trace_tail_opts, &arg, err, errlen)) != 0) {
		switch (id) {
		case TO_SINCE:
			rc = pvctl_parse_int(arg, "--since", 0, INT64_MAX, &o->since, err, errlen);
			break;
		case TO_VM:
			rc = pvctl_parse_name(arg, "VM name", err, errlen);
			o->vm = arg;
			break;
		case TO_TYPE:
			rc = tail_type(arg, err, errlen);
			o->type = arg;
			break;
		case TO_LIMIT:
			rc = pvctl_parse_int(arg, "--limit", 1, 10000, &o->limit, err, errlen);
			break;
		case TO_ITER:
			rc = pvctl_parse_int(arg, "--iterations", 0, INT32_MAX, &o->iterations, err,
					     errlen);
			break;
		case TO_INTERVAL:
			rc = pvctl_parse_duration_in(arg, "--interval", 10, 3600000, "10ms..1h",
						     &o->interval_ms, err, errlen);
			break;
		default:
			rc = id;
			break;
		}
	}
	return rc ? -EINVAL : 0;
}

int pvctl_trace_target(const struct pvctl_tail_opts *o, long long since, char *buf, size_t len)
{
	int n = snprintf(buf, len, "/api/v1/trace?since=%lld&limit=%lld%s%s%s%s", since, o->limit,
			 o->vm ? "&vm=" : "", o->vm ? o->vm : "", o->type ? "&type=" : "",
			 o->type ? o->type : "");	/* names and commas need no escaping */

	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

/* Write @data to @path through a temporary file in the same directory. */
static int trace_write_file(const char *path, const char *data, size_t len)
{
	char tmp[PVCTL_PATH_MAX + 32];
	FILE *f;
	int err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "wx");
	if (!f)
		return -errno;
	if (fwrite(data, 1, len, f) != len || fflush(f) || fsync(fileno(f)))
		err = -errno ? -errno : -EIO;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

static int trace_export(struct pvctl *p, int argc, char **argv)
{
	struct pvctl_export_opts o;
	struct pvctl_http_resp resp;
	char err[PVCTL_ERR_MAX], target[96];
	json_t *j, *ev;
	int rc;

	if (pvctl_trace_export_parse(argc, argv, &o, err, sizeof(err)))
		return pvctl_usage(p, EXPORT_USAGE, err);
	snprintf(target, sizeof(target), "/api/v1/trace/perfetto?window_s=%" PRIu64 ".%03" PRIu64,
		 o.window_ms / 1000, o.window_ms % 1000);
	rc = pvctl_request(p, "GET", target, NULL, false, &resp);
	if (rc)
		return rc;
	j = json_loadb(resp.body, resp.body_len, 0, NULL);
	ev = json_object_get(j, "traceEvents");
	if (!json_is_array(ev)) {
		fprintf(p->err, "pvctl: the server's trace is not trace-event JSON (no traceEvents "
			"array)\n");
		rc = PVCTL_EXIT_FAIL;
		goto out;
	}
	if (!strcmp(o.file, "-")) {
		fwrite(resp.body, 1, resp.body_len, p->out);
		goto out;
	}
	rc = trace_write_file(o.file, resp.body, resp.body_len);
	if (rc) {
		fprintf(p->err, "pvctl: cannot write %s: %s\n", o.file, strerror(-rc));
		rc = PVCTL_EXIT_FAIL;
		goto out;
	}
	if (p->json) {
		json_t *sum = json_pack("{s:s, s:I, s:I, s:f}", "file", o.file, "events",
					(json_int_t)json_array_size(ev), "bytes",
					(json_int_t)resp.body_len, "window_s", o.window_ms / 1000.0);

		pvctl_print_json(p, sum);
		json_decref(sum);
	} else {
		fprintf(p->out, "wrote %zu events (%zu bytes, last %.3g s) to %s\n",
			json_array_size(ev), resp.body_len, o.window_ms / 1000.0, o.file);
		fprintf(p->out, "open it at https://ui.perfetto.dev: \"Open trace file\" and choose "
			"%s (or drag the file onto the page)\n", o.file);
	}
out:
	json_decref(j);
	pvctl_http_resp_free(&resp);
	return rc;
}

static void trace_print_event(struct pvctl *p, json_t *e)
{
	char vm[64], type[64], detail[512], vcpu[32], seq[32];
	json_t *d = json_object_get(e, "detail"), *v;
	const char *key;
	size_t used = 0;

	if (p->json) {
		char *s = json_dumps(e, JSON_COMPACT);

		if (s)
			fprintf(p->out, "%s\n", s);
		free(s);
		return;
	}
	detail[0] = '\0';
	json_object_foreach(d, key, v) {
		char *s = json_is_string(v) ? NULL : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		if (used < sizeof(detail))
			used += (size_t)snprintf(detail + used, sizeof(detail) - used, "%s%s=%s",
						 used ? " " : "", key,
						 s ? s : json_string_value(v) ?: "?");
		free(s);
	}
	pvctl_text_sanitize(detail, sizeof(detail), detail);
	pvctl_text_sanitize(vm, sizeof(vm), pvctl_jstr(e, "vm"));
	pvctl_text_sanitize(type, sizeof(type), pvctl_jstr(e, "type"));
	fprintf(p->out, "%10s %16.6f  %-12s %4s  %-14s %s\n",
		pvctl_jint(e, "seq", seq, sizeof(seq)),
		json_number_value(json_object_get(e, "t_ns")) / 1e9, vm,
		pvctl_jint(e, "vcpu", vcpu, sizeof(vcpu)), type, detail);
}

static void trace_sleep(uint64_t ms)
{
	if (!pvctl_stop)
		poll(NULL, 0, (int)ms);		/* Ctrl-C interrupts it */
}

static int trace_tail(struct pvctl *p, int argc, char **argv)
{
	struct pvctl_tail_opts o;
	char err[PVCTL_ERR_MAX], target[96 + PVCTL_NAME_MAX + MAX_TAIL_TYPE_LEN];
	long long since, iter;
	json_t *page, *events, *e, *next;
	size_t i;
	int rc = 0;

	if (pvctl_trace_tail_parse(argc, argv, &o, err, sizeof(err)))
		return pvctl_usage(p, TAIL_USAGE, err);
	since = o.since;
	if (!p->json)
		fprintf(p->out, "%10s %16s  %-12s %4s  %-14s %s\n", "SEQ", "TIME (s)", "VM", "VCPU",
			"TYPE", "DETAIL");
	for (iter = 0; !pvctl_stop && (!o.iterations || iter < o.iterations); iter++) {
		pvctl_trace_target(&o, since, target, sizeof(target));
		rc = pvctl_fetch(p, "GET", target, NULL, &page);
		if (rc)
			break;
		events = json_object_get(page, "events");
		next = json_object_get(page, "next");
		if (!json_is_array(events) || !json_is_integer(next) || json_integer_value(next) < 0) {
			fprintf(p->err, "pvctl: the server's trace page has no events/next\n");
			json_decref(page);
			rc = PVCTL_EXIT_FAIL;
			break;
		}
		if (json_integer_value(json_object_get(page, "dropped")) > 0)
			fprintf(p->err, "pvctl: %" JSON_INTEGER_FORMAT " events were dropped before "
				"cursor %lld (the daemon's trace buffer overflowed)\n",
				json_integer_value(json_object_get(page, "dropped")), since);
		json_array_foreach(events, i, e)
			trace_print_event(p, e);
		fflush(p->out);
		since = (long long)json_integer_value(next);
		if ((long long)json_array_size(events) < o.limit &&
		    (!o.iterations || iter + 1 < o.iterations))
			trace_sleep(o.interval_ms);
		json_decref(page);
	}
	return pvctl_stop && rc == 130 ? 0 : rc;
}

int pvctl_cmd_trace(struct pvctl *p, int argc, char **argv)
{
	if (argc < 1)
		return pvctl_usage(p, "pvctl trace export -o FILE [--window D] | tail [options]",
				   "missing trace command");
	if (!strcmp(argv[0], "export"))
		return trace_export(p, argc - 1, argv + 1);
	if (!strcmp(argv[0], "tail"))
		return trace_tail(p, argc - 1, argv + 1);
	return pvctl_usage(p, "pvctl trace export -o FILE [--window D] | tail [options]",
			   "unknown trace command");
}
