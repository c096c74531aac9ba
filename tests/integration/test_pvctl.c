// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvctl end to end, the CLI as a whole: the real build/pvctl binary, run with fork/exec
 * against the fake daemon of tests/common/pvctl_fake.h — usage and global options, health,
 * token sources and scopes, connection failures, a garbage-speaking and a silent server.
 * The commands are checked in test_pvctl_vm.c (vm, qos) and test_pvctl_node.c (node,
 * metrics, power, trace, top).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "tests/common/pvctl_run.h"

static void test_usage(void **state)
{
	(void)state;
	pvctl_run(NULL, ARGS("--help"));
	EXPECT(0, "vm create -f FILE.json", "");
	pvctl_run(NULL, ARGS("--version"));
	EXPECT(0, "pvctl 1.0.0", "");
	pvctl_run(NULL, ARGS(NULL));
	EXPECT(64, NULL, "pvctl: missing command\nusage: pvctl [global options] COMMAND ...  "
	       "(pvctl --help)\n");
	pvctl_run(NULL, ARGS("frobnicate"));
	EXPECT(64, NULL, NULL);
	assert_non_null(strstr(pvrun.err, "pvctl: unknown command 'frobnicate'\nusage: "));
	PV("vm");
	EXPECT(64, NULL, NULL);
	assert_non_null(strstr(pvrun.err, "usage: pvctl vm list"));
	PV("vm", "show");
	EXPECT(64, NULL, "pvctl: missing VM name\nusage: pvctl vm show NAME\n");
	PV("vm", "show", "Bad/Name");
	EXPECT(64, NULL, "pvctl: invalid VM name 'Bad/Name': use 1-31 characters from a-z, 0-9, "
	       "'_' and '-'\nusage: pvctl vm show NAME\n");
	pvctl_run(NULL, ARGS("--addr", "host:99999", "vm", "list"));
	EXPECT(64, NULL, NULL);
	assert_non_null(strstr(pvrun.err,
			       "pvctl: --addr: 'host:99999': the port must be a number"));
	pvctl_run(NULL, ARGS("--timeout", "5", "vm", "list"));
	EXPECT(64, NULL, NULL);
	assert_non_null(strstr(pvrun.err, "--timeout: '5' needs a unit"));
}

static void test_health(void **state)
{
	(void)state;
	pvctl_run(NULL, ARGS("--addr", pvfake.addr, "health"));	/* public: no token needed */
	EXPECT(0, "alive:  ok\nready:  yes\n", "");
	pvfake.not_ready = true;
	pvctl_run(NULL, ARGS("--addr", pvfake.addr, "health"));
	EXPECT(1, "ready:  no (policy loop not ticking; backend closed)\n", "");
	pvctl_run(NULL, ARGS("--addr", pvfake.addr, "--json", "health"));
	EXPECT(1, "\"ready\": false", "");
	pvfake.not_ready = false;
}

static void test_tokens(void **state)
{
	char tokfile[128], conf[128], conf_line[512], env_tok[64], env_addr[96], env_conf[160];

	(void)state;
	/* no token: 401 from the server, reported with its code */
	pvctl_run(NULL, ARGS("--addr", pvfake.addr, "vm", "list"));
	EXPECT(1, "", "pvctl: unauthorized: a bearer token is required\n");
	pvctl_run(NULL, ARGS("--addr", pvfake.addr, "--token", "wrong-token-0123456789", "vm",
			     "list"));
	EXPECT(1, "", "pvctl: unauthorized: the token is not valid\n");
	/* read-only token: reads work, mutations are 403 */
	pvctl_run(NULL, ARGS("--addr", pvfake.addr, "--token", PVFAKE_READ_TOK, "vm", "list"));
	EXPECT(0, "rt0", "");
	pvctl_run(NULL, ARGS("--addr", pvfake.addr, "--token", PVFAKE_READ_TOK, "vm", "delete",
			     "rt0"));
	EXPECT(1, "", "pvctl: forbidden: this operation needs the admin scope\n");
	/* token from the environment */
	snprintf(env_tok, sizeof(env_tok), "PVCTL_TOKEN=%s", PVFAKE_ADMIN_TOK);
	snprintf(env_addr, sizeof(env_addr), "PVCTL_ADDR=%s", pvfake.addr);
	pvctl_run(ENV(env_tok, env_addr), ARGS("vm", "pause", "rt0"));
	EXPECT(0, "paused VM rt0", "");
	/* --token-file, and flags over the environment */
	snprintf(tokfile, sizeof(tokfile), "%s/admin.tok", pvrun.dir);
	WRITE_TEXT(tokfile, "# pvctl token\n" PVFAKE_ADMIN_TOK "\n");
	pvctl_run(ENV("PVCTL_TOKEN=" PVFAKE_READ_TOK, "PVCTL_ADDR=127.0.0.1:1"),
		  ARGS("--addr", pvfake.addr, "--token-file", tokfile, "vm", "delete", "rt0"));
	EXPECT(0, "deleted VM rt0", "");
	/* config file: addr and token_file (relative to the config's directory) */
	snprintf(conf, sizeof(conf), "%s/pvctl.conf", pvrun.dir);
	snprintf(conf_line, sizeof(conf_line), "# test\naddr = %s\ntoken_file = admin.tok\n",
		 pvfake.addr);
	WRITE_TEXT(conf, conf_line);
	snprintf(env_conf, sizeof(env_conf), "PVCTL_CONFIG=%s", conf);
	pvctl_run(ENV(env_conf), ARGS("vm", "resume", "rt0"));
	EXPECT(0, "resumed VM rt0", "");
	/* the environment beats the config file: a read token now gets 403 */
	pvctl_run(ENV(env_conf, "PVCTL_TOKEN=" PVFAKE_READ_TOK), ARGS("vm", "resume", "rt0"));
	EXPECT(1, "", "pvctl: forbidden: this operation needs the admin scope\n");
	/* a broken config or token file is a configuration error (78) */
	WRITE_TEXT(conf, "addr: 1.2.3.4\n");
	pvctl_run(ENV(env_conf), ARGS("vm", "list"));
	EXPECT(78, "", NULL);
	assert_non_null(strstr(pvrun.err, "line 1: expected 'key = value'"));
	pvctl_run(NULL, ARGS("--addr", pvfake.addr, "--token-file", "/nonexistent.tok", "vm",
			     "list"));
	EXPECT(78, "", "pvctl: token file /nonexistent.tok: No such file or directory\n");
	pvctl_run(ENV("PVCTL_CONFIG=/nonexistent/pvctl.conf"), ARGS("vm", "list"));
	EXPECT(78, "", NULL);
}

