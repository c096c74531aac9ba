// SPDX-License-Identifier: GPL-2.0-only
/* Per-VM shared region: layout, validated attach (every header field), wrong memfd sizes. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "tracer/shm.h"

static const struct pv_shm_params def_params = {
	.vm_name = "vm-test", .nvcpus = 2, .ndevs = 3, .nextra_rings = 2,
	.ring_order = 6, .tsc_khz = 2000000,
};

static void test_create_attach(void **state)
{
	struct pv_shm p, c;
	uint32_t i;

	(void)state;
	assert_int_equal(pv_shm_create(&p, &def_params), 0);
	assert_int_equal(p.hdr.nrings, 2 * 2 + 2);
	assert_int_equal(pv_shm_attach(&c, dup(p.fd)), 0);
	assert_memory_equal(&c.hdr, &p.hdr, sizeof(c.hdr));
	assert_string_equal(c.hdr.vm_name, "vm-test");
	assert_int_equal(c.hdr.tsc_khz, 2000000);
	for (i = 0; i < p.hdr.nrings; i++) {
		struct pv_ring_shared *r = pv_shm_ring(&c, i);
		uint32_t want = i < 2 ? i : i < 4 ? (i - 2) | PV_RING_GUEST_FLAG : PV_VCPU_NONE;

		assert_non_null(r);
		assert_int_equal(r->magic, PV_RING_MAGIC);
		assert_int_equal(r->order, 6);
		assert_int_equal(r->producer, want);
		assert_int_equal((uintptr_t)r % PV_SHM_PAGE, 0);
	}
	assert_null(pv_shm_ring(&c, p.hdr.nrings));
	assert_non_null(pv_shm_vcpu(&c, 1));
	assert_null(pv_shm_vcpu(&c, 2));
	assert_non_null(pv_shm_dev(&c, 2));
	assert_null(pv_shm_dev(&c, 3));
	assert_non_null(pv_shm_vm(&c));
	assert_int_equal(pv_shm_guest_ring(&c, 1), 3);
	assert_int_equal(pv_shm_extra_ring(&c, 0), 4);
	/* a counter written by the producer is seen by the consumer */
	atomic_store(&pv_shm_vcpu(&p, 1)->migrations, 42);
	assert_int_equal(atomic_load(&pv_shm_vcpu(&c, 1)->migrations), 42);
	pv_shm_close(&c);
	pv_shm_close(&p);
	assert_int_equal(p.fd, -1);
}

static void test_create_rejects(void **state)
{
	static const struct {
		const char *name;
		struct pv_shm_params p;
	} cases[] = {
		{ "no vcpus", { .nvcpus = 0, .ring_order = 6 } },
		{ "too many vcpus", { .nvcpus = PV_MAX_VCPUS + 1, .ring_order = 6 } },
		{ "too many devs", { .nvcpus = 1, .ndevs = PV_SHM_MAX_DEVS + 1, .ring_order = 6 } },
		{ "too many rings", { .nvcpus = 1, .nextra_rings = PV_SHM_MAX_DEVS + 1, .ring_order = 6 } },
		{ "order low", { .nvcpus = 1, .ring_order = PV_RING_MIN_ORDER - 1 } },
		{ "order high", { .nvcpus = 1, .ring_order = PV_RING_MAX_ORDER + 1 } },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pv_shm s;

		if (pv_shm_create(&s, &cases[i].p) != -EINVAL)
			fail_msg("%s: accepted", cases[i].name);
	}
}

/* The consumer's mapping of [0, cons_off) is read-only: a write faults. */
static void test_consumer_mapping_readonly(void **state)
{
	struct pv_shm p, c;
	pid_t pid;
	int status;

	(void)state;
	assert_int_equal(pv_shm_create(&p, &def_params), 0);
	assert_int_equal(pv_shm_attach(&c, dup(p.fd)), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		((volatile char *)pv_shm_ring(&c, 0))[100] = 1;
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSEGV);
	/* while the consumer page is writable */
	atomic_store(&c.cons[0].tail, 0);
	pv_shm_close(&c);
	pv_shm_close(&p);
}

typedef void (*hdr_mut)(struct pv_shm_hdr *h);

