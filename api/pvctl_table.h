/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Column-aligned text tables for pvctl's human output. Cells are added left to right, one
 * row after another; widths are computed at print time in characters (UTF-8 aware), numbers
 * are right-aligned, text left-aligned, columns separated by two spaces, no trailing blanks.
 * Control characters from the server (a VM name is untrusted text) print as '?', so a
 * table can never carry terminal escape sequences.
 */
#ifndef PV_API_PVCTL_TABLE_H
#define PV_API_PVCTL_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define PVCTL_TABLE_MAX_COLS	16
#define PVCTL_TABLE_CELL_MAX	512	/* bytes of one formatted cell */

enum pvctl_align {
	PVCTL_LEFT = 0,
	PVCTL_RIGHT,
};

struct pvctl_col {
	const char *header;		/* with units: "POWER (W)" */
	enum pvctl_align align;
};

struct pvctl_table {
	const struct pvctl_col *cols;
	unsigned int ncols;
	bool header;			/* print the header row (default true) */
	const char *indent;		/* printed before every line (default "") */
	char **cells;			/* row-major, nrows * ncols */
	size_t ncells, cap;
	int err;			/* first error (-ENOMEM), latched */
};

void pvctl_table_init(struct pvctl_table *t, const struct pvctl_col *cols, unsigned int ncols);
/* Append one cell (printf-style); a row is complete after ncols cells. */
int pvctl_table_cell(struct pvctl_table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
size_t pvctl_table_rows(const struct pvctl_table *t);
/* Print; a partial last row is padded with empty cells. 0 or the latched error. */
int pvctl_table_print(const struct pvctl_table *t, FILE *out);
void pvctl_table_free(struct pvctl_table *t);

/* Display width of UTF-8 @s in characters. */
size_t pvctl_text_width(const char *s);
/* Copy @s into @dst replacing control characters with '?'. */
void pvctl_text_sanitize(char *dst, size_t len, const char *s);

#endif /* PV_API_PVCTL_TABLE_H */
