/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Run files: state_dir/run/<vm>.json records a running VMM (pid, kernel start time, control
 * socket) so that a restarted daemon can find and adopt it. The start time (field 22 of
 * /proc/<pid>/stat, in clock ticks since boot) makes a reused pid detectable.
 */
#ifndef PV_DAEMON_RUNFILE_H
#define PV_DAEMON_RUNFILE_H

#include <stdint.h>
#include <sys/types.h>

#include "daemon/dvm.h"

struct runfile {
	pid_t pid;
	uint64_t starttime;
	char sock[DVM_PATH_MAX];
};

/* Kernel start time of @pid, 0 when it does not exist or cannot be read. */
uint64_t runfile_starttime(pid_t pid);
int runfile_write(const struct dvm *vm);
/* 0, -ENOENT when there is none, -EINVAL when it is corrupt. */
int runfile_read(const char *state_dir, const char *name, struct runfile *rf);
void runfile_remove(const char *state_dir, const char *name);

#endif /* PV_DAEMON_RUNFILE_H */
