// SPDX-License-Identifier: GPL-2.0-only
/*
 * pv-vmm control socket and shared-memory tracing on real /dev/kvm (hand-assembled guests):
 * hello passes the shm memfd, a consumer attached with pv_shm_attach sees exits by reason,
 * entries, halts and VMM timer fires; pause / resume / shutdown; halt modes (what the host
 * honours is printed); paravirtual records validated; the 1 ms VMM timer fires >= 95 %.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sched.h>

#include "tests/integration/vmm_guests.h"
#include "tests/integration/vmm_testlib.h"

static int need_kvm(void **state)
{
	(void)state;
	if (!tl_have_kvm()) {
		print_message("no /dev/kvm: skipped\n");
		return -1;
	}
	return 0;
}

/* Wait up to 2 s for a counter to reach @want. */
static uint64_t wait_for(_Atomic uint64_t *p, uint64_t want)
{
	uint64_t t0 = tl_now_ms();

	while (atomic_load(p) != want && tl_now_ms() - t0 < 2000)
		usleep(5000);
	return atomic_load(p);
}

struct live {
	struct tl_vmm v;
	int fd;
	struct pv_shm shm;
	char events[16384];
	char hello[4096];
};

/* Start a guest with a control socket, say hello and attach to its shm. */
static void live_start(struct live *l, const char *tag, const unsigned char *code, size_t len,
		       const char *const *extra)
{
	const char *args[32];
	char reply[4096];
	int shm_fd = -1, n = 0, i;

	memset(l, 0, sizeof(*l));
	tl_init(&l->v, tag);
	assert_int_equal(tl_write_elf(l->v.kernel, code, len), 0);
	args[n++] = "--control-sock";
	args[n++] = l->v.sock;
	for (i = 0; extra && extra[i]; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	assert_int_equal(tl_start(&l->v, l->v.kernel, args), 0);
	l->fd = tl_ctl_connect(l->v.sock, 3000);
	assert_true(l->fd >= 0);
	assert_int_equal(tl_ctl_call(l->fd, "{\"id\":1,\"cmd\":\"hello\"}", reply, sizeof(reply),
				     &shm_fd, l->events, sizeof(l->events)), 0);
	assert_non_null(strstr(reply, "\"ok\":true"));
	assert_non_null(strstr(reply, "\"vcpu_tids\":["));
	snprintf(l->hello, sizeof(l->hello), "%s", reply);
	assert_true(shm_fd >= 0);
	assert_int_equal(pv_shm_attach(&l->shm, shm_fd), 0);
}

static int live_end(struct live *l, int timeout_ms, char **err)
{
	int st = tl_wait(&l->v, timeout_ms);

	close(l->fd);
	*err = tl_slurp(l->v.err);
	return st;
}

static void test_trace_pio_and_entries(void **state)
{
	struct live l;
	struct tl_counts c = { 0 };
	char *err;

	(void)state;
	live_start(&l, "tpio", g_pio, sizeof(g_pio),
		   (const char *const[]){ "--ring-order", "17", "--duration-ms", "15000", NULL });
	assert_int_equal(live_end(&l, 20000, &err), 0);
	tl_count_ring(&l.shm, 0, &c);
	assert_true(c.exit_by_reason[PV_EXIT_PIO] >= 20000);
	assert_int_equal(c.exit_by_reason[PV_EXIT_PV_CALL], 1);
	/* one entry per exit (the last exit ends the VM) */
	assert_true(c.by_type[PV_EV_VM_ENTRY] >= c.by_type[PV_EV_VM_EXIT] - 1);
	assert_int_equal(c.nonmono, 0);
	assert_int_equal(atomic_load(&pv_shm_vm(&l.shm)->end_reason), PV_END_POWEROFF);
	assert_true(atomic_load(&pv_shm_vm(&l.shm)->unhandled_pio) >= 20000);
	assert_true(atomic_load(&pv_shm_vcpu(&l.shm, 0)->exits[PV_EXIT_PIO]) >= 20000);
	pv_shm_close(&l.shm);
	free(err);
}

/* Halted time seen in the rings for each halt mode; what the host honoured is printed. */
static void test_halt_modes(void **state)
{
	static const char *const modes[] = { "exit", "poll", "native" };
	unsigned int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct live l;
		struct tl_counts c0 = { 0 }, c1 = { 0 };
		char *err, *line;
		uint64_t h0;

		live_start(&l, modes[i], g_halt, sizeof(g_halt),
			   (const char *const[]){ "--vcpus", "2", "--halt-mode", modes[i],
				"--poll-ns", "50000", "--timer-us", "10000", "--duration-ms", "600", NULL });
		assert_int_equal(live_end(&l, 10000, &err), 0);
		tl_count_ring(&l.shm, 0, &c0);
		tl_count_ring(&l.shm, 1, &c1);
		h0 = atomic_load(&pv_shm_vcpu(&l.shm, 0)->halt_ns);
		line = strstr(err, "pv-vmm: halt ");
		print_message("halt-mode %s: %.*s; vcpu0 halt_ns=%llu ring halted=%llu ms, HALT pairs %llu\n",
			      modes[i], line ? (int)(strchr(line, '\n') - line) : 0, line ? line : "",
			      (unsigned long long)h0, (unsigned long long)(c0.halt_ns / 1000000),
			      (unsigned long long)c0.by_type[PV_EV_HALT_END]);
		assert_non_null(line);
		assert_true(c0.by_type[PV_EV_HALT_BEGIN] == c0.by_type[PV_EV_HALT_END]);
		assert_true(c0.by_type[PV_EV_HALT_END] >= 5);
		assert_true(c1.by_type[PV_EV_HALT_END] >= 5);
		assert_true(c0.by_type[PV_EV_TIMER_FIRE] >= 20);
		/* the guest halts nearly all the time: most of the run shows as halted */
		assert_true(c0.halt_ns > 300ull * 1000000);
		assert_int_equal(c0.nonmono, 0);
		assert_int_equal(c1.nonmono, 0);
		pv_shm_close(&l.shm);
		free(err);
	}
}

