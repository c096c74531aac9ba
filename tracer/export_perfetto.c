// SPDX-License-Identifier: GPL-2.0-only
/*
 * Chrome trace-event JSON exporter (opens in ui.perfetto.dev and chrome://tracing).
 *
 * Design note: the document is streamed — the header and the track names first, then one
 * event per line as records arrive, the closing bracket last — so memory is O(vCPUs), not
 * O(records). A slice is written when it ends, as a complete ("X") event with its start
 * and duration, from per-vCPU state mirroring tracer/account.c: guest (ENTRY -> EXIT), VMM
 * (EXIT -> ENTRY, named by the exit reason) and halts, which end no later than the slice
 * they began in and so nest inside it. Guest-task residencies go to their own track per
 * vCPU, guest-reported idle to another (it may straddle task switches, and slices on one
 * track must nest). Slices still open at the end are closed at the end time. Timestamps
 * are µs (Chrome JSON's unit) from the clock, relative to tsc0, with ns resolution.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tracer/export.h"

#define JSON_FLAGS	(JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

enum pf_place {
	PF_UNKNOWN = 0,
	PF_GUEST,
	PF_VMM,
};

struct pf_vcpu {
	enum pf_place place;
	uint64_t since;
	uint32_t exit_reason;
	bool halted;
	uint32_t halt_mode;
	uint64_t halt_since;
	bool task_known;
	uint32_t task;
	uint32_t task_cls;
	uint64_t task_since;
	bool gidle;
	uint64_t gidle_since;
};

struct pv_export_perfetto {
	FILE *f;
	struct pv_clock clk;
	uint64_t tsc0;
	uint64_t last_tsc;		/* latest record seen */
	uint32_t pid;
	uint32_t nvcpus;
	uint64_t events;
	int err;
	struct pf_vcpu v[];
};

static uint64_t ts_ns(const struct pv_export_perfetto *p, uint64_t tsc)
{
	return tsc > p->tsc0 ? pv_clock_tsc_to_ns(&p->clk, tsc - p->tsc0) : 0;
}

static double ts_us(const struct pv_export_perfetto *p, uint64_t tsc)
{
	return (double)ts_ns(p, tsc) / 1000.0;
}

/* Both ends converted from tsc0, so a slice ending with its parent ends at the same µs. */
static double dur_us(const struct pv_export_perfetto *p, uint64_t from, uint64_t to)
{
	return to > from ? (double)(ts_ns(p, to) - ts_ns(p, from)) / 1000.0 : 0.0;
}

/* Write one event (takes the reference). */
static void emit(struct pv_export_perfetto *p, json_t *ev)
{
	if (!ev) {
		p->err = p->err ? p->err : -ENOMEM;
		return;
	}
	if (fputs(",\n", p->f) == EOF || json_dumpf(ev, p->f, JSON_FLAGS) < 0)
		p->err = p->err ? p->err : -EIO;
	p->events++;
	json_decref(ev);
}

static void emit_meta(struct pv_export_perfetto *p, uint32_t pid, uint32_t tid,
		      const char *what, const char *name, int sort)
{
	json_t *ev;

	if (tid)
		ev = json_pack("{s:s, s:s, s:I, s:I, s:{s:s}}", "name", what, "ph", "M",
			       "pid", (json_int_t)pid, "tid", (json_int_t)tid, "args", "name", name);
	else
		ev = json_pack("{s:s, s:s, s:I, s:{s:s}}", "name", what, "ph", "M",
			       "pid", (json_int_t)pid, "args", "name", name);
	emit(p, ev);
	if (sort < 0)
		return;
	ev = json_pack("{s:s, s:s, s:I, s:I, s:{s:i}}", "name",
		       tid ? "thread_sort_index" : "process_sort_index", "ph", "M",
		       "pid", (json_int_t)pid, "tid", (json_int_t)tid, "args", "sort_index", sort);
	emit(p, ev);
}

