/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Node energy sensing: one `const struct pm_sense_ops` per source, tried in order
 * powercap (RAPL through /sys/class/powercap), perf (RAPL PMU through libpfm4 +
 * perf_event_open), model (the model backend's integrated energy). Readings are
 * cumulative µJ since open, with counter wrap-around removed; every reading says where it
 * came from (pm_sense_source: "rapl" | "perf" | "model").
 */
#ifndef PV_POWERMGR_SENSE_H
#define PV_POWERMGR_SENSE_H

#include <stdint.h>

#include "powermgr/backend.h"

#define PM_SENSE_MAX_ZONES	8u
#define PM_SENSE_DEF_POWERCAP	"/sys/class/powercap"

struct pm_sense_cfg {
	const char *powercap_root;	/* NULL = PM_SENSE_DEF_POWERCAP */
	struct pm_backend *model;	/* for the model source; NULL = not available */
};

struct pm_sense;

struct pm_sense_ops {
	const char *name;
	const char *source;		/* label on every figure */
	int (*open)(const struct pm_sense_cfg *cfg, struct pm_sense **out);
	void (*close)(struct pm_sense *s);
	/* Cumulative energy since open, µJ, wrap-arounds unfolded. */
	int (*read_uj)(struct pm_sense *s, uint64_t *uj);
};

struct pm_sense {
	const struct pm_sense_ops *ops;	/* first in every source's state */
	uint64_t wraps;			/* counter wrap-arounds unfolded so far */
};

extern const struct pm_sense_ops pm_sense_powercap_ops;
extern const struct pm_sense_ops pm_sense_perf_ops;
extern const struct pm_sense_ops pm_sense_model_ops;

/* Open the first available source; -ENODEV when none is. */
int pm_sense_open_first(const struct pm_sense_cfg *cfg, struct pm_sense **out);
int pm_sense_open(const struct pm_sense_ops *ops, const struct pm_sense_cfg *cfg,
		  struct pm_sense **out);
void pm_sense_close(struct pm_sense *s);
int pm_sense_read_uj(struct pm_sense *s, uint64_t *uj);
const char *pm_sense_source(const struct pm_sense *s);

/* Unfold one counter step: delta from @last to @now on a counter that wraps after @max. */
uint64_t pm_sense_delta(uint64_t last, uint64_t now, uint64_t max, uint64_t *wraps);

#endif /* PV_POWERMGR_SENSE_H */
