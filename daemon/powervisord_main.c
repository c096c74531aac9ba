// SPDX-License-Identifier: GPL-2.0-only
/*
 * powervisord: the node daemon.
 *
 *   powervisord [--config FILE] [--state-dir DIR] [--run-for SECONDS] [--summary-json FILE]
 *               [--listen ADDR]... [--token-file FILE] [--api-rate N] [--keep-vms] [--quiet]
 *               [--check-config]
 *
 * Without --config it runs the embedded default configuration (a real-time, a batch and a
 * bursty pvguest VM). Exit status: 0 clean, 1 runtime failure, 2 bad arguments or
 * configuration (the message names the field).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/apiserver.h"
#include "api/ratelimit.h"
#include "daemon/config.h"
#include "daemon/daemon.h"
#include "daemon/summary.h"

#define MAX_RUN_FOR_S	(7u * 24 * 3600)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: powervisord [--config FILE] [--state-dir DIR] [--run-for SECONDS]\n"
		"                   [--summary-json FILE] [--listen ADDR]... [--token-file FILE]\n"
		"                   [--api-rate N] [--keep-vms] [--quiet] [--check-config]\n"
		"  --config FILE        JSON configuration (default: the embedded one, see --print-default)\n"
		"  --state-dir DIR      state directory (overrides node.state_dir)\n"
		"  --run-for SECONDS    stop after this long, shutting the VMs down\n"
		"  --summary-json FILE  write a JSON summary of the run at exit\n"
		"  --listen ADDR        serve the API on ADDR (host:port, [v6]:port, unix:/path);\n"
		"                       repeatable, replaces node.listen\n"
		"  --token-file FILE    API bearer tokens (replaces node.token_file)\n"
		"  --api-rate N         API requests per second per client (0 = no limit)\n"
		"  --keep-vms           leave VMMs running at exit (a restarted daemon re-attaches)\n"
		"  --quiet              no per-second summary on stdout\n"
		"  --check-config       validate the configuration and exit\n"
		"  --print-default      print the embedded default configuration and exit\n");
}

static int parse_uint(const char *s, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "run-for", required_argument, NULL, 'r' },
		{ "summary-json", required_argument, NULL, 'j' },
		{ "listen", required_argument, NULL, 'l' },
		{ "token-file", required_argument, NULL, 't' },
		{ "api-rate", required_argument, NULL, 'R' },
		{ "keep-vms", no_argument, NULL, 'k' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "print-default", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon_opts o = { 0 };
	struct apiserver_opts ao = { 0 };
	struct apiserver *api = NULL;
	const char *summary_path = NULL;
	static struct cfg cfg;
	static struct daemon d;
	char err[CFG_ERR_MAX];
	bool check_only = false;
	int c, status;

	while ((c = getopt_long(argc, argv, "c:s:r:j:kqh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o.config_path = optarg;
			break;
		case 's':
			if (!*optarg || strlen(optarg) > CFG_STATE_DIR_MAX) {
				fprintf(stderr, "powervisord: --state-dir must be 1..%d bytes\n",
					CFG_STATE_DIR_MAX);
				return 2;
			}
			o.state_dir = optarg;
			break;
		case 'r':
			if (parse_uint(optarg, MAX_RUN_FOR_S, &o.run_for_s) || !o.run_for_s) {
				fprintf(stderr, "powervisord: --run-for takes 1..%u seconds, not \"%s\"\n",
					MAX_RUN_FOR_S, optarg);
				return 2;
			}
			break;
		case 'j':
			summary_path = optarg;
			break;
		case 'l':
			if (ao.nlisten == API_MAX_LISTEN || !*optarg) {
				fprintf(stderr, "powervisord: --listen takes 1..%d non-empty addresses\n",
					API_MAX_LISTEN);
				return 2;
			}
			ao.listen[ao.nlisten++] = optarg;
			break;
		case 't':
			ao.token_file = optarg;
			break;
		case 'R':
			if (parse_uint(optarg, MAX_RL_RATE_PER_S / 2, &ao.rate_per_s)) {
				fprintf(stderr, "powervisord: --api-rate takes 0..%u, not \"%s\"\n",
					MAX_RL_RATE_PER_S / 2, optarg);
				return 2;
			}
			ao.rate_set = true;
			break;
		case 'k':
			o.keep_vms = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'C':
			check_only = true;
			break;
		case 'P':
			fputs(cfg_default_json, stdout);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "powervisord: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (o.config_path ? cfg_load(&cfg, o.config_path, err) : cfg_parse(&cfg, cfg_default_json, err)) {
		fprintf(stderr, "powervisord: configuration %s: %s\n",
			o.config_path ? o.config_path : "(embedded)", err);
		return 2;
	}
	if (check_only) {
		printf("powervisord: configuration OK: %u VMs\n", cfg.nvms);
		return 0;
	}
	if (daemon_init(&d, &cfg, &o, argv[0]) || apiserver_start(&api, &d, &ao)) {
		daemon_fini(&d);
		return 1;
	}
	status = daemon_run(&d);
	apiserver_stop(api, &d);
	if (summary_path && summary_write(&d, summary_path)) {
		fprintf(stderr, "powervisord: cannot write %s\n", summary_path);
		status = 1;
	}
	daemon_fini(&d);
	return status;
}
