// SPDX-License-Identifier: GPL-2.0-only
/*
 * Serving the embedded dashboard. Lookup is by exact match against the generated table, so
 * there is no path to traverse; asset names are still checked against a strict alphabet
 * first, so odd input is rejected before any comparison and the rule is visible here.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/dashboard.h"
#include "api/encoding.h"

/* [A-Za-z0-9._-], not starting with '.', 1..DASHBOARD_NAME_MAX bytes. */
static bool name_ok(const char *name)
{
	size_t i, len = strlen(name);

	if (!len || len > DASHBOARD_NAME_MAX || name[0] == '.')
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

int dashboard_asset(const char *path, const char **data, size_t *len, const char **content_type)
{
	size_t i;

	if (!path || !data || !len || !content_type)
		return -EINVAL;
	if (!strcmp(path, "/index.html"))
		path = "/";
	else if (strcmp(path, "/") && (strncmp(path, "/assets/", 8) || !name_ok(path + 8)))
		return -ENOENT;
	for (i = 0; i < dashboard_nfiles; i++) {
		const struct dashboard_file *f = &dashboard_files[i];

		if (!strcmp(f->path, path)) {
			*data = (const char *)f->data;
			*len = f->len;
			*content_type = f->content_type;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * @path's content into @resp (the server frees resp->text), gzip-compressed when the
 * browser takes it (they all do: page, script, styles and uPlot are ~100 KB, ~40 KB
 * compressed; a dashboard is loaded once per visit, so compressing per request is cheap);
 * 404 when unknown.
 */
static int serve(const char *path, bool gzip, struct api_resp *resp)
{
	const char *data, *ctype;
	unsigned char *z;
	size_t len, zlen;
	char *copy;

	if (dashboard_asset(path, &data, &len, &ctype))
		return api_error(resp, 404, "not_found", NULL, "no such dashboard asset");
	resp->vary_encoding = true;
	if (gzip && len >= API_GZIP_MIN_BYTES && !api_gzip(data, len, API_GZIP_LEVEL, &z, &zlen)) {
		resp->status = 200;
		resp->text = (char *)z;
		resp->text_len = zlen;
		resp->content_type = ctype;
		resp->content_encoding = "gzip";
		return 0;
	}
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, len);
	copy[len] = '\0';
	resp->status = 200;
	resp->text = copy;
	resp->text_len = len;
	resp->content_type = ctype;
	return 0;
}

int dashboard_handle_index(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	(void)ctx;
	return serve("/", req->accept_gzip, resp);
}

int dashboard_handle_asset(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	char path[8 + DASHBOARD_NAME_MAX + 1];

	(void)ctx;
	if (req->nparams < 1 || !req->params[0] || !name_ok(req->params[0]))
		return api_error(resp, 404, "not_found", NULL, "no such dashboard asset");
	snprintf(path, sizeof(path), "/assets/%s", req->params[0]);
	return serve(path, req->accept_gzip, resp);
}
