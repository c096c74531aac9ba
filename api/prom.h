/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Prometheus text exposition (format 0.0.4) builder. One family = one "# HELP" and one
 * "# TYPE" line followed by its samples; label values are escaped (\\, \", \n); histograms
 * come from the tracer's log2 histograms with a fixed set of `le` bounds (powers of two
 * from 2^10 ns ≈ 1 µs to 2^34 ns ≈ 17 s, plus +Inf) so every scrape has the same series.
 * Memory errors are sticky: check prom_error() once at the end.
 */
#ifndef PV_API_PROM_H
#define PV_API_PROM_H

#include <stddef.h>

#include "tracer/hist.h"

#define PROM_MAX_LABELS		6
#define PROM_HIST_LO_LOG2	10u
#define PROM_HIST_HI_LOG2	34u

struct prom_label {
	const char *name;
	const char *value;
};

struct prom_buf {
	char *data;
	size_t len, cap;
	int err;			/* -ENOMEM once anything failed */
};

void prom_init(struct prom_buf *b);
void prom_free(struct prom_buf *b);
int prom_error(const struct prom_buf *b);
/* Hand the text over (caller frees); the buffer is reset. */
char *prom_take(struct prom_buf *b, size_t *len);

/* "# HELP name help" and "# TYPE name type" (type: counter, gauge, histogram). */
void prom_family(struct prom_buf *b, const char *name, const char *type, const char *help);
/* name{labels} value — @nlabels entries of @labels (up to PROM_MAX_LABELS). */
void prom_sample(struct prom_buf *b, const char *name, const struct prom_label *labels,
		 unsigned int nlabels, double value);
/* name_bucket{labels,le=…}, name_sum, name_count from @h, values scaled by @scale (1e-9: s). */
void prom_histogram(struct prom_buf *b, const char *name, const struct prom_label *labels,
		    unsigned int nlabels, const struct pv_hist *h, double scale);

#endif /* PV_API_PROM_H */
