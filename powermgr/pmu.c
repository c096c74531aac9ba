// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-vCPU PMU counters through libpfm4 and perf_event_open.
 *
 * Design note: each event is encoded by name through libpfm4's generic perf PMU
 * ("perf::INSTRUCTIONS" ...) and opened on the vCPU thread only (pid = tid, any CPU), so
 * counts follow the thread across migrations. Events are opened independently, not as a
 * group: one unsupported hardware event must not take the software ones down with it (on
 * the build machines the hardware events are <not supported>).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "powermgr/pfm.h"
#include "powermgr/pmu.h"

static const char *const pmu_pfm_names[PM_PMU_NR_EVENTS] = {
	[PM_PMU_INSTRUCTIONS] = "perf::INSTRUCTIONS",
	[PM_PMU_CYCLES] = "perf::CYCLES",
	[PM_PMU_TASK_CLOCK] = "perf::TASK-CLOCK",
	[PM_PMU_CONTEXT_SWITCHES] = "perf::CONTEXT-SWITCHES",
	[PM_PMU_CPU_MIGRATIONS] = "perf::CPU-MIGRATIONS",
};

static const char *const pmu_names[PM_PMU_NR_EVENTS] = {
	[PM_PMU_INSTRUCTIONS] = "instructions",
	[PM_PMU_CYCLES] = "cycles",
	[PM_PMU_TASK_CLOCK] = "task-clock",
	[PM_PMU_CONTEXT_SWITCHES] = "context-switches",
	[PM_PMU_CPU_MIGRATIONS] = "cpu-migrations",
};

const char *pm_pmu_event_name(enum pm_pmu_event e)
{
	return (unsigned int)e < PM_PMU_NR_EVENTS ? pmu_names[e] : "?";
}

int pm_pmu_open(struct pm_pmu *p, pid_t tid)
{
	memset(p, 0, sizeof(*p));
	p->tid = tid;
	for (unsigned int i = 0; i < PM_PMU_NR_EVENTS; i++) {
		struct perf_event_attr attr;
		int fd;

		p->fd[i] = -1;
		p->err[i] = pm_pfm_encode(pmu_pfm_names[i], &attr);
		if (p->err[i])
			continue;
		attr.disabled = 0;
		attr.inherit = 0;
		fd = pm_pfm_open(&attr, tid, -1);
		if (fd < 0) {
			p->err[i] = fd;
			continue;
		}
		p->fd[i] = fd;
		p->nr_open++;
	}
	return p->nr_open ? 0 : -ENODEV;
}

void pm_pmu_close(struct pm_pmu *p)
{
	for (unsigned int i = 0; i < PM_PMU_NR_EVENTS; i++) {
		if (p->fd[i] >= 0)
			close(p->fd[i]);
		p->fd[i] = -1;
	}
	p->nr_open = 0;
}

int pm_pmu_read(struct pm_pmu *p, uint64_t val[PM_PMU_NR_EVENTS])
{
	for (unsigned int i = 0; i < PM_PMU_NR_EVENTS; i++) {
		val[i] = 0;
		if (p->fd[i] < 0)
			continue;
		if (read(p->fd[i], &val[i], sizeof(val[i])) != sizeof(val[i]))
			return -errno ? -errno : -EIO;
	}
	return 0;
}
