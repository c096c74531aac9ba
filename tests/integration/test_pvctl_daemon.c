// SPDX-License-Identifier: GPL-2.0-only
/*
 * The real pvctl (build/pvctl) against the real powervisord: VMs (list, show, create, pause,
 * resume, delete), power (get, set-governor), QoS (set, get, clear), a Perfetto export to a
 * file that must be valid JSON, --json output, tokens, and the exit statuses of docs/PVCTL.md
 * (0 ok, 1 the server said no, 64 usage). A case table run in order: later rows depend on
 * earlier ones (the VM created is paused, then deleted).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "tests/common/apid.h"
#include "tests/common/daemon_run.h"

static struct apid d;
static char admin_tok[160], read_tok[160], trace_file[160];

static const char cfg[] =
	"{ \"node\": { \"tick_ms\": 10, \"backend\": \"model\", \"governor\": \"transition\" },\n"
	"  \"vms\": [\n"
	"    { \"name\": \"idle1\", \"workload\": \"idle\", \"memory_mib\": 16 },\n"
	"    { \"name\": \"rt1\", \"workload\": \"rt:period_us=1000,wcet_us=100\", \"memory_mib\": 16 }\n"
	"  ] }\n";

/* Run pvctl with the daemon's address, token file @tok (NULL: none) and @args. */
static int pvctl(const char *tok, const char *const *args, char **out, char **err)
{
	char exe[PATH_MAX + 16], addr[32], of[160], ef[160];
	const char *argv[40];
	int n = 0, st;
	pid_t pid;

	snprintf(exe, sizeof(exe), "%s/pvctl", d.bindir);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", (unsigned int)d.port);
	snprintf(of, sizeof(of), "%s/pvctl.out", d.dir);
	snprintf(ef, sizeof(ef), "%s/pvctl.err", d.dir);
	argv[n++] = exe;
	argv[n++] = "--addr";
	argv[n++] = addr;
	if (tok) {
		argv[n++] = "--token-file";
		argv[n++] = tok;
	}
	for (; *args && n < 39; args++)	/* @TRACE@: the trace file of this run */
		argv[n++] = strcmp(*args, "@TRACE@") ? *args : trace_file;
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		int fo = open(of, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int fe = open(ef, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(fo, 1);
		dup2(fe, 2);
		unsetenv("PVCTL_ADDR");
		unsetenv("PVCTL_TOKEN");
		setenv("PVCTL_CONFIG", "/dev/null", 1);
		execv(exe, (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	*out = dr_slurp(of);
	*err = dr_slurp(ef);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int setup(void **state)
{
	(void)state;
	if (apid_start(&d, cfg, true, NULL, 15000))
		return -1;
	snprintf(admin_tok, sizeof(admin_tok), "%s/admin.tok", d.dir);
	snprintf(read_tok, sizeof(read_tok), "%s/read.tok", d.dir);
	snprintf(trace_file, sizeof(trace_file), "%s/trace.json", d.dir);
	dr_write_file(admin_tok, APID_ADMIN_TOKEN "\n");
	dr_write_file(read_tok, "# read only\n" APID_READ_TOKEN "\n");
	return apid_wait_running(&d, (const char *const[]){ "rt1", "idle1", NULL }, 20000);
}

static int teardown(void **state)
{
	(void)state;
	apid_stop(&d);
	return 0;
}

enum tok { ADMIN, READ, NONE };
enum wait { W_NONE, W_DYN1_RUNNING };

struct pcase {
	enum tok tok;
	const char *args[16];
	int status;
	const char *out_has;		/* stdout contains */
	const char *err_has;		/* stderr contains */
	const char *json_key, *json_val;	/* --json: top-level string member */
	enum wait then;
};

#define ARGS(...) { __VA_ARGS__, NULL }

static const struct pcase cases[] = {
	{ ADMIN, ARGS("health"), 0, "ready:  yes", NULL, NULL, NULL, W_NONE },
	{ ADMIN, ARGS("vm", "list"), 0, "idle1", NULL, NULL, NULL, W_NONE },
	{ ADMIN, ARGS("vm", "list"), 0, "NAME", NULL, NULL, NULL, W_NONE },
	{ READ, ARGS("--json", "vm", "show", "rt1"), 0, "\"exits_total\"", NULL, "name", "rt1", W_NONE },
	{ ADMIN, ARGS("vm", "show", "rt1"), 0, "rt:period_us=1000,wcet_us=100", NULL, NULL, NULL, W_NONE },
	{ ADMIN, ARGS("vm", "show", "nope"), 1, NULL, "not_found", NULL, NULL, W_NONE },
	{ NONE, ARGS("vm", "list"), 1, NULL, "unauthorized", NULL, NULL, W_NONE },
	{ ADMIN, ARGS("vm", "create", "--name", "dyn1", "--workload", "rt:period_us=2000,wcet_us=50",
		      "--memory-mib", "16"), 0, "created VM dyn1", NULL, NULL, NULL, W_DYN1_RUNNING },
	{ ADMIN, ARGS("vm", "create", "--name", "dyn1", "--workload", "idle"), 1, NULL, "name_taken",
	  NULL, NULL, W_NONE },
	{ ADMIN, ARGS("vm", "create", "--name", "dyn2", "--vcpus", "0"), 64, NULL, "--vcpus", NULL,
	  NULL, W_NONE },
	{ READ, ARGS("vm", "pause", "dyn1"), 1, NULL, "forbidden", NULL, NULL, W_NONE },
	{ ADMIN, ARGS("vm", "pause", "dyn1"), 0, NULL, NULL, NULL, NULL, W_NONE },
	{ ADMIN, ARGS("--json", "vm", "show", "dyn1"), 0, NULL, NULL, "state", "paused", W_NONE },
	{ ADMIN, ARGS("vm", "pause", "dyn1"), 1, NULL, "wrong_state", NULL, NULL, W_NONE },
	{ ADMIN, ARGS("vm", "resume", "dyn1"), 0, NULL, NULL, NULL, NULL, W_NONE },
	{ ADMIN, ARGS("--json", "vm", "show", "dyn1"), 0, NULL, NULL, "state", "running", W_NONE },
	{ ADMIN, ARGS("power", "get"), 0, "transition", NULL, NULL, NULL, W_NONE },
	{ ADMIN, ARGS("power", "set-governor", "ondemand"), 0, NULL, NULL, NULL, NULL, W_NONE },
	{ READ, ARGS("--json", "power", "get"), 0, NULL, NULL, "governor", "ondemand", W_NONE },
	{ ADMIN, ARGS("power", "set-governor", "warp"), 64, NULL, "warp", NULL, NULL, W_NONE },
	{ ADMIN, ARGS("power", "set", "no_such_tunable=1"), 1, NULL, "tunables.no_such_tunable", NULL,
	  NULL, W_NONE },
	{ ADMIN, ARGS("power", "set-governor", "transition"), 0, NULL, NULL, NULL, NULL, W_NONE },
	{ ADMIN, ARGS("power", "set", "sat_pct=85"), 0, NULL, NULL, NULL, NULL, W_NONE },
	{ ADMIN, ARGS("--json", "power", "get"), 0, "\"name\": \"sat_pct\",\n      \"value\": 85", NULL,
	  "governor", "transition", W_NONE },
	{ ADMIN, ARGS("qos", "set", "rt1", "--class", "realtime", "--runtime-us", "300",
		      "--period-us", "1000"), 0, NULL, NULL, NULL, NULL, W_NONE },
	{ ADMIN, ARGS("qos", "get", "rt1"), 0, "realtime", NULL, NULL, NULL, W_NONE },
	{ READ, ARGS("--json", "qos", "get", "rt1"), 0, "\"runtime_us\": 300", NULL, "class", "realtime",
	  W_NONE },
	{ ADMIN, ARGS("qos", "set", "idle1", "--class", "realtime", "--runtime-us", "990",
		      "--period-us", "1000"), 1, NULL, "admission_rejected", NULL, NULL, W_NONE },
	{ ADMIN, ARGS("qos", "clear", "rt1"), 0, NULL, NULL, NULL, NULL, W_NONE },
	{ ADMIN, ARGS("--json", "qos", "get", "rt1"), 0, NULL, NULL, "class", "best-effort", W_NONE },
	{ READ, ARGS("trace", "export", "-o", "@TRACE@", "--window", "2s"), 0, "wrote ", NULL, NULL,
	  NULL, W_NONE },
	{ ADMIN, ARGS("trace", "tail", "--vm", "rt1", "--iterations", "1", "--limit", "5"), 0,
	  "rt1", NULL, NULL, NULL, W_NONE },
	{ READ, ARGS("metrics"), 0, "powervisor_vm_exits_total{vm=\"rt1\"", NULL, NULL, NULL, W_NONE },
	{ ADMIN, ARGS("vm", "delete", "dyn1"), 0, NULL, NULL, NULL, NULL, W_NONE },
	{ ADMIN, ARGS("vm", "delete", "dyn1"), 1, NULL, "not_found", NULL, NULL, W_NONE },
	{ ADMIN, ARGS("--json", "vm", "list"), 0, "\"idle1\"", NULL, NULL, NULL, W_NONE },
};

static void test_pvctl_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pcase *c = &cases[i];
		const char *tok = c->tok == ADMIN ? admin_tok : c->tok == READ ? read_tok : NULL;
		char *out = NULL, *err = NULL, line[256] = "";
		int st = pvctl(tok, c->args, &out, &err);
		size_t k;

		for (k = 0; c->args[k]; k++)
			snprintf(line + strlen(line), sizeof(line) - strlen(line), " %s", c->args[k]);
		if (st != c->status)
			fail_msg("case %zu pvctl%s: status %d, want %d\nstdout: %s\nstderr: %s", i, line,
				 st, c->status, out, err);
		if (c->out_has && !strstr(out, c->out_has))
			fail_msg("case %zu pvctl%s: \"%s\" not in stdout:\n%s", i, line, c->out_has, out);
		if (c->err_has && !strstr(err, c->err_has))
			fail_msg("case %zu pvctl%s: \"%s\" not in stderr:\n%s", i, line, c->err_has, err);
		if (c->json_key) {
			json_t *j = json_loads(out, 0, NULL);
			const char *v = json_string_value(json_object_get(j, c->json_key));

			if (!v || strcmp(v, c->json_val))
				fail_msg("case %zu pvctl%s: %s is %s, want %s\n%s", i, line, c->json_key,
					 v ? v : "(none)", c->json_val, out);
			json_decref(j);
		}
		free(out);
		free(err);
		if (c->then == W_DYN1_RUNNING &&
		    !apid_wait_str(&d, "/api/v1/vms/dyn1", "state", "running", 10000))
			fail_msg("dyn1 did not come up");
	}
}

/* The exported trace is a Perfetto document with the VMs as processes. */
static void test_trace_file(void **state)
{
	json_error_t jerr;
	json_t *j = json_load_file(trace_file, 0, &jerr), *e;
	size_t i, procs = 0;

	(void)state;
	if (!j)
		fail_msg("%s is not JSON: %s (line %d)", trace_file, jerr.text, jerr.line);
	assert_true(json_array_size(json_object_get(j, "traceEvents")) > 10);
	json_array_foreach(json_object_get(j, "traceEvents"), i, e)
		procs += !strcmp(json_string_value(json_object_get(e, "name")) ?: "", "process_name");
	assert_true(procs >= 3);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pvctl_cases),
		cmocka_unit_test(test_trace_file),
	};
	char probe[PATH_MAX + 16];

	if (apid_find_bindir(d.bindir, sizeof(d.bindir)) || !apid_can_run(d.bindir)) {
		printf("test_pvctl_daemon: SKIP: no /dev/kvm or no build with the guest\n");
		return 0;
	}
	snprintf(probe, sizeof(probe), "%s/pvctl", d.bindir);
	if (access(probe, X_OK)) {
		printf("test_pvctl_daemon: SKIP: %s is not built\n", probe);
		return 0;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
