// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daemon's transition-driven boosting (policy in qos/boost.h): a realtime vCPU gets its
 * reservation while its guest reports RT work (or, for a guest that reports nothing, while
 * its VMM-timer-sampled wake-ups look periodic) and loses it after the hold. Reservations
 * go through the VM's mechanism (qos/resv.h); a deadline reservation that delivers no
 * progress moves the VM to the budget mechanism (check_progress).
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "daemon/qosd.h"
#include "daemon/qosd_priv.h"
#include "qos/admit.h"
#include "tracer/tsc.h"

#define REPORT_WAIT_MS		1000u	/* a guest silent this long after attach reports nothing */
#define RESV_STALL_PERIODS	8u	/* an RT job pending this many periods under deadline … */
#define RESV_STALL_MIN_MS	200u	/* … and at least this long: no progress (check_progress) */

/* The VMM's answer to a budget or timer command: a refusal is an actuator failure. */
static void vmm_cmd_done(void *arg, int err, json_t *res, const char *msg, int fd)
{
	struct dvm *vm = arg;

	(void)res;
	(void)msg;
	if (fd >= 0)
		close(fd);
	if (err)
		dpower_failed(&vm->d->power, DPOWER_ACT_VMM);
}

/* The budget backend's link to the VMM: the set-budget control command. */
static int vmm_set_budget(void *cookie, uint32_t vcpu, uint64_t runtime_ns, uint64_t period_ns)
{
	struct dvm *vm = cookie;
	json_t *args = json_pack("{s:i, s:I, s:I}", "vcpu", (int)vcpu, "runtime_us",
				 (json_int_t)(runtime_ns / 1000), "period_us",
				 (json_int_t)(period_ns / 1000));
	int err = dvm_request(vm, "set-budget", args, vmm_cmd_done, vm);

	json_decref(args);
	return err;
}

int qosd_boost_apply(struct daemon *d, struct dvm *vm, uint32_t v, bool on)
{
	struct resv_vmm link = { vm, vmm_set_budget };
	struct resv_target t = { .tid = vm->vcpu[v].tid, .vcpu = v, .vmm = &link };
	const struct cfg_reservation *r = &vm->cfg.reservation;
	struct admit_task task = { r->runtime_us * 1000, r->period_us * 1000, r->deadline_us * 1000,
				   { 0 } };
	const struct resv_ops *ops = qosd_vm_resv(d, vm);
	struct resv_params p;
	int err;

	if (!ops)
		return -ENOTSUP;
	/* the thread gets what admission granted: the runtime plus its measured overheads
	 * (exits, interrupt delivery), else the CBS would throttle the guest before its work
	 * is done; capped by the deadline */
	qosd_measured_overhead(vm, ops, &task.ovh);
	task.ovh.enforce_slack_ns = 0;
	p.runtime_ns = admit_inflated_runtime_ns(&task);
	p.period_ns = task.period_ns;
	p.deadline_ns = task.deadline_ns ? task.deadline_ns : task.period_ns;
	if (p.runtime_ns > p.deadline_ns)
		p.runtime_ns = p.deadline_ns;
	err = on ? ops->apply(&t, &p) : ops->clear(&t);
	if (err) {
		dpower_failed(&d->power, DPOWER_ACT_SCHED);
		return err;
	}
	vm->vcpu[v].resv_applied = on;
	vm->vcpu[v].boost_changes++;
	qosd_emit(d, PV_EV_RESERVATION, v, vm, on ? p.runtime_ns : 0, on ? p.period_ns : 0);
	return 0;
}

/* Arm or disarm the VMM-timer sampling that inferred boosting needs (qos/boost.h). */
void qosd_set_sampling(struct dvm *vm, uint32_t v, bool on)
{
	json_t *args = json_pack("{s:i, s:i}", "vcpu", (int)v, "period_us",
				 on ? (int)INFER_SAMPLE_US : 0);

	if (args && !dvm_request(vm, "set-timer", args, vmm_cmd_done, vm))
		vm->vcpu[v].sampling = on;
	json_decref(args);
}

/*
 * RT work is active on a vCPU when the guest says an RT task is runnable now, or when its
 * last reported RT job is still pending (released after the last completion). The release
 * and completion records come with the guest's own timestamps, written at the doorbell
 * exits the guest takes on those events, so no short job escapes a 10 ms tick the way a
 * sampled flag would.
 */
static bool rt_active(const struct dvm *vm, uint32_t v)
{
	const struct dvm_vcpu *vc = &vm->vcpu[v];

	return vc->rt_runnable || vc->rt_act_tsc > vc->rt_done_tsc;
}

/* An RT job was released since the previous tick (it may already be done). */
static bool rt_recent(struct dvm *vm, uint32_t v)
{
	struct dvm_vcpu *vc = &vm->vcpu[v];
	bool seen = vc->rt_act_tsc != vc->rt_seen_tsc;

	vc->rt_seen_tsc = vc->rt_act_tsc;
	return seen;
}

