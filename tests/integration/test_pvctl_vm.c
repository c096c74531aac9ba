// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvctl end to end, the VM commands: vm list|show|create|delete|pause|resume and
 * qos get|set|clear, run against the fake daemon of tests/common/pvctl_fake.h — tables,
 * --json, the request bodies sent, validation before any request, Error bodies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tests/common/pvctl_run.h"

static void test_vm_list(void **state)
{
	char l[256];

	(void)state;
	PV("vm", "list");
	EXPECT(0, NULL, "");
	assert_string_equal(LINE_WITH("NAME", l),
			    "NAME  STATE    QOS          VCPUS   PID  CPU (%)  POWER (W)  ENERGY (J)"
			    "  RT MISSES  RESTARTS  END REASON");
	assert_string_equal(LINE_WITH("rt0", l),
			    "rt0   running  realtime         2  4242     37.5       3.25       120.5"
			    "          2         0");
	assert_string_equal(LINE_WITH("old", l),
			    "old   failed   best-effort      1     -        -          -           -"
			    "          -         3  kvm internal error");
	PVJ("vm", "list");
	EXPECT(0, "{\n  \"vms\": [\n    {\n      \"name\": \"rt0\",", "");
	EXPECT_JSON_STDOUT(pvfake_vms_json);
}

static void test_vm_show(void **state)
{
	char l[256];

	(void)state;
	PV("vm", "show", "rt0");
	EXPECT(0, NULL, "");
	assert_string_equal(LINE_WITH("name:", l), "name:          rt0");
	assert_non_null(strstr(pvrun.out,
			       "real-time:     1000 activations, 998 completions, 2 misses"));
	assert_non_null(strstr(pvrun.out, "qos state:     class realtime, admitted yes, backend "
			       "deadline, cpus 2,3"));
	assert_string_equal(LINE_WITH("VCPU", l),
			    "VCPU   TID  PCPU  STATE    GUEST (ms)  VMM (ms)  HALT (ms)  EXITS  "
			    "MIGRATIONS  BOOSTED");
	assert_string_equal(LINE_WITH("4243", l),
			    "   0  4243     2  running      1500.0      20.0      300.0  12000  "
			    "         1  yes");
	PVJ("vm", "show", "rt0");
	EXPECT(0, NULL, "");
	EXPECT_JSON_STDOUT(pvfake_vm_rt0_json);
	PV("vm", "show", "missing");
	EXPECT(1, "", "pvctl: not_found: no VM named missing\n");
}

static void test_vm_create(void **state)
{
	char spec[128];
	unsigned int before;

	(void)state;
	PV("vm", "create", "--name", "rt1", "--vcpus", "2", "--memory-mib", "128", "--workload",
	   "rt:period_us=1000,wcet_us=200;cpu", "--qos", "realtime", "--runtime-us", "200",
	   "--period-us", "1000");
	EXPECT(0, "created VM rt1 (state starting)\n", "");
	assert_string_equal(pvfake.method, "POST");
	assert_string_equal(pvfake.path, "/api/v1/vms");
	EXPECT_BODY("{'name':'rt1','vcpus':2,'memory_mib':128,'workload':"
		    "'rt:period_us=1000,wcet_us=200;cpu','qos':'realtime','reservation':"
		    "{'runtime_us':200,'period_us':1000}}");

	snprintf(spec, sizeof(spec), "%s/spec.json", pvrun.dir);
	WRITE_TEXT(spec, "{\"name\":\"web2\",\"vcpus\":1,\"halt_mode\":\"poll\"}\n");
	PVJ("vm", "create", "-f", spec);
	EXPECT(0, "\"state\": \"starting\"", "");
	EXPECT_BODY("{'name':'web2','vcpus':1,'halt_mode':'poll'}");

	PV("vm", "create", "--name", "taken");
	EXPECT(1, "", "pvctl: conflict: a VM named taken exists (field name)\n");

	before = pvfake_requests();
	PV("vm", "create", "--name", "x", "--vcpus", "0");
	EXPECT(64, "", NULL);
	assert_non_null(strstr(pvrun.err, "pvctl: --vcpus: 0 is out of range (1..16)\nusage: "
			       "pvctl vm create"));
	PV("vm", "create", "--name", "x", "--qos", "gold");
	EXPECT(64, "", NULL);
	assert_non_null(strstr(pvrun.err, "--qos: 'gold' is not one of: best-effort"));
	WRITE_TEXT(spec, "{\"name\": \"x\",\n \"vcpus\": }\n");
	PV("vm", "create", "-f", spec);
	EXPECT(64, "", NULL);
	assert_non_null(strstr(pvrun.err, "line 2"));
	assert_int_equal(pvfake_requests(), before);	/* nothing invalid reached the server */
}

