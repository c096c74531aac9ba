// SPDX-License-Identifier: GPL-2.0-only
/*
 * One policy tick.
 *
 * Design note. The window that just ended is described three ways: per VM by the accounting
 * of its transitions (tracer/account.c: guest / VMM / halt wall time, exits, RT events), per
 * vCPU thread by the scheduler (daemon/threadstat.c: time on a CPU, time waiting for one,
 * the CPU it ran on), and per physical CPU by folding every vCPU onto that CPU. The
 * scheduler is the authority on *whether* a thread was on a CPU, the transitions on *what*
 * it did there (split_window below); a vCPU that migrated inside the window is charged to
 * the CPU it ran on last, which is exact for pinned vCPUs (what QoS classes use). Per pCPU:
 *   guest_ns, vmm_ns    Σ on-CPU guest and VMM time of its vCPUs,
 *   halt_ns             Σ polling halts + blocked time (≤ what the CPU had left),
 *   halt_poll_ns        Σ polling, idle_ns = window − the rest,
 *   idle periods        each vCPU's completed halts, in the log2 bucket of their mean,
 *   rt_count/rt_active  RT activations and a guest's "RT task runnable" flag.
 * A CPU asked for more time than the window had (migrations) is scaled down proportionally. The governor, the
 * constraints and the energy attribution then run on these samples (daemon/power.c).
 */
#include <string.h>

#include "daemon/daemon.h"
#include "daemon/devices.h"
#include "daemon/dsnap.h"
#include "daemon/qosd.h"
#include "daemon/state.h"
#include "daemon/summary.h"
#include "daemon/tick.h"
#include "tracer/tsc.h"

/*
 * How one vCPU spent the window on its pCPU: the scheduler says how long the thread was on
 * a CPU (run) and waiting for one (wait); the transitions say how that CPU time divides
 * into guest, VMM and halt polling. Whatever is neither run nor wait, the thread was
 * blocked: a halt (the VMM's thread does nothing else that blocks for long).
 */
struct vcpu_window {
	uint64_t guest_ns, vmm_ns, poll_ns, blocked_ns;
	uint32_t cpu;
};

static void split_window(const struct pv_acct_stats *st, const struct threadstat_delta *td,
			 uint64_t window_ns, struct vcpu_window *w)
{
	/* the scheduler's reads and the tick are not taken at the same instant: clamp */
	uint64_t run = td->run_ns < window_ns ? td->run_ns : window_ns;
	uint64_t busy_wall = st->guest_ns + st->vmm_ns;
	uint64_t poll = st->halt_ns[PV_HALT_POLL] < run ? st->halt_ns[PV_HALT_POLL] : run;
	uint64_t on_busy = run - poll;
	uint64_t accounted = run + td->wait_ns;

	if (busy_wall >= on_busy && busy_wall) {
		/* wall time in the guest includes time off the CPU and halts not yet reported */
		w->guest_ns = (uint64_t)((double)st->guest_ns * (double)on_busy / (double)busy_wall);
		w->vmm_ns = on_busy - w->guest_ns;
	} else {
		/* on a CPU longer than the transitions say: the rest is guest time not yet
		 * closed by an exit */
		w->vmm_ns = st->vmm_ns < on_busy ? st->vmm_ns : on_busy;
		w->guest_ns = on_busy - w->vmm_ns;
	}
	w->poll_ns = poll;
	w->blocked_ns = window_ns > accounted ? window_ns - accounted : 0;
}

static uint64_t scaled(uint64_t v, double f)
{
	return f >= 1.0 ? v : (uint64_t)((double)v * f);
}

/* Fold one vCPU's window onto its pCPU, its CPU time scaled by the CPU's over-subscription. */
static void fold_vcpu(struct daemon *d, struct dvm *vm, uint32_t v, const struct pv_acct_stats *st,
		      const struct vcpu_window *w, const double *scale)
{
	uint32_t c = w->cpu;
	struct pm_cpu_sample *s = &d->power.cpu[c];
	uint64_t halts = 0, guest = scaled(w->guest_ns, scale[c]), vmm = scaled(w->vmm_ns, scale[c]);
	uint64_t poll = scaled(w->poll_ns, scale[c]);
	unsigned int m;

	s->guest_ns += guest;
	s->vmm_ns += vmm;
	s->halt_poll_ns += poll;
	s->halt_ns += poll + w->blocked_ns;
	d->vm_busy_ns[c * CFG_MAX_VMS + vm->slot] += guest;
	d->vm_poll_ns[c * CFG_MAX_VMS + vm->slot] += poll;
	d->cpu_vmm_ns[c] += vmm;
	vm->win_busy_ns += w->guest_ns + w->vmm_ns;	/* the VM's own CPU time, unscaled */
	vm->busy_total_ns += w->guest_ns + w->vmm_ns;
	for (m = 0; m < PV_HALT_GUEST; m++)
		halts += st->halts[m];
	if (halts)
		s->idle_hist[pm_idle_bucket(pv_acct_halted_ns(st) / halts)] += (uint32_t)halts;
	s->rt_count += (uint32_t)st->rt_activations;
	if (atomic_load_explicit(&pv_shm_vcpu(&vm->shm, v)->rt_runnable, memory_order_relaxed) == 1)
		s->rt_active = true;
}

