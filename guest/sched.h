/* SPDX-License-Identifier: GPL-2.0-only */
/* pvguest: tasks and the ring-3 runtime scheduler (design note in sched.c). */
#ifndef PVGUEST_SCHED_H
#define PVGUEST_SCHED_H

#include "arch.h"
#include "cpu.h"
#include "pvchan.h"
#include "spec.h"
#include "stats.h"
#include "tracer/event.h"

#define MAX_TASKS		SPEC_MAX_ITEMS
#define TASK_STACK_BYTES	16384
#define DEF_BE_SLICE_US		5000	/* best-effort round-robin quantum */

/* Saved general-purpose registers: the layout runtime_*_entry pushes and dispatch_tramp
 * pops (uentry.S), followed by the RSP the trampoline switches to. */
struct task_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t rsp_tramp;	/* task rsp - 8, holding the task's rip */
};
#define TASK_REGS_PUSHED	15

enum task_state {
	TASK_RUNNABLE = 0,	/* real-time: runnable only while a job is active */
	TASK_SLEEPING,		/* until wake_tsc */
	TASK_DONE,
};

/* Requests a task makes through the yield gate (rdi = op, rsi = argument). */
enum sched_op {
	SCHED_OP_YIELD = 0,	/* best effort: give up the rest of the slice */
	SCHED_OP_JOB_DONE,	/* real time: the current job completed */
	SCHED_OP_SLEEP,		/* sleep until rsi (TSC) */
	SCHED_OP_EXIT,		/* the task's work is finished */
};

struct task {
	struct task_regs regs;
	uint64_t rip, rsp, rflags;	/* the rest of the saved context */
	uint32_t id;			/* 1.., global; pv records use it */
	enum pv_task_class cls;
	struct spec_item spec;
	void (*body)(struct task *t);
	uint32_t cpu;
	uint32_t slot;			/* index in its CPU's task list and pv page */
	enum task_state state;
	uint64_t wake_tsc;

	/* real time (runtime-written) */
	uint64_t period_tsc, wcet_tsc, rel_deadline_tsc;
	uint64_t next_release_tsc, release_tsc, abs_deadline_tsc;
	bool job_active, job_started;
	uint64_t activations, completions, misses;
	uint64_t resp_max_tsc, resp_sum_tsc;

	/* accounting (runtime-written, task-readable) */
	volatile uint64_t exec_tsc;	/* CPU time consumed, up to run_start_tsc */
	volatile uint64_t run_start_tsc; /* last dispatch */
	uint64_t dispatches;

	/* task-written */
	volatile uint64_t progress;
	uint64_t result_tsc;		/* pio-loop: cycles for the n iterations */
	uint32_t lat_p50_us, lat_p99_us; /* cached percentiles of lat */
	struct lat_stats lat;		/* rt: release lateness; hlt-wake: wake lateness */

	uint8_t stack[TASK_STACK_BYTES] __aligned(16);
};

struct sched_cpu {
	uint32_t index;
	struct cpu_frames *frames;
	struct task *tasks[PV_GUEST_MAX_TASKS];
	uint32_t ntasks;
	struct task *cur;		/* NULL = idle */
	struct task *be_cur;		/* best-effort task holding the slice */
	uint64_t slice_end_tsc;
	bool rt_runnable;
	bool idle;
	uint64_t idle_begin_tsc;
	uint64_t end_tsc;		/* 0 = no duration limit */
	volatile uint32_t stopped;
	struct pvchan pv;
	/* counters */
	uint64_t switches, preemptions, timer_entries, yields, restarts, idle_tsc, idle_polls;
};

struct sched_cpu *sched_cpu(uint32_t cpu);
/* Attach a task to a CPU (before the runtimes start): 0 or -ENOSPC. */
int sched_add_task(struct task *t, uint32_t cpu);
/* Start this CPU's runtime: never returns. */
__noreturn void sched_start(struct sched_cpu *c);
/* Ring-3 entry from uentry.S: never returns. */
__noreturn void sched_enter(struct task_regs *r, struct sched_cpu *c, int reason);

/* CPU time a task has consumed, callable by the task itself while it runs. */
uint64_t sched_task_cpu_tsc(const struct task *t);

/* Trap call SYS_YIELD: ask this vCPU's runtime for op; all registers are preserved. */
static inline void sched_task_call(struct task *t, enum sched_op op, uint64_t arg)
{
	register uint64_t r9 __asm__("r9") = SYS_YIELD;

	(void)t;
	__asm__ __volatile__("ud2" : : "r"(r9), "D"((uint64_t)op), "S"(arg) : "memory");
}

static inline void sched_yield(struct task *t) { sched_task_call(t, SCHED_OP_YIELD, 0); }
static inline void sched_job_done(struct task *t) { sched_task_call(t, SCHED_OP_JOB_DONE, 0); }

static inline void sched_sleep_until(struct task *t, uint64_t tsc)
{
	sched_task_call(t, SCHED_OP_SLEEP, tsc);
}

static inline __noreturn void sched_exit(struct task *t)
{
	for (;;)
		sched_task_call(t, SCHED_OP_EXIT, 0);
}

#endif /* PVGUEST_SCHED_H */
