// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvctl's request layer: one place that turns transport failures, HTTP error statuses and
 * Error bodies into the messages and exit statuses every command shares, and that prints
 * JSON for scripts. --json output re-indents the server's own bytes instead of re-encoding
 * a parsed document, so numbers come out exactly as the daemon wrote them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/pvctl.h"

volatile sig_atomic_t pvctl_stop;

int pvctl_usage(struct pvctl *p, const char *usage, const char *msg)
{
	if (msg && *msg)
		fprintf(p->err, "pvctl: %s\n", msg);
	fprintf(p->err, "usage: %s\n", usage);
	return PVCTL_EXIT_USAGE;
}

static int client_conn_error(struct pvctl *p, int err, const struct pvctl_http_fail *fail)
{
	const char *addr = p->conf.addr.display;

	if (err == -EINTR && pvctl_stop)
		return 130;	/* interrupted by Ctrl-C: quietly, like the shell would */
	switch (fail->phase) {
	case PVCTL_HTTP_RESOLVE:
		fprintf(p->err, "pvctl: cannot resolve %s: %s\n", p->conf.addr.host, fail->detail);
		break;
	case PVCTL_HTTP_CONNECT:
		if (err == -ETIMEDOUT)
			fprintf(p->err, "pvctl: cannot connect to %s: timed out after %d ms — is "
				"powervisord running?\n", addr, p->conf.timeout_ms);
		else
			fprintf(p->err, "pvctl: cannot connect to %s: %s — is powervisord "
				"running?\n", addr, strerror(-err));
		break;
	case PVCTL_HTTP_PARSE:
		fprintf(p->err, "pvctl: %s sent an invalid HTTP response (%s)\n", addr,
			err == -EMSGSIZE ? "too large" : "malformed or truncated");
		break;
	default:
		if (err == -ETIMEDOUT)
			fprintf(p->err, "pvctl: %s did not answer within %d ms\n", addr,
				p->conf.timeout_ms);
		else
			fprintf(p->err, "pvctl: connection to %s failed: %s\n", addr,
				strerror(-err));
		break;
	}
	return PVCTL_EXIT_CONN;
}

void pvctl_report_error(struct pvctl *p, const struct pvctl_http_resp *resp)
{
	char code[64], msg[512], field[128];
	json_t *j = json_loadb(resp->body, resp->body_len, 0, NULL);
	json_t *e = json_object_get(j, "error");
	const char *eol;

	if (json_is_object(e) && json_is_string(json_object_get(e, "code"))) {
		pvctl_text_sanitize(code, sizeof(code), pvctl_jstr(e, "code"));
		pvctl_text_sanitize(msg, sizeof(msg), json_string_value(json_object_get(e,
						"message")) ?: "(no message)");
		if (json_is_string(json_object_get(e, "field"))) {
			pvctl_text_sanitize(field, sizeof(field), pvctl_jstr(e, "field"));
			fprintf(p->err, "pvctl: %s: %s (field %s)\n", code, msg, field);
		} else {
			fprintf(p->err, "pvctl: %s: %s\n", code, msg);
		}
	} else {
		/* not an Error body (a proxy, an old daemon): show the status and first line */
		eol = resp->body ? strchr(resp->body, '\n') : NULL;
		snprintf(msg, sizeof(msg), "%.*s", eol ? (int)(eol - resp->body) : 200,
			 resp->body ? resp->body : "");
		pvctl_text_sanitize(msg, sizeof(msg), msg);
		fprintf(p->err, "pvctl: http_%d: %s\n", resp->status,
			*msg ? msg : "the server gave no details");
	}
	json_decref(j);
}

int pvctl_request(struct pvctl *p, const char *method, const char *target, json_t *body,
		  bool any_status, struct pvctl_http_resp *resp)
{
	struct pvctl_http_req req = { .method = method, .target = target };
	struct pvctl_http_fail fail;
	char *text = NULL;
	int err;

	if (body) {
		text = json_dumps(body, JSON_COMPACT);
		if (!text) {
			fprintf(p->err, "pvctl: out of memory\n");
			return PVCTL_EXIT_FAIL;
		}
		req.body = text;
		req.body_len = strlen(text);
	}
	req.token = p->conf.token[0] ? p->conf.token : NULL;
	err = pvctl_http_request(&p->conf.addr, &req, p->conf.timeout_ms, resp, &fail);
	free(text);
	if (err)
		return client_conn_error(p, err, &fail);
	if (!any_status && (resp->status < 200 || resp->status > 299)) {
		pvctl_report_error(p, resp);
		pvctl_http_resp_free(resp);
		return PVCTL_EXIT_FAIL;
	}
	return 0;
}

