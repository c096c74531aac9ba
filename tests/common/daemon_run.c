// SPDX-License-Identifier: GPL-2.0-only
/* Helpers for tests that run the real powervisord (see daemon_run.h). */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <jansson.h>

#include "tests/common/daemon_run.h"

int dr_find_bindir(char *out, size_t len, int levels_up)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	for (int i = 0; i < levels_up && (slash = strrchr(exe, '/')); i++)
		*slash = '\0';
	snprintf(out, len, "%s", exe);
	return 0;
}

int dr_setup(char *bindir, size_t len, char *tmpl, bool need_root)
{
	char probe[PATH_MAX + 32];

	if (dr_find_bindir(bindir, len, 3))	/* build/tests/<suite>/x -> build */
		return -1;
	snprintf(probe, sizeof(probe), "%s/guest/pvguest.elf", bindir);
	if (access("/dev/kvm", R_OK | W_OK) || access(probe, R_OK) || (need_root && geteuid())) {
		printf("needs /dev/kvm, pvguest%s: skipped\n", need_root ? " and root" : "");
		return -1;
	}
	return mkdtemp(tmpl) ? 0 : -1;
}

int dr_teardown(const char *pattern, const char *dir)
{
	char cmd[512];

	/* threads back to SCHED_OTHER first: a deadline thread killed in KVM_RUN can linger */
	snprintf(cmd, sizeof(cmd), "for p in $(pgrep -f '%s'); do for t in /proc/$p/task/*; do "
		 "chrt -o -p 0 ${t##*/}; done; done 2>/dev/null; pkill -9 -f '%s'; rm -rf %s",
		 pattern, pattern, dir);
	return system(cmd) >= 0 ? 0 : -1;
}

uint64_t dr_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void dr_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

char *dr_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return strdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n)
		buf[0] = '\0';
	fclose(f);
	return buf;
}

pid_t dr_start_daemon(const char *bindir, const char *log, const char *const *args)
{
	char exe[PATH_MAX + 16];
	const char *argv[32];
	pid_t pid;
	int n = 0;

	snprintf(exe, sizeof(exe), "%s/powervisord", bindir);
	argv[n++] = exe;
	while (*args && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		dup2(fd, 1);
		dup2(fd, 2);
		execv(exe, (char *const *)argv);
		_exit(127);
	}
	return pid;
}

int dr_wait_exit(pid_t pid, unsigned int ms)
{
	uint64_t end = dr_now_ms() + ms;
	int st;

	while (dr_now_ms() < end) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		usleep(20000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

bool dr_wait_for(const char *path, const char *needle, unsigned int ms)
{
	uint64_t end = dr_now_ms() + ms;

	while (dr_now_ms() < end) {
		char *s = dr_slurp(path);
		bool found = s && strstr(s, needle) != NULL;

		free(s);
		if (found)
			return true;
		usleep(50000);
	}
	return false;
}

json_t *dr_run_summary(const char *bindir, const char *dir, const char *name,
		       const char *cfg_text, int secs, bool live_view)
{
	char cfg[PATH_MAX], log[PATH_MAX], st[PATH_MAX], sum[PATH_MAX], secs_s[16];
	const char *args[16] = { "--listen", "127.0.0.1:0", "--config", cfg, "--state-dir", st,
				 "--run-for", secs_s, "--summary-json", sum };
	int n = 10;

	snprintf(cfg, sizeof(cfg), "%s/%s.json", dir, name);
	snprintf(log, sizeof(log), "%s/%s.log", dir, name);
	snprintf(st, sizeof(st), "%s/state-%s", dir, name);
	snprintf(sum, sizeof(sum), "%s/%s-summary.json", dir, name);
	snprintf(secs_s, sizeof(secs_s), "%d", secs);
	if (!live_view)
		args[n++] = "--quiet";
	args[n] = NULL;
	dr_write_file(cfg, cfg_text);
	if (dr_wait_exit(dr_start_daemon(bindir, log, args), (unsigned int)(secs + 16) * 1000))
		return NULL;
	return json_load_file(sum, 0, NULL);
}
