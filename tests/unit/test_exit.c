// SPDX-License-Identifier: GPL-2.0-only
/* vmm/exit.c fed hand-made struct kvm_run: every exit reason, PIO/MMIO to devices and to nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "tracer/shm.h"
#include "vmm/exit.h"
#include "vmm/pv_abi.h"

#define RUN_SIZE 8192
#define DATA_OFF 4096

struct fx {
	struct pv_shm shm;
	struct pv_ring_prod prod;
	struct pv_ring_reader rd;
	struct iobus pio, mmio;
	struct exit_ctx ctx;
	struct kvm_run *run;
	struct dev dev;
	uint32_t dev_last;
	int dev_writes;
};

static int fdev_write(struct dev *d, void *caller, uint64_t off, const void *data, uint32_t len)
{
	struct fx *f = d->priv;

	(void)caller;
	(void)off;
	f->dev_writes++;
	f->dev_last = 0;
	memcpy(&f->dev_last, data, len);
	return 0;
}

static int fdev_read(struct dev *d, void *caller, uint64_t off, void *data, uint32_t len)
{
	(void)d;
	(void)caller;
	memset(data, 0, len);
	*(uint8_t *)data = (uint8_t)(0x40 + off);
	return 0;
}

static const struct dev_ops fdev_ops = { .read = fdev_read, .write = fdev_write };

static int setup(void **state)
{
	struct pv_shm_params p = { .vm_name = "t", .nvcpus = 1, .ndevs = 0, .ring_order = 8,
				   .tsc_khz = 2000000 };
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(pv_shm_create(&f->shm, &p), 0);
	assert_int_equal(pv_shm_producer(&f->shm, 0, &f->prod), 0);
	assert_int_equal(pv_shm_reader(&f->shm, 0, &f->rd), 0);
	iobus_init(&f->pio, "pio", 0);
	iobus_init(&f->mmio, "mmio", 0);
	f->dev = (struct dev){ .name = "f", .ops = &fdev_ops, .priv = f };
	assert_int_equal(iobus_register(&f->pio, 0x3f8, 8, &f->dev), 0);
	assert_int_equal(iobus_register(&f->pio, PV_PORT_BASE, PV_PORT_COUNT, &f->dev), 0);
	assert_int_equal(iobus_register(&f->mmio, 0xfee00000, 0x1000, &f->dev), 0);
	f->run = calloc(1, RUN_SIZE);
	f->ctx = (struct exit_ctx){ .vcpu = 0, .pio = &f->pio, .mmio = &f->mmio, .ring = &f->prod,
				    .vc = pv_shm_vcpu(&f->shm, 0), .vm = pv_shm_vm(&f->shm) };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	pv_shm_close(&f->shm);
	free(f->run);
	free(f);
	return 0;
}

static struct pv_rec last_rec(struct fx *f)
{
	struct pv_rec recs[8], r = { 0 };
	size_t n = pv_ring_read(&f->rd, recs, 8);

	assert_int_equal(n, 1);	/* exactly one VM_EXIT per dispatch */
	r = recs[0];
	assert_int_equal(r.type, PV_EV_VM_EXIT);
	return r;
}

static void pio(struct kvm_run *run, uint16_t port, uint8_t size, uint8_t dir, uint32_t count,
		uint32_t val)
{
	memset(run, 0, RUN_SIZE);
	run->exit_reason = KVM_EXIT_IO;
	run->io.port = port;
	run->io.size = size;
	run->io.direction = dir;
	run->io.count = count;
	run->io.data_offset = DATA_OFF;
	memcpy((char *)run + DATA_OFF, &val, size);
}

