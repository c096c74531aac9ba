/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Running the real pvctl binary in pvctl's end-to-end tests: a temp dir (the HOME of every
 * run, so no user configuration leaks in), the fake daemon of pvctl_fake.h, and pvctl
 * run with fork/exec, its stdout, stderr and exit status captured for checks.
 *
 * This file is cmocka-free (tests/common/ links into benchmarks too): the checks return
 * NULL or what is wrong, and the upper-case macros, expanded in the test programs, turn
 * that into cmocka failures.
 */
#ifndef PV_TESTS_PVCTL_RUN_H
#define PV_TESTS_PVCTL_RUN_H

#include <limits.h>
#include <stddef.h>

#include "tests/common/pvctl_fake.h"

#define PVCTL_RUN_MAX_ARGS	32

struct pvctl_run {
	char bin[PATH_MAX];		/* pvctl under test: $PVCTL_BIN, else build/pvctl */
	char dir[64];			/* temp dir */
	/* the last run */
	int status;			/* exit status, or 128 + signal */
	char out[65536];
	char err[8192];
};

extern struct pvctl_run pvrun;

/* cmocka group set-up and tear-down: the temp dir and the fake daemon. */
int pvctl_run_setup(void **state);
int pvctl_run_teardown(void **state);

/* Run pvctl with @env_extra (NULL-terminated, added to PATH and HOME) and @args. */
int pvctl_run(char *const env_extra[], char *const args[]);

#define ENV(...) ((char *const[]){ __VA_ARGS__, NULL })
#define ARGS(...) ((char *const[]){ __VA_ARGS__, NULL })
/* pvctl --addr <fake> --token ADMIN ... */
#define PV(...) pvctl_run(NULL, ARGS("--addr", pvfake.addr, "--token", PVFAKE_ADMIN_TOK, \
				     __VA_ARGS__))
/* the same with --json */
#define PVJ(...) pvctl_run(NULL, ARGS("--json", "--addr", pvfake.addr, "--token", \
				      PVFAKE_ADMIN_TOK, __VA_ARGS__))

/* NULL when the last run exited @status, its stdout has @out_has and its stderr is @err_is
 * (NULL: not checked), else what differs. */
const char *pvctl_run_differs(int status, const char *out_has, const char *err_is);
/* NULL when stdout is the JSON of @fixture_json (pvfake_jq syntax), else what differs. */
const char *pvctl_run_json_differs(const char *fixture_json);
/* The line of stdout that contains @needle, in @buf; "(no line with '...')" without one. */
const char *pvctl_run_line_with(const char *needle, char *buf, size_t len);
#define LINE_WITH(needle, buf) pvctl_run_line_with(needle, buf, sizeof(buf))
/* Write @text to @path; 0 or -1. */
int pvctl_run_write_text(const char *path, const char *text);

/* cmocka checks, for the test programs */
#define PVCTL_FAIL_IF(why) do { \
	const char *why_ = (why); \
	if (why_) \
		fail_msg("%s", why_); \
} while (0)
#define EXPECT(status, out_has, err_is) PVCTL_FAIL_IF(pvctl_run_differs(status, out_has, err_is))
#define EXPECT_JSON_STDOUT(fixture_json) PVCTL_FAIL_IF(pvctl_run_json_differs(fixture_json))
#define EXPECT_BODY(want_json) PVCTL_FAIL_IF(pvfake_body_differs(want_json))
#define WRITE_TEXT(path, text) assert_int_equal(pvctl_run_write_text(path, text), 0)

#endif /* PV_TESTS_PVCTL_RUN_H */
