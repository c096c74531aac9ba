/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The model backend's extra interface: the daemon feeds it each tick's per-CPU sample
 * (the same struct governors see) and it integrates the model's energy, so hosts without
 * power interfaces still get a live estimate. Every figure is source "model".
 */
#ifndef PV_POWERMGR_BACKEND_MODEL_H
#define PV_POWERMGR_BACKEND_MODEL_H

#include <stdbool.h>

#include "powermgr/backend.h"
#include "powermgr/model.h"
#include "powermgr/sample.h"

bool pm_backend_is_model(const struct pm_backend *b);
const struct pm_model *pm_model_backend_model(const struct pm_backend *b);
/* Integrate one window of @cpu at its current (granted) frequency and C-state limit. */
int pm_model_backend_feed(struct pm_backend *b, unsigned int cpu, const struct pm_cpu_sample *s);
/* Energy integrated so far, whole slice (µJ); per CPU including its uncore share. */
double pm_model_backend_energy_uj(const struct pm_backend *b);
double pm_model_backend_cpu_energy_uj(const struct pm_backend *b, unsigned int cpu);

#endif /* PV_POWERMGR_BACKEND_MODEL_H */
