// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tracer records -> replay timeline (pm_timeline_load): hand-built record sequences
 * shaped like what pv-vmm really writes — halts inside run intervals, guest-ring events
 * interleaved with the transition ring, RT jobs with late releases, migrations, vCPUs
 * sharing a pCPU, long intervals, garbage.
 * Time base: tsc_khz = 1e6 (1 TSC tick = 1 ns) unless stated; recorded at 2 GHz (2 cycles
 * per ns).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "powermgr/timeline.h"

#define US		1000ull
#define REC_KHZ		2000000u
#define NREC(a)		(sizeof(a) / sizeof((a)[0]))

static struct pm_tl_load_stats ls;

static void load(struct pm_timeline *tl, unsigned int ncpus, unsigned int nvms,
		 const struct pm_tl_stream *st, unsigned int nst, uint64_t tsc_khz)
{
	assert_int_equal(pm_timeline_init(tl, ncpus, nvms, REC_KHZ), 0);
	assert_int_equal(pm_timeline_load(tl, st, nst, tsc_khz, &ls), 0);
}

static void item_is(const struct pm_tl_item *it, uint64_t release, uint8_t kind, uint64_t ns,
		    uint8_t flags)
{
	assert_int_equal(it->release_ns, release);
	assert_int_equal(it->kind, kind);
	if (kind == PM_TL_POLL)
		assert_int_equal(it->poll_ns, ns);
	else
		assert_int_equal(it->work_cycles, ns * 2);
	assert_int_equal(it->flags, flags);
}

/* ENTRY t0, HALT_BEGIN t1, HALT_END t2, EXIT t2 (what vcpu_account writes): the halt is
 * idle, the rest of the run interval is guest work, exit..entry is VMM work. */
static void test_halt_inside_run(void **state)
{
	const struct pv_rec r[] = {
		{ .tsc = 0, .type = PV_EV_VM_ENTRY },
		{ .tsc = 100 * US, .type = PV_EV_HALT_BEGIN, .a = PV_HALT_EXIT },
		{ .tsc = 150 * US, .type = PV_EV_HALT_END, .a = PV_HALT_EXIT, .b = 50 * US },
		{ .tsc = 150 * US, .type = PV_EV_VM_EXIT, .a = PV_EXIT_INTR },
		{ .tsc = 160 * US, .type = PV_EV_VM_ENTRY },
		{ .tsc = 200 * US, .type = PV_EV_VM_EXIT, .a = PV_EXIT_PIO },
	};
	struct pm_tl_stream st = { .recs = r, .n = NREC(r) };
	struct pm_timeline tl;

	(void)state;
	load(&tl, 1, 1, &st, 1, 1000000);
	assert_int_equal(ls.skipped, 0);
	assert_int_equal(tl.cpu[0].n, 3);
	item_is(&tl.cpu[0].items[0], 0, PM_TL_GUEST, 100 * US, 0);
	item_is(&tl.cpu[0].items[1], 150 * US, PM_TL_VMM, 10 * US, 0);
	item_is(&tl.cpu[0].items[2], 160 * US, PM_TL_GUEST, 40 * US, 0);
	assert_int_equal(ls.vm_halt_ns[0], 50 * US);
	assert_int_equal(ls.vm_kvm_halt_ns[0], 50 * US);
	assert_int_equal(ls.vm_run_ns[0], 190 * US);
	assert_int_equal(ls.vm_work_ns[0], 150 * US);
	assert_int_equal(tl.end_ns, 200 * US);
	pm_timeline_free(&tl);
}

/* The same halt polled: C0 polling, kept as wall-clock time. */
static void test_poll_halt_inside_run(void **state)
{
	const struct pv_rec r[] = {
		{ .tsc = 0, .type = PV_EV_VM_ENTRY },
		{ .tsc = 100 * US, .type = PV_EV_HALT_BEGIN, .a = PV_HALT_POLL },
		{ .tsc = 150 * US, .type = PV_EV_HALT_END, .a = PV_HALT_POLL, .b = 50 * US },
		{ .tsc = 150 * US, .type = PV_EV_VM_EXIT, .a = PV_EXIT_INTR },
	};
	struct pm_tl_stream st = { .recs = r, .n = NREC(r) };
	struct pm_timeline tl;

	(void)state;
	load(&tl, 1, 1, &st, 1, 1000000);
	assert_int_equal(tl.cpu[0].n, 2);
	item_is(&tl.cpu[0].items[0], 0, PM_TL_GUEST, 100 * US, 0);
	item_is(&tl.cpu[0].items[1], 100 * US, PM_TL_POLL, 50 * US, 0);
	pm_timeline_free(&tl);
}

