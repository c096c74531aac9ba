// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMM timers. Lateness is measured against the expiry the arming implies (first + k *
 * period, k advanced by 1 + overrun), so a timer that is served late is reported late even
 * though the kernel re-arms it on schedule; samples are kept for percentiles.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "vmm/timer.h"

#define LATE_CAP_NS	4000000000ull

int timer_init(struct vmm_timer *t, pid_t tid, int cookie)
{
	return timer_init_signo(t, tid, TIMER_SIGNO, cookie);
}

int timer_init_signo(struct vmm_timer *t, pid_t tid, int signo, int cookie)
{
	struct sigevent sev;

	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	t->samples_ns = calloc(TIMER_MAX_SAMPLES, sizeof(*t->samples_ns));
	if (!t->samples_ns)
		return -ENOMEM;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = signo;
	sev.sigev_value.sival_int = cookie;
	sev._sigev_un._tid = tid;
	if (timer_create(CLOCK_MONOTONIC, &sev, &t->id) < 0) {
		int err = -errno;

		free(t->samples_ns);
		t->samples_ns = NULL;
		return err;
	}
	t->created = true;
	return 0;
}

void timer_destroy(struct vmm_timer *t)
{
	if (t->created)
		timer_delete(t->id);
	t->created = false;
	free(t->samples_ns);
	t->samples_ns = NULL;
}

int timer_arm(struct vmm_timer *t, uint64_t period_us, uint64_t deadline_us)
{
	struct itimerspec its;
	uint64_t first_ns, now;
	int err = 0;

	if (!t->created)
		return -ENODEV;
	if ((period_us && deadline_us) || period_us > MAX_TIMER_US || deadline_us > MAX_TIMER_US ||
	    (period_us && period_us < MIN_TIMER_PERIOD_US))
		return -EINVAL;
	memset(&its, 0, sizeof(its));
	pthread_mutex_lock(&t->lock);
	now = timer_now_ns();
	first_ns = period_us ? now + period_us * 1000 : deadline_us ? now + deadline_us * 1000 : 0;
	if (first_ns) {
		its.it_value.tv_sec = (time_t)(first_ns / 1000000000ull);
		its.it_value.tv_nsec = (long)(first_ns % 1000000000ull);
		its.it_interval.tv_sec = (time_t)(period_us / 1000000);
		its.it_interval.tv_nsec = (long)(period_us % 1000000) * 1000;
	}
	t->period_ns = period_us * 1000;
	t->first_ns = first_ns;
	t->gen++;
	if (timer_settime(t->id, TIMER_ABSTIME, &its, NULL) < 0)
		err = -errno;
	pthread_mutex_unlock(&t->lock);
	return err;
}

int timer_arm_at_ns(struct vmm_timer *t, uint64_t deadline_ns)
{
	struct itimerspec its;
	int err = 0;

	if (!t->created)
		return -ENODEV;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(deadline_ns / 1000000000ull);
	its.it_value.tv_nsec = (long)(deadline_ns % 1000000000ull);
	pthread_mutex_lock(&t->lock);
	t->period_ns = 0;
	t->first_ns = deadline_ns;
	t->gen++;
	if (timer_settime(t->id, TIMER_ABSTIME, &its, NULL) < 0)
		err = -errno;
	pthread_mutex_unlock(&t->lock);
	return err;
}

uint64_t timer_fired(struct vmm_timer *t, int overrun)
{
	uint64_t now = timer_now_ns(), late = 0, expected;

	if (overrun < 0)
		overrun = 0;
	t->fires++;
	t->overruns += (uint64_t)overrun;
	pthread_mutex_lock(&t->lock);
	if (t->seen_gen != t->gen) {
		t->seen_gen = t->gen;
		t->next_ns = t->first_ns;
	}
	expected = t->next_ns + (uint64_t)overrun * t->period_ns;
	if (t->next_ns && now < expected) {
		/* stale: signal of an earlier arming; the current one is still due */
		pthread_mutex_unlock(&t->lock);
		return 0;
	}
	if (t->period_ns)
		t->next_ns = expected + t->period_ns;
	else
		t->next_ns = 0;
	pthread_mutex_unlock(&t->lock);
	if (!expected)
		return 0;
	late = now > expected ? now - expected : 0;
	if (late > LATE_CAP_NS)
		late = LATE_CAP_NS;
	if (late > t->late_max_ns)
		t->late_max_ns = late;
	t->late_sum_ns += late;
	if (t->samples_ns) {
		t->samples_ns[t->nlate % TIMER_MAX_SAMPLES] = (uint32_t)late;
		if (t->nsamples < TIMER_MAX_SAMPLES)
			t->nsamples++;
	}
	t->nlate++;
	return late;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t timer_lateness_pct(const struct vmm_timer *t, double p)
{
	uint32_t *tmp;
	uint64_t v;
	size_t i;

	if (!t->nsamples || !t->samples_ns)
		return 0;
	tmp = malloc(t->nsamples * sizeof(*tmp));
	if (!tmp)
		return 0;
	memcpy(tmp, t->samples_ns, t->nsamples * sizeof(*tmp));
	qsort(tmp, t->nsamples, sizeof(*tmp), cmp_u32);
	i = (size_t)(p / 100.0 * (t->nsamples - 1) + 0.5);
	if (i >= t->nsamples)
		i = t->nsamples - 1;
	v = tmp[i];
	free(tmp);
	return v;
}
