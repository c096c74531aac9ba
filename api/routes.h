/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * powervisord's route table: every operation of api/openapi.yaml, bound to its handler
 * (api/handlers.h, api/metrics.h, api/dashboard.h) with the scope it needs: public for the
 * probes and the dashboard's files, read for every other GET, admin for every mutation.
 * tests/unit/test_api_routes.c checks the table against the spec in both directions.
 */
#ifndef PV_API_ROUTES_H
#define PV_API_ROUTES_H

#include <stddef.h>

#include "api/route.h"

extern const struct api_route routes_table[];
extern const size_t routes_count;

#endif /* PV_API_ROUTES_H */
