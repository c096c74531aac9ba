// SPDX-License-Identifier: GPL-2.0-only
/* Boosting decisions: reported mode with hold, first-entry rule, inferred periodicity. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "qos/boost.h"

#define US 1000ull

static void test_reported_sequence(void **state)
{
	static const struct {
		uint64_t t_us;
		bool entered, rt;
		enum boost_action want;
	} seq[] = {
		{ 0, false, true, BOOST_NONE },		/* not in the guest yet: never boost */
		{ 100, true, true, BOOST_APPLY },
		{ 200, true, true, BOOST_NONE },
		{ 1000, true, false, BOOST_NONE },	/* within the 2 ms hold */
		{ 2150, true, false, BOOST_NONE },	/* 1.95 ms after the last RT runnable */
		{ 2250, true, false, BOOST_DROP },	/* 2 ms after it */
		{ 3000, true, false, BOOST_NONE },
		{ 3100, true, true, BOOST_APPLY },
		{ 3200, true, false, BOOST_NONE },
		{ 4000, true, true, BOOST_NONE },	/* re-armed hold */
		{ 6100, true, false, BOOST_DROP },
	};
	struct boost_tunables t;
	struct boost_vcpu v;
	size_t i;

	(void)state;
	boost_tunables_default(&t);
	memset(&v, 0, sizeof(v));
	for (i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		enum boost_action a;

		v.entered_guest = seq[i].entered;
		a = boost_decide(&v, BOOST_REPORTED, seq[i].rt, seq[i].t_us * US, &t);
		if (a != seq[i].want)
			fail_msg("step %zu (t=%lu us): action %d, want %d", i,
				 (unsigned long)seq[i].t_us, a, seq[i].want);
	}
	assert_int_equal(v.boosts, 2);
	assert_int_equal(v.drops, 2);
}

static void test_zero_hold_drops_at_once(void **state)
{
	struct boost_tunables t;
	struct boost_vcpu v = { .entered_guest = true };

	(void)state;
	boost_tunables_default(&t);
	t.hold_us = 0;
	assert_int_equal(boost_decide(&v, BOOST_REPORTED, true, 10, &t), BOOST_APPLY);
	assert_int_equal(boost_decide(&v, BOOST_REPORTED, false, 11, &t), BOOST_DROP);
}

static void test_inferred_periodicity(void **state)
{
	struct boost_tunables t;
	struct boost_vcpu periodic = { .entered_guest = true }, noisy = { .entered_guest = true };
	uint64_t now = 1000000, i;

	(void)state;
	boost_tunables_default(&t);
	srand(3);
	/* 1 ms period with +-50 us jitter: periodic */
	for (i = 0; i < 40; i++) {
		now += 1000 * US + (uint64_t)(rand() % 100) * US - 50 * US;
		boost_note_wake(&periodic, now);
		if (i < t.infer_min_wakes - 1)
			assert_false(boost_looks_periodic(&periodic, &t));
	}
	assert_true(boost_looks_periodic(&periodic, &t));
	assert_int_equal(boost_decide(&periodic, BOOST_INFERRED, false, now, &t), BOOST_APPLY);
	/* the wake-ups stop: boosted while the hold lasts, then dropped */
	assert_int_equal(boost_decide(&periodic, BOOST_INFERRED, false, now + 2000 * US, &t),
			 BOOST_NONE);
	assert_int_equal(boost_decide(&periodic, BOOST_INFERRED, false,
				      now + 5000 * US + t.hold_us * US, &t), BOOST_DROP);
	/* they resume after the gap: the pattern is learnt again before boosting */
	now += 50000 * US;
	boost_note_wake(&periodic, now);
	assert_false(boost_looks_periodic(&periodic, &t));
	for (i = 0; i < t.infer_min_wakes + 1; i++) {
		now += 1000 * US;
		boost_note_wake(&periodic, now);
	}
	assert_int_equal(boost_decide(&periodic, BOOST_INFERRED, false, now, &t), BOOST_APPLY);
	/* wake-ups anywhere from 0.1 to 10 ms: not periodic */
	now = 1000000;
	for (i = 0; i < 40; i++) {
		now += 100 * US + (uint64_t)(rand() % 9900) * US;
		boost_note_wake(&noisy, now);
	}
	assert_false(boost_looks_periodic(&noisy, &t));
	assert_int_equal(boost_decide(&noisy, BOOST_INFERRED, true, now, &t), BOOST_NONE);
}

static void test_tunables(void **state)
{
	struct boost_tunables t;

	(void)state;
	boost_tunables_default(&t);
	assert_int_equal(boost_tunables_check(&t), 0);
	t.hold_us = MAX_BOOST_HOLD_US + 1;
	assert_int_equal(boost_tunables_check(&t), -EINVAL);
	boost_tunables_default(&t);
	t.infer_max_cv_pct = 0;
	assert_int_equal(boost_tunables_check(&t), -EINVAL);
	boost_tunables_default(&t);
	t.infer_min_wakes = 1;
	assert_int_equal(boost_tunables_check(&t), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reported_sequence),
		cmocka_unit_test(test_zero_hold_drops_at_once),
		cmocka_unit_test(test_inferred_periodicity),
		cmocka_unit_test(test_tunables),
	};

	return cmocka_run_group_tests_name("boost", tests, NULL, NULL);
}
