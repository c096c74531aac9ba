/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hand-built daemon snapshots (struct dsnap) for tests of the API handlers and metrics:
 * a two-CPU model node with plausible figures, and VMs filled in with known counters, so
 * a test can publish one in a snap_pub and check what the API makes of it.
 */
#ifndef PV_TESTS_FAKE_DSNAP_H
#define PV_TESTS_FAKE_DSNAP_H

#include "daemon/dsnap.h"

/* A node snapshot stamped now (CLOCK_MONOTONIC) with room for @nvms VMs (s->nvms = 0; add them with fake_dsnap_add_vm). */
struct dsnap *fake_dsnap_new(unsigned int nvms);
/*
 * Append a VM: @state is an enum dvm_state, @cls an enum pv_qos_class; counters are
 * derived from @seed (exits[pio] = 100 * seed, rt activations = 10 * seed, ...).
 */
struct dsnap_vm *fake_dsnap_add_vm(struct dsnap *s, const char *name, int state, int cls,
				   unsigned int nvcpus, unsigned int seed);
/* A copy (refs 1) with room for @extra more VMs. */
struct dsnap *fake_dsnap_dup(const struct dsnap *s, unsigned int extra);
/* Publish @s into @pub (the reference moves in). */
void fake_dsnap_publish(struct snap_pub *pub, struct dsnap *s);

#endif /* PV_TESTS_FAKE_DSNAP_H */
