/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * powervisord: the composition root. One policy-loop thread owns every mutable piece of
 * state below; other threads (HTTP) only read published snapshots and submit commands.
 *
 * Each tick (timerfd, DEF_TICK_MS): drain every VM's rings → accounting windows → per-pCPU
 * samples → powermgr (decide, clamp with qos constraints, apply, attribute energy) → qos
 * (boost / unboost reservations) → publish an immutable snapshot.
 */
#ifndef PV_DAEMON_DAEMON_H
#define PV_DAEMON_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "daemon/cmdq.h"
#include "daemon/commands.h"
#include "daemon/config.h"
#include "daemon/dvm.h"
#include "daemon/power.h"
#include "daemon/snapshot.h"
#include "daemon/tracebuf.h"
#include "powermgr/devpower.h"
#include "qos/constraint.h"
#include "qos/cpuplan.h"
#include "qos/resv.h"
#include "tracer/hist.h"

#define DAEMON_VERSION		"0.1.0"

struct daemon {
	struct cfg cfg;
	char vmm_path[DVM_PATH_MAX];
	char guest_path[DVM_PATH_MAX];
	char state_dir[DVM_PATH_MAX];
	bool keep_vms;			/* leave VMMs running when the daemon exits */
	FILE *live;			/* per-second summary lines (NULL = quiet) */

	int epfd, tfd, sfd;
	struct cmdq cmdq;
	struct snap_pub pub;
	struct dpower power;
	bool power_ok;
	char power_err[DPOWER_ERR_MAX];

	struct pm_devpower devpower;
	struct qos_constraints qcons;
	struct pm_constraints pmcons;
	struct cpuplan plan;
	const struct resv_ops *resv;	/* probed reservation backend, NULL if none */
	struct boost_tunables boost;

	struct dvm *vms[CFG_MAX_VMS];	/* by slot */
	struct tracebuf trace;		/* recent events for the API */
	struct cmds_wait cmds_wait[CMDS_MAX_PENDING];	/* API commands waiting (commands.c) */

	struct pv_clock clk;		/* host TSC */
	uint64_t start_ns;
	uint64_t last_tick_ns;
	uint64_t last_window_ns;	/* length of the last tick's window */
	uint64_t tick_ns;
	uint64_t ticks;
	uint64_t next_summary_ns;
	uint64_t rate_t0_ns;		/* start of the current rate second */
	double rate_node_j;
	double node_w_1s;
	uint64_t next_persist_ns;
	uint64_t run_until_ns;		/* 0 = until a signal */
	struct pv_hist tick_hist;	/* time spent per tick */
	struct pv_hist qos_apply_hist;	/* QoS change handled → threads changed */
	bool stopping;
	uint64_t stop_deadline_ns;
	int exit_status;
	/* scratch for the tick (ncpus x CFG_MAX_VMS) */
	uint64_t *vm_busy_ns, *vm_poll_ns, *cpu_vmm_ns;
};

struct daemon_opts {
	const char *config_path;	/* NULL = embedded default */
	const char *state_dir;		/* overrides the config's */
	unsigned int run_for_s;		/* 0 = until a signal */
	bool keep_vms;
	bool quiet;
};

/* Build the daemon (configuration already parsed into @cfg). -errno, reason on stderr. */
int daemon_init(struct daemon *d, const struct cfg *cfg, const struct daemon_opts *o,
		const char *argv0);
/* Run the policy loop until stopped; returns the process exit status. */
int daemon_run(struct daemon *d);
void daemon_fini(struct daemon *d);

/* Slot helpers. */
struct dvm *daemon_find_vm(struct daemon *d, const char *name);
int daemon_free_slot(const struct daemon *d);
unsigned int daemon_ncpus(const struct daemon *d);

/* Register / unregister a descriptor in the loop's epoll set (tag: VM slot or kind). */
int daemon_watch(struct daemon *d, int fd, uint32_t kind, uint32_t slot);
void daemon_unwatch(struct daemon *d, int fd);

enum daemon_fd_kind {
	DFD_TIMER = 1,
	DFD_SIGNAL,
	DFD_CMDQ,
	DFD_VM_CTL,
	DFD_VM_EXIT,
};

uint64_t daemon_now_ns(void);

#endif /* PV_DAEMON_DAEMON_H */