#define MUT(name, stmt) static void name(struct pv_shm_hdr *h) { stmt; }
MUT(m_magic, h->magic ^= 1)
MUT(m_major, h->version_major++)
MUT(m_minor, h->version_minor++)
MUT(m_hdr_small, h->hdr_size = sizeof(*h) - 8)
MUT(m_hdr_big, h->hdr_size = PV_SHM_PAGE + 8)
MUT(m_hdr_bigger_ok, h->hdr_size = sizeof(*h) + 64)
MUT(m_page, h->page_size = 65536)
MUT(m_rec, h->rec_size = 64)
MUT(m_size, h->total_size += PV_SHM_PAGE)
MUT(m_size_small, h->total_size -= PV_SHM_PAGE)
MUT(m_nvcpus0, h->nvcpus = 0)
MUT(m_nvcpus_big, h->nvcpus = PV_MAX_VCPUS + 1)
MUT(m_nvcpus_more, h->nvcpus = 3)
MUT(m_ndevs, h->ndevs = PV_SHM_MAX_DEVS + 1)
MUT(m_ndevs_other, h->ndevs = 2)
MUT(m_nrings_small, h->nrings = 3)
MUT(m_nrings_big, h->nrings = 4 + PV_SHM_MAX_DEVS + 1)
MUT(m_nrings_other, h->nrings = 5)
MUT(m_order_low, h->ring_order = PV_RING_MIN_ORDER - 1)
MUT(m_order_high, h->ring_order = PV_RING_MAX_ORDER + 1)
MUT(m_order_other, h->ring_order = 7)
MUT(m_vcpu_off, h->vcpu_ctr_off += 64)
MUT(m_vcpu_stride, h->vcpu_ctr_stride += 64)
MUT(m_dev_off, h->dev_ctr_off -= 64)
MUT(m_dev_stride, h->dev_ctr_stride = 0)
MUT(m_vm_off, h->vm_ctr_off = h->total_size)
MUT(m_rings_off, h->rings_off += PV_SHM_PAGE)
MUT(m_ring_stride, h->ring_stride = 1ull << 40)
MUT(m_cons_off, h->cons_off = h->total_size)
MUT(m_cons_off_wrap, h->cons_off = UINT64_MAX - 4095)
MUT(m_name_unterminated, memset(h->vm_name, 'x', sizeof(h->vm_name)))
MUT(m_tsc_khz, h->tsc_khz = 0)

