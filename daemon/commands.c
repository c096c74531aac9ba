// SPDX-License-Identifier: GPL-2.0-only
/*
 * The REST API's mutating commands, run on the policy-loop thread (see commands.h).
 *
 * Design note — what a command may do and when it is done:
 *   create  the name is free and a slot exists; the VM is created best-effort, then its QoS
 *           class goes through admission (qosd_apply) exactly like a later QoS change, so a
 *           VM that does not fit is refused (409) and leaves nothing behind; then its VMM
 *           is started and the dynamic VM persisted (and a tombstone of that name
 *           cleared, daemon/state.h). Done when the VMM was forked: the VM is "starting"
 *           and comes up within a tick or two.
 *   delete  dvm_stop (shutdown request, SIGKILL after DVM_STOP_TIMEOUT_MS); done when the
 *           VMM is gone: cmds_tick() then drops its QoS (qosd_vm_removed), frees it,
 *           persists (a configuration VM leaves a tombstone so it stays deleted after a
 *           restart) and completes. A VM that is not running is removed at once.
 *   pause / resume  only from running / paused (else 409); done when the VMM answered.
 *   power   a governor switch is transactional (powermgr rolls back; the old governor
 *           stays and the reason is returned); tunables are all validated before any is set.
 *   qos     qosd_apply: admitted and applied, or refused with the reason and no change.
 * After a successful mutation the snapshot is republished so readers see it at once.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/commands.h"
#include "daemon/daemon.h"
#include "daemon/dsnap.h"
#include "daemon/qosd.h"
#include "daemon/state.h"

struct cmds_io *cmds_io_new(void)
{
	return calloc(1, sizeof(struct cmds_io));
}

int cmds_call(struct cmdq *q, const struct cmds_ops *ops, enum cmds_kind kind,
	      struct cmds_io **iop, unsigned int timeout_ms, uint64_t *lat_ns)
{
	void *out = NULL;
	int ret;

	if ((unsigned int)kind >= CMDS_KIND_MAX || !ops->fn[kind])
		return -ENOSYS;
	ret = cmdq_call(q, ops->fn[kind], *iop, &out, timeout_ms, free, lat_ns);
	if (out)
		*iop = out;		/* ran: the block came back as the output */
	else if (ret == -ETIMEDOUT)
		*iop = NULL;		/* abandoned: the queue frees it when the command ends */
	return ret;			/* else: never ran, the block is still ours */
}

