/* SPDX-License-Identifier: GPL-2.0-only */
/* Human-readable accounting and consumer summaries (pv-trace summary / demo, daemon logs). */
#ifndef PV_TRACER_REPORT_H
#define PV_TRACER_REPORT_H

#include <stdio.h>

#include "tracer/account.h"
#include "tracer/consume.h"

/* The cumulative accounting of a VM: the VM line, then one block per vCPU. */
void pv_report_acct(FILE *f, const struct pv_acct *a, const char *vm_name);
/* One block of figures (a vCPU's or the VM's) indented by @indent spaces. */
void pv_report_stats(FILE *f, const struct pv_acct_stats *st, unsigned int indent);
/* Consumer counters: consumed, rejects by reason, overruns, producer-reported drops. */
void pv_report_consume(FILE *f, const char *what, const struct pv_consume_stats *st);

#endif /* PV_TRACER_REPORT_H */
