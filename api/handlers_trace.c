// SPDX-License-Identifier: GPL-2.0-only
/*
 * /api/v1/trace (recent transitions after a cursor, optionally only one VM's and only some
 * event types: the retention buffer filters while it copies, and the cursor moves past what
 * it skipped) and /api/v1/trace/perfetto (Chrome / Perfetto trace-event JSON of the last
 * window), both from the daemon's retention buffer (daemon/tracebuf.h), which has its own
 * short lock: never the loop's state.
 *
 * Perfetto: the records of the window are grouped by VM, sorted by time, and each VM is
 * exported by tracer/export.h as its own process (pid 2 + slot: one thread track per vCPU,
 * guest tasks, guest idle); the node's decisions (P-states, C-state limits) become counters
 * of the "node" process. The exporter writes one document per VM; their event arrays are
 * spliced into one document.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "tracer/event.h"
#include "tracer/export.h"
#include "tracer/tsc.h"
#include "tracer/grow.h"

#define TRACE_CHUNK		8192u
#define MAX_TRACE_TYPE_LEN	256u	/* characters of the `type` list */
#define NODE_SLOT		UINT32_MAX

static const char *slot_name(const struct dsnap *s, uint32_t slot, char *buf, size_t len)
{
	uint32_t i;

	if (slot == NODE_SLOT)
		return "node";
	for (i = 0; s && i < s->nvms; i++)
		if (s->vms[i].slot == slot)
			return s->vms[i].cfg.name;
	snprintf(buf, len, "slot%u", slot);
	return buf;
}

/*
 * Query argument `type`: a comma-separated list of event type names (pv_ev_name) →
 * TRACEBUF_TYPE bits in *@types; absent: 0 (every type). -EINVAL with a 400 naming the
 * first bad element.
 */
static int trace_types(const struct api_req *req, uint32_t *types, struct api_resp *resp)
{
	const char *s = req->query ? req->query(req->conn, "type") : NULL;
	char name[32];
	size_t len;
	int t;

	*types = 0;
	if (!s)
		return 0;
	if (strlen(s) > MAX_TRACE_TYPE_LEN) {
		api_error(resp, 400, "invalid_query", "type", "type must be at most %u characters",
			  MAX_TRACE_TYPE_LEN);
		return -EINVAL;
	}
	for (;;) {
		len = strcspn(s, ",");
		if (!len) {
			api_error(resp, 400, "invalid_query", "type", "type must be a comma-"
				  "separated list of event type names (e.g. rt_miss,reservation) "
				  "without empty names");
			return -EINVAL;
		}
		snprintf(name, sizeof(name), "%.*s", (int)len, s);
		t = len < sizeof(name) ? pv_ev_parse(name) : -EINVAL;
		if (t < 0) {
			api_error(resp, 400, "invalid_query", "type", "unknown event type '%.31s'",
				  name);
			return -EINVAL;
		}
		*types |= TRACEBUF_TYPE(t);
		if (!s[len])
			return 0;
		s += len + 1;
	}
}

/* One retained event as a TraceEvent: the decoded record's fields go under `detail`. */
static json_t *event_json(struct api_ctx *ctx, const struct dsnap *s, const struct tracebuf_ent *e)
{
	json_t *o = pv_export_json_object(&e->rec, &ctx->clk, ctx->tsc0), *ev, *detail;
	char name[24];

	if (!o)
		return NULL;
	ev = json_pack("{s:I, s:O, s:s, s:O}", "seq", (json_int_t)e->seq, "t_ns",
		       json_object_get(o, "t_ns"), "vm", slot_name(s, e->vm, name, sizeof(name)),
		       "type", json_object_get(o, "type"));
	if (ev && json_is_integer(json_object_get(o, "vcpu")))
		json_object_set(ev, "vcpu", json_object_get(o, "vcpu"));
	json_object_del(o, "t_ns");
	json_object_del(o, "type");
	json_object_del(o, "vcpu");
	json_object_del(o, "tsc");
	detail = o;
	if (ev)
		json_object_set_new(ev, "detail", detail);
	else
		json_decref(detail);
	return ev;
}

