// SPDX-License-Identifier: GPL-2.0-only
/*
 * GET /metrics against its contract, docs/METRICS.md, from a hand-built snapshot: every
 * documented family is exposed with its type, nothing undocumented is, every sample carries
 * exactly the documented labels, chosen samples have the right values, histograms are
 * consistent, `promtool check metrics` accepts the text (when installed), and the per-
 * snapshot cache builds once per snapshot.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
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

#include "api/metrics.h"
#include "daemon/dvm.h"
#include "daemon/summary.h"
#include "tests/common/daemon_run.h"
#include "tests/common/fake_dsnap.h"

#define MAX_FAMILIES	64
#define MAX_LABELS	6

struct doc_family {
	char name[96];
	char type[16];
	char labels[MAX_LABELS][24];
	int nlabels;
	int seen;
};

static struct doc_family doc[MAX_FAMILIES];
static int ndoc;
static struct dsnap *snap;
static char *text;

static int find_doc(char *out, size_t len)
{
	char bindir[PATH_MAX];
	const char *env = getenv("PV_METRICS_DOC");

	if (env) {
		snprintf(out, len, "%s", env);
		return access(out, R_OK);
	}
	snprintf(out, len, "docs/METRICS.md");
	if (!access(out, R_OK))
		return 0;
	if (dr_find_bindir(bindir, sizeof(bindir), 3))
		return -1;
	snprintf(out, len, "%.*s/../docs/METRICS.md", PATH_MAX - 32, bindir);
	return access(out, R_OK);
}

/* The first `token` of @s (up to @end) into @out; pointer after it or NULL. */
static const char *backtick(const char *s, const char *end, char *out, size_t len)
{
	const char *a = memchr(s, '`', (size_t)(end - s)), *b;

	if (!a || !(b = memchr(a + 1, '`', (size_t)(end - a - 1))))
		return NULL;
	snprintf(out, len, "%.*s", (int)(b - a - 1), a + 1);
	return b + 1;
}

/* Rows "| `name` | type | labels | meaning |" of the table. */
static int parse_doc(void)
{
	char path[PATH_MAX], line[1024];
	FILE *f;

	if (find_doc(path, sizeof(path)))
		return -1;
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && ndoc < MAX_FAMILIES) {
		struct doc_family *d = &doc[ndoc];
		char *c1, *c2, *c3, *p;

		if (strncmp(line, "| `powervisor_", 14))
			continue;
		c1 = strchr(line + 1, '|');
		c2 = c1 ? strchr(c1 + 1, '|') : NULL;
		c3 = c2 ? strchr(c2 + 1, '|') : NULL;
		if (!c3 || !backtick(line, c1, d->name, sizeof(d->name)))
			continue;
		sscanf(c1 + 1, " %15s", d->type);
		/* labels: comma-separated parts, the first `token` of each is the label name */
		for (p = c2 + 1; p < c3 && d->nlabels < MAX_LABELS;) {
			char *comma = memchr(p, ',', (size_t)(c3 - p));
			char *end = comma ? comma : c3;

			if (backtick(p, end, d->labels[d->nlabels], sizeof(d->labels[0])))
				d->nlabels++;
			p = end + 1;
		}
		ndoc++;
	}
	fclose(f);
	return ndoc > 20 ? 0 : -1;
}

static int setup(void **state)
{
	size_t len;

	(void)state;
	if (parse_doc())
		return -1;
	snap = fake_dsnap_new(3);
	fake_dsnap_add_vm(snap, "alpha", DVM_RUNNING, PV_QOS_BEST_EFFORT, 2, 2);
	fake_dsnap_add_vm(snap, "beta", DVM_PAUSED, PV_QOS_REALTIME, 1, 1);
	fake_dsnap_add_vm(snap, "gamma", DVM_BACKOFF, PV_QOS_LATENCY_SENSITIVE, 1, 3);
	snap->base.seq = 7;
	return metrics_build(snap, &text, &len);
}

static int teardown(void **state)
{
	(void)state;
	free(text);
	free(snap);
	return 0;
}

static struct doc_family *doc_of(const char *family)
{
	int i;

	for (i = 0; i < ndoc; i++)
		if (!strcmp(doc[i].name, family))
			return &doc[i];
	return NULL;
}

