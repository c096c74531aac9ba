// SPDX-License-Identifier: GPL-2.0-only
/* Names of events and of their enumerated payloads, for exporters, logs and metric labels. */
#include <errno.h>
#include <string.h>

#include "tracer/event.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const ev_names[PV_EV_MAX] = {
	[PV_EV_NONE] = "none",
	[PV_EV_VM_EXIT] = "vm_exit",
	[PV_EV_VM_ENTRY] = "vm_entry",
	[PV_EV_HALT_BEGIN] = "halt_begin",
	[PV_EV_HALT_END] = "halt_end",
	[PV_EV_MIGRATE] = "migrate",
	[PV_EV_TIMER_FIRE] = "timer_fire",
	[PV_EV_TASK_SWITCH] = "task_switch",
	[PV_EV_RT_ACTIVATE] = "rt_activate",
	[PV_EV_RT_COMPLETE] = "rt_complete",
	[PV_EV_RT_MISS] = "rt_miss",
	[PV_EV_DEV_IO] = "dev_io",
	[PV_EV_IRQ_INJECT] = "irq_inject",
	[PV_EV_PSTATE] = "pstate",
	[PV_EV_CSTATE_LIMIT] = "cstate_limit",
	[PV_EV_QOS_CHANGE] = "qos_change",
	[PV_EV_RESERVATION] = "reservation",
	[PV_EV_DEVPOWER] = "devpower",
	[PV_EV_THROTTLE] = "throttle",
};

static const char *const exit_names[PV_EXIT_MAX] = {
	[PV_EXIT_PIO] = "pio",
	[PV_EXIT_MMIO] = "mmio",
	[PV_EXIT_HLT] = "hlt",
	[PV_EXIT_INTR] = "intr",
	[PV_EXIT_PV_CALL] = "pv_call",
	[PV_EXIT_SHUTDOWN] = "shutdown",
	[PV_EXIT_SYSTEM_EVENT] = "system_event",
	[PV_EXIT_INTERNAL_ERROR] = "internal_error",
	[PV_EXIT_FAIL_ENTRY] = "fail_entry",
	[PV_EXIT_IRQ_WINDOW] = "irq_window",
	[PV_EXIT_ERROR] = "error",
	[PV_EXIT_OTHER] = "other",
};

static const char *const halt_names[PV_HALT_MODE_MAX] = {
	[PV_HALT_EXIT] = "exit",
	[PV_HALT_POLL] = "poll",
	[PV_HALT_NATIVE] = "native",
	[PV_HALT_GUEST] = "guest",
};

static const char *const task_class_names[PV_TASK_CLASS_MAX] = {
	[PV_TASK_IDLE] = "idle",
	[PV_TASK_BE] = "be",
	[PV_TASK_RT] = "rt",
};

static const char *const irq_path_names[PV_IRQ_PATH_MAX] = {
	[PV_IRQ_DIRECT] = "direct",
	[PV_IRQ_TRAPPED] = "trapped",
};

static const char *const qos_class_names[PV_QOS_CLASS_MAX] = {
	[PV_QOS_BEST_EFFORT] = "best-effort",
	[PV_QOS_LATENCY_SENSITIVE] = "latency-sensitive",
	[PV_QOS_REALTIME] = "realtime",
	[PV_QOS_PARTITION] = "partition",
};

static const char *lookup(const char *const *names, size_t n, unsigned int v)
{
	return v < n && names[v] ? names[v] : "unknown";
}

static int rlookup(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; name && i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			return (int)i;
	return -EINVAL;
}

const char *pv_ev_name(unsigned int type)
{
	return lookup(ev_names, ARRAY_SIZE(ev_names), type);
}

const char *pv_exit_reason_name(unsigned int reason)
{
	return lookup(exit_names, ARRAY_SIZE(exit_names), reason);
}

const char *pv_halt_mode_name(unsigned int mode)
{
	return lookup(halt_names, ARRAY_SIZE(halt_names), mode);
}

const char *pv_task_class_name(unsigned int cls)
{
	return lookup(task_class_names, ARRAY_SIZE(task_class_names), cls);
}

const char *pv_irq_path_name(unsigned int path)
{
	return lookup(irq_path_names, ARRAY_SIZE(irq_path_names), path);
}

const char *pv_qos_class_name(unsigned int cls)
{
	return lookup(qos_class_names, ARRAY_SIZE(qos_class_names), cls);
}

int pv_ev_parse(const char *name)
{
	int t = rlookup(ev_names, ARRAY_SIZE(ev_names), name);

	return t == PV_EV_NONE ? -EINVAL : t;
}

int pv_halt_mode_parse(const char *name)
{
	return rlookup(halt_names, ARRAY_SIZE(halt_names), name);
}

int pv_qos_class_parse(const char *name)
{
	return rlookup(qos_class_names, ARRAY_SIZE(qos_class_names), name);
}
