/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private to accounting (account.c and account_*.c): the per-vCPU state of the two record
 * machines, the figures kept in TSC ticks, and the machines' steps.
 */
#ifndef PV_TRACER_ACCOUNT_PRIV_H
#define PV_TRACER_ACCOUNT_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "tracer/account.h"

enum acct_place {
	PLACE_UNKNOWN = 0,
	PLACE_GUEST,
	PLACE_VMM,
};

/* Times in TSC ticks, converted when read. */
struct acct_ticks {
	uint64_t span;
	uint64_t guest;
	uint64_t vmm;
	uint64_t halt[PV_HALT_MODE_MAX];
	uint64_t task[PV_ACCT_MAX_TASKS];
	uint64_t other_task;
};

struct acct_vcpu {
	/* transition ring */
	enum acct_place place;
	bool halted;
	uint32_t halt_mode;
	uint64_t since;			/* start of the interval being charged */
	uint64_t last_tsc;		/* latest transition-ring record */
	bool exit_open;
	uint32_t exit_reason;
	uint64_t exit_tsc;
	/* guest ring */
	bool task_known;
	int cur_slot;			/* -1: a task beyond the table */
	uint32_t cur_task;
	uint64_t task_since;
	bool gidle;
	uint64_t gidle_since;
	uint64_t glast_tsc;
	/* task table (ids persist across windows) */
	uint32_t ntasks;
	uint32_t task_id[PV_ACCT_MAX_TASKS];
	uint32_t task_cls[PV_ACCT_MAX_TASKS];
	/* figures: the open window, the last closed one, the cumulative */
	struct acct_ticks wt, lt, tt;
	struct pv_acct_stats win, last, tot;
};

struct pv_acct {
	struct pv_clock clk;
	uint32_t nvcpus;
	bool started;
	uint64_t win_start;
	uint64_t win_end;		/* last close */
	struct acct_vcpu v[];
};

/* account_transitions.c: the transition ring machine. */
void acct_charge(struct acct_vcpu *v, uint64_t t);
void acct_on_vm_exit(struct acct_vcpu *v, const struct pv_rec *r);
void acct_on_vm_entry(struct pv_acct *a, struct acct_vcpu *v, const struct pv_rec *r);
void acct_on_halt_begin(struct acct_vcpu *v, const struct pv_rec *r);
void acct_on_halt_end(struct acct_vcpu *v, const struct pv_rec *r);

/* account_guest.c: the guest ring machine. */
void acct_charge_task(struct acct_vcpu *v, uint64_t t);
void acct_on_task_switch(struct acct_vcpu *v, const struct pv_rec *r);
void acct_on_rt(struct acct_vcpu *v, const struct pv_rec *r);
void acct_on_guest_idle(struct acct_vcpu *v, const struct pv_rec *r);

#endif /* PV_TRACER_ACCOUNT_PRIV_H */
