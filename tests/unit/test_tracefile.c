// SPDX-License-Identifier: GPL-2.0-only
/* Saved binary traces: round trip, and every kind of corrupt file rejected. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tracer/tracefile.h"

#define NRECS	10000u

static char dir[] = "/tmp/test_tracefile.XXXXXX";
static char path[256], path2[256];

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/t.pvtrace", dir);
	snprintf(path2, sizeof(path2), "%s/u.pvtrace", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	unlink(path2);
	rmdir(dir);
	return 0;
}

static struct pv_rec rec_n(uint64_t i)
{
	return (struct pv_rec){ .tsc = 5000 + i * 3, .type = i % 2 ? PV_EV_VM_EXIT : PV_EV_VM_ENTRY,
				.vcpu = (uint16_t)(i % 3), .a = i % 2 ? PV_EXIT_MMIO : 0,
				.b = i % 2 ? i : 0 };
}

static void write_trace(const char *p, uint64_t n)
{
	struct pv_tracefile_info info = { .vm_name = "saved-vm", .nvcpus = 3, .tsc_khz = 2299998 };
	struct pv_tracefile_writer *w;
	uint64_t i;

	assert_int_equal(pv_tracefile_create(&w, p, &info), 0);
	for (i = 0; i < n; i++) {
		struct pv_rec r = rec_n(i);

		assert_int_equal(pv_tracefile_append(w, &r, 1), 0);
	}
	assert_int_equal(pv_tracefile_count(w), n);
	assert_int_equal(pv_tracefile_finish(w), 0);
}

static void test_round_trip(void **state)
{
	struct pv_tracefile_reader *r;
	const struct pv_tracefile_hdr *h;
	struct pv_rec buf[333];
	uint64_t got = 0;
	ssize_t n;

	(void)state;
	write_trace(path, NRECS);
	assert_int_equal(pv_tracefile_open(&r, path), 0);
	h = pv_tracefile_hdr(r);
	assert_int_equal(h->magic, PV_TRACEFILE_MAGIC);
	assert_int_equal(h->version_major, PV_TRACEFILE_VERSION_MAJOR);
	assert_int_equal(h->nrecs, NRECS);
	assert_int_equal(h->nvcpus, 3);
	assert_int_equal(h->tsc_khz, 2299998);
	assert_int_equal(h->first_tsc, 5000);
	assert_int_equal(h->last_tsc, 5000 + (NRECS - 1) * 3);
	assert_string_equal(h->vm_name, "saved-vm");
	while ((n = pv_tracefile_read(r, buf, 333)) > 0) {
		ssize_t i;

		for (i = 0; i < n; i++, got++) {
			struct pv_rec want = rec_n(got);

			assert_memory_equal(&buf[i], &want, sizeof(want));
		}
	}
	assert_int_equal(n, 0);
	assert_int_equal(got, NRECS);
	assert_int_equal(pv_tracefile_stats(r)->consumed, NRECS);
	assert_int_equal(pv_tracefile_stats(r)->rejected, 0);
	pv_tracefile_close(r);
}

static void test_empty_trace(void **state)
{
	struct pv_tracefile_reader *r;
	struct pv_rec buf[4];

	(void)state;
	write_trace(path, 0);
	assert_int_equal(pv_tracefile_open(&r, path), 0);
	assert_int_equal(pv_tracefile_hdr(r)->nrecs, 0);
	assert_int_equal(pv_tracefile_read(r, buf, 4), 0);
	pv_tracefile_close(r);
}

/* Invalid records inside a well-formed file are skipped and counted, not returned. */
static void test_invalid_records_counted(void **state)
{
	struct pv_tracefile_info info = { .nvcpus = 2, .tsc_khz = 1000000 };
	struct pv_tracefile_writer *w;
	struct pv_tracefile_reader *r;
	struct pv_rec recs[] = {
		{ .tsc = 1, .type = PV_EV_VM_ENTRY, .vcpu = 0 },
		{ .tsc = 2, .type = PV_EV_NONE },
		{ .tsc = 3, .type = PV_EV_VM_ENTRY, .vcpu = 2 },		/* nvcpus is 2 */
		{ .tsc = 4, .type = PV_EV_VM_EXIT, .vcpu = 1, .a = 99 },
		{ .tsc = 5, .type = PV_EV_PSTATE, .vcpu = 40, .b = 1000 },	/* a CPU: fine */
	};
	struct pv_rec out[8];

	(void)state;
	assert_int_equal(pv_tracefile_create(&w, path, &info), 0);
	assert_int_equal(pv_tracefile_append(w, recs, 5), 0);
	assert_int_equal(pv_tracefile_finish(w), 0);
	assert_int_equal(pv_tracefile_open(&r, path), 0);
	assert_int_equal(pv_tracefile_read(r, out, 8), 2);
	assert_int_equal(out[1].type, PV_EV_PSTATE);
	assert_int_equal(pv_tracefile_stats(r)->rejects[PV_REJ_TYPE], 1);
	assert_int_equal(pv_tracefile_stats(r)->rejects[PV_REJ_VCPU], 1);
	assert_int_equal(pv_tracefile_stats(r)->rejects[PV_REJ_ENUM], 1);
	pv_tracefile_close(r);
}

