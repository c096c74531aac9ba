// SPDX-License-Identifier: GPL-2.0-only
/*
 * pv-trace: convert, summarise and demonstrate Powervisor traces.
 *
 *   pv-trace json FILE [-o OUT]          JSON lines, one object per record
 *   pv-trace perfetto FILE [-o OUT]      Chrome trace-event JSON for ui.perfetto.dev
 *   pv-trace summary FILE                accounting summary
 *   pv-trace demo [--duration-ms N] [--vcpus N] [--seed N] -o FILE
 *                                        synthetic producers -> shared region -> validating
 *                                        consumer -> trace file + accounting summary
 * Exit status: 0 success, 1 failure (bad file, I/O, lost records), 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tracer/account.h"
#include "tracer/clock.h"
#include "tracer/consume.h"
#include "tracer/export.h"
#include "tracer/report.h"
#include "tracer/shm.h"
#include "tracer/synth.h"
#include "tracer/tracefile.h"

#define READ_CHUNK		4096
#define DEMO_DEF_DURATION_MS	2000u
#define DEMO_MAX_DURATION_MS	3600000u
#define DEMO_DEF_VCPUS		2u
#define DEMO_MAX_VCPUS		16u
#define DEMO_RING_ORDER		16u
#define DEMO_TICK_MS		10u

static const char *prog = "pv-trace";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s json FILE [-o OUT]\n"
		"       %s perfetto FILE [-o OUT]\n"
		"       %s summary FILE\n"
		"       %s demo [--duration-ms N] [--vcpus N] [--seed N] -o FILE\n"
		"FILE is a binary trace (pv-trace demo -o, pv-vmm --trace-out).\n",
		prog, prog, prog, prog);
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	return 2;
}

static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < lo || v > hi)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* ------------------------------------------------------------------ file commands */

enum sink_kind { SINK_JSON, SINK_PERFETTO, SINK_SUMMARY };

struct sink {
	enum sink_kind kind;
	struct pv_export_json *json;
	struct pv_export_perfetto *perfetto;
	struct pv_acct *acct;
};

static int open_trace(const char *path, struct pv_tracefile_reader **r, struct pv_clock *clk)
{
	int err = pv_tracefile_open(r, path);

	if (err) {
		fprintf(stderr, "%s: %s: %s\n", prog, path,
			err == -EINVAL ? "not a Powervisor trace file" :
			err == -EPROTO ? "unsupported trace file version" :
			err == -EBADMSG ? "corrupt or truncated trace file" : strerror(-err));
		return err;
	}
	err = pv_clock_init(clk, pv_tracefile_hdr(*r)->tsc_khz);
	if (err) {
		fprintf(stderr, "%s: %s: bad TSC frequency\n", prog, path);
		pv_tracefile_close(*r);
	}
	return err;
}

static int sink_feed(struct sink *s, const struct pv_rec *recs, size_t n)
{
	size_t i;
	int err = 0;

	switch (s->kind) {
	case SINK_JSON:
		for (i = 0; i < n && !err; i++)
			err = pv_export_json_rec(s->json, &recs[i]);
		break;
	case SINK_PERFETTO:
		for (i = 0; i < n && !err; i++)
			err = pv_export_perfetto_rec(s->perfetto, &recs[i]);
		break;
	case SINK_SUMMARY:
		pv_acct_feed(s->acct, recs, n);
		break;
	}
	return err;
}

