// SPDX-License-Identifier: GPL-2.0-only
/* tracer/grow.h: the first allocation, doubling, contents kept, no growth while there is room. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "tracer/grow.h"

struct item {
	uint64_t a, b;
};

static void test_grow(void **state)
{
	struct item *v = NULL;
	size_t cap = 0, n, grows = 0;

	(void)state;
	for (n = 0; n < 1000; n++) {
		size_t before = cap;

		assert_int_equal(PV_GROW(v, cap, n, 4), 0);
		assert_true(cap > n);
		if (cap != before) {
			grows++;
			assert_int_equal(cap, before ? before * 2 : 4);
			assert_int_equal(n, before);	/* only when full */
		}
		v[n] = (struct item){ n, n * 3 };
	}
	assert_int_equal(cap, 1024);		/* 4, 8, … 1024 */
	assert_int_equal(grows, 9);
	for (n = 0; n < 1000; n++)
		assert_true(v[n].a == n && v[n].b == n * 3);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