/* Every TYPE line names a documented family with the documented type, and vice versa. */
static void test_families(void **state)
{
	char *copy = strdup(text), *save = NULL, *line;
	int i;

	(void)state;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128], type[32];
		struct doc_family *d;

		if (sscanf(line, "# TYPE %127s %31s", name, type) != 2)
			continue;
		d = doc_of(name);
		if (!d)
			fail_msg("family %s is not in docs/METRICS.md", name);
		if (strcmp(d->type, type))
			fail_msg("%s is a %s, the doc says %s", name, type, d->type);
		if (d->seen++)
			fail_msg("family %s appears twice", name);
	}
	for (i = 0; i < ndoc; i++)
		if (!doc[i].seen)
			fail_msg("documented %s is not exposed", doc[i].name);
	free(copy);
}

/* Each sample's label names are exactly the documented ones (+ le on buckets). */
static void test_labels(void **state)
{
	char *copy = strdup(text), *save = NULL, *line;
	int samples = 0;

	(void)state;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128], fam[128], *brace, *p;
		struct doc_family *d;
		int nl = 0, want, i;
		size_t n;

		if (line[0] == '#')
			continue;
		samples++;
		n = strcspn(line, "{ ");
		snprintf(name, sizeof(name), "%.*s", (int)n, line);
		snprintf(fam, sizeof(fam), "%s", name);
		d = doc_of(fam);
		for (i = 0; !d && i < 3; i++) {
			static const char *const sfx[] = { "_bucket", "_sum", "_count" };
			size_t fl = strlen(name), sl = strlen(sfx[i]);

			if (fl > sl && !strcmp(name + fl - sl, sfx[i])) {
				snprintf(fam, sizeof(fam), "%.*s", (int)(fl - sl), name);
				d = doc_of(fam);
			}
		}
		if (!d)
			fail_msg("sample of an unknown family: %s", line);
		want = d->nlabels + (strstr(name, "_bucket") ? 1 : 0);
		brace = line[n] == '{' ? line + n + 1 : NULL;
		for (p = brace; p && *p && *p != '}';) {
			char label[32];
			char *eq = strchr(p, '=');

			snprintf(label, sizeof(label), "%.*s", (int)(eq - p), p);
			for (i = 0; i < d->nlabels && strcmp(d->labels[i], label); i++)
				;
			if (i == d->nlabels && strcmp(label, "le"))
				fail_msg("%s: label %s is not documented", line, label);
			nl++;
			p = strchr(eq + 2, '"') + 1;	/* values here have no escaped quotes */
			if (*p == ',')
				p++;
		}
		if (nl != want)
			fail_msg("%s: %d labels, want %d", line, nl, want);
	}
	assert_true(samples > 200);
	free(copy);
}

