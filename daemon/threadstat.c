// SPDX-License-Identifier: GPL-2.0-only
/* Per-thread scheduler statistics from /proc (see threadstat.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/threadstat.h"

void threadstat_init(struct threadstat *t)
{
	memset(t, 0, sizeof(*t));
	t->schedstat_fd = t->stat_fd = -1;
}

int threadstat_open(struct threadstat *t, pid_t pid, pid_t tid)
{
	char path[64];

	threadstat_close(t);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)pid, (int)tid);
	t->schedstat_fd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	t->stat_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (t->schedstat_fd < 0 || t->stat_fd < 0) {
		int err = -errno;

		threadstat_close(t);
		return err;
	}
	return 0;
}

void threadstat_close(struct threadstat *t)
{
	if (t->schedstat_fd >= 0)
		close(t->schedstat_fd);
	if (t->stat_fd >= 0)
		close(t->stat_fd);
	threadstat_init(t);
}

int threadstat_parse_schedstat(const char *s, uint64_t *run_ns, uint64_t *wait_ns)
{
	return sscanf(s, "%" SCNu64 " %" SCNu64, run_ns, wait_ns) == 2 ? 0 : -EINVAL;
}

int threadstat_parse_cpu(const char *line, int *cpu)
{
	const char *p = strrchr(line, ')');	/* comm may hold spaces and parentheses */
	int field;

	if (!p)
		return -EINVAL;
	/* ") " then field 3; "processor" is field 39 */
	for (field = 2; field < 39 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%d", cpu) != 1 || *cpu < 0)
		return -EINVAL;
	return 0;
}

static int read_fd(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	if (n <= 0)
		return n < 0 ? -errno : -ENODATA;
	buf[n] = '\0';
	return 0;
}

int threadstat_sample(struct threadstat *t, struct threadstat_delta *d)
{
	char buf[1024];
	uint64_t run, wait;
	int err;

	memset(d, 0, sizeof(*d));
	d->cpu = -1;
	if (t->schedstat_fd < 0)
		return -EBADF;
	err = read_fd(t->schedstat_fd, buf, sizeof(buf));
	if (!err)
		err = threadstat_parse_schedstat(buf, &run, &wait);
	if (err)
		return err;
	if (!read_fd(t->stat_fd, buf, sizeof(buf)))
		threadstat_parse_cpu(buf, &d->cpu);
	if (t->primed && run >= t->run_ns && wait >= t->wait_ns) {
		d->run_ns = run - t->run_ns;
		d->wait_ns = wait - t->wait_ns;
	}
	t->run_ns = run;
	t->wait_ns = wait;
	t->primed = true;
	return 0;
}