static int cmd_file(enum sink_kind kind, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out_path = NULL, *in_path;
	struct pv_tracefile_reader *r;
	const struct pv_tracefile_hdr *h;
	struct pv_rec *buf;
	struct pv_clock clk;
	struct sink s = { .kind = kind };
	FILE *out = stdout;
	ssize_t n;
	int c, err = 0, rc = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (kind == SINK_SUMMARY)
				return usage_error("summary takes no -o");
			out_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return usage_error("bad option for %s", argv[0]);
		}
	}
	if (optind != argc - 1)
		return usage_error("%s needs exactly one trace FILE", argv[0]);
	in_path = argv[optind];
	if (open_trace(in_path, &r, &clk))
		return 1;
	h = pv_tracefile_hdr(r);
	buf = malloc(READ_CHUNK * sizeof(*buf));
	if (!buf) {
		pv_tracefile_close(r);
		return 1;
	}
	if (out_path && !(out = fopen(out_path, "we"))) {
		fprintf(stderr, "%s: %s: %s\n", prog, out_path, strerror(errno));
		goto out_close;
	}
	if (kind == SINK_JSON) {
		err = pv_export_json_begin(&s.json, out, &clk, h->first_tsc);
	} else if (kind == SINK_PERFETTO) {
		struct pv_export_perfetto_info info = {
			.vm_name = h->vm_name, .nvcpus = h->nvcpus, .clk = &clk, .tsc0 = h->first_tsc,
		};

		err = pv_export_perfetto_begin(&s.perfetto, out, &info);
	} else {
		err = pv_acct_create(&s.acct, h->nvcpus, &clk);
	}
	if (err) {
		fprintf(stderr, "%s: cannot start output: %s\n", prog, strerror(-err));
		goto out_file;
	}
	while ((n = pv_tracefile_read(r, buf, READ_CHUNK)) > 0 && !err)
		err = sink_feed(&s, buf, (size_t)n);
	if (n < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, in_path, strerror((int)-n));
		err = (int)n;
	}
	if (kind == SINK_JSON) {
		err = pv_export_json_end(s.json) ?: err;
	} else if (kind == SINK_PERFETTO) {
		err = pv_export_perfetto_end(s.perfetto, h->last_tsc) ?: err;
	} else {
		pv_acct_close_window(s.acct, h->last_tsc);
		printf("trace %s: %" PRIu64 " records, %.3f ms, TSC %" PRIu64 " kHz\n", in_path,
		       h->nrecs, (double)pv_clock_tsc_to_ns(&clk, h->last_tsc - h->first_tsc) / 1e6,
		       h->tsc_khz);
		pv_report_consume(stdout, "validation", pv_tracefile_stats(r));
		pv_report_acct(stdout, s.acct, h->vm_name);
		pv_acct_destroy(s.acct);
	}
	if (err)
		fprintf(stderr, "%s: writing output failed: %s\n", prog, strerror(-err));
	else
		rc = 0;
	if (pv_tracefile_stats(r)->rejected)
		fprintf(stderr, "%s: %s: %" PRIu64 " invalid records skipped\n", prog, in_path,
			pv_tracefile_stats(r)->rejected);
out_file:
	if (out != stdout && fclose(out) && !rc) {
		fprintf(stderr, "%s: %s: %s\n", prog, out_path, strerror(errno));
		rc = 1;
	}
out_close:
	free(buf);
	pv_tracefile_close(r);
	return rc;
}

/* ----------------------------------------------------------------------------- demo */

struct demo_vcpu {
	pthread_t thread;
	const struct pv_shm *shm;
	uint32_t vcpu;
	uint64_t tsc_khz;
	uint64_t seed;
	uint64_t end_tsc;
	struct pv_synth synth;
	int err;
};

struct demo_sink {
	struct pv_tracefile_writer *w;
	struct pv_acct *acct;
	int err;
};

/* A vCPU thread: synthetic transitions paced against the real TSC. */
static void *demo_vcpu_main(void *arg)
{
	struct demo_vcpu *d = arg;
	struct pv_ring_prod tr, gr;
	uint64_t slack = d->tsc_khz;	/* run at most 1 ms ahead of real time */

	d->err = pv_shm_producer(d->shm, pv_shm_vcpu_ring(d->vcpu), &tr);
	if (!d->err)
		d->err = pv_shm_producer(d->shm, pv_shm_guest_ring(d->shm, d->vcpu), &gr);
	if (d->err)
		return NULL;
	pv_synth_init(&d->synth, d->vcpu, d->tsc_khz, pv_rdtsc(), d->seed, &tr, &gr);
	while (d->synth.now < d->end_tsc) {
		uint64_t now = pv_rdtsc();

		if (d->synth.now > now + slack) {
			struct timespec ts = { 0, 1000000 };

			nanosleep(&ts, NULL);
			continue;
		}
		pv_synth_step(&d->synth);
	}
	return NULL;
}

