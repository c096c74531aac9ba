/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest-visible ABI of pv-vmm: boot contract, I/O ports and the paravirtual page.
 * Shared by the VMM (vmm/) and the test OS (guest/, freestanding: only <stdint.h>).
 *
 * Boot contract (ELF64 images loaded by pv-vmm):
 *   - Every PT_LOAD segment is copied to its p_paddr; the entry is e_entry.
 *   - All vCPUs start at e_entry at the same time, in 64-bit long mode, CPL 0, interrupts
 *     off (RFLAGS = 0x2), paging on with the first 4 GiB identity-mapped (2 MiB pages,
 *     read/write/execute, supervisor), a flat GDT (0x08 = 64-bit code, 0x10 = data) that the
 *     guest should replace with its own, RSP = 0 (the guest sets up its own stacks).
 *     RDI = guest-physical address of struct pv_bootinfo, RSI = vCPU index (0 = boot vCPU).
 *     Secondary vCPUs must wait for the boot vCPU's initialisation through memory.
 *   - struct pv_bootinfo's memory map says which RAM is usable; the VMM's own areas (boot
 *     structures, paravirtual pages) are listed as PV_MMAP_RESERVED.
 *   - Under QEMU the same image boots through multiboot v1 (the guest then builds its own
 *     pv_bootinfo from the multiboot information, with pv_pages_gpa = 0 and
 *     PV_BI_F_QEMU set, and powers off through isa-debug-exit at port 0xf4).
 *
 * Paravirtual channel (DESIGN.md "Guest paravirtual channel"): one 4 KiB page per vCPU at
 * pv_pages_gpa + vcpu * 4096. The guest produces struct pv_gev records into a
 * single-producer / single-consumer ring in its vCPU's page (no exit per event); the VMM
 * drains the ring whenever it has control (any exit, VMM timer, doorbell). A write to
 * PV_PORT_DOORBELL forces an immediate drain: the guest uses it when the real-time
 * runnable state of its vCPU changes, so the host can boost or unboost at once. Everything
 * the guest writes is untrusted: the VMM validates every index and value.
 *
 * Idle polling (host -> guest): in halt mode `poll` (and `native` where the host does not
 * honour it) the VMM publishes its poll window in idle_poll_us. A guest that knows when it
 * will next have work (its own timer deadline) and finds it inside the window spins until
 * then instead of halting: no HLT exit, no timer interrupt, no trip through its interrupt
 * path, as Linux guests do with cpuidle-haltpoll. The cost is a busy vCPU thread, charged
 * to the VM like any other running time. 0 = halt at once (modes `exit` and honoured
 * `native`); the guest bounds the value itself (PV_IDLE_POLL_MAX_US).
 */
#ifndef PV_VMM_PV_ABI_H
#define PV_VMM_PV_ABI_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#include "tracer/event.h"
#endif

/* ---- I/O ports ------------------------------------------------------------------------ */
#define PV_PORT_COM1		0x3f8	/* 16550 UART console, 8 ports */
#define PV_PORT_I8042_CMD	0x64	/* write 0xfe: reset (reboot) */
#define PV_PORT_QEMU_EXIT	0xf4	/* QEMU isa-debug-exit (only under QEMU) */
#define PV_PORT_BASE		0x5000
#define PV_PORT_DOORBELL	0x5000	/* outl enum pv_doorbell: drain this vCPU's ring now */
#define PV_PORT_EXIT		0x5004	/* outl exit status: power off the VM */
#define PV_PORT_COUNT		8	/* ports PV_PORT_BASE .. +7 belong to the channel */
#define PV_PORT_UNASSIGNED	0x5100	/* never assigned to a device: exit microbenchmarks */

#ifndef __ASSEMBLY__
enum pv_doorbell {
	PV_DOORBELL_DRAIN = 0,		/* ring getting full, or end of run */
	PV_DOORBELL_RT_RUNNABLE,	/* a real-time task became runnable on this vCPU */
	PV_DOORBELL_RT_IDLE,		/* no real-time task is runnable any more */
	PV_DOORBELL_SUMMARY,		/* per-task summaries in the page are final */
	PV_DOORBELL_MAX
};
#endif

/* ---- boot information ------------------------------------------------------------------ */
#define PV_BOOTINFO_MAGIC	0x49425650u	/* "PVBI" */
#define PV_BOOTINFO_VERSION	1u
#define PV_MMAP_MAX		8
#define PV_CMDLINE_MAX		256
#define PV_WORKLOAD_MAX		512

#ifndef __ASSEMBLY__
enum pv_mmap_type {
	PV_MMAP_RAM = 1,
	PV_MMAP_RESERVED = 2,
};

#endif

