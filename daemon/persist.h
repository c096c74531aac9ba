/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * State persistence in the state dir: whole-file replacement that survives kill -9 and
 * power loss at any instant. A file is written to a temporary name in the same directory,
 * fsync'ed, renamed over the old one (atomic on POSIX file systems) and the directory
 * fsync'ed, so a reader sees either the old complete file or the new complete file.
 */
#ifndef PV_DAEMON_PERSIST_H
#define PV_DAEMON_PERSIST_H

#include <stddef.h>

struct json_t;

/* Create @dir (and parents) with mode 0700 if missing. */
int persist_mkdir(const char *dir);
/* Atomically replace @dir/@name with @len bytes of @data. */
int persist_write(const char *dir, const char *name, const void *data, size_t len);
/* Atomically replace @dir/@name with @json (compact, keys sorted). */
int persist_write_json(const char *dir, const char *name, struct json_t *json);
/* Load @dir/@name as JSON: NULL with errno set (ENOENT when absent, EINVAL when corrupt). */
struct json_t *persist_read_json(const char *dir, const char *name);
/* Remove temporary files left by a writer that was killed mid-write. */
int persist_clean(const char *dir);

#endif /* PV_DAEMON_PERSIST_H */
