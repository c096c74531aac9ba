// SPDX-License-Identifier: GPL-2.0-only
/*
 * powervisord end to end on the real /dev/kvm: configuration errors, a bounded run with its
 * JSON summary, a VMM killed with SIGKILL and restarted per policy, the daemon killed
 * with SIGKILL and restarted, re-attaching to the VMMs that kept running, and a
 * configuration VM deleted through the API staying deleted across restarts.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <jansson.h>

#include "tests/common/daemon_run.h"
#include "tests/common/http_client.h"

static char bindir[PATH_MAX];	/* where powervisord, pv-vmm and guest/ are */
static char tmpdir[64];

/* The pid recorded in state/run/<vm>.json, 0 if none. */
static pid_t run_pid(const char *state, const char *vm)
{
	char path[PATH_MAX];
	json_t *j;
	pid_t pid = 0;

	snprintf(path, sizeof(path), "%s/run/%s.json", state, vm);
	j = json_load_file(path, 0, NULL);
	if (j)
		pid = (pid_t)json_integer_value(json_object_get(j, "pid"));
	json_decref(j);
	return pid;
}

static const char two_vms[] =
	"{ \"node\": { \"tick_ms\": 10, \"backend\": \"model\", \"governor\": \"transition\" },\n"
	"  \"vms\": [\n"
	"    { \"name\": \"hog\", \"workload\": \"cpu\", \"restart\": \"on-failure\",\n"
	"      \"restart_backoff_ms\": 200, \"max_restarts\": 3 },\n"
	"    { \"name\": \"rt\", \"workload\": \"rt:period_us=2000,wcet_us=200\",\n"
	"      \"qos\": \"realtime\", \"reservation\": { \"runtime_us\": 500, \"period_us\": 2000 } }\n"
	"  ] }\n";

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/pvd-XXXXXX");
	return dr_setup(bindir, sizeof(bindir), tmpdir, false);
}

static int teardown(void **state)
{
	(void)state;
	return dr_teardown("pv-vmm --name (hog|rt|tomb-cfg|tomb-keep) ", tmpdir);
}

static void test_bad_configs(void **state)
{
	static const struct {
		const char *json, *field;
	} cases[] = {
		{ "{\"vms\":[{\"name\":\"a\",\"vcpus\":99}]}", "vms[0].vcpus: must be between 1 and 16" },
		{ "{\"node\":{\"governor\":\"fast\"}}", "node.governor: must be one of" },
		{ "{\"vms\":[{\"name\":\"a\",\"qos\":\"realtime\"}]}", "vms[0].reservation: is required" },
		{ "{\"vms\": [", "line 1 column" },
	};
	char cfg[128], log[128];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out;

		snprintf(cfg, sizeof(cfg), "%s/bad%u.json", tmpdir, i);
		snprintf(log, sizeof(log), "%s/bad%u.log", tmpdir, i);
		dr_write_file(cfg, cases[i].json);
		assert_int_equal(dr_wait_exit(dr_start_daemon(bindir, log, (const char *const[]){ "--listen", "127.0.0.1:0", "--config", cfg,
							NULL }), 5000), 2);
		out = dr_slurp(log);
		if (!strstr(out, cases[i].field))
			fail_msg("case %u: \"%s\" does not name \"%s\"", i, out, cases[i].field);
		free(out);
	}
}

