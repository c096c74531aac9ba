// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvctl configuration: per-setting precedence (flag > environment > config file >
 * default) as a case table over a scratch directory with config and token files, then the
 * config-file syntax errors, token-file formats and the config path rules.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "api/pvctl_config.h"

#define TOK_FLAG "flag-token-0123456789"
#define TOK_ENV  "env-token-0123456789a"
#define TOK_FILE "file-token-0123456789"
#define TOK_CONF "conf-token-0123456789"

static char dir[64];

static void write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *path_of(const char *name, char *buf)
{
	snprintf(buf, 128, "%s/%s", dir, name);
	return buf;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/pvctl-config-%d", (int)getpid());
	if (mkdir(dir, 0700))
		return -1;
	write_file("flag.tok", "# my token\n\n" TOK_FILE "\n");
	write_file("conf.tok", TOK_CONF " admin\n");
	write_file("config", "# pvctl\naddr = 10.0.0.9:9000\n\ntoken_file = conf.tok\n"
		   "timeout = 3s\n");
	write_file("config-min", "addr=unix:/run/pv.sock\n");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_precedence(void **state)
{
	enum { NONE, FLAG, FLAGFILE, ENV, CONF };
	static const struct {
		const char *what;
		int addr_from, token_from;	/* which inputs are present */
		bool flag_addr, env_addr, config;
		const char *want_addr;
		enum pvctl_src want_addr_src;
		const char *want_token;
		enum pvctl_src want_token_src;
		int want_timeout_ms;
	} cases[] = {
		{ "defaults", NONE, NONE, false, false, false, "127.0.0.1:8035", PVCTL_SRC_DEFAULT, "",
		  PVCTL_SRC_DEFAULT, 10000 },
		{ "config only", NONE, CONF, false, false, true, "10.0.0.9:9000", PVCTL_SRC_CONFIG,
		  TOK_CONF, PVCTL_SRC_CONFIG, 3000 },
		{ "env over config", ENV, ENV, false, true, true, "192.168.1.1:8035", PVCTL_SRC_ENV,
		  TOK_ENV, PVCTL_SRC_ENV, 3000 },
		{ "flags over env", FLAG, FLAG, true, true, true, "[::1]:7000", PVCTL_SRC_FLAG,
		  TOK_FLAG, PVCTL_SRC_FLAG, 3000 },
		{ "token file flag over env", FLAG, FLAGFILE, true, true, true, "[::1]:7000",
		  PVCTL_SRC_FLAG, TOK_FILE, PVCTL_SRC_FLAG, 3000 },
		{ "mixed: addr from env, token from config", ENV, CONF, false, true, true,
		  "192.168.1.1:8035", PVCTL_SRC_ENV, TOK_CONF, PVCTL_SRC_CONFIG, 3000 },
		{ "mixed: addr from config, token from flag", NONE, FLAG, false, false, true,
		  "10.0.0.9:9000", PVCTL_SRC_CONFIG, TOK_FLAG, PVCTL_SRC_FLAG, 3000 },
	};
	char p1[128], p2[128], err[512];
	struct pvctl_conf out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pvctl_conf_in in = { .home = dir };

		if (cases[i].flag_addr)
			in.flag_addr = "[::1]:7000";
		if (cases[i].env_addr)
			in.env_addr = "192.168.1.1";
		if (cases[i].config)
			in.config_path = path_of("config", p1);
		if (cases[i].token_from == FLAG)
			in.flag_token = TOK_FLAG;
		if (cases[i].token_from == FLAGFILE)
			in.flag_token_file = path_of("flag.tok", p2);
		if (cases[i].token_from == FLAG || cases[i].token_from == FLAGFILE ||
		    cases[i].token_from == ENV)
			in.env_token = TOK_ENV;
		if (pvctl_config_resolve(&in, &out, err, sizeof(err)))
			fail_msg("%s: %s", cases[i].what, err);
		assert_string_equal(out.addr.display, cases[i].want_addr);
		assert_int_equal(out.addr_src, cases[i].want_addr_src);
		assert_string_equal(out.token, cases[i].want_token);
		assert_int_equal(out.token_src, cases[i].want_token_src);
		assert_int_equal(out.timeout_ms, cases[i].want_timeout_ms);
	}
}

