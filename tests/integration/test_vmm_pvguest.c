// SPDX-License-Identifier: GPL-2.0-only
/*
 * pv-vmm running pvguest (build/guest/pvguest.elf; skipped when absent or without /dev/kvm):
 * every workload on 1 and 2 vCPUs, console checked, guest task switches and RT events seen
 * by a consumer of the shm rings (attached through `hello`), and the hostile modes ending or
 * contained with a clear reason while the control socket keeps answering.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/integration/vmm_testlib.h"

static char guest[256];

static int need_guest(void **state)
{
	(void)state;
	snprintf(guest, sizeof(guest), "%s/guest/pvguest.elf", tl_build());
	if (!tl_have_kvm() || access(guest, R_OK)) {
		print_message("no /dev/kvm or %s: skipped\n", guest);
		return -1;
	}
	return 0;
}

struct run {
	int status;
	char *out, *err;
	struct tl_counts vc[2], gc[2];
	uint64_t rejects[2];
	uint64_t unhandled_pio, unhandled_mmio;
	int answered;
	bool attached;
};

/* Run pvguest with a control socket; attach, poll `stats` while it runs, count the rings. */
static void run_pvguest(struct run *r, const char *tag, const char *vcpus, const char *workload,
			const char *duration, const char *const *extra)
{
	const char *args[32] = { "--vcpus", vcpus, "--workload", workload, "--duration-ms", duration,
				 "--ring-order", "18", "--control-sock", NULL };
	struct tl_vmm v;
	struct pv_shm shm;
	char reply[16384];
	int n = 9, i, fd, shm_fd = -1;
	uint32_t k;

	memset(r, 0, sizeof(*r));
	tl_init(&v, tag);
	args[n++] = v.sock;
	for (i = 0; extra && extra[i]; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	assert_int_equal(tl_start(&v, guest, args), 0);
	fd = tl_ctl_connect(v.sock, 3000);
	if (fd < 0 || tl_ctl_call(fd, "{\"id\":1,\"cmd\":\"hello\"}", reply, sizeof(reply), &shm_fd,
				  NULL, 0) || shm_fd < 0) {
		/* a guest that dies within milliseconds may be gone before we connect */
		if (fd >= 0)
			close(fd);
		r->status = tl_wait(&v, 20000);
		r->out = tl_slurp(v.out);
		r->err = tl_slurp(v.err);
		return;
	}
	r->attached = true;
	assert_int_equal(pv_shm_attach(&shm, shm_fd), 0);
	while (tl_ctl_call(fd, "{\"id\":2,\"cmd\":\"stats\"}", reply, sizeof(reply), NULL, NULL, 0) == 0 &&
	       strstr(reply, "\"ok\":true")) {
		r->answered++;
		for (k = 0; k < shm.hdr.nvcpus && k < 2; k++) {	/* consume as we go */
			tl_count_ring(&shm, k, &r->vc[k]);
			tl_count_ring(&shm, pv_shm_guest_ring(&shm, k), &r->gc[k]);
		}
		usleep(100000);
	}
	close(fd);
	r->status = tl_wait(&v, 20000);
	for (k = 0; k < shm.hdr.nvcpus && k < 2; k++) {
		tl_count_ring(&shm, k, &r->vc[k]);
		tl_count_ring(&shm, pv_shm_guest_ring(&shm, k), &r->gc[k]);
		r->rejects[k] = atomic_load(&pv_shm_vcpu(&shm, k)->guest_rejects);
	}
	r->unhandled_pio = atomic_load(&pv_shm_vm(&shm)->unhandled_pio);
	r->unhandled_mmio = atomic_load(&pv_shm_vm(&shm)->unhandled_mmio);
	pv_shm_close(&shm);
	r->out = tl_slurp(v.out);
	r->err = tl_slurp(v.err);
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static void test_workloads(void **state)
{
	static const struct {
		const char *vcpus, *workload;
	} cases[] = {
		{ "2", "rt:period_us=1000,wcet_us=200;cpu" },
		{ "1", "rt:period_us=2000,wcet_us=300" },
		{ "1", "cpu" },
		{ "2", "burst:on_ms=20,off_ms=30;idle" },
		{ "1", "pio-loop:n=5000" },
		{ "1", "hlt-wake:n=200,period_us=1000" },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r;

		run_pvguest(&r, "wl", cases[i].vcpus, cases[i].workload, "800", NULL);
		if (r.status != 0 || !strstr(r.out, "pvguest: done status=0"))
			fail_msg("%s: status %d\n%s\n%s", cases[i].workload, r.status, r.out, r.err);
		assert_true(r.answered >= 1);
		/* every vCPU ran and was traced; the guest reported task switches */
		assert_true(r.vc[0].by_type[PV_EV_VM_ENTRY] > 0);
		assert_true(r.gc[0].by_type[PV_EV_TASK_SWITCH] > 0);
		assert_int_equal(r.vc[0].nonmono + r.gc[0].nonmono + r.vc[1].nonmono + r.gc[1].nonmono, 0);
		assert_int_equal(r.rejects[0] + r.rejects[1], 0);
		if (!strncmp(cases[i].workload, "rt:", 3)) {
			assert_true(r.gc[0].by_type[PV_EV_RT_ACTIVATE] > 100);
			assert_true(r.gc[0].by_type[PV_EV_RT_COMPLETE] > 100);
		}
		print_message("%-40s vcpus=%s exits=%llu guest-events=%llu halted_ms=%llu\n",
			      cases[i].workload, cases[i].vcpus,
			      (unsigned long long)r.vc[0].by_type[PV_EV_VM_EXIT],
			      (unsigned long long)r.gc[0].total,
			      (unsigned long long)(r.vc[0].halt_ns / 1000000));
		run_free(&r);
	}
}

/*
 * Idle polling (pv_abi.h): in halt mode poll the VMM publishes its window and pvguest spins
 * to a timer deadline inside it instead of halting, which shortens the wake path; in mode
 * exit it always halts.
 */
static void test_idle_polling(void **state)
{
	static const char *const poll_args[] = { "--halt-mode", "poll", "--poll-ns", "2000000", NULL };
	static const char *const exit_args[] = { "--halt-mode", "exit", NULL };
	long long polls[2], p50[2];
	struct run r;

	(void)state;
	for (int i = 0; i < 2; i++) {
		run_pvguest(&r, "poll", "1", "hlt-wake:n=300,period_us=1000", "0",
			    i == 0 ? poll_args : exit_args);
		if (r.status != 0 || !strstr(r.out, "pvguest: done status=0"))
			fail_msg("status %d\n%s\n%s", r.status, r.out, r.err);
		polls[i] = tl_field(r.out, "pvguest: vcpu 0 ", "idle_polls");
		p50[i] = tl_field(r.out, "pvguest: hlt-wake ", "p50");
		run_free(&r);
	}
	print_message("idle polls %lld vs %lld, wake p50 %lld us (poll) vs %lld us (exit)\n",
		      polls[0], polls[1], p50[0], p50[1]);
	assert_true(polls[0] >= 290);	/* every 1 ms sleep fits the 2 ms window */
	assert_int_equal(polls[1], 0);
	assert_true(p50[0] >= 0 && p50[0] < p50[1]);
}

static void test_hostile(void **state)
{
	static const struct {
		const char *workload;
		int status;
		const char *reason;
		const char *extra[5];
	} cases[] = {
		{ "triple-fault", 1, "end reason=triple-fault", { NULL } },
		{ "bad-insn", 1, "end reason=emulation-failure", { NULL } },
		{ "garbage-ports:n=2000", 0, "end reason=poweroff status=0", { NULL } },
		{ "garbage-mmio:n=2000", 0, "end reason=poweroff status=0", { NULL } },
		{ "bad-pv:n=200", 0, "end reason=poweroff status=0", { NULL } },
		{ "exit-flood", 1, "end reason=exit-flood",
		  { "--exit-limit", "20000", "--flood-ms", "500", NULL } },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r;

		run_pvguest(&r, "hostile", "1", cases[i].workload, "1500", cases[i].extra);
		print_message("%-22s status=%d %.*s\n", cases[i].workload, r.status,
			      (int)strcspn(strstr(r.err, "pv-vmm: end") ? strstr(r.err, "pv-vmm: end") : "", "\n"),
			      strstr(r.err, "pv-vmm: end") ? strstr(r.err, "pv-vmm: end") : "");
		if (r.status != cases[i].status || !strstr(r.err, cases[i].reason))
			fail_msg("%s: status %d\n%s\n%s", cases[i].workload, r.status, r.out, r.err);
		if (cases[i].status == 0 || strstr(cases[i].workload, "flood")) {
			/* long-running cases: attached, and the socket answered while contained */
			assert_true(r.attached);
			assert_true(r.answered >= 1);
		}
		if (strstr(cases[i].workload, "garbage-ports"))
			assert_true(r.unhandled_pio > 0);
		if (strstr(cases[i].workload, "garbage-mmio"))
			assert_true(r.unhandled_mmio > 0);
		if (strstr(cases[i].workload, "bad-pv"))
			assert_true(r.rejects[0] > 0);
		run_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_workloads),
		cmocka_unit_test(test_idle_polling),
		cmocka_unit_test(test_hostile),
	};

	if (need_guest(NULL))
		return 0;	/* skipped cleanly (message printed) */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