static void test_run_for_summary(void **state)
{
	char log[128];
	json_t *j, *vm, *cpu;
	size_t i;

	(void)state;
	j = dr_run_summary(bindir, tmpdir, "run", two_vms, 3, true);
	snprintf(log, sizeof(log), "%s/run.log", tmpdir);
	assert_true(dr_wait_for(log, "node", 10));	/* the live view was printed */
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "backend")), "model");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "node"), "source")),
			    "model");
	assert_true(json_real_value(json_object_get(json_object_get(j, "node"), "energy_j")) > 0);
	assert_int_equal(json_array_size(json_object_get(j, "vms")), 2);
	json_array_foreach(json_object_get(j, "vms"), i, vm) {
		json_t *v0 = json_array_get(json_object_get(vm, "vcpus"), 0);

		assert_string_equal(json_string_value(json_object_get(vm, "state")), "stopped");
		assert_true(json_integer_value(json_object_get(v0, "guest_ns")) > 500000000);
		assert_true(json_object_size(json_object_get(vm, "exits_by_reason")) > 0);
		assert_true(json_real_value(json_object_get(vm, "energy_j")) > 0);
	}
	vm = json_array_get(json_object_get(j, "vms"), 1);	/* rt */
	assert_true(json_integer_value(json_object_get(json_object_get(vm, "rt"), "activations")) > 300);
	json_array_foreach(json_object_get(j, "cpus"), i, cpu)
		assert_true(json_object_size(json_object_get(cpu, "freq_residency_pct_by_mhz")) > 0);
	/* per-vCPU counters through perf: software events work here; hardware ones say null */
	json_t *pmu = json_object_get(json_array_get(json_object_get(vm, "vcpus"), 0), "pmu");

	assert_true(json_integer_value(json_object_get(pmu, "task-clock")) > 100000000);
	assert_non_null(json_object_get(pmu, "instructions"));
	/* device power: the console was used at boot, then idle past its threshold */
	json_t *dev;
	bool uart = false;

	json_array_foreach(json_object_get(j, "devices"), i, dev) {
		if (strcmp(json_string_value(json_object_get(dev, "name")), "uart"))
			continue;
		uart = true;
		assert_true(json_integer_value(json_object_get(dev, "transitions")) >= 1);
		assert_non_null(json_object_get(json_object_get(dev, "use_by_vm"), "hog"));
	}
	assert_true(uart);
	/* actuator failures: the total, and one count per kind that add up to it */
	json_t *by = json_object_get(j, "actuator_failures_by_kind"), *n;
	json_int_t failures = 0;
	const char *kind;

	assert_true(json_object_size(by) >= 9);
	assert_true(json_is_integer(json_object_get(by, "pstate")));
	assert_true(json_is_integer(json_object_get(by, "unclassified")));
	json_object_foreach(by, kind, n)
		failures += json_integer_value(n);
	assert_int_equal(failures, json_integer_value(json_object_get(j, "actuator_failures")));
	json_decref(j);
}

static void test_vmm_killed_is_restarted(void **state)
{
	char cfg[128], log[128], st[128];
	pid_t d, vmm, again = 0;
	uint64_t end;

	(void)state;
	snprintf(cfg, sizeof(cfg), "%s/two.json", tmpdir);
	snprintf(log, sizeof(log), "%s/kill-vmm.log", tmpdir);
	snprintf(st, sizeof(st), "%s/state-kill", tmpdir);
	dr_write_file(cfg, two_vms);
	d = dr_start_daemon(bindir, log, (const char *const[]){ "--listen", "127.0.0.1:0", "--config", cfg, "--state-dir", st, "--quiet",
						     NULL });
	assert_true(dr_wait_for(log, "vm hog: attached", 10000));
	vmm = run_pid(st, "hog");
	assert_true(vmm > 0);
	kill(vmm, SIGKILL);
	assert_true(dr_wait_for(log, "vm hog: failed: killed-by-signal-9", 5000));
	assert_true(dr_wait_for(log, "vm hog: restarting (restart 1)", 5000));
	end = dr_now_ms() + 5000;
	while (dr_now_ms() < end && ((again = run_pid(st, "hog")) == 0 || again == vmm))
		usleep(50000);
	assert_true(again > 0 && again != vmm);
	assert_true(dr_wait_for(log, "vm hog: attached", 5000));
	kill(d, SIGTERM);
	assert_int_equal(dr_wait_exit(d, 10000), 0);
	assert_int_equal(run_pid(st, "hog"), 0);	/* stopped VMs leave no run file */
}