static void *silent_or_garbage(void *arg)
{
	int lfd = *(int *)arg, fd = accept(lfd, NULL, NULL);
	char buf[1024];

	if (fd < 0)
		return NULL;
	if (recv(fd, buf, sizeof(buf), 0) > 0 && ((int *)arg)[1])
		send(fd, "SSH-2.0-OpenSSH_9.2\r\n", 21, MSG_NOSIGNAL);
	else
		usleep(600000);
	close(fd);
	return NULL;
}

static void test_connection_errors(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t slen = sizeof(sin);
	char addr[64], msg[256];
	int args[2], fd;
	pthread_t th;

	(void)state;
	/* a port nobody listens on */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	close(fd);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", (unsigned int)ntohs(sin.sin_port));
	pvctl_run(NULL, ARGS("--addr", addr, "vm", "list"));
	snprintf(msg, sizeof(msg), "pvctl: cannot connect to %s: Connection refused — is "
		 "powervisord running?\n", addr);
	EXPECT(2, "", msg);
	pvctl_run(NULL, ARGS("--addr", "unix:/nonexistent/pv.sock", "health"));
	EXPECT(2, "", "pvctl: cannot connect to unix:/nonexistent/pv.sock: No such file or "
	       "directory — is powervisord running?\n");

	/* the Unix socket listener works like TCP */
	pvctl_run(NULL, ARGS("--addr", pvfake.unix_addr, "--token", PVFAKE_ADMIN_TOK, "vm",
			     "list"));
	EXPECT(0, "rt0", "");

	/* a server that speaks something else, and one that never answers */
	for (args[1] = 1; args[1] >= 0; args[1]--) {
		sin.sin_port = 0;
		args[0] = socket(AF_INET, SOCK_STREAM, 0);
		assert_int_equal(bind(args[0], (struct sockaddr *)&sin, sizeof(sin)), 0);
		assert_int_equal(listen(args[0], 2), 0);
		slen = sizeof(sin);
		assert_int_equal(getsockname(args[0], (struct sockaddr *)&sin, &slen), 0);
		snprintf(addr, sizeof(addr), "127.0.0.1:%u", (unsigned int)ntohs(sin.sin_port));
		assert_int_equal(pthread_create(&th, NULL, silent_or_garbage, args), 0);
		pvctl_run(NULL, ARGS("--addr", addr, "--timeout", "200ms", "vm", "list"));
		pthread_join(th, NULL);
		close(args[0]);
		if (args[1])
			snprintf(msg, sizeof(msg), "pvctl: %s sent an invalid HTTP response "
				 "(malformed or truncated)\n", addr);
		else
			snprintf(msg, sizeof(msg), "pvctl: %s did not answer within 200 ms\n", addr);
		EXPECT(2, "", msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_connection_errors),
	};

	return cmocka_run_group_tests_name("pvctl", tests, pvctl_run_setup,
					   pvctl_run_teardown);
}
