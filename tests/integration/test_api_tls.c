// SPDX-License-Identifier: GPL-2.0-only
/*
 * The API over TLS (libmicrohttpd + GnuTLS, node.tls_cert / node.tls_key): a throwaway
 * self-signed certificate made at test time with the openssl CLI, the real powervisord
 * (no VMs) serving it, and real TLS clients — curl verifying the certificate — for
 * /healthz and /readyz; plain HTTP to the TLS port gets no HTTP answer (and does not wedge
 * the server) while a Unix-socket listener stays plain; a client trusting another
 * certificate is refused; and every bad TLS
 * configuration (missing file, not PEM, a key that is not the certificate's) stops the
 * daemon with a message naming the field. openssl and curl come from scripts/deps.sh.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <jansson.h>

#include "tests/common/daemon_run.h"
#include "tests/common/http_client.h"

#define CURL_EXIT_PEER_CERT	60	/* curl: the server's certificate is not trusted */

static char bindir[PATH_MAX];
static char tmp[64];

/* Run @cmd through the shell; its exit status, -1 when it did not exit. */
static int run(const char *cmd)
{
	int st = system(cmd);

	return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A self-signed P-256 certificate for 127.0.0.1, and its key, as @tmp/@name-{cert,key}.pem. */
static int make_cert(const char *name, const char *cn)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
		 "-nodes -days 1 -subj /CN=%s -addext subjectAltName=IP:127.0.0.1 "
		 "-keyout %s/%s-key.pem -out %s/%s-cert.pem >%s/openssl.log 2>&1",
		 cn, tmp, name, tmp, name, tmp);
	return run(cmd);
}