/* A complete slice [from, to) on @tid; @args may be NULL (reference taken). */
static void emit_slice(struct pv_export_perfetto *p, uint32_t tid, const char *name,
		       const char *cat, uint64_t from, uint64_t to, json_t *args)
{
	json_t *ev = json_pack("{s:s, s:s, s:s, s:f, s:f, s:I, s:I}", "name", name, "cat", cat,
			       "ph", "X", "ts", ts_us(p, from), "dur", dur_us(p, from, to),
			       "pid", (json_int_t)p->pid, "tid", (json_int_t)tid);

	if (ev && args)
		json_object_set_new(ev, "args", args);
	else if (args)
		json_decref(args);
	emit(p, ev);
}

static void emit_instant(struct pv_export_perfetto *p, uint32_t tid, const char *name,
			 const char *cat, uint64_t at, json_t *args)
{
	json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:f, s:I}", "name", name, "cat", cat,
			       "ph", "i", "s", tid ? "t" : "p", "ts", ts_us(p, at),
			       "pid", (json_int_t)p->pid);

	if (ev && tid)
		json_object_set_new(ev, "tid", json_integer(tid));
	if (ev && args)
		json_object_set_new(ev, "args", args);
	else if (args)
		json_decref(args);
	emit(p, ev);
}

static void emit_counter(struct pv_export_perfetto *p, const char *name, const char *key,
			 uint64_t at, uint64_t value)
{
	emit(p, json_pack("{s:s, s:s, s:f, s:I, s:{s:I}}", "name", name, "ph", "C",
			  "ts", ts_us(p, at), "pid", (json_int_t)PV_PERFETTO_NODE_PID,
			  "args", key, (json_int_t)(value > INT64_MAX ? INT64_MAX : value)));
}

int pv_export_perfetto_begin(struct pv_export_perfetto **out, FILE *f,
			     const struct pv_export_perfetto_info *info)
{
	struct pv_export_perfetto *p;
	json_t *first;
	char name[48];
	uint32_t i;

	if (!out || !f || !info || !info->clk || !info->clk->mult || info->nvcpus < 1 ||
	    info->nvcpus > PV_MAX_VCPUS || info->pid == PV_PERFETTO_NODE_PID)
		return -EINVAL;
	p = calloc(1, sizeof(*p) + info->nvcpus * sizeof(p->v[0]));
	if (!p)
		return -ENOMEM;
	p->f = f;
	p->clk = *info->clk;
	p->tsc0 = info->tsc0;
	p->last_tsc = info->tsc0;
	p->pid = info->pid ? info->pid : PV_PERFETTO_DEF_VM_PID;
	p->nvcpus = info->nvcpus;

	if (fprintf(f, "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"tsc_khz\":%" PRIu64
		    ",\"generator\":\"pv-trace\"},\n\"traceEvents\":[\n", p->clk.tsc_khz) < 0) {
		free(p);
		return -EIO;
	}
	/* the first event has no leading comma: a metadata event every importer accepts */
	first = json_pack("{s:s, s:s, s:I, s:{s:s}}", "name", "process_name", "ph", "M",
			  "pid", (json_int_t)PV_PERFETTO_NODE_PID, "args", "name", "node");
	if (!first || json_dumpf(first, f, JSON_FLAGS) < 0) {
		json_decref(first);
		free(p);
		return -EIO;
	}
	json_decref(first);
	emit_meta(p, p->pid, 0, "process_name", info->vm_name ? info->vm_name : "vm", 1);
	for (i = 0; i < p->nvcpus; i++) {
		snprintf(name, sizeof(name), "vCPU %u", i);
		emit_meta(p, p->pid, pv_perfetto_tid_vcpu(i), "thread_name", name, (int)(3 * i));
		snprintf(name, sizeof(name), "vCPU %u guest tasks", i);
		emit_meta(p, p->pid, pv_perfetto_tid_tasks(i), "thread_name", name, (int)(3 * i + 1));
		snprintf(name, sizeof(name), "vCPU %u guest idle", i);
		emit_meta(p, p->pid, pv_perfetto_tid_gidle(i), "thread_name", name, (int)(3 * i + 2));
	}
	*out = p;
	return p->err;
}

