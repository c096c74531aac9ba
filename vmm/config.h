/* SPDX-License-Identifier: GPL-2.0-only */
/* pv-vmm command line: parsed and validated into struct vmm_config (unit-testable). */
#ifndef PV_VMM_CONFIG_H
#define PV_VMM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#define CONFIG_ERR_MAX		256
#define MIN_VCPUS		1u
#define MAX_VCPUS_CFG		64u
#define DEF_EXIT_LIMIT		100000ull	/* userspace exits per second per vCPU */
#define DEF_FLOOD_MS		3000ull		/* sustained over the limit this long = end */
#define MAX_DURATION_MS		(30ull * 24 * 3600 * 1000)
#define DEF_NAME		"vm"

struct vmm_config {
	const char *kernel;		/* ELF64 or bzImage */
	const char *initrd;		/* bzImage only */
	const char *name;
	const char *cmdline;
	const char *workload;		/* pvguest workload spec */
	const char *console;		/* NULL/"stdout", "pty", or a file path */
	const char *ctl_sock;		/* control socket path, NULL = none */
	const char *trace_out;		/* raw trace file, NULL = none */
	uint32_t nvcpus;
	uint64_t mem_bytes;
	uint64_t duration_ms;		/* 0 = until the guest ends */
	int halt_mode;			/* enum pv_halt_mode: EXIT, POLL or NATIVE */
	uint64_t poll_ns;
	uint64_t timer_us;		/* periodic VMM timer on every vCPU, 0 = off */
	uint64_t budget_runtime_us;	/* --budget-us R/P on every vCPU, 0 = off */
	uint64_t budget_period_us;
	int shm_fd;			/* inherited memfd to lay the shm out in, -1 = create */
	uint64_t exit_limit;		/* exits/s per vCPU before throttling, 0 = off */
	uint64_t flood_ms;		/* throttled this long in a row = PV_END_EXIT_FLOOD */
	uint32_t ring_order;		/* log2 records per trace ring */
	bool sandbox;			/* --no-sandbox clears it */
	bool irqchip;			/* --no-irqchip clears it (HLT then exits to us) */
	bool quiet;			/* --quiet: no summary */
};

/* 0, 1 for --help (usage printed into @err), or -EINVAL with a message in @err. */
int config_parse(struct vmm_config *c, int argc, char **argv, char *err, size_t errlen);
void config_usage(const char *prog);

#endif /* PV_VMM_CONFIG_H */
