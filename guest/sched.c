/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvguest scheduler: a ring-3 runtime per vCPU.
 *
 * Design note.
 * Where ring 0 ends: guest ring 0 is emulated instruction by instruction on the build
 * machines (~1.3 us each) while ring 3 runs natively, so the kernel is reduced to the gates
 * in vectors.S (2-3 instructions each). Everything that decides — releases, wake-ups, the
 * choice of the next task, statistics, the paravirtual page — runs here, in ring 3, on a
 * per-CPU runtime stack with interrupts off (the gates return here with IF = 0, the runtime
 * never enables them; it leaves through the dispatch or idle system call).
 * A context switch: timer gate (EOI, sub, iretq) -> runtime_timer_entry pushes the task's
 * registers -> sched_enter() saves them, decides -> trap call SYS_DISPATCH (ud2; cmp, jae,
 * jmp, arm, sub, iretq) -> dispatch_tramp pops the next task's registers and returns into
 * it. 9 emulated ring-0 instructions and 4 privilege transitions per preemption, 11 per
 * voluntary switch (SYS_YIELD -> runtime -> SYS_DISPATCH).
 *
 * Policy. Two classes per vCPU, strict priority between them:
 *  - real time: periodic tasks scheduled by EDF (earliest absolute deadline first, ties to
 *    the lower id). A job is released at its period boundary by the timer; a late job
 *    keeps its release time (backlog, no skipping), so lateness and misses stay visible.
 *    EDF is optimal on one CPU for implicit/constrained deadlines and needs no priority
 *    assignment from the spec writer. No budget enforcement: a job runs until it signals
 *    completion (the workload spins for its WCET of *CPU time*, so preemption by an
 *    earlier deadline does not shorten it).
 *  - best effort: round-robin with a DEF_BE_SLICE_US quantum, only when no real-time job
 *    is active. The slice timer is armed only when another best-effort task is runnable.
 * The timer is one-shot (TSC deadline or LAPIC count) and armed for the earliest of: the
 * next release of an idle real-time task, the earliest sleeper, the slice end, the end of
 * the run. Tasks are pinned: no migration, no IPIs, each vCPU schedules independently.
 *
 * Restartable sequences: SYS_DISPATCH arms the timer before iret-ing into dispatch_tramp;
 * a deadline already due fires inside the trampoline, and sched_enter recognises the RIP
 * and keeps the saved context (the trampoline only read it).
 */
#include "sched.h"
#include "console.h"
#include "guest.h"
#include "lib.h"
#include "report.h"
#include "timer.h"

enum sched_entry {
	SCHED_ENTRY_TIMER = 0,	/* values used by uentry.S */
	SCHED_ENTRY_YIELD = 1,
};

#define RFLAGS_USER_MASK	0xcd5ull	/* CF PF AF ZF SF DF OF */
#define STATS_REFRESH_EVERY	64		/* recompute p50/p99 every N samples */
#define STOP_POLL_US		1000

extern char dispatch_tramp[], dispatch_tramp_end[];

static struct sched_cpu sched_cpus[MAX_CPUS];

struct sched_cpu *sched_cpu(uint32_t cpu)
{
	return &sched_cpus[cpu];
}

int sched_add_task(struct task *t, uint32_t cpu)
{
	struct sched_cpu *c = &sched_cpus[cpu];

	if (c->ntasks == PV_GUEST_MAX_TASKS)
		return -ENOSPC;
	t->cpu = cpu;
	t->slot = c->ntasks;
	c->tasks[c->ntasks++] = t;
	return 0;
}

uint64_t sched_task_cpu_tsc(const struct task *t)
{
	uint64_t start, exec, now;

	do {
		start = t->run_start_tsc;
		exec = t->exec_tsc;
		now = rdtsc();
	} while (start != t->run_start_tsc);
	return exec + (now - start);
}

static bool task_runnable(const struct task *t)
{
	return t->state == TASK_RUNNABLE && (t->cls != PV_TASK_RT || t->job_active);
}

static uint32_t task_id(const struct task *t)
{
	return t ? t->id : 0;
}

static enum pv_task_class task_cls(const struct task *t)
{
	return t ? t->cls : PV_TASK_IDLE;
}

static void sched_refresh_stats(struct task *t, bool force)
{
	if (force || t->lat.count % STATS_REFRESH_EVERY == 0) {
		t->lat_p50_us = stats_percentile_us(&t->lat, 50);
		t->lat_p99_us = stats_percentile_us(&t->lat, 99);
	}
}

/* ---- real-time jobs ---------------------------------------------------------------- */

