/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Privilege drop after set-up: all capabilities (libcap-ng) and no_new_privs in the main
 * thread before the vCPU threads exist (so they inherit it), then a seccomp allow-list
 * synchronised to every thread once they do. ioctl is allowed only on the KVM fds (and
 * TCGETS for stdio). A syscall outside the list raises SIGSYS: the handler names it on
 * stderr and the process exits with SANDBOX_EXIT_CODE.
 */
#ifndef PV_VMM_SANDBOX_H
#define PV_VMM_SANDBOX_H

#define SANDBOX_EXIT_CODE	159
#define SANDBOX_MAX_FDS		(2 + 64)

/* Drop capabilities and set no_new_privs (calling thread; later threads inherit). */
int sandbox_drop_privs(void);
/* Install the filter on every thread of the process; @ioctl_fds are the KVM fds. */
int sandbox_seccomp(const int *ioctl_fds, unsigned int nfds);

#endif /* PV_VMM_SANDBOX_H */
