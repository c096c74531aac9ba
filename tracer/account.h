/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Accounting: the first consumer of validated transitions. Per vCPU and per VM, per window
 * and cumulative: where the time went (guest, VMM, halted by mode, guest-reported idle),
 * exits by reason with handling-latency histograms, migrations, timer fires, real-time
 * activations / completions / misses with their histograms and guest task residency.
 * Conventions and the state machine are described atop account.c.
 */
#ifndef PV_TRACER_ACCOUNT_H
#define PV_TRACER_ACCOUNT_H

#include <stdint.h>
#include <stddef.h>

#include "tracer/clock.h"
#include "tracer/event.h"
#include "tracer/hist.h"

#define PV_ACCT_MAX_TASKS	16u	/* guest task ids tracked per vCPU (and per VM) */

enum pv_acct_view {
	PV_ACCT_WINDOW = 0,	/* the window closed last */
	PV_ACCT_TOTAL,		/* everything up to the last window close */
};

struct pv_acct_task {
	uint32_t id;			/* guest task id (0 = the guest's idle task) */
	uint32_t cls;			/* enum pv_task_class, as last switched in */
	uint64_t run_ns;		/* residency: switched in until switched out */
	uint64_t switches_in;
	uint64_t activations;		/* RT_ACTIVATE of this task */
	uint64_t completions;
	uint64_t misses;
};

/* One vCPU or the whole VM (sums), over one window or cumulative. */
struct pv_acct_stats {
	uint64_t span_ns;			/* window length (cumulative: sum of windows) */
	uint64_t guest_ns;			/* in the guest, not halted */
	uint64_t vmm_ns;			/* back in the VMM (EXIT -> ENTRY), not halted */
	/* halted, by mode: EXIT / POLL / NATIVE from the VMM's transitions; [PV_HALT_GUEST]
	 * is guest-reported idle (guest ring), which overlaps the others and guest_ns */
	uint64_t halt_ns[PV_HALT_MODE_MAX];
	uint64_t halts[PV_HALT_MODE_MAX];	/* completed halts, by mode */
	uint64_t exits[PV_EXIT_MAX];		/* by enum pv_exit_reason */
	struct pv_hist exit_lat[PV_EXIT_MAX];	/* EXIT -> next ENTRY, by reason */
	uint64_t migrations;
	uint64_t timer_fires;
	uint64_t timer_overruns;
	uint64_t irqs[PV_IRQ_PATH_MAX];
	uint64_t dev_ops[PV_DEV_OP_MAX];
	uint64_t dev_bytes;
	uint64_t throttles;
	uint64_t rt_activations;
	uint64_t rt_completions;
	uint64_t rt_misses;
	struct pv_hist rt_release_lat;		/* RT_ACTIVATE release lateness */
	struct pv_hist rt_response;		/* RT_COMPLETE response time */
	struct pv_hist rt_miss_lat;		/* RT_MISS lateness past the deadline */
	uint64_t seq_errors;			/* transitions out of sequence (lost records) */
	uint64_t ignored;			/* records accounting has no use for / bad vCPU */
	uint64_t tasks_overflow;		/* switches to a task the table had no room for */
	uint64_t other_task_ns;			/* residency of those tasks */
	uint32_t ntasks;
	struct pv_acct_task tasks[PV_ACCT_MAX_TASKS];
};

struct pv_acct;

/* Accounting for a VM of @nvcpus vCPUs whose records are stamped by @clk. */
int pv_acct_create(struct pv_acct **out, uint32_t nvcpus, const struct pv_clock *clk);
void pv_acct_destroy(struct pv_acct *a);

/* Feed validated records, in time order per ring (any interleaving of rings). */
void pv_acct_feed(struct pv_acct *a, const struct pv_rec *recs, size_t n);

/*
 * Close the current window at @tsc: charge every in-progress interval up to it, add the
 * window to the cumulative figures and start the next window at @tsc. The first window
 * starts at the first record fed (or the first close). Returns the window length in ns.
 */
uint64_t pv_acct_close_window(struct pv_acct *a, uint64_t tsc);

/* Figures of vCPU @vcpu (-EINVAL when out of range) or of the whole VM, as of the last close. */
int pv_acct_vcpu(const struct pv_acct *a, uint32_t vcpu, enum pv_acct_view view,
		 struct pv_acct_stats *out);
void pv_acct_vm(const struct pv_acct *a, enum pv_acct_view view, struct pv_acct_stats *out);

uint32_t pv_acct_nvcpus(const struct pv_acct *a);
/* The TSC of the last close (0 before the first). */
uint64_t pv_acct_window_end(const struct pv_acct *a);

/* Halted in the host on the VM's behalf: exit + poll + native (not guest-reported idle). */
uint64_t pv_acct_halted_ns(const struct pv_acct_stats *st);
/* Add @src into @dst (sums, merged histograms, task tables merged by id). */
void pv_acct_stats_add(struct pv_acct_stats *dst, const struct pv_acct_stats *src);
void pv_acct_stats_init(struct pv_acct_stats *st);

#endif /* PV_TRACER_ACCOUNT_H */
