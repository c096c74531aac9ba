// SPDX-License-Identifier: GPL-2.0-only
/*
 * Slow suite: boot Debian's Linux bzImage ($PV_LINUX_KERNEL, which `make test-slow` points at
 * the kernel scripts/fetch-linux.sh extracted from Debian's linux-image package; else
 * /boot/vmlinuz-*)
 * in pv-vmm through the 64-bit boot protocol and wait for its first console line
 * ("Linux version"). On the nested build hosts that is as far as Linux gets (ring 0 is
 * emulated, see docs ENVIRONMENT.md), so the VM is then shut down. Skipped without
 * /dev/kvm or a kernel.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <glob.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/integration/vmm_testlib.h"

static char kernel[512];

static int need_linux(void **state)
{
	const char *env = getenv("PV_LINUX_KERNEL");
	glob_t g;

	(void)state;
	if (tl_have_kvm() && env && !access(env, R_OK)) {
		snprintf(kernel, sizeof(kernel), "%s", env);
		return 0;
	}
	if (!tl_have_kvm() || glob("/boot/vmlinuz-*", 0, NULL, &g)) {
		print_message("no /dev/kvm or no kernel ($PV_LINUX_KERNEL, /boot/vmlinuz-*): skipped\n");
		return -1;
	}
	snprintf(kernel, sizeof(kernel), "%s", g.gl_pathv[g.gl_pathc - 1]);
	globfree(&g);
	return 0;
}

static void test_linux_banner(void **state)
{
	struct tl_vmm v;
	uint64_t t0 = tl_now_ms();
	char *out = NULL;
	int st;

	(void)state;
	tl_init(&v, "linux");
	assert_int_equal(tl_start(&v, kernel, (const char *const[]){ "--mem", "512M",
		"--cmdline", "console=ttyS0 earlyprintk=serial,ttyS0 noapic nolapic_timer",
		"--duration-ms", "120000", "--no-sandbox", NULL }), 0);
	while (tl_now_ms() - t0 < 120000) {
		free(out);
		out = tl_slurp(v.out);
		if (strstr(out, "Linux version"))
			break;
		if (waitpid(v.pid, &st, WNOHANG) == v.pid)
			break;
		usleep(200000);
	}
	kill(v.pid, SIGTERM);
	tl_wait(&v, 10000);
	print_message("linux: %s after %llu ms\n", strstr(out, "Linux version") ? "banner" : "no banner",
		      (unsigned long long)(tl_now_ms() - t0));
	if (!strstr(out, "Linux version")) {
		char *err = tl_slurp(v.err);

		fail_msg("no banner; console:\n%.2000s\nstderr:\n%.2000s", out, err);
	}
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linux_banner),
	};

	if (need_linux(NULL))
		return 0;	/* skipped cleanly (message printed) */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