/* ---------------------------------------------------------------- vCPU transitions */

static void close_place(struct pv_export_perfetto *p, uint32_t vcpu, uint64_t t)
{
	struct pf_vcpu *v = &p->v[vcpu];
	uint32_t tid = pv_perfetto_tid_vcpu(vcpu);

	if (v->place == PF_GUEST)
		emit_slice(p, tid, "guest", "guest", v->since, t, NULL);
	else if (v->place == PF_VMM)
		emit_slice(p, tid, pv_exit_reason_name(v->exit_reason), "vmm", v->since, t,
			   json_pack("{s:s}", "reason", pv_exit_reason_name(v->exit_reason)));
}

static void close_halt(struct pv_export_perfetto *p, uint32_t vcpu, uint64_t t)
{
	struct pf_vcpu *v = &p->v[vcpu];
	char name[32];

	if (!v->halted)
		return;
	snprintf(name, sizeof(name), "halt %s", pv_halt_mode_name(v->halt_mode));
	emit_slice(p, pv_perfetto_tid_vcpu(vcpu), name, "halt", v->halt_since, t,
		   json_pack("{s:s}", "mode", pv_halt_mode_name(v->halt_mode)));
	v->halted = false;
}

static void close_task(struct pv_export_perfetto *p, uint32_t vcpu, uint64_t t)
{
	struct pf_vcpu *v = &p->v[vcpu];
	char name[32];

	if (!v->task_known)
		return;
	if (v->task)
		snprintf(name, sizeof(name), "task %u", v->task);
	else
		snprintf(name, sizeof(name), "idle");
	emit_slice(p, pv_perfetto_tid_tasks(vcpu), name, "task", v->task_since, t,
		   json_pack("{s:i, s:s}", "task", (int)v->task,
			     "class", pv_task_class_name(v->task_cls)));
}

static void on_transition(struct pv_export_perfetto *p, const struct pv_rec *r)
{
	struct pf_vcpu *v = &p->v[r->vcpu];
	uint32_t tid = pv_perfetto_tid_vcpu(r->vcpu);

	switch (r->type) {
	case PV_EV_VM_EXIT:
		close_halt(p, r->vcpu, r->tsc);
		close_place(p, r->vcpu, r->tsc);
		v->place = PF_VMM;
		v->since = r->tsc;
		v->exit_reason = r->a < PV_EXIT_MAX ? r->a : PV_EXIT_OTHER;
		break;
	case PV_EV_VM_ENTRY:
		close_halt(p, r->vcpu, r->tsc);
		close_place(p, r->vcpu, r->tsc);
		v->place = PF_GUEST;
		v->since = r->tsc;
		break;
	case PV_EV_HALT_BEGIN:
		close_halt(p, r->vcpu, r->tsc);
		v->halted = true;
		v->halt_mode = r->a < PV_HALT_MODE_MAX ? r->a : PV_HALT_EXIT;
		v->halt_since = r->tsc;
		break;
	case PV_EV_HALT_END:
		close_halt(p, r->vcpu, r->tsc);
		break;
	case PV_EV_MIGRATE:
		emit_instant(p, tid, "migrate", "sched", r->tsc,
			     json_pack("{s:I, s:I}", "cpu", (json_int_t)r->a,
				       "old_cpu", (json_int_t)(r->b & 0xffffffff)));
		break;
	case PV_EV_TIMER_FIRE:
		emit_instant(p, tid, "timer", "timer", r->tsc,
			     json_pack("{s:I}", "overruns", (json_int_t)r->a));
		break;
	case PV_EV_IRQ_INJECT:
		emit_instant(p, tid, "irq", "irq", r->tsc,
			     json_pack("{s:I, s:s}", "irq", (json_int_t)r->a, "path",
				       pv_irq_path_name(r->b < PV_IRQ_PATH_MAX ? (unsigned int)r->b
									       : PV_IRQ_PATH_MAX)));
		break;
	default:
		break;
	}
}