static int client_call(struct pvctl *p, const char *method, const char *target, json_t *body,
		       json_t **out, bool print)
{
	struct pvctl_http_resp resp;
	json_error_t jerr;
	int rc;

	*out = NULL;
	rc = pvctl_request(p, method, target, body, false, &resp);
	if (rc)
		return rc;
	if (resp.body_len) {
		*out = json_loadb(resp.body, resp.body_len, JSON_DECODE_ANY, &jerr);
		if (!*out) {
			fprintf(p->err, "pvctl: %s %s: the server's answer is not JSON: %s\n",
				method, target, jerr.text);
			pvctl_http_resp_free(&resp);
			return PVCTL_EXIT_FAIL;
		}
	}
	if (print && p->json && resp.body_len)
		pvctl_json_pretty(resp.body, resp.body_len, p->out);
	pvctl_http_resp_free(&resp);
	return 0;
}

int pvctl_call(struct pvctl *p, const char *method, const char *target, json_t *body,
	       json_t **out)
{
	return client_call(p, method, target, body, out, true);
}

int pvctl_fetch(struct pvctl *p, const char *method, const char *target, json_t *body,
		json_t **out)
{
	return client_call(p, method, target, body, out, false);
}

static void client_indent(FILE *out, int depth)
{
	fputc('\n', out);
	while (depth-- > 0)
		fputs("  ", out);
}

int pvctl_json_pretty(const char *text, size_t len, FILE *out)
{
	json_t *check = json_loadb(text, len, JSON_DECODE_ANY, NULL);
	bool in_str = false, esc = false;
	int depth = 0;
	size_t i;

	if (!check)
		return -EINVAL;
	json_decref(check);
	for (i = 0; i < len; i++) {
		char c = text[i];

		if (in_str) {
			fputc(c, out);
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
			continue;
		}
		switch (c) {
		case ' ': case '\t': case '\r': case '\n':
			break;
		case '"':
			in_str = true;
			fputc(c, out);
			break;
		case '{': case '[': {
			size_t j = i + 1;

			while (j < len && strchr(" \t\r\n", text[j]))
				j++;
			if (j < len && (text[j] == '}' || text[j] == ']')) {	/* empty: {} [] */
				fputc(c, out);
				fputc(text[j], out);
				i = j;
				break;
			}
			fputc(c, out);
			client_indent(out, ++depth);
			break;
		}
		case '}': case ']':
			client_indent(out, --depth);
			fputc(c, out);
			break;
		case ',':
			fputc(c, out);
			client_indent(out, depth);
			break;
		case ':':
			fputs(": ", out);
			break;
		default:
			fputc(c, out);
			break;
		}
	}
	fputc('\n', out);
	return 0;
}

void pvctl_print_json(struct pvctl *p, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);

	if (s)
		pvctl_json_pretty(s, strlen(s), p->out);
	free(s);
}

const char *pvctl_jstr(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "-";
}

const char *pvctl_jnum(json_t *obj, const char *key, int decimals, char *buf, size_t len)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_number(v))
		return "-";
	snprintf(buf, len, "%.*f", decimals, json_number_value(v));
	return buf;
}

const char *pvctl_jint(json_t *obj, const char *key, char *buf, size_t len)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_integer(v))
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%.0f", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "yes" : "no");
	else
		return "-";
	return buf;
}

const char *pvctl_jlist(json_t *obj, const char *key, char *buf, size_t len)
{
	json_t *arr = json_object_get(obj, key), *v;
	size_t i, used = 0;

	if (!json_is_array(arr) || !json_array_size(arr))
		return "-";
	buf[0] = '\0';
	json_array_foreach(arr, i, v) {
		if (used >= len)
			break;
		if (json_is_integer(v))
			used += (size_t)snprintf(buf + used, len - used, "%s%" JSON_INTEGER_FORMAT,
						 i ? "," : "", json_integer_value(v));
		else if (json_is_string(v))
			used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "," : "",
						 json_string_value(v));
	}
	return buf;
}
