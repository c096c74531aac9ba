// SPDX-License-Identifier: GPL-2.0-only
/*
 * Backend registry, "auto" selection and the checked wrappers every caller goes through.
 *
 * Design note: auto prefers the real platform (cpupower) when the host exposes cpufreq and
 * cpuidle and libcpupower can read them (its probe), and falls back to the model
 * otherwise — the build machines have neither. The wrappers range-check CPUs, turn a
 * missing optional operation into -EOPNOTSUPP and record every failure in the backend so
 * the daemon can report it; backends themselves never abort.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "powermgr/backend.h"

static const struct pm_backend_ops *const backend_table[] = {
	&pm_backend_cpupower_ops,
	&pm_backend_model_ops,
};
#define BACKEND_COUNT	(sizeof(backend_table) / sizeof(backend_table[0]))

static const char *const backend_names[] = { "auto", "cpupower", "model", NULL };

const struct pm_backend_ops *pm_backend_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < BACKEND_COUNT; i++)
		if (!strcmp(backend_table[i]->name, name))
			return backend_table[i];
	return NULL;
}

const char *const *pm_backend_names(void)
{
	return backend_names;
}

static int backend_validate(const struct pm_backend_ops *ops)
{
	if (!ops->name || !ops->source || !ops->probe || !ops->open || !ops->close ||
	    !ops->nr_cpus || !ops->pstates || !ops->cstates || !ops->read || !ops->set_freq ||
	    !ops->set_cstate_limit)
		return -EINVAL;
	return 0;
}

int pm_backend_open(const char *name, const struct pm_backend_cfg *cfg, struct pm_backend **out)
{
	static const struct pm_backend_cfg no_cfg;
	const struct pm_backend_ops *ops;
	int err;

	if (!name || !out)
		return -EINVAL;
	if (!cfg)
		cfg = &no_cfg;
	if (!strcmp(name, "auto")) {
		for (size_t i = 0; i < BACKEND_COUNT; i++) {
			ops = backend_table[i];
			if (backend_validate(ops) || ops->probe(cfg))
				continue;
			err = ops->open(cfg, out);
			if (!err)
				return 0;
		}
		return -ENODEV;
	}
	ops = pm_backend_find(name);
	if (!ops || backend_validate(ops))
		return -EINVAL;
	err = ops->probe(cfg);
	if (err)
		return err;
	return ops->open(cfg, out);
}

void pm_backend_close(struct pm_backend *b)
{
	if (b)
		b->ops->close(b);
}

int pm_backend_fail(struct pm_backend *b, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	b->errors++;
	va_start(ap, fmt);
	n = vsnprintf(b->last_error, sizeof(b->last_error), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(b->last_error) - 1)
		snprintf(b->last_error + n, sizeof(b->last_error) - (size_t)n, ": %s",
			 strerror(-err));
	return err;
}

const char *pm_backend_last_error(const struct pm_backend *b)
{
	return b->last_error;
}

unsigned int pm_backend_nr_cpus(const struct pm_backend *b)
{
	return b ? b->ops->nr_cpus(b) : 0;
}

static int backend_check_cpu(struct pm_backend *b, unsigned int cpu)
{
	if (!b)
		return -EINVAL;
	if (cpu >= b->ops->nr_cpus(b))
		return pm_backend_fail(b, -EINVAL, "%s: cpu%u out of range", b->ops->name, cpu);
	return 0;
}

int pm_backend_pstates(struct pm_backend *b, unsigned int cpu, uint32_t *khz, unsigned int max,
		       unsigned int *n, unsigned int *nr_turbo)
{
	int err = backend_check_cpu(b, cpu);

	return err ? err : b->ops->pstates(b, cpu, khz, max, n, nr_turbo);
}

int pm_backend_cstates(struct pm_backend *b, unsigned int cpu, struct pm_cstate_info *out,
		       unsigned int max, unsigned int *n)
{
	int err = backend_check_cpu(b, cpu);

	return err ? err : b->ops->cstates(b, cpu, out, max, n);
}

int pm_backend_read(struct pm_backend *b, unsigned int cpu, struct pm_cpu_reading *r)
{
	int err = backend_check_cpu(b, cpu);

	if (err)
		return err;
	memset(r, 0, sizeof(*r));
	return b->ops->read(b, cpu, r);
}

int pm_backend_set_freq(struct pm_backend *b, unsigned int cpu, uint32_t khz)
{
	int err = backend_check_cpu(b, cpu);

	return err ? err : b->ops->set_freq(b, cpu, khz);
}

int pm_backend_set_limits(struct pm_backend *b, unsigned int cpu, uint32_t min_khz,
			  uint32_t max_khz)
{
	int err = backend_check_cpu(b, cpu);

	if (err)
		return err;
	if (min_khz > max_khz)
		return pm_backend_fail(b, -EINVAL, "%s: cpu%u min %u > max %u kHz", b->ops->name,
				       cpu, min_khz, max_khz);
	if (!b->ops->set_limits)
		return -EOPNOTSUPP;
	return b->ops->set_limits(b, cpu, min_khz, max_khz);
}

int pm_backend_set_cstate_limit(struct pm_backend *b, unsigned int cpu, int limit)
{
	int err = backend_check_cpu(b, cpu);

	if (err)
		return err;
	if (limit < 0)
		return pm_backend_fail(b, -EINVAL, "%s: cpu%u C-state limit %d", b->ops->name,
				       cpu, limit);
	return b->ops->set_cstate_limit(b, cpu, limit);
}

int pm_backend_get_governor(struct pm_backend *b, unsigned int cpu, char *buf, size_t len)
{
	int err = backend_check_cpu(b, cpu);

	if (err)
		return err;
	if (!b->ops->get_governor)
		return -EOPNOTSUPP;
	return b->ops->get_governor(b, cpu, buf, len);
}

int pm_backend_set_governor(struct pm_backend *b, unsigned int cpu, const char *name)
{
	int err = backend_check_cpu(b, cpu);

	if (err)
		return err;
	if (!name || !*name)
		return -EINVAL;
	if (!b->ops->set_governor)
		return -EOPNOTSUPP;
	return b->ops->set_governor(b, cpu, name);
}
