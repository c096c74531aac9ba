// SPDX-License-Identifier: GPL-2.0-only
/* Per-VM device utilisation → host device power states (see devices.h). */
#include <string.h>

#include "daemon/daemon.h"
#include "daemon/devices.h"

static void emit_devpower(void *ctx, const struct pv_rec *rec)
{
	struct daemon *d = ctx;

	tracebuf_append(&d->trace, UINT32_MAX, 0, rec, 1);
}

void devices_init(struct daemon *d)
{
	pm_devpower_init(&d->devpower, emit_devpower, d);
}

/* The host device for a reported name; added on first sight. -1 when the table is full. */
static int device_id(struct daemon *d, const char *name, uint64_t now_ns)
{
	struct pm_dev_cfg cfg = { .idle_ms = DEF_PM_DEV_IDLE_MS };
	unsigned int i;

	for (i = 0; i < d->devpower.ndevs; i++)
		if (!strcmp(d->devpower.dev[i].cfg.name, name))
			return (int)i;
	snprintf(cfg.name, sizeof(cfg.name), "%s", name);
	return pm_devpower_add(&d->devpower, &cfg, now_ns) ? -1 : (int)d->devpower.ndevs - 1;
}

/* A device name from untrusted shared memory: NUL-terminated, [a-z0-9_-], else NULL. */
static const char *valid_name(const struct pv_dev_counters *c, char *buf, size_t len)
{
	size_t n = strnlen(c->name, sizeof(c->name));

	if (!n || n == sizeof(c->name) || n >= len)
		return NULL;
	memcpy(buf, c->name, n);
	buf[n] = '\0';
	return strspn(buf, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n ? buf : NULL;
}

static void fold_vm(struct daemon *d, struct dvm *vm, uint64_t now_ns)
{
	uint32_t i, ndevs = vm->shm.hdr.ndevs < PV_SHM_MAX_DEVS ? vm->shm.hdr.ndevs : PV_SHM_MAX_DEVS;

	for (i = 0; i < ndevs; i++) {
		const struct pv_dev_counters *c = pv_shm_dev(&vm->shm, i);
		uint64_t busy = atomic_load_explicit(&c->busy_ns, memory_order_relaxed);
		uint64_t ops = atomic_load_explicit(&c->reads, memory_order_relaxed) +
			       atomic_load_explicit(&c->writes, memory_order_relaxed);
		char name[16];
		int id;

		if (!valid_name(c, name, sizeof(name)) || (id = device_id(d, name, now_ns)) < 0)
			continue;
		/* counters only grow; a smaller value is a new VMM or a lie: take it as a base */
		if (busy < vm->dev_busy_ns[i] || ops < vm->dev_ops[i])
			vm->dev_busy_ns[i] = busy, vm->dev_ops[i] = ops;
		pm_devpower_account(&d->devpower, (unsigned int)id, vm->slot,
				    busy - vm->dev_busy_ns[i], ops - vm->dev_ops[i], now_ns);
		pm_devpower_set_latency_dep(&d->devpower, (unsigned int)id, vm->slot,
					    vm->cfg.qos == PV_QOS_LATENCY_SENSITIVE ||
					    vm->cfg.qos == PV_QOS_PARTITION);
		vm->dev_busy_ns[i] = busy;
		vm->dev_ops[i] = ops;
	}
}

void devices_tick(struct daemon *d, uint64_t now_ns)
{
	unsigned int i;

	for (i = 0; i < CFG_MAX_VMS; i++)
		if (d->vms[i] && d->vms[i]->attached)
			fold_vm(d, d->vms[i], now_ns);
	if (pm_devpower_tick(&d->devpower, now_ns) < 0)
		dpower_failed(&d->power, DPOWER_ACT_DEVICE);
}

void devices_vm_detached(struct dvm *vm)
{
	memset(vm->dev_busy_ns, 0, sizeof(vm->dev_busy_ns));
	memset(vm->dev_ops, 0, sizeof(vm->dev_ops));
}