static int fail(struct cmds_io *io, int err, const char *code, const char *field,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail(struct cmds_io *io, int err, const char *code, const char *field,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(io->reason, sizeof(io->reason), fmt, ap);
	va_end(ap);
	snprintf(io->code, sizeof(io->code), "%s", code ? code : "");
	snprintf(io->field, sizeof(io->field), "%s", field ? field : "");
	return err;
}

/* ---- waiting commands ---------------------------------------------------------------- */

static struct cmds_wait *wait_add(struct daemon *d, enum cmds_kind kind, struct dvm *vm,
				  struct cmds_io *io)
{
	unsigned int i;

	for (i = 0; i < CMDS_MAX_PENDING; i++) {
		struct cmds_wait *w = &d->cmds_wait[i];

		if (w->io)
			continue;
		w->io = io;
		w->kind = kind;
		w->vm = vm;
		w->d = d;
		return w;
	}
	return NULL;
}

static void wait_complete(struct cmds_wait *w, int result)
{
	struct cmd *c = w->io->cmd;

	w->io = NULL;
	w->vm = NULL;
	cmdq_complete(&w->d->cmdq, c, result);	/* may free the io block: not used after */
}

static bool being_deleted(const struct daemon *d, const struct dvm *vm)
{
	unsigned int i;

	for (i = 0; i < CMDS_MAX_PENDING; i++)
		if (d->cmds_wait[i].io && d->cmds_wait[i].vm == vm &&
		    d->cmds_wait[i].kind == CMDS_VM_DELETE)
			return true;
	return false;
}

/* The VM named in @io, or NULL with a 404-style failure filled in. */
static struct dvm *find_vm(struct daemon *d, struct cmds_io *io, int *err)
{
	struct dvm *vm = daemon_find_vm(d, io->name);

	if (!vm)
		*err = fail(io, -ENOENT, "not_found", "name", "no VM named '%s'", io->name);
	else if (being_deleted(d, vm))
		*err = fail(io, -EBUSY, "wrong_state", NULL, "VM '%s' is being deleted", io->name), vm = NULL;
	return vm;
}

/* Forget a VM that is down: QoS, slot, memory; persisted; readers see it gone. */
static void remove_vm(struct daemon *d, struct dvm *vm)
{
	unsigned int slot = vm->slot;

	qosd_vm_removed(d, vm);
	d->vms[slot] = NULL;
	dvm_free(vm);
	d->power.vm_j[slot] = 0;	/* the slot's next VM starts from zero */
	d->power.vm_w[slot] = 0;
}

/* Publish now; a reader holding the pointer lock is a matter of nanoseconds: retry briefly. */
static void republish(struct daemon *d)
{
	unsigned int i;

	if (dsnap_publish(d))
		return;
	for (i = 0; i < 64 && snapshot_flush(&d->pub); i++)
		sched_yield();
}

/* ---- create / delete ----------------------------------------------------------------- */

static const char *qos_field(const struct qos_spec *q)
{
	return q->cls == PV_QOS_REALTIME ? "reservation.runtime_us" : "qos";
}

static int vm_create(void *loop, struct cmd *c)
{
	struct daemon *d = loop;
	struct cmds_io *io = cmds_io_adopt(c);
	struct qos_spec want = { .cls = io->spec.qos, .latency_budget_us = io->spec.latency_budget_us,
				 .resv = io->spec.reservation };
	struct cfg_vm be = io->spec;
	struct qos_outcome out = { 0 };
	char why[CFG_ERR_MAX];
	struct dvm *vm;
	int slot, err;

	if (d->stopping)
		return fail(io, -ESHUTDOWN, "stopping", NULL, "the daemon is stopping");
	if (cfg_vm_check_node(&io->spec, &d->cfg.node, "", why))	/* as the file's VMs */
		return fail(io, -EINVAL, "invalid_field", "group", "%s", why);
	if (daemon_find_vm(d, io->spec.name))
		return fail(io, -EEXIST, "name_taken", "name", "a VM named '%s' exists",
			    io->spec.name);
	slot = daemon_free_slot(d);
	if (slot < 0)
		return fail(io, -ENOSPC, "no_slot", NULL, "no free VM slot (at most %d VMs)",
			    CFG_MAX_VMS);
	be.qos = PV_QOS_BEST_EFFORT;		/* admitted below like any QoS change */
	be.reservation.set = false;
	vm = dvm_new(d, &be, (unsigned int)slot, true);
	if (!vm)
		return fail(io, -ENOMEM, "internal", NULL, "out of memory");
	d->vms[slot] = vm;
	d->power.vm_j[slot] = 0;
	d->power.vm_w[slot] = 0;
	if (want.cls != PV_QOS_BEST_EFFORT) {
		err = qosd_apply(d, vm, &want, &out);
		if (err) {
			remove_vm(d, vm);
			return fail(io, err, err == -EINVAL ? "invalid_field" : "admission_rejected",
				    qos_field(&want), "%s", out.reason);
		}
	}
	io->admitted = want.cls == PV_QOS_BEST_EFFORT || out.admitted;
	snprintf(io->reason, sizeof(io->reason), "%s", out.reason);
	err = dvm_start(vm);
	if (err) {
		remove_vm(d, vm);
		return fail(io, err, "start_failed", NULL, "cannot start the VMM: %s", strerror(-err));
	}
	state_save(d);
	state_vm_created(d, io->spec.name);	/* after vms.json has it (state.h) */
	republish(d);
	return 0;
}

static void finish_delete(struct daemon *d, struct dvm *vm)
{
	unsigned int i;

	state_vm_deleted(d, vm->cfg.name);	/* first: a configuration VM stays deleted */
	remove_vm(d, vm);
	state_save(d);
	republish(d);
	for (i = 0; i < CMDS_MAX_PENDING; i++)
		if (d->cmds_wait[i].io && d->cmds_wait[i].vm == vm)
			wait_complete(&d->cmds_wait[i], 0);
}

static int vm_delete(void *loop, struct cmd *c)
{
	struct daemon *d = loop;
	struct cmds_io *io = cmds_io_adopt(c);
	struct dvm *vm = daemon_find_vm(d, io->name);

	if (!vm)
		return fail(io, -ENOENT, "not_found", "name", "no VM named '%s'", io->name);
	if (!being_deleted(d, vm))
		dvm_stop(vm);
	if (!dvm_is_live(vm)) {
		finish_delete(d, vm);	/* completes other deletes of it that were waiting */
		return 0;
	}
	if (!wait_add(d, CMDS_VM_DELETE, vm, io))
		return fail(io, -EAGAIN, "busy", NULL, "too many commands waiting");
	return -EINPROGRESS;		/* cmds_tick() finishes it once the VMM is gone */
}

void cmds_tick(struct daemon *d)
{
	unsigned int i;

	for (i = 0; i < CMDS_MAX_PENDING; i++) {
		struct cmds_wait *w = &d->cmds_wait[i];

		if (w->io && w->kind == CMDS_VM_DELETE && !dvm_is_live(w->vm))
			finish_delete(d, w->vm);
	}
}

void cmds_abort(struct daemon *d)
{
	unsigned int i;

	for (i = 0; i < CMDS_MAX_PENDING; i++) {
		struct cmds_wait *w = &d->cmds_wait[i];

		if (!w->io)
			continue;
		fail(w->io, -ESHUTDOWN, "stopping", NULL, "the daemon is stopping");
		wait_complete(w, -ESHUTDOWN);
	}
}

/* ---- pause / resume ------------------------------------------------------------------ */

static void on_vmm_reply(void *arg, int err, json_t *result, const char *msg, int fd)
{
	struct cmds_wait *w = arg;
	struct cmds_io *io = w->io;

	(void)result;
	if (fd >= 0)
		close(fd);
	if (!io)
		return;			/* aborted while the VMM was thinking */
	if (!err) {
		w->vm->state = w->kind == CMDS_VM_PAUSE ? DVM_PAUSED : DVM_RUNNING;
		republish(w->d);
		wait_complete(w, 0);
		return;
	}
	fail(io, -EBUSY, "vmm_refused", NULL, "the VMM did not %s: %s",
	     w->kind == CMDS_VM_PAUSE ? "pause" : "resume", msg ? msg : strerror(-err));
	wait_complete(w, err == -ETIMEDOUT ? -ETIMEDOUT : -EBUSY);
}

static int vm_pause_resume(struct daemon *d, struct cmds_io *io, enum cmds_kind kind)
{
	enum dvm_state from = kind == CMDS_VM_PAUSE ? DVM_RUNNING : DVM_PAUSED;
	const char *what = kind == CMDS_VM_PAUSE ? "pause" : "resume";
	struct cmds_wait *w;
	struct dvm *vm;
	int err = 0;

	vm = find_vm(d, io, &err);
	if (!vm)
		return err;
	if (vm->state != from)
		return fail(io, -EBUSY, "wrong_state", NULL, "cannot %s VM '%s': it is %s", what,
			    io->name, dvm_state_name(vm->state));
	w = wait_add(d, kind, vm, io);
	if (!w)
		return fail(io, -EAGAIN, "busy", NULL, "too many commands waiting");
	err = dvm_request(vm, what, NULL, on_vmm_reply, w);
	if (err) {
		w->io = NULL;
		return fail(io, -EBUSY, "wrong_state", NULL, "cannot %s VM '%s': %s", what,
			    io->name, err == -ENOTCONN ? "its VMM is not attached" : strerror(-err));
	}
	return -EINPROGRESS;		/* on_vmm_reply() completes it */
}

static int vm_pause(void *loop, struct cmd *c)
{
	return vm_pause_resume(loop, cmds_io_adopt(c), CMDS_VM_PAUSE);
}

static int vm_resume(void *loop, struct cmd *c)
{
	return vm_pause_resume(loop, cmds_io_adopt(c), CMDS_VM_RESUME);
}

/* ---- power --------------------------------------------------------------------------- */

/* Every tunable exists in the running governor and is in range; else the field. */
static int check_tunables(struct pm_gov *g, struct cmds_io *io)
{
	unsigned int i;

	for (i = 0; i < io->ntun; i++) {
		const struct pm_tunable_desc *desc;
		int64_t v;
		char field[CMDS_FIELD_MAX];
		int idx = pm_gov_tunable_index(g, io->tun[i].name);

		snprintf(field, sizeof(field), "tunables.%s", io->tun[i].name);
		if (idx < 0)
			return fail(io, -EINVAL, "invalid_field", field,
				    "governor %s has no tunable '%s'", g->ops->name, io->tun[i].name);
		if (pm_gov_tunable_at(g, (unsigned int)idx, &desc, &v))
			return fail(io, -EINVAL, "invalid_field", field, "unknown tunable");
		if (io->tun[i].value < desc->min || io->tun[i].value > desc->max)
			return fail(io, -ERANGE, "invalid_field", field,
				    "must be between %lld and %lld", (long long)desc->min,
				    (long long)desc->max);
	}
	return 0;
}

static int power_set(void *loop, struct cmd *c)
{
	struct daemon *d = loop;
	struct cmds_io *io = cmds_io_adopt(c);
	struct pm_tunable_kv kv[PM_GOV_MAX_TUNABLES];
	char err_text[DPOWER_ERR_MAX];
	unsigned int i;
	int err;

	if (!d->power_ok || !d->power.gov.cur)
		return fail(io, -ENOTSUP, "no_power", NULL, "the power backend is not available");
	if (io->ntun > PM_GOV_MAX_TUNABLES)
		return fail(io, -EINVAL, "invalid_field", "tunables", "too many tunables");
	if (io->governor[0]) {
		for (i = 0; i < io->ntun; i++)
			kv[i] = (struct pm_tunable_kv){ io->tun[i].name, io->tun[i].value };
		err = dpower_set_governor(&d->power, io->governor, kv, io->ntun, err_text);
		if (err)
			return fail(io, -ECANCELED, "governor_failed", "governor", "%s", err_text);
		snprintf(io->reason, sizeof(io->reason), "governor %s running", io->governor);
		state_save(d);		/* policy.json */
	} else {
		err = check_tunables(d->power.gov.cur, io);
		if (err)
			return err;
		for (i = 0; i < io->ntun; i++) {
			err = pm_gov_tunable_set(d->power.gov.cur, io->tun[i].name, io->tun[i].value);
			if (err)	/* cannot happen after the check; say so if it does */
				return fail(io, err, "invalid_field", "tunables", "%s", strerror(-err));
		}
	}
	republish(d);
	return 0;
}

/* ---- qos ----------------------------------------------------------------------------- */

static int qos_set(void *loop, struct cmd *c)
{
	struct daemon *d = loop;
	struct cmds_io *io = cmds_io_adopt(c);
	struct qos_outcome out = { 0 };
	struct dvm *vm;
	int err = 0;

	vm = find_vm(d, io, &err);
	if (!vm)
		return err;
	err = qosd_apply(d, vm, &io->qos, &out);
	io->admitted = out.admitted;
	if (err)
		return fail(io, err, err == -EINVAL ? "invalid_field" : "admission_rejected",
			    io->qos.cls == PV_QOS_REALTIME ? "reservation.runtime_us" : "class",
			    "%s", out.reason[0] ? out.reason : strerror(-err));
	snprintf(io->reason, sizeof(io->reason), "%s", out.reason);
	if (vm->dynamic)
		state_save(d);		/* the VM's definition changed */
	republish(d);
	return 0;
}

const struct cmds_ops cmds_daemon_ops = {
	.fn = {
		[CMDS_VM_CREATE] = vm_create,
		[CMDS_VM_DELETE] = vm_delete,
		[CMDS_VM_PAUSE] = vm_pause,
		[CMDS_VM_RESUME] = vm_resume,
		[CMDS_POWER_SET] = power_set,
		[CMDS_QOS_SET] = qos_set,
	},
};
