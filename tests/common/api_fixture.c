// SPDX-License-Identifier: GPL-2.0-only
/* An in-process REST API with a fake policy loop, for handler tests (see api_fixture.h). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/routes.h"
#include "daemon/dvm.h"
#include "tests/common/api_fixture.h"
#include "tests/common/fake_dsnap.h"
#include "tracer/tsc.h"

/* set-up stages, in order (api_fixture.up) */
enum { UP_NONE, UP_SNAP, UP_CMDQ, UP_TRACE, UP_CTX, UP_SERVER, UP_THREAD };

/* ---- the fake policy loop -------------------------------------------------------------- */

static int ffail(struct cmds_io *io, int err, const char *code, const char *field,
		 const char *msg)
{
	snprintf(io->code, sizeof(io->code), "%s", code);
	snprintf(io->field, sizeof(io->field), "%s", field ? field : "");
	snprintf(io->reason, sizeof(io->reason), "%s", msg);
	return err;
}

static void record(struct api_fixture *f, int kind, struct cmds_io *io)
{
	f->last = *io;
	f->last_kind = kind;
	f->calls++;
}

/* A writable copy of the published snapshot (+@extra VM slots) and @name's index there. */
static struct dsnap *edit(struct api_fixture *f, const char *name, unsigned int extra, int *idx)
{
	struct snap *ref = snapshot_get(&f->pub);
	struct dsnap *n = fake_dsnap_dup((const struct dsnap *)ref, extra);
	uint32_t i;

	snapshot_put(ref);
	*idx = -1;
	for (i = 0; name && i < n->nvms; i++)
		if (!strcmp(n->vms[i].cfg.name, name))
			*idx = (int)i;
	return n;
}

static int fake_create(void *loop, struct cmd *c)
{
	struct api_fixture *f = loop;
	struct cmds_io *io = cmds_io_adopt(c);
	int idx;
	struct dsnap *n = edit(f, io->spec.name, 1, &idx);

	record(f, CMDS_VM_CREATE, io);
	if (idx >= 0 || !strcmp(io->spec.name, "full")) {
		free(n);
		return idx >= 0 ? ffail(io, -EEXIST, "name_taken", "name", "a VM with that name exists")
				: ffail(io, -ENOSPC, "no_slot", NULL, "no free VM slot");
	}
	fake_dsnap_add_vm(n, io->spec.name, DVM_STARTING, io->spec.qos, io->spec.vcpus, 1);
	fake_dsnap_publish(&f->pub, n);
	return 0;
}

static int fake_delete(void *loop, struct cmd *c)
{
	struct api_fixture *f = loop;
	struct cmds_io *io = cmds_io_adopt(c);
	int idx;
	struct dsnap *n = edit(f, io->name, 0, &idx);

	record(f, CMDS_VM_DELETE, io);
	if (idx < 0) {
		free(n);
		return ffail(io, -ENOENT, "not_found", "name", "no such VM");
	}
	memmove(&n->vms[idx], &n->vms[idx + 1], (n->nvms - (uint32_t)idx - 1) * sizeof(n->vms[0]));
	n->nvms--;
	fake_dsnap_publish(&f->pub, n);
	return 0;
}

static int fake_pause_resume(struct api_fixture *f, struct cmd *c, int kind)
{
	struct cmds_io *io = cmds_io_adopt(c);
	int from = kind == CMDS_VM_PAUSE ? DVM_RUNNING : DVM_PAUSED, idx;
	struct dsnap *n;

	record(f, kind, io);
	if (!strcmp(io->name, "slow")) {
		usleep(300000);		/* longer than the handler waits */
		return 0;
	}
	n = edit(f, io->name, 0, &idx);
	if (idx < 0 || n->vms[idx].state != from) {
		free(n);
		return idx < 0 ? ffail(io, -ENOENT, "not_found", "name", "no such VM") :
				 ffail(io, -EBUSY, "wrong_state", NULL, "VM is not in that state");
	}
	n->vms[idx].state = kind == CMDS_VM_PAUSE ? DVM_PAUSED : DVM_RUNNING;
	fake_dsnap_publish(&f->pub, n);
	f->deferred = c;		/* "the VMM answers later" */
	return -EINPROGRESS;
}

static int fake_pause(void *loop, struct cmd *c)
{
	return fake_pause_resume(loop, c, CMDS_VM_PAUSE);
}

