/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvguest workload specification (pv_bootinfo.workload, or `workload=` on the QEMU command
 * line): items separated by ';', each `name[:key=value,key=value…]`.
 *
 *   rt:period_us=P,wcet_us=C[,deadline_us=D]   periodic real-time task (D defaults to P)
 *   cpu                                        best-effort hog, progress = loop iterations
 *   burst:on_ms=A,off_ms=B                     best-effort, A ms of CPU then B ms asleep
 *   idle                                       a task that only sleeps
 *   pio-loop:n=N                               N `out`s to PV_PORT_UNASSIGNED, cycles/iter
 *   hlt-wake:n=N,period_us=P                   N timed sleeps, wake lateness p50/p99
 *   triple-fault | bad-insn                    hostile, ring 0 (see hostile.c)
 *   garbage-ports:n=N | garbage-mmio:n=N       hostile, ring 3
 *   exit-flood | bad-pv[:n=N]                  hostile, ring 3
 * Every item also takes vcpu=K (default: round-robin over the vCPUs in spec order).
 */
#ifndef PVGUEST_SPEC_H
#define PVGUEST_SPEC_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

enum wl_kind {
	WL_RT = 0,
	WL_CPU,
	WL_BURST,
	WL_IDLE,
	WL_PIO_LOOP,
	WL_HLT_WAKE,
	WL_TRIPLE_FAULT,
	WL_GARBAGE_PORTS,
	WL_GARBAGE_MMIO,
	WL_EXIT_FLOOD,
	WL_BAD_PV,
	WL_BAD_INSN,
	WL_KIND_MAX
};

#define SPEC_MAX_ITEMS	16
#define SPEC_VCPU_AUTO	(-1)

struct spec_item {
	enum wl_kind kind;
	int32_t vcpu;		/* SPEC_VCPU_AUTO or an index < nvcpus */
	uint64_t period_us;
	uint64_t wcet_us;
	uint64_t deadline_us;
	uint64_t on_ms;
	uint64_t off_ms;
	uint64_t n;
};

struct spec {
	uint32_t nitems;
	struct spec_item items[SPEC_MAX_ITEMS];
};

struct cmdline_opts {
	const char *workload;	/* points into the command line, not NUL-terminated */
	size_t workload_len;
	bool has_duration;
	uint64_t duration_ms;
	int timer;		/* -1 = automatic, else enum timer_mode */
	uint64_t pv_pages_gpa;	/* QEMU self-test only: fake paravirtual pages in RAM */
	bool pv_off;		/* pv=off: ignore the paravirtual pages (a guest that reports
				 * nothing, for the host's inferred boosting) */
};

/* 0, or -EINVAL with a message in err. ncpus bounds vcpu=. */
int spec_parse(const char *str, uint32_t ncpus, struct spec *out, char *err, size_t errlen);
int spec_parse_cmdline(const char *cmdline, struct cmdline_opts *o, char *err, size_t errlen);
const char *spec_kind_name(enum wl_kind kind);

#endif /* PVGUEST_SPEC_H */
