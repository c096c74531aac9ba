/* SPDX-License-Identifier: GPL-2.0-only */
/* sched_setattr(2) plumbing shared by the reservation backends (qos/resv_*.c only). */
#ifndef PV_QOS_RESV_SCHED_H
#define PV_QOS_RESV_SCHED_H

#include <stdint.h>
#include <sys/types.h>

/*
 * The kernel's struct sched_attr (stable ABI, SCHED_ATTR_SIZE_VER1). Declared here because
 * <linux/sched/types.h> clashes with glibc's struct sched_param.
 */
struct sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;		/* ns, SCHED_DEADLINE */
	uint64_t sched_deadline;
	uint64_t sched_period;
	uint32_t sched_util_min;
	uint32_t sched_util_max;
};

int resv_sched_setattr(pid_t tid, struct sched_attr *attr);
int resv_sched_getattr(pid_t tid, struct sched_attr *attr);
/* Try @attr on a scratch thread (then revert it): 0 when the host allows the policy. */
int resv_probe_policy(struct sched_attr *attr);

#endif /* PV_QOS_RESV_SCHED_H */
