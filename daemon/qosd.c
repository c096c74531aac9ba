// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daemon's QoS driver.
 *
 * Design note — what each class gets, and when:
 *   best-effort        floats over the shared CPUs, normal scheduling, no constraints.
 *   latency-sensitive  a dedicated CPU per vCPU (qos/cpuplan.c), halt polling in the VMM
 *                      (bounded poll time: native HLT is only used where the host honours
 *                      it, which the VMM detects and reports), a wake-latency budget on
 *                      those CPUs (→ C-state limit through powermgr's clamp: deepest state
 *                      whose exit latency fits) and a frequency floor at the base P-state.
 *   realtime           its vCPUs planned on a shared CPU (worst fit by reserved bandwidth),
 *                      a frequency floor and a wake-latency budget there (its own, else its
 *                      reservation's slack: deadline - runtime), and a reservation (runtime, deadline,
 *                      period) admitted per CPU with the measured overheads (qos/admit.c)
 *                      and applied to the vCPU thread through the probed mechanism
 *                      (qos/resv.c: SCHED_DEADLINE, else SCHED_FIFO + VMM-timer budget)
 *                      only while the guest reports runnable real-time work (transition-
 *                      driven boosting, qos/boost.c and qosd_boost.c; inferred from
 *                      VMM-timer-sampled wake-ups for guests that report nothing; a
 *                      deadline reservation that delivers no progress falls back to the
 *                      budget mechanism for that VM) and never before the vCPU's first
 *                      guest entry (SCHED_DEADLINE quirk, ENVIRONMENT.md). With the `budget`
 *                      mechanism the vCPU is pinned to its planned CPU; SCHED_DEADLINE refuses
 *                      threads whose affinity is narrower than their root domain (EPERM), so
 *                      with `deadline` the vCPU floats over the shared CPUs and the kernel's
 *                      global EDF places it — the per-CPU admission (a worst-fit partition
 *                      that fits exists) is then a sufficient bound, and the kernel's own
 *                      admission runs too.
 *   partition          dedicated CPUs, SCHED_FIFO on the vCPU threads, halt polling and the
 *                      latency constraints of latency-sensitive.
 * A change is admitted first (CPU plan, then per-CPU EDF admission with overheads); a
 * refused change leaves everything as it was. An admitted change is applied at once on the
 * loop thread — affinity, scheduling, constraints, halt mode — so "request → applied" is
 * the command's own latency (measured by the command queue, and per change here), well
 * inside one tick; boosting then follows the guest's reports every tick. Every change is
 * traced: QOS_CHANGE, RESERVATION, THROTTLE records in the daemon's event stream.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "daemon/qosd.h"
#include "daemon/qosd_priv.h"
#include "qos/admit.h"
#include "tracer/tsc.h"

#define DEF_LS_LATENCY_US	20u	/* wake-latency budget when none is given */
#define DEF_LS_POLL_NS		2000000u	/* halt polling for latency-sensitive VMs: covers idle
					 * periods up to 2 ms (p50 wake ≈ 20 µs here, ENVIRONMENT.md),
					 * paid for with a spinning CPU the model charges as C0 */
#define DEF_ACT_OVERHEAD_NS	20000u	/* per activation before any is measured (IRQ + wake) */
#define DEF_BUDGET_SLACK_NS	130000u	/* VMM-timer lateness p99 on the build hosts */
#define PARTITION_FIFO_PRIO	50

const struct resv_ops *qosd_vm_resv(const struct daemon *d, const struct dvm *vm)
{
	return vm->qos.resv ? vm->qos.resv : d->resv;
}

void qosd_emit(struct daemon *d, uint16_t type, uint32_t vcpu, const struct dvm *vm,
		 uint64_t b, uint64_t c)
{
	struct pv_rec rec = { .tsc = pv_rdtsc(), .type = type, .vcpu = (uint16_t)vcpu,
			      .a = vm->slot, .b = b, .c = c };

	tracebuf_append(&d->trace, vm->slot, UINT32_MAX, &rec, 1);
}

static bool is_dedicated(enum pv_qos_class c)
{
	return c == PV_QOS_LATENCY_SENSITIVE || c == PV_QOS_PARTITION;
}

/* ---- admission --------------------------------------------------------------------- */