static void test_values(void **state)
{
	static const char *const want[] = {
		"powervisor_build_info{version=\"9.9.9\"} 1\n",
		"powervisor_governor_info{governor=\"transition\",backend=\"model\"} 1\n",
		"powervisor_node_power_watts{source=\"model\"} 12.5\n",
		"powervisor_node_energy_joules_total{source=\"model\"} 1250\n",
		"powervisor_cpu_frequency_hertz{cpu=\"0\"} 2400000000\n",
		"powervisor_cpu_frequency_residency_seconds_total{cpu=\"1\",freq_mhz=\"800\"} 75\n",
		"powervisor_cpu_time_seconds_total{cpu=\"1\",state=\"idle\"} 8\n",
		"powervisor_cpu_cstate_residency_seconds_total{cpu=\"0\",state=\"C1\"} 20\n",
		"powervisor_cpu_latency_budget_seconds{cpu=\"0\"} 5e-05\n",
		"powervisor_cpu_frequency_floor_hertz{cpu=\"0\"} 1600000000\n",
		"powervisor_vm_info{vm=\"beta\",qos_class=\"realtime\",halt_mode=\"exit\"} 1\n",
		"powervisor_vm_state{vm=\"alpha\",state=\"running\"} 1\n",
		"powervisor_vm_state{vm=\"alpha\",state=\"paused\"} 0\n",
		"powervisor_vm_state{vm=\"beta\",state=\"paused\"} 1\n",
		"powervisor_vm_state{vm=\"gamma\",state=\"failed\"} 1\n",
		"powervisor_vm_energy_joules_total{vm=\"gamma\",source=\"model\"} 300\n",
		"powervisor_vcpu_time_seconds_total{vm=\"alpha\",vcpu=\"1\",state=\"guest\"} 4\n",
		"powervisor_vcpu_migrations_total{vm=\"gamma\",vcpu=\"0\"} 3\n",
		"powervisor_vm_exits_total{vm=\"alpha\",reason=\"pio\"} 200\n",
		"powervisor_vm_exit_latency_seconds_count{vm=\"alpha\",reason=\"pio\"} 200\n",
		"powervisor_vm_exit_latency_seconds_bucket{vm=\"beta\",reason=\"hlt\",le=\"1.6384e-05\"} 0\n",
		"powervisor_vm_exit_latency_seconds_bucket{vm=\"beta\",reason=\"hlt\",le=\"3.2768e-05\"} 7\n",
		"powervisor_vm_exit_latency_seconds_bucket{vm=\"beta\",reason=\"hlt\",le=\"+Inf\"} 7\n",
		"powervisor_rt_activations_total{vm=\"beta\"} 10\n",
		"powervisor_rt_deadline_misses_total{vm=\"beta\"} 1\n",
		"powervisor_rt_lateness_seconds_count{vm=\"gamma\"} 30\n",
		"powervisor_rt_lateness_seconds_sum{vm=\"gamma\"} 0.0012\n",
		"powervisor_qos_boosted{vm=\"beta\",vcpu=\"0\"} 1\n",
		"powervisor_qos_boosted{vm=\"alpha\",vcpu=\"0\"} 0\n",
		"powervisor_qos_reservation_admitted{vm=\"beta\"} 1\n",
		"powervisor_qos_reservation_admitted{vm=\"alpha\"} 0\n",
		"powervisor_qos_throttled_total{vm=\"alpha\"} 5\n",
		"powervisor_qos_apply_latency_seconds_count 1\n",
		"powervisor_device_power_state{device=\"uart\"} 1\n",
		"powervisor_trace_records_total{vm=\"alpha\"} 2000\n",
		"powervisor_trace_rejects_total{vm=\"alpha\",reason=\"type\"} 2\n",
		"powervisor_trace_rejects_total{vm=\"alpha\",reason=\"vcpu\"} 1\n",
		"powervisor_actuator_failures_total{actuator=\"pstate\"} 4\n",
		"powervisor_actuator_failures_total{actuator=\"cstate\"} 0\n",
		"powervisor_actuator_failures_total{actuator=\"device\"} 1\n",
		"powervisor_actuator_failures_total{actuator=\"vmm\"} 0\n",
		"powervisor_actuator_failures_total{actuator=\"unclassified\"} 2\n",
		"powervisor_trace_drops_total{vm=\"beta\"} 4\n",
		"powervisor_policy_tick_duration_seconds_count 1\n",
	};
	static const char *const absent[] = {
		"powervisor_cpu_latency_budget_seconds{cpu=\"1\"}",	/* no budget there */
		"powervisor_vm_exit_latency_seconds_count{vm=\"alpha\",reason=\"mmio\"}",
		"powervisor_vm_exits_total{vm=\"alpha\",reason=\"mmio\"}",	/* none yet */
		"powervisor_trace_rejects_total{vm=\"alpha\",reason=\"time\"}",	/* none */
		"powervisor_trace_rejects_total{vm=\"alpha\",reason=\"unclassified\"}",
		"powervisor_trace_rejects_total{vm=\"alpha\",reason=\"ok\"}",
		"powervisor_actuator_failures_total{actuator=\"power\"}",
		"NaN", "\n\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(text, want[i]))
			fail_msg("missing: %s", want[i]);
	for (i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		if (strstr(text, absent[i]))
			fail_msg("should not be there: %s", absent[i]);
}

static void test_promtool(void **state)
{
	char tmp[] = "/tmp/pv-metrics-XXXXXX", cmd[128];
	int fd, st;

	(void)state;
	if (access("/usr/bin/promtool", X_OK)) {
		print_message("promtool not installed: check skipped\n");
		skip();
	}
	fd = mkstemp(tmp);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	snprintf(cmd, sizeof(cmd), "/usr/bin/promtool check metrics < %s", tmp);
	st = system(cmd);
	unlink(tmp);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* One build per snapshot; a newer snapshot rebuilds; a broken family would show. */
static void test_cache(void **state)
{
	struct metrics_cache mc;
	char *t1, *t2, *t3;
	size_t l1, l2, l3;

	(void)state;
	assert_int_equal(metrics_cache_init(&mc), 0);
	assert_int_equal(metrics_get(&mc, snap, &t1, &l1), 0);
	assert_int_equal(metrics_get(&mc, snap, &t2, &l2), 0);
	assert_int_equal(mc.builds, 1);
	assert_int_equal(l1, l2);
	assert_memory_equal(t1, t2, l1);
	assert_string_equal(t1, text);
	snap->vms[0].total.exits[PV_EXIT_PIO] = 201;
	assert_int_equal(metrics_get(&mc, snap, &t3, &l3), 0);
	assert_int_equal(mc.builds, 1);		/* same seq: the cached text, by design */
	snap->base.seq = 8;
	free(t3);
	assert_int_equal(metrics_get(&mc, snap, &t3, &l3), 0);
	assert_int_equal(mc.builds, 2);
	assert_non_null(strstr(t3, "powervisor_vm_exits_total{vm=\"alpha\",reason=\"pio\"} 201\n"));
	snap->vms[0].total.exits[PV_EXIT_PIO] = 200;
	snap->base.seq = 7;
	free(t1);
	free(t2);
	free(t3);
	metrics_cache_fini(&mc);
}

/* --summary-json carries the same failure counts: the total, and by kind adding up to it. */
static void test_summary_failures(void **state)
{
	static const struct {
		const char *kind;
		json_int_t n;
	} want[] = {
		{ "pstate", 4 }, { "cstate", 0 }, { "cpu_read", 0 }, { "energy", 0 },
		{ "governor", 0 }, { "device", 1 }, { "sched", 0 }, { "vmm", 0 },
		{ "unclassified", 2 },
	};
	json_t *j = summary_json(snap), *by;
	size_t i;

	(void)state;
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "actuator_failures")), 7);
	by = json_object_get(j, "actuator_failures_by_kind");
	assert_int_equal(json_object_size(by), sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		json_t *n = json_object_get(by, want[i].kind);

		if (!json_is_integer(n) || json_integer_value(n) != want[i].n)
			fail_msg("actuator_failures_by_kind.%s: want %lld", want[i].kind,
				 (long long)want[i].n);
	}
	json_decref(j);
}