static void on_guest(struct pv_export_perfetto *p, const struct pv_rec *r)
{
	struct pf_vcpu *v = &p->v[r->vcpu];

	switch (r->type) {
	case PV_EV_TASK_SWITCH:
		close_task(p, r->vcpu, r->tsc);
		v->task_known = true;
		v->task = (uint32_t)(r->c & 0xffff);
		v->task_cls = PV_TASK_NEXT_CLASS(r->a);
		v->task_since = r->tsc;
		break;
	case PV_EV_RT_MISS:
		emit_instant(p, pv_perfetto_tid_tasks(r->vcpu), "rt_miss", "rt", r->tsc,
			     json_pack("{s:I, s:I}", "task", (json_int_t)r->a, "lateness_ns",
				       (json_int_t)(r->b > INT64_MAX ? INT64_MAX : r->b)));
		break;
	case PV_EV_HALT_BEGIN:
		v->gidle = true;
		v->gidle_since = r->tsc;
		break;
	case PV_EV_HALT_END:
		if (v->gidle)
			emit_slice(p, pv_perfetto_tid_gidle(r->vcpu), "guest idle", "halt",
				   v->gidle_since, r->tsc, NULL);
		v->gidle = false;
		break;
	default:
		break;
	}
}

int pv_export_perfetto_rec(struct pv_export_perfetto *p, const struct pv_rec *r)
{
	char name[40];

	if (r->tsc > p->last_tsc)
		p->last_tsc = r->tsc;
	switch (r->type) {
	case PV_EV_PSTATE:
		snprintf(name, sizeof(name), "cpu%u freq", r->vcpu);
		emit_counter(p, name, "khz", r->tsc, r->b);
		return p->err;
	case PV_EV_CSTATE_LIMIT:
		snprintf(name, sizeof(name), "cpu%u cstate limit", r->vcpu);
		emit_counter(p, name, "index", r->tsc, r->b);
		return p->err;
	case PV_EV_QOS_CHANGE:
	case PV_EV_RESERVATION:
	case PV_EV_THROTTLE:
	case PV_EV_DEVPOWER:
		emit_instant(p, r->vcpu < p->nvcpus ? pv_perfetto_tid_vcpu(r->vcpu) : 0,
			     pv_ev_name(r->type), "policy", r->tsc,
			     json_pack("{s:I, s:I}", "b", (json_int_t)(r->b & INT64_MAX),
				       "c", (json_int_t)(r->c & INT64_MAX)));
		return p->err;
	default:
		break;
	}
	if (r->vcpu >= p->nvcpus)
		return p->err;
	switch (r->type) {
	case PV_EV_TASK_SWITCH:
	case PV_EV_RT_ACTIVATE:
	case PV_EV_RT_COMPLETE:
	case PV_EV_RT_MISS:
		on_guest(p, r);
		break;
	case PV_EV_HALT_BEGIN:
	case PV_EV_HALT_END:
		if (r->a == PV_HALT_GUEST)
			on_guest(p, r);
		else
			on_transition(p, r);
		break;
	default:
		on_transition(p, r);
		break;
	}
	return p->err;
}

int pv_export_perfetto_end(struct pv_export_perfetto *p, uint64_t end_tsc)
{
	uint32_t i;
	int err;

	if (!end_tsc)
		end_tsc = p->last_tsc;
	for (i = 0; i < p->nvcpus; i++) {
		struct pf_vcpu *v = &p->v[i];

		close_halt(p, i, end_tsc);
		close_place(p, i, end_tsc);
		close_task(p, i, end_tsc);
		if (v->gidle)
			emit_slice(p, pv_perfetto_tid_gidle(i), "guest idle", "halt",
				   v->gidle_since, end_tsc, NULL);
	}
	if (fputs("\n]}\n", p->f) == EOF || fflush(p->f))
		p->err = p->err ? p->err : -EIO;
	err = p->err;
	free(p);
	return err;
}
