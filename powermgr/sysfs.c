// SPDX-License-Identifier: GPL-2.0-only
/*
 * Small sysfs attributes, read whole: see sysfs.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "powermgr/sysfs.h"

static int sysfs_vread(char *buf, size_t len, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static int sysfs_vread(char *buf, size_t len, const char *fmt, va_list ap)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, plen;

	plen = vsnprintf(path, sizeof(path), fmt, ap);
	if (plen < 0 || (size_t)plen >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -ENODATA;
	buf[n] = '\0';
	return (int)n;
}

int pm_sysfs_read(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = sysfs_vread(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

int pm_sysfs_read_u64(uint64_t *v, const char *fmt, ...)
{
	char buf[64], *end;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = sysfs_vread(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return n;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}
