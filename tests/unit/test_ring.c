// SPDX-License-Identifier: GPL-2.0-only
/* SPSC trace ring: ordering, wrap-around of free-running indexes, exact drops, bogus heads. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tracer/ring.h"

struct fixture {
	void *mem;
	unsigned int order;
	struct pv_ring_cons cons;
	struct pv_ring_prod p;
	struct pv_ring_reader rd;
};

static struct fixture *fx_new(unsigned int order)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->order = order;
	assert_int_equal(posix_memalign(&f->mem, PV_CACHELINE, pv_ring_bytes(order)), 0);
	memset(f->mem, 0, pv_ring_bytes(order));
	assert_int_equal(pv_ring_init(f->mem, order, 3), 0);
	return f;
}

/* Pretend @start records have gone through already: head = tail = start. */
static void fx_attach(struct fixture *f, uint64_t start)
{
	struct pv_ring_shared *r = f->mem;

	atomic_store(&r->head, start);
	atomic_store(&f->cons.tail, start);
	assert_int_equal(pv_ring_prod_attach(&f->p, f->mem, &f->cons), 0);
	assert_int_equal(pv_ring_reader_attach(&f->rd, f->mem, pv_ring_bytes(f->order), &f->cons), 0);
}

static void fx_free(struct fixture *f)
{
	free(f->mem);
	free(f);
}

static struct pv_rec seq_rec(uint64_t seq)
{
	return (struct pv_rec){ .tsc = seq, .type = PV_EV_VM_EXIT, .vcpu = 0, .a = PV_EXIT_PIO,
				.b = seq, .c = 0 };
}

static void test_init_rejects(void **state)
{
	void *mem = NULL;

	(void)state;
	assert_int_equal(posix_memalign(&mem, PV_CACHELINE, pv_ring_bytes(PV_RING_MIN_ORDER) + 64), 0);
	assert_int_equal(pv_ring_init(NULL, 8, 0), -EINVAL);
	assert_int_equal(pv_ring_init(mem, PV_RING_MIN_ORDER - 1, 0), -EINVAL);
	assert_int_equal(pv_ring_init(mem, PV_RING_MAX_ORDER + 1, 0), -EINVAL);
	assert_int_equal(pv_ring_init((char *)mem + 8, PV_RING_MIN_ORDER, 0), -EINVAL);
	assert_int_equal(pv_ring_init(mem, PV_RING_MIN_ORDER, 0), 0);
	free(mem);
}

static void test_order_preserved(void **state)
{
	struct fixture *f = fx_new(6);
	struct pv_rec out[64];
	uint64_t i;

	(void)state;
	fx_attach(f, 0);
	for (i = 0; i < 50; i++) {
		struct pv_rec r = seq_rec(i);

		assert_true(pv_ring_put(&f->p, &r));
	}
	assert_int_equal(pv_ring_pending(&f->rd), 50);
	assert_int_equal(pv_ring_read(&f->rd, out, 20), 20);
	assert_int_equal(pv_ring_read(&f->rd, out + 20, 64), 30);
	for (i = 0; i < 50; i++)
		assert_int_equal(out[i].b, i);
	assert_int_equal(atomic_load(&f->cons.tail), 50);
	assert_int_equal(pv_ring_read(&f->rd, out, 64), 0);
	fx_free(f);
}

