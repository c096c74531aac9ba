/* SPDX-License-Identifier: GPL-2.0-only */
/* End-of-run summary printed by pv-vmm (stderr, one "pv-vmm: " line per fact). */
#ifndef PV_VMM_SUMMARY_H
#define PV_VMM_SUMMARY_H

#include <stdint.h>
#include <stdio.h>

struct vm;

/* @run_ns: wall time from vm_start to the end; @trace_recs: records saved or -errno, -1 = none. */
void summary_print(FILE *f, struct vm *vm, uint64_t run_ns, int64_t trace_recs);
/* Process exit status for the way the VM ended: 0 clean, 1 guest fault / VMM error. */
int summary_exit_status(const struct vm *vm);

#endif /* PV_VMM_SUMMARY_H */
