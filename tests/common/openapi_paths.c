// SPDX-License-Identifier: GPL-2.0-only
/* Minimal reader of the paths section of api/openapi.yaml (see openapi_paths.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/common/openapi_paths.h"

static const char *const methods[] = { "get", "put", "post", "delete" };

int openapi_read_ops(const char *file, struct openapi_op *ops, int max)
{
	char line[512], path[256] = "";
	int n = 0, in_paths = 0;
	FILE *f = fopen(file, "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\r\n");
		unsigned int i;

		line[len] = '\0';
		if (!strcmp(line, "paths:")) {
			in_paths = 1;
			continue;
		}
		if (in_paths && len && !isspace((unsigned char)line[0]))
			break;	/* the next top-level key ends the section */
		if (!in_paths)
			continue;
		if (!strncmp(line, "  /", 3) && line[len - 1] == ':') {
			snprintf(path, sizeof(path), "%.*s", (int)(len - 3), line + 2);
			continue;
		}
		for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
			char key[16];

			snprintf(key, sizeof(key), "    %s:", methods[i]);
			if (strcmp(line, key) || !path[0] || n == max)
				continue;
			for (len = 0; methods[i][len]; len++)
				ops[n].method[len] = (char)toupper((unsigned char)methods[i][len]);
			ops[n].method[len] = '\0';
			snprintf(ops[n].path, sizeof(ops[n].path), "%s", path);
			n++;
		}
	}
	fclose(f);
	return n;
}
