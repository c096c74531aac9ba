// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tracer under load: two producer threads (one ring each of one region) and a validating
 * consumer at >= 1 M records/s combined, in one process and across processes (the producer
 * in a forked child that created the memfd and passed it over a socket, like a VMM).
 * Sequence numbers in the payload prove nothing is lost, duplicated or reordered; with a
 * small ring and a slowed consumer, produced = consumed + drops must hold exactly.
 * Bounded to ~5 s in total; prints the achieved rates.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "tracer/consume.h"
#include "tracer/shm.h"

#define NPROD		2u
#define BURST		256u

struct run_cfg {
	const char *name;
	uint32_t ring_order;
	uint64_t rate_per_prod;		/* records/s each producer aims at */
	uint32_t duration_ms;
	uint32_t consumer_sleep_us;	/* between polls */
	size_t batch;			/* consumer batch per ring per poll */
	bool lossless;			/* expect no drops at all */
};

struct prod_result {
	uint64_t produced;		/* attempts */
	uint64_t dropped;
};

struct prod_arg {
	const struct pv_shm *shm;
	uint32_t ring;
	const struct run_cfg *cfg;
	struct prod_result res;
	int err;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pin(uint32_t cpu)
{
	cpu_set_t set;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	CPU_ZERO(&set);
	CPU_SET(cpu % (uint32_t)(n > 0 ? n : 1), &set);
	sched_setaffinity(0, sizeof(set), &set);	/* best effort: keeps the TSC per-CPU */
}

/* A producer: sequence numbers in b, paced in bursts to the configured rate. */
static void *producer_main(void *arg)
{
	struct prod_arg *pa = arg;
	struct pv_ring_prod p;
	double start, end;
	uint64_t seq = 0;

	pin(pa->ring);
	pa->err = pv_shm_producer(pa->shm, pa->ring, &p);
	if (pa->err)
		return NULL;
	start = now_s();
	end = start + pa->cfg->duration_ms / 1000.0;
	for (;;) {
		double t = now_s(), due;
		uint32_t i;

		if (t >= end)
			break;
		due = start + (double)seq / (double)pa->cfg->rate_per_prod;
		if (due > t + 0.0001) {
			struct timespec nap = { 0, 50000 };

			nanosleep(&nap, NULL);
			continue;
		}
		for (i = 0; i < BURST; i++, seq++)
			if (!pv_ring_emit(&p, PV_EV_VM_EXIT, (uint16_t)pa->ring, PV_EXIT_PIO, seq, 0))
				pa->res.dropped++;
	}
	pa->res.produced = seq;
	return NULL;
}

struct cons_check {
	uint64_t next_seq[NPROD];	/* lowest acceptable next sequence number */
	uint64_t got[NPROD];
	uint64_t gaps[NPROD];		/* sequence numbers never seen (dropped) */
	uint64_t order_errors;
	bool lossless;
};

static int check_batch(void *arg, uint32_t ring, const struct pv_consume_ctx *ctx,
		       const struct pv_rec *recs, size_t n)
{
	struct cons_check *c = arg;
	size_t i;

	(void)ctx;
	if (ring >= NPROD) {
		c->order_errors++;
		return 0;
	}
	for (i = 0; i < n; i++) {
		uint64_t s = recs[i].b;

		if (s < c->next_seq[ring] || (c->lossless && s != c->next_seq[ring]))
			c->order_errors++;	/* duplicate, reordered or (lossless) lost */
		else
			c->gaps[ring] += s - c->next_seq[ring];
		c->next_seq[ring] = s + 1;
		c->got[ring]++;
	}
	return 0;
}

/* Consume until *done and the rings are empty; returns seconds spent. */
static double consume_until(struct pv_consumer *cons, struct cons_check *chk,
			    const struct run_cfg *cfg, atomic_bool *done, int done_fd,
			    struct prod_result *res_from_fd)
{
	double t0 = now_s();

