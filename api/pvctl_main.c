// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvctl — the command-line client of powervisord's REST API. main() only wires things:
 * global options, configuration (flags > environment > config file > defaults), signal
 * handling, and dispatch to the command groups in api/pvctl_cmd_*.c and api/pvctl_top.c.
 * Exit statuses: 0 ok, 1 the server answered with an error, 2 cannot reach it, 64 usage,
 * 78 configuration.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/pvctl.h"

#define MAIN_USAGE "pvctl [global options] COMMAND ...  (pvctl --help)"

static const char main_usage[] =
	"pvctl [--addr HOST:PORT|unix:/path] [--token T | --token-file F] [--timeout D] [--json]\n"
	"      COMMAND ...\n"
	"\n"
	"commands:\n"
	"  vm list                         VMs with state, QoS, CPU, power, RT misses\n"
	"  vm show NAME                    one VM in full, with its vCPUs\n"
	"  vm create -f FILE.json          create and start a VM from a VmSpec file ('-' = stdin)\n"
	"  vm create --name N [--vcpus N] [--memory-mib N] [--workload SPEC] [--qos CLASS]\n"
	"            [--kernel PATH] [--cmdline ARGS] [--halt-mode exit|poll|native] [--poll-ns N]\n"
	"            [--latency-budget-us N] [--runtime-us N --period-us N [--deadline-us N]]\n"
	"            [--restart never|on-failure] [--restart-backoff-ms N] [--max-restarts N]\n"
	"  vm delete|pause|resume NAME\n"
	"  power get                       governor, backend and tunables\n"
	"  power set-governor NAME         performance, powersave, ondemand or transition\n"
	"  power set TUNABLE=VALUE...      set governor tunables\n"
	"  qos get NAME\n"
	"  qos set NAME --class CLASS [--latency-budget-us N] [--runtime-us N --period-us N\n"
	"          [--deadline-us N]]     CLASS: best-effort, latency-sensitive, realtime, partition\n"
	"  qos clear NAME                  back to best-effort\n"
	"  trace export -o FILE [--window 5s]   Perfetto trace of the last window (10ms..60s)\n"
	"  trace tail [--since N] [--vm NAME] [--type LIST] [--limit N] [--interval 1s]\n"
	"             [--iterations N]    LIST: event types, e.g. rt_miss,reservation\n"
	"  node                            CPUs, P/C-states and node power\n"
	"  top [--interval 1s] [--iterations N]   live view; q or Ctrl-C quits\n"
	"  metrics                         raw Prometheus metrics\n"
	"  health                          liveness and readiness\n"
	"\n"
	"environment: PVCTL_ADDR, PVCTL_TOKEN, PVCTL_CONFIG (default ~/.config/pvctl/config with\n"
	"'addr = ...', 'token_file = ...', 'timeout = ...' lines). Default address 127.0.0.1:8035.\n"
	"exit status: 0 ok, 1 error from the server, 2 cannot connect, 64 usage, 78 configuration.\n";

static const struct {
	const char *name;
	int (*fn)(struct pvctl *p, int argc, char **argv);
} main_cmds[] = {
	{ "vm", pvctl_cmd_vm },
	{ "power", pvctl_cmd_power },
	{ "qos", pvctl_cmd_qos },
	{ "trace", pvctl_cmd_trace },
	{ "node", pvctl_cmd_node },
	{ "top", pvctl_cmd_top },
	{ "metrics", pvctl_cmd_metrics },
	{ "health", pvctl_cmd_health },
};

static void main_on_signal(int sig)
{
	(void)sig;
	pvctl_stop = 1;
}

static void main_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = main_on_signal;	/* no SA_RESTART: a blocked poll() returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int main_configure(struct pvctl *p, const struct pvctl_flags *f)
{
	struct pvctl_conf_in in = {
		.flag_addr = f->addr, .flag_token = f->token, .flag_token_file = f->token_file,
		.flag_timeout = f->timeout, .env_addr = getenv("PVCTL_ADDR"),
		.env_token = getenv("PVCTL_TOKEN"), .home = getenv("HOME"),
	};
	char path[PVCTL_PATH_MAX], err[PVCTL_ERR_MAX + PVCTL_PATH_MAX];
	int rc;

	if (!pvctl_config_path(getenv("PVCTL_CONFIG"), in.home, path, sizeof(path),
			       &in.config_explicit))
		in.config_path = path;
	rc = pvctl_config_resolve(&in, &p->conf, err, sizeof(err));
	if (rc == -EINVAL)
		return pvctl_usage(p, "pvctl [--addr HOST:PORT|unix:/path] [--token T | "
				   "--token-file F] [--timeout D] [--json] COMMAND ...", err);
	if (rc) {
		fprintf(p->err, "pvctl: %s\n", err);
		return PVCTL_EXIT_CONFIG;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct pvctl p = { .out = stdout, .err = stderr };
	char err[PVCTL_ERR_MAX], **rest;
	struct pvctl_flags f;
	int nrest, rc;
	size_t i;

	rest = calloc((size_t)argc + 1, sizeof(*rest));
	if (!rest)
		return PVCTL_EXIT_FAIL;
	if (pvctl_args_global(argc - 1, argv + 1, &f, rest, &nrest, err, sizeof(err))) {
		rc = pvctl_usage(&p, MAIN_USAGE, err);
		goto out;
	}
	if (f.help) {
		fputs(main_usage, stdout);
		rc = PVCTL_EXIT_OK;
		goto out;
	}
	if (f.version) {
		printf("pvctl %s (API v1)\n", PVCTL_VERSION);
		rc = PVCTL_EXIT_OK;
		goto out;
	}
	if (nrest < 1) {
		rc = pvctl_usage(&p, MAIN_USAGE, "missing command");
		goto out;
	}
	p.json = f.json;
	for (i = 0; i < sizeof(main_cmds) / sizeof(main_cmds[0]); i++)
		if (!strcmp(rest[0], main_cmds[i].name))
			break;
	if (i == sizeof(main_cmds) / sizeof(main_cmds[0])) {
		snprintf(err, sizeof(err), "unknown command '%s'", rest[0]);
		rc = pvctl_usage(&p, MAIN_USAGE, err);
		goto out;
	}
	rc = main_configure(&p, &f);
	if (rc)
		goto out;
	main_signals();
	rc = main_cmds[i].fn(&p, nrest - 1, rest + 1);
out:
	if (fflush(stdout) && !rc)
		rc = PVCTL_EXIT_FAIL;	/* e.g. a full disk under a redirect */
	free(rest);
	return rc;
}
