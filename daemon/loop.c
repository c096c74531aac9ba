// SPDX-License-Identifier: GPL-2.0-only
/*
 * powervisord's event loop: one epoll set for the tick timer, signals, the command queue,
 * and every VM's control socket and process descriptor. Set-up and tear-down of the daemon
 * live here too; the work of a tick is in daemon/tick.c.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include "daemon/daemon.h"
#include "daemon/devices.h"
#include "daemon/dsnap.h"
#include "daemon/persist.h"
#include "daemon/qosd.h"
#include "daemon/state.h"
#include "daemon/tick.h"
#include "tracer/tsc.h"

#define STOP_GRACE_MS	5000u
#define LOOP_NICE	-10	/* the policy loop thread (raise_loop_priority) */

uint64_t daemon_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

unsigned int daemon_ncpus(const struct daemon *d)
{
	return d->power.ncpus;
}

struct dvm *daemon_find_vm(struct daemon *d, const char *name)
{
	unsigned int i;

	for (i = 0; i < CFG_MAX_VMS; i++)
		if (d->vms[i] && !strcmp(d->vms[i]->cfg.name, name))
			return d->vms[i];
	return NULL;
}

int daemon_free_slot(const struct daemon *d)
{
	int i;

	for (i = 0; i < (int)CFG_MAX_VMS; i++)
		if (!d->vms[i])
			return i;
	return -ENOSPC;
}

int daemon_watch(struct daemon *d, int fd, uint32_t kind, uint32_t slot)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)kind << 32 | slot };

	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

void daemon_unwatch(struct daemon *d, int fd)
{
	if (fd >= 0)
		epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
}

/* pv-vmm and pvguest.elf: configured, else beside this executable (build tree or install). */
static void find_binaries(struct daemon *d, const char *argv0)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0) {
		snprintf(exe, sizeof(exe), "%s", argv0);
		n = (ssize_t)strlen(exe);
	}
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(exe, ".");
	if (d->cfg.node.vmm_path[0])
		snprintf(d->vmm_path, sizeof(d->vmm_path), "%s", d->cfg.node.vmm_path);
	else
		snprintf(d->vmm_path, sizeof(d->vmm_path), "%s/pv-vmm", exe);
	if (d->cfg.node.guest_path[0]) {
		snprintf(d->guest_path, sizeof(d->guest_path), "%s", d->cfg.node.guest_path);
		return;
	}
	snprintf(d->guest_path, sizeof(d->guest_path), "%s/guest/pvguest.elf", exe);
	if (access(d->guest_path, R_OK))
		snprintf(d->guest_path, sizeof(d->guest_path), "%s/../lib/powervisor/pvguest.elf",
			 exe);
}

static int setup_fds(struct daemon *d)
{
	struct itimerspec its = { 0 };
	sigset_t mask;

	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->epfd < 0 || d->tfd < 0 || d->sfd < 0)
		return -errno;
	its.it_interval.tv_nsec = (long)d->tick_ns;
	its.it_value.tv_nsec = (long)d->tick_ns;
	if (d->tick_ns >= 1000000000ull) {
		its.it_interval.tv_sec = its.it_value.tv_sec = (time_t)(d->tick_ns / 1000000000ull);
		its.it_interval.tv_nsec = its.it_value.tv_nsec = (long)(d->tick_ns % 1000000000ull);
	}
	if (timerfd_settime(d->tfd, 0, &its, NULL))
		return -errno;
	if (daemon_watch(d, d->tfd, DFD_TIMER, 0) || daemon_watch(d, d->sfd, DFD_SIGNAL, 0) ||
	    daemon_watch(d, cmdq_fd(&d->cmdq), DFD_CMDQ, 0))
		return -errno;
	return 0;
}

static void emit_node_rec(void *ctx, const struct pv_rec *rec)
{
	struct daemon *d = ctx;

	tracebuf_append(&d->trace, UINT32_MAX, 0, rec, 1);
}

