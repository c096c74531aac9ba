// SPDX-License-Identifier: GPL-2.0-only
/* powervisord configuration: defaults, the embedded configuration, and every rejection. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "daemon/config.h"

static void test_default_config(void **state)
{
	struct cfg cfg;
	char err[CFG_ERR_MAX] = "";

	(void)state;
	assert_int_equal(cfg_parse(&cfg, cfg_default_json, err), 0);
	assert_int_equal(cfg.nvms, 3);
	assert_string_equal(cfg.vms[0].name, "rt0");
	assert_int_equal(cfg.vms[0].qos, PV_QOS_REALTIME);
	assert_true(cfg.vms[0].reservation.set);
	assert_int_equal(cfg.vms[0].reservation.runtime_us, 600);
	assert_int_equal(cfg.vms[0].halt_mode, PV_HALT_POLL);
	assert_int_equal(cfg.vms[0].restart, CFG_RESTART_ON_FAILURE);
	assert_string_equal(cfg.vms[1].workload, "cpu");
	assert_int_equal(cfg.vms[1].qos, PV_QOS_BEST_EFFORT);
	assert_string_equal(cfg.vms[2].name, "burst0");
	assert_int_equal(cfg.node.tick_ms, 10);
	assert_string_equal(cfg.node.governor, "transition");
	assert_string_equal(cfg.node.listen[0], "127.0.0.1:8035");
}

static void test_empty_object_gives_defaults(void **state)
{
	struct cfg cfg;
	char err[CFG_ERR_MAX] = "";

	(void)state;
	assert_int_equal(cfg_parse(&cfg, "{}", err), 0);
	assert_int_equal(cfg.nvms, 0);
	assert_int_equal(cfg.node.tick_ms, DEF_TICK_MS);
	assert_string_equal(cfg.node.backend, "auto");
	assert_string_equal(cfg.node.state_dir, "/var/lib/powervisor");
}

struct bad_case {
	const char *json;
	const char *error;	/* expected prefix of the message: the field, then the reason */
};

static const struct bad_case bad_cases[] = {
	{ "", "(json) line" },
	{ "[]", "(root): must be a JSON object" },
	{ "{\"nodes\":{}}", "nodes: unknown field" },
	{ "{\"node\":[]}", "node: must be an object" },
	{ "{\"node\":{\"tick_ms\":0}}", "node.tick_ms: must be between 1 and 1000" },
	{ "{\"node\":{\"tick_ms\":\"10\"}}", "node.tick_ms: must be an integer" },
	{ "{\"node\":{\"tick_ms\":1.5}}", "node.tick_ms: must be an integer" },
	{ "{\"node\":{\"backend\":\"acpi\"}}", "node.backend: must be one of: auto, cpupower, model" },
	{ "{\"node\":{\"governor\":\"schedutil\"}}", "node.governor: must be one of" },
	{ "{\"node\":{\"listen\":\"x\"}}", "node.listen: must be an array" },
	{ "{\"node\":{\"listen\":[\"nowhere\"]}}", "node.listen: entry 0: \"nowhere\" is neither" },
	{ "{\"node\":{\"listen\":[1]}}", "node.listen: entry 0 must be a non-empty string" },
	{ "{\"node\":{\"state_dir\":\"\"}}", "node.state_dir: must not be empty" },
	{ "{\"node\":{\"state_dir\":\"/var/lib/powervisor/a-very-long-directory-name-that-goes-on-and-on\"}}",
	  "node.state_dir: longer than 64 bytes" },
	{ "{\"node\":{\"tls_cert\":\"/c.pem\"}}", "node.tls_key: tls_cert and tls_key go together" },
	{ "{\"node\":{\"tls_cert\":\"/nonexistent/c.pem\",\"tls_key\":\"/nonexistent/k.pem\"}}",
	  "node.tls_cert: cannot read /nonexistent/c.pem: No such file or directory" },
	{ "{\"node\":{\"tls_cert\":\"/dev/null\",\"tls_key\":\"/nonexistent/k.pem\"}}",
	  "node.tls_key: cannot read /nonexistent/k.pem: No such file or directory" },
	{ "{\"node\":{\"colour\":1}}", "node.colour: unknown field" },
	{ "{\"vms\":{}}", "vms: must be an array" },
	{ "{\"vms\":[1]}", "vms[0]: must be an object" },
	{ "{\"vms\":[{}]}", "vms[0].name: is required" },
	{ "{\"vms\":[{\"name\":\"Bad Name\"}]}", "vms[0].name: must be 1+ characters" },
	{ "{\"vms\":[{\"name\":\"a\"},{\"name\":\"a\"}]}", "vms[1].name: \"a\" is already used by vms[0]" },
	{ "{\"vms\":[{\"name\":\"a\",\"vcpus\":0}]}", "vms[0].vcpus: must be between 1 and 16" },
	{ "{\"vms\":[{\"name\":\"a\",\"vcpus\":-1}]}", "vms[0].vcpus: must be between 1 and 16" },
	{ "{\"vms\":[{\"name\":\"a\",\"memory_mib\":8}]}", "vms[0].memory_mib: must be between 16" },
	{ "{\"vms\":[{\"name\":\"a\",\"qos\":\"gold\"}]}", "vms[0].qos: must be one of: best-effort" },
	{ "{\"vms\":[{\"name\":\"a\",\"halt_mode\":\"guest\"}]}", "vms[0].halt_mode: must be one of" },
	{ "{\"vms\":[{\"name\":\"a\",\"restart\":\"always\"}]}", "vms[0].restart: must be one of" },
	{ "{\"vms\":[{\"name\":\"a\",\"qos\":\"realtime\"}]}",
	  "vms[0].reservation: is required for qos \"realtime\"" },
	{ "{\"vms\":[{\"name\":\"a\",\"reservation\":{\"runtime_us\":1,\"period_us\":10}}]}",
	  "vms[0].reservation: only applies to qos \"realtime\"" },
	{ "{\"vms\":[{\"name\":\"a\",\"qos\":\"realtime\",\"reservation\":{\"runtime_us\":900,\"period_us\":500}}]}",
	  "vms[0].reservation.runtime_us: must not exceed period_us" },
	{ "{\"vms\":[{\"name\":\"a\",\"qos\":\"realtime\",\"reservation\":{\"period_us\":500}}]}",
	  "vms[0].reservation: runtime_us and period_us are required" },
	{ "{\"vms\":[{\"name\":\"a\",\"qos\":\"realtime\",\"reservation\":{\"runtime_us\":100,\"period_us\":500,\"cpu\":1}}]}",
	  "vms[0].reservation.cpu: unknown field" },
	{ "{\"vms\":[{\"name\":\"a\",\"workload\":\"\"}]}", "vms[0].workload: must not be empty" },
	/* the guest's grammar (daemon/wlspec.c; its own case table is tests/unit/test_wlspec.c) */
	{ "{\"vms\":[{\"name\":\"a\",\"workload\":\"idle;spin\"}]}",
	  "vms[0].workload: unknown workload in 'spin'" },
	{ "{\"vms\":[{\"name\":\"a\",\"workload\":\"cpu:vcpu=1\"}]}",
	  "vms[0].workload: vcpu= beyond the vCPU count in 'cpu:vcpu=1'" },
	{ "{\"vms\":[{\"name\":\"a\",\"kernel\":\"/boot/vmlinuz\",\"workload\":\"rt\"}]}",
	  "vms[0].workload: missing required key in 'rt'" },
	{ "{\"vms\":[{\"name\":\"a\",\"kernel\":7}]}", "vms[0].kernel: must be a string" },
	{ "{\"vms\":[{\"name\":\"a\",\"vcpu\":2}]}", "vms[0].vcpu: unknown field" },
	{ "{\"vms\":[{\"name\":\"a\",\"name\":\"b\"}]}", "(json) line" },
	{ "{\"node\":{\"groups\":{}}}", "node.groups: must be an array" },
	{ "{\"node\":{\"groups\":[{\"name\":\"g\"}]}}",
	  "node.groups[0]: name, runtime_us and period_us are required" },
	{ "{\"node\":{\"groups\":[{\"name\":\"g\",\"runtime_us\":900,\"period_us\":500}]}}",
	  "node.groups[0].runtime_us: must not exceed period_us" },
	{ "{\"node\":{\"groups\":[{\"name\":\"g\",\"runtime_us\":1,\"period_us\":500},"
	  "{\"name\":\"g\",\"runtime_us\":1,\"period_us\":500}]}}",
	  "node.groups[1].name: \"g\" is already used" },
	{ "{\"vms\":[{\"name\":\"a\",\"qos\":\"realtime\",\"group\":\"nope\","
	  "\"reservation\":{\"runtime_us\":100,\"period_us\":1000}}]}",
	  "vms[0].group: no group \"nope\" in node.groups" },
	{ "{\"vms\":[{\"name\":\"a\",\"group\":\"g\"}]}", "vms[0].group: only applies to qos" },
};

