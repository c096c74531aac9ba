// SPDX-License-Identifier: GPL-2.0-only
/* Run files of running VMMs, for re-attachment after a daemon restart (see runfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "daemon/daemon.h"
#include "daemon/persist.h"
#include "daemon/runfile.h"

uint64_t runfile_starttime(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long st = 0;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* the command name may contain spaces and parentheses */
	if (!p)
		return 0;
	/* after ") " comes field 3 (state); starttime is field 22 */
	for (field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &st) != 1)
		return 0;
	return st;
}

static void run_dir(const char *state_dir, char *out, size_t len)
{
	snprintf(out, len, "%s/run", state_dir);
}

int runfile_write(const struct dvm *vm)
{
	char dir[PATH_MAX], name[64];
	json_t *j = json_pack("{s:i, s:I, s:s}", "pid", (int)vm->pid, "starttime",
			      (json_int_t)vm->starttime, "sock", vm->sock_path);
	int err;

	if (!j)
		return -ENOMEM;
	run_dir(vm->d->state_dir, dir, sizeof(dir));
	snprintf(name, sizeof(name), "%s.json", vm->cfg.name);
	err = persist_mkdir(dir);
	if (!err)
		err = persist_write_json(dir, name, j);
	json_decref(j);
	return err;
}

int runfile_read(const char *state_dir, const char *name, struct runfile *rf)
{
	char dir[PATH_MAX], file[64];
	const char *sock;
	json_t *j;

	run_dir(state_dir, dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s.json", name);
	j = persist_read_json(dir, file);
	if (!j)
		return errno == ENOENT ? -ENOENT : -EINVAL;
	memset(rf, 0, sizeof(*rf));
	sock = json_string_value(json_object_get(j, "sock"));
	if (!json_is_integer(json_object_get(j, "pid")) ||
	    !json_is_integer(json_object_get(j, "starttime")) || !sock ||
	    strlen(sock) >= sizeof(rf->sock)) {
		json_decref(j);
		return -EINVAL;
	}
	rf->pid = (pid_t)json_integer_value(json_object_get(j, "pid"));
	rf->starttime = (uint64_t)json_integer_value(json_object_get(j, "starttime"));
	strcpy(rf->sock, sock);
	json_decref(j);
	return 0;
}

void runfile_remove(const char *state_dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/run/%s.json", state_dir, name);
	unlink(path);
}
