/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exporters of validated records, both streaming (one record in, at most a few lines out;
 * memory independent of the trace length):
 *   - JSON lines (export_json.c): one object per record, type and enumerations by name,
 *     payload words decoded into named fields, times in ns from a base TSC;
 *   - Chrome trace-event JSON for ui.perfetto.dev (export_perfetto.c): a process per VM, per
 *     vCPU a thread track with guest / VMM / halt "X" slices (VMM slices are named by the
 *     exit reason, halts nest inside the slice they happened in), a guest-task track with a
 *     slice per task residency and "rt_miss" instants, a guest-idle track, instants for
 *     migrations, VMM timer fires and interrupt injections, and counters ("C") for P-states
 *     and C-state limits per physical CPU in a "node" process. Timestamps in µs.
 * 64-bit values that may exceed the JSON integer range (addresses, raw qualifiers) are
 * written as "0x…" strings.
 */
#ifndef PV_TRACER_EXPORT_H
#define PV_TRACER_EXPORT_H

#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "tracer/clock.h"
#include "tracer/event.h"

/* ---- JSON lines ----------------------------------------------------------------------- */
struct pv_export_json;

/* Times are pv_clock_tsc_to_ns(clk, tsc - tsc0) ("t_ns"; 0 for records before tsc0). */
int pv_export_json_begin(struct pv_export_json **out, FILE *f, const struct pv_clock *clk,
			 uint64_t tsc0);
int pv_export_json_rec(struct pv_export_json *x, const struct pv_rec *r);
/* Flush and free; 0 or -EIO if any write failed. */
int pv_export_json_end(struct pv_export_json *x);
/* One record as a new object (NULL on allocation failure): the line's content. */
json_t *pv_export_json_object(const struct pv_rec *r, const struct pv_clock *clk, uint64_t tsc0);

/* ---- Chrome trace-event JSON (Perfetto) --------------------------------------------- */
#define PV_PERFETTO_NODE_PID	1u	/* the "node" process holding CPU counters */
#define PV_PERFETTO_DEF_VM_PID	2u

struct pv_export_perfetto_info {
	const char *vm_name;		/* process name (NULL: "vm") */
	uint32_t nvcpus;		/* 1 .. PV_MAX_VCPUS */
	uint32_t pid;			/* process id for the VM (0: PV_PERFETTO_DEF_VM_PID) */
	const struct pv_clock *clk;
	uint64_t tsc0;			/* time zero */
};

/* Thread ids of a vCPU's tracks. */
static inline uint32_t pv_perfetto_tid_vcpu(uint32_t vcpu) { return 3 * vcpu + 1; }
static inline uint32_t pv_perfetto_tid_tasks(uint32_t vcpu) { return 3 * vcpu + 2; }
static inline uint32_t pv_perfetto_tid_gidle(uint32_t vcpu) { return 3 * vcpu + 3; }

struct pv_export_perfetto;

int pv_export_perfetto_begin(struct pv_export_perfetto **out, FILE *f,
			     const struct pv_export_perfetto_info *info);
int pv_export_perfetto_rec(struct pv_export_perfetto *p, const struct pv_rec *r);
/* Close slices still open at @end_tsc (0: the latest record), end the document, free. */
int pv_export_perfetto_end(struct pv_export_perfetto *p, uint64_t end_tsc);

#endif /* PV_TRACER_EXPORT_H */