/* The VM's measured overheads, or conservative defaults before it has run. */
void qosd_measured_overhead(const struct dvm *vm, const struct resv_ops *ops,
			    struct admit_overhead *o)
{
	struct pv_acct_stats st;
	uint64_t exits = 0, lat_ns = 0;
	unsigned int r;

	memset(o, 0, sizeof(*o));
	o->act_overhead_ns = DEF_ACT_OVERHEAD_NS;
	o->enforce_slack_ns = ops && ops->needs_enforce_slack ? DEF_BUDGET_SLACK_NS : 0;
	dvm_acct_total(vm, &st);
	for (r = 0; r < PV_EXIT_MAX; r++) {
		exits += st.exits[r];
		lat_ns += st.exit_lat[r].sum_ns;
	}
	if (exits && st.guest_ns > 1000000000ull) {
		o->exit_rate_per_s = exits * 1000000000ull / st.guest_ns;
		o->exit_cost_ns = lat_ns / exits;
	}
	if (st.rt_activations > 100 && st.vmm_ns)	/* VMM time per activation */
		o->act_overhead_ns = st.vmm_ns / st.rt_activations + o->exit_cost_ns;
}

/*
 * Admit every realtime vCPU planned on @cpu: vCPUs of VMs in no group are leaves at the
 * CPU level; a group is one node at the CPU level (its own reservation) whose children are
 * its members' vCPUs, admitted within the group's supply (qos/admit.c, at every level).
 */
static int admit_cpu(struct daemon *d, unsigned int cpu, const struct cpuplan_vm *pv,
		     unsigned int n, char *reason)
{
	enum { MAX_LEAVES = CFG_MAX_VMS * 2 };
	static struct admit_node leaves[MAX_LEAVES], groups[CFG_MAX_GROUPS];
	static struct admit_node *top[MAX_LEAVES + CFG_MAX_GROUPS];
	static struct admit_node *kids[CFG_MAX_GROUPS][MAX_LEAVES];
	struct admit_supply sup = admit_cpu_supply(DEF_ADMIT_ALPHA_PPM);
	const struct cfg_node *node = &d->cfg.node;
	unsigned int i, v, g, nl = 0, nt = 0, nkids[CFG_MAX_GROUPS] = { 0 };
	struct admit_result res;

	for (i = 0; i < n; i++) {
		const struct dvm *vm = d->vms[i];
		const struct cfg_reservation *r;
		const struct cfg_group *grp;

		if (!vm || pv[i].cls != PV_QOS_REALTIME)
			continue;
		r = &vm->cfg.reservation;
		grp = vm->cfg.group[0] ? cfg_find_group(node, vm->cfg.group) : NULL;
		for (v = 0; v < pv[i].nvcpus && nl < MAX_LEAVES; v++) {
			struct admit_node *leaf = &leaves[nl++];

			if (pv[i].cpu[v] != (int)cpu)
				continue;
			memset(leaf, 0, sizeof(*leaf));
			leaf->name = vm->cfg.name;
			leaf->task.runtime_ns = r->runtime_us * 1000;
			leaf->task.period_ns = r->period_us * 1000;
			leaf->task.deadline_ns = r->deadline_us * 1000;
			qosd_measured_overhead(vm, qosd_vm_resv(d, vm), &leaf->task.ovh);
			if (!grp) {
				top[nt++] = leaf;
				continue;
			}
			g = (unsigned int)(grp - node->groups);
			kids[g][nkids[g]++] = leaf;
		}
	}
	for (g = 0; g < node->ngroups; g++) {
		if (!nkids[g])
			continue;
		memset(&groups[g], 0, sizeof(groups[g]));
		groups[g].name = node->groups[g].name;
		groups[g].task.runtime_ns = node->groups[g].runtime_us * 1000;
		groups[g].task.period_ns = node->groups[g].period_us * 1000;
		groups[g].children = kids[g];
		groups[g].nchildren = nkids[g];
		top[nt++] = &groups[g];
	}
	if (!nt)
		return 0;
	if (admit_tree_check(&sup, top, nt, &res)) {
		snprintf(reason, QOSD_REASON_MAX, "cpu %u: %.140s", cpu, res.reason);
		return -EINVAL;
	}
	if (!res.admitted) {
		snprintf(reason, QOSD_REASON_MAX, "cpu %u: %.140s", cpu, res.reason);
		return -EBUSY;
	}
	return 0;
}