/* Wrap-around of the slot index and of the free-running 64-bit counters. */
static void test_wraparound(void **state)
{
	static const uint64_t starts[] = {
		0, 5, (1ull << 32) - 7, (1ull << 32), UINT64_MAX - 40, UINT64_MAX - 3, UINT64_MAX,
	};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(starts) / sizeof(starts[0]); k++) {
		struct fixture *f = fx_new(4);	/* 16 slots */
		struct pv_rec out[16];
		uint64_t next = 0, expect = 0, i;

		fx_attach(f, starts[k]);
		/* 5 ring-fulls in uneven chunks: every slot and the counter overflow get crossed */
		for (i = 0; i < 10; i++) {
			uint64_t chunk = 3 + (i * 5) % 14, j;
			size_t n;

			for (j = 0; j < chunk; j++) {
				struct pv_rec r = seq_rec(next++);

				assert_true(pv_ring_put(&f->p, &r));
			}
			assert_int_equal(pv_ring_pending(&f->rd), chunk);
			n = pv_ring_read(&f->rd, out, 16);
			assert_int_equal(n, chunk);
			for (j = 0; j < n; j++)
				assert_int_equal(out[j].b, expect++);
		}
		assert_int_equal(atomic_load(&f->cons.tail), starts[k] + next);
		assert_int_equal(atomic_load(&((struct pv_ring_shared *)f->mem)->head), starts[k] + next);
		assert_int_equal(f->rd.overruns, 0);
		assert_int_equal(pv_ring_drops(&f->rd), 0);
		fx_free(f);
	}
}

/* A full ring drops, exactly, and recovers once the consumer reads. */
static void test_full_drops_exact(void **state)
{
	static const uint64_t starts[] = { 0, (1ull << 32) - 3, UINT64_MAX - 5 };
	size_t k;

	(void)state;
	for (k = 0; k < 3; k++) {
		struct fixture *f = fx_new(4);
		struct pv_rec out[16];
		uint64_t i, ok = 0, dropped = 0;

		fx_attach(f, starts[k]);
		for (i = 0; i < 37; i++) {
			struct pv_rec r = seq_rec(i);

			if (pv_ring_put(&f->p, &r))
				ok++;
			else
				dropped++;
		}
		assert_int_equal(ok, 16);
		assert_int_equal(dropped, 21);
		assert_int_equal(pv_ring_drops(&f->rd), 21);
		assert_int_equal(f->p.drops, 21);
		assert_int_equal(pv_ring_read(&f->rd, out, 5), 5);
		for (i = 0; i < 5; i++)
			assert_int_equal(out[i].b, i);	/* the oldest survive, nothing overwritten */
		for (i = 0; i < 7; i++) {
			struct pv_rec r = seq_rec(100 + i);
			bool put = pv_ring_put(&f->p, &r);

			assert_int_equal(put, i < 5);
		}
		assert_int_equal(pv_ring_drops(&f->rd), 23);
		assert_int_equal(pv_ring_read(&f->rd, out, 16), 16);
		assert_int_equal(out[10].b, 15);
		assert_int_equal(out[11].b, 100);
		assert_int_equal(out[15].b, 104);
		fx_free(f);
	}
}

/* Heads no honest producer can publish: behind the tail, or more than a ring ahead. */
static void test_bogus_head(void **state)
{
	static const struct {
		const char *name;
		uint64_t tail;
		int64_t head_delta;	/* head = tail + delta */
		size_t want;		/* records read */
		uint64_t overruns;
		uint64_t skipped;
	} cases[] = {
		{ "exactly full",	1000, 16, 16, 0, 0 },
		{ "one behind",		1000, -1, 0, 1, 0 },
		{ "far behind",		1000, -1000, 0, 1, 0 },
		{ "one past full",	1000, 17, 16, 1, 1 },
		{ "far ahead",		1000, 1000000, 16, 1, 1000000 - 16 },
		{ "max ahead",		0, INT64_MAX, 16, 1, (uint64_t)INT64_MAX - 16 },
		{ "wrapped behind",	5, -10, 0, 1, 0 },
	};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct fixture *f = fx_new(4);
		struct pv_ring_shared *r = f->mem;
		struct pv_rec out[32];
		size_t n;

		fx_attach(f, cases[k].tail);
		atomic_store(&r->head, cases[k].tail + (uint64_t)cases[k].head_delta);
		n = pv_ring_read(&f->rd, out, 32);
		if (n != cases[k].want || f->rd.overruns != cases[k].overruns ||
		    f->rd.skipped != cases[k].skipped)
			fail_msg("%s: read %zu overruns %lu skipped %lu", cases[k].name, n,
				 (unsigned long)f->rd.overruns, (unsigned long)f->rd.skipped);
		/* the published tail never runs past the (claimed) head */
		assert_true(atomic_load(&f->cons.tail) - cases[k].tail <= 16 ||
			    cases[k].head_delta > 16);
		assert_true(pv_ring_pending(&f->rd) <= 16);
		fx_free(f);
	}
}

