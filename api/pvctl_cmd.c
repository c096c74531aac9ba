// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers of pvctl's commands: see pvctl_cmd.h.
 */
#include <stdio.h>

#include "api/pvctl_cmd.h"

int pvctl_call_show(struct pvctl *p, const char *method, const char *target, json_t *body,
		    pvctl_show_fn *show, const void *arg)
{
	json_t *res;
	int rc;

	rc = pvctl_call(p, method, target, body, &res);
	if (!rc && !p->json)
		show(p, res, arg);
	json_decref(res);
	return rc;
}

int pvctl_name_arg(struct pvctl *p, int argc, char **argv, const char *usage,
		   const char **name)
{
	char err[PVCTL_ERR_MAX];

	if (argc != 2)
		return pvctl_usage(p, usage, argc < 2 ? "missing VM name" : "too many arguments");
	if (pvctl_parse_name(argv[1], "VM name", err, sizeof(err)))
		return pvctl_usage(p, usage, err);
	*name = argv[1];
	return 0;
}

int pvctl_parse_resv(int which, const char *arg, long long resv[3], char *err, size_t errlen)
{
	static const struct {
		const char *opt;
		long long min;
	} resv_opts[] = {
		[PVCTL_RESV_RUNTIME] = { "--runtime-us", 1 },
		[PVCTL_RESV_PERIOD] = { "--period-us", 10 },
		[PVCTL_RESV_DEADLINE] = { "--deadline-us", 0 },
	};

	return pvctl_parse_int(arg, resv_opts[which].opt, resv_opts[which].min, 2147483647,
			       &resv[which], err, errlen);
}