static int fake_resume(void *loop, struct cmd *c)
{
	return fake_pause_resume(loop, c, CMDS_VM_RESUME);
}

static int fake_qos(void *loop, struct cmd *c)
{
	struct api_fixture *f = loop;
	struct cmds_io *io = cmds_io_adopt(c);
	int idx;
	struct dsnap *n = edit(f, io->name, 0, &idx);

	record(f, CMDS_QOS_SET, io);
	if (idx < 0 || (io->qos.resv.set && io->qos.resv.runtime_us > 500)) {
		free(n);
		return idx < 0 ? ffail(io, -ENOENT, "not_found", "name", "no such VM") :
				 ffail(io, -EBUSY, "admission_rejected", "reservation.runtime_us",
				       "U=0.90 > 0.75 on cpu1");
	}
	n->vms[idx].cfg.qos = io->qos.cls;
	n->vms[idx].qos.cls = (int)io->qos.cls;
	n->vms[idx].qos.resv = io->qos.resv;
	fake_dsnap_publish(&f->pub, n);
	return 0;
}

static int fake_power(void *loop, struct cmd *c)
{
	struct api_fixture *f = loop;
	struct cmds_io *io = cmds_io_adopt(c);
	int idx;
	struct dsnap *n;
	unsigned int i, k;

	record(f, CMDS_POWER_SET, io);
	if (!strcmp(io->governor, "powersave"))
		return ffail(io, -ECANCELED, "governor_failed", "governor",
			     "cannot start powersave; transition stays");
	n = edit(f, NULL, 0, &idx);
	if (io->governor[0])
		snprintf(n->governor, sizeof(n->governor), "%s", io->governor);
	for (i = 0; i < io->ntun; i++)
		for (k = 0; k < n->ntunables; k++)
			if (!strcmp(n->tunables[k].name, io->tun[i].name))
				n->tunables[k].value = io->tun[i].value;
	fake_dsnap_publish(&f->pub, n);
	return 0;
}

const struct cmds_ops api_fixture_ops = {
	.fn = {
		[CMDS_VM_CREATE] = fake_create, [CMDS_VM_DELETE] = fake_delete,
		[CMDS_VM_PAUSE] = fake_pause, [CMDS_VM_RESUME] = fake_resume,
		[CMDS_POWER_SET] = fake_power, [CMDS_QOS_SET] = fake_qos,
	},
};

static void *loop_thread(void *arg)
{
	struct api_fixture *f = arg;
	struct pollfd pfd = { .fd = cmdq_fd(&f->cq), .events = POLLIN };

	while (!f->stop) {
		poll(&pfd, 1, 20);
		cmdq_run(&f->cq, f);
		if (f->deferred) {
			struct cmd *c = f->deferred;

			f->deferred = NULL;
			usleep(2000);
			cmdq_complete(&f->cq, c, 0);
		}
	}
	return NULL;
}

/* ---- requests ------------------------------------------------------------------------ */

