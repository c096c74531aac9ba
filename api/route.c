// SPDX-License-Identifier: GPL-2.0-only
/* Route matching by path segments, and the JSON error / response helpers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/route.h"

static const char *const method_names[API_METHOD_MAX] = {
	[API_GET] = "GET", [API_PUT] = "PUT", [API_POST] = "POST", [API_DELETE] = "DELETE",
};

const char *api_method_name(enum api_method m)
{
	return (unsigned int)m < API_METHOD_MAX ? method_names[m] : "?";
}

int api_method_parse(const char *s)
{
	int i;

	for (i = 0; i < API_METHOD_MAX; i++)
		if (!strcmp(s, method_names[i]))
			return i;
	return -EINVAL;
}

/* Split @path (copied into @buf) at '/'; empty segments are not allowed except the root. */
static int split(const char *path, char *buf, size_t buflen, char **seg, unsigned int *nseg)
{
	size_t len = strlen(path);
	char *p, *save = NULL;

	*nseg = 0;
	if (path[0] != '/' || len >= buflen)
		return -EINVAL;
	memcpy(buf, path, len + 1);
	if (len > 1 && path[len - 1] == '/')
		buf[--len] = '\0';	/* tolerate one trailing slash */
	if (strstr(buf, "//"))
		return -EINVAL;
	for (p = strtok_r(buf, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (*nseg == API_MAX_SEGMENTS)
			return -EINVAL;
		seg[(*nseg)++] = p;
	}
	return 0;
}

/* Does @pattern match the split path? Parameters go to @params. */
static bool match_pattern(const char *pattern, char *const *seg, unsigned int nseg,
			  const char **params, unsigned int *nparams)
{
	const char *p = pattern + 1;
	unsigned int i = 0;

	*nparams = 0;
	while (*p) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (i == nseg)
			return false;
		if (p[0] == '{' && p[len - 1] == '}') {
			if (*nparams == API_MAX_PARAMS)
				return false;
			params[(*nparams)++] = seg[i];
		} else if (strlen(seg[i]) != len || memcmp(seg[i], p, len)) {
			return false;
		}
		i++;
		p += len + (end ? 1 : 0);
	}
	return i == nseg;
}

enum api_match api_route_match(const struct api_route *table, size_t n, enum api_method method,
			       const char *path, const struct api_route **route,
			       struct api_req *req, char *buf, size_t buflen)
{
	char *seg[API_MAX_SEGMENTS];
	const char *params[API_MAX_PARAMS];
	unsigned int nseg, nparams;
	bool path_exists = false;
	size_t i;

	*route = NULL;
	if (split(path, buf, buflen, seg, &nseg))
		return API_MATCH_NO_PATH;
	for (i = 0; i < n; i++) {
		if (!match_pattern(table[i].pattern, seg, nseg, params, &nparams))
			continue;
		path_exists = true;
		if (table[i].method != method)
			continue;
		*route = &table[i];
		memcpy(req->params, params, sizeof(params[0]) * nparams);
		req->nparams = nparams;
		return API_MATCH_OK;
	}
	return path_exists ? API_MATCH_BAD_METHOD : API_MATCH_NO_PATH;
}

int api_json(struct api_resp *resp, int status, json_t *json)
{
	resp->status = status;
	resp->json = json;
	return 0;
}

int api_error(struct api_resp *resp, int status, const char *code, const char *field,
	      const char *fmt, ...)
{
	char msg[512];
	json_t *err;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err = json_pack("{s:s, s:s}", "code", code, "message", msg);
	if (err && field)
		json_object_set_new(err, "field", json_string(field));
	json_decref(resp->json);
	resp->json = err ? json_pack("{s:o}", "error", err) : NULL;
	resp->status = status;
	return 0;
}

void api_resp_free(struct api_resp *resp)
{
	json_decref(resp->json);
	if (resp->text_release)
		resp->text_release(resp->text_cls);
	else
		free(resp->text);
	memset(resp, 0, sizeof(*resp));
}