/*
 * The VMM places KVM's halted time at the end of the run interval; the guest ring says
 * when it really idled (a 60 µs window holding the 50 µs halt). The two rings arrive in
 * either order: the result is the same, the halt centred in the guest's window.
 */
static void test_guest_ring_places_halt(void **state)
{
	const struct pv_rec vmm[] = {
		{ .tsc = 0, .type = PV_EV_VM_ENTRY },
		{ .tsc = 250 * US, .type = PV_EV_HALT_BEGIN, .a = PV_HALT_EXIT },
		{ .tsc = 300 * US, .type = PV_EV_HALT_END, .a = PV_HALT_EXIT, .b = 50 * US },
		{ .tsc = 300 * US, .type = PV_EV_VM_EXIT, .a = PV_EXIT_PIO },
	};
	const struct pv_rec guest[] = {
		{ .tsc = 100 * US, .type = PV_EV_HALT_BEGIN, .a = PV_HALT_GUEST },
		{ .tsc = 160 * US, .type = PV_EV_HALT_END, .a = PV_HALT_GUEST, .b = 60 * US },
	};
	struct pv_rec r[NREC(vmm) + NREC(guest)];
	struct pm_tl_stream st = { .recs = r, .n = NREC(r) };
	struct pm_timeline tl;

	(void)state;
	for (int order = 0; order < 2; order++) {
		if (order == 0) {	/* transition ring batch, then guest ring batch */
			memcpy(r, vmm, sizeof(vmm));
			memcpy(r + NREC(vmm), guest, sizeof(guest));
		} else {
			memcpy(r, guest, sizeof(guest));
			memcpy(r + NREC(guest), vmm, sizeof(vmm));
		}
		load(&tl, 1, 1, &st, 1, 1000000);
		assert_int_equal(ls.skipped, 0);
		assert_int_equal(tl.cpu[0].n, 2);
		item_is(&tl.cpu[0].items[0], 0, PM_TL_GUEST, 105 * US, 0);
		item_is(&tl.cpu[0].items[1], 155 * US, PM_TL_GUEST, 145 * US, 0);
		assert_int_equal(ls.vm_guest_idle_ns[0], 60 * US);
		assert_int_equal(ls.vm_halt_ns[0], 50 * US);
		pm_timeline_free(&tl);
	}
}

/* No VMM halt records at all (no KVM stats): the guest's idle reports are taken as is. */
static void test_guest_idle_only(void **state)
{
	const struct pv_rec r[] = {
		{ .tsc = 0, .type = PV_EV_VM_ENTRY },
		{ .tsc = 100 * US, .type = PV_EV_HALT_BEGIN, .a = PV_HALT_GUEST },
		{ .tsc = 160 * US, .type = PV_EV_HALT_END, .a = PV_HALT_GUEST, .b = 60 * US },
		{ .tsc = 300 * US, .type = PV_EV_VM_EXIT, .a = PV_EXIT_PIO },
	};
	struct pm_tl_stream st = { .recs = r, .n = NREC(r) };
	struct pm_timeline tl;

	(void)state;
	load(&tl, 1, 1, &st, 1, 1000000);
	assert_int_equal(tl.cpu[0].n, 2);
	item_is(&tl.cpu[0].items[0], 0, PM_TL_GUEST, 100 * US, 0);
	item_is(&tl.cpu[0].items[1], 160 * US, PM_TL_GUEST, 140 * US, 0);
	pm_timeline_free(&tl);
}

