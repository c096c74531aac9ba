/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Transition event taxonomy and the fixed-size trace record.
 *
 * Every transition between schedulable entities that Powervisor observes is one 32-byte
 * record stamped with the host TSC. Records are written by a VMM (vCPU and device threads)
 * or by the daemon (its own decisions) and read by consumers that validate every field
 * (tracer/consume.c): a record is untrusted input.
 *
 * Field use per type (a, b, c are the payload words; "vcpu" is the vCPU index for VM
 * events and the physical CPU for node decision events):
 *
 *   type                 vcpu   a                         b                        c
 *   VM_EXIT              vcpu   enum pv_exit_reason       qualifier (port/gpa/..)  data or errno
 *   VM_ENTRY             vcpu   0                         0                        0
 *   HALT_BEGIN           vcpu   enum pv_halt_mode         0                        0
 *   HALT_END             vcpu   enum pv_halt_mode         halted ns                0
 *   MIGRATE              vcpu   new pCPU                  old pCPU                 0
 *   TIMER_FIRE           vcpu   timer overrun count       guest RIP                guest CR3
 *   TASK_SWITCH          vcpu   PV_TASK_CLASSES(prev,next) prev task id            next task id
 *   RT_ACTIVATE          vcpu   task id                   release lateness ns      period ns
 *   RT_COMPLETE          vcpu   task id                   response time ns         deadline ns
 *   RT_MISS              vcpu   task id                   lateness past deadline ns 0
 *   DEV_IO               vcpu   PV_DEV_OP(dev, op)        bytes                    latency ns
 *   IRQ_INJECT           vcpu   irq line                  enum pv_irq_path         0
 *   PSTATE               cpu    0                         new freq kHz             old freq kHz
 *   CSTATE_LIMIT         cpu    0                         deepest allowed index    old limit
 *   QOS_CHANGE           vcpu   vm id                     enum pv_qos_class        old class
 *   RESERVATION          vcpu   vm id                     runtime ns               period ns
 *   DEVPOWER             -      device id                 new power state          old state
 *   THROTTLE             vcpu   vm id                     budget overrun ns        period ns
 */
#ifndef PV_TRACER_EVENT_H
#define PV_TRACER_EVENT_H

#include <stdint.h>
#include <stddef.h>

enum pv_ev_type {
	PV_EV_NONE = 0,		/* never valid in a ring: catches zeroed memory */
	PV_EV_VM_EXIT,
	PV_EV_VM_ENTRY,
	PV_EV_HALT_BEGIN,
	PV_EV_HALT_END,
	PV_EV_MIGRATE,
	PV_EV_TIMER_FIRE,
	PV_EV_TASK_SWITCH,
	PV_EV_RT_ACTIVATE,
	PV_EV_RT_COMPLETE,
	PV_EV_RT_MISS,
	PV_EV_DEV_IO,
	PV_EV_IRQ_INJECT,
	PV_EV_PSTATE,
	PV_EV_CSTATE_LIMIT,
	PV_EV_QOS_CHANGE,
	PV_EV_RESERVATION,
	PV_EV_DEVPOWER,
	PV_EV_THROTTLE,
	PV_EV_MAX
};

/* Why the vCPU came back to the VMM (KVM exit reasons folded into what policy cares about). */
enum pv_exit_reason {
	PV_EXIT_PIO = 0,	/* b = port | size << 16 | dir << 24 (1 = out) */
	PV_EXIT_MMIO,		/* b = guest physical address, c = len | is_write << 8 */
	PV_EXIT_HLT,		/* HLT handled in userspace (no in-kernel irqchip) */
	PV_EXIT_INTR,		/* KVM_RUN returned -EINTR: a signal (VMM timer, control) */
	PV_EXIT_PV_CALL,	/* paravirtual channel doorbell */
	PV_EXIT_SHUTDOWN,	/* triple fault / reset */
	PV_EXIT_SYSTEM_EVENT,	/* guest requested power-off / reset */
	PV_EXIT_INTERNAL_ERROR,	/* emulation failure and friends; c = suberror */
	PV_EXIT_FAIL_ENTRY,	/* hardware entry failure */
	PV_EXIT_IRQ_WINDOW,
	PV_EXIT_ERROR,		/* KVM_RUN failed; c = errno */
	PV_EXIT_OTHER,		/* any other KVM exit reason; c = raw reason */
	PV_EXIT_MAX
};