static int setup_qos(struct daemon *d)
{
	unsigned int n = daemon_ncpus(d);

	qos_constraints_init(&d->qcons, n);
	d->pmcons.ncpus = n;
	d->pmcons.cpu = calloc(n, sizeof(*d->pmcons.cpu));
	d->vm_busy_ns = calloc((size_t)n * CFG_MAX_VMS, sizeof(uint64_t));
	d->vm_poll_ns = calloc((size_t)n * CFG_MAX_VMS, sizeof(uint64_t));
	d->cpu_vmm_ns = calloc(n, sizeof(uint64_t));
	if (!d->pmcons.cpu || !d->vm_busy_ns || !d->vm_poll_ns || !d->cpu_vmm_ns)
		return -ENOMEM;
	pm_constraints_reset(&d->pmcons);
	if (geteuid())
		d->resv = NULL;	/* neither SCHED_FIFO nor SCHED_DEADLINE without privileges */
	else if (!strcmp(d->cfg.node.resv_backend, "auto"))
		d->resv = resv_probe_best();
	else if ((d->resv = resv_lookup(d->cfg.node.resv_backend)) && d->resv->probe())
		d->resv = NULL;
	if (strcmp(d->cfg.node.resv_backend, "auto") && !d->resv)
		fprintf(stderr, "powervisord: reservation backend \"%s\" unavailable here\n",
			d->cfg.node.resv_backend);
	boost_tunables_default(&d->boost);
	return 0;
}

int daemon_init(struct daemon *d, const struct cfg *cfg, const struct daemon_opts *o,
		const char *argv0)
{
	uint64_t khz = 0;
	unsigned int i;
	int err;

	memset(d, 0, sizeof(*d));
	d->epfd = d->tfd = d->sfd = -1;
	d->cfg = *cfg;
	d->keep_vms = o->keep_vms;
	d->live = o->quiet ? NULL : stdout;
	snprintf(d->state_dir, sizeof(d->state_dir), "%s",
		 o->state_dir ? o->state_dir : cfg->node.state_dir);
	d->tick_ns = (uint64_t)cfg->node.tick_ms * 1000000ull;
	find_binaries(d, argv0);
	err = state_prepare(d);
	if (err) {
		fprintf(stderr, "powervisord: state dir %s: %s\n", d->state_dir, strerror(-err));
		return err;
	}
	if (access(d->vmm_path, X_OK))
		fprintf(stderr, "powervisord: warning: %s is not executable; VMs cannot start\n",
			d->vmm_path);
	if (pv_clock_host_khz(&khz) || pv_clock_init(&d->clk, khz)) {
		fprintf(stderr, "powervisord: cannot determine the TSC frequency\n");
		return -EIO;
	}
	if ((err = cmdq_init(&d->cmdq)) || (err = snapshot_init(&d->pub)) ||
	    (err = tracebuf_init(&d->trace, TRACEBUF_DEF_ORDER)))
		return err;
	err = dpower_open(&d->power, cfg->node.backend, cfg->node.governor, 0, emit_node_rec, d,
			  d->power_err);
	if (err) {
		fprintf(stderr, "powervisord: %s\n", d->power_err);
		return err;
	}
	d->power_ok = true;
	err = setup_qos(d);
	if (!err)
		err = setup_fds(d);
	if (err)
		return err;
	pv_hist_init(&d->tick_hist);
	devices_init(d);
	for (i = 0; i < cfg->nvms; i++) {
		d->vms[i] = dvm_new(d, &cfg->vms[i], i, false);
		if (!d->vms[i])
			return -ENOMEM;
	}
	state_load(d);	/* VMs created through the API, policy, cumulative counters */
	qosd_init(d);
	d->start_ns = d->last_tick_ns = d->rate_t0_ns = daemon_now_ns();
	d->rate_node_j = d->power.node_j;
	for (i = 0; i < CFG_MAX_VMS; i++)
		if (d->vms[i])
			d->vms[i]->rate_energy_j = d->power.vm_j[i];
	d->next_summary_ns = d->start_ns + 1000000000ull;
	d->next_persist_ns = d->start_ns + 1000000000ull;
	if (o->run_for_s)
		d->run_until_ns = d->start_ns + (uint64_t)o->run_for_s * 1000000000ull;
	return 0;
}