/* A halt outside KVM_RUN (no in-kernel irqchip: the VMM waits): idle inside VMM time. */
static void test_user_halt_in_vmm_gap(void **state)
{
	const struct pv_rec r[] = {
		{ .tsc = 0, .type = PV_EV_VM_ENTRY },
		{ .tsc = 100 * US, .type = PV_EV_VM_EXIT, .a = PV_EXIT_HLT },
		{ .tsc = 110 * US, .type = PV_EV_HALT_BEGIN, .a = PV_HALT_EXIT },
		{ .tsc = 200 * US, .type = PV_EV_HALT_END, .a = PV_HALT_EXIT, .b = 90 * US },
		{ .tsc = 210 * US, .type = PV_EV_VM_ENTRY },
		{ .tsc = 220 * US, .type = PV_EV_VM_EXIT, .a = PV_EXIT_PIO },
	};
	struct pm_tl_stream st = { .recs = r, .n = NREC(r) };
	struct pm_timeline tl;

	(void)state;
	load(&tl, 1, 1, &st, 1, 1000000);
	assert_int_equal(tl.cpu[0].n, 4);
	item_is(&tl.cpu[0].items[0], 0, PM_TL_GUEST, 100 * US, 0);
	item_is(&tl.cpu[0].items[1], 100 * US, PM_TL_VMM, 10 * US, 0);
	item_is(&tl.cpu[0].items[2], 200 * US, PM_TL_VMM, 10 * US, 0);
	item_is(&tl.cpu[0].items[3], 210 * US, PM_TL_GUEST, 10 * US, 0);
	assert_int_equal(ls.vm_halt_ns[0], 90 * US);
	pm_timeline_free(&tl);
}

/*
 * An RT job as pvguest reports it: the task switch and the activation share a stamp (and
 * arrive in either order), a doorbell exit inside the job, the completion and the switch
 * away share a stamp. Deadline = release (activation - lateness) + relative deadline
 * (RT_COMPLETE c, which beats the period). A second job completes past its deadline:
 * it is marked as already late when recorded.
 */
static void test_rt_job(void **state)
{
	const struct pv_rec r[] = {
		{ .tsc = 0, .type = PV_EV_VM_ENTRY },
		{ .tsc = 100 * US, .type = PV_EV_TASK_SWITCH,
		  .a = PV_TASK_CLASSES(PV_TASK_IDLE, PV_TASK_RT), .b = 0, .c = 1 },
		{ .tsc = 100 * US, .type = PV_EV_RT_ACTIVATE, .a = 1, .b = 20 * US, .c = 1000 * US },
		{ .tsc = 150 * US, .type = PV_EV_VM_EXIT, .a = PV_EXIT_PV_CALL },
		{ .tsc = 152 * US, .type = PV_EV_VM_ENTRY },
		{ .tsc = 400 * US, .type = PV_EV_TASK_SWITCH,
		  .a = PV_TASK_CLASSES(PV_TASK_RT, PV_TASK_IDLE), .b = 1, .c = 0 },
		{ .tsc = 400 * US, .type = PV_EV_RT_COMPLETE, .a = 1, .b = 320 * US, .c = 800 * US },
		/* job 2: released 50 µs late, 600 µs deadline, completes at 1200 + 600 */
		{ .tsc = 1200 * US, .type = PV_EV_RT_ACTIVATE, .a = 1, .b = 50 * US, .c = 600 * US },
		{ .tsc = 1800 * US, .type = PV_EV_RT_COMPLETE, .a = 1, .b = 650 * US },
		{ .tsc = 1900 * US, .type = PV_EV_VM_EXIT, .a = PV_EXIT_PIO },
	};
	struct pm_tl_stream st = { .recs = r, .n = NREC(r) };
	struct pm_timeline tl;
	const struct pm_tl_item *it;

	(void)state;
	load(&tl, 1, 1, &st, 1, 1000000);
	assert_int_equal(ls.skipped, 0);
	assert_int_equal(ls.jobs, 2);
	it = tl.cpu[0].items;
	item_is(&it[0], 0, PM_TL_GUEST, 100 * US, 0);
	item_is(&it[1], 100 * US, PM_TL_GUEST, 50 * US, PM_TL_RT);
	item_is(&it[2], 150 * US, PM_TL_VMM, 2 * US, PM_TL_RT);
	item_is(&it[3], 152 * US, PM_TL_GUEST, 248 * US, PM_TL_RT | PM_TL_JOB_END);
	assert_int_equal(it[3].deadline_ns, 80 * US + 800 * US);
	/* best effort until the next job (cut at the 1 ms slice boundary) */
	item_is(&it[4], 400 * US, PM_TL_GUEST, 600 * US, 0);
	item_is(&it[5], 1000 * US, PM_TL_GUEST, 200 * US, 0);
	/* job 2 crosses no slice boundary until 2 ms: one item, late when recorded */
	item_is(&it[6], 1200 * US, PM_TL_GUEST, 600 * US,
		PM_TL_RT | PM_TL_JOB_END | PM_TL_REC_MISS);
	assert_int_equal(it[6].deadline_ns, 1150 * US + 600 * US);
	item_is(&it[7], 1800 * US, PM_TL_GUEST, 100 * US, 0);
	assert_int_equal(tl.cpu[0].n, 8);
	pm_timeline_free(&tl);
}

