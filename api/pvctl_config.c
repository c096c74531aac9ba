// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvctl configuration: flags > environment > config file > defaults, resolved per setting.
 * The config file is always parsed when present, so a broken file is reported even when
 * flags override it — silently ignoring it would hide the mistake until later.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/pvctl_args.h"
#include "api/pvctl_config.h"
#include "api/pvctl_err.h"

#define CONFIG_FILE_MAX		(64 * 1024)
#define TOKEN_FILE_MAX		(16 * 1024)

struct config_file {
	char addr[PVCTL_ADDR_MAX + 8];
	char token_file[PVCTL_PATH_MAX];
	char timeout[32];
	int addr_line, timeout_line;
};

/* Read a whole small file; -errno, or -EFBIG over @max. */
static int config_read(const char *path, size_t max, char **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	size_t len = 0;
	char *buf;

	if (fd < 0)
		return -errno;
	buf = malloc(max + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, max + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			err = -EFBIG;
			break;
		}
	}
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {
		free(buf);
		return -EBADMSG;	/* NUL bytes: not a text file */
	}
	*out = buf;
	return 0;
}

static char *config_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int config_set(char *dst, size_t len, const char *val, const char *path, int line,
		      const char *key, char *err, size_t errlen)
{
	if (strlen(val) >= len)
		return pvctl_fail(err, errlen, -EBADMSG, "%s line %d: %s is too long", path, line,
				  key);
	snprintf(dst, len, "%s", val);
	return 0;
}

