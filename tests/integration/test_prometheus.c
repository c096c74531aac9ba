// SPDX-License-Identifier: GPL-2.0-only
/*
 * A real Prometheus (Debian's /usr/bin/prometheus) scrapes the real powervisord: the daemon
 * with two VMs and a token file, Prometheus on a free loopback port with a temporary
 * configuration scraping /metrics every second with a read token, then a query through
 * Prometheus's HTTP API must return powervisor_vm_exits_total for both VMs and `up` = 1.
 * Bounded in time (~20 s at worst); skipped when Prometheus or /dev/kvm is missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
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

#define PROMETHEUS	"/usr/bin/prometheus"
#define QUERY_WAIT_MS	20000u

static struct apid d;
static pid_t prom_pid;
static uint16_t prom_port;
static char prom_log[160];

static const char cfg[] =
	"{ \"node\": { \"tick_ms\": 10, \"backend\": \"model\" },\n"
	"  \"vms\": [\n"
	"    { \"name\": \"idle1\", \"workload\": \"idle\", \"memory_mib\": 16 },\n"
	"    { \"name\": \"rt1\", \"workload\": \"rt:period_us=2000,wcet_us=100\", \"memory_mib\": 16 }\n"
	"  ] }\n";

static pid_t start_prometheus(void)
{
	char conf[160], tok[160], data[160], cfgarg[200], dataarg[200], listen[80], text[1024];
	pid_t pid;

	snprintf(conf, sizeof(conf), "%s/prometheus.yml", d.dir);
	snprintf(tok, sizeof(tok), "%s/prom-token", d.dir);
	snprintf(data, sizeof(data), "%s/prom-data", d.dir);
	snprintf(prom_log, sizeof(prom_log), "%s/prometheus.log", d.dir);
	dr_write_file(tok, APID_READ_TOKEN "\n");
	snprintf(text, sizeof(text),
		 "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
		 "scrape_configs:\n"
		 "  - job_name: powervisor\n"
		 "    scrape_interval: 1s\n    scrape_timeout: 900ms\n"
		 "    authorization:\n      type: Bearer\n      credentials_file: %s\n"
		 "    static_configs:\n      - targets: ['127.0.0.1:%u']\n", tok, (unsigned int)d.port);
	dr_write_file(conf, text);
	prom_port = apid_free_port();
	snprintf(cfgarg, sizeof(cfgarg), "--config.file=%s", conf);
	snprintf(dataarg, sizeof(dataarg), "--storage.tsdb.path=%s", data);
	snprintf(listen, sizeof(listen), "--web.listen-address=127.0.0.1:%u", (unsigned int)prom_port);
	pid = fork();
	if (pid == 0) {
		int fd = open(prom_log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		dup2(fd, 1);
		dup2(fd, 2);
		execl(PROMETHEUS, PROMETHEUS, cfgarg, dataarg, listen, "--log.level=warn",
		      "--storage.tsdb.retention.time=1h", (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int setup(void **state)
{
	(void)state;
	if (apid_start(&d, cfg, true, NULL, 15000))
		return -1;
	if (apid_wait_running(&d, (const char *const[]){ "rt1", NULL }, 20000))
		return -1;
	prom_pid = start_prometheus();
	return prom_pid > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	if (prom_pid > 0) {
		kill(prom_pid, SIGTERM);
		dr_wait_exit(prom_pid, 5000);
	}
	apid_stop(&d);
	return 0;
}

/*
 * Prometheus answers with Transfer-Encoding: chunked, which the test client does not
 * decode: undo it in place ("<hex>\r\n<data>\r\n" ... "0\r\n\r\n"); other bodies stay.
 */
static void dechunk(char *body)
{
	char *in = body, *out = body, *end;
	unsigned long n;

	if (body[0] == '{')
		return;
	for (;;) {
		n = strtoul(in, &end, 16);
		if (end == in || strncmp(end, "\r\n", 2))
			break;
		in = end + 2;
		if (!n || strlen(in) < n)
			break;
		memmove(out, in, n);
		out += n;
		in += n;
		if (!strncmp(in, "\r\n", 2))
			in += 2;
	}
	*out = '\0';
}

/* Prometheus's answer to @query: the "result" array (NULL while not there yet). */
static json_t *prom_query(const char *query)
{
	struct http_result r;
	char path[256];
	json_t *j, *res = NULL;

	snprintf(path, sizeof(path), "/api/v1/query?query=%s", query);
	if (http_request(prom_port, NULL, "GET", path, NULL, NULL, 0, 3000, &r))
		return NULL;
	if (r.status == 200)
		dechunk(r.body);
	j = r.status == 200 ? json_loads(r.body, 0, NULL) : NULL;
	http_result_free(&r);
	if (j && !strcmp(json_string_value(json_object_get(j, "status")) ?: "", "success"))
		res = json_incref(json_object_get(json_object_get(j, "data"), "result"));
	json_decref(j);
	return res;
}

/* Does @result have a series with label vm=@vm (and a value > @min)? */
static bool has_vm(json_t *result, const char *vm, double min)
{
	json_t *s;
	size_t i;

	json_array_foreach(result, i, s) {
		const char *v = json_string_value(json_object_get(json_object_get(s, "metric"), "vm"));
		const char *val = json_string_value(json_array_get(json_object_get(s, "value"), 1));

		if (v && !strcmp(v, vm) && val && strtod(val, NULL) > min)
			return true;
	}
	return false;
}

static void test_scraped_and_queried(void **state)
{
	uint64_t end = dr_now_ms() + QUERY_WAIT_MS;
	bool ok = false;
	json_t *res = NULL;

	(void)state;
	while (!ok && dr_now_ms() < end) {
		json_decref(res);
		usleep(500000);
		res = prom_query("powervisor_vm_exits_total");
		ok = res && has_vm(res, "rt1", 0) && has_vm(res, "idle1", -1);
	}
	if (!ok) {
		char *log = dr_slurp(prom_log);
		struct http_result r;

		if (!http_request(prom_port, NULL, "GET", "/api/v1/targets", NULL, NULL, 0, 3000, &r)) {
			print_message("prometheus targets: %s\n", r.body);
			http_result_free(&r);
		}
		fail_msg("no powervisor_vm_exits_total series for rt1 and idle1 within %u ms; "
			 "prometheus log:\n%s", QUERY_WAIT_MS, log);
	}
	print_message("prometheus returned %zu powervisor_vm_exits_total series\n",
		      json_array_size(res));
	json_decref(res);
	/* the target is healthy (auth accepted, text parsed) */
	res = prom_query("up");
	assert_non_null(res);
	assert_int_equal(json_array_size(res), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(
		json_array_get(res, 0), "value"), 1)), "1");
	json_decref(res);
	/* a histogram made it through too */
	res = prom_query("powervisor_rt_lateness_seconds_count");
	assert_true(res && has_vm(res, "rt1", 0));
	json_decref(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scraped_and_queried),
	};

	if (access(PROMETHEUS, X_OK)) {
		printf("test_prometheus: SKIP: %s is not installed\n", PROMETHEUS);
		return 0;
	}
	if (apid_find_bindir(d.bindir, sizeof(d.bindir)) || !apid_can_run(d.bindir)) {
		printf("test_prometheus: SKIP: no /dev/kvm or no build with the guest\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
