// SPDX-License-Identifier: GPL-2.0-only
/*
 * The real platform through libcpupower: cpufreq for P-states, cpuidle for C-states.
 *
 * Design note: libcpupower reads and writes fixed paths under /sys/devices/system/cpu and
 * folds every write failure into -ENODEV (cpufreq) or -1/-2/-3 (cpuidle). To report the
 * real cause, a failed write is re-examined here: the file is opened for writing once
 * more and its errno (EROFS, EACCES, ENOENT ...) is what the caller gets, with the path in
 * the backend's last error. Setting a frequency switches the CPU's cpufreq governor to
 * "userspace" (libcpupower does that itself in cpufreq_set_frequency); the governor each
 * CPU had when this backend first changed it is restored on close. P-states come from
 * scaling_available_frequencies plus the boost list; drivers without a table
 * (intel_pstate) get cpuinfo_min..cpuinfo_max in 100 MHz steps, the ratio granularity.
 * target_residency is not exported by libcpupower 6.1, so it is read from the same sysfs
 * directory directly.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cpufreq.h>
#include <cpuidle.h>

#include "powermgr/backend.h"
#include "powermgr/sysfs.h"

#define CPUPOWER_ROOT		"/sys/devices/system/cpu"
#define CPUPOWER_STEP_KHZ	100000u
#define CPUPOWER_GOV_MAX	32u

struct cpupower_cpu {
	bool saved;
	char saved_gov[CPUPOWER_GOV_MAX];
};

struct cpupower_backend {
	struct pm_backend b;		/* first */
	unsigned int ncpus;
	struct cpupower_cpu *cpu;
};

static struct cpupower_backend *to_cp(const struct pm_backend *b)
{
	return (struct cpupower_backend *)b;
}

static bool cpupower_is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* Why can @rel (relative to cpuN/) not be written? -errno; -EIO when it now can. */
static int cpupower_write_errno(unsigned int cpu, const char *rel)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), CPUPOWER_ROOT "/cpu%u/%s", cpu, rel);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	close(fd);
	return -EIO;
}

static int cpupower_probe(const struct pm_backend_cfg *cfg)
{
	unsigned long lo, hi;

	(void)cfg;
	if (!cpupower_is_dir(CPUPOWER_ROOT "/cpu0/cpufreq") ||
	    !cpupower_is_dir(CPUPOWER_ROOT "/cpu0/cpuidle"))
		return -ENODEV;
	if (cpufreq_get_hardware_limits(0, &lo, &hi) || !hi)
		return -ENODEV;
	if (cpuidle_state_count(0) == 0)
		return -ENODEV;
	return 0;
}

static int cpupower_open(const struct pm_backend_cfg *cfg, struct pm_backend **out)
{
	struct cpupower_backend *cp;
	char path[64];
	unsigned int n = 0;

	(void)cfg;
	for (;;) {
		snprintf(path, sizeof(path), CPUPOWER_ROOT "/cpu%u/cpufreq", n);
		if (n >= PM_MAX_CPUS || !cpupower_is_dir(path))
			break;
		n++;
	}
	if (!n)
		return -ENODEV;
	cp = calloc(1, sizeof(*cp));
	if (!cp)
		return -ENOMEM;
	cp->cpu = calloc(n, sizeof(*cp->cpu));
	if (!cp->cpu) {
		free(cp);
		return -ENOMEM;
	}
	cp->b.ops = &pm_backend_cpupower_ops;
	cp->ncpus = n;
	*out = &cp->b;
	return 0;
}

static void cpupower_close(struct pm_backend *b)
{
	struct cpupower_backend *cp = to_cp(b);

	for (unsigned int i = 0; i < cp->ncpus; i++)
		if (cp->cpu[i].saved)
			cpufreq_modify_policy_governor(i, cp->cpu[i].saved_gov);
	free(cp->cpu);
	free(cp);
}

static unsigned int cpupower_nr_cpus(const struct pm_backend *b)
{
	return to_cp(b)->ncpus;
}

static int cpupower_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static unsigned int cpupower_add_list(struct cpufreq_available_frequencies *first,
				      uint32_t *khz, unsigned int n, unsigned int max)
{
	for (struct cpufreq_available_frequencies *f = first; f && n < max; f = f->next) {
		bool dup = false;

		for (unsigned int i = 0; i < n; i++)
			dup |= khz[i] == f->frequency;
		if (!dup && f->frequency && f->frequency <= UINT32_MAX)
			khz[n++] = (uint32_t)f->frequency;
	}
	return n;
}

