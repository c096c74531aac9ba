// SPDX-License-Identifier: GPL-2.0-only
/*
 * QoS through powervisord on the real /dev/kvm: a VM that mixes one real-time task and one
 * batch task holds its reservation only while real-time work is active (transition-driven
 * boosting), and the batch task still makes progress; the reservation backend named in the
 * configuration is the one used.
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

#include "qos/dl_resync.h"
#include "tests/common/daemon_run.h"

static char bindir[PATH_MAX];	/* where powervisord, pv-vmm and guest/ are */
static char tmpdir[64];

static const char mixed_fmt[] =
	"{ \"node\": { \"backend\": \"model\", \"reservation_backend\": \"%s\" },\n"
	"  \"vms\": [ { \"name\": \"mixed\", \"workload\": \"rt:period_us=100000,wcet_us=5000;cpu\",\n"
	"      \"qos\": \"realtime\", \"reservation\": { \"runtime_us\": 30000, \"period_us\": 100000 } } ] }\n";

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/pvq-XXXXXX");
	return dr_setup(bindir, sizeof(bindir), tmpdir, true);
}

static int teardown(void **state)
{
	(void)state;
	dr_teardown("pv-vmm --name periodic ", "");
	dr_teardown("pv-vmm --name hog ", "");
	return dr_teardown("pv-vmm --name mixed ", tmpdir);
}

/*
 * The mixed VM on @backend for 4 s, beside a host CPU hog when @hog: the reservation held
 * around the RT jobs only, every job done, the batch task progressing. Under load the
 * nested build hosts can stall a guest kept busy under SCHED_DEADLINE (docs/QOS.md); the
 * daemon then moves the VM to the budget mechanism (qosd.c check_progress), so the
 * figures hold either way.
 */
static json_t *vm_of(json_t *summary)
{
	return json_array_get(json_object_get(summary, "vms"), 0);
}

static void run_mixed(const char *backend, bool hog)
{
	char name[32], text[1024];
	bool moved = false;
	pid_t hog_pid = -1;
	json_t *j, *vm, *vcpu, *res, *t;
	int64_t changes, held_ns, rt_act = -1, be_progress = -1;
	size_t i;

	snprintf(name, sizeof(name), "mixed-%s%s", backend, hog ? "-hog" : "");
	snprintf(text, sizeof(text), mixed_fmt, backend);
	if (hog)
		hog_pid = fork();
	if (hog_pid == 0)
		for (;;)
			;	/* the host hog: killed below */
	j = dr_run_summary(bindir, tmpdir, name, text, 4, false);
	if (hog_pid > 0) {
		kill(hog_pid, SIGKILL);
		waitpid(hog_pid, NULL, 0);
	}
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "reservation_backend")), backend);
	assert_true(json_is_integer(json_object_get(j, "deadline_resyncs")));	/* reported */
	vm = json_array_get(json_object_get(j, "vms"), 0);
	vcpu = json_array_get(json_object_get(vm, "vcpus"), 0);
	res = json_object_get(vcpu, "reservation");
	changes = json_integer_value(json_object_get(res, "changes"));
	held_ns = json_integer_value(json_object_get(res, "held_ns"));
	json_array_foreach(json_object_get(vcpu, "guest_tasks"), i, t) {
		const char *cls = json_string_value(json_object_get(t, "class"));

		if (!strcmp(cls, "rt"))
			rt_act = json_integer_value(json_object_get(t, "activations"));
		else if (!strcmp(cls, "be"))
			be_progress = json_integer_value(json_object_get(t, "progress"));
	}
	if (hog) {
		char log[256], *text_log;

		snprintf(log, sizeof(log), "%s/%s.log", tmpdir, name);
		text_log = dr_slurp(log);
		moved = strstr(text_log, "moves to the budget mechanism");

		print_message("%s beside a hog: %s\n", backend, moved ?
			      "the stall guard moved the VM to the budget mechanism" :
			      "no stall, the deadline reservation held throughout");
		/* the VM's own mechanism says which */
		assert_string_equal(json_string_value(json_object_get(vm_of(j), "reservation_backend")),
				    moved ? "budget" : backend);
		free(text_log);
	}
	print_message("%s: reservation applied/removed %lld times, held %.0f%% of the run; "
		      "rt activations %lld, batch progress %lld\n", name, (long long)changes,
		      100.0 * (double)held_ns / 4e9, (long long)rt_act, (long long)be_progress);
	/* boosted and unboosted again and again: held around RT work, not all the time */
	assert_true(changes >= 10);
	/* (a VM the guard moved also held it through the stalled stretch, up to 200 ms+) */
	assert_true(held_ns > 200000000ll && held_ns < (moved ? 3800000000ll : 3200000000ll));
	assert_true(rt_act >= 25);
	assert_true(be_progress > 0);	/* the batch task still ran */
	json_decref(j);
}

