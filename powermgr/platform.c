// SPDX-License-Identifier: GPL-2.0-only
/* The platform description governors work from, read once from a backend or the model. */
#include <errno.h>
#include <string.h>

#include "powermgr/model.h"
#include "powermgr/platform.h"

int pm_platform_from_backend(struct pm_platform *p, struct pm_backend *b)
{
	int err;

	memset(p, 0, sizeof(*p));
	p->ncpus = pm_backend_nr_cpus(b);
	if (!p->ncpus)
		return -ENODEV;
	err = pm_backend_pstates(b, 0, p->pstates_khz, PM_MAX_PSTATES, &p->nr_pstates,
				 &p->nr_turbo);
	if (err)
		return err;
	if (!p->nr_pstates || p->nr_turbo >= p->nr_pstates)
		return -ENODATA;
	err = pm_backend_cstates(b, 0, p->cstates, PM_MAX_CSTATES, &p->nr_cstates);
	if (err == -ENOENT || err == -EOPNOTSUPP || (!err && !p->nr_cstates)) {
		/* no cpuidle: one pseudo-state "POLL" so limits stay well defined */
		strcpy(p->cstates[0].name, "POLL");
		p->nr_cstates = 1;
		err = 0;
	}
	return err;
}

void pm_platform_from_model(struct pm_platform *p, const struct pm_model *m)
{
	memset(p, 0, sizeof(*p));
	p->ncpus = m->ncpus;
	memcpy(p->pstates_khz, m->pstates_khz, m->nr_pstates * sizeof(uint32_t));
	p->nr_pstates = m->nr_pstates;
	p->nr_turbo = m->nr_turbo;
	p->nr_cstates = pm_model_cstates(m, p->cstates, PM_MAX_CSTATES);
}

uint32_t pm_platform_ceil_khz(const struct pm_platform *p, uint32_t khz)
{
	for (unsigned int i = 0; i < p->nr_pstates; i++)
		if (p->pstates_khz[i] >= khz)
			return p->pstates_khz[i];
	return pm_platform_max_khz(p);
}

uint32_t pm_platform_closest_khz(const struct pm_platform *p, uint32_t khz)
{
	uint32_t best = p->pstates_khz[0];
	uint64_t bd = UINT64_MAX;

	for (unsigned int i = 0; i < p->nr_pstates; i++) {
		uint32_t f = p->pstates_khz[i];
		uint64_t d = f > khz ? f - khz : khz - f;

		if (d <= bd) {
			bd = d;
			best = f;
		}
	}
	return best;
}
