// SPDX-License-Identifier: GPL-2.0-only
/* Command-line parsing: every value is range-checked; errors name the option. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracer/event.h"
#include "tracer/ring.h"
#include "vmm/budget.h"
#include "vmm/config.h"
#include "vmm/halt.h"
#include "vmm/mem.h"
#include "vmm/pv_abi.h"
#include "tracer/shm.h"
#include "vmm/timer.h"

enum {
	OPT_KERNEL = 256, OPT_VCPUS, OPT_MEM, OPT_WORKLOAD, OPT_DURATION, OPT_CONSOLE,
	OPT_CTL, OPT_TRACE, OPT_HALT, OPT_POLL, OPT_NAME, OPT_CMDLINE, OPT_INITRD, OPT_TIMER,
	OPT_SHMFD, OPT_NOSANDBOX, OPT_NOIRQCHIP, OPT_EXITLIMIT, OPT_FLOODMS, OPT_RINGORDER,
	OPT_QUIET, OPT_BUDGET, OPT_HELP,
};

static const struct option config_opts[] = {
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "vcpus", required_argument, NULL, OPT_VCPUS },
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "workload", required_argument, NULL, OPT_WORKLOAD },
	{ "duration-ms", required_argument, NULL, OPT_DURATION },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "control-sock", required_argument, NULL, OPT_CTL },
	{ "trace-out", required_argument, NULL, OPT_TRACE },
	{ "halt-mode", required_argument, NULL, OPT_HALT },
	{ "poll-ns", required_argument, NULL, OPT_POLL },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "timer-us", required_argument, NULL, OPT_TIMER },
	{ "shm-fd", required_argument, NULL, OPT_SHMFD },
	{ "no-sandbox", no_argument, NULL, OPT_NOSANDBOX },
	{ "no-irqchip", no_argument, NULL, OPT_NOIRQCHIP },
	{ "exit-limit", required_argument, NULL, OPT_EXITLIMIT },
	{ "flood-ms", required_argument, NULL, OPT_FLOODMS },
	{ "ring-order", required_argument, NULL, OPT_RINGORDER },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "budget-us", required_argument, NULL, OPT_BUDGET },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

void config_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s --kernel IMAGE [--vcpus N] [--mem SIZE] [--workload SPEC]\n"
		"       [--duration-ms N] [--console FILE|pty|stdout] [--control-sock PATH]\n"
		"       [--trace-out FILE] [--halt-mode exit|poll|native] [--poll-ns N]\n"
		"       [--name NAME] [--cmdline STR] [--initrd FILE] [--timer-us N]\n"
		"       [--shm-fd N] [--no-sandbox] [--no-irqchip] [--exit-limit N/s]\n"
		"       [--flood-ms N] [--ring-order N] [--budget-us RUNTIME/PERIOD] [--quiet]\n", prog);
}

static int cfg_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int cfg_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out,
		   char *err, size_t errlen)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return cfg_err(err, errlen, "--%s: '%s' is not a number", opt, s ? s : "");
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return cfg_err(err, errlen, "--%s: '%s' is not a number", opt, s);
	if (v < min || v > max)
		return cfg_err(err, errlen, "--%s: %llu out of range [%llu, %llu]", opt, v,
			       (unsigned long long)min, (unsigned long long)max);
	*out = v;
	return 0;
}

/* "R/P" in µs: R of every P on every vCPU (R = 0: off). */
static int cfg_budget(const char *s, struct vmm_config *c, char *err, size_t errlen)
{
	const char *slash = s ? strchr(s, '/') : NULL;
	char rbuf[24];
	size_t n;
	int ret;

	if (!slash || (n = (size_t)(slash - s)) == 0 || n >= sizeof(rbuf))
		return cfg_err(err, errlen, "--budget-us: '%s' is not RUNTIME/PERIOD (us)", s ? s : "");
	memcpy(rbuf, s, n);
	rbuf[n] = '\0';
	ret = cfg_u64("budget-us", rbuf, 0, MAX_BUDGET_PERIOD_US, &c->budget_runtime_us, err, errlen);
	if (!ret)
		ret = cfg_u64("budget-us", slash + 1, 0, MAX_BUDGET_PERIOD_US, &c->budget_period_us,
			      err, errlen);
	if (ret)
		return ret;
	if (!budget_valid_us(c->budget_runtime_us, c->budget_period_us))
		return cfg_err(err, errlen, "--budget-us: need RUNTIME <= PERIOD and PERIOD in "
			       "[%llu, %llu] us", MIN_BUDGET_PERIOD_US, MAX_BUDGET_PERIOD_US);
	return 0;
}

static void config_defaults(struct vmm_config *c)
{
	memset(c, 0, sizeof(*c));
	c->name = DEF_NAME;
	c->nvcpus = 1;
	c->mem_bytes = DEF_MEM_BYTES;
	c->halt_mode = PV_HALT_EXIT;
	c->poll_ns = DEF_HALT_POLL_NS;
	c->shm_fd = -1;
	c->exit_limit = DEF_EXIT_LIMIT;
	c->flood_ms = DEF_FLOOD_MS;
	c->ring_order = PV_RING_DEF_ORDER;
	c->sandbox = true;
	c->irqchip = true;
}

