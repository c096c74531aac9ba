// SPDX-License-Identifier: GPL-2.0-only
/*
 * `deadline` reservation backend: SCHED_DEADLINE (CBS) on the vCPU thread. The kernel does
 * its own admission (sum of runtime/period per root domain under sched_rt_runtime_us); a
 * refusal (-EBUSY) is retried once after resynchronising the kernel's bandwidth accounting
 * (qos/dl_resync.h: some kernels leak it), then reported — never retried in a loop. Callers apply it only to vCPUs
 * that have already entered the guest (see qos/resv.h).
 */
#include <errno.h>
#include <sched.h>

#include "qos/dl_resync.h"
#include "qos/resv.h"
#include "qos/resv_sched.h"

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE	6
#endif

/*
 * Usable for real reservations, not just present: ask for half a CPU. A kernel whose
 * deadline bandwidth is exhausted (or leaked, see daemon/dvm.c) refuses that with EBUSY,
 * and `auto` then falls back to the budget mechanism.
 */
static int deadline_probe(void)
{
	struct sched_attr attr = { .sched_policy = SCHED_DEADLINE, .sched_runtime = 500000,
				   .sched_deadline = 1000000, .sched_period = 1000000 };
	int err = resv_probe_policy(&attr);

	if (err == -EBUSY && !dl_bw_resync())	/* leaked bandwidth (dl_resync.h)? */
		err = resv_probe_policy(&attr);
	return err;
}

static int deadline_apply(const struct resv_target *t, const struct resv_params *p)
{
	struct sched_attr attr = {
		.sched_policy = SCHED_DEADLINE,
		.sched_runtime = p->runtime_ns,
		.sched_deadline = p->deadline_ns ? p->deadline_ns : p->period_ns,
		.sched_period = p->period_ns,
	};
	int err;

	if (!p->runtime_ns || p->runtime_ns > attr.sched_deadline || attr.sched_deadline > p->period_ns)
		return -EINVAL;
	err = resv_sched_setattr(t->tid, &attr);
	/* our admission accepted it: a refusal may be the kernel's leaked accounting */
	if (err == -EBUSY && !dl_bw_resync())
		err = resv_sched_setattr(t->tid, &attr);
	return err;
}

static int deadline_clear(const struct resv_target *t)
{
	return resv_set_other(t->tid);
}

const struct resv_ops resv_deadline_ops = {
	.name = "deadline",
	.probe = deadline_probe,
	.apply = deadline_apply,
	.clear = deadline_clear,
	.needs_enforce_slack = false,
};