static void test_bad_configs(void **state)
{
	struct cfg cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		char err[CFG_ERR_MAX] = "";

		if (cfg_parse(&cfg, bad_cases[i].json, err) != -EINVAL ||
		    strncmp(err, bad_cases[i].error, strlen(bad_cases[i].error)))
			fail_msg("case %zu %s: got \"%s\", want \"%s…\"", i, bad_cases[i].json, err,
				 bad_cases[i].error);
	}
}

static void test_long_string_rejected(void **state)
{
	char json[2048], err[CFG_ERR_MAX] = "";
	char longname[CFG_NAME_MAX + 8];
	struct cfg cfg;

	(void)state;
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	snprintf(json, sizeof(json), "{\"vms\":[{\"name\":\"%s\"}]}", longname);
	assert_int_equal(cfg_parse(&cfg, json, err), -EINVAL);
	assert_non_null(strstr(err, "vms[0].name: longer than 31 bytes"));
}

static void test_vm_json_round_trip(void **state)
{
	struct cfg cfg;
	struct cfg_vm back;
	char err[CFG_ERR_MAX] = "";
	json_t *j;

	(void)state;
	assert_int_equal(cfg_parse(&cfg, cfg_default_json, err), 0);
	j = cfg_vm_to_json(&cfg.vms[0]);
	assert_non_null(j);
	assert_int_equal(cfg_vm_from_json(&back, j, "", err), 0);
	assert_memory_equal(&back, &cfg.vms[0], sizeof(back));
	json_decref(j);
}

static void test_load_missing_file(void **state)
{
	struct cfg cfg;
	char err[CFG_ERR_MAX] = "";

	(void)state;
	assert_int_equal(cfg_load(&cfg, "/nonexistent/powervisor.json", err), -EINVAL);
	assert_non_null(strstr(err, "/nonexistent/powervisor.json"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_config),
		cmocka_unit_test(test_empty_object_gives_defaults),
		cmocka_unit_test(test_bad_configs),
		cmocka_unit_test(test_long_string_rejected),
		cmocka_unit_test(test_vm_json_round_trip),
		cmocka_unit_test(test_load_missing_file),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
