// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reservation backends: the registry, start-up probing, the deadline-monotonic priority
 * map and the sched_setattr(2) plumbing both backends share.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "qos/resv.h"
#include "qos/resv_sched.h"

int resv_sched_setattr(pid_t tid, struct sched_attr *attr)
{
	attr->size = sizeof(*attr);
	return syscall(SYS_sched_setattr, tid, attr, 0) ? -errno : 0;
}

int resv_sched_getattr(pid_t tid, struct sched_attr *attr)
{
	memset(attr, 0, sizeof(*attr));
	return syscall(SYS_sched_getattr, tid, attr, sizeof(*attr), 0) ? -errno : 0;
}

int resv_set_other(pid_t tid)
{
	struct sched_attr attr = { .sched_policy = SCHED_OTHER };

	return resv_sched_setattr(tid, &attr);
}

int resv_get_policy(pid_t tid, int *policy, int *prio)
{
	struct sched_attr attr;
	int err = resv_sched_getattr(tid, &attr);

	if (err)
		return err;
	*policy = (int)attr.sched_policy;
	*prio = (int)attr.sched_priority;
	return 0;
}

int resv_dm_priority(uint64_t deadline_ns)
{
	int prio = RESV_FIFO_PRIO_MAX;
	uint64_t d = RESV_DM_REF_NS;

	/* four priority levels per doubling of the deadline above 100 us */
	while (d < deadline_ns && prio > RESV_FIFO_PRIO_MIN) {
		d += d / 4 + 1;		/* ~2^(1/4) steps: 1.25x */
		prio--;
	}
	return prio;
}

static const struct resv_ops *const backends[] = { &resv_deadline_ops, &resv_budget_ops };

const struct resv_ops *resv_lookup(const char *name)
{
	unsigned int i;

	for (i = 0; name && i < sizeof(backends) / sizeof(backends[0]); i++)
		if (!strcmp(backends[i]->name, name))
			return backends[i];
	return NULL;
}

const struct resv_ops *resv_probe_best(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (!backends[i]->probe())
			return backends[i];
	return NULL;
}

struct probe_arg {
	int tid_pipe[2];	/* thread -> prober: its tid */
	int go_pipe[2];		/* prober -> thread: finish */
};

/* A thread that reports its tid and sleeps until released: what the probes try policies on. */
static void *probe_thread(void *arg)
{
	struct probe_arg *pa = arg;
	pid_t tid = gettid();
	char c;

	if (write(pa->tid_pipe[1], &tid, sizeof(tid)) != sizeof(tid) ||
	    read(pa->go_pipe[0], &c, 1) < 0) {
		/* the prober sees a short read or is released by close */
	}
	return NULL;
}

int resv_probe_policy(struct sched_attr *attr)
{
	struct probe_arg pa;
	pthread_t th;
	pid_t tid = 0;
	int err;

	if (pipe2(pa.tid_pipe, O_CLOEXEC))
		return -errno;
	if (pipe2(pa.go_pipe, O_CLOEXEC)) {
		err = -errno;
		goto out_close_tid_pipe;
	}
	err = -pthread_create(&th, NULL, probe_thread, &pa);
	if (err)
		goto out_close_go_pipe;
	if (read(pa.tid_pipe[0], &tid, sizeof(tid)) != sizeof(tid))
		err = -ESRCH;
	else
		err = resv_sched_setattr(tid, attr);
	if (!err)
		resv_set_other(tid);
	if (write(pa.go_pipe[1], "x", 1) < 0) {
		/* cannot fail on an empty pipe */
	}
	pthread_join(th, NULL);
out_close_go_pipe:
	close(pa.go_pipe[0]);
	close(pa.go_pipe[1]);
out_close_tid_pipe:
	close(pa.tid_pipe[0]);
	close(pa.tid_pipe[1]);
	return err;
}
