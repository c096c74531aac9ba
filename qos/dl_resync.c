// SPDX-License-Identifier: GPL-2.0-only
/* Forcing a root-domain rebuild to resynchronise deadline bandwidth (see dl_resync.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mntent.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qos/dl_resync.h"

static _Atomic uint64_t resyncs;

/* Where the cgroup v1 cpuset hierarchy is mounted: 0 with @dir filled, or -ENOENT. */
static int cpuset_v1_root(char *dir, size_t len)
{
	FILE *f = setmntent("/proc/self/mounts", "r");
	struct mntent *m;
	int err = -ENOENT;

	if (!f)
		return -errno;
	while ((m = getmntent(f))) {
		if (strcmp(m->mnt_type, "cgroup") || !hasmntopt(m, "cpuset"))
			continue;
		if (strlen(m->mnt_dir) < len) {
			snprintf(dir, len, "%s", m->mnt_dir);
			err = 0;
		}
		break;
	}
	endmntent(f);
	return err;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

int dl_bw_resync(void)
{
	char dir[PATH_MAX - 64], path[PATH_MAX];
	int err = cpuset_v1_root(dir, sizeof(dir));

	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/cpuset.sched_load_balance", dir);
	err = write_str(path, "0");
	if (err)
		return err;
	err = write_str(path, "1");	/* the rebuild that recounts deadline bandwidth */
	if (!err)
		atomic_fetch_add(&resyncs, 1);
	return err;
}

uint64_t dl_bw_resyncs(void)
{
	return atomic_load(&resyncs);
}
