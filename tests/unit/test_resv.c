// SPDX-License-Identifier: GPL-2.0-only
/* Reservation backends on real threads: deadline and budget apply / clear, failure paths. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <cmocka.h>

#include "qos/dl_resync.h"
#include "qos/resv.h"

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

static void test_dm_priority(void **state)
{
	static const uint64_t deadlines[] = { 1, 100000, 125001, 1000000, 10000000, 100000000,
					      10000000000ull, UINT64_MAX };
	int prev = RESV_FIFO_PRIO_MAX + 1;
	size_t i;

	(void)state;
	assert_int_equal(resv_dm_priority(100000), RESV_FIFO_PRIO_MAX);
	for (i = 0; i < sizeof(deadlines) / sizeof(deadlines[0]); i++) {
		int p = resv_dm_priority(deadlines[i]);

		assert_true(p <= prev);			/* shorter deadline, higher priority */
		assert_in_range(p, RESV_FIFO_PRIO_MIN, RESV_FIFO_PRIO_MAX);
		prev = p;
	}
	assert_true(resv_dm_priority(1000000) > resv_dm_priority(10000000));
	assert_int_equal(resv_dm_priority(UINT64_MAX), RESV_FIFO_PRIO_MIN);
}

static void test_lookup(void **state)
{
	(void)state;
	assert_ptr_equal(resv_lookup("deadline"), &resv_deadline_ops);
	assert_ptr_equal(resv_lookup("budget"), &resv_budget_ops);
	assert_null(resv_lookup("edf"));
	assert_null(resv_lookup(NULL));
}

struct spinner {
	_Atomic pid_t tid;
	_Atomic int stop;
};

static void *spin(void *arg)
{
	struct spinner *s = arg;

	s->tid = gettid();
	while (!s->stop)
		usleep(200);
	return NULL;
}

static pthread_t start_spinner(struct spinner *s)
{
	pthread_t th;

	s->tid = 0;
	s->stop = 0;
	assert_int_equal(pthread_create(&th, NULL, spin, s), 0);
	while (!s->tid)
		usleep(100);
	return th;
}

struct fake_vmm {
	int calls;
	uint64_t runtime_ns, period_ns;
	int fail;
};

static int fake_set_budget(void *cookie, uint32_t vcpu, uint64_t runtime_ns, uint64_t period_ns)
{
	struct fake_vmm *f = cookie;

	(void)vcpu;
	f->calls++;
	if (f->fail && runtime_ns)
		return -EIO;
	f->runtime_ns = runtime_ns;
	f->period_ns = period_ns;
	return 0;
}

static void test_deadline_backend(void **state)
{
	struct spinner s;
	pthread_t th;
	struct resv_params p = { .runtime_ns = 200000, .period_ns = 1000000 };
	struct resv_params bad = { .runtime_ns = 2000000, .period_ns = 1000000 };
	struct resv_target t = { 0 };
	int policy, prio, err;

	(void)state;
	if (geteuid())
		skip();
	if (resv_deadline_ops.probe()) {
		print_message("SCHED_DEADLINE not available here: skipping\n");
		skip();
	}
	th = start_spinner(&s);
	t.tid = s.tid;
	assert_int_equal(resv_deadline_ops.apply(&t, &bad), -EINVAL);
	err = resv_deadline_ops.apply(&t, &p);
	if (err == -EBUSY) {
		/* the kernel's own admission: other deadline tasks hold the bandwidth now */
		print_message("SCHED_DEADLINE bandwidth in use by other tasks: skipping\n");
		s.stop = 1;
		pthread_join(th, NULL);
		skip();
	}
	assert_int_equal(err, 0);
	assert_int_equal(resv_get_policy(s.tid, &policy, &prio), 0);
	assert_int_equal(policy, SCHED_DEADLINE);
	assert_int_equal(resv_deadline_ops.clear(&t), 0);
	assert_int_equal(resv_get_policy(s.tid, &policy, &prio), 0);
	assert_int_equal(policy, SCHED_OTHER);
	s.stop = 1;
	pthread_join(th, NULL);
}

static void test_budget_backend(void **state)
{
	struct fake_vmm f = { 0 };
	struct resv_vmm vmm = { &f, fake_set_budget };
	struct resv_params p = { .runtime_ns = 200000, .period_ns = 1000000 };
	struct resv_target t = { .vcpu = 0, .vmm = &vmm };
	struct spinner s;
	pthread_t th;
	int policy, prio;

	(void)state;
	if (geteuid())
		skip();
	assert_int_equal(resv_budget_ops.probe(), 0);
	th = start_spinner(&s);
	t.tid = s.tid;
	assert_int_equal(resv_budget_ops.apply(&t, &p), 0);
	assert_int_equal(f.runtime_ns, 200000);
	assert_int_equal(f.period_ns, 1000000);
	assert_int_equal(resv_get_policy(s.tid, &policy, &prio), 0);
	assert_int_equal(policy, SCHED_FIFO);
	assert_int_equal(prio, resv_dm_priority(1000000));
	assert_int_equal(resv_budget_ops.clear(&t), 0);
	assert_int_equal(f.runtime_ns, 0);		/* enforcement disarmed */
	assert_int_equal(resv_get_policy(s.tid, &policy, &prio), 0);
	assert_int_equal(policy, SCHED_OTHER);

	/* the VMM refuses the budget: the thread is never raised */
	f.fail = 1;
	assert_int_equal(resv_budget_ops.apply(&t, &p), -EIO);
	assert_int_equal(resv_get_policy(s.tid, &policy, &prio), 0);
	assert_int_equal(policy, SCHED_OTHER);
	f.fail = 0;
	/* the thread cannot be raised (gone): the budget armed just before is disarmed */
	s.stop = 1;
	pthread_join(th, NULL);
	f.calls = 0;
	assert_int_equal(resv_budget_ops.apply(&t, &p), -ESRCH);
	assert_int_equal(f.calls, 2);
	assert_int_equal(f.runtime_ns, 0);
	/* no VMM to enforce with: refused */
	t.vmm = NULL;
	assert_int_equal(resv_budget_ops.apply(&t, &p), -ENOTSUP);
}

/* The root-domain rebuild: done, counted, and load balancing left as it was (on). */
static void test_dl_resync(void **state)
{
	static const char path[] = "/sys/fs/cgroup/cpuset/cpuset.sched_load_balance";
	uint64_t n0 = dl_bw_resyncs();
	char v[8] = "";
	FILE *f;
	int err;

	(void)state;
	if (geteuid())
		skip();
	err = dl_bw_resync();
	if (err == -ENOENT) {
		print_message("no cgroup v1 cpuset hierarchy: skipping\n");
		skip();
	}
	assert_int_equal(err, 0);
	assert_int_equal(dl_bw_resyncs(), n0 + 1);
	f = fopen(path, "r");
	if (f) {	/* where the hierarchy is mounted at the usual place */
		assert_non_null(fgets(v, sizeof(v), f));
		fclose(f);
		assert_string_equal(v, "1\n");
	}
}

static void test_probe_best(void **state)
{
	(void)state;
	if (geteuid())
		skip();
	assert_non_null(resv_probe_best());
	print_message("best reservation backend here: %s\n", resv_probe_best()->name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dm_priority),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_deadline_backend),
		cmocka_unit_test(test_budget_backend),
		cmocka_unit_test(test_dl_resync),
		cmocka_unit_test(test_probe_best),
	};

	return cmocka_run_group_tests_name("resv", tests, NULL, NULL);
}
