// SPDX-License-Identifier: GPL-2.0-only
/* Prometheus text exposition builder (see prom.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/prom.h"

void prom_init(struct prom_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void prom_free(struct prom_buf *b)
{
	free(b->data);
	prom_init(b);
}

int prom_error(const struct prom_buf *b)
{
	return b->err;
}

char *prom_take(struct prom_buf *b, size_t *len)
{
	char *d = b->data;

	*len = b->len;
	prom_init(b);
	return d;
}

static void put(struct prom_buf *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *nd;

		while (b->len + n + 1 > cap)
			cap *= 2;
		nd = realloc(b->data, cap);
		if (!nd) {
			b->err = -ENOMEM;
			return;
		}
		b->data = nd;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void puts_(struct prom_buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void putf(struct prom_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct prom_buf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->err = -EINVAL;
		return;
	}
	put(b, tmp, (size_t)n);
}

/* Escape a label value (or HELP text when @help): backslash, newline, and quote for labels. */
static void put_escaped(struct prom_buf *b, const char *s, int help)
{
	for (; *s; s++) {
		if (*s == '\\')
			puts_(b, "\\\\");
		else if (*s == '\n')
			puts_(b, "\\n");
		else if (*s == '"' && !help)
			puts_(b, "\\\"");
		else
			put(b, s, 1);
	}
}

void prom_family(struct prom_buf *b, const char *name, const char *type, const char *help)
{
	putf(b, "# HELP %s ", name);
	put_escaped(b, help, 1);
	putf(b, "\n# TYPE %s %s\n", name, type);
}

static void put_labels(struct prom_buf *b, const struct prom_label *labels, unsigned int n,
		       const char *le)
{
	unsigned int i;

	if (!n && !le)
		return;
	puts_(b, "{");
	for (i = 0; i < n && i < PROM_MAX_LABELS; i++) {
		putf(b, "%s%s=\"", i ? "," : "", labels[i].name);
		put_escaped(b, labels[i].value ? labels[i].value : "", 0);
		puts_(b, "\"");
	}
	if (le)
		putf(b, "%sle=\"%s\"", n ? "," : "", le);
	puts_(b, "}");
}

static void put_value(struct prom_buf *b, double v)
{
	if (isnan(v))
		puts_(b, " NaN\n");
	else if (isinf(v))
		puts_(b, v > 0 ? " +Inf\n" : " -Inf\n");
	else if (v == floor(v) && fabs(v) < 1e15)
		putf(b, " %.0f\n", v);
	else
		putf(b, " %.9g\n", v);
}

void prom_sample(struct prom_buf *b, const char *name, const struct prom_label *labels,
		 unsigned int nlabels, double value)
{
	puts_(b, name);
	put_labels(b, labels, nlabels, NULL);
	put_value(b, value);
}

void prom_histogram(struct prom_buf *b, const char *name, const struct prom_label *labels,
		    unsigned int nlabels, const struct pv_hist *h, double scale)
{
	uint64_t cum = 0;
	unsigned int k, i = 0;
	char le[32];

	for (k = PROM_HIST_LO_LOG2; k <= PROM_HIST_HI_LOG2; k++) {
		/* bucket i holds [2^(i-1), 2^i): everything below 2^k is in buckets 0..k */
		for (; i <= k && i < PV_HIST_BUCKETS; i++)
			cum += h->buckets[i];
		snprintf(le, sizeof(le), "%.12g", (double)(1ull << k) * scale);
		putf(b, "%s_bucket", name);
		put_labels(b, labels, nlabels, le);
		put_value(b, (double)cum);
	}
	putf(b, "%s_bucket", name);
	put_labels(b, labels, nlabels, "+Inf");
	put_value(b, (double)h->count);
	putf(b, "%s_sum", name);
	put_labels(b, labels, nlabels, NULL);
	put_value(b, (double)h->sum_ns * scale);
	putf(b, "%s_count", name);
	put_labels(b, labels, nlabels, NULL);
	put_value(b, (double)h->count);
}
