// SPDX-License-Identifier: GPL-2.0-only
/* JSON lines exporter: one object per record, type and payload decoded into named fields. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "tracer/export.h"

struct pv_export_json {
	FILE *f;
	struct pv_clock clk;
	uint64_t tsc0;
	int err;
};

/* An unsigned value as an integer when JSON integers hold it, else a "0x…" string. */
static json_t *json_u64(uint64_t v)
{
	char buf[24];

	if (v <= (uint64_t)INT64_MAX)
		return json_integer((json_int_t)v);
	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_string(buf);
}

static json_t *json_hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_string(buf);
}

static void set(json_t *o, const char *k, json_t *v)
{
	json_object_set_new(o, k, v);
}

static void decode_exit(json_t *o, const struct pv_rec *r)
{
	set(o, "reason", json_string(pv_exit_reason_name(r->a)));
	switch (r->a) {
	case PV_EXIT_PIO:
		set(o, "port", json_integer((json_int_t)(r->b & 0xffff)));
		set(o, "size", json_integer((json_int_t)((r->b >> 16) & 0xff)));
		set(o, "dir", json_string((r->b >> 24) & 1 ? "out" : "in"));
		set(o, "data", json_u64(r->c));
		break;
	case PV_EXIT_MMIO:
		set(o, "gpa", json_hex(r->b));
		set(o, "len", json_integer((json_int_t)(r->c & 0xff)));
		set(o, "write", json_boolean((r->c >> 8) & 1));
		break;
	case PV_EXIT_INTERNAL_ERROR:
		set(o, "suberror", json_u64(r->c));
		break;
	case PV_EXIT_ERROR:
		set(o, "errno", json_u64(r->c));
		break;
	case PV_EXIT_OTHER:
		set(o, "kvm_reason", json_u64(r->c));
		break;
	default:
		set(o, "qualifier", json_u64(r->b));
		set(o, "data", json_u64(r->c));
		break;
	}
}