static int config_check(struct vmm_config *c, char *err, size_t errlen)
{
	if (!c->kernel)
		return cfg_err(err, errlen, "--kernel is required");
	if (!*c->name || strlen(c->name) >= PV_SHM_NAME_MAX)
		return cfg_err(err, errlen, "--name: 1 to %u characters", PV_SHM_NAME_MAX - 1);
	if (c->workload && strlen(c->workload) >= PV_WORKLOAD_MAX)
		return cfg_err(err, errlen, "--workload: longer than %u bytes", PV_WORKLOAD_MAX - 1);
	if (c->cmdline && strlen(c->cmdline) >= MEM_CMDLINE_MAX)
		return cfg_err(err, errlen, "--cmdline: longer than %llu bytes",
			       (unsigned long long)MEM_CMDLINE_MAX - 1);
	if (c->timer_us && c->timer_us < MIN_TIMER_PERIOD_US)
		return cfg_err(err, errlen, "--timer-us: at least %u", MIN_TIMER_PERIOD_US);
	if (c->console && !*c->console)
		return cfg_err(err, errlen, "--console: empty");
	if (!c->irqchip && c->halt_mode != PV_HALT_EXIT)
		return cfg_err(err, errlen, "--halt-mode %s needs the in-kernel irqchip",
			       pv_halt_mode_name((unsigned int)c->halt_mode));
	return 0;
}

int config_parse(struct vmm_config *c, int argc, char **argv, char *err, size_t errlen)
{
	uint64_t v;
	int opt, ret;

	config_defaults(c);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":", config_opts, NULL)) != -1) {
		const char *a = optarg;

		ret = 0;
		switch (opt) {
		case OPT_KERNEL: c->kernel = a; break;
		case OPT_INITRD: c->initrd = a; break;
		case OPT_NAME: c->name = a; break;
		case OPT_CMDLINE: c->cmdline = a; break;
		case OPT_WORKLOAD: c->workload = a; break;
		case OPT_CONSOLE: c->console = a; break;
		case OPT_CTL: c->ctl_sock = a; break;
		case OPT_TRACE: c->trace_out = a; break;
		case OPT_VCPUS:
			ret = cfg_u64("vcpus", a, MIN_VCPUS, MAX_VCPUS_CFG, &v, err, errlen);
			c->nvcpus = (uint32_t)v;
			break;
		case OPT_MEM:
			if (mem_parse_size(a, &c->mem_bytes) || c->mem_bytes < MIN_MEM_BYTES ||
			    c->mem_bytes > MAX_MEM_BYTES || (c->mem_bytes & 0xfff))
				ret = cfg_err(err, errlen, "--mem: '%s' is not a size between 4M and 3G", a);
			break;
		case OPT_DURATION:
			ret = cfg_u64("duration-ms", a, 0, MAX_DURATION_MS, &c->duration_ms, err, errlen);
			break;
		case OPT_HALT:
			c->halt_mode = pv_halt_mode_parse(a);
			if (c->halt_mode < 0 || c->halt_mode > PV_HALT_NATIVE)
				ret = cfg_err(err, errlen, "--halt-mode: '%s' is not exit, poll or native", a);
			break;
		case OPT_POLL:
			ret = cfg_u64("poll-ns", a, 0, MAX_HALT_POLL_NS, &c->poll_ns, err, errlen);
			break;
		case OPT_TIMER:
			ret = cfg_u64("timer-us", a, 0, MAX_TIMER_US, &c->timer_us, err, errlen);
			break;
		case OPT_SHMFD:
			ret = cfg_u64("shm-fd", a, 3, 65535, &v, err, errlen);
			c->shm_fd = (int)v;
			break;
		case OPT_EXITLIMIT:
			ret = cfg_u64("exit-limit", a, 0, 100000000, &c->exit_limit, err, errlen);
			break;
		case OPT_FLOODMS:
			ret = cfg_u64("flood-ms", a, 100, 3600000, &c->flood_ms, err, errlen);
			break;
		case OPT_RINGORDER:
			ret = cfg_u64("ring-order", a, PV_RING_MIN_ORDER, 20, &v, err, errlen);
			c->ring_order = (uint32_t)v;
			break;
		case OPT_BUDGET:
			ret = cfg_budget(a, c, err, errlen);
			break;
		case OPT_NOSANDBOX: c->sandbox = false; break;
		case OPT_NOIRQCHIP: c->irqchip = false; break;
		case OPT_QUIET: c->quiet = true; break;
		case OPT_HELP:
			snprintf(err, errlen, "help");
			return 1;
		case ':':
			return cfg_err(err, errlen, "%s: needs a value", argv[optind - 1]);
		default:
			return cfg_err(err, errlen, "unknown option '%s'", argv[optind - 1]);
		}
		if (ret)
			return ret;
	}
	if (optind < argc)
		return cfg_err(err, errlen, "unexpected argument '%s'", argv[optind]);
	return config_check(c, err, errlen);
}