static void test_attach_corrupt_header(void **state)
{
	static const struct {
		const char *name;
		hdr_mut mut;
		int want;
	} cases[] = {
		{ "magic", m_magic, -EINVAL },
		{ "version_major", m_major, -EPROTO },
		{ "version_minor (compatible)", m_minor, 0 },
		{ "hdr_size small", m_hdr_small, -EPROTO },
		{ "hdr_size > page", m_hdr_big, -EPROTO },
		{ "hdr_size larger (newer writer)", m_hdr_bigger_ok, 0 },
		{ "page_size", m_page, -EPROTO },
		{ "rec_size", m_rec, -EPROTO },
		{ "total_size larger than file", m_size, -EINVAL },
		{ "total_size smaller than file", m_size_small, -EINVAL },
		{ "nvcpus 0", m_nvcpus0, -EINVAL },
		{ "nvcpus > max", m_nvcpus_big, -EINVAL },
		{ "nvcpus changed", m_nvcpus_more, -EINVAL },
		{ "ndevs > max", m_ndevs, -EINVAL },
		{ "ndevs changed", m_ndevs_other, -EINVAL },
		{ "nrings < 2 nvcpus", m_nrings_small, -EINVAL },
		{ "nrings > max", m_nrings_big, -EINVAL },
		{ "nrings changed", m_nrings_other, -EINVAL },
		{ "ring_order low", m_order_low, -EINVAL },
		{ "ring_order high", m_order_high, -EINVAL },
		{ "ring_order changed", m_order_other, -EINVAL },
		{ "vcpu_ctr_off", m_vcpu_off, -EINVAL },
		{ "vcpu_ctr_stride", m_vcpu_stride, -EINVAL },
		{ "dev_ctr_off", m_dev_off, -EINVAL },
		{ "dev_ctr_stride", m_dev_stride, -EINVAL },
		{ "vm_ctr_off", m_vm_off, -EINVAL },
		{ "rings_off", m_rings_off, -EINVAL },
		{ "ring_stride", m_ring_stride, -EINVAL },
		{ "cons_off", m_cons_off, -EINVAL },
		{ "cons_off wrap", m_cons_off_wrap, -EINVAL },
		{ "vm_name unterminated (terminated on copy)", m_name_unterminated, 0 },
		{ "tsc_khz 0 (not a layout field)", m_tsc_khz, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pv_shm p, c;
		int fd, err;

		assert_int_equal(pv_shm_create(&p, &def_params), 0);
		cases[i].mut((struct pv_shm_hdr *)p.base);
		fd = dup(p.fd);
		err = pv_shm_attach(&c, fd);
		if (err != cases[i].want)
			fail_msg("%s: attach returned %d, want %d", cases[i].name, err, cases[i].want);
		if (!err) {
			assert_int_equal(c.hdr.vm_name[PV_SHM_NAME_MAX - 1], '\0');
			pv_shm_close(&c);
		} else {
			close(fd);
		}
		pv_shm_close(&p);
	}
}

/* A valid header in a memfd whose size does not match it. */
static void test_attach_wrong_size(void **state)
{
	static const struct {
		const char *name;
		int64_t delta;		/* bytes added to the real size */
	} cases[] = {
		{ "one page short", -(int64_t)PV_SHM_PAGE },
		{ "one byte short", -1 },
		{ "one byte long", 1 },
		{ "one page long", PV_SHM_PAGE },
		{ "header only", 0 },	/* special: PV_SHM_PAGE bytes */
		{ "empty", 0 },		/* special: 0 bytes */
	};
	struct pv_shm p;
	size_t i;

	(void)state;
	assert_int_equal(pv_shm_create(&p, &def_params), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pv_shm c;
		int fd = memfd_create("wrong-size", MFD_CLOEXEC);
		off_t size = (off_t)p.hdr.total_size + cases[i].delta;
		int err;

		if (i == 4)
			size = PV_SHM_PAGE;
		if (i == 5)
			size = 0;
		assert_true(fd >= 0);
		assert_int_equal(ftruncate(fd, size), 0);
		if (size >= (off_t)sizeof(p.hdr))
			assert_int_equal(pwrite(fd, &p.hdr, sizeof(p.hdr), 0), (ssize_t)sizeof(p.hdr));
		err = pv_shm_attach(&c, fd);
		if (err != -EINVAL)
			fail_msg("%s: attach returned %d", cases[i].name, err);
		close(fd);
	}
	/* the same header in a memfd of exactly the right size is fine */
	{
		struct pv_shm c;
		int fd = memfd_create("right-size", MFD_CLOEXEC);

		assert_int_equal(ftruncate(fd, (off_t)p.hdr.total_size), 0);
		assert_int_equal(pwrite(fd, &p.hdr, sizeof(p.hdr), 0), (ssize_t)sizeof(p.hdr));
		assert_int_equal(pv_shm_attach(&c, fd), 0);
		pv_shm_close(&c);
	}
	/* not a memfd at all */
	{
		struct pv_shm c;

		assert_int_equal(pv_shm_attach(&c, -1), -EBADF);
	}
	pv_shm_close(&p);
}

/* The producer's memfd is sealed: its size cannot be changed after the fact. */
static void test_sealed(void **state)
{
	struct pv_shm p;

	(void)state;
	assert_int_equal(pv_shm_create(&p, &def_params), 0);
	assert_int_not_equal(ftruncate(p.fd, (off_t)p.hdr.total_size * 2), 0);
	assert_int_not_equal(ftruncate(p.fd, PV_SHM_PAGE), 0);
	pv_shm_close(&p);
}

/* Producer and reader attach through the region, records flow through its rings. */
static void test_rings_through_region(void **state)
{
	struct pv_shm p, c;
	struct pv_ring_prod prod;
	struct pv_ring_reader rd;
	struct pv_rec out[4];

	(void)state;
	assert_int_equal(pv_shm_create(&p, &def_params), 0);
	assert_int_equal(pv_shm_attach(&c, dup(p.fd)), 0);
	assert_int_equal(pv_shm_producer(&p, 3, &prod), 0);
	assert_int_equal(pv_shm_reader(&c, 3, &rd), 0);
	assert_int_equal(pv_shm_producer(&p, 99, &prod), -EINVAL);
	assert_int_equal(pv_shm_reader(&c, 99, &rd), -EINVAL);
	assert_int_equal(pv_shm_producer(&p, 3, &prod), 0);
	assert_true(pv_ring_emit(&prod, PV_EV_TASK_SWITCH, 1, 0, 1, 2));
	assert_int_equal(pv_ring_read(&rd, out, 4), 1);
	assert_int_equal(out[0].c, 2);
	assert_int_equal(atomic_load(&p.cons[3].tail), 1);
	pv_shm_close(&c);
	pv_shm_close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_attach),
		cmocka_unit_test(test_create_rejects),
		cmocka_unit_test(test_consumer_mapping_readonly),
		cmocka_unit_test(test_attach_corrupt_header),
		cmocka_unit_test(test_attach_wrong_size),
		cmocka_unit_test(test_sealed),
		cmocka_unit_test(test_rings_through_region),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
