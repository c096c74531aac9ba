/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading small sysfs attributes: one value per file, read whole in one read(), and
 * decimal numbers parsed from it. Paths are printf formats ("%s/energy_uj", dir). Used by
 * the cpupower backend (cpuidle files libcpupower does not export) and the powercap and
 * perf power sensors.
 */
#ifndef PV_POWERMGR_SYSFS_H
#define PV_POWERMGR_SYSFS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Read the attribute into @buf (@len > 1 bytes, NUL-terminated; a longer value is cut).
 * Bytes read, or -errno (-ENAMETOOLONG for a path over PATH_MAX), or -ENODATA when empty.
 */
int pm_sysfs_read(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A decimal unsigned number: 0, -errno as pm_sysfs_read(), or -EINVAL (not a number). */
int pm_sysfs_read_u64(uint64_t *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* PV_POWERMGR_SYSFS_H */
