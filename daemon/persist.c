// SPDX-License-Identifier: GPL-2.0-only
/* Atomic state files: temp file + fsync + rename + directory fsync. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>

#include "daemon/persist.h"

#define TMP_SUFFIX	".tmp."

int persist_mkdir(const char *dir)
{
	char path[PATH_MAX];
	char *p;

	if (!dir || !*dir || strlen(dir) >= sizeof(path))
		return -EINVAL;
	strcpy(path, dir);
	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		err = -errno;
	close(fd);
	return err;
}

int persist_write(const char *dir, const char *name, const void *data, size_t len)
{
	char tmp[PATH_MAX], dst[PATH_MAX];
	int fd, err;

	if (!name || !*name || strchr(name, '/'))
		return -EINVAL;
	if (snprintf(dst, sizeof(dst), "%s/%s", dir, name) >= (int)sizeof(dst) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s" TMP_SUFFIX "%d", dir, name, (int)getpid()) >=
		    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	err = write_all(fd, data, len);
	if (!err && fsync(fd) < 0)
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && rename(tmp, dst) < 0)
		err = -errno;
	if (err) {
		unlink(tmp);
		return err;
	}
	return fsync_dir(dir);
}

int persist_write_json(const char *dir, const char *name, json_t *json)
{
	char *text = json_dumps(json, JSON_COMPACT | JSON_SORT_KEYS);
	size_t len;
	int err;

	if (!text)
		return -ENOMEM;
	len = strlen(text);
	err = persist_write(dir, name, text, len);
	free(text);
	return err;
}

json_t *persist_read_json(const char *dir, const char *name)
{
	char path[PATH_MAX];
	json_error_t jerr;
	json_t *j;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (access(path, R_OK) < 0)
		return NULL;
	j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		errno = EINVAL;
	return j;
}

int persist_clean(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int removed = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] != '.' || !strstr(de->d_name, TMP_SUFFIX))
			continue;
		if (!unlinkat(dirfd(d), de->d_name, 0))
			removed++;
	}
	closedir(d);
	return removed;
}
