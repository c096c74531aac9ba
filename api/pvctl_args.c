// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvctl option iterator, global options and value validators. Validation happens before
 * any request is sent, so a typo costs no round trip and the message can say exactly which
 * rule was broken; the server still validates everything again.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/pvctl_args.h"
#include "api/pvctl_err.h"

void pvctl_opt_init(struct pvctl_optiter *it, int argc, char **argv)
{
	memset(it, 0, sizeof(*it));
	it->argc = argc;
	it->argv = argv;
}

static const struct pvctl_opt *args_find_long(const struct pvctl_opt *opts, const char *name,
					      size_t len)
{
	for (; opts && opts->name; opts++)
		if (strlen(opts->name) == len && !strncmp(opts->name, name, len))
			return opts;
	return NULL;
}

static const struct pvctl_opt *args_find_short(const struct pvctl_opt *opts, char c)
{
	for (; opts && opts->name; opts++)
		if (opts->short_name && opts->short_name == c)
			return opts;
	return NULL;
}

int pvctl_opt_next(struct pvctl_optiter *it, const struct pvctl_opt *opts, const char **arg,
		   char *err, size_t errlen)
{
	const struct pvctl_opt *o;
	const char *a, *eq;

	*arg = NULL;
	if (it->i >= it->argc)
		return PVCTL_OPT_END;
	a = it->argv[it->i++];
	if (!it->only_positional && !strcmp(a, "--")) {
		it->only_positional = true;
		return pvctl_opt_next(it, opts, arg, err, errlen);
	}
	if (it->only_positional || a[0] != '-' || a[1] == '\0') {	/* "-" is positional */
		*arg = a;
		return PVCTL_OPT_POSITIONAL;
	}
	if (a[1] == '-') {
		eq = strchr(a + 2, '=');
		o = args_find_long(opts, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
		if (!o)
			return pvctl_errf(err, errlen, "unknown option '%.*s'",
					  eq ? (int)(eq - a) : (int)strlen(a), a);
		if (eq && !o->has_arg)
			return pvctl_errf(err, errlen, "option '--%s' takes no value", o->name);
		if (eq) {
			*arg = eq + 1;
			return o->id;
		}
	} else {
		o = args_find_short(opts, a[1]);
		if (!o || a[2])
			return pvctl_errf(err, errlen, "unknown option '%s'", a);
	}
	if (o->has_arg) {
		if (it->i >= it->argc)
			return pvctl_errf(err, errlen, "option '%s' needs a value", a);
		*arg = it->argv[it->i++];
	}
	return o->id;
}

int pvctl_opt_next_only(struct pvctl_optiter *it, const struct pvctl_opt *opts,
			const char **arg, char *err, size_t errlen)
{
	int id = pvctl_opt_next(it, opts, arg, err, errlen);

	if (id == PVCTL_OPT_POSITIONAL)
		return pvctl_errf(err, errlen, "unexpected argument '%s'", *arg);
	return id;
}

enum { G_ADDR = 1, G_TOKEN, G_TOKEN_FILE, G_TIMEOUT, G_JSON, G_HELP, G_VERSION };

static const struct pvctl_opt args_global_opts[] = {
	{ "addr", 0, true, G_ADDR },
	{ "token", 0, true, G_TOKEN },
	{ "token-file", 0, true, G_TOKEN_FILE },
	{ "timeout", 0, true, G_TIMEOUT },
	{ "json", 0, false, G_JSON },
	{ "help", 'h', false, G_HELP },
	{ "version", 0, false, G_VERSION },
	{ NULL, 0, false, 0 },
};

/* Is @a one of the global options (with or without "=value")? */
static bool args_is_global(const char *a)
{
	const char *eq;

	if (!strcmp(a, "-h"))
		return true;
	if (strncmp(a, "--", 2) || !a[2])
		return false;
	eq = strchr(a + 2, '=');
	return args_find_long(args_global_opts, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
}

int pvctl_args_global(int argc, char **argv, struct pvctl_flags *f, char **rest, int *nrest,
		      char *err, size_t errlen)
{
	struct pvctl_optiter it;
	const char *arg;
	int i, n = 0, id;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {	/* the rest belongs to the command */
			while (i < argc)
				rest[n++] = argv[i++];
			break;
		}
		if (!args_is_global(argv[i])) {
			rest[n++] = argv[i];
			continue;
		}
		pvctl_opt_init(&it, argc - i, argv + i);
		id = pvctl_opt_next(&it, args_global_opts, &arg, err, errlen);
		if (id < 0)
			return id;
		i += it.i - 1;
		switch (id) {
		case G_ADDR:
			f->addr = arg;
			break;
		case G_TOKEN:
			if (f->token_file)
				return pvctl_errf(err, errlen,
						  "use either --token or --token-file");
			f->token = arg;
			break;
		case G_TOKEN_FILE:
			if (f->token)
				return pvctl_errf(err, errlen,
						  "use either --token or --token-file");
			f->token_file = arg;
			break;
		case G_TIMEOUT:
			f->timeout = arg;
			break;
		case G_JSON:
			f->json = true;
			break;
		case G_HELP:
			f->help = true;
			break;
		case G_VERSION:
			f->version = true;
			break;
		}
	}
	*nrest = n;
	return 0;
}

bool pvctl_name_valid(const char *s)
{
	size_t n = 0;

	for (; s && s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') ||
		      s[n] == '_' || s[n] == '-'))
			return false;
	return n >= 1 && n <= PVCTL_NAME_MAX;
}

