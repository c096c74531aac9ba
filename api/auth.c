// SPDX-License-Identifier: GPL-2.0-only
/* Token file parsing and constant-time bearer-token checks. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/auth.h"

#define AUTH_FILE_MAX	(64 * 1024)

void auth_init_open(struct auth *a)
{
	memset(a, 0, sizeof(*a));
}

static bool token_char_ok(char c)
{
	return c > ' ' && c < 0x7f;
}

static int parse_line(struct auth *a, char *line, unsigned int lineno, char *err)
{
	char *tok, *scope, *extra, *save = NULL;
	struct auth_token *t;
	size_t len, i;

	tok = strtok_r(line, " \t", &save);
	if (!tok || tok[0] == '#')
		return 0;
	scope = strtok_r(NULL, " \t", &save);
	extra = strtok_r(NULL, " \t", &save);
	if (!scope || extra) {
		snprintf(err, AUTH_ERR_MAX, "line %u: expected \"<token> <read|admin>\"", lineno);
		return -EINVAL;
	}
	len = strlen(tok);
	if (len < AUTH_MIN_TOKEN_LEN || len > AUTH_MAX_TOKEN_LEN) {
		snprintf(err, AUTH_ERR_MAX, "line %u: token must be %d..%d characters", lineno,
			 AUTH_MIN_TOKEN_LEN, AUTH_MAX_TOKEN_LEN);
		return -EINVAL;
	}
	for (i = 0; i < len; i++)
		if (!token_char_ok(tok[i])) {
			snprintf(err, AUTH_ERR_MAX, "line %u: token has a non-printable character",
				 lineno);
			return -EINVAL;
		}
	if (a->ntokens == AUTH_MAX_TOKENS) {
		snprintf(err, AUTH_ERR_MAX, "line %u: more than %d tokens", lineno, AUTH_MAX_TOKENS);
		return -EINVAL;
	}
	t = &a->tokens[a->ntokens];
	if (!strcmp(scope, "read")) {
		t->scope = API_SCOPE_READ;
	} else if (!strcmp(scope, "admin")) {
		t->scope = API_SCOPE_ADMIN;
	} else {
		snprintf(err, AUTH_ERR_MAX, "line %u: scope must be read or admin", lineno);
		return -EINVAL;
	}
	memcpy(t->token, tok, len + 1);
	t->len = len;
	a->ntokens++;
	return 0;
}

int auth_parse(struct auth *a, const char *text, char *err)
{
	char *copy = strdup(text), *line, *save = NULL;
	unsigned int lineno = 0;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	memset(a, 0, sizeof(*a));
	a->enabled = true;
	/* strtok_r would merge empty lines and lose the numbering: walk by hand */
	for (line = copy; line && !ret; line = save) {
		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		lineno++;
		ret = parse_line(a, line, lineno, err);
	}
	free(copy);
	if (!ret && !a->ntokens) {
		snprintf(err, AUTH_ERR_MAX, "no tokens: every request would be refused");
		ret = -EINVAL;
	}
	return ret;
}

int auth_load(struct auth *a, const char *path, char *err)
{
	char *buf;
	size_t n;
	FILE *f = fopen(path, "re");
	int ret;

	if (!f) {
		snprintf(err, AUTH_ERR_MAX, "%s: %s", path, strerror(errno));
		return -errno;
	}
	buf = malloc(AUTH_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, AUTH_FILE_MAX + 1, f);
	fclose(f);
	if (n > AUTH_FILE_MAX) {
		snprintf(err, AUTH_ERR_MAX, "%s: larger than %d bytes", path, AUTH_FILE_MAX);
		free(buf);
		return -EINVAL;
	}
	buf[n] = '\0';
	ret = auth_parse(a, buf, err);
	free(buf);
	return ret;
}

/* Compare without an early exit; lengths are not secret (tokens have public bounds). */
static bool ct_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char diff = alen != blen;
	size_t i, n = alen < blen ? alen : blen;

	for (i = 0; i < n; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

enum auth_result auth_check(const struct auth *a, const char *header, enum api_scope need,
			    enum api_scope *granted)
{
	const char *tok;
	size_t len;
	unsigned int i;
	int found = -1;

	if (!a->enabled) {
		*granted = API_SCOPE_ADMIN;
		return AUTH_OK;
	}
	if (need == API_SCOPE_PUBLIC) {
		*granted = API_SCOPE_PUBLIC;
		return AUTH_OK;
	}
	if (!header || strncasecmp(header, "Bearer ", 7))
		return AUTH_MISSING;
	tok = header + 7;
	while (*tok == ' ')
		tok++;
	len = strlen(tok);
	while (len && isspace((unsigned char)tok[len - 1]))
		len--;
	if (!len || len > AUTH_MAX_TOKEN_LEN)
		return AUTH_INVALID;
	/* look at every token whatever matches, so timing does not tell which one did */
	for (i = 0; i < a->ntokens; i++)
		if (ct_equal(a->tokens[i].token, a->tokens[i].len, tok, len) && found < 0)
			found = (int)i;
	if (found < 0)
		return AUTH_INVALID;
	*granted = a->tokens[found].scope;
	return *granted >= need ? AUTH_OK : AUTH_FORBIDDEN;
}
