// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvctl power get|set-governor|set — /api/v1/power. The daemon switches governors
 * transactionally and knows each tunable's range; pvctl checks what the spec fixes (the
 * governor enumeration, integer values, tunable names) and leaves ranges to the server,
 * whose 400 names the offending field.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/pvctl_cmd.h"

#define POWER_USAGE "pvctl power get | set-governor NAME | set TUNABLE=VALUE..."
#define POWER_TUNABLE_MAX	63

static const char *const power_governors[] = {
	"performance", "powersave", "ondemand", "transition", NULL,
};

static bool power_tunable_name_valid(const char *s, size_t n)
{
	size_t i;

	if (n < 1 || n > POWER_TUNABLE_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

int pvctl_power_set_body(int argc, char **argv, json_t **body, char *err, size_t errlen)
{
	json_t *tun = json_object();
	char name[POWER_TUNABLE_MAX + 1], what[POWER_TUNABLE_MAX + 8];
	long long v;
	int i;

	*body = NULL;
	if (argc < 1) {
		snprintf(err, errlen, "give at least one TUNABLE=VALUE");
		goto out_free;
	}
	for (i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');

		if (!eq) {
			snprintf(err, errlen, "'%s': expected TUNABLE=VALUE", argv[i]);
			goto out_free;
		}
		if (!power_tunable_name_valid(argv[i], (size_t)(eq - argv[i]))) {
			snprintf(err, errlen, "'%.*s': tunable names are 1-%d characters from a-z, "
				 "0-9 and '_', starting with a letter", (int)(eq - argv[i]), argv[i],
				 POWER_TUNABLE_MAX);
			goto out_free;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(eq - argv[i]), argv[i]);
		snprintf(what, sizeof(what), "%s", name);
		if (pvctl_parse_int(eq + 1, what, -9223372036854775807LL - 1,
				    9223372036854775807LL, &v, err, errlen))
			goto out_free;
		if (json_object_get(tun, name)) {
			snprintf(err, errlen, "tunable '%s' given twice", name);
			goto out_free;
		}
		json_object_set_new(tun, name, json_integer(v));
	}
	*body = json_pack("{s:o}", "tunables", tun);
	return *body ? 0 : -ENOMEM;
out_free:
	json_decref(tun);
	return -EINVAL;
}

static void power_print(struct pvctl *p, json_t *pw, const void *arg)
{
	static const struct pvctl_col cols[] = {
		{ "TUNABLE", PVCTL_LEFT }, { "VALUE", PVCTL_RIGHT }, { "MIN", PVCTL_RIGHT },
		{ "MAX", PVCTL_RIGHT }, { "DEFAULT", PVCTL_RIGHT },
	};
	json_t *tun = json_object_get(pw, "tunables"), *t;
	struct pvctl_table tab;
	char b[256];
	size_t i;

	(void)arg;
	pvctl_text_sanitize(b, sizeof(b), pvctl_jlist(pw, "governors", b, sizeof(b)));
	fprintf(p->out, "governor:  %s (available: %s)\n", pvctl_jstr(pw, "governor"), b);
	fprintf(p->out, "backend:   %s\n", pvctl_jstr(pw, "backend"));
	if (!json_array_size(tun))
		return;
	fprintf(p->out, "\n");
	pvctl_table_init(&tab, cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(tun, i, t) {
		pvctl_table_cell(&tab, "%s", pvctl_jstr(t, "name"));
		pvctl_table_cell(&tab, "%s", pvctl_jint(t, "value", b, sizeof(b)));
		pvctl_table_cell(&tab, "%s", pvctl_jint(t, "min", b, sizeof(b)));
		pvctl_table_cell(&tab, "%s", pvctl_jint(t, "max", b, sizeof(b)));
		pvctl_table_cell(&tab, "%s", pvctl_jint(t, "default", b, sizeof(b)));
	}
	pvctl_table_print(&tab, p->out);
	pvctl_table_free(&tab);
}

int pvctl_cmd_power(struct pvctl *p, int argc, char **argv)
{
	const char *method = "PUT";
	char err[PVCTL_ERR_MAX];
	json_t *body = NULL;
	int rc;

	if (argc < 1)
		return pvctl_usage(p, POWER_USAGE, "missing power command");
	if (!strcmp(argv[0], "get")) {
		if (argc != 1)
			return pvctl_usage(p, "pvctl power get", "too many arguments");
		method = "GET";
	} else if (!strcmp(argv[0], "set-governor")) {
		if (argc != 2)
			return pvctl_usage(p, "pvctl power set-governor NAME", argc < 2 ?
					   "missing governor name" : "too many arguments");
		if (pvctl_parse_enum(argv[1], "governor", power_governors, err, sizeof(err)) < 0)
			return pvctl_usage(p, "pvctl power set-governor NAME", err);
		body = json_pack("{s:s}", "governor", argv[1]);
	} else if (!strcmp(argv[0], "set")) {
		if (pvctl_power_set_body(argc - 1, argv + 1, &body, err, sizeof(err)))
			return pvctl_usage(p, "pvctl power set TUNABLE=VALUE...", err);
	} else {
		return pvctl_usage(p, POWER_USAGE, "unknown power command");
	}
	rc = pvctl_call_show(p, method, "/api/v1/power", body, power_print, NULL);
	json_decref(body);
	return rc;
}