static void copy_file(const char *from, const char *to, off_t keep, off_t extra)
{
	FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
	char buf[4096];
	size_t n;
	off_t done = 0;

	assert_non_null(a);
	assert_non_null(b);
	while ((n = fread(buf, 1, sizeof(buf), a)) > 0 && (keep < 0 || done < keep)) {
		if (keep >= 0 && done + (off_t)n > keep)
			n = (size_t)(keep - done);
		assert_int_equal(fwrite(buf, 1, n, b), n);
		done += (off_t)n;
	}
	while (extra-- > 0)
		fputc(0, b);
	fclose(a);
	fclose(b);
}

static void patch(const char *p, off_t off, const void *bytes, size_t n)
{
	int fd = open(p, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, bytes, n, off), (ssize_t)n);
	close(fd);
}

/* Header field patch, with or without fixing the checksum afterwards. */
static void patch_hdr(const char *p, size_t off, uint64_t v, size_t width, int fix_csum)
{
	struct pv_tracefile_hdr h;
	FILE *f = fopen(p, "rb");

	assert_non_null(f);
	assert_int_equal(fread(&h, sizeof(h), 1, f), 1);
	fclose(f);
	memcpy((char *)&h + off, &v, width);
	if (fix_csum)
		h.hdr_csum = pv_tracefile_csum(&h);
	patch(p, 0, &h, sizeof(h));
}

#define HOFF(f)	offsetof(struct pv_tracefile_hdr, f)