static void begin_stop(struct daemon *d, const char *why)
{
	unsigned int i;

	if (d->stopping)
		return;
	d->stopping = true;
	d->stop_deadline_ns = daemon_now_ns() + (uint64_t)STOP_GRACE_MS * 1000000ull;
	fprintf(stderr, "powervisord: stopping (%s)%s\n", why,
		d->keep_vms ? "; VMs keep running" : "");
	if (d->keep_vms)
		return;
	for (i = 0; i < CFG_MAX_VMS; i++)
		if (d->vms[i])
			dvm_stop(d->vms[i]);
}

static bool all_vms_down(const struct daemon *d)
{
	unsigned int i;

	for (i = 0; i < CFG_MAX_VMS; i++)
		if (d->vms[i] && dvm_is_live(d->vms[i]))
			return false;
	return true;
}

static void on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sfd, &si, sizeof(si)) == sizeof(si))
		begin_stop(d, si.ssi_signo == SIGINT ? "SIGINT" : si.ssi_signo == SIGHUP ?
			   "SIGHUP" : "SIGTERM");
}

static void dispatch(struct daemon *d, uint64_t tag)
{
	uint32_t kind = (uint32_t)(tag >> 32), slot = (uint32_t)tag;
	struct dvm *vm = slot < CFG_MAX_VMS ? d->vms[slot] : NULL;
	uint64_t expirations;

	switch (kind) {
	case DFD_TIMER:
		if (read(d->tfd, &expirations, sizeof(expirations)) > 0) {
			daemon_tick(d);
			cmds_tick(d);	/* API deletions whose VMM is down */
		}
		break;
	case DFD_SIGNAL:
		on_signal(d);
		break;
	case DFD_CMDQ:
		cmdq_run(&d->cmdq, d);
		break;
	case DFD_VM_CTL:
		if (vm)
			dvm_on_ctl_readable(vm);
		break;
	case DFD_VM_EXIT:
		if (vm)
			dvm_on_exit(vm);
		break;
	}
}

/*
 * The policy loop runs at LOOP_NICE: its decisions and the QoS changes it applies must not
 * wait behind the best-effort load they manage (a QoS change is to apply within 1 ms). Only
 * this thread is raised (Linux nice is per thread): the API threads started before keep
 * the default, and VMMs forked from here are reset to it before exec (dvm.c).
 */
static void raise_loop_priority(void)
{
	if (!geteuid() && setpriority(PRIO_PROCESS, 0, LOOP_NICE))
		fprintf(stderr, "powervisord: cannot raise the loop's priority: %s\n", strerror(errno));
}

int daemon_run(struct daemon *d)
{
	struct epoll_event evs[32];
	unsigned int i;
	int n, k;

	raise_loop_priority();
	for (i = 0; i < CFG_MAX_VMS; i++)
		if (d->vms[i] && dvm_reattach(d->vms[i]))
			dvm_start(d->vms[i]);
	dsnap_publish(d);
	while (!(d->stopping && (all_vms_down(d) || d->keep_vms ||
				 daemon_now_ns() > d->stop_deadline_ns))) {
		n = epoll_wait(d->epfd, evs, 32, 100);
		if (n < 0 && errno != EINTR)
			break;
		for (k = 0; k < n; k++)
			dispatch(d, evs[k].data.u64);
		if (d->run_until_ns && daemon_now_ns() >= d->run_until_ns)
			begin_stop(d, "--run-for elapsed");
	}
	daemon_tick(d);		/* final accounting of what the VMs wrote before they ended */
	state_save(d);
	return d->exit_status;
}

void daemon_fini(struct daemon *d)
{
	unsigned int i;

	cmdq_close(&d->cmdq);
	for (i = 0; i < CFG_MAX_VMS; i++) {
		dvm_free(d->vms[i]);
		d->vms[i] = NULL;
	}
	if (d->power_ok)
		dpower_close(&d->power);
	snapshot_destroy(&d->pub);
	cmdq_destroy(&d->cmdq);
	tracebuf_fini(&d->trace);
	free(d->pmcons.cpu);
	free(d->vm_busy_ns);
	free(d->vm_poll_ns);
	free(d->cpu_vmm_ns);
	if (d->epfd >= 0)
		close(d->epfd);
	if (d->tfd >= 0)
		close(d->tfd);
	if (d->sfd >= 0)
		close(d->sfd);
}
