// SPDX-License-Identifier: GPL-2.0-only
/*
 * RAPL through the powercap sysfs class.
 *
 * Design note: package zones are the top-level "intel-rapl:N" directories (sub-zones
 * "intel-rapl:N:M" — core, uncore, dram — are parts of them and are not added again).
 * energy_uj wraps after max_energy_range_uj; every read unfolds the wrap of each zone
 * (pm_sense_delta) so the sum is monotonic. Reads must come more often than the shortest
 * wrap (~60 s at TDP on large parts); the daemon reads every tick. The root is
 * configurable so tests can use a fake tree.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "powermgr/sense.h"
#include "powermgr/sysfs.h"

struct powercap_zone {
	char path[256];
	uint64_t max_uj;
	uint64_t last_uj;
};

struct powercap_sense {
	struct pm_sense s;		/* first */
	unsigned int nzones;
	struct powercap_zone zone[PM_SENSE_MAX_ZONES];
	uint64_t total_uj;
};

static bool powercap_is_package(const char *name)
{
	const char *p = name + strlen("intel-rapl:");

	if (strncmp(name, "intel-rapl:", strlen("intel-rapl:")) || !*p)
		return false;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

static int powercap_open(const struct pm_sense_cfg *cfg, struct pm_sense **out)
{
	const char *root = cfg->powercap_root ? cfg->powercap_root : PM_SENSE_DEF_POWERCAP;
	struct powercap_sense *ps;
	struct dirent *de;
	DIR *d = opendir(root);
	int err = 0;

	if (!d)
		return -errno;
	ps = calloc(1, sizeof(*ps));
	if (!ps) {
		closedir(d);
		return -ENOMEM;
	}
	ps->s.ops = &pm_sense_powercap_ops;
	while ((de = readdir(d)) && ps->nzones < PM_SENSE_MAX_ZONES) {
		struct powercap_zone *z = &ps->zone[ps->nzones];

		if (!powercap_is_package(de->d_name))
			continue;
		if ((size_t)snprintf(z->path, sizeof(z->path), "%s/%s", root, de->d_name) >=
		    sizeof(z->path)) {
			err = -ENAMETOOLONG;
			break;
		}
		err = pm_sysfs_read_u64(&z->max_uj, "%s/max_energy_range_uj", z->path);
		if (!err)
			err = pm_sysfs_read_u64(&z->last_uj, "%s/energy_uj", z->path);
		if (err)
			break;		/* unreadable (EACCES since the Platypus fix): report */
		ps->nzones++;
	}
	closedir(d);
	if (!err && !ps->nzones)
		err = -ENODEV;
	if (err) {
		free(ps);
		return err;
	}
	*out = &ps->s;
	return 0;
}

static void powercap_close(struct pm_sense *s)
{
	free(s);
}

static int powercap_read(struct pm_sense *s, uint64_t *uj)
{
	struct powercap_sense *ps = (struct powercap_sense *)s;

	for (unsigned int i = 0; i < ps->nzones; i++) {
		struct powercap_zone *z = &ps->zone[i];
		uint64_t now;
		int err = pm_sysfs_read_u64(&now, "%s/energy_uj", z->path);

		if (err)
			return err;
		ps->total_uj += pm_sense_delta(z->last_uj, now, z->max_uj, &s->wraps);
		z->last_uj = now;
	}
	*uj = ps->total_uj;
	return 0;
}

const struct pm_sense_ops pm_sense_powercap_ops = {
	.name = "powercap",
	.source = "rapl",
	.open = powercap_open,
	.close = powercap_close,
	.read_uj = powercap_read,
};
