// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM supervision: start pv-vmm, attach to its trace region, follow it, restart it per
 * policy, and adopt VMMs left running by a previous daemon (see dvm.h for the life cycle).
 * Everything a VMM reports — hello fields, thread ids, the region's header, end reasons —
 * is validated before use: a misbehaving VMM can fail its own VM, never the daemon.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "tracer/tsc.h"

#include "daemon/daemon.h"
#include "daemon/devices.h"
#include "daemon/dvm_priv.h"
#include "daemon/persist.h"
#include "daemon/runfile.h"
#include "qos/resv.h"

static const char *const state_names[DVM_STATE_MAX] = {
	[DVM_STOPPED] = "stopped", [DVM_STARTING] = "starting", [DVM_RUNNING] = "running",
	[DVM_PAUSED] = "paused", [DVM_FAILED] = "failed", [DVM_BACKOFF] = "failed",
};

const char *dvm_state_name(enum dvm_state s)
{
	return (unsigned int)s < DVM_STATE_MAX ? state_names[s] : "unknown";
}

bool dvm_is_live(const struct dvm *vm)
{
	return vm->pid > 0;
}

void dvm_log(const struct dvm *vm, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "powervisord: vm %s: ", vm->cfg.name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

struct dvm *dvm_new(struct daemon *d, const struct cfg_vm *cfg, unsigned int slot, bool dynamic)
{
	struct dvm *vm = calloc(1, sizeof(*vm));

	if (!vm)
		return NULL;
	vm->d = d;
	vm->slot = slot;
	vm->cfg = *cfg;
	vm->dynamic = dynamic;
	vm->pidfd = -1;
	vm->state = DVM_STOPPED;
	pv_acct_stats_init(&vm->acct_base);
	for (unsigned int v = 0; v < MAX_VCPUS; v++) {
		threadstat_init(&vm->vcpu[v].ts);
		for (unsigned int e = 0; e < PM_PMU_NR_EVENTS; e++)
			vm->vcpu[v].pmu.fd[e] = -1;
	}
	snprintf(vm->sock_path, sizeof(vm->sock_path), "%.64s/vms/%.31s.sock", d->state_dir,
		 cfg->name);
	snprintf(vm->console_path, sizeof(vm->console_path), "%.64s/vms/%.31s.console", d->state_dir,
		 cfg->name);
	snprintf(vm->log_path, sizeof(vm->log_path), "%.64s/vms/%.31s.log", d->state_dir,
		 cfg->name);
	vmmctl_init(&vm->ctl, dvm_on_event, vm);
	return vm;
}

/* Final drain, then let go of the region, the consumer and the accounting. */
static void detach(struct dvm *vm)
{
	if (vm->ctl.fd >= 0)
		daemon_unwatch(vm->d, vm->ctl.fd);
	vmmctl_close(&vm->ctl);
	vm->hello_sent = false;
	for (unsigned int v = 0; v < MAX_VCPUS; v++) {
		threadstat_close(&vm->vcpu[v].ts);
		if (vm->vcpu[v].pmu.nr_open)	/* the last values stay reported */
			pm_pmu_read(&vm->vcpu[v].pmu, vm->vcpu[v].pmu_val);
		pm_pmu_close(&vm->vcpu[v].pmu);
	}
	if (vm->attached) {
		devices_vm_detached(vm);
		for (unsigned int v = 0; v < vm->nvcpus; v++) {
			struct dvm_vcpu *vc = &vm->vcpu[v];

			/* the next VMM of this VM counts from zero: keep what this one did */
			vc->base.guest_ns += vc->cur.guest_ns;
			vc->base.vmm_ns += vc->cur.vmm_ns;
			vc->base.halt_ns += vc->cur.halt_ns;
			vc->base.migrations += vc->cur.migrations;
			vc->base.exits += vc->cur.exits;
			memset(&vc->cur, 0, sizeof(vc->cur));
			vc->run_state = PV_VCPU_STOPPED;
			vc->rt_runnable = false;
		}
		dvm_acct_total(vm, &vm->acct_base);
		/* the consumer's counters (current as of the last drain) carry over too */
		vm->cons_base.rejected = vm->rejects;
		vm->cons_base.drops = vm->drops;
		memcpy(vm->cons_base.rejects, vm->rejects_by_reason, sizeof(vm->cons_base.rejects));
		pv_consumer_destroy(vm->cons);
		pv_acct_destroy(vm->acct);
		pv_shm_close(&vm->shm);
		vm->cons = NULL;
		vm->acct = NULL;
		vm->attached = false;
	}
}

void dvm_free(struct dvm *vm)
{
	if (!vm)
		return;
	detach(vm);
	if (vm->pidfd >= 0) {
		daemon_unwatch(vm->d, vm->pidfd);
		close(vm->pidfd);
	}
	free(vm);
}

static const char *kernel_path(const struct dvm *vm)
{
	return strcmp(vm->cfg.kernel, "pvguest") ? vm->cfg.kernel : vm->d->guest_path;
}

/* The pv-vmm command line for this VM. */
static void build_argv(struct dvm *vm, char **argv, char bufs[][32])
{
	const struct cfg_vm *c = &vm->cfg;
	int n = 0;

	argv[n++] = vm->d->vmm_path;
	argv[n++] = "--name";
	argv[n++] = (char *)c->name;
	argv[n++] = "--kernel";
	argv[n++] = (char *)kernel_path(vm);
	snprintf(bufs[0], 32, "%u", c->vcpus);
	argv[n++] = "--vcpus";
	argv[n++] = bufs[0];
	snprintf(bufs[1], 32, "%uM", c->mem_mib);
	argv[n++] = "--mem";
	argv[n++] = bufs[1];
	if (c->workload[0]) {
		argv[n++] = "--workload";
		argv[n++] = (char *)c->workload;
	}
	if (c->cmdline[0]) {
		argv[n++] = "--cmdline";
		argv[n++] = (char *)c->cmdline;
	}
	argv[n++] = "--halt-mode";
	argv[n++] = (char *)pv_halt_mode_name(c->halt_mode);
	if (c->halt_mode == PV_HALT_POLL) {
		snprintf(bufs[2], 32, "%u", c->poll_ns);
		argv[n++] = "--poll-ns";
		argv[n++] = bufs[2];
	}
	argv[n++] = "--control-sock";
	argv[n++] = vm->sock_path;
	argv[n++] = "--console";
	argv[n++] = vm->console_path;
	argv[n] = NULL;
}

/* Child side of the fork: own session (survives the daemon), log file, exec. */
static void __attribute__((noreturn)) exec_vmm(struct dvm *vm, char **argv)
{
	int fd;

	setsid();
	setpriority(PRIO_PROCESS, 0, 0);	/* not the loop's raised priority (loop.c) */
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		dup2(fd, 0);
	fd = open(vm->log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	syscall(SYS_close_range, 3, ~0u, 0);
	execv(argv[0], argv);
	fprintf(stderr, "powervisord: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

void dvm_set_failed(struct dvm *vm, const char *reason)
{
	snprintf(vm->end_reason, sizeof(vm->end_reason), "%s", reason);
	vm->state = DVM_FAILED;
}

static int watch_pid(struct dvm *vm)
{
	vm->pidfd = (int)syscall(SYS_pidfd_open, vm->pid, 0);
	if (vm->pidfd < 0)
		return -errno;
	return daemon_watch(vm->d, vm->pidfd, DFD_VM_EXIT, vm->slot);
}

int dvm_start(struct dvm *vm)
{
	char *argv[32], bufs[3][32];
	pid_t pid;
	int err;

	if (dvm_is_live(vm))
		return -EBUSY;
	build_argv(vm, argv, bufs);
	unlink(vm->sock_path);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		dvm_set_failed(vm, "fork-failed");
		return err;
	}
	if (pid == 0)
		exec_vmm(vm, argv);
	vm->pid = pid;
	vm->our_child = true;
	vm->starttime = runfile_starttime(pid);
	vm->start_ns = daemon_now_ns();
	vm->stopping = false;
	vm->end_reason[0] = '\0';
	vm->state = DVM_STARTING;
	err = watch_pid(vm);
	if (err) {
		kill(pid, SIGKILL);
		dvm_set_failed(vm, "pidfd-failed");
		return err;
	}
	runfile_write(vm);
	return 0;
}

int dvm_reattach(struct dvm *vm)
{
	struct runfile rf;
	int err = runfile_read(vm->d->state_dir, vm->cfg.name, &rf);

	if (err)
		return err;
	if (rf.pid <= 0 || runfile_starttime(rf.pid) != rf.starttime || !rf.starttime) {
		runfile_remove(vm->d->state_dir, vm->cfg.name);
		return -ESRCH;	/* gone, or the pid now belongs to someone else */
	}
	vm->pid = rf.pid;
	vm->starttime = rf.starttime;
	vm->our_child = false;
	vm->start_ns = daemon_now_ns();
	vm->state = DVM_STARTING;
	err = watch_pid(vm);
	if (err) {
		vm->pid = 0;
		return err;
	}
	dvm_log(vm, "re-attaching to running pv-vmm pid %d", (int)vm->pid);
	return 0;
}

/*
 * Back to SCHED_OTHER before a VMM stops: on some hosts (the nested build machines) a
 * vCPU thread left in SCHED_DEADLINE while its VMM exits can stay throttled forever,
 * holding deadline bandwidth as an unkillable zombie.
 */
static void drop_reservations(struct dvm *vm)
{
	for (uint32_t v = 0; v < vm->nvcpus; v++) {
		if (!vm->vcpu[v].resv_applied)
			continue;
		resv_set_other(vm->vcpu[v].tid);
		vm->vcpu[v].resv_applied = false;
		vm->vcpu[v].boost.boosted = false;
	}
}

int dvm_stop(struct dvm *vm)
{
	drop_reservations(vm);
	if (!dvm_is_live(vm)) {
		vm->state = DVM_STOPPED;
		return 0;
	}
	vm->stopping = true;
	vm->restart_at_ns = daemon_now_ns() + (uint64_t)DVM_STOP_TIMEOUT_MS * 1000000ull;
	if (!vmmctl_connected(&vm->ctl) ||
	    vmmctl_request(&vm->ctl, "shutdown", NULL, DVM_STOP_TIMEOUT_MS, NULL, NULL))
		kill(vm->pid, SIGTERM);
	return 0;
}

/* ---- running ------------------------------------------------------------------------- */

static int feed(void *arg, uint32_t ring, const struct pv_consume_ctx *ctx,
		const struct pv_rec *recs, size_t n)
{
	struct dvm *vm = arg;

	if (ctx->kind == PV_RING_KIND_GUEST && ctx->vcpu < vm->nvcpus) {
		struct dvm_vcpu *vc = &vm->vcpu[ctx->vcpu];

		for (size_t i = 0; i < n; i++) {	/* RT activity, for boosting (qosd.c) */
			if (recs[i].type == PV_EV_RT_ACTIVATE)
				vc->rt_act_tsc = recs[i].tsc;
			else if (recs[i].type == PV_EV_RT_COMPLETE || recs[i].type == PV_EV_RT_MISS)
				vc->rt_done_tsc = recs[i].tsc;
		}
	} else if (ctx->kind == PV_RING_KIND_VCPU && ctx->vcpu < vm->nvcpus) {
		struct dvm_vcpu *vc = &vm->vcpu[ctx->vcpu];

		for (size_t i = 0; i < n; i++) {	/* run intervals, for inferred boosting */
			const struct pv_rec *r = &recs[i];

			if (r->type == PV_EV_VM_ENTRY) {
				vc->ival_entry_tsc = r->tsc;
				vc->ival_halted_ns = 0;
			} else if (r->type == PV_EV_HALT_END) {
				vc->ival_halted_ns += r->b;
			} else if (r->type == PV_EV_VM_EXIT && vc->ival_entry_tsc) {
				boost_note_interval(&vc->boost,
						    pv_clock_tsc_to_ns(&vm->clk, vc->ival_entry_tsc),
						    pv_clock_tsc_to_ns(&vm->clk, r->tsc),
						    vc->ival_halted_ns);
				vc->ival_entry_tsc = 0;
			}
		}
	}
	pv_acct_feed(vm->acct, recs, n);
	tracebuf_append(&vm->d->trace, vm->slot, ring, recs, n);
	vm->records += n;
	return 0;
}

static void drain(struct dvm *vm, uint64_t now_tsc)
{
	struct pv_consume_stats tot;
	uint32_t i;

	pv_consumer_drain(vm->cons, feed, vm, 4);
	pv_acct_close_window(vm->acct, now_tsc);
	pv_consumer_total(vm->cons, &tot);
	vm->rejects = vm->cons_base.rejected + tot.rejected;
	for (i = 0; i < PV_REJ_MAX; i++)
		vm->rejects_by_reason[i] = vm->cons_base.rejects[i] + tot.rejects[i];
	vm->drops = vm->cons_base.drops + tot.drops;
	for (i = 0; i < vm->nvcpus; i++) {
		struct dvm_vcpu *vc = &vm->vcpu[i];
		uint64_t pcpu = atomic_load_explicit(&pv_shm_vcpu(&vm->shm, i)->pcpu,
						     memory_order_relaxed);

		if (pcpu < daemon_ncpus(vm->d))	/* untrusted: ignore what cannot be */
			vc->pcpu = (uint32_t)pcpu;
		dvm_read_vcpu(vm, i);
		/* the kernel's word on where the thread ran is better than the last exit's */
		if (!threadstat_sample(&vc->ts, &vc->last) && vc->last.cpu >= 0 &&
		    (unsigned int)vc->last.cpu < daemon_ncpus(vm->d))
			vc->pcpu = (uint32_t)vc->last.cpu;
	}
}

static void try_connect(struct dvm *vm, uint64_t now_ns)
{
	if (!vmmctl_connected(&vm->ctl)) {
		if (vmmctl_connect(&vm->ctl, vm->sock_path))
			return;	/* not listening yet */
		daemon_watch(vm->d, vm->ctl.fd, DFD_VM_CTL, vm->slot);
	}
	if (!vm->hello_sent && !vmmctl_request(&vm->ctl, "hello", NULL, DEF_VMMCTL_TIMEOUT_MS,
					       dvm_on_hello, vm))
		vm->hello_sent = true;
	if (now_ns - vm->start_ns > (uint64_t)DVM_START_TIMEOUT_MS * 1000000ull) {
		dvm_log(vm, "did not come up within %u ms", DVM_START_TIMEOUT_MS);
		dvm_set_failed(vm, "start-timeout");
		kill(vm->pid, SIGKILL);
	}
}

void dvm_tick(struct dvm *vm, uint64_t now_ns, uint64_t now_tsc)
{
	vmmctl_expire(&vm->ctl, now_ns);
	if (vm->state == DVM_STARTING && dvm_is_live(vm) && !vm->attached)
		try_connect(vm, now_ns);
	if (vm->attached)
		drain(vm, now_tsc);
	if (vm->stopping && dvm_is_live(vm) && now_ns > vm->restart_at_ns)
		kill(vm->pid, SIGKILL);
	/* a VM that ran for a while has recovered: forget earlier failures */
	if (vm->state == DVM_RUNNING && vm->failures && now_ns - vm->start_ns > 30000000000ull)
		vm->failures = 0;
	if (vm->state == DVM_BACKOFF && now_ns >= vm->restart_at_ns) {
		vm->restarts++;
		dvm_log(vm, "restarting (restart %u)", vm->restarts);
		dvm_start(vm);
	}
}

/* ---- exit ---------------------------------------------------------------------------- */

/* Why did it end, from what we can trust: our own wait status, else what the VMM said. */
static bool classify_exit(struct dvm *vm, int wstatus, bool have_status)
{
	char why[DVM_END_REASON_MAX];

	if (have_status && WIFSIGNALED(wstatus)) {
		snprintf(why, sizeof(why), "killed-by-signal-%d", WTERMSIG(wstatus));
		snprintf(vm->end_reason, sizeof(vm->end_reason), "%s", why);
		return false;
	}
	if (have_status && WIFEXITED(wstatus)) {
		if (!vm->end_reason[0])
			snprintf(vm->end_reason, sizeof(vm->end_reason), "exit-status-%d",
				 WEXITSTATUS(wstatus));
		return WEXITSTATUS(wstatus) == 0;
	}
	/* adopted VMM: only its own word, and "poweroff" with status 0 is the clean end */
	if (!vm->end_reason[0])
		snprintf(vm->end_reason, sizeof(vm->end_reason), "vanished");
	return !strcmp(vm->end_reason, "poweroff") && vm->end_status == 0;
}

void dvm_on_exit(struct dvm *vm)
{
	int wstatus = 0;
	bool have_status = false, clean;
	uint64_t now = daemon_now_ns();

	if (vm->our_child && waitpid(vm->pid, &wstatus, WNOHANG) == vm->pid)
		have_status = true;
	drop_reservations(vm);	/* threads may linger (see drop_reservations) */
	if (vm->attached)	/* whatever the VMM wrote before it ended */
		drain(vm, pv_rdtsc());
	detach(vm);
	daemon_unwatch(vm->d, vm->pidfd);
	close(vm->pidfd);
	vm->pidfd = -1;
	clean = classify_exit(vm, wstatus, have_status);
	vm->pid = 0;
	runfile_remove(vm->d->state_dir, vm->cfg.name);
	if (vm->stopping || clean) {
		vm->state = DVM_STOPPED;
		vm->stopping = false;
		dvm_log(vm, "stopped (%s)", vm->end_reason);
		return;
	}
	vm->state = DVM_FAILED;
	dvm_log(vm, "failed: %s", vm->end_reason);
	if (vm->cfg.restart == CFG_RESTART_ON_FAILURE && vm->failures < vm->cfg.max_restarts &&
	    !vm->d->stopping) {
		uint64_t delay_ms = vm->cfg.restart_backoff_ms;
		uint32_t i;

		for (i = 0; i < vm->failures && delay_ms < MAX_RESTART_BACKOFF_MS; i++)
			delay_ms *= 2;
		if (delay_ms > MAX_RESTART_BACKOFF_MS)
			delay_ms = MAX_RESTART_BACKOFF_MS;
		vm->failures++;
		vm->restart_at_ns = now + delay_ms * 1000000ull;
		vm->state = DVM_BACKOFF;
		dvm_log(vm, "restart in %llu ms", (unsigned long long)delay_ms);
	}
}

int dvm_request(struct dvm *vm, const char *cmd, json_t *args, vmmctl_reply_fn done, void *arg)
{
	if (!vm->attached)
		return -ENOTCONN;
	return vmmctl_request(&vm->ctl, cmd, args, DEF_VMMCTL_TIMEOUT_MS, done, arg);
}
