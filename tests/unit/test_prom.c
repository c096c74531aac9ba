// SPDX-License-Identifier: GPL-2.0-only
/* Prometheus exposition: escaping, number formats, cumulative histograms, promtool lint. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "api/prom.h"

static void test_samples_and_escaping(void **state)
{
	struct prom_buf b;
	struct prom_label l[] = { { "vm", "a\"b\\c\nd" }, { "reason", "pio" } };
	size_t len;
	char *text;

	(void)state;
	prom_init(&b);
	prom_family(&b, "powervisor_vm_exits_total", "counter", "VM exits by reason\nper VM");
	prom_sample(&b, "powervisor_vm_exits_total", l, 2, 12345);
	prom_sample(&b, "powervisor_node_power_watts", NULL, 0, 0.25);
	assert_int_equal(prom_error(&b), 0);
	text = prom_take(&b, &len);
	assert_non_null(strstr(text, "# HELP powervisor_vm_exits_total VM exits by reason\\nper VM\n"));
	assert_non_null(strstr(text, "# TYPE powervisor_vm_exits_total counter\n"));
	assert_non_null(strstr(text, "powervisor_vm_exits_total{vm=\"a\\\"b\\\\c\\nd\",reason=\"pio\"} 12345\n"));
	assert_non_null(strstr(text, "powervisor_node_power_watts 0.25\n"));
	assert_int_equal(strlen(text), len);
	free(text);
}

static void test_histogram_cumulative(void **state)
{
	struct prom_buf b;
	struct prom_label l[] = { { "vm", "rt0" } };
	struct pv_hist h;
	size_t len;
	char *text;

	(void)state;
	pv_hist_init(&h);
	pv_hist_add(&h, 500);		/* below the first bound, 1024 ns */
	pv_hist_add(&h, 2000);		/* <= 2048 ns */
	pv_hist_add(&h, 1000000);	/* <= 2^20 ns */
	pv_hist_add(&h, 30000000000ull);	/* 30 s: only +Inf */
	prom_init(&b);
	prom_family(&b, "powervisor_rt_lateness_seconds", "histogram", "lateness");
	prom_histogram(&b, "powervisor_rt_lateness_seconds", l, 1, &h, 1e-9);
	text = prom_take(&b, &len);
	assert_non_null(strstr(text, "powervisor_rt_lateness_seconds_bucket{vm=\"rt0\",le=\"1.024e-06\"} 1\n"));
	assert_non_null(strstr(text, "powervisor_rt_lateness_seconds_bucket{vm=\"rt0\",le=\"2.048e-06\"} 2\n"));
	assert_non_null(strstr(text, "powervisor_rt_lateness_seconds_bucket{vm=\"rt0\",le=\"0.000524288\"} 2\n"));
	assert_non_null(strstr(text, "powervisor_rt_lateness_seconds_bucket{vm=\"rt0\",le=\"0.001048576\"} 3\n"));
	assert_non_null(strstr(text, "powervisor_rt_lateness_seconds_bucket{vm=\"rt0\",le=\"17.179869184\"} 3\n"));
	assert_non_null(strstr(text, "powervisor_rt_lateness_seconds_bucket{vm=\"rt0\",le=\"+Inf\"} 4\n"));
	assert_non_null(strstr(text, "powervisor_rt_lateness_seconds_count{vm=\"rt0\"} 4\n"));
	assert_non_null(strstr(text, "powervisor_rt_lateness_seconds_sum{vm=\"rt0\"} 30.0010025\n"));
	free(text);
}

static void test_promtool_accepts(void **state)
{
	struct prom_buf b;
	struct prom_label l[] = { { "vm", "rt0" }, { "reason", "hlt" } };
	struct pv_hist h;
	char path[] = "/tmp/pv-prom-XXXXXX", cmd[256];
	size_t len;
	char *text;
	FILE *f;
	int fd;

	(void)state;
	if (access("/usr/bin/promtool", X_OK))
		skip();
	pv_hist_init(&h);
	pv_hist_add(&h, 12000);
	prom_init(&b);
	prom_family(&b, "powervisor_vm_exits_total", "counter", "VM exits by reason.");
	prom_sample(&b, "powervisor_vm_exits_total", l, 2, 3);
	prom_family(&b, "powervisor_vm_exit_latency_seconds", "histogram", "Exit handling time.");
	prom_histogram(&b, "powervisor_vm_exit_latency_seconds", l, 2, &h, 1e-9);
	text = prom_take(&b, &len);
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fwrite(text, 1, len, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s", path);
	assert_int_equal(system(cmd), 0);
	unlink(path);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples_and_escaping),
		cmocka_unit_test(test_histogram_cumulative),
		cmocka_unit_test(test_promtool_accepts),
	};

	return cmocka_run_group_tests_name("prom", tests, NULL, NULL);
}
