// SPDX-License-Identifier: GPL-2.0-only
/*
 * libpfm4 + perf_event_open plumbing. Design note: libpfm4 turns event names into
 * perf_event_attr encodings for whatever PMUs this host has (and reports the ones it does
 * not have), so callers ask by name and learn availability from the encode and open
 * results instead of guessing from CPU models.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <perfmon/pfmlib_perf_event.h>

#include "powermgr/pfm.h"

static pthread_once_t pfm_once = PTHREAD_ONCE_INIT;
static int pfm_init_err;

static void pfm_do_init(void)
{
	pfm_init_err = pfm_initialize() == PFM_SUCCESS ? 0 : -ENODEV;
}

int pm_pfm_init(void)
{
	pthread_once(&pfm_once, pfm_do_init);
	return pfm_init_err;
}

int pm_pfm_encode(const char *event, struct perf_event_attr *attr)
{
	pfm_perf_encode_arg_t arg;
	int ret = pm_pfm_init();

	if (ret)
		return ret;
	memset(attr, 0, sizeof(*attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = attr;
	arg.size = sizeof(arg);
	ret = pfm_get_os_event_encoding(event, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT, &arg);
	if (ret != PFM_SUCCESS)
		return ret == PFM_ERR_NOTFOUND ? -ENOENT : -EOPNOTSUPP;
	attr->size = sizeof(*attr);
	return 0;
}

int pm_pfm_open(struct perf_event_attr *attr, pid_t pid, int cpu)
{
	long fd = syscall(SYS_perf_event_open, attr, pid, cpu, -1, 0UL);

	return fd < 0 ? -errno : (int)fd;
}
