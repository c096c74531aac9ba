/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where pvctl connects and with which token. Each setting comes from the first source that
 * has it: command-line flags, then the environment (PVCTL_ADDR, PVCTL_TOKEN), then the
 * config file ($PVCTL_CONFIG, else ~/.config/pvctl/config), then the default
 * (127.0.0.1:8035, no token, 10 s timeout).
 *
 * Config file: "key = value" lines, '#' comments, keys `addr`, `token_file`, `timeout`.
 * A relative token_file is relative to the config file's directory; "~/" means $HOME.
 * Token files hold the token as the first word of the first non-comment line (so a line
 * of the daemon's own token file, "<token> <scope>", works too).
 */
#ifndef PV_API_PVCTL_CONFIG_H
#define PV_API_PVCTL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "api/auth.h"
#include "api/pvctl_http.h"

#define PVCTL_DEF_ADDR		"127.0.0.1:8035"
#define PVCTL_DEF_TIMEOUT_MS	10000
#define PVCTL_MIN_TIMEOUT_MS	1
#define PVCTL_MAX_TIMEOUT_MS	3600000
#define PVCTL_PATH_MAX		4096

enum pvctl_src {
	PVCTL_SRC_DEFAULT = 0,
	PVCTL_SRC_FLAG,
	PVCTL_SRC_ENV,
	PVCTL_SRC_CONFIG,
};

struct pvctl_conf_in {
	const char *flag_addr, *flag_token, *flag_token_file, *flag_timeout;
	const char *env_addr, *env_token;	/* PVCTL_ADDR, PVCTL_TOKEN (NULL/"" = unset) */
	const char *home;			/* $HOME, for "~/" */
	const char *config_path;		/* NULL = no config file */
	bool config_explicit;			/* from $PVCTL_CONFIG: must exist */
};

struct pvctl_conf {
	struct pvctl_addr addr;
	enum pvctl_src addr_src;
	char token[AUTH_MAX_TOKEN_LEN + 1];	/* "" = none */
	enum pvctl_src token_src;
	int timeout_ms;
};

/*
 * Resolve @in into @out. -EINVAL: a flag value is invalid (a usage error); other -errno
 * (-ENOENT, -EACCES, -EBADMSG): the environment, config file or a token file is unusable.
 * @err says which and why.
 */
int pvctl_config_resolve(const struct pvctl_conf_in *in, struct pvctl_conf *out, char *err,
			 size_t errlen);

/* $PVCTL_CONFIG (explicit) or $HOME/.config/pvctl/config; -ENOENT when neither is set. */
int pvctl_config_path(const char *env_config, const char *home, char *buf, size_t len,
		      bool *explicit_path);

/* Read a token file into @tok (AUTH_MAX_TOKEN_LEN + 1 bytes). */
int pvctl_token_load(const char *path, char *tok, char *err, size_t errlen);
/* 16..128 printable non-space ASCII characters. */
bool pvctl_token_valid(const char *tok);

#endif /* PV_API_PVCTL_CONFIG_H */
