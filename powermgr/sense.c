// SPDX-License-Identifier: GPL-2.0-only
/*
 * Choosing an energy source. Design note: measured sources come first (powercap is the
 * kernel's stable interface, perf the fallback when powercap is absent or locked down);
 * the model's estimate is last and labelled "model" so it is never taken for a
 * measurement.
 */
#include <errno.h>

#include "powermgr/sense.h"

static const struct pm_sense_ops *const sense_order[] = {
	&pm_sense_powercap_ops,
	&pm_sense_perf_ops,
	&pm_sense_model_ops,
};

int pm_sense_open(const struct pm_sense_ops *ops, const struct pm_sense_cfg *cfg,
		  struct pm_sense **out)
{
	static const struct pm_sense_cfg none;

	if (!ops || !out)
		return -EINVAL;
	return ops->open(cfg ? cfg : &none, out);
}

int pm_sense_open_first(const struct pm_sense_cfg *cfg, struct pm_sense **out)
{
	for (size_t i = 0; i < sizeof(sense_order) / sizeof(sense_order[0]); i++)
		if (!pm_sense_open(sense_order[i], cfg, out))
			return 0;
	return -ENODEV;
}

void pm_sense_close(struct pm_sense *s)
{
	if (s)
		s->ops->close(s);
}

int pm_sense_read_uj(struct pm_sense *s, uint64_t *uj)
{
	return s && uj ? s->ops->read_uj(s, uj) : -EINVAL;
}

const char *pm_sense_source(const struct pm_sense *s)
{
	return s ? s->ops->source : "none";
}

uint64_t pm_sense_delta(uint64_t last, uint64_t now, uint64_t max, uint64_t *wraps)
{
	if (now >= last)
		return now - last;
	/* wrapped: the counter ran from last up to max, then from 0 to now */
	if (wraps)
		(*wraps)++;
	return max >= last ? max - last + now : now;
}