/* Every non-I/O exit reason: action, recorded reason, end reason. */
static void test_reasons_table(void **state)
{
	static const struct {
		uint32_t kvm;
		uint32_t sub;		/* suberror / event type */
		enum exit_action act;
		uint32_t pv;
		uint32_t end;
	} cases[] = {
		{ KVM_EXIT_HLT, 0, EXIT_HALT, PV_EXIT_HLT, 0 },
		{ KVM_EXIT_INTR, 0, EXIT_CONTINUE, PV_EXIT_INTR, 0 },
		{ KVM_EXIT_IRQ_WINDOW_OPEN, 0, EXIT_CONTINUE, PV_EXIT_IRQ_WINDOW, 0 },
		{ KVM_EXIT_SHUTDOWN, 0, EXIT_END, PV_EXIT_SHUTDOWN, PV_END_TRIPLE_FAULT },
		{ KVM_EXIT_INTERNAL_ERROR, KVM_INTERNAL_ERROR_EMULATION, EXIT_END,
		  PV_EXIT_INTERNAL_ERROR, PV_END_EMULATION },
		{ KVM_EXIT_FAIL_ENTRY, 0x21, EXIT_END, PV_EXIT_FAIL_ENTRY, PV_END_ENTRY_FAILED },
		{ KVM_EXIT_SYSTEM_EVENT, KVM_SYSTEM_EVENT_SHUTDOWN, EXIT_END, PV_EXIT_SYSTEM_EVENT,
		  PV_END_POWEROFF },
		{ KVM_EXIT_SYSTEM_EVENT, KVM_SYSTEM_EVENT_RESET, EXIT_END, PV_EXIT_SYSTEM_EVENT,
		  PV_END_RESET },
		{ KVM_EXIT_SYSTEM_EVENT, KVM_SYSTEM_EVENT_CRASH, EXIT_END, PV_EXIT_SYSTEM_EVENT,
		  PV_END_UNKNOWN_EXIT },
		{ KVM_EXIT_DEBUG, 0, EXIT_END, PV_EXIT_OTHER, PV_END_UNKNOWN_EXIT },
		{ KVM_EXIT_EXCEPTION, 0, EXIT_END, PV_EXIT_OTHER, PV_END_UNKNOWN_EXIT },
		{ KVM_EXIT_UNKNOWN, 0, EXIT_END, PV_EXIT_OTHER, PV_END_UNKNOWN_EXIT },
		{ 0xdead, 0, EXIT_END, PV_EXIT_OTHER, PV_END_UNKNOWN_EXIT },
	};
	struct fx *f = *state;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pv_rec r;
		enum exit_action a;

		memset(f->run, 0, RUN_SIZE);
		f->run->exit_reason = cases[i].kvm;
		f->run->internal.suberror = cases[i].sub;
		if (cases[i].kvm == KVM_EXIT_SYSTEM_EVENT)
			f->run->system_event.type = cases[i].sub;
		if (cases[i].kvm == KVM_EXIT_FAIL_ENTRY)
			f->run->fail_entry.hardware_entry_failure_reason = cases[i].sub;
		f->ctx.end_reason = 0;
		a = exit_dispatch(&f->ctx, f->run, RUN_SIZE, 1000 + i);
		assert_int_equal(a, cases[i].act);
		r = last_rec(f);
		assert_int_equal(r.a, cases[i].pv);
		assert_int_equal(r.tsc, 1000 + i);
		if (a == EXIT_END)
			assert_int_equal(f->ctx.end_reason, cases[i].end);
		if (cases[i].pv == PV_EXIT_OTHER)
			assert_int_equal(r.c, cases[i].kvm);
		if (cases[i].kvm == KVM_EXIT_INTERNAL_ERROR)
			assert_int_equal(r.c, KVM_INTERNAL_ERROR_EMULATION);
	}
	assert_int_equal(atomic_load(&pv_shm_vcpu(&f->shm, 0)->exits[PV_EXIT_OTHER]), 4);
	assert_int_equal(atomic_load(&pv_shm_vcpu(&f->shm, 0)->exits[PV_EXIT_SYSTEM_EVENT]), 3);
}

static void test_pio(void **state)
{
	struct fx *f = *state;
	struct pv_rec r;
	uint8_t *data = (uint8_t *)f->run + DATA_OFF;

	/* out to a device: offset and value reach it, qualifier encodes port/size/dir */
	pio(f->run, 0x3f9, 1, KVM_EXIT_IO_OUT, 1, 'x');
	assert_int_equal(exit_dispatch(&f->ctx, f->run, RUN_SIZE, 1), EXIT_CONTINUE);
	assert_int_equal(f->dev_last, 'x');
	r = last_rec(f);
	assert_int_equal(r.a, PV_EXIT_PIO);
	assert_int_equal(r.b, 0x3f9 | 1 << 16 | 1 << 24);
	assert_int_equal(r.c, 'x');
	/* in from a device */
	pio(f->run, 0x3fd, 1, KVM_EXIT_IO_IN, 1, 0);
	assert_int_equal(exit_dispatch(&f->ctx, f->run, RUN_SIZE, 2), EXIT_CONTINUE);
	assert_int_equal(data[0], 0x45);
	last_rec(f);
	/* paravirtual ports are PV_CALL */
	pio(f->run, PV_PORT_DOORBELL, 4, KVM_EXIT_IO_OUT, 1, 2);
	assert_int_equal(exit_dispatch(&f->ctx, f->run, RUN_SIZE, 3), EXIT_CONTINUE);
	assert_int_equal(last_rec(f).a, PV_EXIT_PV_CALL);
	/* unassigned: counted, reads all-ones, keeps running */
	pio(f->run, PV_PORT_UNASSIGNED, 4, KVM_EXIT_IO_IN, 1, 0);
	assert_int_equal(exit_dispatch(&f->ctx, f->run, RUN_SIZE, 4), EXIT_CONTINUE);
	assert_int_equal(*(uint32_t *)data, 0xffffffffu);
	last_rec(f);
	pio(f->run, PV_PORT_UNASSIGNED, 2, KVM_EXIT_IO_OUT, 3, 7);	/* rep outsw, count 3 */
	assert_int_equal(exit_dispatch(&f->ctx, f->run, RUN_SIZE, 5), EXIT_CONTINUE);
	last_rec(f);
	assert_int_equal(atomic_load(&pv_shm_vm(&f->shm)->unhandled_pio), 4);
	/* string out to a device: every element delivered */
	f->dev_writes = 0;
	pio(f->run, 0x3f8, 1, KVM_EXIT_IO_OUT, 3, 0);
	memcpy(data, "abc", 3);
	assert_int_equal(exit_dispatch(&f->ctx, f->run, RUN_SIZE, 6), EXIT_CONTINUE);
	assert_int_equal(f->dev_writes, 3);
	assert_int_equal(f->dev_last, 'c');
	last_rec(f);
}

