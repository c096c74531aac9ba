/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The built-in web dashboard: its files (HTML, script, styles, uPlot) are compiled into the
 * binary as byte arrays by dashboards/web/embed.sh (build/gen/dashboard_assets.c, linked into
 * libapi.a by the Makefile), so the daemon serves it offline with no file-system access.
 *
 * Routes to add to the daemon's table, both API_SCOPE_PUBLIC (the page holds no data; the
 * script calls the API with the user's token):
 *   { API_GET, "/",              API_SCOPE_PUBLIC, dashboard_handle_index, "The built-in dashboard" }
 *   { API_GET, "/assets/{file}", API_SCOPE_PUBLIC, dashboard_handle_asset, "Dashboard scripts and styles" }
 * Only names in the generated table are served: anything else, including every path with
 * "..", a slash or an unusual character, is 404.
 */
#ifndef PV_API_DASHBOARD_H
#define PV_API_DASHBOARD_H

#include <stddef.h>

#include "api/route.h"

#define DASHBOARD_NAME_MAX	64	/* longest asset file name accepted */

/* One embedded file. The table is generated; see dashboards/web/embed.sh. */
struct dashboard_file {
	const char *path;		/* URL path: "/" or "/assets/<name>" */
	const char *source;		/* file it came from, relative to dashboards/web */
	const unsigned char *data;	/* content, followed by a NUL not counted in len */
	size_t len;			/* bytes */
	const char *content_type;	/* Content-Type header value */
};

extern const struct dashboard_file dashboard_files[];
extern const size_t dashboard_nfiles;

/*
 * Look up the embedded file served at URL @path ("/", "/index.html" or "/assets/<name>").
 * 0 and the content, its length and content type; -ENOENT for anything not embedded;
 * -EINVAL for NULL arguments.
 */
int dashboard_asset(const char *path, const char **data, size_t *len, const char **content_type);

/* GET / : index.html. */
int dashboard_handle_index(void *ctx, const struct api_req *req, struct api_resp *resp);
/* GET /assets/{file} : one embedded asset by name, 404 for unknown names. */
int dashboard_handle_asset(void *ctx, const struct api_req *req, struct api_resp *resp);

#endif /* PV_API_DASHBOARD_H */
