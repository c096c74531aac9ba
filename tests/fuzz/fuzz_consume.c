// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the consumer's view of untrusted shared memory.
 *
 * The input is read three ways: as a stream of records validated against a context taken
 * from its first bytes; as the memory image of a ring (header, head, records) read through
 * pv_ring_reader_attach / pv_ring_read with a tail from the input, then validated; and as a
 * trace file header. Accepted records go on into accounting and the Perfetto exporter, which
 * must cope with any sequence of individually valid records.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracer/account.h"
#include "tracer/consume.h"
#include "tracer/export.h"
#include "tracer/ring.h"
#include "tracer/tracefile.h"

#define MAX_IMAGE	(64u * 1024u)
#define MAX_OUT		2048u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t get64(const uint8_t *d, size_t size, size_t off)
{
	uint64_t v = 0;

	if (off + 8 <= size)
		memcpy(&v, d + off, 8);
	return v;
}

static void downstream(const struct pv_rec *recs, size_t n, uint32_t nvcpus)
{
	static FILE *devnull;
	struct pv_export_perfetto_info info = { .nvcpus = nvcpus };
	struct pv_export_perfetto *p;
	struct pv_acct_stats st;
	struct pv_clock clk;
	struct pv_acct *a;
	size_t i;

	if (!n)
		return;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	pv_clock_init(&clk, 2000000);
	if (pv_acct_create(&a, nvcpus, &clk) == 0) {
		pv_acct_feed(a, recs, n);
		pv_acct_close_window(a, recs[n / 2].tsc);
		pv_acct_feed(a, recs + n / 2, n - n / 2);
		pv_acct_close_window(a, recs[n - 1].tsc);
		pv_acct_vm(a, PV_ACCT_TOTAL, &st);
		pv_acct_destroy(a);
	}
	info.clk = &clk;
	info.tsc0 = recs[0].tsc;
	if (devnull && pv_export_perfetto_begin(&p, devnull, &info) == 0) {
		for (i = 0; i < n; i++)
			pv_export_perfetto_rec(p, &recs[i]);
		pv_export_perfetto_end(p, 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pv_rec out[MAX_OUT];
	struct pv_consume_stats st = { 0 };
	struct pv_consume_ctx ctx;
	uint32_t nvcpus;
	size_t n;

	if (size < 16)
		return 0;
	nvcpus = 1 + data[1] % 8;
	ctx = (struct pv_consume_ctx){
		.kind = data[0] % (PV_RING_KIND_MAX + 1),	/* one out of range too */
		.nvcpus = nvcpus,
		.vcpu = data[2] % (nvcpus + 1),
		.last_tsc = get64(data, size, 8) >> (data[3] % 64),
	};

	/* 1. a stream of records */
	n = (size - 16) / sizeof(struct pv_rec);
	if (n > MAX_OUT)
		n = MAX_OUT;
	memcpy(out, data + 16, n * sizeof(struct pv_rec));
	n = pv_consume_filter(&ctx, &st, out, n);
	if (st.consumed + st.rejected != (size - 16) / sizeof(struct pv_rec) &&
	    (size - 16) / sizeof(struct pv_rec) <= MAX_OUT)
		abort();
	downstream(out, n, nvcpus);

	/* 2. a ring memory image, read with a tail from the input */
	{
		size_t bytes = size - 16 < MAX_IMAGE ? size - 16 : MAX_IMAGE;
		struct pv_ring_cons cons = { 0 };
		struct pv_ring_reader rd;
		void *img = NULL;

		if (bytes >= sizeof(struct pv_ring_shared) &&
		    posix_memalign(&img, PV_CACHELINE, bytes) == 0) {
			memcpy(img, data + 16, bytes);
			atomic_store(&cons.tail, get64(data, size, 8));
			if (pv_ring_reader_attach(&rd, img, bytes, &cons) == 0) {
				int pass;

				for (pass = 0; pass < 2; pass++) {
					size_t got = pv_ring_read(&rd, out, MAX_OUT);

					if (got > rd.mask + 1)
						abort();
					(void)pv_ring_pending(&rd);
					(void)pv_ring_drops(&rd);
					got = pv_consume_filter(&ctx, &st, out, got);
					downstream(out, got, nvcpus);
				}
			}
			free(img);
		}
	}

	/* 3. a trace file header */
	if (size >= sizeof(struct pv_tracefile_hdr)) {
		struct pv_tracefile_hdr h;

		memcpy(&h, data, sizeof(h));
		(void)pv_tracefile_check_hdr(&h, get64(data, size, 8));
	}
	return 0;
}
