/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's view of a vCPU thread, read each tick: CPU time (on a CPU), run-queue wait
 * (runnable but not running) and the CPU it last ran on (/proc/<pid>/task/<tid>/schedstat
 * and stat, kept open and re-read with pread).
 *
 * Why the daemon needs it beside the transitions: wall time between VM entry and exit
 * includes time the host scheduler kept the thread off the CPU (two busy vCPUs on one pCPU
 * each "spend 100 % in the guest"), and with the in-kernel irqchip a halting vCPU that
 * rarely exits reports its halted time only at its next exit. On-CPU time and the blocked
 * remainder (window − run − wait) come from the scheduler; the split of on-CPU time
 * between guest, VMM and polling comes from the transitions.
 */
#ifndef PV_DAEMON_THREADSTAT_H
#define PV_DAEMON_THREADSTAT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct threadstat {
	int schedstat_fd;
	int stat_fd;
	uint64_t run_ns, wait_ns;	/* cumulative, last read */
	bool primed;
};

struct threadstat_delta {
	uint64_t run_ns;		/* on a CPU during the window */
	uint64_t wait_ns;		/* runnable, waiting for a CPU */
	int cpu;			/* last CPU, -1 unknown */
};

void threadstat_init(struct threadstat *t);
int threadstat_open(struct threadstat *t, pid_t pid, pid_t tid);
void threadstat_close(struct threadstat *t);
/* Read and return the change since the last read (zero on the first). 0 or -errno. */
int threadstat_sample(struct threadstat *t, struct threadstat_delta *d);

/* Parsers, exposed for tests: 0 or -EINVAL. */
int threadstat_parse_schedstat(const char *s, uint64_t *run_ns, uint64_t *wait_ns);
int threadstat_parse_cpu(const char *stat_line, int *cpu);

#endif /* PV_DAEMON_THREADSTAT_H */
