/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The per-VM shared region: one memfd holding a versioned header, one trace ring per
 * producer thread, counter pages and one consumer page.
 *
 *   offset 0            struct pv_shm_hdr (one page)
 *   vcpu_ctr_off        nvcpus x struct pv_vcpu_counters      (producer writes)
 *   dev_ctr_off         ndevs  x struct pv_dev_counters       (producer writes)
 *   vm_ctr_off          struct pv_vm_counters                 (producer writes)
 *   rings_off           nrings x ring (pv_ring_bytes(ring_order), page-aligned stride)
 *   cons_off            nrings x struct pv_ring_cons          (consumer writes; own pages)
 *
 * Rings 0 .. nvcpus-1 carry vCPU i's transitions as its VMM thread sees them (exits,
 * entries, halts, timers, migrations); rings nvcpus .. 2*nvcpus-1 carry what vCPU i's guest
 * reported through the paravirtual page (task switches, RT events, guest idle), drained by
 * the same thread but later than they happened, hence a ring of their own so that time
 * never goes backwards within a ring. The remaining rings belong to device / event threads. The VMM (producer) creates and maps everything read-write. The daemon
 * (consumer) maps [0, cons_off) read-only and the consumer pages read-write, and validates
 * every header field against the memfd's real size before touching anything: the producer
 * is less trusted than the consumer. All counters are single-writer 64-bit values (relaxed
 * atomics; plain moves on x86-64) and may be torn only in their meaning, never in their bits.
 */
#ifndef PV_TRACER_SHM_H
#define PV_TRACER_SHM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "tracer/event.h"
#include "tracer/ring.h"

#define PV_SHM_MAGIC		0x4d534850u	/* "PHSM" */
#define PV_SHM_VERSION_MAJOR	1u		/* incompatible layout changes */
#define PV_SHM_VERSION_MINOR	1u		/* compatible additions (1: budget counters) */
#define PV_SHM_PAGE		4096u
#define PV_SHM_MAX_DEVS		16u
#define PV_SHM_MAX_RINGS	(2 * PV_MAX_VCPUS + PV_SHM_MAX_DEVS)
#define PV_RING_GUEST_FLAG	0x10000u	/* ring header producer: guest ring of vCPU */
#define PV_SHM_NAME_MAX		32u

enum pv_vcpu_run_state {
	PV_VCPU_CREATED = 0,
	PV_VCPU_RUNNING,
	PV_VCPU_PAUSED,
	PV_VCPU_STOPPED,
	PV_VCPU_STATE_MAX
};

enum pv_vm_state {
	PV_VM_STARTING = 0,
	PV_VM_RUNNING,
	PV_VM_PAUSED,
	PV_VM_STOPPED,		/* ended; end_reason says why */
	PV_VM_STATE_MAX
};

enum pv_vm_end_reason {
	PV_END_NONE = 0,
	PV_END_POWEROFF,	/* guest powered off; end_status is its status */
	PV_END_RESET,		/* guest asked for a reset (i8042) */
	PV_END_TRIPLE_FAULT,	/* KVM_EXIT_SHUTDOWN */
	PV_END_EMULATION,	/* KVM_EXIT_INTERNAL_ERROR */
	PV_END_ENTRY_FAILED,	/* KVM_EXIT_FAIL_ENTRY */
	PV_END_KVM_ERROR,	/* KVM_RUN failed persistently; end_status = errno */
	PV_END_DURATION,	/* --duration-ms elapsed */
	PV_END_SHUTDOWN,	/* control request */
	PV_END_EXIT_FLOOD,	/* guest exceeded the exit-rate limit */
	PV_END_UNKNOWN_EXIT,	/* an exit the VMM cannot handle */
	PV_END_REASON_MAX
};