static void sched_rt_release(struct sched_cpu *c, struct task *t)
{
	t->job_active = true;
	t->job_started = false;
	t->release_tsc = t->next_release_tsc;
	t->abs_deadline_tsc = t->release_tsc + t->rel_deadline_tsc;
	t->next_release_tsc += t->period_tsc;
	t->activations++;
	(void)c;
}

/* First dispatch of a job: its release lateness is known now. */
static void sched_rt_start(struct sched_cpu *c, struct task *t, uint64_t now)
{
	uint64_t late = now > t->release_tsc ? now - t->release_tsc : 0;

	t->job_started = true;
	stats_add_us(&t->lat, tsc_to_us(late));
	sched_refresh_stats(t, false);
	pvchan_emit(&c->pv, now, PV_GEV_RT_ACTIVATE, t->id, tsc_to_ns(late),
		    tsc_to_ns(t->period_tsc));
}

static void sched_rt_complete(struct sched_cpu *c, struct task *t, uint64_t now)
{
	uint64_t resp = now - t->release_tsc;

	if (!t->job_active)
		return;
	t->job_active = false;
	t->completions++;
	t->resp_sum_tsc += resp;
	if (resp > t->resp_max_tsc)
		t->resp_max_tsc = resp;
	pvchan_emit(&c->pv, now, PV_GEV_RT_COMPLETE, t->id, tsc_to_ns(resp),
		    tsc_to_ns(t->rel_deadline_tsc));
	if (now > t->abs_deadline_tsc) {
		t->misses++;
		pvchan_emit(&c->pv, now, PV_GEV_RT_MISS, t->id,
			    tsc_to_ns(now - t->abs_deadline_tsc), 0);
	}
	pvchan_publish(&c->pv, t);
}

/* ---- entry, decisions, exit ---------------------------------------------------------- */

static void sched_handle_op(struct sched_cpu *c, struct task *t, uint64_t op, uint64_t arg,
			    uint64_t now)
{
	c->yields++;
	switch (op) {
	case SCHED_OP_YIELD:
		if (t == c->be_cur)
			c->slice_end_tsc = now;
		break;
	case SCHED_OP_JOB_DONE:
		sched_rt_complete(c, t, now);
		break;
	case SCHED_OP_SLEEP:
		t->state = TASK_SLEEPING;
		t->wake_tsc = arg;
		break;
	case SCHED_OP_EXIT:
	default:
		t->state = TASK_DONE;
		break;
	}
}

/* Releases and wake-ups due by now; returns whether the run's work is over. */
static bool sched_update_tasks(struct sched_cpu *c, uint64_t now)
{
	bool rt_runnable = false, work_left = false;

	for (uint32_t i = 0; i < c->ntasks; i++) {
		struct task *t = c->tasks[i];

		if (t->state == TASK_SLEEPING && t->wake_tsc <= now)
			t->state = TASK_RUNNABLE;
		if (t->cls == PV_TASK_RT && t->state == TASK_RUNNABLE && !t->job_active &&
		    t->next_release_tsc <= now)
			sched_rt_release(c, t);
		if (t->cls == PV_TASK_RT && task_runnable(t))
			rt_runnable = true;
		if (t->state != TASK_DONE)
			work_left = true;
	}
	if (rt_runnable != c->rt_runnable) {
		c->rt_runnable = rt_runnable;
		pvchan_rt_runnable(&c->pv, rt_runnable);
	}
	return !work_left && !guest.duration_ms;
}

static struct task *sched_pick_rt(struct sched_cpu *c)
{
	struct task *best = NULL;

	for (uint32_t i = 0; i < c->ntasks; i++) {
		struct task *t = c->tasks[i];

		if (t->cls == PV_TASK_RT && task_runnable(t) &&
		    (!best || t->abs_deadline_tsc < best->abs_deadline_tsc))
			best = t;
	}
	return best;
}

static struct task *sched_pick_be(struct sched_cpu *c, uint64_t now)
{
	struct task *cur = c->be_cur;
	uint32_t start;

	if (cur && task_runnable(cur) && now < c->slice_end_tsc)
		return cur;
	start = cur ? cur->slot + 1 : 0;
	for (uint32_t i = 0; i < c->ntasks; i++) {
		struct task *t = c->tasks[(start + i) % c->ntasks];

		if (t->cls == PV_TASK_BE && task_runnable(t)) {
			c->be_cur = t;
			c->slice_end_tsc = now + us_to_tsc(DEF_BE_SLICE_US);
			return t;
		}
	}
	c->be_cur = NULL;
	return NULL;
}

