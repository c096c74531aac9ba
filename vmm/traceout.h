/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * --trace-out: pv-vmm consumes its own rings and saves the raw records in the tracer's
 * file format (tracer/tracefile.h). The VMM is then the rings' consumer, so an external
 * consumer (the daemon) must not attach to the same VM at the same time.
 */
#ifndef PV_VMM_TRACEOUT_H
#define PV_VMM_TRACEOUT_H

#include <stdint.h>

#include "tracer/ring.h"
#include "tracer/shm.h"

struct traceout;

int traceout_open(struct traceout **out, const char *path, const struct pv_shm *shm);
/* Copy everything pending from every ring into the file (event thread). */
void traceout_drain(struct traceout *to);
/* Final drain, header rewrite, close. Returns records written or -errno. */
int64_t traceout_close(struct traceout *to);

#endif /* PV_VMM_TRACEOUT_H */
