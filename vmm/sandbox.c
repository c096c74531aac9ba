// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sandbox. Policy: after set-up pv-vmm needs no privilege and no new file: it runs the
 * guest through fds it already holds, talks to clients it accepts on a socket it already
 * bound, and writes to files it already opened. So: drop every capability (and the
 * bounding set when we may), set no_new_privs, and allow only the syscalls the threads
 * use (list below, from the code paths of vcpu.c, evloop.c, ctl.c, devices, traceout and
 * glibc's own needs: malloc, thread exit, stdio). Default action: trap, so a missing entry
 * is reported by name/number during tests instead of a silent kill. Opening files fails
 * with EACCES instead of trapping: glibc's malloc reads /proc/sys/vm/overcommit_memory the
 * first time it shrinks a thread arena's heap (at any free, e.g. at teardown) and copes
 * with not being able to.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <cap-ng.h>
#include <seccomp.h>

#include "vmm/sandbox.h"

static const int sandbox_allow[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(readv),
	SCMP_SYS(writev), SCMP_SYS(close), SCMP_SYS(lseek), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
	SCMP_SYS(fcntl), SCMP_SYS(futex), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigtimedwait),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(restart_syscall), SCMP_SYS(tgkill), SCMP_SYS(gettid),
	SCMP_SYS(getpid), SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(madvise),
	SCMP_SYS(munmap), SCMP_SYS(mmap), SCMP_SYS(mprotect), SCMP_SYS(mremap), SCMP_SYS(brk),
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep), SCMP_SYS(getcpu),
	SCMP_SYS(sched_yield), SCMP_SYS(timer_settime), SCMP_SYS(timer_gettime),
	SCMP_SYS(timer_getoverrun), SCMP_SYS(timer_delete), SCMP_SYS(epoll_wait),
	SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl), SCMP_SYS(accept4), SCMP_SYS(recvfrom),
	SCMP_SYS(recvmsg), SCMP_SYS(sendmsg), SCMP_SYS(sendto), SCMP_SYS(shutdown),
	SCMP_SYS(timerfd_settime), SCMP_SYS(timerfd_gettime), SCMP_SYS(unlink),
	SCMP_SYS(getrandom), SCMP_SYS(rseq), SCMP_SYS(set_robust_list), SCMP_SYS(fsync),
	SCMP_SYS(fdatasync), SCMP_SYS(sysinfo),
};

static void sandbox_sigsys(int sig, siginfo_t *si, void *uc)
{
	char msg[96];
	int n;

	(void)sig;
	(void)uc;
	n = snprintf(msg, sizeof(msg), "pv-vmm: sandbox: syscall %d is not allowed (at %p), exiting\n",
		     si->si_syscall, si->si_call_addr);
	if (n > 0 && write(STDERR_FILENO, msg, (size_t)n) < 0) {
		/* nothing else we can do */
	}
	_exit(SANDBOX_EXIT_CODE);
}

int sandbox_drop_privs(void)
{
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_apply(geteuid() == 0 ? CAPNG_SELECT_ALL : CAPNG_SELECT_BOTH) < 0 &&
	    capng_apply(CAPNG_SELECT_BOTH) < 0)
		return -EPERM;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

int sandbox_seccomp(const int *ioctl_fds, unsigned int nfds)
{
	struct sigaction sa;
	scmp_filter_ctx ctx;
	unsigned int i;
	int err = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sandbox_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSYS, &sa, NULL);
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx)
		return -ENOMEM;
	for (i = 0; i < sizeof(sandbox_allow) / sizeof(sandbox_allow[0]) && !err; i++)
		if (sandbox_allow[i] >= 0)
			err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sandbox_allow[i], 0);
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat), 0);
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(open), 0);
	for (i = 0; i < nfds && !err; i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)ioctl_fds[i]));
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				       SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)TCGETS));
	if (!err)
		err = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!err)
		err = seccomp_load(ctx);
	seccomp_release(ctx);
	return err;
}
