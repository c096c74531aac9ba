/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvguest hostile modes: a misbehaving guest for the VMM's robustness tests. Each is a task
 * like any other (scheduled, reported), so the VMM sees normal activity around it.
 *
 *   triple-fault   ring 0: load an empty IDT, touch an unmapped address (5 GiB). #PF cannot
 *                  be delivered -> #GP -> #DF -> shutdown (KVM_EXIT_SHUTDOWN).
 *   bad-insn       ring 0: xsave, which the build machines' ring-0 emulator cannot execute
 *                  (KVM_EXIT_INTERNAL_ERROR). Where ring 0 runs natively and CR4.OSXSAVE is
 *                  clear it raises #UD instead: the panic handler powers off with status 3.
 *   garbage-ports  ring 3 (via the port gates): n random writes (size 1/2/4) of random values; a quarter go to
 *                  the channel ports PV_PORT_BASE..+7, the rest anywhere in 0..0xffff except
 *                  ports that legitimately reset or power off a PC (hostile_port_denied):
 *                  PV_PORT_EXIT, isa-debug-exit, i8042, port 0x92, 0xcf9, ACPI PM, the
 *                  interrupt controllers and COM1 (keeps the console readable).
 *   garbage-mmio   ring 3: n random writes (size 1/2/4/8) into [0xd0000000, 0xe0000000)
 *                  (unbacked guest-physical space above RAM, identity-mapped); skipped if
 *                  RAM reaches that far.
 *   exit-flood     `out` to PV_PORT_UNASSIGNED as fast as possible (32 per pio-loop gate
 *                  call), until the run ends (forever if duration_ms is 0).
 *   bad-pv         ring 3: n rounds of garbage in this vCPU's paravirtual page — header
 *                  (magic, version, ring_order), huge head/tail values, records with invalid
 *                  types and task ids, flags — each followed by an invalid doorbell. The
 *                  runtime's own producer index is private, so the guest recovers. Without
 *                  a page (QEMU) it only rings the doorbells.
 * Progress counts the operations done.
 */
#include "hostile.h"
#include "console.h"
#include "guest.h"
#include "lib.h"
#include "sched.h"

#define MMIO_GARBAGE_BASE	0xd0000000ul
#define MMIO_GARBAGE_SIZE	0x10000000ul
#define EXIT_FLOOD_CHUNK	32
#define HOSTILE_SEED		0x5eed5eed5eed5eedull	/* deterministic: failures reproduce */

static void hostile_service(enum hostile_r0 mode)
{
	register uint64_t r9 __asm__("r9") = SYS_SERVICE;

	__asm__ __volatile__("ud2" : : "r"(r9), "D"((uint64_t)mode), "S"(0ull) : "memory");
}

void hostile_triple_fault(struct task *t)
{
	(void)t;
	cprintf("pvguest: hostile triple-fault\n");
	hostile_service(HOSTILE_R0_TRIPLE_FAULT);
}

void hostile_bad_insn(struct task *t)
{
	(void)t;
	cprintf("pvguest: hostile bad-insn\n");
	hostile_service(HOSTILE_R0_BAD_INSN);
}

void hostile_ring0(uint64_t mode, uint64_t arg)
{
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty_idt = { 0, 0 };
	static uint8_t xsave_area[4096] __aligned(64);

	(void)arg;
	if (mode == HOSTILE_R0_TRIPLE_FAULT) {
		__asm__ __volatile__("lidt %0" : : "m"(empty_idt));
		(void)*(volatile uint64_t *)0x140000000ull;
	} else if (mode == HOSTILE_R0_BAD_INSN) {
		/* r9 = ~0: if this raises #UD, it is a fault, not a trap call. */
		register uint64_t r9 __asm__("r9") = ~0ull;

		__asm__ __volatile__("xsave %0" : "=m"(xsave_area) : "a"(~0u), "d"(~0u), "r"(r9));
	}
	guest_poweroff(GUEST_ERR_PANIC);
}

static bool hostile_port_denied(uint16_t port)
{
	static const struct {
		uint16_t lo, hi;
	} denied[] = {
		{ 0x0020, 0x0021 }, { 0x0040, 0x0043 }, { 0x0060, 0x0064 }, { 0x0070, 0x0071 },
		{ 0x0092, 0x0092 }, { 0x00a0, 0x00a1 }, { 0x00b2, 0x00b3 }, { 0x00f4, 0x00f4 },
		{ 0x03f8, 0x03ff }, { 0x04d0, 0x04d1 }, { 0x0510, 0x051b }, { 0x0600, 0x063f },
		{ 0x0cf8, 0x0cff }, { 0xb000, 0xb03f },
		{ PV_PORT_EXIT, PV_PORT_EXIT + 3 },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(denied); i++)
		if (port >= denied[i].lo && port <= denied[i].hi)
			return true;
	return false;
}

