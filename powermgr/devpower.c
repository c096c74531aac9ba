// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device power management from per-VM device utilisation.
 *
 * Design note — what it decides and why. A device is lowered when (a) no VM has used it
 * for longer than its idle threshold and (b) no latency-sensitive VM depends on it: a
 * latency-sensitive VM must not pay a device's resume latency on its next request, the
 * same reason such VMs keep shallow C-states. "Lowered" on a real host means runtime PM
 * "auto" in <dev>/power/control (the kernel may then suspend the device when its driver
 * agrees); "on" forbids runtime suspend. Devices without a sysfs path are modelled: only
 * the state changes. Restoring is immediate on demand (the daemon calls it when a VM's I/O
 * arrives) and also when a latency-sensitive dependency appears. A failed write leaves the
 * recorded state unchanged and is reported; every successful change is emitted as a
 * PV_EV_DEVPOWER record (a = device id, b = new state, c = old state).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "powermgr/devpower.h"
#include "tracer/tsc.h"

void pm_devpower_init(struct pm_devpower *dp, pm_devpower_emit_fn emit, void *ctx)
{
	memset(dp, 0, sizeof(*dp));
	dp->emit = emit;
	dp->emit_ctx = ctx;
}

int pm_devpower_add(struct pm_devpower *dp, const struct pm_dev_cfg *cfg, uint64_t now_ns)
{
	struct pm_dev *d;

	if (!cfg || dp->ndevs >= PM_DEV_MAX)
		return -ENOSPC;
	if (cfg->idle_ms < MIN_PM_DEV_IDLE_MS || cfg->idle_ms > MAX_PM_DEV_IDLE_MS ||
	    !memchr(cfg->name, '\0', sizeof(cfg->name)) ||
	    !memchr(cfg->sysfs_path, '\0', sizeof(cfg->sysfs_path)))
		return -EINVAL;
	d = &dp->dev[dp->ndevs];
	memset(d, 0, sizeof(*d));
	d->cfg = *cfg;
	d->state = PM_DEV_ON;
	d->last_use_ns = now_ns;
	return (int)dp->ndevs++;
}

int pm_devpower_set_idle_ms(struct pm_devpower *dp, unsigned int id, uint32_t idle_ms)
{
	if (id >= dp->ndevs)
		return -ENOENT;
	if (idle_ms < MIN_PM_DEV_IDLE_MS || idle_ms > MAX_PM_DEV_IDLE_MS)
		return -ERANGE;
	dp->dev[id].cfg.idle_ms = idle_ms;
	return 0;
}

static int devpower_write_control(const struct pm_dev *d, enum pm_dev_state st)
{
	const char *v = st == PM_DEV_LOW ? "auto" : "on";
	char path[PM_DEV_PATH_MAX + 32];
	ssize_t n;
	int fd;

	if (!d->cfg.sysfs_path[0])
		return 0;	/* modelled */
	snprintf(path, sizeof(path), "%s/power/control", d->cfg.sysfs_path);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	n = write(fd, v, strlen(v));
	if (n != (ssize_t)strlen(v)) {
		int err = n < 0 ? -errno : -EIO;

		close(fd);
		return err;
	}
	return close(fd) ? -errno : 0;
}

static int devpower_set(struct pm_devpower *dp, unsigned int id, enum pm_dev_state st)
{
	struct pm_dev *d = &dp->dev[id];
	struct pv_rec rec;
	int err;

	if (d->state == st)
		return 0;
	err = devpower_write_control(d, st);
	d->last_err = err;
	if (err)
		return err;
	rec = (struct pv_rec){
		.tsc = pv_rdtsc(), .type = PV_EV_DEVPOWER, .vcpu = PV_VCPU_NONE,
		.a = id, .b = st, .c = d->state,
	};
	d->state = st;
	d->transitions++;
	if (dp->emit)
		dp->emit(dp->emit_ctx, &rec);
	return 1;
}

int pm_devpower_account(struct pm_devpower *dp, unsigned int id, unsigned int vm,
			uint64_t busy_ns, uint64_t ops, uint64_t now_ns)
{
	struct pm_dev *d;

	if (id >= dp->ndevs)
		return -ENOENT;
	if (vm >= PM_DEV_MAX_VMS)
		return -EINVAL;
	d = &dp->dev[id];
	d->vm_busy_ns[vm] += busy_ns;
	d->vm_ops[vm] += ops;
	if ((busy_ns || ops) && now_ns > d->last_use_ns)
		d->last_use_ns = now_ns;
	if ((busy_ns || ops) && d->state != PM_DEV_ON) {
		int ret = devpower_set(dp, id, PM_DEV_ON);

		return ret < 0 ? ret : 0;
	}
	return 0;
}

int pm_devpower_set_latency_dep(struct pm_devpower *dp, unsigned int id, unsigned int vm,
				bool dep)
{
	struct pm_dev *d;
	int ret = 0;

	if (id >= dp->ndevs)
		return -ENOENT;
	if (vm >= PM_DEV_MAX_VMS)
		return -EINVAL;
	d = &dp->dev[id];
	if (dep) {
		d->latency_deps |= 1u << vm;
		ret = devpower_set(dp, id, PM_DEV_ON);	/* it must be ready now */
	} else {
		d->latency_deps &= ~(1u << vm);
	}
	return ret < 0 ? ret : 0;
}

int pm_devpower_tick(struct pm_devpower *dp, uint64_t now_ns)
{
	int changed = 0, first_err = 0;

	for (unsigned int i = 0; i < dp->ndevs; i++) {
		struct pm_dev *d = &dp->dev[i];
		uint64_t idle = now_ns > d->last_use_ns ? now_ns - d->last_use_ns : 0;
		int ret;

		if (d->state != PM_DEV_ON || d->latency_deps ||
		    idle < (uint64_t)d->cfg.idle_ms * 1000000u)
			continue;
		ret = devpower_set(dp, i, PM_DEV_LOW);
		if (ret < 0 && !first_err)
			first_err = ret;
		else if (ret > 0)
			changed++;
	}
	return first_err ? first_err : changed;
}

int pm_devpower_demand(struct pm_devpower *dp, unsigned int id, uint64_t now_ns)
{
	int ret;

	if (id >= dp->ndevs)
		return -ENOENT;
	if (now_ns > dp->dev[id].last_use_ns)
		dp->dev[id].last_use_ns = now_ns;
	ret = devpower_set(dp, id, PM_DEV_ON);
	return ret < 0 ? ret : 0;
}