/* The cumulative guest time of @vm's vCPU 0 in a summary file. */
static int64_t summary_guest_ns(const char *path, const char *vm)
{
	json_t *j = json_load_file(path, 0, NULL), *v;
	int64_t ns = -1;
	size_t i;

	json_array_foreach(json_object_get(j, "vms"), i, v)
		if (!strcmp(json_string_value(json_object_get(v, "name")), vm))
			ns = json_integer_value(json_object_get(json_array_get(
				json_object_get(v, "vcpus"), 0), "guest_ns"));
	json_decref(j);
	return ns;
}

static void test_daemon_killed_reattaches(void **state)
{
	char cfg[128], log[128], log2[128], st[128], sum[128];
	pid_t d, hog, rt;

	(void)state;
	snprintf(cfg, sizeof(cfg), "%s/two.json", tmpdir);
	snprintf(log, sizeof(log), "%s/kill-d.log", tmpdir);
	snprintf(log2, sizeof(log2), "%s/kill-d2.log", tmpdir);
	snprintf(st, sizeof(st), "%s/state-reattach", tmpdir);
	snprintf(sum, sizeof(sum), "%s/reattach.json", tmpdir);
	dr_write_file(cfg, two_vms);
	d = dr_start_daemon(bindir, log, (const char *const[]){ "--listen", "127.0.0.1:0", "--config", cfg, "--state-dir", st, "--quiet",
						     NULL });
	assert_true(dr_wait_for(log, "vm rt: attached", 10000));
	assert_true(dr_wait_for(log, "vm hog: attached", 10000));
	sleep(2);
	hog = run_pid(st, "hog");
	rt = run_pid(st, "rt");
	kill(d, SIGKILL);
	waitpid(d, NULL, 0);
	usleep(300000);
	assert_int_equal(kill(hog, 0), 0);	/* the VMMs outlive the daemon */
	assert_int_equal(kill(rt, 0), 0);

	d = dr_start_daemon(bindir, log2, (const char *const[]){ "--listen", "127.0.0.1:0", "--config", cfg, "--state-dir", st, "--quiet",
						      "--run-for", "2", "--summary-json", sum, NULL });
	assert_int_equal(dr_wait_exit(d, 20000), 0);
	assert_true(dr_wait_for(log2, "vm hog: re-attaching to running pv-vmm", 10));
	assert_true(dr_wait_for(log2, "vm rt: re-attaching to running pv-vmm", 10));
	/* same processes, and their counters cover the time before the daemon was killed */
	assert_false(dr_wait_for(log2, "restarting", 10));
	assert_true(summary_guest_ns(sum, "hog") > 2500000000ll);
	assert_true(summary_guest_ns(sum, "rt") > 0);
}

static const char tomb_vms[] =
	"{ \"node\": { \"tick_ms\": 10, \"backend\": \"model\" },\n"
	"  \"vms\": [ { \"name\": \"tomb-keep\", \"workload\": \"idle\", \"memory_mib\": 16 },\n"
	"           { \"name\": \"tomb-cfg\", \"workload\": \"idle\", \"memory_mib\": 16 } ] }\n";

/* Start the daemon on @cfg/@st with log @log; the API's port once it listens, else 0. */
static uint16_t tomb_start(const char *cfg, const char *st, const char *log, pid_t *pid)
{
	static const char needle[] = "API listening on http://127.0.0.1:";
	unsigned int port = 0;
	char *text, *at;

	truncate(log, 0);
	*pid = dr_start_daemon(bindir, log, (const char *const[]){ "--listen", "127.0.0.1:0",
				"--config", cfg, "--state-dir", st, "--quiet", NULL });
	if (!dr_wait_for(log, needle, 10000) || !dr_wait_for(log, "vm tomb-keep: attached", 10000))
		return 0;
	text = dr_slurp(log);
	at = strstr(text, needle);
	if (at)
		sscanf(at + sizeof(needle) - 1, "%u", &port);
	free(text);
	return (uint16_t)port;
}

static void tomb_stop(pid_t pid)
{
	kill(pid, SIGTERM);
	assert_int_equal(dr_wait_exit(pid, 10000), 0);
}

