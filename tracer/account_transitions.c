// SPDX-License-Identifier: GPL-2.0-only
/*
 * Accounting: the transition ring machine of a vCPU — UNKNOWN, GUEST (after VM_ENTRY) or
 * VMM (after VM_EXIT), with a "halted" flag and its mode — charging the time between
 * transitions to where the vCPU was, counting exits and their handling latency. The
 * conventions are in account.c's design note.
 */
#include "tracer/account_priv.h"

/* Charge [since, t) to where the vCPU is (nothing while UNKNOWN) and move since to t. */
void acct_charge(struct acct_vcpu *v, uint64_t t)
{
	uint64_t d = t > v->since ? t - v->since : 0;

	if (v->halted)
		v->wt.halt[v->halt_mode] += d;
	else if (v->place == PLACE_GUEST)
		v->wt.guest += d;
	else if (v->place == PLACE_VMM)
		v->wt.vmm += d;
	if (t > v->since)
		v->since = t;
}

void acct_on_vm_exit(struct acct_vcpu *v, const struct pv_rec *r)
{
	if (v->place == PLACE_VMM)
		v->win.seq_errors++;	/* the ENTRY in between was lost */
	acct_charge(v, r->tsc);
	if (v->halted) {		/* a halt that never ended */
		v->win.seq_errors++;
		v->halted = false;
	}
	v->place = PLACE_VMM;
	v->win.exits[r->a]++;
	v->exit_open = true;
	v->exit_reason = r->a;
	v->exit_tsc = r->tsc;
}

void acct_on_vm_entry(struct pv_acct *a, struct acct_vcpu *v, const struct pv_rec *r)
{
	if (v->place == PLACE_GUEST)
		v->win.seq_errors++;	/* the EXIT in between was lost */
	acct_charge(v, r->tsc);
	if (v->halted) {
		v->win.seq_errors++;
		v->halted = false;
	}
	if (v->exit_open && r->tsc >= v->exit_tsc)
		pv_hist_add(&v->win.exit_lat[v->exit_reason],
			    pv_clock_tsc_to_ns(&a->clk, r->tsc - v->exit_tsc));
	v->exit_open = false;
	v->place = PLACE_GUEST;
}

void acct_on_halt_begin(struct acct_vcpu *v, const struct pv_rec *r)
{
	acct_charge(v, r->tsc);
	if (v->halted)
		v->win.seq_errors++;
	v->halted = true;
	v->halt_mode = r->a;
}

void acct_on_halt_end(struct acct_vcpu *v, const struct pv_rec *r)
{
	if (!v->halted) {
		v->win.seq_errors++;
		acct_charge(v, r->tsc);
		return;
	}
	if (r->a != v->halt_mode)
		v->win.seq_errors++;
	acct_charge(v, r->tsc);
	v->win.halts[v->halt_mode]++;
	v->halted = false;
}
