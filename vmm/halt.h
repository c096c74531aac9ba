/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Halt modes (how a vCPU's HLT is treated) and halted-time measurement from KVM's binary
 * statistics. See halt.c for the policy.
 */
#ifndef PV_VMM_HALT_H
#define PV_VMM_HALT_H

#include <stdbool.h>
#include <stdint.h>

#include "tracer/event.h"

#define DEF_HALT_POLL_NS	200000ull
#define MAX_HALT_POLL_NS	10000000ull

/* One sample of a vCPU's cumulative halt statistics (KVM_GET_STATS_FD). */
struct halt_sample {
	uint64_t wait_ns;	/* halt_wait_ns: blocked */
	uint64_t poll_ns;	/* halt_poll_success_ns + halt_poll_fail_ns: polling */
	uint64_t exits;		/* halt_exits: HLT intercepts */
};

struct halt_stats {
	int fd;			/* per-vCPU stats fd, -1 when unavailable */
	uint64_t span_off;	/* file offset of the first value we read */
	uint32_t span_len;	/* bytes covering every value we read */
	int32_t idx_wait, idx_poll_ok, idx_poll_fail, idx_exits;	/* u64 index in span, -1 = absent */
	uint64_t buf[256];	/* pread target */
};

/* Resolve offsets once (parses the descriptors). -ENOTSUP when stats are unavailable. */
int halt_stats_open(struct halt_stats *hs, int vcpu_fd);
void halt_stats_close(struct halt_stats *hs);
/* One pread. Values that the kernel does not provide read as 0. */
int halt_stats_read(struct halt_stats *hs, struct halt_sample *out);

/* Before any vCPU exists: KVM_CAP_X86_DISABLE_EXITS(HLT). -errno when refused. */
int halt_native_enable(int vm_fd);
/* Per-VM halt polling (KVM_CAP_HALT_POLL): 0 = block at once. Allowed at run time. */
int halt_poll_set(int vm_fd, uint64_t poll_ns);
/*
 * Apply @mode at start (@native_enabled says whether DISABLE_EXITS was accepted) or at
 * run time. -EOPNOTSUPP for a change KVM cannot make (native after vCPU creation, or
 * leaving native).
 */
int halt_mode_apply(int vm_fd, unsigned int mode, uint64_t poll_ns, bool native_enabled,
		    bool at_start);

#endif /* PV_VMM_HALT_H */
