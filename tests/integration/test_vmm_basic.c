// SPDX-License-Identifier: GPL-2.0-only
/*
 * pv-vmm on real /dev/kvm with tiny hand-assembled ring-0 guests (guests/NAME.S): console,
 * exit status, exits by reason, unassigned PIO/MMIO, guest faults and floods, CLI and
 * image errors. Skips without /dev/kvm. Every run is bounded (tl_wait kills after a
 * timeout and the test then fails).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

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

#define RUN(tag, code, timeout, ...) run_guest(tag, code, sizeof(code), timeout, \
					       (const char *const[]){ __VA_ARGS__, NULL })

struct result {
	int status;
	char *out;
	char *err;
};

static struct result run_guest(const char *tag, const unsigned char *code, size_t len,
			       int timeout_ms, const char *const *extra)
{
	struct tl_vmm v;
	struct result r;

	tl_init(&v, tag);
	assert_int_equal(tl_write_elf(v.kernel, code, len), 0);
	assert_int_equal(tl_start(&v, v.kernel, extra), 0);
	r.status = tl_wait(&v, timeout_ms);
	r.out = tl_slurp(v.out);
	r.err = tl_slurp(v.err);
	if (r.status < 0)
		print_message("%s: timed out; stderr:\n%s\n", tag, r.err);
	return r;
}

static void result_free(struct result *r)
{
	free(r->out);
	free(r->err);
}

static void test_hello_poweroff(void **state)
{
	static const char *const vcpus[] = { "1", "2" };
	unsigned int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct result r = RUN("hello", g_hello, 10000, "--vcpus", vcpus[i], "--mem", "32M",
				      "--duration-ms", "5000");

		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.out, "hello from guest\n"));
		assert_non_null(strstr(r.err, "end reason=poweroff status=0"));
		assert_true(tl_field(r.err, "dev uart", "writes") >= 17);
		result_free(&r);
	}
}

/* How each guest ends: exit status and the reason named in the summary. */
static void test_endings_table(void **state)
{
	static const struct {
		const char *tag;
		const unsigned char *code;
		size_t len;
		int status;
		const char *reason;
		const char *extra;
	} cases[] = {
		{ "status3", g_status3, sizeof(g_status3), 1, "end reason=poweroff status=3", NULL },
		{ "triple", g_triple, sizeof(g_triple), 1, "end reason=triple-fault", NULL },
		{ "badinsn", g_badinsn, sizeof(g_badinsn), 1, "end reason=emulation-failure", NULL },
		{ "reset", g_reset, sizeof(g_reset), 0, "end reason=reset", NULL },
		{ "spin", g_spin, sizeof(g_spin), 0, "end reason=duration", NULL },
		{ "halt", g_halt, sizeof(g_halt), 0, "end reason=duration", NULL },
		{ "mmio", g_mmio, sizeof(g_mmio), 0, "end reason=poweroff status=0", "mmio ones" },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct result r = run_guest(cases[i].tag, cases[i].code, cases[i].len, 15000,
			(const char *const[]){ "--vcpus", "2", "--duration-ms", "300", NULL });

		if (r.status != cases[i].status || !strstr(r.err, cases[i].reason))
			fail_msg("%s: status %d, stderr:\n%s", cases[i].tag, r.status, r.err);
		if (cases[i].extra)
			assert_non_null(strstr(r.out, cases[i].extra));
		if (cases[i].code == g_mmio)
			assert_int_equal(tl_field(r.err, "pv-vmm: unhandled", "mmio"), 1000);
		if (cases[i].status)
			assert_non_null(strstr(r.err, "guest fault:"));
		result_free(&r);
	}
}

static void test_pio_exits_counted(void **state)
{
	struct result r = RUN("pio", g_pio, 20000, "--duration-ms", "15000");

	(void)state;
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "pio done"));
	assert_true(tl_field(r.err, "vcpu0 exits", "pio") >= 20000);
	assert_true(tl_field(r.err, "pv-vmm: unhandled", "pio") >= 20000);
	print_message("pio: %s", strstr(r.err, "pv-vmm: vcpu0 exits"));
	result_free(&r);
}

