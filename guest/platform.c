/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvguest platform glue: the global state and power-off. Power-off works from ring 0 and
 * ring 3 (through the outl gate); if the VMM ignores the write the vCPU spins in the runtime's idle gate
 * (ring 3) or halts (ring 0) rather than running on.
 */
#include "guest.h"

struct guest guest;

void guest_poweroff(int status)
{
	register uint64_t r9 __asm__("r9") = SYS_IDLE_ONESHOT;
	uint16_t cs;

	if (guest.qemu)
		outl(PV_PORT_QEMU_EXIT, (uint32_t)status);
	else
		outl(PV_PORT_EXIT, (uint32_t)status);
	__asm__ __volatile__("mov %%cs, %0" : "=r"(cs));
	for (;;) {
		if ((cs & 3) == 0)
			__asm__ __volatile__("cli; hlt");
		else	/* idle call, timer disarmed: sleeps until a spurious wake-up */
			__asm__ __volatile__("ud2" : : "r"(r9), "a"(0) : "memory");
	}
}
