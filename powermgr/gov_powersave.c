// SPDX-License-Identifier: GPL-2.0-only
/*
 * powersave: the lowest P-state, like cpufreq's powersave governor.
 *
 * Design note: no tunables and no history; C-states unrestricted (constraints still clamp
 * both the floor and the C-state limit, so an RT VM's floor is honoured even here).
 */
#include "powermgr/governor.h"

static int powersave_decide(struct pm_gov *gov, const struct pm_sample *s,
			    struct pm_decision *d)
{
	for (unsigned int i = 0; i < s->ncpus; i++) {
		d->cpu[i].target_khz = pm_platform_min_khz(gov->plat);
		d->cpu[i].cstate_limit = pm_platform_deepest(gov->plat);
	}
	return 0;
}

const struct pm_governor_ops pm_gov_powersave_ops = {
	.name = "powersave",
	.decide = powersave_decide,
};