/* The members of a group share its reservation, so they share a CPU: the first member's. */
static void colocate_groups(const struct daemon *d, struct cpuplan_vm *pv)
{
	unsigned int g, i, v;

	for (g = 0; g < d->cfg.node.ngroups; g++) {
		int cpu = CPUPLAN_ANY;

		for (i = 0; i < CFG_MAX_VMS; i++) {
			const struct dvm *vm = d->vms[i];

			if (!vm || pv[i].cls != PV_QOS_REALTIME ||
			    strcmp(vm->cfg.group, d->cfg.node.groups[g].name))
				continue;
			if (cpu == CPUPLAN_ANY)
				cpu = pv[i].cpu[0];
			for (v = 0; v < pv[i].nvcpus; v++)
				pv[i].cpu[v] = cpu;
		}
	}
}

/* Plan every VM's CPUs (with @vm's class as given) and admit every CPU's reservations. */
static int plan_and_admit(struct daemon *d, struct cpuplan_vm *pv, struct cpuplan *plan,
			  char *reason)
{
	unsigned int i, v, c;
	int err;

	for (i = 0; i < CFG_MAX_VMS; i++) {
		const struct dvm *vm = d->vms[i];

		memset(&pv[i], 0, sizeof(pv[i]));
		pv[i].nvcpus = 1;
		for (v = 0; v < CPUPLAN_MAX_VCPUS; v++)
			pv[i].prev_cpu[v] = CPUPLAN_ANY;
		if (!vm) {
			pv[i].cls = PV_QOS_BEST_EFFORT;
			continue;
		}
		pv[i].name = vm->cfg.name;
		pv[i].cls = vm->cfg.qos;
		pv[i].nvcpus = vm->cfg.vcpus;
		if (vm->cfg.reservation.set && vm->cfg.reservation.period_us)
			pv[i].resv_ppm = vm->cfg.reservation.runtime_us * 1000000ull /
					 vm->cfg.reservation.period_us;
		for (v = 0; v < vm->cfg.vcpus; v++)
			pv[i].prev_cpu[v] = vm->qos.cpu[v];
	}
	err = cpuplan_compute(plan, daemon_ncpus(d), DEF_MIN_SHARED_CPUS, pv, CFG_MAX_VMS, reason);
	if (err)
		return err;
	colocate_groups(d, pv);
	for (c = 0; c < daemon_ncpus(d); c++) {
		err = admit_cpu(d, c, pv, CFG_MAX_VMS, reason);
		if (err)
			return err;
	}
	return 0;
}

/* ---- applying ---------------------------------------------------------------------- */

/*
 * How late a realtime VM's CPU may wake: its own latency budget when it has one, else the
 * reservation's slack (deadline - runtime): a wake-up later than that eats the margin the
 * job has before its deadline, so C-states whose exit latency exceeds it are ruled out.
 */
static uint32_t rt_wake_budget_us(const struct cfg_vm *c)
{
	uint64_t dl = c->reservation.deadline_us ? c->reservation.deadline_us :
		      c->reservation.period_us;

	if (c->latency_budget_us)
		return c->latency_budget_us;
	if (!c->reservation.set || dl <= c->reservation.runtime_us)
		return PM_LATENCY_NONE;
	return (uint32_t)(dl - c->reservation.runtime_us);
}

static void set_requests(struct daemon *d, struct dvm *vm)
{
	uint32_t v, budget = vm->cfg.latency_budget_us ? vm->cfg.latency_budget_us :
			     DEF_LS_LATENCY_US;
	uint32_t floor = pm_platform_base_khz(&d->power.plat);

	qos_req_remove_owner(&d->qcons, vm->cfg.name);
	for (v = 0; v < vm->cfg.vcpus; v++) {
		int cpu = vm->qos.cpu[v];

		if (cpu < 0)
			continue;
		if (is_dedicated(vm->cfg.qos))
			qos_req_add(&d->qcons, vm->cfg.name, (uint32_t)cpu, budget, floor);
		else if (vm->cfg.qos == PV_QOS_REALTIME)	/* WCETs assume the base clock */
			qos_req_add(&d->qcons, vm->cfg.name, (uint32_t)cpu,
				    rt_wake_budget_us(&vm->cfg), floor);
	}
	qos_constraints_aggregate(&d->qcons, &d->pmcons);
}