/* An RT task switched to and away with no RT_ACTIVATE/COMPLETE: RT work, no deadline. */
static void test_rt_task_switch_only(void **state)
{
	const struct pv_rec r[] = {
		{ .tsc = 0, .type = PV_EV_VM_ENTRY },
		{ .tsc = 10 * US, .type = PV_EV_TASK_SWITCH,
		  .a = PV_TASK_CLASSES(PV_TASK_BE, PV_TASK_RT) },
		{ .tsc = 30 * US, .type = PV_EV_TASK_SWITCH,
		  .a = PV_TASK_CLASSES(PV_TASK_RT, PV_TASK_BE) },
		{ .tsc = 40 * US, .type = PV_EV_VM_EXIT, .a = PV_EXIT_PIO },
		/* an activation never completed before the trace ended */
		{ .tsc = 50 * US, .type = PV_EV_VM_ENTRY },
		{ .tsc = 60 * US, .type = PV_EV_RT_ACTIVATE, .a = 1, .c = 1000 * US },
		{ .tsc = 70 * US, .type = PV_EV_VM_EXIT, .a = PV_EXIT_PIO },
	};
	struct pm_tl_stream st = { .recs = r, .n = NREC(r) };
	struct pm_timeline tl;

	(void)state;
	load(&tl, 1, 1, &st, 1, 1000000);
	assert_int_equal(ls.jobs, 0);
	assert_int_equal(ls.jobs_incomplete, 1);
	assert_int_equal(tl.cpu[0].n, 5);
	item_is(&tl.cpu[0].items[1], 10 * US, PM_TL_GUEST, 20 * US, PM_TL_RT);
	item_is(&tl.cpu[0].items[2], 30 * US, PM_TL_GUEST, 10 * US, 0);
	item_is(&tl.cpu[0].items[4], 50 * US, PM_TL_GUEST, 20 * US, 0);
	pm_timeline_free(&tl);
}

/* MIGRATE: work before it ran on the old pCPU (its b), even if the caller said otherwise. */
static void test_migrate(void **state)
{
	const struct pv_rec r[] = {
		{ .tsc = 0, .type = PV_EV_VM_ENTRY },
		{ .tsc = 100 * US, .type = PV_EV_VM_EXIT, .a = PV_EXIT_PIO },
		{ .tsc = 100 * US, .type = PV_EV_MIGRATE, .a = 0, .b = 1 },
		{ .tsc = 110 * US, .type = PV_EV_VM_ENTRY },
		{ .tsc = 150 * US, .type = PV_EV_MIGRATE, .a = 1, .b = 0 },	/* mid-interval */
		{ .tsc = 200 * US, .type = PV_EV_VM_EXIT, .a = PV_EXIT_PIO },
	};
	struct pm_tl_stream st = { .pcpu = 0, .recs = r, .n = NREC(r) };
	struct pm_timeline tl;

	(void)state;
	load(&tl, 2, 1, &st, 1, 1000000);
	assert_int_equal(ls.migrations, 2);
	assert_int_equal(tl.cpu[1].n, 2);
	item_is(&tl.cpu[1].items[0], 0, PM_TL_GUEST, 100 * US, 0);
	item_is(&tl.cpu[1].items[1], 150 * US, PM_TL_GUEST, 50 * US, 0);
	assert_int_equal(tl.cpu[0].n, 2);
	item_is(&tl.cpu[0].items[0], 100 * US, PM_TL_VMM, 10 * US, 0);
	item_is(&tl.cpu[0].items[1], 110 * US, PM_TL_GUEST, 40 * US, 0);
	pm_timeline_free(&tl);
}

/*
 * Two vCPUs of two VMs "running" on one pCPU at once: their wall-clock run intervals
 * overlap because the host time-shared the CPU. Each gets half of the overlap; the pCPU's
 * total work equals its wall-clock busy time.
 */
