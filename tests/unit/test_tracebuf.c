// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daemon's trace retention buffer (daemon/tracebuf.h): reads filtered by VM slot and by
 * event type, the cursor moving past the events a filter skipped (so a filtered reader never
 * rescans them) and stopping at the last event copied when the page is full, and the count
 * of events a cursor missed once the ring wrapped, which no filter changes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/tracebuf.h"

#define NODE		UINT32_MAX
#define T(x)		TRACEBUF_TYPE(PV_EV_##x)
#define MAX_SEQS	16

/* Ten events, seq 1..10: slot and type of each. */
static const struct { uint32_t vm; uint16_t type; } evs[] = {
	{ 0, PV_EV_VM_EXIT }, { 0, PV_EV_VM_ENTRY }, { 1, PV_EV_RT_MISS }, { 0, PV_EV_RT_MISS },
	{ NODE, PV_EV_PSTATE }, { 1, PV_EV_RESERVATION }, { 0, PV_EV_RESERVATION },
	{ 0, PV_EV_VM_EXIT }, { 1, PV_EV_RT_MISS }, { 0, PV_EV_HALT_BEGIN },
};
#define NEVS	(sizeof(evs) / sizeof(evs[0]))

static void fill(struct tracebuf *tb, unsigned int order)
{
	size_t i;

	assert_int_equal(tracebuf_init(tb, order), 0);
	for (i = 0; i < NEVS; i++) {
		struct pv_rec r = { .tsc = 1000 + i, .type = evs[i].type, .a = (uint32_t)i };

		tracebuf_append(tb, evs[i].vm, 0, &r, 1);
	}
}

struct fcase {
	int vm;				/* filter: slot, -1 = all */
	uint32_t types;			/* filter: 0 = all */
	uint64_t since;
	size_t max;
	uint64_t seqs[MAX_SEQS];	/* expected, in order; 0 ends */
	uint64_t next;
};

