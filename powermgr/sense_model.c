// SPDX-License-Identifier: GPL-2.0-only
/* The model backend's integrated energy as a sensing source, labelled "model". */
#include <errno.h>
#include <stdlib.h>

#include "powermgr/backend_model.h"
#include "powermgr/sense.h"

struct model_sense {
	struct pm_sense s;		/* first */
	struct pm_backend *b;
	double base_uj;
};

static int msense_open(const struct pm_sense_cfg *cfg, struct pm_sense **out)
{
	struct model_sense *ms;

	if (!pm_backend_is_model(cfg->model))
		return -ENODEV;
	ms = calloc(1, sizeof(*ms));
	if (!ms)
		return -ENOMEM;
	ms->s.ops = &pm_sense_model_ops;
	ms->b = cfg->model;
	ms->base_uj = pm_model_backend_energy_uj(ms->b);
	*out = &ms->s;
	return 0;
}

static void msense_close(struct pm_sense *s)
{
	free(s);
}

static int msense_read(struct pm_sense *s, uint64_t *uj)
{
	struct model_sense *ms = (struct model_sense *)s;
	double e = pm_model_backend_energy_uj(ms->b) - ms->base_uj;

	*uj = e > 0 ? (uint64_t)e : 0;
	return 0;
}

const struct pm_sense_ops pm_sense_model_ops = {
	.name = "model",
	.source = PM_MODEL_SOURCE,
	.open = msense_open,
	.close = msense_close,
	.read_uj = msense_read,
};
