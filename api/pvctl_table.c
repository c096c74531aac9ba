// SPDX-License-Identifier: GPL-2.0-only
/*
 * Column-aligned tables: collect every cell first, then size each column to its widest
 * cell (or header) and print. Widths count UTF-8 code points, which is right for the
 * characters pvctl prints (ASCII, '—', 'µ'); wide East Asian glyphs are not expected in
 * names restricted to [a-z0-9_-].
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/pvctl_table.h"
#include "tracer/grow.h"

void pvctl_table_init(struct pvctl_table *t, const struct pvctl_col *cols, unsigned int ncols)
{
	memset(t, 0, sizeof(*t));
	t->cols = cols;
	t->ncols = ncols > PVCTL_TABLE_MAX_COLS ? PVCTL_TABLE_MAX_COLS : ncols;
	t->header = true;
	t->indent = "";
}

size_t pvctl_text_width(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

void pvctl_text_sanitize(char *dst, size_t len, const char *s)
{
	size_t i;

	if (!len)
		return;
	for (i = 0; s && s[i] && i + 1 < len; i++)
		dst[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	dst[i] = '\0';
}

int pvctl_table_cell(struct pvctl_table *t, const char *fmt, ...)
{
	char raw[PVCTL_TABLE_CELL_MAX], *cell;
	va_list ap;

	if (t->err)
		return t->err;
	if (!t->ncols)
		return t->err = -EINVAL;
	if (PV_GROW(t->cells, t->cap, t->ncells, (size_t)t->ncols * 8))
		return t->err = -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	cell = malloc(strlen(raw) + 1);
	if (!cell)
		return t->err = -ENOMEM;
	pvctl_text_sanitize(cell, strlen(raw) + 1, raw);
	t->cells[t->ncells++] = cell;
	return 0;
}

size_t pvctl_table_rows(const struct pvctl_table *t)
{
	return t->ncols ? (t->ncells + t->ncols - 1) / t->ncols : 0;
}

static void table_pad(FILE *out, size_t n)
{
	while (n--)
		fputc(' ', out);
}

static void table_line(const struct pvctl_table *t, FILE *out, const char *const *cells,
		       const size_t *width)
{
	unsigned int c, last = t->ncols - 1;
	size_t w;

	/* drop trailing empty cells so lines carry no trailing blanks */
	while (last > 0 && !*cells[last])
		last--;
	fputs(t->indent, out);
	for (c = 0; c <= last; c++) {
		w = pvctl_text_width(cells[c]);
		if (c)
			fputs("  ", out);
		if (t->cols[c].align == PVCTL_RIGHT)
			table_pad(out, width[c] - w);
		fputs(cells[c], out);
		if (t->cols[c].align == PVCTL_LEFT && c < last)
			table_pad(out, width[c] - w);
	}
	fputc('\n', out);
}

int pvctl_table_print(const struct pvctl_table *t, FILE *out)
{
	size_t width[PVCTL_TABLE_MAX_COLS] = { 0 }, rows = pvctl_table_rows(t), r, w;
	const char *line[PVCTL_TABLE_MAX_COLS];
	unsigned int c;

	if (t->err)
		return t->err;
	if (!t->ncols)
		return 0;
	for (c = 0; c < t->ncols; c++)
		width[c] = t->header ? pvctl_text_width(t->cols[c].header) : 0;
	for (r = 0; r < t->ncells; r++) {
		w = pvctl_text_width(t->cells[r]);
		if (w > width[r % t->ncols])
			width[r % t->ncols] = w;
	}
	if (t->header) {
		for (c = 0; c < t->ncols; c++)
			line[c] = t->cols[c].header ? t->cols[c].header : "";
		table_line(t, out, line, width);
	}
	for (r = 0; r < rows; r++) {
		for (c = 0; c < t->ncols; c++) {
			size_t i = r * t->ncols + c;

			line[c] = i < t->ncells ? t->cells[i] : "";
		}
		table_line(t, out, line, width);
	}
	return 0;
}

void pvctl_table_free(struct pvctl_table *t)
{
	size_t i;

	for (i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->ncells = t->cap = 0;
}