	for (;;) {
		bool finished = done ? atomic_load(done) : false;

		if (!done) {
			ssize_t r = recv(done_fd, res_from_fd, sizeof(*res_from_fd) * NPROD,
					 MSG_DONTWAIT);

			if (r == (ssize_t)(sizeof(*res_from_fd) * NPROD))
				finished = true;
			else if (r == 0 || (r < 0 && errno != EAGAIN))
				fail_msg("producer process went away (%zd)", r);
		}
		if (finished) {
			assert_true(pv_consumer_drain(cons, check_batch, chk, 0) >= 0);
			break;
		}
		assert_true(pv_consumer_poll(cons, check_batch, chk) >= 0);
		if (cfg->consumer_sleep_us) {
			struct timespec nap = { 0, (long)cfg->consumer_sleep_us * 1000 };

			nanosleep(&nap, NULL);
		}
	}
	return now_s() - t0;
}

static void verify(const char *how, const struct run_cfg *cfg, struct pv_consumer *cons,
		   const struct cons_check *chk, const struct prod_result *res, double secs)
{
	uint64_t produced = 0, consumed = 0, dropped = 0;
	struct pv_consume_stats tot;
	uint32_t r;

	pv_consumer_total(cons, &tot);
	for (r = 0; r < NPROD; r++) {
		const struct pv_consume_stats *st = pv_consumer_stats(cons, r);

		produced += res[r].produced;
		consumed += chk->got[r];
		dropped += res[r].dropped;
		/* per ring: produced = consumed + drops, the producer's count is reported, and
		 * the missing sequence numbers (gaps, plus any after the last one seen) are
		 * exactly the dropped ones */
		if (res[r].produced != chk->got[r] + res[r].dropped || st->drops != res[r].dropped ||
		    chk->gaps[r] + (res[r].produced - chk->next_seq[r]) != res[r].dropped)
			fail_msg("%s ring %u: produced %lu consumed %lu dropped %lu (reported %lu, gaps %lu)",
				 cfg->name, r, (unsigned long)res[r].produced,
				 (unsigned long)chk->got[r], (unsigned long)res[r].dropped,
				 (unsigned long)st->drops, (unsigned long)chk->gaps[r]);
	}
	assert_int_equal(chk->order_errors, 0);
	assert_int_equal(tot.rejected, 0);
	assert_int_equal(tot.overruns, 0);
	assert_int_equal(tot.consumed, consumed);
	if (cfg->lossless)
		assert_int_equal(dropped, 0);
	else
		assert_true(dropped > 0);
	printf("%s %s: %lu records in %.2f s = %.2f M records/s produced, %.2f M/s consumed, "
	       "%lu dropped (%.1f%%)\n", how, cfg->name, (unsigned long)produced, secs,
	       (double)produced / secs / 1e6, (double)consumed / secs / 1e6, (unsigned long)dropped,
	       produced ? 100.0 * (double)dropped / (double)produced : 0.0);
	if (cfg->lossless)
		assert_true((double)consumed / secs >= 1e6);
}

static const struct run_cfg lossless_cfg = {
	.name = "large ring", .ring_order = 18, .rate_per_prod = 1500000, .duration_ms = 1500,
	.consumer_sleep_us = 200, .batch = 8192, .lossless = true,
};
static const struct run_cfg lossy_cfg = {
	.name = "small ring, slowed consumer", .ring_order = 8, .rate_per_prod = 1000000,
	.duration_ms = 600, .consumer_sleep_us = 2000, .batch = 64, .lossless = false,
};

static void run_threads(const struct run_cfg *cfg)
{
	struct pv_shm_params params = { .vm_name = "stress", .nvcpus = NPROD,
					.ring_order = cfg->ring_order, .tsc_khz = 1000000 };
	struct prod_arg pa[NPROD];
	struct prod_result res[NPROD];
	struct cons_check chk = { .lossless = cfg->lossless };
	struct pv_consumer *cons;
	struct pv_shm prod, view;
	pthread_t th[NPROD];
	atomic_bool done = false;
	double secs;
	uint32_t r;

	assert_int_equal(pv_shm_create(&prod, &params), 0);
	assert_int_equal(pv_shm_attach(&view, dup(prod.fd)), 0);
	assert_int_equal(pv_consumer_create(&cons, &view, cfg->batch), 0);
	for (r = 0; r < NPROD; r++) {
		pa[r] = (struct prod_arg){ .shm = &prod, .ring = r, .cfg = cfg };
		assert_int_equal(pthread_create(&th[r], NULL, producer_main, &pa[r]), 0);
	}
	{
		/* the consumer runs here; a helper marks the end once the producers are joined */
		double t0 = now_s();

		for (;;) {
			assert_true(pv_consumer_poll(cons, check_batch, &chk) >= 0);
			if (cfg->consumer_sleep_us) {
				struct timespec nap = { 0, (long)cfg->consumer_sleep_us * 1000 };

				nanosleep(&nap, NULL);
			}
			if (now_s() - t0 > cfg->duration_ms / 1000.0)
				break;
		}
		for (r = 0; r < NPROD; r++) {
			pthread_join(th[r], NULL);
			assert_int_equal(pa[r].err, 0);
			res[r] = pa[r].res;
		}
		atomic_store(&done, true);
		consume_until(cons, &chk, cfg, &done, -1, NULL);
		secs = now_s() - t0;
	}
	verify("threads", cfg, cons, &chk, res, secs);
	pv_consumer_destroy(cons);
	pv_shm_close(&view);
	pv_shm_close(&prod);
}

static void test_threads_lossless(void **state)
{
	(void)state;
	run_threads(&lossless_cfg);
}

static void test_threads_small_ring_drops_exact(void **state)
{
	(void)state;
	run_threads(&lossy_cfg);
}

/* ------------------------------------------------------------------ cross-process */

static int send_fd(int sock, int fd)
{
	char ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 'F';
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

static int recv_fd(int sock)
{
	char ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -EIO;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* The child: a VMM in miniature. Creates the region, hands over the fd, produces, reports. */
static void child_main(int sock, const struct run_cfg *cfg)
{
	struct pv_shm_params params = { .vm_name = "xproc", .nvcpus = NPROD,
					.ring_order = cfg->ring_order, .tsc_khz = 1000000 };
	struct prod_arg pa[NPROD];
	struct prod_result res[NPROD];
	pthread_t th[NPROD];
	struct pv_shm shm;
	uint32_t r;

	if (pv_shm_create(&shm, &params) || send_fd(sock, shm.fd))
		_exit(2);
	for (r = 0; r < NPROD; r++) {
		pa[r] = (struct prod_arg){ .shm = &shm, .ring = r, .cfg = cfg };
		if (pthread_create(&th[r], NULL, producer_main, &pa[r]))
			_exit(3);
	}
	for (r = 0; r < NPROD; r++) {
		pthread_join(th[r], NULL);
		if (pa[r].err)
			_exit(4);
		res[r] = pa[r].res;
	}
	if (send(sock, res, sizeof(res), 0) != (ssize_t)sizeof(res))
		_exit(5);
	pv_shm_close(&shm);
	_exit(0);
}

static void run_xproc(const struct run_cfg *cfg)
{
	struct prod_result res[NPROD];
	struct cons_check chk = { .lossless = cfg->lossless };
	struct pv_consumer *cons;
	struct pv_shm view;
	int sv[2], fd, status;
	double secs;
	pid_t pid;

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		child_main(sv[1], cfg);
	}
	close(sv[1]);
	fd = recv_fd(sv[0]);
	assert_true(fd >= 0);
	assert_int_equal(pv_shm_attach(&view, fd), 0);
	assert_string_equal(view.hdr.vm_name, "xproc");
	assert_int_equal(view.hdr.vmm_pid, pid);
	assert_int_equal(pv_consumer_create(&cons, &view, cfg->batch), 0);
	secs = consume_until(cons, &chk, cfg, NULL, sv[0], res);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	verify("cross-process", cfg, cons, &chk, res, secs);
	pv_consumer_destroy(cons);
	pv_shm_close(&view);
	close(sv[0]);
}

static void test_xproc_lossless(void **state)
{
	struct run_cfg cfg = lossless_cfg;

	(void)state;
	cfg.duration_ms = 1200;
	run_xproc(&cfg);
}

static void test_xproc_small_ring_drops_exact(void **state)
{
	struct run_cfg cfg = lossy_cfg;

	(void)state;
	cfg.duration_ms = 400;
	run_xproc(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_lossless),
		cmocka_unit_test(test_threads_small_ring_drops_exact),
		cmocka_unit_test(test_xproc_lossless),
		cmocka_unit_test(test_xproc_small_ring_drops_exact),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
