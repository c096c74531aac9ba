/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvguest ring-0 bring-up. Every vCPU arrives here from start64 with its own ring-0 stack.
 *
 * vCPU 0 checks the boot information and builds the TSS descriptors and the IDT; the others
 * wait for it through memory (boot contract: all vCPUs start together). Each vCPU then
 * loads its TSS and the IDT and drops to ring 3 for good, into init_main() on its runtime
 * stack. Everything else — console, timer setup, workload parsing, scheduling — happens in
 * ring 3, where instructions run natively instead of being emulated.
 *
 * Cost: ~350 emulated instructions on vCPU 0 (TSS descriptors, 34 IDT gates), ~40 on the
 * others.
 */
#include "guest.h"
#include "cpu.h"
#include "init.h"

void kmain(struct pv_bootinfo *bi, uint64_t cpu);

static __noreturn void kmain_bad_boot(void)
{
	/* No console setup yet; port writes still reach whatever is listening. */
	static const char msg[] = "pvguest: error: bad boot information\r\n";

	for (const char *p = msg; *p; p++)
		outb(PV_PORT_COM1, (uint8_t)*p);
	guest.qemu = false;
	guest_poweroff(GUEST_ERR_BOOT);
}

void kmain(struct pv_bootinfo *bi, uint64_t cpu)
{
	if (cpu == 0) {
		if (!bi || bi->magic != PV_BOOTINFO_MAGIC || bi->version != PV_BOOTINFO_VERSION ||
		    bi->nvcpus == 0)
			kmain_bad_boot();
		guest.bi = bi;
		guest.qemu = (bi->flags & PV_BI_F_QEMU) != 0;
		guest.ncpus = bi->nvcpus < MAX_CPUS ? bi->nvcpus : MAX_CPUS;
		cpu_setup_tables(guest.ncpus);
		__atomic_store_n(&guest.tables_ready, 1, __ATOMIC_RELEASE);
	} else {
		while (!__atomic_load_n(&guest.tables_ready, __ATOMIC_ACQUIRE))
			;
		if (cpu >= guest.ncpus)
			for (;;)
				__asm__ __volatile__("cli; hlt");
	}
	cpu_load_tables((uint32_t)cpu);
	if (cpu == 0)
		guest.r0_tsc = rdtsc();
	cpu_enter_ring3((uint32_t)cpu, init_cpu_cookie((uint32_t)cpu), init_main);
}