/* Per vCPU, written by that vCPU's thread. */
struct pv_vcpu_counters {
	_Atomic uint64_t exits[PV_EXIT_MAX];	/* by enum pv_exit_reason */
	_Atomic uint64_t guest_ns;		/* in KVM_RUN, not halted */
	_Atomic uint64_t vmm_ns;		/* back in the VMM between exits */
	_Atomic uint64_t halt_ns;		/* halted (blocked or polling in the host) */
	_Atomic uint64_t halt_poll_ns;		/* of which spent polling */
	_Atomic uint64_t migrations;		/* moves to another physical CPU */
	_Atomic uint64_t timer_fires;		/* VMM timer expirations handled */
	_Atomic uint64_t timer_overruns;	/* expirations missed (timer_getoverrun) */
	_Atomic uint64_t tid;			/* host thread id of the vCPU thread */
	_Atomic uint64_t pcpu;			/* last physical CPU seen */
	_Atomic uint64_t run_state;		/* enum pv_vcpu_run_state */
	_Atomic uint64_t halt_mode;		/* enum pv_halt_mode in effect */
	_Atomic uint64_t guest_events;		/* paravirtual records accepted */
	_Atomic uint64_t guest_rejects;		/* paravirtual records rejected */
	_Atomic uint64_t guest_drops;		/* reported dropped by the guest */
	_Atomic uint64_t rt_runnable;		/* 1 while the guest says an RT task is runnable */
	_Atomic uint64_t seq;			/* bumped after tasks[] is updated */
	struct pv_task_stats tasks[PV_GUEST_MAX_TASKS];	/* validated copy of the guest's */
	/* minor 1: VMM-timer budget enforcement (vmm/budget.c) */
	_Atomic uint64_t throttles;		/* periods in which the budget ran out */
	_Atomic uint64_t throttled_ns;		/* asleep waiting for the next period */
	_Atomic uint64_t throttled;		/* 1 while asleep out of budget */
};

/* Per emulated device, written by the thread that emulates it. */
struct pv_dev_counters {
	char name[16];				/* NUL-terminated */
	_Atomic uint64_t reads;
	_Atomic uint64_t writes;
	_Atomic uint64_t bytes;
	_Atomic uint64_t busy_ns;		/* time spent emulating */
	_Atomic uint64_t last_use_tsc;
	_Atomic uint64_t power_state;		/* 0 = on; higher = lower power (modelled) */
};

/* Whole VM, written by the VMM's control side. */
struct pv_vm_counters {
	_Atomic uint64_t state;			/* enum pv_vm_state */
	_Atomic uint64_t end_reason;		/* enum pv_vm_end_reason */
	_Atomic uint64_t end_status;		/* guest exit status or errno */
	_Atomic uint64_t start_tsc;
	_Atomic uint64_t heartbeat_tsc;		/* updated by the event thread ~every 100 ms */
	_Atomic uint64_t halt_mode_requested;	/* enum pv_halt_mode */
	_Atomic uint64_t halt_mode_honoured;	/* what the host really does */
	_Atomic uint64_t unhandled_pio;		/* accesses to unassigned ports */
	_Atomic uint64_t unhandled_mmio;	/* accesses to unassigned MMIO */
};

struct pv_shm_hdr {
	uint32_t magic;			/* PV_SHM_MAGIC */
	uint16_t version_major;		/* PV_SHM_VERSION_MAJOR */
	uint16_t version_minor;
	uint32_t hdr_size;		/* sizeof(struct pv_shm_hdr) of the writer */
	uint32_t page_size;		/* PV_SHM_PAGE */
	uint64_t total_size;		/* bytes in the memfd */
	uint32_t nvcpus;
	uint32_t ndevs;
	uint32_t nrings;		/* 2 * nvcpus + device/event threads */
	uint32_t ring_order;		/* log2 records per ring */
	uint32_t rec_size;		/* sizeof(struct pv_rec) */
	uint32_t vmm_pid;
	uint64_t vcpu_ctr_off;
	uint64_t vcpu_ctr_stride;	/* >= sizeof(struct pv_vcpu_counters) */
	uint64_t dev_ctr_off;
	uint64_t dev_ctr_stride;
	uint64_t vm_ctr_off;
	uint64_t rings_off;
	uint64_t ring_stride;		/* page-aligned pv_ring_bytes(ring_order) */
	uint64_t cons_off;		/* page-aligned; consumer-writable from here to the end */
	uint64_t tsc_khz;		/* host TSC frequency the producer stamps with */
	int64_t guest_tsc_offset;	/* guest TSC = host TSC + offset */
	char vm_name[PV_SHM_NAME_MAX];	/* NUL-terminated */
};

