// SPDX-License-Identifier: GPL-2.0-only
/* The daemon's API server: configuration → api_server_start with the route table (apiserver.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include "api/apiserver.h"
#include "api/auth.h"
#include "api/handlers.h"
#include "api/ratelimit.h"
#include "api/routes.h"
#include "daemon/daemon.h"
#include "tracer/tsc.h"

#define APISERVER_PEM_MAX	(1024 * 1024)
#define APISERVER_NICE		5	/* HTTP threads yield to vCPUs and the policy loop */

struct apiserver {
	struct api_server *srv;
	struct api_ctx ctx;
	struct auth auth;
	char *cert_pem, *key_pem;
	unsigned int nlisten;
	bool ctx_ok;
};

/*
 * The PEM file of configuration field @field as a string, which must hold a PEM block
 * beginning with @begin; -errno with the field, the path and the reason on stderr.
 */
static int read_pem(const char *field, const char *path, const char *begin, char **out)
{
	FILE *f = fopen(path, "re");
	size_t n;
	char *buf;
	int err;

	if (!f) {
		err = -errno;
		fprintf(stderr, "powervisord: %s: cannot read %s: %s\n", field, path, strerror(-err));
		return err;
	}
	buf = malloc(APISERVER_PEM_MAX + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, APISERVER_PEM_MAX + 1, f);
	fclose(f);
	if (n == 0 || n > APISERVER_PEM_MAX) {
		fprintf(stderr, "powervisord: %s: %s is empty or larger than %d bytes\n", field, path,
			APISERVER_PEM_MAX);
		free(buf);
		return -EINVAL;
	}
	buf[n] = '\0';
	if (strlen(buf) != n || !strstr(buf, begin)) {
		fprintf(stderr, "powervisord: %s: %s is not PEM text with a \"%s\" block\n", field,
			path, begin);
		free(buf);
		return -EINVAL;
	}
	*out = buf;
	return 0;
}

/* Human-readable URL of listen address @addr bound on @port. */
static void print_url(const char *addr, uint16_t port, bool tls)
{
	const char *colon = strrchr(addr, ':');

	if (!strncmp(addr, "unix:", 5) || !colon) {
		fprintf(stderr, "powervisord: API listening on %s\n", addr);
		return;
	}
	fprintf(stderr, "powervisord: API listening on %s://%.*s:%u/\n", tls ? "https" : "http",
		(int)(colon - addr), addr, (unsigned int)port);
}

int apiserver_start(struct apiserver **out, struct daemon *d, const struct apiserver_opts *o)
{
	char start_err[API_ERR_MAX] = "";
	struct api_server_config sc = { .rate_per_s = DEF_RL_RATE_PER_S, .burst = DEF_RL_BURST,
					.err = start_err };
	const char *token_file = o && o->token_file ? o->token_file : d->cfg.node.token_file;
	char err[AUTH_ERR_MAX];
	struct apiserver *a;
	unsigned int i;
	int ret, prio;

	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	if (o && o->rate_set) {
		sc.rate_per_s = o->rate_per_s;
		sc.burst = o->rate_per_s * 2;
	}
	if (o && o->nlisten) {
		for (i = 0; i < o->nlisten && i < API_MAX_LISTEN; i++)
			sc.listen[sc.nlisten++] = o->listen[i];
	} else {
		for (i = 0; i < d->cfg.node.nlisten && i < API_MAX_LISTEN; i++)
			sc.listen[sc.nlisten++] = d->cfg.node.listen[i];
	}
	if (!sc.nlisten) {
		fprintf(stderr, "powervisord: no API listen address\n");
		ret = -EINVAL;
		goto out_free;
	}
	if (token_file[0]) {
		ret = auth_load(&a->auth, token_file, err);
		if (ret) {
			fprintf(stderr, "powervisord: token file %s\n", err);
			goto out_free;
		}
		sc.auth = &a->auth;
	}
	/* the certificate first, then its key ("-----BEGIN PRIVATE KEY-----", "… EC …", …) */
	if (d->cfg.node.tls_cert[0] &&
	    ((ret = read_pem("node.tls_cert", d->cfg.node.tls_cert, "-----BEGIN CERTIFICATE-----",
			     &a->cert_pem)) ||
	     (ret = read_pem("node.tls_key", d->cfg.node.tls_key, "PRIVATE KEY-----",
			     &a->key_pem))))
		goto out_free;
	sc.tls_cert_pem = a->cert_pem;
	sc.tls_key_pem = a->key_pem;
	ret = api_ctx_init(&a->ctx, &d->pub, &d->cmdq, &cmds_daemon_ops, &d->trace, &d->clk,
			   pv_rdtsc());
	if (ret)
		goto out_free;
	a->ctx_ok = true;
	/* the server's threads inherit this thread's niceness: below the VMs and the loop */
	prio = getpriority(PRIO_PROCESS, (id_t)gettid());
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), APISERVER_NICE))
		prio = INT_MIN;
	/* scrapes and VM lists never wait for a build: threads of their own, at this niceness */
	ret = metrics_cache_start_builder(&a->ctx.metrics, metrics_build);
	if (!ret)
		ret = metrics_cache_start_builder(&a->ctx.vm_list, handlers_vms_list_text);
	if (ret)
		fprintf(stderr, "powervisord: no text builder thread (%s): requests build\n",
			strerror(-ret));
	ret = api_server_start(&a->srv, &sc, routes_table, routes_count, &a->ctx);
	if (prio != INT_MIN)
		setpriority(PRIO_PROCESS, (id_t)gettid(), prio);
	if (ret) {
		/* libmicrohttpd's reason; a TLS one is about these two fields */
		fprintf(stderr, "powervisord: cannot serve the API on %s%s\n", start_err,
			sc.tls_cert_pem && strstr(start_err, "TLS") ?
			" (check node.tls_cert and node.tls_key)" : "");
		goto out_free;
	}
	a->nlisten = sc.nlisten;
	for (i = 0; i < sc.nlisten; i++)
		print_url(sc.listen[i], api_server_port(a->srv, i), sc.tls_cert_pem != NULL);
	if (!sc.auth)
		fprintf(stderr, "powervisord: no token file: the API is open to whoever can "
			"connect\n");
	*out = a;
	return 0;
out_free:
	if (a->ctx_ok)
		api_ctx_fini(&a->ctx);
	free(a->cert_pem);
	free(a->key_pem);
	free(a);
	return ret;
}

void apiserver_stop(struct apiserver *a, struct daemon *d)
{
	if (!a)
		return;
	cmdq_close(&d->cmdq);	/* handlers waiting for queued commands get -ESHUTDOWN */
	cmds_abort(d);		/* and those waiting for a VMM */
	api_server_stop(a->srv);
	api_ctx_fini(&a->ctx);
	free(a->cert_pem);
	free(a->key_pem);
	free(a);
}

uint16_t apiserver_port(const struct apiserver *a, unsigned int i)
{
	return a && i < a->nlisten ? api_server_port(a->srv, i) : 0;
}