/*
 * A deadline reservation that delivers no progress: an RT job of the vCPU pending for
 * RESV_STALL_PERIODS periods (at least RESV_STALL_MIN_MS) while the reservation is on. On
 * the nested build hosts SCHED_DEADLINE on a vCPU whose guest stays busy can leave the
 * guest crawling until the thread leaves the class (docs/QOS.md); whatever the cause, the
 * VM moves to the budget mechanism, once, with a log line and an actuator failure.
 */
static void check_progress(struct daemon *d, struct dvm *vm, uint32_t v)
{
	struct dvm_vcpu *vc = &vm->vcpu[v];
	uint64_t limit_ns = (uint64_t)vm->cfg.reservation.period_us * 1000 * RESV_STALL_PERIODS;
	uint64_t now = pv_rdtsc();
	struct qos_outcome out;
	struct qos_spec spec;

	if (!vc->resv_applied || qosd_vm_resv(d, vm) != &resv_deadline_ops ||
	    vc->rt_act_tsc <= vc->rt_done_tsc || now <= vc->rt_act_tsc)
		return;
	if (limit_ns < RESV_STALL_MIN_MS * 1000000ull)
		limit_ns = RESV_STALL_MIN_MS * 1000000ull;
	if (pv_clock_tsc_to_ns(&vm->clk, now - vc->rt_act_tsc) < limit_ns)
		return;
	fprintf(stderr, "powervisord: vm %s: vcpu %u: an RT job pending %.0f ms under its "
		"SCHED_DEADLINE reservation: the VM moves to the budget mechanism\n", vm->cfg.name,
		v, (double)pv_clock_tsc_to_ns(&vm->clk, now - vc->rt_act_tsc) / 1e6);
	dpower_failed(&d->power, DPOWER_ACT_SCHED);
	for (uint32_t k = 0; k < vm->nvcpus; k++)
		if (vm->vcpu[k].resv_applied && !qosd_boost_apply(d, vm, k, false))
			vm->vcpu[k].boost.boosted = false;
	vm->qos.resv = &resv_budget_ops;
	vm->qos.affinity_applied = false;	/* budget pins the vCPUs: placed again */
	/* admitted again with the budget's own overheads (its enforcement slack); refused,
	 * the VM keeps what it had — said, not hidden */
	spec = (struct qos_spec){ .cls = vm->cfg.qos, .latency_budget_us =
				  vm->cfg.latency_budget_us, .resv = vm->cfg.reservation };
	if (qosd_apply(d, vm, &spec, &out))
		fprintf(stderr, "powervisord: vm %s: under the budget mechanism its reservation no "
			"longer passes admission (%s); it keeps it\n", vm->cfg.name, out.reason);
}

/* One boosting decision for vCPU @v, acted on at once. */
static void boost_vcpu(struct daemon *d, struct dvm *vm, uint32_t v, uint64_t now_ns)
{
	struct dvm_vcpu *vc = &vm->vcpu[v];
	const struct pv_vcpu_counters *c = pv_shm_vcpu(&vm->shm, v);
	enum boost_action a;
	bool silent;

	/* the thread has run guest code once it has been back from KVM_RUN with guest time */
	if (!vc->entered && (vc->cur.guest_ns || atomic_load_explicit(&c->guest_ns,
								    memory_order_relaxed)))
		vc->entered = true;
	vc->boost.entered_guest = vc->entered;
	if (!vm->qos.reported && atomic_load_explicit(&c->guest_events, memory_order_relaxed))
		vm->qos.reported = true;
	/*
	 * A guest that has not reported within REPORT_WAIT_MS of its VMM attaching reports
	 * nothing: its vCPUs are sampled by their VMM timer for inferred boosting. A job
	 * released and finished between two ticks still counts (rt_recent). The wake-ups
	 * inferred boosting times are on the trace's clock: decide on it too.
	 */
	silent = !vm->qos.reported && now_ns - vm->start_ns > REPORT_WAIT_MS * 1000000ull;
	if (vc->sampling != (vc->entered && silent))
		qosd_set_sampling(vm, v, !vc->sampling);
	a = boost_decide(&vc->boost, silent ? BOOST_INFERRED : BOOST_REPORTED,
			 rt_active(vm, v) || rt_recent(vm, v),
			 pv_clock_tsc_to_ns(&vm->clk, pv_rdtsc()), &d->boost);
	if (a != BOOST_NONE && qosd_boost_apply(d, vm, v, a == BOOST_APPLY))
		vc->boost.boosted = !vc->boost.boosted;	/* failed: state unchanged */
}

void qosd_boost_tick(struct daemon *d, struct dvm *vm, uint64_t now_ns)
{
	uint32_t v;

	for (v = 0; v < vm->nvcpus; v++) {
		if (vm->vcpu[v].resv_applied)
			vm->vcpu[v].boosted_ns += d->last_window_ns;
		check_progress(d, vm, v);
		boost_vcpu(d, vm, v, now_ns);
	}
}