int handlers_trace(void *vctx, const struct api_req *req, struct api_resp *resp)
{
	struct api_ctx *ctx = vctx;
	struct tracebuf_filter filter = { .vm = -1 };
	struct tracebuf_ent *ents = NULL;
	uint64_t next, missed = 0;
	int64_t since, limit;
	const struct dsnap *s;
	struct snap *ref;
	json_t *events;
	const char *vmq;
	size_t i, n = 0;

	if (handlers_query_int(req, "since", 0, INT64_MAX, 0, &since, resp) ||
	    handlers_query_int(req, "limit", 1, MAX_TRACE_LIMIT, DEF_TRACE_LIMIT, &limit, resp) ||
	    trace_types(req, &filter.types, resp))
		return 0;
	s = handlers_snap(ctx, &ref, resp);
	if (!s)
		return 0;
	vmq = req->query ? req->query(req->conn, "vm") : NULL;
	if (vmq) {
		const struct dsnap_vm *vm = handlers_name_valid(vmq) ? dsnap_vm(s, vmq) : NULL;

		if (!vm) {
			snapshot_put(ref);
			return api_error(resp, 400, "invalid_query", "vm", "no VM named '%.31s'", vmq);
		}
		filter.vm = (int)vm->slot;
	}
	next = (uint64_t)since;
	if (ctx->trace) {
		ents = malloc((size_t)limit * sizeof(*ents));
		if (!ents) {
			snapshot_put(ref);
			return -ENOMEM;
		}
		n = tracebuf_read(ctx->trace, (uint64_t)since, &filter, ents, (size_t)limit, &next,
				  &missed);
	}
	events = json_array();
	for (i = 0; events && i < n; i++)
		json_array_append_new(events, event_json(ctx, s, &ents[i]));
	snapshot_put(ref);
	free(ents);
	if (!events)
		return -ENOMEM;
	return api_json(resp, 200, json_pack("{s:o, s:I, s:I, s:I}", "events", events,
					      "next", (json_int_t)next, "dropped", (json_int_t)missed,
					      "t0_monotonic_ns", (json_int_t)ctx->mono0_ns));
}

/* ---- Perfetto ------------------------------------------------------------------------ */

struct window {
	struct tracebuf_ent *e;
	size_t n, cap;
};

/* Every retained record at or after @from_tsc. */
static int collect(struct tracebuf *tb, uint64_t from_tsc, struct window *w)
{
	struct tracebuf_ent *chunk = malloc(TRACE_CHUNK * sizeof(*chunk));
	uint64_t since = 0, next, missed;
	size_t n, i;

	if (!chunk)
		return -ENOMEM;
	for (;;) {
		n = tracebuf_read(tb, since, NULL, chunk, TRACE_CHUNK, &next, &missed);
		for (i = 0; i < n; i++) {
			if (chunk[i].rec.tsc < from_tsc)
				continue;
			if (PV_GROW(w->e, w->cap, w->n, 4096)) {
				free(chunk);
				return -ENOMEM;
			}
			w->e[w->n++] = chunk[i];
		}
		if (n < TRACE_CHUNK || next == since)
			break;
		since = next;
	}
	free(chunk);
	return 0;
}