/* A mapped region, either side. */
struct pv_shm {
	int fd;				/* the memfd */
	bool producer;			/* created here (one mapping) or attached (two) */
	void *base;			/* [0, cons_off): rw for the producer, ro for the consumer */
	size_t size;
	struct pv_ring_cons *cons;	/* consumer page(s), rw on both sides' mappings */
	size_t cons_size;
	struct pv_shm_hdr hdr;		/* consumer: validated private copy; producer: mirror */
};

struct pv_shm_params {
	const char *vm_name;
	uint32_t nvcpus;		/* 1 .. PV_MAX_VCPUS */
	uint32_t ndevs;			/* 0 .. PV_SHM_MAX_DEVS */
	uint32_t nextra_rings;		/* device / event thread rings */
	uint32_t ring_order;		/* PV_RING_MIN_ORDER .. PV_RING_MAX_ORDER */
	uint64_t tsc_khz;
};

/* Producer: create the memfd, lay everything out, map it read-write. */
int pv_shm_create(struct pv_shm *shm, const struct pv_shm_params *params);
/*
 * Producer: the same in a memfd @fd handed in by the caller (e.g. created by the daemon
 * before it started the VMM, so that both hold it). @fd must be an empty memfd created
 * with MFD_ALLOW_SEALING and not yet sealed: it is sized and sealed exactly as
 * pv_shm_create does (-EINVAL when it is not a sealable file, -EBUSY when not empty,
 * -EPERM when it carries seals, as a memfd created without MFD_ALLOW_SEALING does).
 * Takes ownership of @fd on success only.
 */
int pv_shm_create_fd(struct pv_shm *shm, int fd, const struct pv_shm_params *params);
/*
 * Consumer: validate the header of @fd against its real size and map it (read-only except
 * the consumer pages). Takes ownership of @fd on success. -EINVAL / -EPROTO on a bad or
 * incompatible header, -errno on system errors.
 */
int pv_shm_attach(struct pv_shm *shm, int fd);
void pv_shm_close(struct pv_shm *shm);

/* Accessors; NULL when the index is out of range (checked against the validated header). */
void *pv_shm_ring(const struct pv_shm *shm, uint32_t i);
struct pv_vcpu_counters *pv_shm_vcpu(const struct pv_shm *shm, uint32_t vcpu);
struct pv_dev_counters *pv_shm_dev(const struct pv_shm *shm, uint32_t dev);
struct pv_vm_counters *pv_shm_vm(const struct pv_shm *shm);

/* Ring indexes. */
static inline uint32_t pv_shm_vcpu_ring(uint32_t vcpu) { return vcpu; }
static inline uint32_t pv_shm_guest_ring(const struct pv_shm *shm, uint32_t vcpu)
{
	return shm->hdr.nvcpus + vcpu;
}
static inline uint32_t pv_shm_extra_ring(const struct pv_shm *shm, uint32_t i)
{
	return 2 * shm->hdr.nvcpus + i;
}

/* Producer: attach a producer handle to ring @i. */
int pv_shm_producer(const struct pv_shm *shm, uint32_t i, struct pv_ring_prod *p);
/* Consumer: attach a reader to ring @i. */
int pv_shm_reader(const struct pv_shm *shm, uint32_t i, struct pv_ring_reader *rd);

#endif /* PV_TRACER_SHM_H */