void hostile_garbage_ports(struct task *t)
{
	uint64_t seed = HOSTILE_SEED ^ t->id;

	for (uint64_t i = 0; i < t->spec.n; i++) {
		uint64_t r = lib_rand_next(&seed);
		uint16_t port = (r & 3) == 0 ? (uint16_t)(PV_PORT_BASE + ((r >> 2) & 7))
					     : (uint16_t)(r >> 16);
		uint32_t val = (uint32_t)(r >> 32);

		if (hostile_port_denied(port))
			continue;
		switch ((r >> 8) % 3) {
		case 0:
			outb(port, (uint8_t)val);
			break;
		case 1:
			outw(port, (uint16_t)val);
			break;
		default:
			outl(port, val);
			break;
		}
		t->progress++;
	}
}

void hostile_garbage_mmio(struct task *t)
{
	uint64_t seed = HOSTILE_SEED ^ (t->id * 0x9e37ull);

	if (guest.bi->mem_bytes > MMIO_GARBAGE_BASE) {
		cprintf("pvguest: garbage-mmio skipped: RAM reaches 0x%lx\n", MMIO_GARBAGE_BASE);
		return;
	}
	for (uint64_t i = 0; i < t->spec.n; i++) {
		uint64_t r = lib_rand_next(&seed);
		uint64_t v = lib_rand_next(&seed);
		uintptr_t addr = (uintptr_t)(MMIO_GARBAGE_BASE + (r % MMIO_GARBAGE_SIZE));

		switch ((r >> 40) & 3) {
		case 0:
			*(volatile uint8_t *)addr = (uint8_t)v;
			break;
		case 1:
			*(volatile uint16_t *)(addr & ~1ul) = (uint16_t)v;
			break;
		case 2:
			*(volatile uint32_t *)(addr & ~3ul) = (uint32_t)v;
			break;
		default:
			*(volatile uint64_t *)(addr & ~7ul) = v;
			break;
		}
		t->progress++;
	}
}

void hostile_exit_flood(struct task *t)
{
	for (;;) {
		pio_outb_loop(PV_PORT_UNASSIGNED, 0xee, EXIT_FLOOD_CHUNK);
		t->progress += EXIT_FLOOD_CHUNK;
	}
}

void hostile_bad_pv(struct task *t)
{
	uint64_t seed = HOSTILE_SEED ^ 0xbadull;
	struct pv_gpage *pg = sched_cpu(t->cpu)->pv.page;

	for (uint64_t i = 0; i < t->spec.n; i++) {
		uint64_t r = lib_rand_next(&seed);

		if (pg) {
			struct pv_gev *e = &pg->ring[r & (PV_GRING_SIZE - 1)];

			switch (i % 6) {
			case 0:
				pg->head = 0xffffff00u + (uint32_t)(r & 0xff);
				break;
			case 1:
				pg->tail = (uint32_t)(r >> 32);
				break;
			case 2:
				pg->magic = (uint32_t)r;
				pg->version = (uint32_t)(r >> 32);
				pg->ring_order = (uint32_t)(r >> 16);
				break;
			case 3:
				pg->flags = (uint32_t)r;
				pg->dropped = (uint32_t)(r >> 32);
				break;
			case 4:
				pg->tasks[r % PV_GUEST_MAX_TASKS].id = (uint32_t)r;
				pg->tasks[r % PV_GUEST_MAX_TASKS].cls = (uint32_t)(r >> 32);
				pg->tasks[r % PV_GUEST_MAX_TASKS].lat_p99_us = UINT32_MAX;
				break;
			default:
				break;
			}
			e->tsc = r;
			e->type = PV_GEV_MAX + (uint32_t)(r >> 60);
			e->task = (uint32_t)(r >> 8);
			e->a = ~r;
			e->b = r * 3;
			pg->head += (uint32_t)(r >> 48);
		}
		outl(PV_PORT_DOORBELL, PV_DOORBELL_MAX + (uint32_t)(r & 0xffff));
		t->progress++;
	}
}
