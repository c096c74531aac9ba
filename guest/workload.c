/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvguest workloads: the bodies of the ring-3 tasks, and their creation from the spec.
 *
 * vCPU mapping: an item with vcpu=K runs on vCPU K; the others are dealt round-robin over
 * the vCPUs in spec order (item i without vcpu= goes to vCPU (number of such items before
 * it) mod nvcpus). Each vCPU holds at most PV_GUEST_MAX_TASKS tasks. Task ids are 1.. in
 * spec order.
 *
 * Every body runs natively in ring 3 and only enters the kernel through the yield gate
 * (sched.h) and the port I/O gates (arch.h). Time is the TSC; a real-time job spins for its WCET of *CPU time*
 * (sched_task_cpu_tsc), so a preemption does not shorten it.
 */
#include "workload.h"
#include "console.h"
#include "guest.h"
#include "hostile.h"
#include "lib.h"
#include "sched.h"
#include "timer.h"

#define IDLE_SLEEP_MS	1000
#define PIO_CHUNK	32

static struct task workload_tasks[MAX_TASKS];

static void wl_rt(struct task *t)
{
	for (;;) {
		uint64_t start = sched_task_cpu_tsc(t);

		while (sched_task_cpu_tsc(t) - start < t->wcet_tsc)
			cpu_relax();
		t->progress++;
		sched_job_done(t);
	}
}

static void wl_cpu(struct task *t)
{
	for (;;)
		t->progress++;
}

static void wl_burst(struct task *t)
{
	uint64_t on_tsc = ms_to_tsc(t->spec.on_ms), off_tsc = ms_to_tsc(t->spec.off_ms);

	for (;;) {
		uint64_t start = sched_task_cpu_tsc(t);

		while (sched_task_cpu_tsc(t) - start < on_tsc)
			cpu_relax();
		t->progress++;
		if (off_tsc)
			sched_sleep_until(t, rdtsc() + off_tsc);
	}
}

static void wl_idle(struct task *t)
{
	for (;;) {
		sched_sleep_until(t, rdtsc() + ms_to_tsc(IDLE_SLEEP_MS));
		t->progress++;
	}
}

/*
 * n `out`s to an unassigned port. They run as `outb; loop` inside the pio-loop gate, in
 * chunks of PIO_CHUNK (interrupts are off inside a gate: the chunk bounds the added
 * latency for other tasks), so cycles/iteration is the exit round trip plus ~2 emulated
 * instructions, and the gate entry/exit amortised over the chunk.
 */
static void wl_pio_loop(struct task *t)
{
	uint64_t n = t->spec.n, t0, t1;

	t0 = rdtsc();
	while (t->progress < n) {
		uint64_t chunk = n - t->progress < PIO_CHUNK ? n - t->progress : PIO_CHUNK;

		pio_outb_loop(PV_PORT_UNASSIGNED, 0x5a, chunk);
		t->progress += chunk;
	}
	t1 = rdtsc();
	t->result_tsc = t1 - t0;
}

/* Sleep until a timer deadline n times; lateness = the TSC when we run again - deadline. */
static void wl_hlt_wake(struct task *t)
{
	uint64_t period = us_to_tsc(t->spec.period_us);

	for (uint64_t i = 0; i < t->spec.n; i++) {
		uint64_t deadline = rdtsc() + period, now;

		sched_sleep_until(t, deadline);
		now = rdtsc();
		stats_add_us(&t->lat, tsc_to_us(now > deadline ? now - deadline : 0));
		t->progress++;
	}
}

static void (*const workload_bodies[WL_KIND_MAX])(struct task *t) = {
	[WL_RT] = wl_rt,
	[WL_CPU] = wl_cpu,
	[WL_BURST] = wl_burst,
	[WL_IDLE] = wl_idle,
	[WL_PIO_LOOP] = wl_pio_loop,
	[WL_HLT_WAKE] = wl_hlt_wake,
	[WL_TRIPLE_FAULT] = hostile_triple_fault,
	[WL_GARBAGE_PORTS] = hostile_garbage_ports,
	[WL_GARBAGE_MMIO] = hostile_garbage_mmio,
	[WL_EXIT_FLOOD] = hostile_exit_flood,
	[WL_BAD_PV] = hostile_bad_pv,
	[WL_BAD_INSN] = hostile_bad_insn,
};

static __noreturn void workload_task_main(struct task *t)
{
	t->body(t);
	sched_exit(t);
}

static void workload_init_task(struct task *t, const struct spec_item *it, uint32_t id)
{
	uint64_t top = (uint64_t)(t->stack + TASK_STACK_BYTES);

	memset(t, 0, sizeof(*t));
	t->id = id;
	t->spec = *it;
	t->body = workload_bodies[it->kind];
	t->cls = it->kind == WL_RT ? PV_TASK_RT : PV_TASK_BE;
	t->state = TASK_RUNNABLE;
	if (t->cls == PV_TASK_RT) {
		t->period_tsc = us_to_tsc(it->period_us);
		t->wcet_tsc = us_to_tsc(it->wcet_us);
		t->rel_deadline_tsc = us_to_tsc(it->deadline_us);
	}
	stats_init(&t->lat);
	/* Start as if called: rsp % 16 == 8 at function entry, rdi = the task. */
	t->rip = (uint64_t)workload_task_main;
	t->rsp = top - 8;
	t->rflags = RFLAGS_IF | RFLAGS_RSVD1;
	t->regs.rdi = (uint64_t)t;
}

int workload_create(const struct spec *spec, char *err, size_t errlen)
{
	uint32_t auto_idx = 0;

	for (uint32_t i = 0; i < spec->nitems; i++) {
		const struct spec_item *it = &spec->items[i];
		uint32_t cpu = it->vcpu == SPEC_VCPU_AUTO ? auto_idx++ % guest.ncpus
							  : (uint32_t)it->vcpu;
		struct task *t = &workload_tasks[i];

		workload_init_task(t, it, i + 1);
		if (sched_add_task(t, cpu)) {
			console_snprintf(err, errlen, "more than %u tasks on vcpu %u",
					 PV_GUEST_MAX_TASKS, cpu);
			return -ENOSPC;
		}
	}
	return 0;
}