static void test_vm_actions(void **state)
{
	(void)state;
	PV("vm", "pause", "rt0");
	EXPECT(0, "paused VM rt0\n", "");
	assert_string_equal(pvfake.path, "/api/v1/vms/rt0/pause");
	PV("vm", "resume", "rt0");
	EXPECT(0, "resumed VM rt0\n", "");
	PV("vm", "delete", "web");
	EXPECT(0, "deleted VM web\n", "");
	assert_string_equal(pvfake.method, "DELETE");
	PV("vm", "pause", "web");
	EXPECT(1, "", "pvctl: wrong_state: VM web is already paused\n");
	PV("vm", "delete", "ghost");
	EXPECT(1, "", "pvctl: not_found: no VM named ghost\n");
	PVJ("vm", "delete", "rt0");
	EXPECT(0, "", "");
	assert_string_equal(pvrun.out, "");		/* 204: nothing to print */
}

static void test_qos(void **state)
{
	(void)state;
	PV("qos", "get", "rt0");
	EXPECT(0, "vm:              rt0\nclass:           realtime\nlatency budget:  100 µs\n"
	       "reservation:     200 µs every 1000 µs (deadline 0 µs)\n", "");
	assert_non_null(strstr(pvrun.out, "dedicated cpus:  2,3\n"));
	assert_non_null(strstr(pvrun.out, "apply latency:   850.5 µs\n"));
	assert_string_equal(pvfake.path, "/api/v1/vms/rt0/qos");
	PV("qos", "set", "rt0", "--class", "realtime", "--latency-budget-us", "100", "--runtime-us",
	   "200", "--period-us", "1000");
	EXPECT(0, "admitted:        yes", "");
	EXPECT_BODY("{'class':'realtime','latency_budget_us':100,'reservation':"
		    "{'runtime_us':200,'period_us':1000}}");
	PV("qos", "set", "rt0", "--class", "realtime", "--runtime-us", "900", "--period-us", "1000",
	   "--deadline-us", "1000");
	EXPECT(1, "", "pvctl: admission_rejected: utilisation would reach 1.05 of 0.95 on cpu 2 "
	       "(field reservation.runtime_us)\n");
	PV("qos", "clear", "rt0");
	EXPECT(0, "QoS of VM rt0 cleared (now best-effort)\n", "");
	assert_string_equal(pvfake.method, "DELETE");
	PVJ("qos", "get", "rt0");
	EXPECT_JSON_STDOUT(pvfake_qos_json);
	PV("qos", "set", "rt0", "--class", "realtime", "--runtime-us", "200");
	EXPECT(64, "", NULL);
	assert_non_null(strstr(pvrun.err, "a reservation needs both --runtime-us and --period-us"));
	PV("qos", "get", "nope");
	EXPECT(1, "", "pvctl: not_found: no VM named nope\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vm_list),
		cmocka_unit_test(test_vm_show),
		cmocka_unit_test(test_vm_create),
		cmocka_unit_test(test_vm_actions),
		cmocka_unit_test(test_qos),
	};

	return cmocka_run_group_tests_name("pvctl vm", tests, pvctl_run_setup,
					   pvctl_run_teardown);
}