static uint64_t sched_next_deadline(struct sched_cpu *c, const struct task *next)
{
	uint64_t dl = c->end_tsc ? c->end_tsc : UINT64_MAX;
	uint32_t be_runnable = 0;

	for (uint32_t i = 0; i < c->ntasks; i++) {
		const struct task *t = c->tasks[i];

		if (t->state == TASK_SLEEPING && t->wake_tsc < dl)
			dl = t->wake_tsc;
		if (t->cls == PV_TASK_RT && t->state == TASK_RUNNABLE && !t->job_active &&
		    t->next_release_tsc < dl)
			dl = t->next_release_tsc;
		if (t->cls == PV_TASK_BE && task_runnable(t))
			be_runnable++;
	}
	if (next && next->cls == PV_TASK_BE && be_runnable > 1 && c->slice_end_tsc < dl)
		dl = c->slice_end_tsc;
	return dl == UINT64_MAX ? 0 : dl;
}

/*
 * Leave the runtime: dispatch (iretq through frames.dispatch) or halt, arming the timer,
 * and ring the pass's pending doorbell on the way (one trap for all three).
 */
static __noreturn void sched_arm_and_go(struct sched_cpu *c, bool idle, uint64_t deadline)
{
	static const uint8_t calls[2][2][2] = {	/* [tsc][idle][doorbell] */
		{ { SYS_DISPATCH_ONESHOT, SYS_DISPATCH_ONESHOT_DB },
		  { SYS_IDLE_ONESHOT, SYS_IDLE_ONESHOT_DB } },
		{ { SYS_DISPATCH_TSC, SYS_DISPATCH_TSC_DB }, { SYS_IDLE_TSC, SYS_IDLE_TSC_DB } },
	};
	bool tsc = guest.timer == TIMER_TSC_DEADLINE;
	int32_t db = pvchan_take_doorbell(&c->pv);
	register uint64_t r9 __asm__("r9") = calls[tsc][idle][db >= 0];
	uint32_t lo = tsc ? (uint32_t)deadline : timer_oneshot_count(deadline, rdtsc());
	uint32_t hi = tsc ? (uint32_t)(deadline >> 32) : 0;

	__asm__ __volatile__("ud2" : : "r"(r9), "c"(MSR_TSC_DEADLINE), "a"(lo), "d"(hi),
			     "b"((uint32_t)db) : "memory");
	__builtin_unreachable();
}