/* Payload fields by type (table in event.h). */
static void decode(json_t *o, const struct pv_rec *r)
{
	switch (r->type) {
	case PV_EV_VM_EXIT:
		decode_exit(o, r);
		break;
	case PV_EV_VM_ENTRY:
		break;
	case PV_EV_HALT_BEGIN:
		set(o, "mode", json_string(pv_halt_mode_name(r->a)));
		break;
	case PV_EV_HALT_END:
		set(o, "mode", json_string(pv_halt_mode_name(r->a)));
		set(o, "halted_ns", json_u64(r->b));
		break;
	case PV_EV_MIGRATE:
		set(o, "cpu", json_integer(r->a));
		set(o, "old_cpu", json_u64(r->b));
		break;
	case PV_EV_TIMER_FIRE:
		set(o, "overruns", json_integer(r->a));
		set(o, "rip", json_hex(r->b));
		set(o, "cr3", json_hex(r->c));
		break;
	case PV_EV_TASK_SWITCH:
		set(o, "prev_task", json_u64(r->b));
		set(o, "next_task", json_u64(r->c));
		set(o, "prev_class", json_string(pv_task_class_name(PV_TASK_PREV_CLASS(r->a))));
		set(o, "next_class", json_string(pv_task_class_name(PV_TASK_NEXT_CLASS(r->a))));
		break;
	case PV_EV_RT_ACTIVATE:
		set(o, "task", json_integer(r->a));
		set(o, "lateness_ns", json_u64(r->b));
		set(o, "period_ns", json_u64(r->c));
		break;
	case PV_EV_RT_COMPLETE:
		set(o, "task", json_integer(r->a));
		set(o, "response_ns", json_u64(r->b));
		set(o, "deadline_ns", json_u64(r->c));
		break;
	case PV_EV_RT_MISS:
		set(o, "task", json_integer(r->a));
		set(o, "lateness_ns", json_u64(r->b));
		break;
	case PV_EV_DEV_IO:
		set(o, "dev", json_integer(PV_DEV_OP_DEV(r->a)));
		set(o, "op", json_string(PV_DEV_OP_OP(r->a) == PV_DEV_OP_WRITE ? "write" :
					 PV_DEV_OP_OP(r->a) == PV_DEV_OP_READ ? "read" : "unknown"));
		set(o, "bytes", json_u64(r->b));
		set(o, "latency_ns", json_u64(r->c));
		break;
	case PV_EV_IRQ_INJECT:
		set(o, "irq", json_integer(r->a));
		set(o, "path", json_string(pv_irq_path_name((unsigned int)(r->b < 256 ? r->b : 255))));
		break;
	case PV_EV_PSTATE:
		set(o, "khz", json_u64(r->b));
		set(o, "old_khz", json_u64(r->c));
		break;
	case PV_EV_CSTATE_LIMIT:
		set(o, "limit", json_u64(r->b));
		set(o, "old_limit", json_u64(r->c));
		break;
	case PV_EV_QOS_CHANGE:
		set(o, "vm", json_integer(r->a));
		set(o, "class", json_string(pv_qos_class_name((unsigned int)(r->b < 256 ? r->b : 255))));
		set(o, "old_class", json_string(pv_qos_class_name((unsigned int)(r->c < 256 ? r->c : 255))));
		break;
	case PV_EV_RESERVATION:
		set(o, "vm", json_integer(r->a));
		set(o, "runtime_ns", json_u64(r->b));
		set(o, "period_ns", json_u64(r->c));
		break;
	case PV_EV_DEVPOWER:
		set(o, "dev", json_integer(r->a));
		set(o, "state", json_u64(r->b));
		set(o, "old_state", json_u64(r->c));
		break;
	case PV_EV_THROTTLE:
		set(o, "vm", json_integer(r->a));
		set(o, "overrun_ns", json_u64(r->b));
		set(o, "period_ns", json_u64(r->c));
		break;
	default:
		set(o, "a", json_integer(r->a));
		set(o, "b", json_u64(r->b));
		set(o, "c", json_u64(r->c));
		break;
	}
}

json_t *pv_export_json_object(const struct pv_rec *r, const struct pv_clock *clk, uint64_t tsc0)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	set(o, "tsc", json_u64(r->tsc));
	set(o, "t_ns", json_u64(r->tsc > tsc0 ? pv_clock_tsc_to_ns(clk, r->tsc - tsc0) : 0));
	set(o, "type", json_string(pv_ev_name(r->type)));
	if (r->type == PV_EV_PSTATE || r->type == PV_EV_CSTATE_LIMIT)
		set(o, "cpu", json_integer(r->vcpu));
	else
		set(o, "vcpu", r->vcpu == PV_VCPU_NONE ? json_null() : json_integer(r->vcpu));
	decode(o, r);
	return o;
}

int pv_export_json_begin(struct pv_export_json **out, FILE *f, const struct pv_clock *clk,
			 uint64_t tsc0)
{
	struct pv_export_json *x;

	if (!out || !f || !clk || !clk->mult)
		return -EINVAL;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->f = f;
	x->clk = *clk;
	x->tsc0 = tsc0;
	*out = x;
	return 0;
}

int pv_export_json_rec(struct pv_export_json *x, const struct pv_rec *r)
{
	json_t *o = pv_export_json_object(r, &x->clk, x->tsc0);
	int err = 0;

	if (!o)
		return -ENOMEM;
	if (json_dumpf(o, x->f, JSON_COMPACT | JSON_PRESERVE_ORDER) < 0 || fputc('\n', x->f) == EOF)
		err = -EIO;
	json_decref(o);
	if (err && !x->err)
		x->err = err;
	return err;
}

int pv_export_json_end(struct pv_export_json *x)
{
	int err = x->err;

	if (fflush(x->f) && !err)
		err = -EIO;
	free(x);
	return err;
}