enum pv_halt_mode {
	PV_HALT_EXIT = 0,	/* HLT goes to the host: vCPU thread blocks, deep idle possible */
	PV_HALT_POLL,		/* host polls for a bounded time before blocking */
	PV_HALT_NATIVE,		/* HLT executes in the guest (exits disabled) */
	PV_HALT_GUEST,		/* reported by the guest itself (paravirtual idle notification) */
	PV_HALT_MODE_MAX
};

enum pv_task_class {
	PV_TASK_IDLE = 0,
	PV_TASK_BE,		/* best effort */
	PV_TASK_RT,		/* real time */
	PV_TASK_CLASS_MAX
};
#define PV_TASK_CLASSES(prev, next)	((uint32_t)(prev) | (uint32_t)(next) << 8)
#define PV_TASK_PREV_CLASS(a)		((a) & 0xff)
#define PV_TASK_NEXT_CLASS(a)		(((a) >> 8) & 0xff)

enum pv_dev_op {
	PV_DEV_OP_READ = 0,
	PV_DEV_OP_WRITE,
	PV_DEV_OP_MAX
};
#define PV_DEV_OP(dev, op)	((uint32_t)(dev) | (uint32_t)(op) << 16)
#define PV_DEV_OP_DEV(a)	((a) & 0xffff)
#define PV_DEV_OP_OP(a)		((a) >> 16)

enum pv_irq_path {
	PV_IRQ_DIRECT = 0,	/* belongs to one guest: delivered in-kernel (irqfd) */
	PV_IRQ_TRAPPED,		/* shared: trapped by the VMM and fanned out */
	PV_IRQ_PATH_MAX
};

enum pv_qos_class {
	PV_QOS_BEST_EFFORT = 0,
	PV_QOS_LATENCY_SENSITIVE,
	PV_QOS_REALTIME,
	PV_QOS_PARTITION,
	PV_QOS_CLASS_MAX
};

#define PV_VCPU_NONE	0xffffu		/* record not tied to a vCPU (device thread, VM) */
#define PV_MAX_VCPUS	256u		/* per VM */
#define PV_MAX_CPUS	4096u		/* physical CPUs */
#define PV_MAX_LATENCY_NS	(60ull * 1000000000ull)	/* anything longer is corrupt */

/* One transition. 32 bytes, naturally aligned, little-endian host layout. */
struct pv_rec {
	uint64_t tsc;		/* host TSC at the transition */
	uint16_t type;		/* enum pv_ev_type */
	uint16_t vcpu;		/* vCPU index, physical CPU (decisions) or PV_VCPU_NONE */
	uint32_t a;		/* payload, see the table above */
	uint64_t b;
	uint64_t c;
};
_Static_assert(sizeof(struct pv_rec) == 32, "trace records are 32 bytes");

#define PV_GUEST_MAX_TASKS	8u	/* tasks a guest summarises per vCPU */
#define PV_LAT_BUCKETS		16u	/* log2 buckets of microseconds: [0,1), [1,2), [2,4) … */

/* Per-task summary the guest keeps current (kept current by a cooperating guest, see vmm/pv_abi.h). */
struct pv_task_stats {
	uint32_t id;		/* 0 = slot unused */
	uint32_t cls;		/* enum pv_task_class (tracer/event.h) */
	uint64_t activations;
	uint64_t completions;
	uint64_t misses;
	uint64_t progress;	/* work units done (loop iterations, bursts, exits) */
	uint32_t lat_min_us;	/* release lateness */
	uint32_t lat_max_us;
	uint32_t lat_p50_us;
	uint32_t lat_p99_us;
	uint32_t lat_hist[PV_LAT_BUCKETS];	/* release lateness, log2 µs buckets */
};

/* Names for exporters, logs and metrics labels (tracer/event.c). */
const char *pv_ev_name(unsigned int type);
const char *pv_exit_reason_name(unsigned int reason);
const char *pv_halt_mode_name(unsigned int mode);
const char *pv_task_class_name(unsigned int cls);
const char *pv_irq_path_name(unsigned int path);
const char *pv_qos_class_name(unsigned int cls);
/* Reverse lookups: 0 and the value, or -EINVAL for an unknown name. */
int pv_ev_parse(const char *name);	/* a PV_EV_* of pv_ev_name; "none" is -EINVAL too */
int pv_halt_mode_parse(const char *name);
int pv_qos_class_parse(const char *name);

#endif /* PV_TRACER_EVENT_H */
