// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvctl top — a live view of the node: power and governor, per-CPU frequency, utilisation
 * and C-states, per-VM state, CPU, power and real-time misses, refreshed every interval.
 *
 * Plain ANSI, no curses: each frame is composed in memory and written at once after
 * "home + clear", so the screen never shows half a frame. On a terminal stdin is put in
 * non-canonical, no-echo mode to read 'q' without Enter (ISIG stays on, so Ctrl-C still
 * raises SIGINT, which only sets a flag); the terminal is restored on every exit path.
 * When stdout is not a terminal (scripts, tests) frames are printed one after another
 * without escape sequences.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "api/pvctl.h"

#define TOP_USAGE "pvctl top [--interval DURATION] [--iterations N]"
#define DEF_TOP_INTERVAL_MS	1000
#define MIN_TOP_INTERVAL_MS	10
#define MAX_TOP_INTERVAL_MS	3600000

enum { TOPO_INTERVAL = 1, TOPO_ITER };

static const struct pvctl_opt top_opts[] = {
	{ "interval", 0, true, TOPO_INTERVAL },
	{ "iterations", 'n', true, TOPO_ITER },
	{ NULL, 0, false, 0 },
};

struct top_term {
	bool tty_in, tty_out, raw;
	struct termios saved;
};

int pvctl_top_parse(int argc, char **argv, struct pvctl_top_opts *o, char *err, size_t errlen)
{
	struct pvctl_optiter it;
	const char *arg;
	int id;

	memset(o, 0, sizeof(*o));
	o->interval_ms = DEF_TOP_INTERVAL_MS;
	pvctl_opt_init(&it, argc, argv);
	while ((id = pvctl_opt_next_only(&it, top_opts, &arg, err, errlen)) != 0) {
		if (id < 0)
			return id;
		if (id == TOPO_ITER) {
			if (pvctl_parse_int(arg, "--iterations", 0, INT32_MAX, &o->iterations, err,
					    errlen))
				return -EINVAL;
			continue;
		}
		if (pvctl_parse_duration_in(arg, "--interval", MIN_TOP_INTERVAL_MS,
					    MAX_TOP_INTERVAL_MS, "10ms..1h", &o->interval_ms, err,
					    errlen))
			return -EINVAL;
	}
	return 0;
}

