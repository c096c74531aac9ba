// SPDX-License-Identifier: GPL-2.0-only
/*
 * pv-vmm: one process per VM. Set-up (privileged), privilege drop, then the main thread
 * becomes the event thread until the VM ends; summary; exit status 0 for a clean end
 * (guest power-off with status 0, duration, shutdown request, reset) and 1 otherwise.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "vmm/config.h"
#include "vmm/ctl.h"
#include "vmm/devices.h"
#include "vmm/evloop.h"
#include "vmm/exit.h"
#include "vmm/sandbox.h"
#include "vmm/summary.h"
#include "vmm/traceout.h"
#include "vmm/vm.h"

static void main_noop(int sig)
{
	(void)sig;
}

/* Signals: vCPU kick/timer/budget are blocked everywhere (collected with sigtimedwait;
 * the kick is unblocked only while a vCPU sleeps out of budget), the
 * termination signals are read through a signalfd by the event thread. */
static void main_signals(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = main_noop;
	sigaction(KICK_SIGNO, &sa, NULL);
	sigaction(TIMER_SIGNO, &sa, NULL);
	sigaction(BUDGET_SIGNO, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, KICK_SIGNO);
	sigaddset(&set, TIMER_SIGNO);
	sigaddset(&set, BUDGET_SIGNO);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static int main_sandbox(struct vm *vm)
{
	int fds[SANDBOX_MAX_FDS];
	unsigned int n = 0, i;

	fds[n++] = vm->kvm_fd;
	fds[n++] = vm->vm_fd;
	for (i = 0; i < vm->nvcpus && n < SANDBOX_MAX_FDS; i++)
		fds[n++] = vm->vcpus[i].fd;
	return sandbox_seccomp(fds, n);
}

int main(int argc, char **argv)
{
	static struct vm vm;
	struct vmm_config cfg;
	struct traceout *to = NULL;
	struct ctl *ctl = NULL;
	struct evloop ev;
	char err[VM_ERR_MAX] = "";
	uint64_t t_start;
	int64_t recs = -1;
	int ret;

	ret = config_parse(&cfg, argc, argv, err, sizeof(err));
	if (ret) {
		if (ret < 0)
			fprintf(stderr, "pv-vmm: %s\n", err);
		config_usage(argv[0]);
		return ret > 0 ? 0 : 2;
	}
	main_signals();
	ret = vm_create(&vm, &cfg, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "pv-vmm: %s\n", *err ? err : strerror(-ret));
		goto out_destroy_vm;
	}
	if (cfg.trace_out) {
		ret = traceout_open(&to, cfg.trace_out, &vm.shm);
		if (ret) {
			fprintf(stderr, "pv-vmm: --trace-out %s: %s\n", cfg.trace_out, strerror(-ret));
			goto out_destroy_vm;
		}
	}
	ret = evloop_init(&ev, &vm, to);
	if (ret) {
		fprintf(stderr, "pv-vmm: event loop: %s\n", strerror(-ret));
		goto out_close_trace;
	}
	if (cfg.ctl_sock) {
		ret = ctl_open(&ctl, &ev, &vm, cfg.ctl_sock);
		if (ret) {
			fprintf(stderr, "pv-vmm: --control-sock %s: %s\n", cfg.ctl_sock, strerror(-ret));
			goto out_destroy_ev;
		}
	}
	json_object_seed(0);	/* jansson seeds its hash from /dev/urandom: do it before the sandbox */
	if (cfg.sandbox) {
		ret = sandbox_drop_privs();
		if (ret) {
			fprintf(stderr, "pv-vmm: dropping privileges: %s\n", strerror(-ret));
			goto out_close_ctl;
		}
	}
	ret = vm_spawn(&vm);
	if (ret) {
		fprintf(stderr, "pv-vmm: vCPU threads: %s\n", strerror(-ret));
		goto out_close_ctl;
	}
	if (cfg.sandbox) {
		ret = main_sandbox(&vm);
		if (ret) {
			fprintf(stderr, "pv-vmm: seccomp: %s\n", strerror(-ret));
			goto out_close_ctl;
		}
	}
	t_start = timer_now_ns();
	vm_start(&vm);
	ret = evloop_run(&ev);
	if (ret)
		fprintf(stderr, "pv-vmm: event loop: %s\n", strerror(-ret));
	vm_join(&vm);
	if (to) {
		recs = traceout_close(to);
		to = NULL;
		if (recs < 0)
			fprintf(stderr, "pv-vmm: --trace-out: %s\n", strerror((int)-recs));
	}
	if (vm.console)
		dev_uart_flush(vm.console);
	if (!cfg.quiet)
		summary_print(stderr, &vm, timer_now_ns() - t_start, recs);
	ret = summary_exit_status(&vm);
	if (ret)
		fprintf(stderr, "pv-vmm: guest fault: %s (status %llu)\n",
			exit_end_reason_name((unsigned int)atomic_load(&vm.vmc->end_reason)),
			(unsigned long long)atomic_load(&vm.vmc->end_status));
	ctl_close(ctl);
	evloop_destroy(&ev);
	vm_destroy(&vm);
	return ret;

out_close_ctl:
	ctl_close(ctl);
out_destroy_ev:
	evloop_destroy(&ev);
out_close_trace:
	if (to)
		traceout_close(to);
out_destroy_vm:
	vm_destroy(&vm);
	return 1;
}
