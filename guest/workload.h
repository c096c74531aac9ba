/* SPDX-License-Identifier: GPL-2.0-only */
/* pvguest: workload tasks built from the spec (ring 3). */
#ifndef PVGUEST_WORKLOAD_H
#define PVGUEST_WORKLOAD_H

#include <stddef.h>
#include "spec.h"

/* Create one task per spec item and attach it to its vCPU: 0, or -errno with err set. */
int workload_create(const struct spec *spec, char *err, size_t errlen);

#endif /* PVGUEST_WORKLOAD_H */
