// SPDX-License-Identifier: GPL-2.0-only
/* Atomic state files: round trip, bad names, and kill -9 at random instants never corrupts. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <jansson.h>

#include "daemon/persist.h"

static int setup_dir(void **state)
{
	char *dir = strdup("/tmp/pv-persist-XXXXXX");

	if (!dir || !mkdtemp(dir))
		return -1;
	*state = dir;
	return 0;
}

static int teardown_dir(void **state)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", (char *)*state);
	free(*state);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_round_trip(void **state)
{
	const char *dir = *state;
	json_t *in = json_pack("{s:i, s:s}", "seq", 42, "vm", "rt0"), *out;

	assert_int_equal(persist_write_json(dir, "state.json", in), 0);
	out = persist_read_json(dir, "state.json");
	assert_non_null(out);
	assert_true(json_equal(in, out));
	json_decref(in);
	json_decref(out);
}

static void test_bad_names_and_missing(void **state)
{
	const char *dir = *state;

	assert_int_equal(persist_write(dir, "a/b", "x", 1), -EINVAL);
	assert_int_equal(persist_write(dir, "", "x", 1), -EINVAL);
	assert_int_equal(persist_write("/nonexistent-dir", "x", "x", 1), -ENOENT);
	errno = 0;
	assert_null(persist_read_json(dir, "absent.json"));
	assert_int_equal(errno, ENOENT);
	assert_int_equal(persist_write(dir, "corrupt.json", "{\"seq\":", 7), 0);
	assert_null(persist_read_json(dir, "corrupt.json"));
	assert_int_equal(errno, EINVAL);
}

static void test_mkdir_nested(void **state)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/a/b/c", (char *)*state);
	assert_int_equal(persist_mkdir(path), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(persist_mkdir(path), 0);	/* idempotent */
}

/* Child: rewrite the file forever with an increasing sequence and a large payload. */
static void writer_loop(const char *dir)
{
	char *pad = malloc(64 * 1024);
	json_int_t seq;

	memset(pad, 'x', 64 * 1024 - 1);
	pad[64 * 1024 - 1] = '\0';
	for (seq = 1;; seq++) {
		json_t *j = json_pack("{s:I, s:s, s:I}", "seq", seq, "pad", pad, "check", seq * 7);

		if (persist_write_json(dir, "state.json", j))
			_exit(2);
		json_decref(j);
	}
}

static void test_kill9_never_corrupts(void **state)
{
	const char *dir = *state;
	json_int_t last = 0;
	int round, complete = 0;

	srand((unsigned int)time(NULL));
	for (round = 0; round < 40; round++) {
		pid_t pid = fork();
		struct timespec ts = { 0, (long)(rand() % 15000) * 1000 };
		json_t *j;

		assert_true(pid >= 0);
		if (pid == 0)
			writer_loop(dir);
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);

		j = persist_read_json(dir, "state.json");
		if (!j) {
			/* only acceptable before the very first rename ever happened */
			assert_int_equal(errno, ENOENT);
			assert_int_equal(last, 0);
			continue;
		}
		json_int_t seq = json_integer_value(json_object_get(j, "seq"));
		json_int_t check = json_integer_value(json_object_get(j, "check"));

		assert_true(seq >= 1);
		assert_int_equal(check, seq * 7);
		assert_int_equal(strlen(json_string_value(json_object_get(j, "pad"))), 64 * 1024 - 1);
		last = seq;
		complete++;
		json_decref(j);
	}
	assert_true(complete > 0);
	/* killed writers leave temporaries behind; the daemon removes them at start */
	assert_true(persist_clean(dir) >= 0);
	assert_int_equal(persist_clean(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_bad_names_and_missing, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_mkdir_nested, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_kill9_never_corrupts, setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests_name("persist", tests, NULL, NULL);
}