static int setup(void **state)
{
	char path[PATH_MAX + 16];

	(void)state;
	if (dr_find_bindir(bindir, sizeof(bindir), 3))	/* build/tests/integration/x */
		return -1;
	snprintf(path, sizeof(path), "%s/powervisord", bindir);
	if (access(path, X_OK)) {
		fprintf(stderr, "%s is not built\n", path);
		return -1;
	}
	if (run("command -v openssl >/dev/null && command -v curl >/dev/null")) {
		fprintf(stderr, "the openssl and curl commands are needed: run scripts/deps.sh "
			"(make deps)\n");
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "/tmp/pvtls-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	snprintf(path, sizeof(path), "%s/garbage.pem", tmp);
	dr_write_file(path, "this is not a certificate\n");
	if (make_cert("node", "127.0.0.1") || make_cert("other", "other")) {
		fprintf(stderr, "openssl could not make a certificate (see %s/openssl.log)\n", tmp);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[96];

	(void)state;
	if (!tmp[0] || getenv("PV_KEEP_TMP"))
		return 0;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return run(cmd) ? -1 : 0;
}

/* A configuration serving TLS with @cert and @key (file names in tmp; NULL: leave out). */
static void write_config(const char *path, const char *cert, const char *key)
{
	char text[1024];
	int n;

	n = snprintf(text, sizeof(text), "{ \"node\": { \"backend\": \"model\", \"tick_ms\": 10, "
		     "\"listen\": [\"127.0.0.1:0\", \"unix:%s/api.sock\"], \"state_dir\": \"%s/state\"",
		     tmp, tmp);
	if (cert)
		n += snprintf(text + n, sizeof(text) - (size_t)n, ", \"tls_cert\": \"%s/%s\"", tmp,
			      cert);
	if (key)
		n += snprintf(text + n, sizeof(text) - (size_t)n, ", \"tls_key\": \"%s/%s\"", tmp, key);
	snprintf(text + n, sizeof(text) - (size_t)n, " }, \"vms\": [] }\n");
	dr_write_file(path, text);
}

/*
 * curl @url with @opts; its exit status, and when 0 the HTTP status in *@code and the body
 * (malloc'ed, may be NULL) in *@body.
 */
static int curl(const char *opts, const char *url, int *code, char **body)
{
	char cmd[1024], out[96];
	int st;

	snprintf(out, sizeof(out), "%s/curl.body", tmp);
	snprintf(cmd, sizeof(cmd), "curl -sS --max-time 10 %s -o %s -w '%%{http_code}' '%s' "
		 ">%s/curl.code 2>>%s/curl.log", opts, out, url, tmp, tmp);
	unlink(out);
	st = run(cmd);
	if (code) {
		char *c;

		snprintf(cmd, sizeof(cmd), "%s/curl.code", tmp);
		c = dr_slurp(cmd);
		*code = c ? atoi(c) : 0;
		free(c);
	}
	if (body)
		*body = st ? NULL : dr_slurp(out);
	return st;
}

/* Start the daemon on @cfg; the TLS port it printed, 0 if it did not come up. */
static uint16_t start_tls(const char *cfg, const char *log, pid_t *pid)
{
	static const char needle[] = "API listening on https://127.0.0.1:";
	unsigned int port = 0;
	char *text, *at;

	*pid = dr_start_daemon(bindir, log, (const char *const[]){ "--config", cfg, "--quiet",
								   NULL });
	if (*pid <= 0 || !dr_wait_for(log, needle, 10000))
		return 0;
	text = dr_slurp(log);
	at = text ? strstr(text, needle) : NULL;
	if (at)
		sscanf(at + sizeof(needle) - 1, "%u", &port);
	free(text);
	return (uint16_t)port;
}

static void test_https(void **state)
{
	char cfg[128], log[128], url[96], trust[160], other[160], *body = NULL, *text;
	struct http_result r;
	uint64_t end;
	uint16_t port;
	json_t *j;
	pid_t pid;
	int code = 0;

	(void)state;
	snprintf(cfg, sizeof(cfg), "%s/tls.json", tmp);
	snprintf(log, sizeof(log), "%s/tls.log", tmp);
	snprintf(trust, sizeof(trust), "--cacert %s/node-cert.pem", tmp);
	snprintf(other, sizeof(other), "--cacert %s/other-cert.pem", tmp);
	write_config(cfg, "node-cert.pem", "node-key.pem");
	port = start_tls(cfg, log, &pid);
	if (!port) {
		text = dr_slurp(log);
		fail_msg("the daemon did not serve HTTPS:\n%s", text);
	}

	/* a client that trusts our certificate: /healthz, then /readyz once the loop ticked */
	snprintf(url, sizeof(url), "https://127.0.0.1:%u/healthz", (unsigned int)port);
	assert_int_equal(curl(trust, url, &code, &body), 0);
	assert_int_equal(code, 200);
	j = json_loads(body ? body : "", 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "ok");
	json_decref(j);
	free(body);
	snprintf(url, sizeof(url), "https://127.0.0.1:%u/readyz", (unsigned int)port);
	end = dr_now_ms() + 5000;
	do {
		assert_int_equal(curl(trust, url, &code, NULL), 0);
	} while (code != 200 && dr_now_ms() < end && !usleep(100000));
	assert_int_equal(code, 200);

	/* a client that trusts another certificate refuses the server's */
	snprintf(url, sizeof(url), "https://127.0.0.1:%u/healthz", (unsigned int)port);
	assert_int_equal(curl(other, url, NULL, NULL), CURL_EXIT_PEER_CERT);

	/* plain HTTP to the TLS port: no HTTP answer, from either client */
	assert_int_not_equal(http_request(port, NULL, "GET", "/healthz", NULL, NULL, 0, 3000, &r), 0);
	http_result_free(&r);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/healthz", (unsigned int)port);
	assert_int_not_equal(curl("", url, NULL, NULL), 0);

	/* the Unix socket beside it stays plain HTTP (local; what pvctl speaks) */
	snprintf(url, sizeof(url), "%s/api.sock", tmp);
	assert_int_equal(http_request(0, url, "GET", "/healthz", NULL, NULL, 0, 3000, &r), 0);
	assert_int_equal(r.status, 200);
	http_result_free(&r);

	/* and TLS still works afterwards */
	snprintf(url, sizeof(url), "https://127.0.0.1:%u/healthz", (unsigned int)port);
	assert_int_equal(curl(trust, url, &code, NULL), 0);
	assert_int_equal(code, 200);

	kill(pid, SIGTERM);
	assert_int_equal(dr_wait_exit(pid, 10000), 0);
}

/* Bad TLS settings: the daemon stops at once, naming the field and the file. */
static void test_bad_tls_config(void **state)
{
	static const struct {
		const char *cert, *key;
		int status;		/* 2: configuration error; 1: the API cannot start */
		const char *says, *path_says;	/* the message: says [<temp dir>/path_says] */
	} cases[] = {
		{ "missing.pem", "node-key.pem", 2, "node.tls_cert: cannot read ",
		  "missing.pem: No such file or directory" },
		{ "node-cert.pem", "missing.pem", 2, "node.tls_key: cannot read ",
		  "missing.pem: No such file or directory" },
		{ "node-cert.pem", NULL, 2, "node.tls_key: tls_cert and tls_key go together", NULL },
		{ "garbage.pem", "node-key.pem", 1, "node.tls_cert: ",
		  "garbage.pem is not PEM text with a \"-----BEGIN CERTIFICATE-----\" block" },
		{ "node-key.pem", "node-key.pem", 1, "node.tls_cert: ",
		  "node-key.pem is not PEM text with a \"-----BEGIN CERTIFICATE-----\" block" },
		{ "node-cert.pem", "node-cert.pem", 1, "node.tls_key: ",
		  "node-cert.pem is not PEM text with a \"PRIVATE KEY-----\" block" },
		{ "node-cert.pem", "other-key.pem", 1, "The certificate and the given key do not "
		  "match (check node.tls_cert and node.tls_key)", NULL },
	};
	char cfg[128], log[128], want[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out;
		int st;

		snprintf(cfg, sizeof(cfg), "%s/bad%zu.json", tmp, i);
		snprintf(log, sizeof(log), "%s/bad%zu.log", tmp, i);
		write_config(cfg, cases[i].cert, cases[i].key);
		st = dr_wait_exit(dr_start_daemon(bindir, log, (const char *const[]){ "--config",
								cfg, "--quiet", NULL }), 5000);
		if (cases[i].path_says)
			snprintf(want, sizeof(want), "%s%s/%s", cases[i].says, tmp, cases[i].path_says);
		else
			snprintf(want, sizeof(want), "%s", cases[i].says);
		out = dr_slurp(log);
		if (st != cases[i].status || !strstr(out, want))
			fail_msg("case %zu: exit %d, want %d, and \"%s\" in:\n%s", i, st,
				 cases[i].status, want, out);
		free(out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_https),
		cmocka_unit_test(test_bad_tls_config),
	};

	return cmocka_run_group_tests_name("api_tls", tests, setup, teardown);
}
