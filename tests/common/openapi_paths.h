/* SPDX-License-Identifier: GPL-2.0-only */
/* The (method, path) pairs an OpenAPI document declares: for route-table ↔ spec checks. */
#ifndef PV_TESTS_OPENAPI_PATHS_H
#define PV_TESTS_OPENAPI_PATHS_H

#define OPENAPI_MAX_OPS	128

struct openapi_op {
	char method[8];		/* "GET", "PUT", "POST", "DELETE" */
	char path[256];		/* "/api/v1/vms/{name}" */
};

/*
 * Read the `paths:` section of @file (block-style YAML as written in api/openapi.yaml:
 * two-space indented path keys, four-space indented method keys). Returns the number of
 * operations stored in @ops, or -errno.
 */
int openapi_read_ops(const char *file, struct openapi_op *ops, int max);

#endif /* PV_TESTS_OPENAPI_PATHS_H */