/*
 * Can the kernel admit a 30 % SCHED_DEADLINE reservation? The kernel on the build hosts
 * leaks deadline bandwidth (qos/dl_resync.h); the daemon resynchronises it when needed,
 * and so does this check before it asks.
 */
static bool deadline_bandwidth_available(void)
{
	char cmd[256];

	dl_bw_resync();
	snprintf(cmd, sizeof(cmd), "sleep 1 & p=$!; chrt -d --sched-runtime 30000000 "
		 "--sched-deadline 100000000 --sched-period 100000000 -p 0 $p 2>/dev/null; "
		 "r=$?; kill $p; exit $r");
	return system(cmd) == 0;
}

static void test_mixed_vm_deadline(void **state)
{
	(void)state;
	if (!deadline_bandwidth_available()) {
		print_message("the kernel refuses a 30%% SCHED_DEADLINE reservation here (bandwidth "
			      "leaked by stuck deadline threads on this host): skipped\n");
		skip();
	}
	run_mixed("deadline", false);
}

/*
 * Inferred boosting: guests that report nothing (pvguest with pv=off) are sampled by their
 * VMM timer; one whose vCPU wakes periodically (an RT task every 10 ms) holds its
 * reservation most of the run, one that never halts (a hog) does not.
 */
static void test_inferred_boosting(void **state)
{
	static const char cfg_text[] =
		"{ \"node\": { \"backend\": \"model\" },\n"
		"  \"vms\": [ { \"name\": \"periodic\", \"workload\": \"rt:period_us=10000,wcet_us=1000\",\n"
		"      \"cmdline\": \"pv=off\", \"qos\": \"realtime\",\n"
		"      \"reservation\": { \"runtime_us\": 4000, \"period_us\": 10000 } },\n"
		"    { \"name\": \"hog\", \"workload\": \"cpu\", \"cmdline\": \"pv=off\",\n"
		"      \"qos\": \"realtime\", \"reservation\": { \"runtime_us\": 4000, \"period_us\": 10000 } } ] }\n";
	int64_t held[2] = { -1, -1 };
	json_t *j, *vm;
	size_t i;

	(void)state;
	j = dr_run_summary(bindir, tmpdir, "inferred", cfg_text, 4, false);
	assert_non_null(j);
	json_array_foreach(json_object_get(j, "vms"), i, vm) {
		json_t *res = json_object_get(json_array_get(json_object_get(vm, "vcpus"), 0),
					      "reservation");
		int k = !strcmp(json_string_value(json_object_get(vm, "name")), "hog");

		held[k] = json_integer_value(json_object_get(res, "held_ns"));
		/* nothing reported by either guest */
		assert_int_equal(json_integer_value(json_object_get(json_object_get(vm, "rt"),
								    "activations")), 0);
	}
	print_message("inferred: periodic VM held its reservation %.0f%% of the run, the hog %.0f%%\n",
		      100.0 * (double)held[0] / 4e9, 100.0 * (double)held[1] / 4e9);
	/*
	 * Boosted on inferred activity (nothing else boosts a silent VM): usually from ~1.2 s
	 * (silence, then learning) to the end, ~70 %; in some runs the host's SCHED_DEADLINE
	 * crawl stops the wake-ups and the reservation is dropped after 0.5–0.8 s (docs/QOS.md).
	 */
	assert_true(held[0] > 250000000ll);
	assert_true(held[1] >= 0 && held[1] < 400000000ll);	/* a hog never looks periodic */
	json_decref(j);
}

/* The same beside a host hog: under SCHED_DEADLINE the stall guard may have to step in. */
static void test_mixed_vm_deadline_hog(void **state)
{
	(void)state;
	if (!deadline_bandwidth_available()) {
		print_message("the kernel refuses a 30%% SCHED_DEADLINE reservation here: skipped\n");
		skip();
	}
	run_mixed("deadline", true);
}

/* SCHED_FIFO at a deadline-monotonic priority, the budget enforced by the VMM timer. */
static void test_mixed_vm_budget(void **state)
{
	(void)state;
	run_mixed("budget", false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mixed_vm_budget),
		cmocka_unit_test(test_mixed_vm_deadline),
		cmocka_unit_test(test_mixed_vm_deadline_hog),
		cmocka_unit_test(test_inferred_boosting),
	};

	if (setup(NULL))
		return 0;	/* skipped cleanly (message printed) */
	return cmocka_run_group_tests_name("qos_daemon", tests, NULL, teardown);
}