static void test_exit_flood_contained(void **state)
{
	struct tl_vmm v;
	char reply[8192];
	uint64_t t0;
	int fd, answered = 0, st;

	(void)state;
	tl_init(&v, "flood");
	assert_int_equal(tl_write_elf(v.kernel, g_flood, sizeof(g_flood)), 0);
	assert_int_equal(tl_start(&v, v.kernel, (const char *const[]){ "--exit-limit", "20000",
		"--flood-ms", "1000", "--duration-ms", "20000", "--control-sock", v.sock, NULL }), 0);
	fd = tl_ctl_connect(v.sock, 3000);
	assert_true(fd >= 0);
	/* the control socket keeps answering while the guest floods */
	for (t0 = tl_now_ms(); tl_now_ms() - t0 < 600; usleep(50000))
		if (tl_ctl_call(fd, "{\"id\":1,\"cmd\":\"stats\"}", reply, sizeof(reply), NULL, NULL, 0) == 0 &&
		    strstr(reply, "\"ok\":true"))
			answered++;
	assert_true(answered >= 5);
	st = tl_wait(&v, 10000);
	close(fd);
	{
		char *err = tl_slurp(v.err);

		if (st != 1 || !strstr(err, "end reason=exit-flood"))
			fail_msg("flood: status %d\n%s", st, err);
		assert_true(tl_field(err, "vcpu0 exits", "throttled_ms") >= 0);
		free(err);
	}
}

static void test_cli_errors(void **state)
{
	static const struct {
		const char *args[8];
		int status;
		const char *msg;
	} cases[] = {
		{ { "--vcpus", "0", NULL }, 2, "--vcpus" },
		{ { "--vcpus", "x", NULL }, 2, "not a number" },
		{ { "--mem", "1K", NULL }, 2, "--mem" },
		{ { "--mem", "12Q", NULL }, 2, "--mem" },
		{ { "--halt-mode", "sleep", NULL }, 2, "--halt-mode" },
		{ { "--poll-ns", "-1", NULL }, 2, "--poll-ns" },
		{ { "--timer-us", "5", NULL }, 2, "--timer-us" },
		{ { "--bogus", NULL }, 2, "unknown option" },
		{ { "extra", NULL }, 2, "unexpected argument" },
		{ { "--kernel", "/nonexistent.elf", NULL }, 1, "No such file" },
		{ { "--kernel", "/etc/hostname", NULL }, 1, "neither ELF64 nor bzImage" },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tl_vmm v;
		const char *kernel = NULL;
		char *err;
		int st;

		tl_init(&v, "cli");
		if (strcmp(cases[i].args[0], "--kernel")) {
			assert_int_equal(tl_write_elf(v.kernel, g_hello, sizeof(g_hello)), 0);
			kernel = v.kernel;
		}
		assert_int_equal(tl_start(&v, kernel, cases[i].args), 0);
		st = tl_wait(&v, 5000);
		err = tl_slurp(v.err);
		if (st != cases[i].status || !strstr(err, cases[i].msg))
			fail_msg("case %u: status %d, stderr: %s", i, st, err);
		free(err);
	}
}

/* Malformed images are refused before the guest runs, with the loader's message. */
static void test_bad_images(void **state)
{
	struct tl_vmm v;
	char *err;
	int st;

	(void)state;
	tl_init(&v, "badimg");
	assert_int_equal(tl_write_elf(v.kernel, g_hello, sizeof(g_hello)), 0);
	/* truncate the program header table */
	assert_int_equal(truncate(v.kernel, 80), 0);
	assert_int_equal(tl_start(&v, v.kernel, NULL), 0);
	st = tl_wait(&v, 5000);
	err = tl_slurp(v.err);
	assert_int_equal(st, 1);
	assert_non_null(strstr(err, "program headers beyond the file"));
	free(err);
	/* a segment larger than RAM: p_memsz (at 64 + 40) = 256 MiB */
	assert_int_equal(tl_write_elf(v.kernel, g_hello, sizeof(g_hello)), 0);
	{
		uint64_t memsz = 256ull << 20;
		int fd = open(v.kernel, O_WRONLY);

		assert_int_equal(pwrite(fd, &memsz, 8, 64 + 40), 8);
		close(fd);
	}
	assert_int_equal(tl_start(&v, v.kernel, (const char *const[]){ "--mem", "64M", NULL }), 0);
	st = tl_wait(&v, 5000);
	err = tl_slurp(v.err);
	assert_int_equal(st, 1);
	assert_non_null(strstr(err, "outside guest RAM"));
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_poweroff),
		cmocka_unit_test(test_endings_table),
		cmocka_unit_test(test_pio_exits_counted),
		cmocka_unit_test(test_exit_flood_contained),
		cmocka_unit_test(test_cli_errors),
		cmocka_unit_test(test_bad_images),
	};

	if (need_kvm(NULL))
		return 0;	/* skipped cleanly (message printed) */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