static void apply_affinity(struct daemon *d, struct dvm *vm)
{
	struct cpuplan_vm pv = { .nvcpus = vm->cfg.vcpus };
	uint32_t v;

	if (!vm->attached)
		return;
	memcpy(pv.cpu, vm->qos.cpu, sizeof(pv.cpu));
	if (vm->cfg.qos == PV_QOS_REALTIME && qosd_vm_resv(d, vm) == &resv_deadline_ops)
		for (v = 0; v < vm->nvcpus; v++)
			pv.cpu[v] = CPUPLAN_ANY;	/* SCHED_DEADLINE needs the whole domain */
	for (v = 0; v < vm->nvcpus; v++) {
		cpu_set_t mask;

		cpuplan_vcpu_mask(&d->plan, &pv, v, &mask);
		if (sched_setaffinity(vm->vcpu[v].tid, sizeof(mask), &mask))
			dpower_failed(&d->power, DPOWER_ACT_SCHED);
	}
	vm->qos.affinity_applied = true;
}

static void apply_sched(struct daemon *d, struct dvm *vm)
{
	uint32_t v;

	for (v = 0; vm->attached && v < vm->nvcpus; v++) {
		if (vm->cfg.qos == PV_QOS_PARTITION) {
			struct sched_param sp = { .sched_priority = PARTITION_FIFO_PRIO };

			if (sched_setscheduler(vm->vcpu[v].tid, SCHED_FIFO, &sp))
				dpower_failed(&d->power, DPOWER_ACT_SCHED);
		} else if (vm->qos.sched_applied || vm->vcpu[v].resv_applied) {
			if (vm->vcpu[v].resv_applied)
				qosd_boost_apply(d, vm, v, false);
			else
				resv_set_other(vm->vcpu[v].tid);
		}
		if (vm->cfg.qos != PV_QOS_REALTIME) {
			vm->vcpu[v].boost.boosted = false;
			if (vm->vcpu[v].sampling)
				qosd_set_sampling(vm, v, false);
		}
	}
	vm->qos.sched_applied = vm->cfg.qos == PV_QOS_PARTITION;
}

static void apply_halt(struct dvm *vm)
{
	json_t *args;

	if (!vm->attached || !is_dedicated(vm->cfg.qos) || vm->qos.halt_applied)
		return;
	args = json_pack("{s:s, s:i}", "mode", "poll", "poll_ns", (int)DEF_LS_POLL_NS);
	if (!dvm_request(vm, "set-halt-mode", args, NULL, NULL))
		vm->qos.halt_applied = true;
	json_decref(args);
}

/* Bring a VM's threads in line with its class (affinity, scheduling, halt, requests). */
static void apply_vm(struct daemon *d, struct dvm *vm)
{
	set_requests(d, vm);
	apply_affinity(d, vm);
	apply_sched(d, vm);
	apply_halt(vm);
}

int qosd_apply(struct daemon *d, struct dvm *vm, const struct qos_spec *spec,
	       struct qos_outcome *out)
{
	static struct cpuplan_vm pv[CFG_MAX_VMS];
	struct cfg_vm old = vm->cfg;
	struct cpuplan plan;
	uint64_t t0 = daemon_now_ns();
	unsigned int i;
	int err;

	out->admitted = false;
	if ((unsigned int)spec->cls >= PV_QOS_CLASS_MAX) {
		snprintf(out->reason, sizeof(out->reason), "unknown class");
		return -EINVAL;
	}
	if ((spec->cls == PV_QOS_REALTIME) != spec->resv.set) {
		snprintf(out->reason, sizeof(out->reason), "a reservation goes with, and only with, "
			 "class realtime");
		return -EINVAL;
	}
	if (spec->cls == PV_QOS_REALTIME && !d->resv) {
		snprintf(out->reason, sizeof(out->reason), "no reservation mechanism on this host "
			 "(needs root for SCHED_FIFO or SCHED_DEADLINE)");
		return -ENOTSUP;
	}
	vm->cfg.qos = spec->cls;
	vm->cfg.latency_budget_us = spec->latency_budget_us;
	vm->cfg.reservation = spec->resv;
	err = plan_and_admit(d, pv, &plan, out->reason);
	if (err) {
		vm->cfg = old;	/* refused: nothing changes */
		return err;
	}
	d->plan = plan;
	for (i = 0; i < CFG_MAX_VMS; i++) {
		struct dvm *o = d->vms[i];

		if (!o)
			continue;
		memcpy(o->qos.cpu, pv[i].cpu, sizeof(o->qos.cpu));
		if (o == vm)
			o->qos.halt_applied = false;
		apply_vm(d, o);
	}
	vm->qos.admitted = true;
	vm->qos.apply_latency_ns = daemon_now_ns() - t0;
	pv_hist_add(&d->qos_apply_hist, vm->qos.apply_latency_ns);
	snprintf(out->reason, sizeof(out->reason), "admitted; applied in %.1f us",
		 (double)vm->qos.apply_latency_ns / 1e3);
	snprintf(vm->qos.reason, sizeof(vm->qos.reason), "%s", out->reason);
	qosd_emit(d, PV_EV_QOS_CHANGE, 0, vm, (uint64_t)spec->cls, (uint64_t)old.qos);
	out->admitted = true;
	return 0;
}

