// SPDX-License-Identifier: GPL-2.0-only
/*
 * Response content coding (api/encoding.h): Accept-Encoding negotiation by case table,
 * gzip round trips through zlib's own inflate, the dispatch path reading the header.
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
#include "api/server.h"
#include "tests/common/gzip_text.h"

static const struct {
	const char *header;
	bool gzip;
} accept_cases[] = {
	{ NULL, false },			/* no header: identity */
	{ "", false },
	{ "gzip", true },
	{ "GZip", true },			/* coding names are case-insensitive */
	{ "x-gzip", true },
	{ "gzip, deflate, br", true },		/* what browsers send */
	{ "deflate, gzip;q=0.5", true },
	{ "br;q=1.0, gzip;q=0.8, *;q=0.1", true },	/* Prometheus-style weights */
	{ "identity", false },
	{ "deflate, br", false },
	{ "gzip;q=0", false },			/* explicitly refused */
	{ "gzip;q=0.000", false },
	{ "gzip ; q=0.001", true },
	{ "gzip;Q=1", true },
	{ "*", true },				/* anything goes */
	{ "*;q=0", false },
	{ "*, gzip;q=0", false },		/* a named coding beats the wildcard */
	{ "gzip;q=0, *", false },
	{ "gzip;q=2", false },			/* malformed weights: element ignored */
	{ "gzip;q=1.5", false },
	{ "gzip;q=", false },
	{ "gzip;q=0.5x", false },
	{ "gzip;q=0.5555", false },		/* at most three decimals */
	{ "gzip garbage", false },
	{ "gzipx", false },
	{ "gzip;level=9", true },		/* other parameters do not matter */
	{ ",,gzip,,", true },
	{ " \t gzip \t ", true },
};

static void test_accepts_gzip(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(accept_cases) / sizeof(accept_cases[0]); i++) {
		bool got = api_accepts_gzip(accept_cases[i].header);

		if (got != accept_cases[i].gzip)
			fail_msg("Accept-Encoding \"%s\": %d, expected %d",
				 accept_cases[i].header ? accept_cases[i].header : "(none)", got,
				 accept_cases[i].gzip);
	}
}

static void test_gzip_round_trip(void **state)
{
	size_t sizes[] = { 0, 1, 100, 5000, 200000 };

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len, zlen, back_len;
		char *text = gzip_text_sample(sizes[i] / 60 + 1, &len), *back;
		unsigned char *z;

		len = len < sizes[i] ? len : sizes[i];
		assert_int_equal(api_gzip(text, len, API_GZIP_LEVEL, &z, &zlen), 0);
		assert_true(zlen >= 18);		/* header + trailer, at least */
		assert_int_equal(z[0], 0x1f);		/* the gzip magic */
		assert_int_equal(z[1], 0x8b);
		assert_non_null(text);
		back = gzip_text_decode(z, zlen, len + 1, &back_len);
		assert_non_null(back);
		assert_int_equal(back_len, len);
		assert_memory_equal(back, text, len);
		if (len > 100000)
			assert_true(zlen * 5 < len);	/* such text shrinks a lot */
		free(back);
		free(z);
		free(text);
	}
}

/* A route whose handler records what the request said about gzip. */
static int seen_gzip = -1;

static int probe_handler(void *ctx, const struct api_req *req, struct api_resp *resp)
{
	(void)ctx;
	seen_gzip = req->accept_gzip;
	return api_json(resp, 200, json_object());
}

static void test_dispatch_reads_header(void **state)
{
	static const struct api_route routes[] = {
		{ API_GET, "/probe", API_SCOPE_PUBLIC, probe_handler, "probe" },
	};
	struct api_server_config cfg = { 0 };
	struct api_server *srv;
	struct api_dispatch_in in = { .method = API_GET, .path = "/probe", .client = "t" };
	struct api_resp resp;

	(void)state;
	assert_int_equal(api_server_new_detached(&srv, &cfg, routes, 1, NULL), 0);
	in.accept_encoding = "gzip, deflate";
	api_dispatch(srv, &in, &resp);
	assert_int_equal(resp.status, 200);
	assert_int_equal(seen_gzip, 1);
	api_resp_free(&resp);
	in.accept_encoding = NULL;
	api_dispatch(srv, &in, &resp);
	assert_int_equal(seen_gzip, 0);
	api_resp_free(&resp);
	in.accept_encoding = "gzip;q=0";
	seen_gzip = -1;
	api_dispatch(srv, &in, &resp);
	assert_int_equal(seen_gzip, 0);
	api_resp_free(&resp);
	api_server_stop(srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_gzip),
		cmocka_unit_test(test_gzip_round_trip),
		cmocka_unit_test(test_dispatch_reads_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