/* HTTP status of @method @path (with @body), 0 when the exchange failed; *@out the body. */
static int tomb_req(uint16_t port, const char *method, const char *path, const char *body,
		    json_t **out)
{
	struct http_result r;
	int st;

	if (http_request(port, NULL, method, path, NULL, body, body ? strlen(body) : 0, 10000, &r))
		return 0;
	st = r.status;
	if (out)
		*out = json_loads(r.body, 0, NULL);
	http_result_free(&r);
	return st;
}

/* Does the tombstone file of @st name @vm? */
static bool tombstoned(const char *st, const char *vm)
{
	char path[PATH_MAX];
	json_t *j, *e;
	bool found = false;
	size_t i;

	snprintf(path, sizeof(path), "%s/deleted.json", st);
	j = json_load_file(path, 0, NULL);
	json_array_foreach(j, i, e)
		found |= !strcmp(json_string_value(e), vm);
	json_decref(j);
	return found;
}

static void test_deleted_config_vm_stays_deleted(void **state)
{
	char cfg[128], log[128], st[128];
	json_t *j = NULL;
	uint16_t port;
	pid_t d;

	(void)state;
	snprintf(cfg, sizeof(cfg), "%s/tomb.json", tmpdir);
	snprintf(log, sizeof(log), "%s/tomb.log", tmpdir);
	snprintf(st, sizeof(st), "%s/state-tomb", tmpdir);
	dr_write_file(cfg, tomb_vms);

	/* 1. delete a configuration VM through the API */
	port = tomb_start(cfg, st, log, &d);
	assert_true(port > 0);
	assert_true(dr_wait_for(log, "vm tomb-cfg: attached", 10000));
	assert_int_equal(tomb_req(port, "DELETE", "/api/v1/vms/tomb-cfg", NULL, NULL), 204);
	assert_true(tombstoned(st, "tomb-cfg"));
	tomb_stop(d);

	/* 2. restarted on the same configuration and state: it stays deleted, and says why */
	port = tomb_start(cfg, st, log, &d);
	assert_true(port > 0);
	assert_true(dr_wait_for(log, "vm tomb-cfg: not started: it was deleted through the API",
				10));
	assert_int_equal(tomb_req(port, "GET", "/api/v1/vms/tomb-cfg", NULL, NULL), 404);
	assert_int_equal(tomb_req(port, "GET", "/api/v1/vms/tomb-keep", NULL, NULL), 200);

	/* 3. created again through the API (another definition): the tombstone goes */
	assert_int_equal(tomb_req(port, "POST", "/api/v1/vms",
				  "{\"name\":\"tomb-cfg\",\"workload\":\"cpu\",\"memory_mib\":16}",
				  NULL), 201);
	assert_false(tombstoned(st, "tomb-cfg"));
	tomb_stop(d);

	/* 4. restarted: the API's definition runs, not the file's */
	port = tomb_start(cfg, st, log, &d);
	assert_true(port > 0);
	assert_true(dr_wait_for(log, "vm tomb-cfg: the definition created through the API "
				"replaces the configuration file's", 10));
	assert_int_equal(tomb_req(port, "GET", "/api/v1/vms/tomb-cfg", NULL, &j), 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "spec"),
							      "workload")), "cpu");
	json_decref(j);

	/* 5. deleted again (now an API VM that shadows the file's): still gone after a restart */
	assert_int_equal(tomb_req(port, "DELETE", "/api/v1/vms/tomb-cfg", NULL, NULL), 204);
	assert_true(tombstoned(st, "tomb-cfg"));
	tomb_stop(d);
	port = tomb_start(cfg, st, log, &d);
	assert_true(port > 0);
	assert_int_equal(tomb_req(port, "GET", "/api/v1/vms/tomb-cfg", NULL, NULL), 404);
	tomb_stop(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_configs),
		cmocka_unit_test(test_run_for_summary),
		cmocka_unit_test(test_vmm_killed_is_restarted),
		cmocka_unit_test(test_daemon_killed_reattaches),
		cmocka_unit_test(test_deleted_config_vm_stays_deleted),
	};

	if (setup(NULL))
		return 0;	/* skipped cleanly (message printed) */
	return cmocka_run_group_tests_name("daemon", tests, NULL, teardown);
}
