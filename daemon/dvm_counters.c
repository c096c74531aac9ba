// SPDX-License-Identifier: GPL-2.0-only
/*
 * A VM's counters as its VMM reports them in shared memory: untrusted, so values never
 * move backwards, indexes are range-checked, and the guest's task summaries are taken only
 * when the VMM's sequence count says the copy is consistent. Figures survive VMM restarts
 * (a base of what earlier VMMs of the VM counted).
 */
#include <string.h>

#include "daemon/dvm.h"

void dvm_vcpu_total(const struct dvm *vm, uint32_t v, struct dvm_vcpu_ctr *out)
{
	const struct dvm_vcpu *c = &vm->vcpu[v];

	out->guest_ns = c->base.guest_ns + c->cur.guest_ns;
	out->vmm_ns = c->base.vmm_ns + c->cur.vmm_ns;
	out->halt_ns = c->base.halt_ns + c->cur.halt_ns;
	out->migrations = c->base.migrations + c->cur.migrations;
	out->exits = c->base.exits + c->cur.exits;
}

void dvm_acct_total(const struct dvm *vm, struct pv_acct_stats *out)
{
	*out = vm->acct_base;
	if (vm->attached) {
		static struct pv_acct_stats cur;	/* loop thread only */

		pv_acct_vm(vm->acct, PV_ACCT_TOTAL, &cur);
		pv_acct_stats_add(out, &cur);
	}
}

/* Read a vCPU's counters from the (untrusted) region: a value never moves backwards. */
static void read_counters(struct dvm *vm, uint32_t v)
{
	const struct pv_vcpu_counters *c = pv_shm_vcpu(&vm->shm, v);
	struct dvm_vcpu *vc = &vm->vcpu[v];
	uint64_t x, exits = 0;
	unsigned int r;

#define TAKE(field, src)						\
	do {								\
		x = atomic_load_explicit(src, memory_order_relaxed);	\
		if (x >= vc->cur.field)					\
			vc->cur.field = x;				\
	} while (0)
	TAKE(guest_ns, &c->guest_ns);
	TAKE(vmm_ns, &c->vmm_ns);
	TAKE(halt_ns, &c->halt_ns);
	TAKE(migrations, &c->migrations);
#undef TAKE
	for (r = 0; r < PV_EXIT_MAX; r++)
		exits += atomic_load_explicit(&c->exits[r], memory_order_relaxed);
	if (exits >= vc->cur.exits)
		vc->cur.exits = exits;
	x = atomic_load_explicit(&c->run_state, memory_order_relaxed);
	vc->run_state = x < PV_VCPU_STATE_MAX ? (uint32_t)x : PV_VCPU_STOPPED;
	vc->rt_runnable = atomic_load_explicit(&c->rt_runnable, memory_order_relaxed) == 1;
}

/*
 * The guest's per-task summaries, copied by the VMM under a sequence count (odd while it
 * writes): take a copy only when the count was even and unchanged around it, and keep
 * only entries that make sense.
 */
static void read_tasks(struct dvm *vm, uint32_t v)
{
	const struct pv_vcpu_counters *c = pv_shm_vcpu(&vm->shm, v);
	struct pv_task_stats copy[PV_GUEST_MAX_TASKS];
	uint64_t s1 = atomic_load_explicit(&c->seq, memory_order_acquire), s2;
	unsigned int i;

	if (s1 & 1)
		return;
	memcpy(copy, (const void *)c->tasks, sizeof(copy));
	atomic_thread_fence(memory_order_acquire);
	s2 = atomic_load_explicit(&c->seq, memory_order_relaxed);
	if (s1 != s2)
		return;
	for (i = 0; i < PV_GUEST_MAX_TASKS; i++)
		if (copy[i].id >= (1u << 16) || copy[i].cls >= PV_TASK_CLASS_MAX)
			memset(&copy[i], 0, sizeof(copy[i]));
	memcpy(vm->vcpu[v].tasks, copy, sizeof(copy));
}

void dvm_read_vcpu(struct dvm *vm, uint32_t v)
{
	read_counters(vm, v);
	read_tasks(vm, v);
}
