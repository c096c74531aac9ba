/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Governors: the policy half of powermgr. One `const struct pm_governor_ops` each; the
 * daemon owns one struct pm_gov_mgr and calls pm_gov_decide() every tick, then clamps
 * (clamp.c) and applies through a backend.
 *
 * Tunables are int64 values described by a table of {name, def, min, max, unit}; the
 * generic code validates every set against the table (-ERANGE / -ENOENT), governors only
 * read gov->tun[i]. A governor switch is transactional: the new governor is created and
 * configured first, then the old one is stopped and the new one started; if the start
 * fails, the new one is destroyed and the old one restarted, so the node is never left
 * without a running governor by a failed switch.
 */
#ifndef PV_POWERMGR_GOVERNOR_H
#define PV_POWERMGR_GOVERNOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "powermgr/clamp.h"
#include "powermgr/platform.h"
#include "powermgr/sample.h"

#define PM_GOV_MAX_TUNABLES	12u

struct pm_tunable_desc {
	const char *name;
	int64_t def, min, max;
	const char *unit;	/* "pct", "khz", "ticks", "bool" ... */
};

struct pm_tunable_kv {
	const char *name;
	int64_t value;
};

struct pm_gov;

struct pm_governor_ops {
	const char *name;
	const struct pm_tunable_desc *tunables;
	unsigned int nr_tunables;
	/* Allocate per-governor state (gov->priv); tunables already hold their defaults. */
	int (*init)(struct pm_gov *gov);
	void (*exit)(struct pm_gov *gov);
	/* Begin deciding (reset history). May fail: the switch then rolls back. */
	int (*start)(struct pm_gov *gov);
	void (*stop)(struct pm_gov *gov);
	/* One tick: fill d->cpu[i] for every CPU of @s. Output is clamped afterwards. */
	int (*decide)(struct pm_gov *gov, const struct pm_sample *s, struct pm_decision *d);
	/* Optional: a tunable changed while running (already validated). */
	void (*tunable_changed)(struct pm_gov *gov, unsigned int idx);
};

struct pm_gov {
	const struct pm_governor_ops *ops;
	const struct pm_platform *plat;
	int64_t tun[PM_GOV_MAX_TUNABLES];
	void *priv;
	bool running;
};

extern const struct pm_governor_ops pm_gov_performance_ops;
extern const struct pm_governor_ops pm_gov_powersave_ops;
extern const struct pm_governor_ops pm_gov_ondemand_ops;
extern const struct pm_governor_ops pm_gov_transition_ops;

/* Registry of the built-in governors. */
const struct pm_governor_ops *pm_governor_find(const char *name);
const char *const *pm_governor_names(void);

/* One governor instance (not started). Tunables from @kv override the defaults. */
int pm_gov_create(const struct pm_governor_ops *ops, const struct pm_platform *plat,
		  const struct pm_tunable_kv *kv, unsigned int nkv, struct pm_gov **out);
void pm_gov_destroy(struct pm_gov *gov);
/* Governor state of @elem bytes per CPU as gov->priv (zeroed); 0 or -ENOMEM. */
int pm_gov_priv_percpu(struct pm_gov *gov, size_t elem);
/* The exit op of governors that use pm_gov_priv_percpu. */
void pm_gov_priv_free(struct pm_gov *gov);
int pm_gov_decide(struct pm_gov *gov, const struct pm_sample *s, struct pm_decision *d);

/* Tunables: validated against the table. */
int pm_gov_tunable_index(const struct pm_gov *gov, const char *name);
int pm_gov_tunable_get(const struct pm_gov *gov, const char *name, int64_t *value);
int pm_gov_tunable_set(struct pm_gov *gov, const char *name, int64_t value);
/* The i-th tunable: descriptor and current value; -ENOENT past the end. */
int pm_gov_tunable_at(const struct pm_gov *gov, unsigned int i,
		      const struct pm_tunable_desc **desc, int64_t *value);

/* The node's active governor and its transactional switch. */
struct pm_gov_mgr {
	const struct pm_platform *plat;
	struct pm_gov *cur;		/* running; NULL only before the first switch */
	unsigned int switches;		/* successful */
	unsigned int rollbacks;		/* failed switches rolled back */
};

void pm_gov_mgr_init(struct pm_gov_mgr *m, const struct pm_platform *plat);
/*
 * Switch to @ops with tunables @kv. On any failure the previous governor is running again
 * (restarted if it had been stopped) and the error is returned.
 */
int pm_gov_mgr_switch(struct pm_gov_mgr *m, const struct pm_governor_ops *ops,
		      const struct pm_tunable_kv *kv, unsigned int nkv);
int pm_gov_mgr_switch_name(struct pm_gov_mgr *m, const char *name,
			   const struct pm_tunable_kv *kv, unsigned int nkv);
void pm_gov_mgr_shutdown(struct pm_gov_mgr *m);
static inline const char *pm_gov_mgr_name(const struct pm_gov_mgr *m)
{
	return m->cur ? m->cur->ops->name : "none";
}

#endif /* PV_POWERMGR_GOVERNOR_H */