static int demo_deliver(void *arg, uint32_t ring, const struct pv_consume_ctx *ctx,
			const struct pv_rec *recs, size_t n)
{
	struct demo_sink *s = arg;

	(void)ring, (void)ctx;
	pv_acct_feed(s->acct, recs, n);
	s->err = pv_tracefile_append(s->w, recs, n);
	return s->err;
}

/* A toy governor so the trace shows daemon decisions: frequency per vCPU's CPU by load. */
static void demo_governor(struct demo_sink *s, uint32_t nvcpus, uint64_t tsc, uint64_t *khz)
{
	static const uint64_t table_khz[] = { 1200000, 1800000, 2300000 };
	struct pv_acct_stats st;
	uint32_t i;

	for (i = 0; i < nvcpus; i++) {
		uint64_t busy, want;
		struct pv_rec r;

		pv_acct_vcpu(s->acct, i, PV_ACCT_WINDOW, &st);
		busy = st.span_ns ? (st.guest_ns + st.vmm_ns) * 100 / st.span_ns : 0;
		want = table_khz[busy > 80 ? 2 : busy > 40 ? 1 : 0];
		if (want == khz[i])
			continue;
		r = (struct pv_rec){ .tsc = tsc, .type = PV_EV_PSTATE, .vcpu = (uint16_t)i,
				     .b = want, .c = khz[i] };
		khz[i] = want;
		if (!s->err)
			s->err = pv_tracefile_append(s->w, &r, 1);
	}
}