static void top_term_enter(struct top_term *t, FILE *out)
{
	struct termios raw;

	t->tty_in = isatty(STDIN_FILENO);
	t->tty_out = isatty(fileno(out));
	if (t->tty_in && t->tty_out && !tcgetattr(STDIN_FILENO, &t->saved)) {
		raw = t->saved;
		raw.c_lflag &= (tcflag_t)~(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		t->raw = !tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	if (t->tty_out)
		fputs("\033[?25l", out);	/* hide the cursor */
}

static void top_term_leave(struct top_term *t, FILE *out)
{
	if (t->raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
	if (t->tty_out)
		fputs("\033[?25h", out);
	fflush(out);
}

/* Wait @ms; true when the user asked to quit ('q') or a signal did. */
static bool top_wait(const struct top_term *t, uint64_t ms)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	struct timespec start, now;
	char c;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		int64_t left;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (int64_t)ms - ((now.tv_sec - start.tv_sec) * 1000 +
				      (now.tv_nsec - start.tv_nsec) / 1000000);
		if (pvctl_stop)
			return true;
		if (left <= 0)
			return false;
		if (poll(t->raw ? &pfd : NULL, t->raw ? 1 : 0, (int)left) > 0 &&
		    read(STDIN_FILENO, &c, 1) == 1 && (c == 'q' || c == 'Q'))
			return true;
	}
}

static void top_print_vms(FILE *out, json_t *vms)
{
	static const struct pvctl_col cols[] = {
		{ "VM", PVCTL_LEFT }, { "STATE", PVCTL_LEFT }, { "QOS", PVCTL_LEFT },
		{ "VCPUS", PVCTL_RIGHT }, { "CPU (%)", PVCTL_RIGHT }, { "POWER (W)", PVCTL_RIGHT },
		{ "ENERGY (J)", PVCTL_RIGHT }, { "RT MISSES", PVCTL_RIGHT },
	};
	struct pvctl_table t;
	char b[32];
	json_t *vm;
	size_t i;

	if (!json_array_size(vms)) {
		fputs("no VMs\n", out);
		return;
	}
	pvctl_table_init(&t, cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(vms, i, vm) {
		pvctl_table_cell(&t, "%s", pvctl_jstr(vm, "name"));
		pvctl_table_cell(&t, "%s", pvctl_jstr(vm, "state"));
		pvctl_table_cell(&t, "%s", pvctl_jstr(vm, "qos"));
		pvctl_table_cell(&t, "%s", pvctl_jint(vm, "vcpus", b, sizeof(b)));
		pvctl_table_cell(&t, "%s", pvctl_jnum(vm, "cpu_pct", 1, b, sizeof(b)));
		pvctl_table_cell(&t, "%s", pvctl_jnum(vm, "power_w", 2, b, sizeof(b)));
		pvctl_table_cell(&t, "%s", pvctl_jnum(vm, "energy_j", 1, b, sizeof(b)));
		pvctl_table_cell(&t, "%s", pvctl_jint(vm, "rt_misses", b, sizeof(b)));
	}
	pvctl_table_print(&t, out);
	pvctl_table_free(&t);
}

static void top_frame(FILE *out, const struct top_term *t, json_t *node, json_t *vms)
{
	json_t *pw = json_object_get(node, "power");
	char host[64], b[2][32], clock[16];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	pvctl_text_sanitize(host, sizeof(host), pvctl_jstr(node, "hostname"));
	fprintf(out, "pvctl top — %s  %s  governor %s (%s)  node %s W, %s J (%s)\n\n", host, clock,
		pvctl_jstr(node, "governor"), pvctl_jstr(node, "backend"),
		pvctl_jnum(pw, "watts", 2, b[0], 32), pvctl_jnum(pw, "energy_j", 1, b[1], 32),
		pvctl_jstr(pw, "source"));
	pvctl_node_print_cpus(out, node);
	fputc('\n', out);
	top_print_vms(out, vms);
	if (t->raw)
		fputs("\nq or Ctrl-C to quit\n", out);
}

/* One refresh: fetch, compose, write. 0 or an exit status. */
static int top_refresh(struct pvctl *p, const struct top_term *t)
{
	json_t *node = NULL, *vms = NULL;
	char *frame = NULL;
	size_t len = 0;
	FILE *mem;
	int rc;

	rc = pvctl_fetch(p, "GET", "/api/v1/node", NULL, &node);
	if (!rc)
		rc = pvctl_fetch(p, "GET", "/api/v1/vms", NULL, &vms);
	if (rc)
		goto out;
	if (p->json) {
		json_t *both = json_pack("{s:O, s:O}", "node", node, "vms",
					 json_object_get(vms, "vms") ?: json_null());

		pvctl_print_json(p, both);
		json_decref(both);
		goto out;
	}
	mem = open_memstream(&frame, &len);
	if (!mem) {
		rc = PVCTL_EXIT_FAIL;
		goto out;
	}
	if (t->tty_out)
		fputs("\033[H\033[2J", mem);	/* home, clear */
	top_frame(mem, t, node, json_object_get(vms, "vms"));
	fclose(mem);
	fwrite(frame, 1, len, p->out);
	free(frame);
out:
	fflush(p->out);
	json_decref(node);
	json_decref(vms);
	return rc;
}

int pvctl_cmd_top(struct pvctl *p, int argc, char **argv)
{
	struct pvctl_top_opts o;
	struct top_term t = { 0 };
	char err[PVCTL_ERR_MAX];
	long long i;
	int rc = 0;

	if (pvctl_top_parse(argc, argv, &o, err, sizeof(err)))
		return pvctl_usage(p, TOP_USAGE, err);
	top_term_enter(&t, p->out);
	for (i = 0; !o.iterations || i < o.iterations; i++) {
		if (i && !t.tty_out && !p->json)
			fputc('\n', p->out);	/* frames one after another */
		rc = top_refresh(p, &t);
		if (rc)
			break;
		if ((o.iterations && i + 1 >= o.iterations) || top_wait(&t, o.interval_ms))
			break;
	}
	top_term_leave(&t, p->out);
	return rc == 130 ? 0 : rc;
}