void qosd_vm_removed(struct daemon *d, struct dvm *vm)
{
	qos_req_remove_owner(&d->qcons, vm->cfg.name);
	qos_constraints_aggregate(&d->qcons, &d->pmcons);
}

/* ---- every tick -------------------------------------------------------------------- */

/* A VM's (new) VMM attached: place its threads; boosting starts after first entry. */
static void on_attached(struct daemon *d, struct dvm *vm)
{
	uint32_t v;

	if (vm->qos.affinity_applied)
		return;
	for (v = 0; v < vm->nvcpus; v++) {
		memset(&vm->vcpu[v].boost, 0, sizeof(vm->vcpu[v].boost));
		vm->vcpu[v].entered = false;
		vm->vcpu[v].sampling = false;	/* a new VMM has no timer armed */
	}
	vm->qos.halt_applied = false;
	apply_vm(d, vm);
}

void qosd_tick(struct daemon *d, uint64_t now_ns)
{
	unsigned int i;

	for (i = 0; i < CFG_MAX_VMS; i++) {
		struct dvm *vm = d->vms[i];

		if (!vm)
			continue;
		if (!vm->attached) {
			vm->qos.affinity_applied = false;	/* a new VMM gets placed again */
			continue;
		}
		on_attached(d, vm);
		if (vm->cfg.qos == PV_QOS_REALTIME && vm->cfg.reservation.set)
			qosd_boost_tick(d, vm, now_ns);
	}
	/* the aggregate powermgr clamps with; requests come and go with the VMs' classes */
	qos_constraints_aggregate(&d->qcons, &d->pmcons);
}

/* The initial plan for the configured VMs; a VM that cannot be admitted runs best-effort. */
void qosd_init(struct daemon *d)
{
	static struct cpuplan_vm pv[CFG_MAX_VMS];
	char reason[QOSD_REASON_MAX];
	unsigned int i, v;

	pv_hist_init(&d->qos_apply_hist);
	/* a boost outlives two ticks without RT work: decisions are only taken at ticks */
	if (d->boost.hold_us < 2 * d->cfg.node.tick_ms * 1000)
		d->boost.hold_us = 2 * d->cfg.node.tick_ms * 1000;
	for (i = 0; i < CFG_MAX_VMS; i++)
		if (d->vms[i])
			for (v = 0; v < MAX_VCPUS; v++)
				d->vms[i]->qos.cpu[v] = CPUPLAN_ANY;
	if (!plan_and_admit(d, pv, &d->plan, reason)) {
		for (i = 0; i < CFG_MAX_VMS; i++)
			if (d->vms[i]) {
				memcpy(d->vms[i]->qos.cpu, pv[i].cpu, sizeof(d->vms[i]->qos.cpu));
				d->vms[i]->qos.admitted = true;
				set_requests(d, d->vms[i]);
			}
		return;
	}
	fprintf(stderr, "powervisord: QoS of the configuration not admitted (%s): "
		"realtime VMs run best-effort until changed\n", reason);
	for (i = 0; i < CFG_MAX_VMS; i++) {
		struct dvm *vm = d->vms[i];

		if (vm && vm->cfg.qos != PV_QOS_BEST_EFFORT) {
			snprintf(vm->qos.reason, sizeof(vm->qos.reason), "not admitted: %.140s", reason);
			vm->cfg.qos = PV_QOS_BEST_EFFORT;
			vm->cfg.reservation.set = false;
		}
	}
	plan_and_admit(d, pv, &d->plan, reason);
}
