/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PIO and MMIO buses: sorted, non-overlapping address ranges, each owned by one device.
 * Devices see offsets from their base. Lookup is a binary search; registration keeps the
 * array sorted and rejects overlaps. Every access to a device is accounted in its
 * pv_dev_counters (reads, writes, bytes, busy_ns, last_use_tsc) when it has some.
 */
#ifndef PV_VMM_IOBUS_H
#define PV_VMM_IOBUS_H

#include <stdbool.h>
#include <stdint.h>

#include "tracer/shm.h"

#define IOBUS_MAX_RANGES	32

struct dev;

/* Device operations (kvmtool style: one const table per device type). */
struct dev_ops {
	/* @caller: the vCPU doing the access (struct vcpu *), NULL from tests. 0 or -errno. */
	int (*read)(struct dev *d, void *caller, uint64_t off, void *data, uint32_t len);
	int (*write)(struct dev *d, void *caller, uint64_t off, const void *data, uint32_t len);
	/* Event thread, ~every heartbeat: flush buffers, etc. Optional. */
	void (*tick)(struct dev *d);
	void (*destroy)(struct dev *d);
};

struct dev {
	const char *name;
	const struct dev_ops *ops;
	uint32_t id;				/* index in the shm device counters */
	struct pv_dev_counters *ctr;		/* may be NULL (tests) */
	void *priv;
	/* last values the event thread reported as DEV_IO (event thread only) */
	uint64_t rep_reads, rep_writes, rep_bytes, rep_busy_ns;
};

struct iobus_range {
	uint64_t base;
	uint64_t len;
	struct dev *dev;
};

struct iobus {
	const char *name;			/* "pio" / "mmio" */
	struct iobus_range r[IOBUS_MAX_RANGES];	/* sorted by base, disjoint */
	unsigned int n;
	uint64_t ns_mult;			/* tsc -> ns: (tsc * ns_mult) >> 32; 0 = no timing */
};

void iobus_init(struct iobus *b, const char *name, uint64_t tsc_khz);
/* 0, -EINVAL (empty / wrapping range), -EEXIST (overlap), -ENOSPC. */
int iobus_register(struct iobus *b, uint64_t base, uint64_t len, struct dev *d);
/* The range holding all of [addr, addr + len), or NULL. */
const struct iobus_range *iobus_find(const struct iobus *b, uint64_t addr, uint32_t len);
/*
 * Perform one access. -ENOENT when unassigned (reads are then filled with all-ones by the
 * caller), otherwise the device's result.
 */
int iobus_access(const struct iobus *b, void *caller, uint64_t addr, void *data, uint32_t len,
		 bool is_write);

/* tsc delta -> ns with a precomputed multiplier */
static inline uint64_t iobus_tsc_to_ns(uint64_t mult, uint64_t tsc)
{
	return (uint64_t)(((unsigned __int128)tsc * mult) >> 32);
}
static inline uint64_t iobus_ns_mult(uint64_t tsc_khz)
{
	return tsc_khz ? ((uint64_t)1000000 << 32) / tsc_khz : 0;
}

#endif /* PV_VMM_IOBUS_H */