struct racer {
	struct metrics_cache *mc;
	struct dsnap *s;
	int errors;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	int i;

	for (i = 0; i < 200; i++) {
		char *t;
		size_t l;

		if (metrics_get(r->mc, r->s, &t, &l) || !strstr(t, "powervisor_policy_tick"))
			r->errors++;
		else
			free(t);
	}
	return NULL;
}

/* Threads scraping the same snapshot: every answer complete, few builds. */
/*
 * Responses share the cached text (no copy per request) and keep it alive after the cache
 * moved on to a newer snapshot; each is released once (under ASan/valgrind a use after
 * free or a leak here shows).
 */
static void test_shared_responses(void **state)
{
	struct metrics_cache mc;
	struct api_resp r1 = { 0 }, r2 = { 0 }, r3 = { 0 };

	(void)state;
	assert_int_equal(metrics_cache_init(&mc), 0);
	assert_int_equal(metrics_cache_respond(&mc, snap, metrics_build, "text/plain", false, &r1), 0);
	assert_int_equal(metrics_cache_respond(&mc, snap, metrics_build, "text/plain", false, &r2), 0);
	assert_int_equal(r1.status, 200);
	assert_ptr_equal(r1.text, r2.text);		/* one text, two readers */
	assert_int_equal(r1.text_len, strlen(text));
	assert_string_equal(r1.content_type, "text/plain");
	api_resp_free(&r1);
	assert_memory_equal(r2.text, text, r2.text_len);	/* still there for r2 */
	snap->base.seq = 8;
	snap->vms[0].total.exits[PV_EXIT_PIO] = 201;
	assert_int_equal(metrics_cache_respond(&mc, snap, metrics_build, "text/plain", false, &r3), 0);
	assert_ptr_not_equal(r3.text, r2.text);		/* rebuilt for the newer snapshot */
	assert_non_null(strstr(r3.text, "reason=\"pio\"} 201\n"));
	assert_memory_equal(r2.text, text, r2.text_len);	/* the old one lives on for r2 */
	metrics_cache_fini(&mc);			/* the cache's reference goes first */
	assert_non_null(strstr(r3.text, "reason=\"pio\"} 201\n"));	/* r3 still holds it */
	api_resp_free(&r2);
	api_resp_free(&r3);
	snap->vms[0].total.exits[PV_EXIT_PIO] = 200;
	snap->base.seq = 7;
}

static void test_cache_threads(void **state)
{
	struct metrics_cache mc;
	struct racer r[4];
	pthread_t th[4];
	int i;

	(void)state;
	assert_int_equal(metrics_cache_init(&mc), 0);
	for (i = 0; i < 4; i++) {
		r[i] = (struct racer){ &mc, snap, 0 };
		pthread_create(&th[i], NULL, race, &r[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(r[i].errors, 0);
	}
	assert_true(mc.builds >= 1 && mc.builds <= 4);
	metrics_cache_fini(&mc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_promtool),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_shared_responses),
		cmocka_unit_test(test_cache_threads),
		cmocka_unit_test(test_summary_failures),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