static int config_parse(const char *path, char *text, struct config_file *cf, char *err,
			size_t errlen)
{
	char *line, *next, *eq, *key, *val;
	int lineno = 0, rc;

	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		line = config_trim(line);
		if (!*line || *line == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq)
			return pvctl_fail(err, errlen, -EBADMSG, "%s line %d: expected 'key = value'",
					  path, lineno);
		*eq = '\0';
		key = config_trim(line);
		val = config_trim(eq + 1);
		if (!*val)
			return pvctl_fail(err, errlen, -EBADMSG, "%s line %d: %s has no value", path,
					  lineno, key);
		if (!strcmp(key, "addr")) {
			rc = config_set(cf->addr, sizeof(cf->addr), val, path, lineno, key, err,
					errlen);
			cf->addr_line = lineno;
		} else if (!strcmp(key, "token_file")) {
			rc = config_set(cf->token_file, sizeof(cf->token_file), val, path, lineno,
					key, err, errlen);
		} else if (!strcmp(key, "timeout")) {
			rc = config_set(cf->timeout, sizeof(cf->timeout), val, path, lineno, key,
					err, errlen);
			cf->timeout_line = lineno;
		} else {
			return pvctl_fail(err, errlen, -EBADMSG, "%s line %d: unknown key '%s' "
					  "(known: addr, token_file, timeout)", path, lineno, key);
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int config_load(const char *path, bool must_exist, struct config_file *cf, char *err,
		       size_t errlen)
{
	char *text;
	int rc;

	memset(cf, 0, sizeof(*cf));
	rc = config_read(path, CONFIG_FILE_MAX, &text);
	if (rc == -ENOENT && !must_exist)
		return 0;
	if (rc)
		return pvctl_fail(err, errlen, rc, "config file %s: %s", path,
				  rc == -EFBIG ? "too large" : rc == -EBADMSG ? "not a text file" :
				  strerror(-rc));
	rc = config_parse(path, text, cf, err, errlen);
	free(text);
	return rc;
}

bool pvctl_token_valid(const char *tok)
{
	size_t n;

	for (n = 0; tok[n]; n++)
		if ((unsigned char)tok[n] <= 0x20 || (unsigned char)tok[n] >= 0x7f)
			return false;
	return n >= AUTH_MIN_TOKEN_LEN && n <= AUTH_MAX_TOKEN_LEN;
}

int pvctl_token_load(const char *path, char *tok, char *err, size_t errlen)
{
	char *text, *line, *save = NULL, *end;
	int rc;

	rc = config_read(path, TOKEN_FILE_MAX, &text);
	if (rc)
		return pvctl_fail(err, errlen, rc, "token file %s: %s", path,
				  rc == -EFBIG ? "too large" : rc == -EBADMSG ? "not a text file" :
				  strerror(-rc));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line = config_trim(line);
		if (*line && *line != '#')
			break;
	}
	if (!line) {
		free(text);
		return pvctl_fail(err, errlen, -EBADMSG, "token file %s: no token in it", path);
	}
	end = line + strcspn(line, " \t");
	*end = '\0';
	if (!pvctl_token_valid(line)) {
		free(text);
		return pvctl_fail(err, errlen, -EBADMSG, "token file %s: the token must be %d..%d "
				  "printable characters without spaces", path, AUTH_MIN_TOKEN_LEN,
				  AUTH_MAX_TOKEN_LEN);
	}
	snprintf(tok, AUTH_MAX_TOKEN_LEN + 1, "%s", line);
	free(text);
	return 0;
}

int pvctl_config_path(const char *env_config, const char *home, char *buf, size_t len,
		      bool *explicit_path)
{
	*explicit_path = false;
	if (env_config && *env_config) {
		*explicit_path = true;
		return snprintf(buf, len, "%s", env_config) < (int)len ? 0 : -ENAMETOOLONG;
	}
	if (!home || !*home)
		return -ENOENT;
	return snprintf(buf, len, "%s/.config/pvctl/config", home) < (int)len ? 0 : -ENAMETOOLONG;
}

/* token_file from the config file: "~/x" is under $HOME, "x" is beside the config file. */
static int config_token_path(const struct pvctl_conf_in *in, const char *tf, char *buf,
			     size_t len)
{
	const char *slash;
	int n;

	if (tf[0] == '~' && tf[1] == '/')
		n = snprintf(buf, len, "%s/%s", in->home ? in->home : "", tf + 2);
	else if (tf[0] == '/' || !(slash = strrchr(in->config_path, '/')))
		n = snprintf(buf, len, "%s", tf);
	else
		n = snprintf(buf, len, "%.*s/%s", (int)(slash - in->config_path), in->config_path,
			     tf);
	return n < (int)len ? 0 : -ENAMETOOLONG;
}

static int config_resolve_addr(const struct pvctl_conf_in *in, const struct config_file *cf,
			       struct pvctl_conf *out, char *err, size_t errlen)
{
	char why[PVCTL_ERR_MAX];

	if (in->flag_addr) {
		out->addr_src = PVCTL_SRC_FLAG;
		if (pvctl_addr_parse(in->flag_addr, &out->addr, why, sizeof(why)))
			return pvctl_fail(err, errlen, -EINVAL, "--addr: %s", why);
	} else if (in->env_addr && *in->env_addr) {
		out->addr_src = PVCTL_SRC_ENV;
		if (pvctl_addr_parse(in->env_addr, &out->addr, why, sizeof(why)))
			return pvctl_fail(err, errlen, -EBADMSG, "PVCTL_ADDR: %s", why);
	} else if (cf->addr[0]) {
		out->addr_src = PVCTL_SRC_CONFIG;
		if (pvctl_addr_parse(cf->addr, &out->addr, why, sizeof(why)))
			return pvctl_fail(err, errlen, -EBADMSG, "%s line %d: addr %s",
					  in->config_path, cf->addr_line, why);
	} else {
		out->addr_src = PVCTL_SRC_DEFAULT;
		if (pvctl_addr_parse(PVCTL_DEF_ADDR, &out->addr, why, sizeof(why)))
			return -EINVAL;
	}
	return 0;
}

static int config_resolve_token(const struct pvctl_conf_in *in, const struct config_file *cf,
				struct pvctl_conf *out, char *err, size_t errlen)
{
	char path[PVCTL_PATH_MAX];
	int rc;

	out->token[0] = '\0';
	if (in->flag_token) {
		out->token_src = PVCTL_SRC_FLAG;
		if (!pvctl_token_valid(in->flag_token))
			return pvctl_fail(err, errlen, -EINVAL, "--token: the token must be %d..%d "
					  "printable characters without spaces", AUTH_MIN_TOKEN_LEN,
					  AUTH_MAX_TOKEN_LEN);
		snprintf(out->token, sizeof(out->token), "%s", in->flag_token);
		return 0;
	}
	if (in->flag_token_file) {
		out->token_src = PVCTL_SRC_FLAG;
		return pvctl_token_load(in->flag_token_file, out->token, err, errlen);
	}
	if (in->env_token && *in->env_token) {
		out->token_src = PVCTL_SRC_ENV;
		if (!pvctl_token_valid(in->env_token))
			return pvctl_fail(err, errlen, -EBADMSG, "PVCTL_TOKEN: the token must be "
					  "%d..%d printable characters without spaces",
					  AUTH_MIN_TOKEN_LEN, AUTH_MAX_TOKEN_LEN);
		snprintf(out->token, sizeof(out->token), "%s", in->env_token);
		return 0;
	}
	if (cf->token_file[0]) {
		out->token_src = PVCTL_SRC_CONFIG;
		rc = config_token_path(in, cf->token_file, path, sizeof(path));
		if (rc)
			return pvctl_fail(err, errlen, -EBADMSG, "%s: token_file path too long",
					  in->config_path);
		return pvctl_token_load(path, out->token, err, errlen);
	}
	out->token_src = PVCTL_SRC_DEFAULT;
	return 0;
}

static int config_resolve_timeout(const struct pvctl_conf_in *in, const struct config_file *cf,
				  struct pvctl_conf *out, char *err, size_t errlen)
{
	const char *what = in->flag_timeout ? "--timeout" : "timeout";
	const char *s = in->flag_timeout ? in->flag_timeout : cf->timeout;
	char why[PVCTL_ERR_MAX];
	uint64_t ms = 0;

	out->timeout_ms = PVCTL_DEF_TIMEOUT_MS;
	if (!s || !*s)
		return 0;
	if (pvctl_parse_duration_ms(s, what, &ms, why, sizeof(why)))
		ms = 0;		/* @why says why */
	else if (ms < PVCTL_MIN_TIMEOUT_MS || ms > PVCTL_MAX_TIMEOUT_MS)
		snprintf(why, sizeof(why), "%s: '%s' is out of range (1ms..1h)", what, s);
	if (ms < PVCTL_MIN_TIMEOUT_MS || ms > PVCTL_MAX_TIMEOUT_MS) {
		if (in->flag_timeout)
			return pvctl_fail(err, errlen, -EINVAL, "%s", why);
		return pvctl_fail(err, errlen, -EBADMSG, "%s line %d: %s", in->config_path,
				  cf->timeout_line, why);
	}
	out->timeout_ms = (int)ms;
	return 0;
}

int pvctl_config_resolve(const struct pvctl_conf_in *in, struct pvctl_conf *out, char *err,
			 size_t errlen)
{
	struct config_file cf;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&cf, 0, sizeof(cf));
	if (in->config_path) {
		rc = config_load(in->config_path, in->config_explicit, &cf, err, errlen);
		if (rc)
			return rc;
	}
	rc = config_resolve_addr(in, &cf, out, err, errlen);
	if (!rc)
		rc = config_resolve_token(in, &cf, out, err, errlen);
	if (!rc)
		rc = config_resolve_timeout(in, &cf, out, err, errlen);
	return rc;
}
