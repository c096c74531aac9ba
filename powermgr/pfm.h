/* SPDX-License-Identifier: GPL-2.0-only */
/* libpfm4 helpers shared by sense_perf.c and pmu.c (pfm.c). */
#ifndef PV_POWERMGR_PFM_H
#define PV_POWERMGR_PFM_H

#include <sys/types.h>
#include <perfmon/pfmlib_perf_event.h>

/* pfm_initialize() once; 0 or -errno. */
int pm_pfm_init(void);
/* Encode @event (libpfm4 syntax) into @attr; -ENOENT when libpfm does not know it here. */
int pm_pfm_encode(const char *event, struct perf_event_attr *attr);
/* perf_event_open(2); fd or -errno. */
int pm_pfm_open(struct perf_event_attr *attr, pid_t pid, int cpu);

#endif /* PV_POWERMGR_PFM_H */