/* A corrupt kvm_run (bad size, data outside the mapping) ends the VM, never reads out of bounds. */
static void test_pio_malformed(void **state)
{
	static const struct {
		uint8_t size;
		uint32_t count;
		uint64_t off;
	} cases[] = {
		{ 3, 1, DATA_OFF }, { 0, 1, DATA_OFF }, { 1, 0, DATA_OFF }, { 4, 1, RUN_SIZE - 2 },
		{ 1, 1, RUN_SIZE + 10 }, { 4, 1u << 30, DATA_OFF }, { 1, 1, 8 }, { 1, 1, 1024 },
	};
	struct fx *f = *state;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pio(f->run, 0x3f8, 1, KVM_EXIT_IO_OUT, 1, 0);
		f->run->io.size = cases[i].size;
		f->run->io.count = cases[i].count;
		f->run->io.data_offset = cases[i].off;
		assert_int_equal(exit_dispatch(&f->ctx, f->run, RUN_SIZE, 7), EXIT_END);
		assert_int_equal(f->ctx.end_reason, PV_END_UNKNOWN_EXIT);
		assert_int_equal(last_rec(f).a, PV_EXIT_OTHER);
	}
}

static void test_mmio(void **state)
{
	struct fx *f = *state;
	struct pv_rec r;

	memset(f->run, 0, RUN_SIZE);
	f->run->exit_reason = KVM_EXIT_MMIO;
	f->run->mmio.phys_addr = 0xfee00010;
	f->run->mmio.len = 4;
	f->run->mmio.is_write = 1;
	memcpy(f->run->mmio.data, "\x11\x22\x33\x44", 4);
	assert_int_equal(exit_dispatch(&f->ctx, f->run, RUN_SIZE, 8), EXIT_CONTINUE);
	assert_int_equal(f->dev_last, 0x44332211);
	r = last_rec(f);
	assert_int_equal(r.a, PV_EXIT_MMIO);
	assert_int_equal(r.b, 0xfee00010);
	assert_int_equal(r.c, 4 | 1 << 8);
	/* unassigned read: all-ones, counted */
	f->run->mmio.phys_addr = 0xd0000000;
	f->run->mmio.is_write = 0;
	f->run->mmio.len = 8;
	assert_int_equal(exit_dispatch(&f->ctx, f->run, RUN_SIZE, 9), EXIT_CONTINUE);
	assert_int_equal(*(uint64_t *)f->run->mmio.data, UINT64_MAX);
	assert_int_equal(atomic_load(&pv_shm_vm(&f->shm)->unhandled_mmio), 1);
	last_rec(f);
	/* impossible length */
	f->run->mmio.len = 64;
	assert_int_equal(exit_dispatch(&f->ctx, f->run, RUN_SIZE, 10), EXIT_END);
	last_rec(f);
}

static void test_error_record(void **state)
{
	struct fx *f = *state;
	struct pv_rec r;

	exit_record_error(&f->ctx, EAGAIN, 11);
	r = last_rec(f);
	assert_int_equal(r.a, PV_EXIT_ERROR);
	assert_int_equal(r.c, EAGAIN);
	assert_string_equal(exit_end_reason_name(PV_END_EXIT_FLOOD), "exit-flood");
	assert_string_equal(exit_end_reason_name(999), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reasons_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pio_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_record, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
