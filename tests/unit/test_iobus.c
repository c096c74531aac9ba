// SPDX-License-Identifier: GPL-2.0-only
/* vmm/iobus.c: registration (overlaps rejected), lookup by binary search, device offsets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "vmm/iobus.h"

struct rec_dev {
	uint64_t last_off;
	uint32_t last_len;
	uint32_t last_val;
	int writes, reads;
};

static int rd_read(struct dev *d, void *caller, uint64_t off, void *data, uint32_t len)
{
	struct rec_dev *r = d->priv;

	(void)caller;
	r->reads++;
	r->last_off = off;
	r->last_len = len;
	memset(data, 0, len);
	*(uint8_t *)data = (uint8_t)(0xa0 + off);
	return 0;
}

static int rd_write(struct dev *d, void *caller, uint64_t off, const void *data, uint32_t len)
{
	struct rec_dev *r = d->priv;

	(void)caller;
	r->writes++;
	r->last_off = off;
	r->last_len = len;
	r->last_val = 0;
	memcpy(&r->last_val, data, len < 4 ? len : 4);
	return 0;
}

static const struct dev_ops rd_ops = { .read = rd_read, .write = rd_write };

static void test_register_overlaps(void **state)
{
	static const struct {
		uint64_t base, len;
		int want;
	} cases[] = {
		{ 0x100, 0x10, 0 },		/* [0x100, 0x110) */
		{ 0x200, 0x8, 0 },		/* [0x200, 0x208) */
		{ 0x10f, 0x1, -EEXIST },	/* last byte of the first */
		{ 0xf0, 0x11, -EEXIST },	/* runs into the first */
		{ 0x100, 0x10, -EEXIST },	/* identical */
		{ 0x104, 0x2, -EEXIST },	/* inside */
		{ 0x0f0, 0x200, -EEXIST },	/* covers both */
		{ 0x1ff, 0x2, -EEXIST },	/* straddles the second's start */
		{ 0x110, 0xf0, 0 },		/* exactly between */
		{ 0x0f0, 0x10, 0 },		/* exactly before */
		{ 0x300, 0, -EINVAL },		/* empty */
		{ UINT64_MAX - 1, 4, -EINVAL },	/* wraps */
	};
	struct iobus b;
	struct rec_dev r = { 0 };
	struct dev d = { .name = "t", .ops = &rd_ops, .priv = &r };
	unsigned int i;

	(void)state;
	iobus_init(&b, "pio", 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(iobus_register(&b, cases[i].base, cases[i].len, &d), cases[i].want);
	assert_int_equal(b.n, 4);
	for (i = 1; i < b.n; i++)
		assert_true(b.r[i - 1].base + b.r[i - 1].len <= b.r[i].base);
}

static void test_register_full(void **state)
{
	struct iobus b;
	struct dev d = { .name = "t", .ops = &rd_ops };
	unsigned int i;

	(void)state;
	iobus_init(&b, "pio", 0);
	for (i = 0; i < IOBUS_MAX_RANGES; i++)
		assert_int_equal(iobus_register(&b, (IOBUS_MAX_RANGES - i) * 16, 8, &d), 0);
	assert_int_equal(iobus_register(&b, 0x10000, 1, &d), -ENOSPC);
	assert_int_equal(iobus_register(&b, 0, 1, NULL), -EINVAL);
}

static void test_lookup(void **state)
{
	struct iobus b;
	struct dev d1 = { .name = "a", .ops = &rd_ops }, d2 = { .name = "b", .ops = &rd_ops };
	static const struct {
		uint64_t addr;
		uint32_t len;
		int which;	/* 0 none, 1 d1, 2 d2 */
	} cases[] = {
		{ 0x3f8, 1, 1 }, { 0x3ff, 1, 1 }, { 0x3fc, 4, 1 }, { 0x3fd, 4, 0 }, { 0x3f7, 1, 0 },
		{ 0x400, 1, 0 }, { 0x5000, 4, 2 }, { 0x5007, 1, 2 }, { 0x5008, 1, 0 },
		{ 0x0, 1, 0 }, { 0xffff, 1, 0 }, { 0x3f8, 0, 0 }, { UINT64_MAX, 2, 0 },
	};
	unsigned int i;

	(void)state;
	iobus_init(&b, "pio", 0);
	assert_int_equal(iobus_register(&b, 0x5000, 8, &d2), 0);
	assert_int_equal(iobus_register(&b, 0x3f8, 8, &d1), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct iobus_range *r = iobus_find(&b, cases[i].addr, cases[i].len);
		struct dev *want = cases[i].which == 1 ? &d1 : cases[i].which == 2 ? &d2 : NULL;

		assert_ptr_equal(r ? r->dev : NULL, want);
	}
}

static void test_access_offsets_and_counters(void **state)
{
	struct iobus b;
	struct rec_dev r = { 0 };
	struct pv_dev_counters ctr;
	struct dev d = { .name = "t", .ops = &rd_ops, .priv = &r, .ctr = &ctr };
	uint32_t v = 0x12345678;
	uint8_t out[4];

	(void)state;
	memset(&ctr, 0, sizeof(ctr));
	iobus_init(&b, "pio", 2000000);
	assert_int_equal(iobus_register(&b, 0x5000, 8, &d), 0);
	assert_int_equal(iobus_access(&b, NULL, 0x5004, &v, 4, true), 0);
	assert_int_equal(r.last_off, 4);
	assert_int_equal(r.last_len, 4);
	assert_int_equal(r.last_val, 0x12345678);
	assert_int_equal(iobus_access(&b, NULL, 0x5003, out, 1, false), 0);
	assert_int_equal(r.last_off, 3);
	assert_int_equal(out[0], 0xa3);
	assert_int_equal(iobus_access(&b, NULL, 0x6000, out, 1, false), -ENOENT);
	assert_int_equal(atomic_load(&ctr.writes), 1);
	assert_int_equal(atomic_load(&ctr.reads), 1);
	assert_int_equal(atomic_load(&ctr.bytes), 5);
	assert_true(atomic_load(&ctr.last_use_tsc) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_overlaps),
		cmocka_unit_test(test_register_full),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_access_offsets_and_counters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