#define PV_BI_F_QEMU		(1u << 0)	/* booted by QEMU multiboot, no pv-vmm devices */
#define PV_BI_F_TSC_DEADLINE	(1u << 1)	/* LAPIC TSC-deadline mode is available */

#ifndef __ASSEMBLY__
struct pv_mmap_entry {
	uint64_t addr;			/* guest physical */
	uint64_t len;			/* bytes */
	uint32_t type;			/* enum pv_mmap_type */
	uint32_t pad;
};

struct pv_bootinfo {
	uint32_t magic;			/* PV_BOOTINFO_MAGIC */
	uint32_t version;		/* PV_BOOTINFO_VERSION */
	uint32_t nvcpus;
	uint32_t flags;			/* PV_BI_F_* */
	uint64_t tsc_khz;		/* guest TSC frequency */
	uint64_t mem_bytes;		/* guest RAM size */
	uint64_t pv_pages_gpa;		/* first paravirtual page, 0 = none */
	uint64_t duration_ms;		/* power off after this long, 0 = run until the work ends */
	uint32_t nr_mmap;
	uint32_t pad;
	struct pv_mmap_entry mmap[PV_MMAP_MAX];
	char cmdline[PV_CMDLINE_MAX];	/* NUL-terminated */
	char workload[PV_WORKLOAD_MAX];	/* NUL-terminated workload spec, e.g. "rt:period_us=1000,wcet_us=200;cpu" */
};

#endif /* !__ASSEMBLY__ */

/* ---- paravirtual page (one per vCPU) --------------------------------------------------- */
#define PV_GPAGE_MAGIC		0x47505650u	/* "PVPG" */
#define PV_GPAGE_VERSION	1u
#define PV_GPAGE_SIZE		4096u
#define PV_GRING_ORDER		6u		/* 64 records */
#define PV_GRING_SIZE		(1u << PV_GRING_ORDER)

#ifndef __ASSEMBLY__
/* Guest-reported events (guest TSC; the VMM converts to host TSC). */
enum pv_gev_type {
	PV_GEV_NONE = 0,
	PV_GEV_TASK_SWITCH,	/* task = next id, a = prev id, b = PV_TASK_CLASSES(prev, next) */
	PV_GEV_RT_ACTIVATE,	/* task, a = release lateness ns, b = period ns */
	PV_GEV_RT_COMPLETE,	/* task, a = response time ns, b = relative deadline ns */
	PV_GEV_RT_MISS,		/* task, a = lateness past the deadline ns */
	PV_GEV_IDLE_BEGIN,	/* the vCPU is about to halt */
	PV_GEV_IDLE_END,	/* a = halted ns as the guest measured it */
	PV_GEV_MAX
};

struct pv_gev {
	uint64_t tsc;		/* guest TSC at the event */
	uint32_t type;		/* enum pv_gev_type */
	uint32_t task;		/* guest task id (< 2^16), 0 = idle */
	uint64_t a;
	uint64_t b;
};

/* struct pv_task_stats (per-task summary the guest keeps current, final after
 * PV_DOORBELL_SUMMARY) is defined in tracer/event.h: the VMM copies it into shared memory. */

#endif /* !__ASSEMBLY__ */

#define PV_GF_RT_RUNNABLE	(1u << 0)	/* a real-time task is runnable on this vCPU */
#define PV_GF_DONE		(1u << 1)	/* workload finished, summaries final */
#define PV_IDLE_POLL_MAX_US	10000u		/* largest idle_poll_us a guest accepts */

#ifndef __ASSEMBLY__
struct pv_gpage {
	uint32_t magic;			/* PV_GPAGE_MAGIC, written by the VMM */
	uint32_t version;		/* PV_GPAGE_VERSION, written by the VMM */
	uint32_t vcpu;			/* written by the VMM */
	uint32_t ring_order;		/* PV_GRING_ORDER, written by the VMM */
	volatile uint32_t head;		/* guest: next record to write (free-running) */
	volatile uint32_t tail;		/* VMM: next record to read (free-running) */
	volatile uint32_t dropped;	/* guest: records lost because the ring was full */
	volatile uint32_t flags;	/* guest: PV_GF_* */
	volatile uint32_t idle_poll_us;	/* VMM: spin instead of halting for idle periods up to
					 * this long (0 = always halt); see "Idle polling" above */
	uint32_t pad;
	uint64_t reserved[3];
	struct pv_task_stats tasks[PV_GUEST_MAX_TASKS];
	struct pv_gev ring[PV_GRING_SIZE];
};

_Static_assert(sizeof(struct pv_gev) == 32, "guest event is 32 bytes");
_Static_assert(sizeof(struct pv_gpage) <= PV_GPAGE_SIZE, "pv page fits 4 KiB");
#endif

#endif /* PV_VMM_PV_ABI_H */