static int cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "duration-ms", required_argument, NULL, 'd' },
		{ "vcpus", required_argument, NULL, 'v' },
		{ "seed", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t duration_ms = DEMO_DEF_DURATION_MS, nvcpus = DEMO_DEF_VCPUS, seed = 1, i;
	struct pv_shm prod_shm, cons_shm;
	struct pv_consumer *cons = NULL;
	struct demo_vcpu *vcpus = NULL;
	struct demo_sink sink = { 0 };
	struct pv_consume_stats tot;
	struct pv_clock clk;
	uint64_t tsc_khz, produced = 0, dropped = 0, khz[DEMO_MAX_VCPUS] = { 0 };
	const char *out_path = NULL;
	int c, err, fd, rc = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (parse_u32(optarg, 1, DEMO_MAX_DURATION_MS, &duration_ms))
				return usage_error("bad --duration-ms '%s' (1 .. 3600000)", optarg);
			break;
		case 'v':
			if (parse_u32(optarg, 1, DEMO_MAX_VCPUS, &nvcpus))
				return usage_error("bad --vcpus '%s' (1 .. 16)", optarg);
			break;
		case 's':
			if (parse_u32(optarg, 0, UINT32_MAX, &seed))
				return usage_error("bad --seed '%s'", optarg);
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return usage_error("bad option for demo");
		}
	}
	if (optind != argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!out_path)
		return usage_error("demo needs -o FILE");

	err = pv_clock_host_khz(&tsc_khz);
	if (!err)
		err = pv_clock_init(&clk, tsc_khz);
	if (err) {
		fprintf(stderr, "%s: cannot determine the TSC frequency: %s\n", prog, strerror(-err));
		return 1;
	}
	err = pv_shm_create(&prod_shm, &(struct pv_shm_params){
		.vm_name = "demo", .nvcpus = nvcpus, .ring_order = DEMO_RING_ORDER,
		.tsc_khz = tsc_khz });
	if (err) {
		fprintf(stderr, "%s: shared region: %s\n", prog, strerror(-err));
		return 1;
	}
	/* the consumer side maps it as the daemon would: read-only, from the fd */
	fd = dup(prod_shm.fd);
	err = fd < 0 ? -errno : pv_shm_attach(&cons_shm, fd);
	if (err) {
		if (fd >= 0)
			close(fd);
		fprintf(stderr, "%s: attach: %s\n", prog, strerror(-err));
		goto out_prod;
	}
	err = pv_consumer_create(&cons, &cons_shm, 0);
	if (!err)
		err = pv_acct_create(&sink.acct, nvcpus, &clk);
	if (!err)
		err = pv_tracefile_create(&sink.w, out_path, &(struct pv_tracefile_info){
			.vm_name = "demo", .nvcpus = nvcpus, .tsc_khz = tsc_khz });
	vcpus = err ? NULL : calloc(nvcpus, sizeof(*vcpus));
	if (err || !vcpus) {
		fprintf(stderr, "%s: %s: %s\n", prog, out_path, strerror(err ? -err : ENOMEM));
		goto out_cons;
	}

	printf("demo: %u vCPUs for %u ms, TSC %" PRIu64 " kHz, rings of %u records -> %s\n",
	       nvcpus, duration_ms, tsc_khz, 1u << DEMO_RING_ORDER, out_path);
	{
		uint64_t start = pv_rdtsc(), end = start + pv_clock_ns_to_tsc(&clk,
					(uint64_t)duration_ms * 1000000ull);
		struct timespec tick = { 0, DEMO_TICK_MS * 1000000L };
		uint32_t started = 0;

		for (i = 0; i < nvcpus; i++) {
			vcpus[i] = (struct demo_vcpu){ .shm = &prod_shm, .vcpu = i, .tsc_khz = tsc_khz,
						       .seed = seed, .end_tsc = end };
			if (pthread_create(&vcpus[i].thread, NULL, demo_vcpu_main, &vcpus[i]))
				break;
			started++;
		}
		/* the policy loop: drain, account, decide, every tick until the producers end */
		while (pv_rdtsc() < end + tsc_khz * 5 && started == nvcpus) {
			nanosleep(&tick, NULL);
			if (pv_consumer_drain(cons, demo_deliver, &sink, 4) < 0)
				break;
			pv_acct_close_window(sink.acct, pv_rdtsc());
			demo_governor(&sink, nvcpus, pv_rdtsc(), khz);
		}
		for (i = 0; i < started; i++) {
			pthread_join(vcpus[i].thread, NULL);
			produced += vcpus[i].synth.produced;
			dropped += vcpus[i].synth.dropped;
			if (vcpus[i].err)
				fprintf(stderr, "%s: vCPU %u: %s\n", prog, i, strerror(-vcpus[i].err));
		}
		if (started != nvcpus)
			fprintf(stderr, "%s: cannot start vCPU threads\n", prog);
	}
	pv_consumer_drain(cons, demo_deliver, &sink, 0);
	{
		uint64_t last = 0;

		for (i = 0; i < nvcpus; i++)
			if (vcpus[i].synth.now > last)
				last = vcpus[i].synth.now;
		pv_acct_close_window(sink.acct, last);
	}
	err = pv_tracefile_finish(sink.w) ?: sink.err;
	sink.w = NULL;
	pv_consumer_total(cons, &tot);
	printf("producers: %" PRIu64 " records produced, %" PRIu64 " dropped (ring full)\n",
	       produced, dropped);
	pv_report_consume(stdout, "consumer", &tot);
	pv_report_acct(stdout, sink.acct, "demo");
	if (err) {
		fprintf(stderr, "%s: %s: %s\n", prog, out_path, strerror(-err));
	} else if (tot.consumed + tot.rejected != produced || tot.drops != dropped) {
		fprintf(stderr, "%s: record count mismatch: produced %" PRIu64 ", consumed %" PRIu64
			", rejected %" PRIu64 "\n", prog, produced, tot.consumed, tot.rejected);
	} else {
		printf("trace: %s (%" PRIu64 " records)\n", out_path, tot.consumed);
		rc = tot.rejected ? 1 : 0;
	}
out_cons:
	if (sink.w)
		pv_tracefile_finish(sink.w);
	free(vcpus);
	pv_acct_destroy(sink.acct);
	pv_consumer_destroy(cons);
	pv_shm_close(&cons_shm);
out_prod:
	pv_shm_close(&prod_shm);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "json"))
		return cmd_file(SINK_JSON, argc - 1, argv + 1);
	if (!strcmp(argv[1], "perfetto"))
		return cmd_file(SINK_PERFETTO, argc - 1, argv + 1);
	if (!strcmp(argv[1], "summary"))
		return cmd_file(SINK_SUMMARY, argc - 1, argv + 1);
	if (!strcmp(argv[1], "demo"))
		return cmd_demo(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	return usage_error("unknown command '%s'", argv[1]);
}
