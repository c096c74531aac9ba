// SPDX-License-Identifier: GPL-2.0-only
/*
 * Attaching to a VMM: the `hello` reply (pid, thread ids, clock) and the trace region it
 * passes are checked against /proc and the region's own header before anything is used;
 * a VMM that fails a check fails its VM. Also the VMM's pushed events.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "tracer/tsc.h"

#include "daemon/daemon.h"
#include "daemon/dvm_priv.h"

/* Is @tid a thread of process @pid? */
static bool tid_of(pid_t pid, long tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%ld", (int)pid, tid);
	return tid > 0 && tid < (1l << 22) && access(path, F_OK) == 0;
}

static int check_hello(struct dvm *vm, json_t *res, const char **why)
{
	json_t *tids = json_object_get(res, "vcpu_tids"), *t;
	json_int_t nvcpus = json_integer_value(json_object_get(res, "nvcpus"));
	json_int_t pid = json_integer_value(json_object_get(res, "pid"));
	size_t i;

	*why = NULL;
	if (nvcpus != (json_int_t)vm->cfg.vcpus)
		*why = "hello: nvcpus does not match the definition";
	else if (pid != vm->pid)
		*why = "hello: pid does not match the process";
	else if (!json_is_array(tids) || json_array_size(tids) != (size_t)nvcpus)
		*why = "hello: vcpu_tids malformed";
	if (*why)
		return -EPROTO;
	json_array_foreach(tids, i, t) {
		if (!json_is_integer(t) || !tid_of(vm->pid, (long)json_integer_value(t))) {
			*why = "hello: a vCPU thread id is not a thread of the VMM";
			return -EPROTO;
		}
		vm->vcpu[i].tid = (pid_t)json_integer_value(t);
		threadstat_open(&vm->vcpu[i].ts, vm->pid, vm->vcpu[i].tid);
		pm_pmu_open(&vm->vcpu[i].pmu, vm->vcpu[i].tid);	/* what is available */
		vm->vcpu[i].pmu_mask = 0;
		for (unsigned int e = 0; e < PM_PMU_NR_EVENTS; e++)
			if (vm->vcpu[i].pmu.fd[e] >= 0)
				vm->vcpu[i].pmu_mask |= 1u << e;
	}
	return 0;
}

static int attach_region(struct dvm *vm, int fd, const char **why)
{
	int err = pv_shm_attach(&vm->shm, fd);

	if (err) {
		close(fd);
		*why = "trace region header invalid";
		return err;
	}
	if (vm->shm.hdr.nvcpus != vm->cfg.vcpus || pv_clock_init(&vm->clk, vm->shm.hdr.tsc_khz)) {
		*why = "trace region does not match the VM";
		err = -EPROTO;
		goto out_close_shm;
	}
	err = pv_consumer_create(&vm->cons, &vm->shm, 4096);
	if (err) {
		*why = "consumer";
		goto out_close_shm;
	}
	err = pv_acct_create(&vm->acct, vm->cfg.vcpus, &vm->clk);
	if (err) {
		*why = "accounting";
		goto out_destroy_consumer;
	}
	vm->nvcpus = vm->cfg.vcpus;
	vm->attached = true;
	return 0;

out_destroy_consumer:
	pv_consumer_destroy(vm->cons);
	vm->cons = NULL;
out_close_shm:
	pv_shm_close(&vm->shm);
	return err;
}

void dvm_on_hello(void *arg, int err, json_t *res, const char *msg, int fd)
{
	struct dvm *vm = arg;
	const char *why = NULL;
	const char *state;

	if (err) {
		if (fd >= 0)
			close(fd);
		dvm_log(vm, "hello failed: %s", msg ? msg : strerror(-err));
		vm->hello_sent = false;	/* retried next tick while the start window lasts */
		return;
	}
	if (fd < 0)
		why = "hello: no trace region passed";
	else if (!check_hello(vm, res, &why))
		attach_region(vm, fd, &why);
	else
		close(fd);
	if (why) {
		dvm_log(vm, "refusing the VMM: %s", why);
		dvm_set_failed(vm, "protocol-error");
		kill(vm->pid, SIGKILL);
		return;
	}
	state = json_string_value(json_object_get(res, "state"));
	vm->state = state && !strcmp(state, "paused") ? DVM_PAUSED : DVM_RUNNING;
	vm->start_ns = daemon_now_ns();
	dvm_log(vm, "attached: pid %d, %u vCPUs, %.1f MHz TSC", (int)vm->pid, vm->nvcpus,
		(double)vm->clk.tsc_khz / 1000.0);
}

void dvm_on_event(void *arg, const char *name, json_t *ev)
{
	struct dvm *vm = arg;

	if (!strcmp(name, "vm-end")) {
		const char *reason = json_string_value(json_object_get(ev, "reason"));
		json_t *st = json_object_get(ev, "status");

		if (reason && strlen(reason) < sizeof(vm->end_reason) &&
		    strspn(reason, "abcdefghijklmnopqrstuvwxyz-_0123456789") == strlen(reason))
			strcpy(vm->end_reason, reason);
		if (json_is_integer(st))
			vm->end_status = (int)json_integer_value(st);
	}
}

void dvm_on_ctl_readable(struct dvm *vm)
{
	int fd = vm->ctl.fd;

	if (vmmctl_on_readable(&vm->ctl) == -ECONNRESET && fd >= 0)
		daemon_unwatch(vm->d, fd);	/* the VMM closed; its exit follows via pidfd */
}