static void test_shared_pcpu(void **state)
{
	const struct pv_rec a[] = {
		{ .tsc = 0, .type = PV_EV_VM_ENTRY },
		{ .tsc = 400 * US, .type = PV_EV_VM_EXIT, .a = PV_EXIT_PIO },
	};
	const struct pv_rec b[] = {
		{ .tsc = 200 * US, .type = PV_EV_VM_ENTRY },
		{ .tsc = 600 * US, .type = PV_EV_VM_EXIT, .a = PV_EXIT_PIO },
	};
	struct pm_tl_stream st[2] = {
		{ .vm = 0, .pcpu = 0, .recs = a, .n = NREC(a) },
		{ .vm = 1, .pcpu = 0, .recs = b, .n = NREC(b) },
	};
	struct pm_timeline tl;
	uint64_t cyc = 0;

	(void)state;
	load(&tl, 1, 2, st, 2, 1000000);
	assert_int_equal(ls.shared_ns, 200 * US);
	assert_int_equal(ls.vm_busy_ns[0], 400 * US);
	assert_int_equal(ls.vm_work_ns[0], 300 * US);
	assert_int_equal(ls.vm_work_ns[1], 300 * US);
	assert_int_equal(tl.cpu[0].n, 2);
	for (size_t i = 0; i < tl.cpu[0].n; i++)
		cyc += tl.cpu[0].items[i].work_cycles;
	assert_int_equal(cyc, 600 * US * 2);
	assert_int_equal(tl.cpu[0].items[0].vm, 0);
	assert_int_equal(tl.cpu[0].items[0].release_ns, 0);
	assert_int_equal(tl.cpu[0].items[1].vm, 1);
	assert_int_equal(tl.cpu[0].items[1].release_ns, 200 * US);
	pm_timeline_free(&tl);
}

/* A long run interval is cut into PM_TL_SLICE_NS items at their recorded times. */
static void test_slices(void **state)
{
	const struct pv_rec r[] = {
		{ .tsc = 0, .type = PV_EV_VM_ENTRY },
		{ .tsc = 3500 * US, .type = PV_EV_VM_EXIT, .a = PV_EXIT_PIO },
	};
	struct pm_tl_stream st = { .recs = r, .n = NREC(r) };
	struct pm_timeline tl;

	(void)state;
	load(&tl, 1, 1, &st, 1, 1000000);
	assert_int_equal(tl.cpu[0].n, 4);
	for (unsigned int i = 0; i < 3; i++)
		item_is(&tl.cpu[0].items[i], i * PM_TL_SLICE_NS, PM_TL_GUEST, PM_TL_SLICE_NS, 0);
	item_is(&tl.cpu[0].items[3], 3000 * US, PM_TL_GUEST, 500 * US, 0);
	pm_timeline_free(&tl);
}

/* Garbage and unmatched records are skipped and counted; valid records of other types
 * (device I/O, timers, IRQs) are ignored without complaint. */
static void test_garbage(void **state)
{
	const struct pv_rec r[] = {
		{ .tsc = 0, .type = PV_EV_VM_EXIT, .a = PV_EXIT_PIO },		/* no entry */
		{ .tsc = 5 * US, .type = PV_EV_NONE },
		{ .tsc = 10 * US, .type = PV_EV_VM_ENTRY },
		{ .tsc = 20 * US, .type = 999 },
		{ .tsc = 30 * US, .type = PV_EV_HALT_BEGIN, .a = 9 },
		{ .tsc = 40 * US, .type = PV_EV_MIGRATE, .a = 7, .b = 0 },	/* no such pCPU */
		{ .tsc = 50 * US, .type = PV_EV_DEV_IO, .a = 0, .b = 1 },
		{ .tsc = 60 * US, .type = PV_EV_TIMER_FIRE },
		{ .tsc = 70 * US, .type = PV_EV_IRQ_INJECT, .a = 4 },
		{ .tsc = 80 * US, .type = PV_EV_RT_COMPLETE, .a = 1 },		/* no job: ignored */
		{ .tsc = 90 * US, .type = PV_EV_RT_ACTIVATE, .c = 1ull << 62 },	/* bad period */
		{ .tsc = 110 * US, .type = PV_EV_VM_EXIT, .a = PV_EXIT_PIO },
	};
	struct pm_tl_stream st = { .recs = r, .n = NREC(r) };
	struct pm_timeline tl;

	(void)state;
	load(&tl, 2, 1, &st, 1, 1000000);
	assert_int_equal(ls.skipped, 6);
	assert_int_equal(tl.cpu[0].n, 1);
	item_is(&tl.cpu[0].items[0], 10 * US, PM_TL_GUEST, 100 * US, 0);
	assert_int_equal(tl.cpu[1].n, 0);
	pm_timeline_free(&tl);
	/* a stream naming a VM out of range is skipped whole */
	st.vm = 3;
	load(&tl, 1, 1, &st, 1, 1000000);
	assert_int_equal(ls.skipped, NREC(r));
	assert_int_equal(tl.cpu[0].n, 0);
	pm_timeline_free(&tl);
}

