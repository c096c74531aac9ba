/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One virtual machine: KVM VM, guest RAM, shared trace region, buses, devices, vCPUs.
 * Run states are changed only by the control side (vm_pause / vm_resume / vm_end); the
 * vCPU threads obey at their next return from KVM_RUN (a kick signal forces one).
 */
#ifndef PV_VMM_VM_H
#define PV_VMM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/kvm.h>

#include "tracer/ring.h"
#include "tracer/shm.h"
#include "vmm/budget.h"
#include "vmm/config.h"
#include "vmm/exit.h"
#include "vmm/halt.h"
#include "vmm/iobus.h"
#include "vmm/loader.h"
#include "vmm/mem.h"
#include "vmm/pvchan.h"
#include "vmm/timer.h"

#define VM_MAX_DEVS		8
#define VM_ERR_MAX		256

struct vm;

struct vcpu {
	struct vm *vm;
	uint32_t idx;
	int fd;				/* KVM vCPU fd */
	struct kvm_run *run;		/* mmap of the vCPU's kvm_run */
	pthread_t thread;
	bool thread_started;
	_Atomic pid_t tid;		/* host thread id (0 until the thread runs) */
	_Atomic int req_state;		/* enum pv_vcpu_run_state asked by the control side */
	struct pv_ring_prod ring;	/* transitions ring */
	struct pv_ring_prod gring;	/* guest-event ring */
	struct pv_vcpu_counters *vc;
	struct exit_ctx ectx;
	struct halt_stats hs;		/* vCPU thread's stats reader */
	struct halt_stats hs_ctl;	/* event thread's stats reader */
	struct halt_sample hlast;	/* last sample the vCPU thread used */
	_Atomic uint64_t halt_exits;	/* halt_exits as last seen (for honoured detection) */
	struct vmm_timer timer;
	struct budget budget;		/* runtime per period, enforced by the budget timer */
	uint64_t last_guest_ns;		/* guest (not halted) ns of the last run interval */
	bool last_hlt;			/* the last run interval may have executed HLT */
	bool halted_at_exit;		/* found halted after the last exit (budget probe) */
	bool prev_halted_at_exit;	/* ... after the exit before it */
	struct pvchan pv;
	int64_t tsc_offset;		/* guest TSC = host TSC + offset */
	int last_cpu;
	uint64_t first_run_cpu_ns;	/* process CPU time at this vCPU's first KVM_RUN */
	/* exit-rate limiting (vCPU thread only) */
	uint64_t win_start_tsc, win_exits, flood_ms_run, flood_throttled_ns;
	uint32_t eagain_run;
	bool setup_done;		/* thread prepared (tid, timer), under vm->lock */
	int setup_err;
};

struct vm {
	const struct vmm_config *cfg;
	int kvm_fd, vm_fd;
	struct mem mem;
	struct loader_layout layout;
	struct pv_shm shm;
	struct pv_vm_counters *vmc;
	struct pv_ring_prod evring;	/* event-thread ring (extra ring 0) */
	struct iobus pio, mmio;
	struct dev *devs[VM_MAX_DEVS];
	unsigned int ndevs;
	struct vcpu *vcpus;
	uint32_t nvcpus;
	size_t run_size;
	struct kvm_cpuid2 *cpuid;
	uint64_t tsc_khz;
	uint64_t ns_mult;		/* tsc -> ns */
	uint64_t entry, boot_rdi;	/* first instruction, RDI for every vCPU */
	bool rsi_is_index;		/* ELF: RSI = vCPU index; bzImage: RSI = boot_params */
	bool irqchip;
	bool native_enabled;		/* DISABLE_EXITS(HLT) accepted at creation */
	bool is_linux;
	uint64_t pv_pages_gpa;
	_Atomic int halt_mode;		/* requested, enum pv_halt_mode */
	_Atomic uint64_t poll_ns;
	_Atomic int ending;		/* set once by vm_end */
	int notify_fd;			/* eventfd: end / state change -> event thread */
	pthread_mutex_t lock;		/* pause/resume condition */
	pthread_cond_t cond;
	bool go;			/* vCPU threads may enter the guest */
	uint64_t start_tsc;
	uint64_t exec_ns;		/* CLOCK_MONOTONIC at main() entry */
	_Atomic uint64_t startup_cpu_ns;/* process CPU time at the first KVM_RUN */
	struct dev *console;
};

/* Build the VM: KVM objects, memory, devices, image, vCPUs (no threads yet). */
int vm_create(struct vm *vm, const struct vmm_config *cfg, char *err, size_t errlen);
/* Start the vCPU threads; they prepare themselves (tid, timer) and wait for vm_start. */
int vm_spawn(struct vm *vm);
/* Wait until every vCPU thread is prepared, arm --timer-us, let them enter the guest. */
void vm_start(struct vm *vm);
/* End the VM (first caller wins); kicks every vCPU. Safe from any thread. */
void vm_end(struct vm *vm, uint32_t reason, uint64_t status);
static inline bool vm_ended(const struct vm *vm)
{
	return atomic_load_explicit(&vm->ending, memory_order_acquire);
}
int vm_pause(struct vm *vm);
int vm_resume(struct vm *vm);
/* Change the halt mode at run time; -EOPNOTSUPP when KVM cannot. */
int vm_set_halt_mode(struct vm *vm, int mode, uint64_t poll_ns);
int vm_set_timer(struct vm *vm, uint32_t vcpu, uint64_t period_us, uint64_t deadline_us);
/* Budget @runtime_us per @period_us on vCPU @vcpu (runtime 0 = off); -ENOENT, -EINVAL. */
int vm_set_budget(struct vm *vm, uint32_t vcpu, uint64_t runtime_us, uint64_t period_us);
/* Event thread heartbeat: heartbeat_tsc, DEV_IO batches, halt-honoured detection. */
void vm_tick(struct vm *vm);
/* Wait for every vCPU thread to stop (after vm_end). */
void vm_join(struct vm *vm);
void vm_destroy(struct vm *vm);
/* Register device @d on the PIO bus at [@port, +@nports) with shm counters. */
int vm_add_dev(struct vm *vm, struct dev *d, uint16_t port, uint16_t nports);
/* Wake the event thread (state change). */
void vm_notify(struct vm *vm);
uint64_t vm_tsc_to_ns(const struct vm *vm, uint64_t tsc);

#endif /* PV_VMM_VM_H */
