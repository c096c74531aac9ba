/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-vCPU PMU counters: perf events on one host thread (a vCPU thread), encoded with
 * libpfm4. Hardware events (instructions, cycles) where the host supports them, software
 * events (task-clock, context switches, migrations) always; pm_pmu_open reports which
 * were available and why the others were not.
 */
#ifndef PV_POWERMGR_PMU_H
#define PV_POWERMGR_PMU_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum pm_pmu_event {
	PM_PMU_INSTRUCTIONS = 0,
	PM_PMU_CYCLES,
	PM_PMU_TASK_CLOCK,		/* ns */
	PM_PMU_CONTEXT_SWITCHES,
	PM_PMU_CPU_MIGRATIONS,
	PM_PMU_NR_EVENTS
};

struct pm_pmu {
	pid_t tid;
	int fd[PM_PMU_NR_EVENTS];	/* -1 when unavailable */
	int err[PM_PMU_NR_EVENTS];	/* why unavailable (-errno), 0 when open */
	unsigned int nr_open;
};

/* Open every event it can on thread @tid; -ENODEV when none could be opened. */
int pm_pmu_open(struct pm_pmu *p, pid_t tid);
void pm_pmu_close(struct pm_pmu *p);
static inline bool pm_pmu_available(const struct pm_pmu *p, enum pm_pmu_event e)
{
	return p->fd[e] >= 0;
}
/* Current values (unavailable events read 0). */
int pm_pmu_read(struct pm_pmu *p, uint64_t val[PM_PMU_NR_EVENTS]);
const char *pm_pmu_event_name(enum pm_pmu_event e);

#endif /* PV_POWERMGR_PMU_H */