static const struct fcase fcases[] = {
	/* no filter */
	{ -1, 0, 0, 16, { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 10 },
	{ -1, 0, 7, 16, { 8, 9, 10 }, 10 },
	/* by type: one, several; the cursor moves to the end over what was skipped */
	{ -1, T(RT_MISS), 0, 16, { 3, 4, 9 }, 10 },
	{ -1, T(RT_MISS) | T(RESERVATION), 0, 16, { 3, 4, 6, 7, 9 }, 10 },
	{ -1, T(PSTATE), 0, 16, { 5 }, 10 },
	{ -1, T(THROTTLE), 0, 16, { 0 }, 10 },
	{ -1, T(VM_EXIT), 8, 16, { 0 }, 10 },
	/* by VM and type */
	{ 0, T(RT_MISS) | T(RESERVATION), 0, 16, { 4, 7 }, 10 },
	{ 1, T(RT_MISS) | T(RESERVATION), 0, 16, { 3, 6, 9 }, 10 },
	{ 1, T(VM_EXIT), 0, 16, { 0 }, 10 },
	{ 0, 0, 0, 16, { 1, 2, 4, 7, 8, 10 }, 10 },
	/* a full page: the cursor stops at the last event copied */
	{ 1, T(RT_MISS), 0, 1, { 3 }, 3 },
	{ 1, T(RT_MISS), 3, 1, { 9 }, 9 },
	{ 1, T(RT_MISS), 9, 1, { 0 }, 10 },
	{ -1, T(RT_MISS) | T(RESERVATION), 0, 2, { 3, 4 }, 4 },
	{ -1, T(RT_MISS) | T(RESERVATION), 4, 2, { 6, 7 }, 7 },
	/* a cursor past the end (daemon restarted): nothing, from the end */
	{ -1, T(RT_MISS), 50, 16, { 0 }, 10 },
};

static void test_filter_table(void **state)
{
	struct tracebuf_ent out[MAX_SEQS];
	struct tracebuf tb;
	size_t i, k, n;

	(void)state;
	fill(&tb, 4);
	for (i = 0; i < sizeof(fcases) / sizeof(fcases[0]); i++) {
		const struct fcase *c = &fcases[i];
		struct tracebuf_filter f = { .vm = c->vm, .types = c->types };
		uint64_t next = 0, missed = 99;

		n = tracebuf_read(&tb, c->since, &f, out, c->max, &next, &missed);
		for (k = 0; k < MAX_SEQS && c->seqs[k]; k++)
			;
		if (n != k)
			fail_msg("case %zu: %zu events, want %zu", i, n, k);
		for (k = 0; k < n; k++) {
			const struct tracebuf_ent *e = &out[k];

			if (e->seq != c->seqs[k])
				fail_msg("case %zu: event %zu is seq %llu, want %llu", i, k,
					 (unsigned long long)e->seq,
					 (unsigned long long)c->seqs[k]);
			assert_int_equal(e->vm, evs[e->seq - 1].vm);
			assert_int_equal(e->rec.type, evs[e->seq - 1].type);
			assert_int_equal(e->rec.a, e->seq - 1);
		}
		if (next != c->next)
			fail_msg("case %zu: next %llu, want %llu", i, (unsigned long long)next,
				 (unsigned long long)c->next);
		assert_int_equal(missed, 0);
	}
	tracebuf_fini(&tb);
}

/* NULL is no filter, and so is { -1, 0 }. */
static void test_null_filter(void **state)
{
	struct tracebuf_filter all = { .vm = -1, .types = 0 };
	struct tracebuf_ent a[MAX_SEQS], b[MAX_SEQS];
	uint64_t na, nb, ma, mb;
	struct tracebuf tb;
	size_t i;

	(void)state;
	fill(&tb, 4);
	assert_int_equal(tracebuf_read(&tb, 2, NULL, a, MAX_SEQS, &na, &ma), NEVS - 2);
	assert_int_equal(tracebuf_read(&tb, 2, &all, b, MAX_SEQS, &nb, &mb), NEVS - 2);
	assert_int_equal(na, nb);
	assert_int_equal(ma, mb);
	for (i = 0; i < NEVS - 2; i++)
		assert_int_equal(a[i].seq, b[i].seq);
	tracebuf_fini(&tb);
}

/* A filtered reader paging one event at a time sees each match once, then stays caught up. */
static void test_filtered_walk(void **state)
{
	struct tracebuf_filter f = { .vm = 0, .types = T(VM_EXIT) | T(HALT_BEGIN) };
	static const uint64_t want[] = { 1, 8, 10 };
	struct tracebuf_ent e;
	uint64_t since = 0, next, missed;
	struct tracebuf tb;
	size_t seen = 0;
	int calls;

	(void)state;
	fill(&tb, 4);
	for (calls = 0; calls < 10; calls++) {
		size_t n = tracebuf_read(&tb, since, &f, &e, 1, &next, &missed);

		assert_true(next >= since);
		if (!n)
			break;
		assert_true(seen < sizeof(want) / sizeof(want[0]));
		assert_int_equal(e.seq, want[seen++]);
		since = next;
	}
	assert_int_equal(seen, 3);
	assert_int_equal(calls, 3);	/* the fourth read found nothing */
	assert_int_equal(next, 10);
	/* new events: only the match after the cursor comes back */
	{
		struct pv_rec r[2] = { { .tsc = 1, .type = PV_EV_RT_MISS },
				       { .tsc = 2, .type = PV_EV_VM_EXIT } };

		tracebuf_append(&tb, 0, 0, r, 2);
	}
	assert_int_equal(tracebuf_read(&tb, next, &f, &e, 1, &next, &missed), 1);
	assert_int_equal(e.seq, 12);
	assert_int_equal(next, 12);
	tracebuf_fini(&tb);
}

/* Once the ring wrapped: `missed` is the same with and without a filter. */
static void test_missed_with_filter(void **state)
{
	struct tracebuf_filter f = { .vm = -1, .types = T(VM_EXIT) };
	struct tracebuf_ent out[16];
	struct tracebuf tb;
	uint64_t next, missed;
	size_t i, n;

	(void)state;
	assert_int_equal(tracebuf_init(&tb, 4), 0);		/* 16 events kept */
	for (i = 0; i < 30; i++) {
		struct pv_rec r = { .tsc = i, .type = i % 3 ? PV_EV_VM_ENTRY : PV_EV_VM_EXIT };

		tracebuf_append(&tb, 0, 0, &r, 1);		/* seq i + 1 */
	}
	n = tracebuf_read(&tb, 0, &f, out, 16, &next, &missed);
	assert_int_equal(missed, 14);				/* seq 1..14 are gone */
	assert_int_equal(next, 30);
	assert_int_equal(n, 5);					/* seq 16, 19, 22, 25, 28 */
	for (i = 0; i < n; i++)
		assert_int_equal(out[i].seq, 16 + 3 * i);
	assert_int_equal(tracebuf_read(&tb, 0, NULL, out, 16, &next, &missed), 16);
	assert_int_equal(missed, 14);
	assert_int_equal(out[0].seq, 15);
	tracebuf_fini(&tb);
}

/* A record whose type has no bit (corrupt) matches no type filter, only "every type". */
static void test_type_out_of_range(void **state)
{
	struct tracebuf_filter f = { .vm = -1, .types = 0xffffffffu };
	struct pv_rec r[2] = { { .type = 40 }, { .type = PV_EV_MAX } };
	struct tracebuf_ent out[4];
	struct tracebuf tb;
	uint64_t next, missed;

	(void)state;
	assert_int_equal(tracebuf_init(&tb, 4), 0);
	tracebuf_append(&tb, 0, 0, r, 2);
	assert_int_equal(tracebuf_read(&tb, 0, &f, out, 4, &next, &missed), 0);
	assert_int_equal(next, 2);
	f.types = 0;
	assert_int_equal(tracebuf_read(&tb, 0, &f, out, 4, &next, &missed), 2);
	tracebuf_fini(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_table),
		cmocka_unit_test(test_null_filter),
		cmocka_unit_test(test_filtered_walk),
		cmocka_unit_test(test_missed_with_filter),
		cmocka_unit_test(test_type_out_of_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
