// SPDX-License-Identifier: GPL-2.0-only
/*
 * I/O buses. Design: a bus is a small sorted array (a VM has a handful of devices), so a
 * binary search beats any tree and the array lives in one or two cache lines on the exit
 * path. Registration is rare (start-up) and may shift the array.
 */
#include <errno.h>
#include <string.h>

#include "tracer/tsc.h"
#include "vmm/iobus.h"

#define CTR_ADD(c, v) atomic_fetch_add_explicit(&(c), (v), memory_order_relaxed)

void iobus_init(struct iobus *b, const char *name, uint64_t tsc_khz)
{
	memset(b, 0, sizeof(*b));
	b->name = name;
	b->ns_mult = iobus_ns_mult(tsc_khz);
}

int iobus_register(struct iobus *b, uint64_t base, uint64_t len, struct dev *d)
{
	unsigned int i;

	if (!len || !d || base + len < base)
		return -EINVAL;
	if (b->n >= IOBUS_MAX_RANGES)
		return -ENOSPC;
	/* first range that starts after base */
	for (i = 0; i < b->n && b->r[i].base <= base; i++)
		;
	if (i > 0 && b->r[i - 1].base + b->r[i - 1].len > base)
		return -EEXIST;
	if (i < b->n && base + len > b->r[i].base)
		return -EEXIST;
	memmove(&b->r[i + 1], &b->r[i], (b->n - i) * sizeof(b->r[0]));
	b->r[i] = (struct iobus_range){ .base = base, .len = len, .dev = d };
	b->n++;
	return 0;
}

const struct iobus_range *iobus_find(const struct iobus *b, uint64_t addr, uint32_t len)
{
	unsigned int lo = 0, hi = b->n;

	if (!len || addr + len < addr)
		return NULL;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct iobus_range *r = &b->r[mid];

		if (addr < r->base) {
			hi = mid;
		} else if (addr - r->base >= r->len) {
			lo = mid + 1;
		} else {
			/* the whole access must belong to the device */
			if (addr + len - r->base > r->len)
				return NULL;
			return r;
		}
	}
	return NULL;
}

int iobus_access(const struct iobus *b, void *caller, uint64_t addr, void *data, uint32_t len,
		 bool is_write)
{
	const struct iobus_range *r = iobus_find(b, addr, len);
	struct dev *d;
	uint64_t t0, t1;
	int ret;

	if (!r)
		return -ENOENT;
	d = r->dev;
	t0 = pv_rdtsc();
	if (is_write)
		ret = d->ops->write ? d->ops->write(d, caller, addr - r->base, data, len) : 0;
	else
		ret = d->ops->read ? d->ops->read(d, caller, addr - r->base, data, len) : -ENOENT;
	t1 = pv_rdtsc();
	if (!is_write && ret == -ENOENT)
		memset(data, 0xff, len);
	if (d->ctr) {
		if (is_write)
			CTR_ADD(d->ctr->writes, 1);
		else
			CTR_ADD(d->ctr->reads, 1);
		CTR_ADD(d->ctr->bytes, len);
		CTR_ADD(d->ctr->busy_ns, iobus_tsc_to_ns(b->ns_mult, t1 - t0));
		atomic_store_explicit(&d->ctr->last_use_tsc, t1, memory_order_relaxed);
	}
	return ret == -ENOENT ? 0 : ret;
}
