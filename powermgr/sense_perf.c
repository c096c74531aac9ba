// SPDX-License-Identifier: GPL-2.0-only
/*
 * RAPL package energy through perf (the "power" PMU), encoded with libpfm4.
 *
 * Design note: used when powercap is absent or unreadable. libpfm4 names the event
 * "rapl::RAPL_ENERGY_PKG" (perf's "power/energy-pkg/"); it is system-wide, so it is opened
 * per package on CPU 0 (one package assumed, reported otherwise by the caller). The count
 * is in units of the PMU's scale (sysfs events/energy-pkg.scale, 2^-32 J on Intel). On
 * hosts without a RAPL PMU — like the build machines, where hardware PMUs are not
 * supported — open fails with -EOPNOTSUPP / -ENOENT and the next source is tried.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "powermgr/pfm.h"
#include "powermgr/sense.h"
#include "powermgr/sysfs.h"

#define PERF_RAPL_EVENT		"rapl::RAPL_ENERGY_PKG"
#define PERF_RAPL_SCALE_FILE	"/sys/bus/event_source/devices/power/events/energy-pkg.scale"
#define PERF_RAPL_DEF_SCALE_J	2.3283064365386962890625e-10	/* 2^-32 J */

struct perf_sense {
	struct pm_sense s;		/* first */
	int fd;
	double scale_uj;		/* µJ per count */
	uint64_t first;
};

static double perf_scale_uj(void)
{
	char buf[64];
	double j = PERF_RAPL_DEF_SCALE_J;

	if (pm_sysfs_read(buf, sizeof(buf), PERF_RAPL_SCALE_FILE) > 0 &&
	    (sscanf(buf, "%lf", &j) != 1 || j <= 0))
		j = PERF_RAPL_DEF_SCALE_J;
	return j * 1e6;
}

static int perf_read_raw(int fd, uint64_t *v)
{
	ssize_t n = read(fd, v, sizeof(*v));

	return n == sizeof(*v) ? 0 : n < 0 ? -errno : -EIO;
}

static int perf_open(const struct pm_sense_cfg *cfg, struct pm_sense **out)
{
	struct perf_event_attr attr;
	struct perf_sense *ps;
	int err, fd;

	(void)cfg;
	err = pm_pfm_encode(PERF_RAPL_EVENT, &attr);
	if (err)
		return err == -ENOENT ? -EOPNOTSUPP : err;
	fd = pm_pfm_open(&attr, -1, 0);
	if (fd < 0)
		return fd;
	ps = calloc(1, sizeof(*ps));
	if (!ps) {
		close(fd);
		return -ENOMEM;
	}
	ps->s.ops = &pm_sense_perf_ops;
	ps->fd = fd;
	ps->scale_uj = perf_scale_uj();
	err = perf_read_raw(fd, &ps->first);
	if (err) {
		close(fd);
		free(ps);
		return err;
	}
	*out = &ps->s;
	return 0;
}

static void perf_close(struct pm_sense *s)
{
	struct perf_sense *ps = (struct perf_sense *)s;

	close(ps->fd);
	free(ps);
}

static int perf_read(struct pm_sense *s, uint64_t *uj)
{
	struct perf_sense *ps = (struct perf_sense *)s;
	uint64_t v;
	int err = perf_read_raw(ps->fd, &v);

	if (err)
		return err;
	*uj = (uint64_t)((v - ps->first) * ps->scale_uj);	/* 64-bit count: no wrap */
	return 0;
}

const struct pm_sense_ops pm_sense_perf_ops = {
	.name = "perf",
	.source = "perf",
	.open = perf_open,
	.close = perf_close,
	.read_uj = perf_read,
};