static void test_pause_resume_shutdown(void **state)
{
	struct live l;
	char reply[8192], *err;
	uint64_t fires;

	(void)state;
	live_start(&l, "pause", g_spin, sizeof(g_spin),
		   (const char *const[]){ "--vcpus", "2", "--duration-ms", "20000", NULL });
	usleep(100000);
	assert_int_equal(tl_ctl_call(l.fd, "{\"id\":2,\"cmd\":\"pause\"}", reply, sizeof(reply), NULL,
				     l.events, sizeof(l.events)), 0);
	assert_non_null(strstr(reply, "\"ok\":true"));
	assert_int_equal(wait_for(&pv_shm_vcpu(&l.shm, 0)->run_state, PV_VCPU_PAUSED), PV_VCPU_PAUSED);
	assert_int_equal(wait_for(&pv_shm_vcpu(&l.shm, 1)->run_state, PV_VCPU_PAUSED), PV_VCPU_PAUSED);
	assert_int_equal(atomic_load(&pv_shm_vm(&l.shm)->state), PV_VM_PAUSED);
	/* paused vCPUs do not run: the exit counters stand still */
	fires = atomic_load(&pv_shm_vcpu(&l.shm, 0)->guest_ns);
	usleep(100000);
	assert_int_equal(atomic_load(&pv_shm_vcpu(&l.shm, 0)->guest_ns), fires);
	assert_int_equal(tl_ctl_call(l.fd, "{\"id\":3,\"cmd\":\"resume\"}", reply, sizeof(reply), NULL,
				     l.events, sizeof(l.events)), 0);
	assert_non_null(strstr(reply, "\"ok\":true"));
	assert_int_equal(wait_for(&pv_shm_vcpu(&l.shm, 0)->run_state, PV_VCPU_RUNNING), PV_VCPU_RUNNING);
	/* bad requests get errors, the server stays up */
	assert_int_equal(tl_ctl_call(l.fd, "{nope", reply, sizeof(reply), NULL, l.events, sizeof(l.events)), 0);
	assert_non_null(strstr(reply, "\"ok\":false"));
	assert_int_equal(tl_ctl_call(l.fd, "{\"id\":4,\"cmd\":\"set-timer\",\"vcpu\":9,\"period_us\":1000}",
				     reply, sizeof(reply), NULL, l.events, sizeof(l.events)), 0);
	assert_non_null(strstr(reply, "\"ok\":false"));
	assert_int_equal(tl_ctl_call(l.fd, "{\"id\":5,\"cmd\":\"set-halt-mode\",\"mode\":\"native\"}",
				     reply, sizeof(reply), NULL, l.events, sizeof(l.events)), 0);
	assert_non_null(strstr(reply, "\"ok\":false"));	/* native only at start */
	assert_int_equal(tl_ctl_call(l.fd, "{\"id\":6,\"cmd\":\"set-halt-mode\",\"mode\":\"poll\",\"poll_ns\":100000}",
				     reply, sizeof(reply), NULL, l.events, sizeof(l.events)), 0);
	assert_non_null(strstr(reply, "\"honoured\":\"poll\""));
	{
		char big[6000];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		assert_int_equal(tl_ctl_call(l.fd, big, reply, sizeof(reply), NULL, l.events, sizeof(l.events)), 0);
		assert_non_null(strstr(reply, "longer than"));
	}
	assert_int_equal(tl_ctl_call(l.fd, "{\"id\":7,\"cmd\":\"stats\"}", reply, sizeof(reply), NULL,
				     NULL, 0), 0);
	assert_non_null(strstr(reply, "\"vcpus\":["));
	assert_int_equal(tl_ctl_call(l.fd, "{\"id\":8,\"cmd\":\"shutdown\"}", reply, sizeof(reply), NULL,
				     l.events, sizeof(l.events)), 0);
	assert_non_null(strstr(reply, "\"ok\":true"));
	{
		char line[1024];

		while (tl_read_line(l.fd, line, sizeof(line), NULL, 2000) == 0) {
			strcat(l.events, line);
			strcat(l.events, "\n");
		}
	}
	assert_int_equal(live_end(&l, 5000, &err), 0);
	assert_non_null(strstr(l.events, "\"state\":\"paused\""));
	assert_non_null(strstr(l.events, "\"state\":\"running\""));
	assert_non_null(strstr(l.events, "\"event\":\"vm-end\""));
	assert_non_null(strstr(l.events, "\"reason\":\"shutdown\""));
	assert_non_null(strstr(err, "end reason=shutdown"));
	pv_shm_close(&l.shm);
	free(err);
}

