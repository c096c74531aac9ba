// SPDX-License-Identifier: GPL-2.0-only
/* The real daemon with its API for tests (see apid.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "tests/common/apid.h"
#include "tests/common/daemon_run.h"

uint16_t apid_free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	uint16_t port = 0;

	if (fd < 0)
		return 0;
	if (!bind(fd, (struct sockaddr *)&sin, sizeof(sin)) &&
	    !getsockname(fd, (struct sockaddr *)&sin, &sl))
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

int apid_find_bindir(char *out, size_t len)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	/* build/tests/<suite>/x or build/bench/x: up until a dir with powervisord */
	for (int i = 0; i < 3 && (slash = strrchr(exe, '/')); i++) {
		char probe[PATH_MAX + 16];

		*slash = '\0';
		snprintf(probe, sizeof(probe), "%s/powervisord", exe);
		if (!access(probe, X_OK)) {
			snprintf(out, len, "%s", exe);
			return 0;
		}
	}
	return -1;
}

bool apid_can_run(const char *bindir)
{
	char probe[PATH_MAX + 32];

	snprintf(probe, sizeof(probe), "%s/guest/pvguest.elf", bindir);
	return !access("/dev/kvm", R_OK | W_OK) && !access(probe, R_OK);
}

static int get_status(struct apid *a, const char *path)
{
	struct http_result r;
	int st;

	if (http_request(a->port, NULL, "GET", path, NULL, NULL, 0, 1000, &r))
		return 0;
	st = r.status;
	http_result_free(&r);
	return st;
}

int apid_start(struct apid *a, const char *cfg_json, bool with_tokens,
	       const char *const *args, unsigned int ms)
{
	const char *argv[32];
	char cfg[128], listen[32], *log;
	uint64_t end;
	int n = 0;

	if (!a->bindir[0] && apid_find_bindir(a->bindir, sizeof(a->bindir)))
		return -ENOENT;
	snprintf(a->dir, sizeof(a->dir), "/tmp/pvapi-XXXXXX");
	if (!mkdtemp(a->dir))
		return -errno;
	snprintf(a->state, sizeof(a->state), "%s/state", a->dir);
	snprintf(a->log, sizeof(a->log), "%s/daemon.log", a->dir);
	a->port = apid_free_port();
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", (unsigned int)a->port);
	argv[n++] = "--state-dir";
	argv[n++] = a->state;
	argv[n++] = "--quiet";
	argv[n++] = "--listen";
	argv[n++] = listen;
	if (cfg_json) {
		snprintf(cfg, sizeof(cfg), "%s/config.json", a->dir);
		dr_write_file(cfg, cfg_json);
		argv[n++] = "--config";
		argv[n++] = cfg;
	}
	a->token_file[0] = '\0';
	if (with_tokens) {
		snprintf(a->token_file, sizeof(a->token_file), "%s/tokens", a->dir);
		dr_write_file(a->token_file, APID_READ_TOKEN " read\n" APID_ADMIN_TOKEN " admin\n");
		argv[n++] = "--token-file";
		argv[n++] = a->token_file;
	}
	while (args && *args && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	a->pid = dr_start_daemon(a->bindir, a->log, argv);
	if (a->pid <= 0)
		return -ECHILD;
	end = dr_now_ms() + ms;
	while (dr_now_ms() < end) {
		if (get_status(a, "/readyz") == 200)
			return 0;
		if (waitpid(a->pid, NULL, WNOHANG) == a->pid) {
			a->pid = 0;
			break;
		}
		usleep(50000);
	}
	log = dr_slurp(a->log);
	fprintf(stderr, "powervisord did not become ready:\n%s\n", log);
	free(log);
	return -ETIMEDOUT;
}

void apid_dump(struct apid *a)
{
	json_t *j = apid_get(a, "/api/v1/vms", NULL);
	char *text = j ? json_dumps(j, JSON_INDENT(1)) : NULL, *log = dr_slurp(a->log);

	fprintf(stderr, "--- VMs: %s\n--- %s:\n%s\n", text ? text : "(no answer)", a->log, log);
	free(text);
	free(log);
	json_decref(j);
}

/* pid of every VMM the daemon recorded in state/run/. */
static int run_pids(struct apid *a, pid_t *pids, int max)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/run", a->state);
	d = opendir(path);
	while (d && (e = readdir(d)) && n < max) {
		json_t *j;

		if (!strstr(e->d_name, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/run/%s", a->state, e->d_name);
		j = json_load_file(path, 0, NULL);
		if (json_integer_value(json_object_get(j, "pid")) > 0)
			pids[n++] = (pid_t)json_integer_value(json_object_get(j, "pid"));
		json_decref(j);
	}
	if (d)
		closedir(d);
	return n;
}

static bool is_vmm(pid_t pid)
{
	char path[64], *cmd;
	bool yes;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	cmd = dr_slurp(path);
	yes = cmd && strstr(cmd, "pv-vmm") != NULL;
	free(cmd);
	return yes;
}

void apid_stop(struct apid *a)
{
	pid_t pids[64];
	char cmd[160];
	int n, i;

	n = run_pids(a, pids, 64);
	if (a->pid > 0) {
		kill(a->pid, SIGTERM);
		dr_wait_exit(a->pid, 8000);
		a->pid = 0;
	}
	for (i = 0; i < n; i++)
		if (is_vmm(pids[i]))
			kill(pids[i], SIGKILL);
	if (a->dir[0] && !getenv("PV_KEEP_TMP")) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", a->dir);
		if (system(cmd)) {
			/* best effort */
		}
	}
}

int apid_req(struct apid *a, const char *method, const char *path, const char *body,
	     struct http_result *r)
{
	return http_request(a->port, NULL, method, path, a->token_file[0] ? APID_ADMIN_TOKEN : NULL,
			    body, body ? strlen(body) : 0, 10000, r);
}

json_t *apid_get(struct apid *a, const char *path, int *status)
{
	struct http_result r;
	json_t *j = NULL;

	if (status)
		*status = 0;
	if (apid_req(a, "GET", path, NULL, &r))
		return NULL;
	if (status)
		*status = r.status;
	if (r.status >= 200 && r.status < 300)
		j = json_loads(r.body, 0, NULL);
	http_result_free(&r);
	return j;
}

bool apid_wait_str(struct apid *a, const char *path, const char *key, const char *want,
		   unsigned int ms)
{
	uint64_t end = dr_now_ms() + ms;

	while (dr_now_ms() < end) {
		json_t *j = apid_get(a, path, NULL);
		const char *v = json_string_value(json_object_get(j, key));
		bool ok = v && !strcmp(v, want);

		json_decref(j);
		if (ok)
			return true;
		usleep(50000);
	}
	return false;
}

int apid_wait_running(struct apid *a, const char *const *names, unsigned int ms)
{
	char path[96];

	for (; *names; names++) {
		snprintf(path, sizeof(path), "/api/v1/vms/%s", *names);
		if (!apid_wait_str(a, path, "state", "running", ms)) {
			apid_dump(a);
			return -1;
		}
	}
	return 0;
}
