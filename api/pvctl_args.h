/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvctl argument handling: a small long-option iterator (so every command's options are a
 * table and parsing is unit-testable without getopt's global state), the global options,
 * and validators for the values the API accepts (names, bounded integers, durations,
 * enumerations). Every validator writes a message that names the option and the rule.
 */
#ifndef PV_API_PVCTL_ARGS_H
#define PV_API_PVCTL_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PVCTL_ERR_MAX		256
#define PVCTL_NAME_MAX		31

/* Exit statuses (sysexits-style where one exists). */
enum {
	PVCTL_EXIT_OK = 0,
	PVCTL_EXIT_FAIL = 1,		/* the server answered with an error */
	PVCTL_EXIT_CONN = 2,		/* cannot connect, timed out, malformed HTTP */
	PVCTL_EXIT_USAGE = 64,		/* EX_USAGE */
	PVCTL_EXIT_CONFIG = 78,		/* EX_CONFIG: config or token file unusable */
};

struct pvctl_opt {
	const char *name;		/* long name without "--" */
	char short_name;		/* 0 = none */
	bool has_arg;
	int id;				/* > 0, returned by pvctl_opt_next */
};

enum {
	PVCTL_OPT_END = 0,		/* no more arguments */
	PVCTL_OPT_POSITIONAL = -1000,	/* *arg is a positional argument */
};

struct pvctl_optiter {
	int argc;
	char **argv;
	int i;				/* next argv index */
	bool only_positional;		/* after "--" */
};

void pvctl_opt_init(struct pvctl_optiter *it, int argc, char **argv);
/*
 * Next option: its id (with *arg = its value when it takes one), PVCTL_OPT_POSITIONAL,
 * PVCTL_OPT_END, or -EINVAL with a message (unknown option, missing value, value given
 * to a flag). Accepts "--name value", "--name=value", "-x value" and "--".
 */
int pvctl_opt_next(struct pvctl_optiter *it, const struct pvctl_opt *opts, const char **arg,
		   char *err, size_t errlen);
/* The same for commands that take no positional argument: one is -EINVAL, "unexpected". */
int pvctl_opt_next_only(struct pvctl_optiter *it, const struct pvctl_opt *opts,
			const char **arg, char *err, size_t errlen);

/* Global options, accepted anywhere before "--". */
struct pvctl_flags {
	const char *addr;		/* --addr */
	const char *token;		/* --token */
	const char *token_file;		/* --token-file */
	const char *timeout;		/* --timeout DURATION (validated later) */
	bool json;			/* --json */
	bool help;			/* -h / --help */
	bool version;			/* --version */
};

/*
 * Take the global options out of @argv (argv[0] excluded), leaving the command words and
 * command options, in order, in @rest (room for @argc entries) and their count in *nrest.
 */
int pvctl_args_global(int argc, char **argv, struct pvctl_flags *f, char **rest, int *nrest,
		      char *err, size_t errlen);

/* ^[a-z0-9_-]{1,31}$ */
bool pvctl_name_valid(const char *s);
int pvctl_parse_name(const char *s, const char *what, char *err, size_t errlen);
/* A decimal integer in [min, max]; @what names it in messages ("--vcpus"). */
int pvctl_parse_int(const char *s, const char *what, long long min, long long max,
		    long long *out, char *err, size_t errlen);
/* "5s", "500ms", "2m", "1h", "1.5s": a duration with a unit, to whole milliseconds. */
int pvctl_parse_duration_ms(const char *s, const char *what, uint64_t *ms, char *err,
			    size_t errlen);
/* The same within [@min_ms, @max_ms], which @range spells for messages ("10ms..1h"). */
int pvctl_parse_duration_in(const char *s, const char *what, uint64_t min_ms, uint64_t max_ms,
			    const char *range, uint64_t *ms, char *err, size_t errlen);
/* Index of @s in the NULL-terminated @choices, or -EINVAL listing them. */
int pvctl_parse_enum(const char *s, const char *what, const char *const *choices, char *err,
		     size_t errlen);

#endif /* PV_API_PVCTL_ARGS_H */