static int cpupower_pstates(struct pm_backend *b, unsigned int cpu, uint32_t *khz,
			    unsigned int max, unsigned int *n, unsigned int *nr_turbo)
{
	struct cpufreq_available_frequencies *avail, *boost;
	unsigned int cnt = 0, base_cnt;
	unsigned long lo, hi;

	avail = cpufreq_get_available_frequencies(cpu);
	if (avail) {
		cnt = cpupower_add_list(avail->first, khz, cnt, max);
		cpufreq_put_available_frequencies(avail->first);
	} else {
		if (cpufreq_get_hardware_limits(cpu, &lo, &hi) || !lo || hi < lo)
			return pm_backend_fail(b, -ENODATA, "cpupower: cpu%u no frequency table "
					       "or limits", cpu);
		for (unsigned long f = lo; f <= hi && cnt < max; f += CPUPOWER_STEP_KHZ)
			khz[cnt++] = (uint32_t)f;
		if (khz[cnt - 1] != hi && cnt < max)
			khz[cnt++] = (uint32_t)hi;
	}
	base_cnt = cnt;
	boost = cpufreq_get_boost_frequencies(cpu);
	if (boost) {
		cnt = cpupower_add_list(boost->first, khz, cnt, max);
		cpufreq_put_boost_frequencies(boost->first);
	}
	if (!cnt)
		return pm_backend_fail(b, -ENODATA, "cpupower: cpu%u empty frequency table", cpu);
	qsort(khz, cnt, sizeof(*khz), cpupower_cmp_u32);
	*n = cnt;
	*nr_turbo = cnt - base_cnt;
	return 0;
}

/* cpuN/cpuidle/stateM/@attr, which libcpupower does not export; 0 when unreadable. */
static uint32_t cpupower_state_attr(unsigned int cpu, unsigned int state, const char *attr)
{
	uint64_t v = 0;

	if (pm_sysfs_read_u64(&v, CPUPOWER_ROOT "/cpu%u/cpuidle/state%u/%s", cpu, state, attr))
		return 0;
	return (uint32_t)v;
}

static int cpupower_cstates(struct pm_backend *b, unsigned int cpu, struct pm_cstate_info *out,
			    unsigned int max, unsigned int *n)
{
	unsigned int cnt = cpuidle_state_count(cpu);

	if (!cnt)
		return pm_backend_fail(b, -ENOENT, "cpupower: cpu%u has no cpuidle states", cpu);
	if (cnt > max)
		cnt = max;
	for (unsigned int i = 0; i < cnt; i++) {
		char *name = cpuidle_state_name(cpu, i);

		snprintf(out[i].name, sizeof(out[i].name), "%s", name ? name : "?");
		free(name);
		out[i].exit_latency_us = (uint32_t)cpuidle_state_latency(cpu, i);
		out[i].target_residency_us = cpupower_state_attr(cpu, i, "residency");
		out[i].power_mw = cpupower_state_attr(cpu, i, "power");
	}
	*n = cnt;
	return 0;
}

static int cpupower_read(struct pm_backend *b, unsigned int cpu, struct pm_cpu_reading *r)
{
	unsigned int cnt = cpuidle_state_count(cpu);
	unsigned long khz = cpufreq_get_freq_kernel(cpu);

	if (!khz)
		return pm_backend_fail(b, -ENODATA, "cpupower: cpu%u scaling_cur_freq unreadable",
				       cpu);
	r->cur_khz = (uint32_t)khz;
	if (cnt > PM_MAX_CSTATES)
		cnt = PM_MAX_CSTATES;
	r->nr_cstates = cnt;
	r->cstate_limit = cnt ? (int)cnt - 1 : 0;
	for (unsigned int i = 0; i < cnt; i++) {
		r->usage[i] = cpuidle_state_usage(cpu, i);
		r->time_us[i] = cpuidle_state_time(cpu, i);
		if (i && cpuidle_is_state_disabled(cpu, i) == 1 && r->cstate_limit >= (int)i)
			r->cstate_limit = (int)i - 1;
	}
	return 0;
}

static int cpupower_save_governor(struct cpupower_backend *cp, unsigned int cpu)
{
	struct cpufreq_policy *pol;

	if (cp->cpu[cpu].saved)
		return 0;
	pol = cpufreq_get_policy(cpu);
	if (!pol)
		return pm_backend_fail(&cp->b, -ENODATA, "cpupower: cpu%u policy unreadable", cpu);
	snprintf(cp->cpu[cpu].saved_gov, sizeof(cp->cpu[cpu].saved_gov), "%s", pol->governor);
	cp->cpu[cpu].saved = true;
	cpufreq_put_policy(pol);
	return 0;
}

static int cpupower_set_freq(struct pm_backend *b, unsigned int cpu, uint32_t khz)
{
	int err = cpupower_save_governor(to_cp(b), cpu), e;

	if (err)
		return err;
	err = cpufreq_set_frequency(cpu, khz);
	if (!err)
		return 0;
	e = cpupower_write_errno(cpu, "cpufreq/scaling_governor");
	if (e == -EIO)
		e = cpupower_write_errno(cpu, "cpufreq/scaling_setspeed");
	return pm_backend_fail(b, e, "cpupower: cpu%u set %u kHz", cpu, khz);
}