static void test_reader_attach_checks(void **state)
{
	struct fixture *f = fx_new(5);
	struct pv_ring_shared *r = f->mem;
	struct pv_ring_reader rd;
	struct pv_ring_prod p;

	(void)state;
	assert_int_equal(pv_ring_reader_attach(&rd, f->mem, pv_ring_bytes(5), &f->cons), 0);
	assert_int_equal(pv_ring_reader_attach(&rd, f->mem, pv_ring_bytes(5) - 1, &f->cons), -EINVAL);
	assert_int_equal(pv_ring_reader_attach(&rd, f->mem, sizeof(*r) - 1, &f->cons), -EINVAL);
	assert_int_equal(pv_ring_reader_attach(&rd, NULL, 4096, &f->cons), -EINVAL);
	r->order = 30;
	assert_int_equal(pv_ring_reader_attach(&rd, f->mem, pv_ring_bytes(5), &f->cons), -EINVAL);
	assert_int_equal(pv_ring_prod_attach(&p, f->mem, &f->cons), -EINVAL);
	r->order = 3;
	assert_int_equal(pv_ring_reader_attach(&rd, f->mem, pv_ring_bytes(5), &f->cons), -EINVAL);
	r->order = 4;	/* smaller ring inside a bigger area: fine */
	assert_int_equal(pv_ring_reader_attach(&rd, f->mem, pv_ring_bytes(5), &f->cons), 0);
	r->magic ^= 1;
	assert_int_equal(pv_ring_reader_attach(&rd, f->mem, pv_ring_bytes(5), &f->cons), -EINVAL);
	assert_int_equal(pv_ring_prod_attach(&p, f->mem, &f->cons), -EINVAL);
	fx_free(f);
}

/* A reader attaching to a ring with a published tail resumes there (restarted daemon). */
static void test_resume_tail(void **state)
{
	struct fixture *f = fx_new(4);
	struct pv_ring_reader rd2;
	struct pv_rec out[16];
	uint64_t i;

	(void)state;
	fx_attach(f, 0);
	for (i = 0; i < 10; i++) {
		struct pv_rec r = seq_rec(i);

		assert_true(pv_ring_put(&f->p, &r));
	}
	assert_int_equal(pv_ring_read(&f->rd, out, 4), 4);
	assert_int_equal(pv_ring_reader_attach(&rd2, f->mem, pv_ring_bytes(4), &f->cons), 0);
	assert_int_equal(pv_ring_read(&rd2, out, 16), 6);
	assert_int_equal(out[0].b, 4);
	fx_free(f);
}

/* pv_ring_emit stamps a TSC that does not go backwards on one thread. */
static void test_emit_stamps(void **state)
{
	struct fixture *f = fx_new(6);
	struct pv_rec out[64];
	size_t i, n;

	(void)state;
	fx_attach(f, 0);
	for (i = 0; i < 40; i++)
		assert_true(pv_ring_emit(&f->p, PV_EV_VM_ENTRY, 0, 0, 0, 0));
	n = pv_ring_read(&f->rd, out, 64);
	assert_int_equal(n, 40);
	for (i = 1; i < n; i++)
		assert_true(out[i].tsc >= out[i - 1].tsc);
	assert_true(out[0].tsc > 0);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_rejects),
		cmocka_unit_test(test_order_preserved),
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_full_drops_exact),
		cmocka_unit_test(test_bogus_head),
		cmocka_unit_test(test_reader_attach_checks),
		cmocka_unit_test(test_resume_tail),
		cmocka_unit_test(test_emit_stamps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
