// SPDX-License-Identifier: GPL-2.0-only
/*
 * `budget` reservation backend: SCHED_FIFO at a deadline-monotonic priority, with the
 * runtime per period enforced by the VMM timer (the VMM preempts the vCPU when its budget
 * is spent and lets it run again at the next period). Because FIFO without enforcement
 * could starve the host, the budget is armed in the VMM *before* the priority is raised,
 * and the priority dropped *before* the budget is disarmed.
 */
#include <errno.h>
#include <sched.h>

#include "qos/resv.h"
#include "qos/resv_sched.h"

static int budget_probe(void)
{
	struct sched_attr attr = { .sched_policy = SCHED_FIFO,
				   .sched_priority = RESV_FIFO_PRIO_MIN };

	return resv_probe_policy(&attr);
}

static int budget_apply(const struct resv_target *t, const struct resv_params *p)
{
	uint64_t deadline = p->deadline_ns ? p->deadline_ns : p->period_ns;
	struct sched_attr attr = { .sched_policy = SCHED_FIFO,
				   .sched_priority = (uint32_t)resv_dm_priority(deadline) };
	int err;

	if (!t->vmm || !t->vmm->set_budget)
		return -ENOTSUP;
	if (!p->runtime_ns || p->runtime_ns > deadline || deadline > p->period_ns)
		return -EINVAL;
	err = t->vmm->set_budget(t->vmm->cookie, t->vcpu, p->runtime_ns, p->period_ns);
	if (err)
		return err;
	err = resv_sched_setattr(t->tid, &attr);
	if (err)	/* leave no enforcement armed for a thread we could not raise */
		t->vmm->set_budget(t->vmm->cookie, t->vcpu, 0, 0);
	return err;
}

static int budget_clear(const struct resv_target *t)
{
	int err = resv_set_other(t->tid);

	if (t->vmm && t->vmm->set_budget) {
		int err2 = t->vmm->set_budget(t->vmm->cookie, t->vcpu, 0, 0);

		if (!err)
			err = err2;
	}
	return err;
}

const struct resv_ops resv_budget_ops = {
	.name = "budget",
	.probe = budget_probe,
	.apply = budget_apply,
	.clear = budget_clear,
	.needs_enforce_slack = true,
};