static void test_corrupt_files(void **state)
{
	static const struct {
		const char *name;
		int kind;	/* 0 header patch, 1 truncate to size, 2 append bytes, 3 fill the name */
		size_t off;
		uint64_t val;
		size_t width;
		int fix;
		int want;
	} cases[] = {
		{ "bad magic", 0, HOFF(magic), 0x12345678, 4, 1, -EINVAL },
		{ "bad magic, checksum stale", 0, HOFF(magic), 0, 4, 0, -EINVAL },
		{ "newer major version", 0, HOFF(version_major), 2, 2, 1, -EPROTO },
		{ "newer minor version (compatible)", 0, HOFF(version_minor), 5, 2, 1, 0 },
		{ "hdr_size", 0, HOFF(hdr_size), 256, 4, 1, -EINVAL },
		{ "rec_size", 0, HOFF(rec_size), 64, 4, 1, -EINVAL },
		{ "checksum", 0, HOFF(vm_name) + 3, 'Z', 1, 0, -EBADMSG },
		{ "incomplete (writer died)", 0, HOFF(flags), 0, 4, 1, -EBADMSG },
		{ "unknown flag", 0, HOFF(flags), 3, 4, 1, -EBADMSG },
		{ "nvcpus 0", 0, HOFF(nvcpus), 0, 4, 1, -EBADMSG },
		{ "nvcpus huge", 0, HOFF(nvcpus), 100000, 4, 1, -EBADMSG },
		{ "tsc_khz 0", 0, HOFF(tsc_khz), 0, 8, 1, -EBADMSG },
		{ "first > last", 0, HOFF(first_tsc), ~0ull, 8, 1, -EBADMSG },
		{ "count larger than file", 0, HOFF(nrecs), NRECS + 1, 8, 1, -EBADMSG },
		{ "count smaller than file", 0, HOFF(nrecs), NRECS - 1, 8, 1, -EBADMSG },
		{ "count overflowing", 0, HOFF(nrecs), 1ull << 60, 8, 1, -EBADMSG },
		{ "reserved", 0, HOFF(reserved), 1, 8, 1, -EBADMSG },
		{ "name unterminated", 3, HOFF(vm_name), 'A', 0, 1, -EBADMSG },
		{ "truncated by one byte", 1, 0, 128 + NRECS * 32 - 1, 0, 0, -EBADMSG },
		{ "truncated to a record boundary", 1, 0, 128 + 10 * 32, 0, 0, -EBADMSG },
		{ "header only", 1, 0, 128, 0, 0, -EBADMSG },
		{ "shorter than a header", 1, 0, 100, 0, 0, -EINVAL },
		{ "empty file", 1, 0, 0, 0, 0, -EINVAL },
		{ "trailing byte", 2, 0, 1, 0, 0, -EBADMSG },
		{ "trailing record", 2, 0, 32, 0, 0, -EBADMSG },
	};
	size_t i;

	(void)state;
	write_trace(path, NRECS);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pv_tracefile_reader *r;
		int err;

		switch (cases[i].kind) {
		case 0:
			copy_file(path, path2, -1, 0);
			patch_hdr(path2, cases[i].off, cases[i].val, cases[i].width, cases[i].fix);
			break;
		case 1:
			copy_file(path, path2, (off_t)cases[i].val, 0);
			break;
		case 3: {
			size_t k;

			copy_file(path, path2, -1, 0);
			for (k = 0; k < PV_SHM_NAME_MAX; k++)
				patch_hdr(path2, cases[i].off + k, cases[i].val, 1, cases[i].fix);
			break;
		}
		default:
			copy_file(path, path2, -1, (off_t)cases[i].val);
			break;
		}
		err = pv_tracefile_open(&r, path2);
		if (err != cases[i].want)
			fail_msg("%s: open returned %d, want %d", cases[i].name, err, cases[i].want);
		if (!err)
			pv_tracefile_close(r);
	}
}

/* A file that shrinks while being read fails the read instead of returning garbage. */
static void test_shrinks_while_reading(void **state)
{
	struct pv_tracefile_reader *r;
	struct pv_rec buf[1000];
	ssize_t n;

	(void)state;
	write_trace(path2, NRECS);
	assert_int_equal(pv_tracefile_open(&r, path2), 0);
	assert_int_equal(pv_tracefile_read(r, buf, 1000), 1000);
	assert_int_equal(truncate(path2, 128 + 2000 * 32), 0);
	n = pv_tracefile_read(r, buf, 1000);
	assert_int_equal(n, 1000);
	n = pv_tracefile_read(r, buf, 1000);
	assert_int_equal(n, -EBADMSG);
	pv_tracefile_close(r);
}

static void test_open_errors(void **state)
{
	struct pv_tracefile_reader *r;
	struct pv_tracefile_writer *w;
	struct pv_tracefile_info info = { .nvcpus = 0, .tsc_khz = 1000000 };

	(void)state;
	assert_int_equal(pv_tracefile_open(&r, "/nonexistent/x.pvtrace"), -ENOENT);
	assert_int_equal(pv_tracefile_open(&r, dir), -EINVAL);	/* a directory */
	assert_int_equal(pv_tracefile_create(&w, path2, &info), -EINVAL);
	info.nvcpus = 1;
	assert_int_equal(pv_tracefile_create(&w, "/nonexistent/x.pvtrace", &info), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_empty_trace),
		cmocka_unit_test(test_invalid_records_counted),
		cmocka_unit_test(test_corrupt_files),
		cmocka_unit_test(test_shrinks_while_reading),
		cmocka_unit_test(test_open_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