static __noreturn void sched_dispatch(struct sched_cpu *c, struct task *t, uint64_t now,
				      uint64_t deadline)
{
	uint64_t *ret_slot = (uint64_t *)(uintptr_t)(t->rsp - 8);

	if (t->cls == PV_TASK_RT && !t->job_started)
		sched_rt_start(c, t, now);
	if (!guest.first_task_tsc)	/* not printed here: the console costs ~100 us a byte */
		__atomic_compare_exchange_n(&guest.first_task_tsc, &(uint64_t){ 0 }, now, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	*ret_slot = t->rip;
	t->regs.rsp_tramp = t->rsp - 8;
	c->frames->dispatch = (struct iret_frame){
		.rip = (uint64_t)dispatch_tramp,
		.cs = SEL_UCODE,
		.rflags = (t->rflags & RFLAGS_USER_MASK) | RFLAGS_IF | RFLAGS_RSVD1,
		.rsp = (uint64_t)&t->regs,
		.ss = SEL_UDATA,
	};
	t->dispatches++;
	t->run_start_tsc = rdtsc();
	sched_arm_and_go(c, false, deadline);
}

/* The run is over on this vCPU: make the summaries final, then let vCPU 0 report. */
static void sched_stop(struct sched_cpu *c, uint64_t now)
{
	for (uint32_t i = 0; i < c->ntasks; i++) {
		sched_refresh_stats(c->tasks[i], true);
		pvchan_publish(&c->pv, c->tasks[i]);
	}
	if (c->cur) {
		pvchan_emit(&c->pv, now, PV_GEV_TASK_SWITCH, 0, c->cur->id,
			    PV_TASK_CLASSES(c->cur->cls, PV_TASK_IDLE));
		c->cur = NULL;
	}
	if (c->rt_runnable) {
		c->rt_runnable = false;
		pvchan_rt_runnable(&c->pv, false);
	}
	if (c->index != 0)
		pvchan_done(&c->pv);
	__atomic_store_n(&c->stopped, 1, __ATOMIC_RELEASE);
}

static __noreturn void sched_stopped(struct sched_cpu *c, uint64_t now)
{
	if (c->index == 0) {
		for (uint32_t i = 1; i < guest.ncpus; i++)
			if (!__atomic_load_n(&sched_cpus[i].stopped, __ATOMIC_ACQUIRE))
				sched_arm_and_go(c, true, now + us_to_tsc(STOP_POLL_US));
		report_final();
		pvchan_done(&c->pv);
		guest_poweroff(GUEST_OK);
	}
	sched_arm_and_go(c, true, 0);
}

/* The vCPU has work again after being idle (halted or polling) since idle_begin_tsc. */
static void sched_idle_end(struct sched_cpu *c, uint64_t now)
{
	c->idle = false;
	c->idle_tsc += now - c->idle_begin_tsc;
	pvchan_emit(&c->pv, now, PV_GEV_IDLE_END, 0, tsc_to_ns(now - c->idle_begin_tsc), 0);
}

/*
 * Idle polling (pv_abi.h): when the next timer deadline falls inside the host's poll
 * window, spin in ring 3 until it instead of halting — the wake then costs no HLT exit, no
 * interrupt and no timer gate. The runtime runs with interrupts off, and the deadline is
 * the only thing this vCPU waits for (no IPIs), so spinning to it misses nothing. False:
 * halt instead.
 */
static bool sched_idle_poll(struct sched_cpu *c, uint64_t now, uint64_t deadline)
{
	uint32_t win_us = pvchan_idle_poll_us(&c->pv);

	if (!deadline || !win_us || deadline - now > us_to_tsc(win_us))
		return false;
	c->idle_polls++;
	while ((int64_t)(rdtsc() - deadline) < 0)
		cpu_relax();
	return true;
}

static __noreturn void sched_schedule(struct sched_cpu *c, uint64_t now)
{
	for (;;) {
		struct task *prev = c->cur, *next;
		uint64_t deadline;
		bool over;

		if (c->stopped)
			sched_stopped(c, now);
		over = sched_update_tasks(c, now);
		if (over || (c->end_tsc && now >= c->end_tsc)) {
			sched_stop(c, now);
			sched_stopped(c, now);
		}
		next = sched_pick_rt(c);
		if (!next)
			next = sched_pick_be(c, now);
		deadline = sched_next_deadline(c, next);

		if (next != prev) {
			c->switches++;
			if (prev)
				pvchan_publish(&c->pv, prev);
			pvchan_emit(&c->pv, now, PV_GEV_TASK_SWITCH, task_id(next), task_id(prev),
				    PV_TASK_CLASSES(task_cls(prev), task_cls(next)));
			c->cur = next;
		}
		if (next)
			sched_dispatch(c, next, now, deadline);

		c->idle = true;
		c->idle_begin_tsc = now;
		pvchan_emit(&c->pv, now, PV_GEV_IDLE_BEGIN, 0, 0, 0);
		if (!sched_idle_poll(c, now, deadline))
			sched_arm_and_go(c, true, deadline);
		now = rdtsc();
		sched_idle_end(c, now);
	}
}

void sched_enter(struct task_regs *r, struct sched_cpu *c, int reason)
{
	uint64_t now = rdtsc();
	struct task *t = c->cur;
	struct iret_frame *hw = &c->frames->hw;

	if (reason == SCHED_ENTRY_TIMER)
		c->timer_entries++;
	if (c->idle) {
		sched_idle_end(c, now);
	} else if (t) {
		bool restart = hw->rip >= (uint64_t)dispatch_tramp &&
			       hw->rip < (uint64_t)dispatch_tramp_end;

		t->exec_tsc += now - t->run_start_tsc;
		if (restart) {
			c->restarts++;	/* context in t is still the saved one */
		} else {
			memcpy(&t->regs, r, TASK_REGS_PUSHED * sizeof(uint64_t));
			t->rip = hw->rip;
			t->rsp = hw->rsp;
			t->rflags = hw->rflags;
			if (reason == SCHED_ENTRY_YIELD) {
				t->rip += TRAP_CALL_LEN;	/* resume past the ud2 */
				sched_handle_op(c, t, r->rdi, r->rsi, now);
			} else {
				c->preemptions++;
			}
		}
	}
	sched_schedule(c, now);
}

void sched_start(struct sched_cpu *c)
{
	c->frames = &cpu_areas[c->index].frames;
	pvchan_init(&c->pv, c->index);
	if (guest.duration_ms)
		c->end_tsc = guest.start_tsc + ms_to_tsc(guest.duration_ms);
	for (uint32_t i = 0; i < c->ntasks; i++) {
		c->tasks[i]->next_release_tsc = guest.start_tsc;
		pvchan_publish(&c->pv, c->tasks[i]);
	}
	/* Wait for the common start time asleep, so every vCPU releases together. */
	c->idle = true;
	c->idle_begin_tsc = rdtsc();
	pvchan_emit(&c->pv, c->idle_begin_tsc, PV_GEV_IDLE_BEGIN, 0, 0, 0);
	sched_arm_and_go(c, true, guest.start_tsc);
}