/* Real TSC values (2.3 GHz, hours of uptime): converted relative to the earliest record. */
static void test_tsc_conversion(void **state)
{
	const uint64_t base = 9293742778627ull, khz = 2299998;
	const struct pv_rec r[] = {
		{ .tsc = base, .type = PV_EV_VM_ENTRY },
		{ .tsc = base + 2299998, .type = PV_EV_VM_EXIT, .a = PV_EXIT_PIO },	/* 1 ms */
		{ .tsc = base + 2299998 + 22999, .type = PV_EV_VM_ENTRY },		/* ~10 µs */
		{ .tsc = base + 2 * 2299998, .type = PV_EV_VM_EXIT, .a = PV_EXIT_PIO },
	};
	struct pm_tl_stream st = { .recs = r, .n = NREC(r) };
	struct pm_timeline tl;

	(void)state;
	load(&tl, 1, 1, &st, 1, khz);
	assert_int_equal(tl.cpu[0].n, 3);
	item_is(&tl.cpu[0].items[0], 0, PM_TL_GUEST, 1000 * US, 0);
	assert_int_equal(tl.cpu[0].items[1].kind, PM_TL_VMM);
	assert_int_equal(tl.cpu[0].items[1].release_ns, 1000 * US);
	assert_true(tl.cpu[0].items[1].work_cycles >= 19998 && tl.cpu[0].items[1].work_cycles <= 20000);
	assert_int_equal(tl.end_ns, 2000 * US);
	pm_timeline_free(&tl);
}

/* Work the host says a VM did not get: whole slices go, evenly spread; RT job ends stay. */
static void test_scale_vm(void **state)
{
	struct pm_timeline tl;
	unsigned int emptied = 0, first = 99, last = 0;

	(void)state;
	assert_int_equal(pm_timeline_init(&tl, 1, 2, REC_KHZ), 0);
	for (unsigned int i = 0; i < 10; i++) {
		struct pm_tl_item it = { .release_ns = i * PM_TL_SLICE_NS, .work_cycles = 2000000,
					 .vm = 0, .kind = PM_TL_GUEST };

		assert_int_equal(pm_timeline_add(&tl, 0, &it), 0);
		it.vm = 1;
		assert_int_equal(pm_timeline_add(&tl, 0, &it), 0);
	}
	assert_int_equal(pm_timeline_scale_vm(&tl, 0, 0.7), 3 * PM_TL_SLICE_NS);
	for (size_t i = 0; i < tl.cpu[0].n; i++) {
		const struct pm_tl_item *it = &tl.cpu[0].items[i];

		if (it->vm == 1) {
			assert_int_equal(it->work_cycles, 2000000);
			continue;
		}
		if (!it->work_cycles) {
			emptied++;
			first = it->release_ns / PM_TL_SLICE_NS < first ? it->release_ns / PM_TL_SLICE_NS : first;
			last = it->release_ns / PM_TL_SLICE_NS;
		}
	}
	assert_int_equal(emptied, 3);
	assert_true(last - first >= 4);		/* spread, not bunched */
	assert_int_equal(pm_timeline_scale_vm(&tl, 0, 1.0), 0);
	assert_int_equal(pm_timeline_scale_vm(&tl, 5, 0.5), 0);
	pm_timeline_free(&tl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_halt_inside_run),
		cmocka_unit_test(test_poll_halt_inside_run),
		cmocka_unit_test(test_guest_ring_places_halt),
		cmocka_unit_test(test_guest_idle_only),
		cmocka_unit_test(test_user_halt_in_vmm_gap),
		cmocka_unit_test(test_rt_job),
		cmocka_unit_test(test_rt_task_switch_only),
		cmocka_unit_test(test_migrate),
		cmocka_unit_test(test_shared_pcpu),
		cmocka_unit_test(test_slices),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_tsc_conversion),
		cmocka_unit_test(test_scale_vm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