const char *api_fixture_query(const void *conn, const char *key)
{
	static __thread char val[128];
	const char *p = conn;
	size_t kl = strlen(key);

	while (p && *p) {
		const char *amp = strchr(p, '&');
		size_t n = amp ? (size_t)(amp - p) : strlen(p);

		if (n > kl && !strncmp(p, key, kl) && p[kl] == '=') {
			snprintf(val, sizeof(val), "%.*s", (int)(n - kl - 1), p + kl + 1);
			return val;
		}
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

int api_fixture_request(struct api_fixture *f, const char *method, const char *path,
			const char *query, const char *token, const char *body, int too_large,
			char **out)
{
	char hdr[128];
	struct api_dispatch_in in = { .path = path, .client = "test", .body = body,
				      .body_len = body ? strlen(body) : 0,
				      .body_too_large = too_large, .query = api_fixture_query,
				      .conn = query ? query : "" };
	struct api_resp resp;
	int status;

	in.method = (enum api_method)api_method_parse(method);
	if (token) {
		snprintf(hdr, sizeof(hdr), "Bearer %s", token);
		in.authorization = hdr;
	}
	api_dispatch(f->srv, &in, &resp);
	if (resp.json)
		*out = json_dumps(resp.json, JSON_COMPACT);
	else if (resp.text)
		*out = strndup(resp.text, resp.text_len);
	else
		*out = strdup("");
	status = resp.status;
	api_resp_free(&resp);
	return status ? status : -1;
}

/* ---- set-up and tear-down ------------------------------------------------------------ */

void api_fixture_add_records(struct tracebuf *tb)
{
	uint64_t now = pv_rdtsc();
	struct pv_rec r[4] = {
		{ .tsc = now - 4000000, .type = PV_EV_VM_EXIT, .vcpu = 0, .a = PV_EXIT_PIO, .b = 0x3f8 },
		{ .tsc = now - 3000000, .type = PV_EV_VM_ENTRY, .vcpu = 0 },
		{ .tsc = now - 2000000, .type = PV_EV_HALT_BEGIN, .vcpu = 0, .a = PV_HALT_EXIT },
		{ .tsc = now - 1000000, .type = PV_EV_HALT_END, .vcpu = 0, .a = PV_HALT_EXIT,
		  .b = 400000 },
	};
	struct pv_rec node = { .tsc = now - 2500000, .type = PV_EV_PSTATE, .vcpu = 1,
			       .b = 1600000, .c = 800000 };

	tracebuf_append(tb, 0, 0, r, 2);		/* alpha */
	tracebuf_append(tb, 1, 0, r, 4);		/* beta */
	tracebuf_append(tb, UINT32_MAX, 0, &node, 1);	/* node decision */
	tracebuf_append(tb, 0, 0, r + 2, 2);		/* alpha */
}

int api_fixture_setup(struct api_fixture *f)
{
	struct api_server_config sc = { .auth = &f->auth, .body_max = 4096 };
	char err[AUTH_ERR_MAX];
	struct dsnap *s;

	memset(f, 0, sizeof(*f));
	if (snapshot_init(&f->pub))
		goto fail;
	f->up = UP_SNAP;
	if (cmdq_init(&f->cq))
		goto fail;
	f->up = UP_CMDQ;
	if (tracebuf_init(&f->tb, 8))
		goto fail;
	f->up = UP_TRACE;
	if (pv_clock_init(&f->clk, 2300000))
		goto fail;
	s = fake_dsnap_new(2);
	if (!s)
		goto fail;
	fake_dsnap_add_vm(s, "alpha", DVM_RUNNING, PV_QOS_BEST_EFFORT, 2, 2);
	fake_dsnap_add_vm(s, "beta", DVM_PAUSED, PV_QOS_REALTIME, 1, 1);
	fake_dsnap_publish(&f->pub, s);
	api_fixture_add_records(&f->tb);
	if (api_ctx_init(&f->ctx, &f->pub, &f->cq, &api_fixture_ops, &f->tb, &f->clk, 0))
		goto fail;
	f->up = UP_CTX;
	if (auth_parse(&f->auth, API_FIXTURE_READ_TOK " read\n" API_FIXTURE_ADMIN_TOK " admin\n",
		       err))
		goto fail;
	if (api_server_new_detached(&f->srv, &sc, routes_table, routes_count, &f->ctx))
		goto fail;
	f->up = UP_SERVER;
	if (pthread_create(&f->th, NULL, loop_thread, f))
		goto fail;
	f->up = UP_THREAD;
	return 0;
fail:
	api_fixture_teardown(f);
	return -1;
}

void api_fixture_teardown(struct api_fixture *f)
{
	if (f->up >= UP_THREAD) {
		f->stop = true;
		pthread_join(f->th, NULL);
	}
	if (f->up >= UP_SERVER)
		api_server_stop(f->srv);
	if (f->up >= UP_CTX)
		api_ctx_fini(&f->ctx);
	if (f->up >= UP_CMDQ)
		cmdq_destroy(&f->cq);
	if (f->up >= UP_SNAP)
		snapshot_destroy(&f->pub);
	if (f->up >= UP_TRACE)
		tracebuf_fini(&f->tb);
	f->up = UP_NONE;
}

struct api_fixture api_fx;

int api_fx_setup(void **state)
{
	(void)state;
	return api_fixture_setup(&api_fx);
}

int api_fx_teardown(void **state)
{
	(void)state;
	api_fixture_teardown(&api_fx);
	return 0;
}

int api_fx_request(const char *method, const char *path, const char *query, const char *token,
		   const char *body, int too_large, char **out)
{
	return api_fixture_request(&api_fx, method, path, query, token, body, too_large, out);
}