static void test_errors(void **state)
{
	static const struct {
		const char *config_text;	/* NULL: no config file */
		const char *flag_addr, *flag_token, *flag_timeout, *env_addr, *env_token;
		int rc;
		const char *msg;
	} cases[] = {
		{ NULL, "nohost:99999", NULL, NULL, NULL, NULL, -EINVAL, "--addr: 'nohost:99999'" },
		{ NULL, NULL, "short", NULL, NULL, NULL, -EINVAL, "--token: the token must be 16..128" },
		{ NULL, NULL, "has space in it 0123456", NULL, NULL, NULL, -EINVAL, "--token" },
		{ NULL, NULL, NULL, "5", NULL, NULL, -EINVAL, "--timeout: '5' needs a unit" },
		{ NULL, NULL, NULL, "2h", NULL, NULL, -EINVAL, "out of range (1ms..1h)" },
		{ NULL, NULL, NULL, "0s", NULL, NULL, -EINVAL, "out of range" },
		{ NULL, NULL, NULL, NULL, "bad:addr:x", NULL, -EBADMSG, "PVCTL_ADDR:" },
		{ NULL, NULL, NULL, NULL, NULL, "tiny", -EBADMSG, "PVCTL_TOKEN:" },
		{ "addr 1.2.3.4\n", NULL, NULL, NULL, NULL, NULL, -EBADMSG,
		  "line 1: expected 'key = value'" },
		{ "# c\n\ncolour = red\n", NULL, NULL, NULL, NULL, NULL, -EBADMSG,
		  "line 3: unknown key 'colour'" },
		{ "addr =\n", NULL, NULL, NULL, NULL, NULL, -EBADMSG, "line 1: addr has no value" },
		{ "\naddr = host:0\n", NULL, NULL, NULL, NULL, NULL, -EBADMSG, "line 2: addr" },
		{ "timeout = soon\n", NULL, NULL, NULL, NULL, NULL, -EBADMSG, "line 1: timeout" },
		{ "token_file = missing.tok\n", NULL, NULL, NULL, NULL, NULL, -ENOENT,
		  "missing.tok: No such file or directory" },
		/* a broken config file is reported even when flags override its settings */
		{ "oops\n", "127.0.0.1:1", TOK_FLAG, NULL, NULL, NULL, -EBADMSG, "line 1" },
	};
	char p[128], err[512];
	struct pvctl_conf out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pvctl_conf_in in = {
			.flag_addr = cases[i].flag_addr, .flag_token = cases[i].flag_token,
			.flag_timeout = cases[i].flag_timeout, .env_addr = cases[i].env_addr,
			.env_token = cases[i].env_token, .home = dir,
		};
		int rc;

		if (cases[i].config_text) {
			write_file("bad-config", cases[i].config_text);
			in.config_path = path_of("bad-config", p);
		}
		err[0] = '\0';
		rc = pvctl_config_resolve(&in, &out, err, sizeof(err));
		if (rc != cases[i].rc || !strstr(err, cases[i].msg))
			fail_msg("case %zu: rc %d, message '%s', want %d '%s'", i, rc, err,
				 cases[i].rc, cases[i].msg);
	}
}

static void test_config_file_presence(void **state)
{
	struct pvctl_conf_in in = { .home = dir };
	struct pvctl_conf out;
	char p[128], err[512];

	(void)state;
	/* the default path may be absent; an explicit $PVCTL_CONFIG may not */
	in.config_path = path_of("no-such-config", p);
	assert_int_equal(pvctl_config_resolve(&in, &out, err, sizeof(err)), 0);
	in.config_explicit = true;
	assert_int_equal(pvctl_config_resolve(&in, &out, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "config file"));
	in.config_path = path_of("config-min", p);
	assert_int_equal(pvctl_config_resolve(&in, &out, err, sizeof(err)), 0);
	assert_true(out.addr.is_unix);
	assert_string_equal(out.addr.path, "/run/pv.sock");
}

static void test_token_files(void **state)
{
	static const struct {
		const char *text;
		int rc;
		const char *token;
	} cases[] = {
		{ TOK_FILE, 0, TOK_FILE },
		{ TOK_FILE "\n", 0, TOK_FILE },
		{ "  " TOK_FILE "  \r\n", 0, TOK_FILE },
		{ "# comment\n\n" TOK_FILE " read\n", 0, TOK_FILE },
		{ "", -EBADMSG, NULL },
		{ "# only a comment\n", -EBADMSG, NULL },
		{ "short\n", -EBADMSG, NULL },
	};
	char tok[AUTH_MAX_TOKEN_LEN + 1], p[128], err[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_file("t.tok", cases[i].text);
		if (pvctl_token_load(path_of("t.tok", p), tok, err, sizeof(err)) != cases[i].rc)
			fail_msg("token case %zu: %s", i, err);
		if (!cases[i].rc)
			assert_string_equal(tok, cases[i].token);
	}
	assert_int_equal(pvctl_token_load(path_of("absent.tok", p), tok, err, sizeof(err)),
			 -ENOENT);
	/* "~/" in a config's token_file means $HOME */
	write_file("home.tok", TOK_CONF "\n");
	write_file("tilde-config", "token_file = ~/home.tok\n");
	{
		struct pvctl_conf_in in = { .home = dir, .config_path = path_of("tilde-config", p) };
		struct pvctl_conf out;

		assert_int_equal(pvctl_config_resolve(&in, &out, err, sizeof(err)), 0);
		assert_string_equal(out.token, TOK_CONF);
	}
}

static void test_config_path(void **state)
{
	char buf[256];
	bool explicit_path;

	(void)state;
	assert_int_equal(pvctl_config_path("/etc/pv.conf", "/home/u", buf, sizeof(buf),
					   &explicit_path), 0);
	assert_string_equal(buf, "/etc/pv.conf");
	assert_true(explicit_path);
	assert_int_equal(pvctl_config_path("", "/home/u", buf, sizeof(buf), &explicit_path), 0);
	assert_string_equal(buf, "/home/u/.config/pvctl/config");
	assert_false(explicit_path);
	assert_int_equal(pvctl_config_path(NULL, NULL, buf, sizeof(buf), &explicit_path), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_config_file_presence),
		cmocka_unit_test(test_token_files),
		cmocka_unit_test(test_config_path),
	};

	return cmocka_run_group_tests_name("pvctl_config", tests, setup, teardown);
}
