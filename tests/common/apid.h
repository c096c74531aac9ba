/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The real powervisord with its REST API, for integration tests and benchmarks: a temp dir
 * (configuration, state, log, token file), a free loopback port, start, wait until
 * /readyz says ready, JSON requests, and a stop that leaves no process behind (the daemon
 * by its pid, then any VMM still alive by the pids in its run files).
 */
#ifndef PV_TESTS_APID_H
#define PV_TESTS_APID_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "tests/common/http_client.h"

#define APID_READ_TOKEN		"apid-read-token-0123456789"
#define APID_ADMIN_TOKEN	"apid-admin-token-0123456789"

struct apid {
	char bindir[PATH_MAX];		/* build/: powervisord, pv-vmm, pvctl, guest/ */
	char dir[64];			/* temp dir */
	char state[96];			/* state dir (<= 64 bytes of path) */
	char log[128];			/* daemon stdout + stderr */
	char token_file[128];		/* "" = open API */
	pid_t pid;
	uint16_t port;
};

/* A loopback TCP port that was free a moment ago. */
uint16_t apid_free_port(void);
/* build/ of this test program (build/tests/<suite>/x or build/bench/x); 0 or -1. */
int apid_find_bindir(char *out, size_t len);
/* /dev/kvm usable and the guest built: what a daemon with VMs needs. */
bool apid_can_run(const char *bindir);

/*
 * Start powervisord with configuration @cfg_json (NULL: the embedded default), tokens
 * (read + admin) when @with_tokens, --quiet and extra @args (NULL-terminated or NULL);
 * wait up to @ms for /readyz. 0, or -errno (log kept in a->log, printed on failure).
 */
int apid_start(struct apid *a, const char *cfg_json, bool with_tokens,
	       const char *const *args, unsigned int ms);
/* Print the VM list and the daemon's log to stderr (why a test's setup failed). */
void apid_dump(struct apid *a);
/* SIGTERM (SIGKILL after 8 s), kill any VMM left by pid, remove the temp dir. */
void apid_stop(struct apid *a);

/* One request with the admin token (if tokens are on); @body may be NULL. */
int apid_req(struct apid *a, const char *method, const char *path, const char *body,
	     struct http_result *r);
/* GET @path as JSON (NULL when not 2xx JSON); *status when not NULL. */
json_t *apid_get(struct apid *a, const char *path, int *status);
/* Poll GET @path until json path @key (top-level) equals string @want, up to @ms. */
bool apid_wait_str(struct apid *a, const char *path, const char *key, const char *want,
		   unsigned int ms);
/*
 * Wait until every VM of the NULL-terminated @names is running, up to @ms each (a fixture's
 * setup); on failure the daemon's log is dumped. 0 or -1.
 */
int apid_wait_running(struct apid *a, const char *const *names, unsigned int ms);

#endif /* PV_TESTS_APID_H */
