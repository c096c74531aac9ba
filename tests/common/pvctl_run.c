// SPDX-License-Identifier: GPL-2.0-only
/* Running the real pvctl binary in pvctl's end-to-end tests (see pvctl_run.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "tests/common/pvctl_run.h"

struct pvctl_run pvrun;

/* Why a check failed: room for the whole of stdout and stderr. */
static char run_why[sizeof(pvrun.out) + sizeof(pvrun.err) + 512];

int pvctl_run_setup(void **state)
{
	char exe[PATH_MAX], *slash;
	ssize_t n;
	int i;

	(void)state;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	for (i = 0; i < 3; i++) {		/* build/tests/integration/test_pvctl -> build */
		slash = strrchr(exe, '/');
		if (!slash)
			return -1;
		*slash = '\0';
	}
	if (getenv("PVCTL_BIN"))
		snprintf(pvrun.bin, sizeof(pvrun.bin), "%s", getenv("PVCTL_BIN"));
	else if (strlen(exe) + sizeof("/pvctl") <= sizeof(pvrun.bin))
		snprintf(pvrun.bin, sizeof(pvrun.bin), "%.*s/pvctl", (int)(sizeof(pvrun.bin) - 8),
			 exe);
	if (access(pvrun.bin, X_OK)) {
		fprintf(stderr, "%s: %s is not built\n", program_invocation_short_name, pvrun.bin);
		return -1;
	}
	snprintf(pvrun.dir, sizeof(pvrun.dir), "/tmp/pvctl-it-%d", (int)getpid());
	if (mkdir(pvrun.dir, 0700))
		return -1;
	return pvfake_start(pvrun.dir);
}

int pvctl_run_teardown(void **state)
{
	char cmd[128];

	(void)state;
	pvfake_stop();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", pvrun.dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void run_drain(int fd, char *buf, size_t cap, size_t *len, bool *open)
{
	ssize_t n = read(fd, buf + *len, cap - 1 - *len);

	if (n <= 0) {
		*open = false;
		return;
	}
	*len += (size_t)n;
	buf[*len] = '\0';
	if (*len >= cap - 1)
		*open = false;
}

/* pvctl could not be started: a run that failed, with the reason on its stderr. */
static int run_failed(const char *what)
{
	pvrun.status = -1;
	snprintf(pvrun.err, sizeof(pvrun.err), "%s: %s\n", what, strerror(errno));
	return pvrun.status;
}

int pvctl_run(char *const env_extra[], char *const args[])
{
	char *argv[PVCTL_RUN_MAX_ARGS + 2], *envp[16], home[96];
	int out[2], err[2], i, n = 0, wst;
	size_t olen = 0, elen = 0;
	bool oo = true, eo = true;
	time_t start = time(NULL);
	pid_t pid;

	pvrun.status = 0;
	memset(pvrun.out, 0, sizeof(pvrun.out));
	memset(pvrun.err, 0, sizeof(pvrun.err));
	argv[0] = pvrun.bin;
	for (i = 0; args[i] && i < PVCTL_RUN_MAX_ARGS; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	snprintf(home, sizeof(home), "HOME=%s", pvrun.dir);	/* no user config leaks in */
	envp[n++] = "PATH=/usr/bin:/bin";
	envp[n++] = home;
	for (i = 0; env_extra && env_extra[i] && n < 15; i++)
		envp[n++] = env_extra[i];
	envp[n] = NULL;
	if (pipe2(out, O_CLOEXEC))
		return run_failed("pipe2");
	if (pipe2(err, O_CLOEXEC)) {
		close(out[0]);
		close(out[1]);
		return run_failed("pipe2");
	}
	pid = fork();
	if (pid < 0) {
		close(out[0]);
		close(out[1]);
		close(err[0]);
		close(err[1]);
		return run_failed("fork");
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		dup2(devnull, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		execve(pvrun.bin, argv, envp);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	while ((oo || eo) && time(NULL) - start < 15) {
		struct pollfd pfd[2] = { { .fd = oo ? out[0] : -1, .events = POLLIN },
					 { .fd = eo ? err[0] : -1, .events = POLLIN } };

		if (poll(pfd, 2, 1000) <= 0)
			continue;
		if (pfd[0].revents)
			run_drain(out[0], pvrun.out, sizeof(pvrun.out), &olen, &oo);
		if (pfd[1].revents)
			run_drain(err[0], pvrun.err, sizeof(pvrun.err), &elen, &eo);
	}
	close(out[0]);
	close(err[0]);
	if (oo || eo)
		kill(pid, SIGKILL);
	waitpid(pid, &wst, 0);
	pvrun.status = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst);
	if (getenv("PVCTL_IT_VERBOSE")) {	/* eyeball the output */
		fprintf(stderr, "$ pvctl");
		for (i = 1; argv[i]; i++)
			fprintf(stderr, " %s", argv[i]);
		fprintf(stderr, "   -> %d\n%s%s", pvrun.status, pvrun.out, pvrun.err);
	}
	return pvrun.status;
}

const char *pvctl_run_differs(int status, const char *out_has, const char *err_is)
{
	if (pvrun.status != status)
		snprintf(run_why, sizeof(run_why), "exit %d, want %d\nstdout:\n%s\nstderr:\n%s",
			 pvrun.status, status, pvrun.out, pvrun.err);
	else if (out_has && !strstr(pvrun.out, out_has))
		snprintf(run_why, sizeof(run_why), "stdout lacks '%s':\n%s", out_has, pvrun.out);
	else if (err_is && strcmp(pvrun.err, err_is))
		snprintf(run_why, sizeof(run_why), "stderr:\n%s\nwant:\n%s", pvrun.err, err_is);
	else
		return NULL;
	return run_why;
}

const char *pvctl_run_json_differs(const char *fixture_json)
{
	json_t *got = json_loads(pvrun.out, 0, NULL), *want = pvfake_jq(fixture_json);
	bool same = got && json_equal(got, want);

	json_decref(got);
	json_decref(want);
	if (same)
		return NULL;
	snprintf(run_why, sizeof(run_why), "--json output differs:\n%s", pvrun.out);
	return run_why;
}

const char *pvctl_run_line_with(const char *needle, char *buf, size_t len)
{
	const char *p = strstr(pvrun.out, needle), *s, *e;

	if (!p) {
		fprintf(stderr, "no line with '%s' in:\n%s", needle, pvrun.out);
		snprintf(buf, len, "(no line with '%s')", needle);
		return buf;
	}
	for (s = p; s > pvrun.out && s[-1] != '\n'; s--)
		;
	e = strchr(p, '\n');
	snprintf(buf, len, "%.*s", e ? (int)(e - s) : (int)strlen(s), s);
	return buf;
}

int pvctl_run_write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f) ? -1 : 0;
}