static int cpupower_set_limits(struct pm_backend *b, unsigned int cpu, uint32_t min_khz,
			       uint32_t max_khz)
{
	struct cpufreq_policy *pol = cpufreq_get_policy(cpu);
	bool max_first;
	int err;

	if (!pol)
		return pm_backend_fail(b, -ENODATA, "cpupower: cpu%u policy unreadable", cpu);
	/* keep min <= max at every step, as the kernel requires */
	max_first = min_khz > pol->max;
	cpufreq_put_policy(pol);
	if (max_first) {
		err = cpufreq_modify_policy_max(cpu, max_khz);
		if (err)
			goto out_max;
		err = cpufreq_modify_policy_min(cpu, min_khz);
		if (err)
			goto out_min;
		return 0;
	}
	err = cpufreq_modify_policy_min(cpu, min_khz);
	if (err)
		goto out_min;
	err = cpufreq_modify_policy_max(cpu, max_khz);
	if (err)
		goto out_max;
	return 0;

out_min:
	return pm_backend_fail(b, cpupower_write_errno(cpu, "cpufreq/scaling_min_freq"),
			       "cpupower: cpu%u scaling_min_freq %u", cpu, min_khz);
out_max:
	return pm_backend_fail(b, cpupower_write_errno(cpu, "cpufreq/scaling_max_freq"),
			       "cpupower: cpu%u scaling_max_freq %u", cpu, max_khz);
}

static int cpupower_set_cstate_limit(struct pm_backend *b, unsigned int cpu, int limit)
{
	unsigned int cnt = cpuidle_state_count(cpu);
	char rel[64];

	if (!cnt)
		return pm_backend_fail(b, -ENOENT, "cpupower: cpu%u has no cpuidle states", cpu);
	if ((unsigned int)limit >= cnt)
		return pm_backend_fail(b, -EINVAL, "cpupower: cpu%u no C-state %d (%u states)",
				       cpu, limit, cnt);
	for (unsigned int i = 1; i < cnt; i++) {
		unsigned int dis = i > (unsigned int)limit;
		int ret = cpuidle_state_disable(cpu, i, dis);

		if (!ret)
			continue;
		snprintf(rel, sizeof(rel), "cpuidle/state%u/disable", i);
		if (ret == -2)
			return pm_backend_fail(b, -ENOENT, "cpupower: cpu%u %s", cpu, rel);
		return pm_backend_fail(b, ret == -3 ? cpupower_write_errno(cpu, rel) : -EINVAL,
				       "cpupower: cpu%u %s=%u", cpu, rel, dis);
	}
	return 0;
}

static int cpupower_get_governor(struct pm_backend *b, unsigned int cpu, char *buf, size_t len)
{
	struct cpufreq_policy *pol = cpufreq_get_policy(cpu);
	int n;

	if (!pol)
		return pm_backend_fail(b, -ENODATA, "cpupower: cpu%u policy unreadable", cpu);
	n = snprintf(buf, len, "%s", pol->governor);
	cpufreq_put_policy(pol);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

static int cpupower_set_governor(struct pm_backend *b, unsigned int cpu, const char *name)
{
	char gov[CPUPOWER_GOV_MAX];
	int err;

	if (strlen(name) >= sizeof(gov))
		return pm_backend_fail(b, -EINVAL, "cpupower: governor name too long");
	err = cpupower_save_governor(to_cp(b), cpu);
	if (err)
		return err;
	strcpy(gov, name);
	err = cpufreq_modify_policy_governor(cpu, gov);
	if (!err)
		return 0;
	if (err != -ENODEV)
		return pm_backend_fail(b, -EINVAL, "cpupower: cpu%u governor \"%s\"", cpu, name);
	return pm_backend_fail(b, cpupower_write_errno(cpu, "cpufreq/scaling_governor"),
			       "cpupower: cpu%u governor \"%s\"", cpu, name);
}

const struct pm_backend_ops pm_backend_cpupower_ops = {
	.name = "cpupower",
	.source = "sysfs",
	.probe = cpupower_probe,
	.open = cpupower_open,
	.close = cpupower_close,
	.nr_cpus = cpupower_nr_cpus,
	.pstates = cpupower_pstates,
	.cstates = cpupower_cstates,
	.read = cpupower_read,
	.set_freq = cpupower_set_freq,
	.set_limits = cpupower_set_limits,
	.set_cstate_limit = cpupower_set_cstate_limit,
	.get_governor = cpupower_get_governor,
	.set_governor = cpupower_set_governor,
};