/* By VM slot (node records last), then time, then sequence. */
static int ent_cmp(const void *a, const void *b)
{
	const struct tracebuf_ent *x = a, *y = b;

	if (x->vm != y->vm)
		return x->vm < y->vm ? -1 : 1;
	if (x->rec.tsc != y->rec.tsc)
		return x->rec.tsc < y->rec.tsc ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Export one VM's records (and @node records, if any) as a document into a buffer. */
static int export_vm(struct api_ctx *ctx, const char *name, uint32_t pid, uint32_t nvcpus,
		     const struct tracebuf_ent *e, size_t n, const struct tracebuf_ent *node,
		     size_t nnode, uint64_t tsc0, uint64_t end_tsc, char **doc, size_t *len)
{
	struct pv_export_perfetto_info info = { .vm_name = name, .nvcpus = nvcpus, .pid = pid,
						.clk = &ctx->clk, .tsc0 = tsc0 };
	struct pv_export_perfetto *p;
	FILE *f = open_memstream(doc, len);
	size_t i;
	int err;

	if (!f)
		return -ENOMEM;
	err = pv_export_perfetto_begin(&p, f, &info);
	if (!err) {
		for (i = 0; i < nnode; i++)
			pv_export_perfetto_rec(p, &node[i].rec);
		for (i = 0; i < n; i++)
			pv_export_perfetto_rec(p, &e[i].rec);
		err = pv_export_perfetto_end(p, end_tsc);
	}
	if (fclose(f) && !err)
		err = -EIO;
	return err;
}

/* Append the event array of document @doc to @out (",\n" between documents). */
static int splice(FILE *out, const char *doc, bool first)
{
	static const char marker[] = "\"traceEvents\":[\n";
	const char *body = strstr(doc, marker), *end = strrchr(doc, ']');

	if (!body || !end || end < body)
		return -EIO;
	if (first)
		fwrite(doc, 1, (size_t)(body - doc), out);
	body += sizeof(marker) - 1;
	fputs(first ? marker : ",\n", out);
	while (end > body && end[-1] == '\n')
		end--;
	fwrite(body, 1, (size_t)(end - body), out);
	return 0;
}

static int build_perfetto(struct api_ctx *ctx, const struct dsnap *s, double window_s,
			  char **text, size_t *len)
{
	struct window w = { 0 };
	uint64_t end_tsc = pv_rdtsc();
	uint64_t span = pv_clock_ns_to_tsc(&ctx->clk, (uint64_t)(window_s * 1e9));
	uint64_t tsc0 = end_tsc > span ? end_tsc - span : 0;
	size_t i, k, nnode = 0, first_node = 0;
	FILE *out = open_memstream(text, len);
	uint32_t v;
	int err = out ? 0 : -ENOMEM, ndocs = 0;

	if (!err && ctx->trace)
		err = collect(ctx->trace, tsc0, &w);
	if (!err && w.n)
		qsort(w.e, w.n, sizeof(*w.e), ent_cmp);
	for (i = w.n; i > 0 && w.e[i - 1].vm == NODE_SLOT; i--)
		nnode++;
	first_node = w.n - nnode;
	for (v = 0; !err && (v < s->nvms || (!s->nvms && !ndocs)); v++) {
		const struct dsnap_vm *vm = s->nvms ? &s->vms[v] : NULL;
		uint32_t slot = vm ? vm->slot : NODE_SLOT;
		uint32_t nvcpus = vm ? (vm->nvcpus ? vm->nvcpus : vm->cfg.vcpus) : 1;
		char *doc = NULL;
		size_t dlen = 0;

		for (i = 0; i < first_node && w.e[i].vm != slot; i++)
			;
		for (k = i; k < first_node && w.e[k].vm == slot; k++)
			;
		err = export_vm(ctx, vm ? vm->cfg.name : "node", PV_PERFETTO_DEF_VM_PID +
				(vm ? slot : 0), nvcpus ? nvcpus : 1, w.e + i, k - i,
				ndocs ? NULL : w.e + first_node, ndocs ? 0 : nnode, tsc0, end_tsc,
				&doc, &dlen);
		if (!err)
			err = splice(out, doc, ndocs == 0);
		free(doc);
		ndocs++;
	}
	free(w.e);
	if (out) {
		fputs("\n]}\n", out);
		if (fclose(out) && !err)
			err = -EIO;
		if (err) {
			free(*text);
			*text = NULL;
		}
	}
	return err;
}

int handlers_trace_perfetto(void *vctx, const struct api_req *req, struct api_resp *resp)
{
	struct api_ctx *ctx = vctx;
	struct snap *ref;
	const struct dsnap *s;
	double window_s;
	char *text = NULL;
	size_t len = 0;
	int err;

	if (handlers_query_num(req, "window_s", MIN_PERFETTO_WINDOW_S, MAX_PERFETTO_WINDOW_S,
			       DEF_PERFETTO_WINDOW_S, &window_s, resp))
		return 0;
	if (!ctx->clk.mult)
		return api_error(resp, 503, "unavailable", NULL, "no trace clock");
	s = handlers_snap(ctx, &ref, resp);
	if (!s)
		return 0;
	err = build_perfetto(ctx, s, window_s, &text, &len);
	snapshot_put(ref);
	if (err)
		return api_error(resp, 500, "export_failed", NULL, "trace export failed: %s",
				 strerror(-err));
	resp->status = 200;
	resp->text = text;
	resp->text_len = len;
	resp->content_type = "application/json";
	return 0;
}
