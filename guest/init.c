/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvguest ring-3 start-up. kmain drops every vCPU here with IF = 0, on its
 * runtime stack.
 *
 * vCPU 0: console, command line (under QEMU it also carries workload= and duration_ms=,
 * which pv-vmm passes in pv_bootinfo, and optionally pv_pages_gpa=<decimal address> to
 * exercise the paravirtual channel against plain RAM; pv=off makes it ignore the channel, a
 * guest that reports nothing), timebase, timer mode, its LAPIC, the boot line, the
 * workload spec and the tasks. A malformed spec or command line prints
 * "pvguest: error: …" and powers off with GUEST_ERR_SPEC. Then the start time is published
 * and every vCPU sets up its LAPIC and enters its scheduler.
 */
#include "init.h"
#include "console.h"
#include "guest.h"
#include "lib.h"
#include "sched.h"
#include "spec.h"
#include "timer.h"
#include "workload.h"

#define START_DELAY_US		1000	/* common start: every vCPU is in its runtime */
#define TSC_SKEW_WARN_MS	10000

static char init_workload[PV_WORKLOAD_MAX];
static struct spec init_spec;

void *init_cpu_cookie(uint32_t cpu)
{
	struct sched_cpu *c = sched_cpu(cpu);

	c->index = cpu;
	return c;
}

static __noreturn void init_fail(const char *what, const char *msg)
{
	cprintf("pvguest: error: %s: %s\n", what, msg);
	cprintf("pvguest: done status=%d\n", GUEST_ERR_SPEC);
	guest_poweroff(GUEST_ERR_SPEC);
}

static void init_boot_cpu(void)
{
	struct pv_bootinfo *bi = guest.bi;
	struct cmdline_opts opts;
	uint64_t r3_tsc = rdtsc();
	char err[160];

	console_init();
	bi->cmdline[PV_CMDLINE_MAX - 1] = '\0';
	bi->workload[PV_WORKLOAD_MAX - 1] = '\0';
	if (spec_parse_cmdline(bi->cmdline, &opts, err, sizeof(err)))
		init_fail("bad command line", err);
	lib_strlcpy(init_workload, bi->workload, sizeof(init_workload));
	guest.duration_ms = bi->duration_ms;
	if (guest.qemu) {
		size_t n = opts.workload_len < sizeof(init_workload) - 1 ?
				   opts.workload_len : sizeof(init_workload) - 1;

		if (opts.workload)
			memcpy(init_workload, opts.workload, n);
		init_workload[opts.workload ? n : 0] = '\0';
		lib_strlcpy(bi->workload, init_workload, sizeof(bi->workload));
		if (opts.has_duration)
			guest.duration_ms = bi->duration_ms = opts.duration_ms;
		/* Self-test of the channel code: pages in plain RAM, nobody drains them. */
		bi->pv_pages_gpa = opts.pv_pages_gpa;
		outb(0x21, 0xff);	/* mask both 8259s: only the LAPIC timer interrupts */
		outb(0xa1, 0xff);
	}
	if (opts.pv_off)
		bi->pv_pages_gpa = 0;
	if (timer_init_timebase())
		init_fail("timebase", "cannot determine the TSC frequency");
	timer_choose_mode(opts.timer);
	/* Ring 3 reads the TSC natively, ring 0 through the emulator: they must agree. */
	if (r3_tsc < guest.r0_tsc || r3_tsc - guest.r0_tsc > ms_to_tsc(TSC_SKEW_WARN_MS))
		cprintf("pvguest: warning: ring-3 TSC %lu vs ring-0 TSC %lu\n", r3_tsc,
			guest.r0_tsc);
	cprintf("pvguest: boot vcpus=%u tsc_khz=%lu timer=%s duration_ms=%lu workload=%s\n",
		guest.ncpus, guest.tsc_khz, timer_mode_name(guest.timer), guest.duration_ms,
		init_workload);
	if (spec_parse(init_workload, guest.ncpus, &init_spec, err, sizeof(err)))
		init_fail("bad workload spec", err);
	if (workload_create(&init_spec, err, sizeof(err)))
		init_fail("bad workload spec", err);
	timer_setup_cpu(0);
	guest.start_tsc = rdtsc() + us_to_tsc(START_DELAY_US);
	__atomic_store_n(&guest.tasks_ready, 1, __ATOMIC_RELEASE);
}

void init_main(void *cookie)
{
	struct sched_cpu *c = cookie;

	if (c->index == 0) {
		init_boot_cpu();
	} else {
		while (!__atomic_load_n(&guest.tasks_ready, __ATOMIC_ACQUIRE))
			cpu_relax();
		timer_setup_cpu(c->index);
	}
	sched_start(c);
}