/* Build the power pipeline's inputs for the window from every attached VM. */
static void build_samples(struct daemon *d, uint64_t window_ns)
{
	static struct vcpu_window win[CFG_MAX_VMS][MAX_VCPUS];
	static struct pv_acct_stats st[MAX_VCPUS];
	unsigned int n = daemon_ncpus(d), c, i;
	uint64_t demand[PM_MAX_CPUS] = { 0 };
	double scale[PM_MAX_CPUS];
	uint32_t v;

	memset(d->power.cpu, 0, n * sizeof(*d->power.cpu));
	memset(d->vm_busy_ns, 0, (size_t)n * CFG_MAX_VMS * sizeof(uint64_t));
	memset(d->vm_poll_ns, 0, (size_t)n * CFG_MAX_VMS * sizeof(uint64_t));
	memset(d->cpu_vmm_ns, 0, n * sizeof(uint64_t));
	/* pass 1: every vCPU's window, and how much CPU time each pCPU was asked for */
	for (i = 0; i < CFG_MAX_VMS; i++) {
		struct dvm *vm = d->vms[i];

		if (!vm || !vm->attached)
			continue;
		for (v = 0; v < vm->nvcpus; v++) {
			struct vcpu_window *w = &win[i][v];

			memset(w, 0, sizeof(*w));
			w->cpu = vm->vcpu[v].pcpu;
			if (pv_acct_vcpu(vm->acct, v, PV_ACCT_WINDOW, &st[0]))
				continue;
			split_window(&st[0], &vm->vcpu[v].last, window_ns, w);
			demand[w->cpu] += w->guest_ns + w->vmm_ns + w->poll_ns;
		}
	}
	/* a vCPU that migrated inside the window is charged to its last CPU, which can then
	 * look over-subscribed: scale that CPU's time down proportionally, nobody favoured */
	for (c = 0; c < n; c++)
		scale[c] = demand[c] > window_ns ? (double)window_ns / (double)demand[c] : 1.0;
	/* pass 2: fold */
	for (i = 0; i < CFG_MAX_VMS; i++) {
		struct dvm *vm = d->vms[i];

		if (!vm || !vm->attached)
			continue;
		vm->win_busy_ns = 0;
		for (v = 0; v < vm->nvcpus; v++)
			if (!pv_acct_vcpu(vm->acct, v, PV_ACCT_WINDOW, &st[v]))
				fold_vcpu(d, vm, v, &st[v], &win[i][v], scale);
	}
	for (c = 0; c < n; c++) {
		struct pm_cpu_sample *s = &d->power.cpu[c];
		uint64_t busy = s->guest_ns + s->vmm_ns + s->halt_poll_ns;
		uint64_t room = window_ns > busy ? window_ns - busy : 0;
		uint64_t blocked = s->halt_ns - s->halt_poll_ns;

		/* blocked halts of vCPUs sharing a CPU overlap: never more than what is left */
		if (blocked > room)
			blocked = room;
		s->halt_ns = s->halt_poll_ns + blocked;
		s->idle_ns = room - blocked;
	}
}

static void run_power(struct daemon *d, uint64_t t0, uint64_t t1)
{
	struct dpower_tick_in in = {
		.t0_ns = t0, .t1_ns = t1, .nvms = CFG_MAX_VMS,
		.vm_busy_ns = d->vm_busy_ns, .vm_poll_ns = d->vm_poll_ns,
		.vmm_ns = d->cpu_vmm_ns, .cons = &d->pmcons,
	};

	if (dpower_tick(&d->power, &in))
		dpower_failed(&d->power, DPOWER_ACT_GOVERNOR);
}

/* Rates for people and dashboards: CPU % and power over the last second. */
static void update_rates(struct daemon *d, uint64_t now)
{
	double secs = (double)(now - d->rate_t0_ns) / 1e9;
	unsigned int i;

	if (secs <= 0)
		return;
	for (i = 0; i < CFG_MAX_VMS; i++) {
		struct dvm *vm = d->vms[i];

		if (!vm)
			continue;
		vm->cpu_pct_1s = 100.0 * (double)(vm->busy_total_ns - vm->rate_busy_ns) / 1e9 / secs;
		vm->power_w_1s = (d->power.vm_j[i] - vm->rate_energy_j) / secs;
		vm->rate_busy_ns = vm->busy_total_ns;
		vm->rate_energy_j = d->power.vm_j[i];
		for (uint32_t v = 0; vm->attached && v < vm->nvcpus; v++)
			if (vm->vcpu[v].pmu.nr_open)
				pm_pmu_read(&vm->vcpu[v].pmu, vm->vcpu[v].pmu_val);
	}
	d->node_w_1s = (d->power.node_j - d->rate_node_j) / secs;
	d->rate_node_j = d->power.node_j;
	d->rate_t0_ns = now;
}

void daemon_tick(struct daemon *d)
{
	uint64_t t0 = d->last_tick_ns, now = daemon_now_ns(), tsc = pv_rdtsc();
	unsigned int i;

	if (now <= t0)
		return;
	for (i = 0; i < CFG_MAX_VMS; i++)
		if (d->vms[i])
			dvm_tick(d->vms[i], now, tsc);
	d->last_window_ns = now - t0;
	build_samples(d, now - t0);
	qosd_tick(d, now);		/* boosts, reservations, constraints */
	devices_tick(d, now);
	run_power(d, t0, now);
	d->last_tick_ns = now;
	d->ticks++;
	if (now >= d->next_summary_ns)
		update_rates(d, now);	/* same schedule as the live view that shows them */
	dsnap_publish(d);
	if (now >= d->next_summary_ns) {
		d->next_summary_ns += 1000000000ull;
		if (d->live)
			summary_live(d, d->live);
	}
	if (now >= d->next_persist_ns) {
		d->next_persist_ns += 1000000000ull;
		state_save(d);
	}
	pv_hist_add(&d->tick_hist, daemon_now_ns() - now);
}