int pvctl_parse_name(const char *s, const char *what, char *err, size_t errlen)
{
	if (pvctl_name_valid(s))
		return 0;
	return pvctl_errf(err, errlen, "invalid %s '%s': use 1-%d characters from a-z, 0-9, '_' "
			  "and '-'", what, s ? s : "", PVCTL_NAME_MAX);
}

int pvctl_parse_int(const char *s, const char *what, long long min, long long max,
		    long long *out, char *err, size_t errlen)
{
	const char *p = s;
	char *end;
	long long v;

	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return pvctl_errf(err, errlen, "%s: '%s' is not an integer", what, s);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end)
		return pvctl_errf(err, errlen, "%s: '%s' is not an integer", what, s);
	if (errno == ERANGE || v < min || v > max)
		return pvctl_errf(err, errlen, "%s: %s is out of range (%lld..%lld)", what, s, min,
				  max);
	*out = v;
	return 0;
}

static const struct {
	const char *suffix;
	uint64_t ms;
} args_units[] = {
	{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
};

int pvctl_parse_duration_ms(const char *s, const char *what, uint64_t *ms, char *err,
			    size_t errlen)
{
	uint64_t whole = 0, frac = 0, frac_div = 1, unit = 0, v;
	const char *p = s;
	size_t i;

	if (!isdigit((unsigned char)*p))
		goto bad;
	for (; isdigit((unsigned char)*p); p++) {
		if (whole > UINT64_MAX / 100)
			goto range;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			goto bad;
		for (; isdigit((unsigned char)*p); p++) {
			if (frac_div >= 1000000000ull)
				goto bad;
			frac = frac * 10 + (uint64_t)(*p - '0');
			frac_div *= 10;
		}
	}
	if (!*p)
		return pvctl_errf(err, errlen, "%s: '%s' needs a unit (e.g. 5s, 500ms, 2m)", what,
				  s);
	for (i = 0; i < sizeof(args_units) / sizeof(args_units[0]); i++)
		if (!strcmp(p, args_units[i].suffix))
			unit = args_units[i].ms;
	if (!unit)
		goto bad;
	if (whole > UINT64_MAX / 1000 / unit)
		goto range;
	if ((frac * unit) % frac_div)
		return pvctl_errf(err, errlen, "%s: '%s' is finer than 1 ms", what, s);
	v = whole * unit + frac * unit / frac_div;
	*ms = v;
	return 0;
bad:
	return pvctl_errf(err, errlen, "%s: '%s' is not a duration (e.g. 5s, 500ms, 2m, 1.5s)",
			  what, s);
range:
	return pvctl_errf(err, errlen, "%s: '%s' is too long", what, s);
}

int pvctl_parse_duration_in(const char *s, const char *what, uint64_t min_ms, uint64_t max_ms,
			    const char *range, uint64_t *ms, char *err, size_t errlen)
{
	if (pvctl_parse_duration_ms(s, what, ms, err, errlen))
		return -EINVAL;
	if (*ms < min_ms || *ms > max_ms)
		return pvctl_errf(err, errlen, "%s: %s is out of range (%s)", what, s, range);
	return 0;
}

int pvctl_parse_enum(const char *s, const char *what, const char *const *choices, char *err,
		     size_t errlen)
{
	char list[PVCTL_ERR_MAX] = "";
	size_t used = 0;
	int i;

	for (i = 0; choices[i]; i++)
		if (!strcmp(s, choices[i]))
			return i;
	for (i = 0; choices[i] && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
					 choices[i]);
	return pvctl_errf(err, errlen, "%s: '%s' is not one of: %s", what, s, list);
}
