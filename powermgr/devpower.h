/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Device power: lower a host device's power state when no VM has used it for longer than
 * its idle threshold and no latency-sensitive VM depends on it; restore it on demand.
 * The daemon feeds per-VM utilisation (from pv_dev_counters) and calls pm_devpower_tick()
 * every policy tick and pm_devpower_demand() when I/O arrives for a device that is low.
 * Each change is applied (runtime PM power/control under a sysfs path, or modelled when
 * the device has none) and emitted as a PV_EV_DEVPOWER record through the callback.
 */
#ifndef PV_POWERMGR_DEVPOWER_H
#define PV_POWERMGR_DEVPOWER_H

#include <stdbool.h>
#include <stdint.h>

#include "tracer/event.h"

#define PM_DEV_MAX		32u
#define PM_DEV_MAX_VMS		32u
#define PM_DEV_PATH_MAX		256u

#define DEF_PM_DEV_IDLE_MS	500u
#define MIN_PM_DEV_IDLE_MS	1u
#define MAX_PM_DEV_IDLE_MS	3600000u

enum pm_dev_state {
	PM_DEV_ON = 0,		/* matches pv_dev_counters.power_state: 0 = on */
	PM_DEV_LOW = 1,		/* runtime PM "auto": the kernel may suspend it */
};

struct pm_dev_cfg {
	char name[16];
	uint32_t idle_ms;			/* idle threshold */
	char sysfs_path[PM_DEV_PATH_MAX];	/* device dir with power/control; "" = modelled */
};

typedef void (*pm_devpower_emit_fn)(void *ctx, const struct pv_rec *rec);

struct pm_dev {
	struct pm_dev_cfg cfg;
	enum pm_dev_state state;
	uint64_t last_use_ns;			/* last time any VM used it */
	uint64_t vm_busy_ns[PM_DEV_MAX_VMS];	/* cumulative per-VM busy time */
	uint64_t vm_ops[PM_DEV_MAX_VMS];
	uint32_t latency_deps;			/* bitmap of latency-sensitive dependent VMs */
	uint64_t transitions;
	int last_err;				/* of the last apply, 0 = fine */
};

struct pm_devpower {
	unsigned int ndevs;
	struct pm_dev dev[PM_DEV_MAX];
	pm_devpower_emit_fn emit;
	void *emit_ctx;
};

void pm_devpower_init(struct pm_devpower *dp, pm_devpower_emit_fn emit, void *ctx);
/* Add a device (starts ON, used "now"); returns its id or -errno. */
int pm_devpower_add(struct pm_devpower *dp, const struct pm_dev_cfg *cfg, uint64_t now_ns);
int pm_devpower_set_idle_ms(struct pm_devpower *dp, unsigned int id, uint32_t idle_ms);
/* A VM's use since the last call: busy time and operations (0, 0 = no use). */
int pm_devpower_account(struct pm_devpower *dp, unsigned int id, unsigned int vm,
			uint64_t busy_ns, uint64_t ops, uint64_t now_ns);
int pm_devpower_set_latency_dep(struct pm_devpower *dp, unsigned int id, unsigned int vm,
				bool dep);
/* Lower idle devices; returns how many changed state, or -errno of the first failure. */
int pm_devpower_tick(struct pm_devpower *dp, uint64_t now_ns);
/* I/O is coming for @id: restore it if lowered. */
int pm_devpower_demand(struct pm_devpower *dp, unsigned int id, uint64_t now_ns);

#endif /* PV_POWERMGR_DEVPOWER_H */
