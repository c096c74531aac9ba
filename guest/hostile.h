/* SPDX-License-Identifier: GPL-2.0-only */
/* pvguest: hostile modes for the VMM's robustness tests (bodies of ring-3 tasks). */
#ifndef PVGUEST_HOSTILE_H
#define PVGUEST_HOSTILE_H

#include <stdint.h>

struct task;

enum hostile_r0 {
	HOSTILE_R0_TRIPLE_FAULT = 1,
	HOSTILE_R0_BAD_INSN,
};

void hostile_triple_fault(struct task *t);
void hostile_bad_insn(struct task *t);
void hostile_garbage_ports(struct task *t);
void hostile_garbage_mmio(struct task *t);
void hostile_exit_flood(struct task *t);
void hostile_bad_pv(struct task *t);

/* Ring 0, from the service gate (vectors.S): never returns. */
__attribute__((noreturn)) void hostile_ring0(uint64_t mode, uint64_t arg);

#endif /* PVGUEST_HOSTILE_H */
