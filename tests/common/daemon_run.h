/* SPDX-License-Identifier: GPL-2.0-only */
/* Running the real powervisord from tests: locate the build, start it, wait, read its files. */
#ifndef PV_TESTS_DAEMON_RUN_H
#define PV_TESTS_DAEMON_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The build directory of the running test (build/tests/<suite>/x -> build); 0 or -1. */
int dr_find_bindir(char *out, size_t len, int levels_up);
/*
 * Set-up of a test that runs the daemon on KVM: @bindir from the test's own path, a fresh
 * temporary directory from @tmpl ("/tmp/xxx-XXXXXX", rewritten in place). -1 with a
 * message when /dev/kvm, pvguest (or root, when @need_root) are missing: skip.
 */
int dr_setup(char *bindir, size_t len, char *tmpl, bool need_root);
/* Threads of VMMs matching @pattern back to SCHED_OTHER, SIGKILL them, remove @dir. */
int dr_teardown(const char *pattern, const char *dir);
uint64_t dr_now_ms(void);
void dr_write_file(const char *path, const char *text);
/* Whole file as a NUL-terminated string (empty when unreadable); free() it. */
char *dr_slurp(const char *path);
/* Start @bindir/powervisord with @args (NULL-terminated), stdout+stderr appended to @log. */
pid_t dr_start_daemon(const char *bindir, const char *log, const char *const *args);
/* Exit status of @pid within @ms, or -1 after killing it when it did not end in time. */
int dr_wait_exit(pid_t pid, unsigned int ms);
/* Wait until @path contains @needle. */
bool dr_wait_for(const char *path, const char *needle, unsigned int ms);
/*
 * Write @cfg_text to @dir/@name.json and run powervisord on it for @secs (state in
 * @dir/state-@name, log @dir/@name.log; --quiet unless @live_view); the --summary-json
 * document (json_decref it), or NULL when the daemon failed.
 */
struct json_t;
struct json_t *dr_run_summary(const char *bindir, const char *dir, const char *name,
			      const char *cfg_text, int secs, bool live_view);

#endif /* PV_TESTS_DAEMON_RUN_H */