static void test_pv_records_validated(void **state)
{
	struct live l;
	struct tl_counts g = { 0 };
	struct pv_vcpu_counters *vc;
	char *err;

	(void)state;
	live_start(&l, "pv", g_pv, sizeof(g_pv), (const char *const[]){ "--duration-ms", "5000", NULL });
	assert_int_equal(live_end(&l, 10000, &err), 0);
	tl_count_ring(&l.shm, pv_shm_guest_ring(&l.shm, 0), &g);
	vc = pv_shm_vcpu(&l.shm, 0);
	print_message("pv: %s", strstr(err, "pv-vmm: vcpu0 guest"));
	assert_int_equal(g.by_type[PV_EV_TASK_SWITCH], 1);
	assert_int_equal(g.by_type[PV_EV_RT_ACTIVATE], 1);
	assert_int_equal(atomic_load(&vc->guest_events), 2);
	/* bad type, task id >= 2^16, impossible head */
	assert_true(atomic_load(&vc->guest_rejects) >= 3);
	assert_int_equal(atomic_load(&vc->rt_runnable), 1);
	pv_shm_close(&l.shm);
	free(err);
}

/* 1 ms periodic VMM timer on a busy vCPU: >= 95 % of the expected fires, lateness reported. */
static void test_timer_1ms(void **state)
{
	struct live l;
	struct tl_counts c = { 0 };
	char *err;
	long long fires, run_ms;

	(void)state;
	/* a ring-3 (native speed) CPU hog: the guest never exits on its own */
	live_start(&l, "timer", g_user3spin, sizeof(g_user3spin),
		   (const char *const[]){ "--timer-us", "1000", "--duration-ms", "1000", NULL });
	/* no SCHED_FIFO here: a 100 % ring-3 hog at FIFO is throttled by the RT bandwidth
	 * limit (sched_rt_runtime_us = 950000), which costs exactly ~5 % of the ticks */
	assert_int_equal(live_end(&l, 10000, &err), 0);
	tl_count_ring(&l.shm, 0, &c);
	fires = tl_field(err, "vcpu0 timer", "fires");
	run_ms = tl_field(err, "pv-vmm: end", "run_ms");
	print_message("timer: %s", strstr(err, "pv-vmm: vcpu0 timer"));
	assert_true(run_ms > 0);
	assert_true(fires * 100 >= run_ms * 95);
	assert_true(tl_field(err, "vcpu0 timer", "late_p50_us") >= 0);
	assert_int_equal((long long)c.by_type[PV_EV_TIMER_FIRE], fires);
	pv_shm_close(&l.shm);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_pio_and_entries),
		cmocka_unit_test(test_halt_modes),
		cmocka_unit_test(test_pause_resume_shutdown),
		cmocka_unit_test(test_pv_records_validated),
		cmocka_unit_test(test_timer_1ms),
	};

	if (need_kvm(NULL))
		return 0;	/* skipped cleanly (message printed) */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
