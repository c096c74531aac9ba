// SPDX-License-Identifier: GPL-2.0-only
/*
 * Content coding of the real powervisord over real HTTP (curl): /metrics and the VM list
 * gzip-compressed when asked and worth it, with Content-Encoding and Vary; plain without
 * Accept-Encoding; Accept-Encoding on several lines read as one list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "api/encoding.h"
#include "tests/common/apid.h"
#include "tests/common/daemon_run.h"

static struct apid d;

static const char cfg[] =
	"{ \"node\": { \"tick_ms\": 10, \"backend\": \"model\", \"governor\": \"transition\" },\n"
	"  \"vms\": [ { \"name\": \"idle1\", \"workload\": \"idle\", \"memory_mib\": 16 } ] }\n";

static int setup(void **state)
{
	(void)state;
	if (apid_start(&d, cfg, true, NULL, 15000))
		return -1;
	return apid_wait_running(&d, (const char *const[]){ "idle1", NULL }, 20000);
}

static int teardown(void **state)
{
	(void)state;
	apid_stop(&d);
	return 0;
}

/* The size of file @path and its first two bytes in @head; -1 when unreadable. */
static long file_head(const char *path, unsigned char head[2])
{
	FILE *f = fopen(path, "rb");
	long len;

	if (!f)
		return -1;
	len = fread(head, 1, 2, f) == 2 && !fseek(f, 0, SEEK_END) ? ftell(f) : -1;
	fclose(f);
	return len;
}

/*
 * Scrapers and browsers ask for gzip: /metrics and the VM list then come compressed (curl
 * decodes with --compressed) when worth it (API_GZIP_MIN_BYTES), say so, and vary with
 * Accept-Encoding; without the header they come plain.
 */
static void test_gzip_bodies(void **state)
{
	static const char *const paths[] = { "/metrics", "/api/v1/vms" };
	char cmd[768], hdrs[128], raw[128], plain[128];

	(void)state;
	if (system("command -v curl >/dev/null")) {
		print_message("curl not installed: check skipped\n");
		skip();
	}
	snprintf(hdrs, sizeof(hdrs), "%s/gz.hdrs", d.dir);
	snprintf(raw, sizeof(raw), "%s/gz.raw", d.dir);
	snprintf(plain, sizeof(plain), "%s/gz.plain", d.dir);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		unsigned char magic[2] = { 0, 0 };
		char *h, *text;
		size_t len;
		long zlen;

		/* no Accept-Encoding: plain */
		snprintf(cmd, sizeof(cmd), "curl -sS --max-time 10 -D %s -o %s -H 'Authorization: "
			 "Bearer %s' http://127.0.0.1:%u%s", hdrs, plain, APID_READ_TOKEN,
			 (unsigned int)d.port, paths[i]);
		assert_int_equal(system(cmd), 0);
		h = dr_slurp(hdrs);
		assert_null(strcasestr(h, "content-encoding"));
		assert_non_null(strcasestr(h, "\nvary: accept-encoding"));
		free(h);
		text = dr_slurp(plain);
		len = strlen(text);
		assert_non_null(strstr(text, i == 0 ? "powervisor_vm_state{vm=\"idle1\"" :
					     "\"name\":\"idle1\""));
		free(text);
		/* what a scraper receives, undecoded: the gzip magic and a much smaller body */
		snprintf(cmd, sizeof(cmd), "curl -sS --max-time 10 -D %s -o %s -H 'Accept-Encoding: "
			 "gzip' -H 'Authorization: Bearer %s' http://127.0.0.1:%u%s", hdrs, raw,
			 APID_READ_TOKEN, (unsigned int)d.port, paths[i]);
		assert_int_equal(system(cmd), 0);
		h = dr_slurp(hdrs);
		zlen = file_head(raw, magic);
		if (len < API_GZIP_MIN_BYTES) {		/* not worth it: plain */
			json_t *j = json_load_file(raw, 0, NULL);

			assert_int_equal(i, 1);		/* a scrape is always large */
			assert_null(strcasestr(h, "content-encoding"));
			assert_non_null(json_object_get(j, "vms"));	/* plain JSON */
			json_decref(j);
			free(h);
			continue;
		}
		assert_non_null(strcasestr(h, "\ncontent-encoding: gzip"));
		assert_non_null(strcasestr(h, "\nvary: accept-encoding"));
		free(h);
		assert_true(zlen > 18 && magic[0] == 0x1f && magic[1] == 0x8b);
		assert_true((size_t)zlen * 4 < len);
		/* decoded by curl: the same document again */
		snprintf(cmd, sizeof(cmd), "curl -sS --max-time 10 --compressed -o %s -H "
			 "'Authorization: Bearer %s' http://127.0.0.1:%u%s", plain, APID_READ_TOKEN,
			 (unsigned int)d.port, paths[i]);
		assert_int_equal(system(cmd), 0);
		text = dr_slurp(plain);
		assert_non_null(strstr(text, i == 0 ? "powervisor_vm_state{vm=\"idle1\"" :
					     "\"name\":\"idle1\""));
		free(text);
	}
	/* Accept-Encoding on two lines is one list (RFC 9110): gzip from the second one */
	snprintf(cmd, sizeof(cmd), "curl -sS --max-time 10 -D %s -o %s -H 'Accept-Encoding: "
		 "identity' -H 'Accept-Encoding: gzip' -H 'Authorization: Bearer %s' "
		 "http://127.0.0.1:%u/metrics", hdrs, raw, APID_READ_TOKEN, (unsigned int)d.port);
	assert_int_equal(system(cmd), 0);
	{
		char *h = dr_slurp(hdrs);

		assert_non_null(strcasestr(h, "\ncontent-encoding: gzip"));
		free(h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gzip_bodies),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
