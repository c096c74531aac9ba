// SPDX-License-Identifier: GPL-2.0-only
/* The validating consumer: the validation table, draining a region, rejects by reason,
 * overruns and drops, and random bytes over rings and the region never crashing it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tracer/consume.h"

#define NV	4u	/* vCPUs in the validation contexts */
#define LAT	PV_MAX_LATENCY_NS

enum { K_VCPU = PV_RING_KIND_VCPU, K_GUEST = PV_RING_KIND_GUEST, K_DEV = PV_RING_KIND_DEV,
       K_NODE = PV_RING_KIND_NODE, K_ANY = PV_RING_KIND_ANY };

struct vcase {
	const char *name;
	uint32_t kind;
	uint32_t ring_vcpu;
	uint64_t last_tsc;
	struct pv_rec r;
	enum pv_reject want;
};

#define R(type_, vcpu_, a_, b_, c_) { .tsc = 1000, .type = (type_), .vcpu = (vcpu_), \
				      .a = (a_), .b = (b_), .c = (c_) }
#define RT(tsc_, type_, vcpu_, a_, b_, c_) { .tsc = (tsc_), .type = (type_), .vcpu = (vcpu_), \
					     .a = (a_), .b = (b_), .c = (c_) }

static const struct vcase vcases[] = {
	/* type */
	{ "none", K_ANY, 0, 0, R(PV_EV_NONE, 0, 0, 0, 0), PV_REJ_TYPE },
	{ "type max", K_ANY, 0, 0, R(PV_EV_MAX, 0, 0, 0, 0), PV_REJ_TYPE },
	{ "type huge", K_ANY, 0, 0, R(0xffff, 0, 0, 0, 0), PV_REJ_TYPE },
	{ "zeroed memory", K_VCPU, 0, 0, RT(0, 0, 0, 0, 0, 0), PV_REJ_TYPE },
	/* vm exit / entry */
	{ "exit ok", K_VCPU, 1, 0, R(PV_EV_VM_EXIT, 1, PV_EXIT_PIO, 0x10003f8, 7), PV_REJ_OK },
	{ "exit other, any qualifier", K_VCPU, 1, 0, R(PV_EV_VM_EXIT, 1, PV_EXIT_OTHER, ~0ull, ~0ull), PV_REJ_OK },
	{ "exit reason max", K_VCPU, 1, 0, R(PV_EV_VM_EXIT, 1, PV_EXIT_MAX, 0, 0), PV_REJ_ENUM },
	{ "exit reason huge", K_VCPU, 1, 0, R(PV_EV_VM_EXIT, 1, 0xffffffff, 0, 0), PV_REJ_ENUM },
	{ "exit other vcpu's ring", K_VCPU, 1, 0, R(PV_EV_VM_EXIT, 2, PV_EXIT_PIO, 0, 0), PV_REJ_VCPU },
	{ "exit vcpu none", K_VCPU, 1, 0, R(PV_EV_VM_EXIT, PV_VCPU_NONE, PV_EXIT_PIO, 0, 0), PV_REJ_VCPU },
	{ "exit on guest ring", K_GUEST, 1, 0, R(PV_EV_VM_EXIT, 1, PV_EXIT_PIO, 0, 0), PV_REJ_KIND },
	{ "exit on dev ring", K_DEV, 0, 0, R(PV_EV_VM_EXIT, 1, PV_EXIT_PIO, 0, 0), PV_REJ_KIND },
	{ "exit any, vcpu >= nvcpus", K_ANY, 0, 0, R(PV_EV_VM_EXIT, NV, PV_EXIT_PIO, 0, 0), PV_REJ_VCPU },
	{ "exit any, vcpu none", K_ANY, 0, 0, R(PV_EV_VM_EXIT, PV_VCPU_NONE, PV_EXIT_PIO, 0, 0), PV_REJ_VCPU },
	{ "entry ok", K_VCPU, 0, 0, R(PV_EV_VM_ENTRY, 0, 0, 0, 0), PV_REJ_OK },
	{ "entry a set", K_VCPU, 0, 0, R(PV_EV_VM_ENTRY, 0, 1, 0, 0), PV_REJ_RESERVED },
	{ "entry c set", K_VCPU, 0, 0, R(PV_EV_VM_ENTRY, 0, 0, 0, 1), PV_REJ_RESERVED },
	/* time */
	{ "equal time ok", K_VCPU, 0, 1000, R(PV_EV_VM_ENTRY, 0, 0, 0, 0), PV_REJ_OK },
	{ "time backwards", K_VCPU, 0, 1001, R(PV_EV_VM_ENTRY, 0, 0, 0, 0), PV_REJ_TIME },
	{ "time backwards, guest ring", K_GUEST, 0, ~0ull, R(PV_EV_RT_MISS, 0, 1, 5, 0), PV_REJ_TIME },
	{ "time not checked for ANY", K_ANY, 0, 5000, R(PV_EV_VM_ENTRY, 0, 0, 0, 0), PV_REJ_OK },
	/* halts */
	{ "halt exit on vcpu ring", K_VCPU, 0, 0, R(PV_EV_HALT_BEGIN, 0, PV_HALT_EXIT, 0, 0), PV_REJ_OK },
	{ "halt native end", K_VCPU, 0, 0, R(PV_EV_HALT_END, 0, PV_HALT_NATIVE, 5000, 0), PV_REJ_OK },
	{ "halt guest on vcpu ring", K_VCPU, 0, 0, R(PV_EV_HALT_BEGIN, 0, PV_HALT_GUEST, 0, 0), PV_REJ_KIND },
	{ "halt poll on guest ring", K_GUEST, 0, 0, R(PV_EV_HALT_END, 0, PV_HALT_POLL, 0, 0), PV_REJ_KIND },
	{ "halt guest on guest ring", K_GUEST, 2, 0, R(PV_EV_HALT_END, 2, PV_HALT_GUEST, 10, 0), PV_REJ_OK },
	{ "halt mode max", K_VCPU, 0, 0, R(PV_EV_HALT_BEGIN, 0, PV_HALT_MODE_MAX, 0, 0), PV_REJ_ENUM },
	{ "halt begin b set", K_VCPU, 0, 0, R(PV_EV_HALT_BEGIN, 0, PV_HALT_EXIT, 1, 0), PV_REJ_RESERVED },
	{ "halted ns at max", K_VCPU, 0, 0, R(PV_EV_HALT_END, 0, PV_HALT_EXIT, LAT, 0), PV_REJ_OK },
	{ "halted ns > max", K_VCPU, 0, 0, R(PV_EV_HALT_END, 0, PV_HALT_EXIT, LAT + 1, 0), PV_REJ_LATENCY },
	{ "halt end c set", K_VCPU, 0, 0, R(PV_EV_HALT_END, 0, PV_HALT_EXIT, 0, 9), PV_REJ_RESERVED },
	/* migrate */
	{ "migrate ok", K_VCPU, 3, 0, R(PV_EV_MIGRATE, 3, PV_MAX_CPUS - 1, 0, 0), PV_REJ_OK },
	{ "migrate new cpu", K_VCPU, 3, 0, R(PV_EV_MIGRATE, 3, PV_MAX_CPUS, 0, 0), PV_REJ_CPU },
	{ "migrate old cpu", K_VCPU, 3, 0, R(PV_EV_MIGRATE, 3, 1, 1ull << 40, 0), PV_REJ_CPU },
	{ "migrate c set", K_VCPU, 3, 0, R(PV_EV_MIGRATE, 3, 1, 0, 1), PV_REJ_RESERVED },
	{ "migrate on guest ring", K_GUEST, 3, 0, R(PV_EV_MIGRATE, 3, 1, 0, 0), PV_REJ_KIND },
	/* timer */
	{ "timer ok", K_VCPU, 0, 0, R(PV_EV_TIMER_FIRE, 0, 3, ~0ull, ~0ull), PV_REJ_OK },
	{ "timer on dev ring", K_DEV, 0, 0, R(PV_EV_TIMER_FIRE, 1, 0, 0, 0), PV_REJ_OK },
	{ "timer on dev ring, vcpu none", K_DEV, 0, 0, R(PV_EV_TIMER_FIRE, PV_VCPU_NONE, 0, 0, 0), PV_REJ_VCPU },
	/* task switch */
	{ "task switch ok", K_GUEST, 1, 0, R(PV_EV_TASK_SWITCH, 1, PV_TASK_CLASSES(PV_TASK_BE, PV_TASK_RT), 2, 1), PV_REJ_OK },
	{ "task switch on vcpu ring", K_VCPU, 1, 0, R(PV_EV_TASK_SWITCH, 1, 0, 2, 1), PV_REJ_KIND },
	{ "task switch wrong vcpu", K_GUEST, 1, 0, R(PV_EV_TASK_SWITCH, 0, 0, 2, 1), PV_REJ_VCPU },
	{ "task prev class", K_GUEST, 1, 0, R(PV_EV_TASK_SWITCH, 1, PV_TASK_CLASSES(PV_TASK_CLASS_MAX, 0), 2, 1), PV_REJ_ENUM },
	{ "task next class", K_GUEST, 1, 0, R(PV_EV_TASK_SWITCH, 1, PV_TASK_CLASSES(0, 7), 2, 1), PV_REJ_ENUM },
	{ "task classes high bits", K_GUEST, 1, 0, R(PV_EV_TASK_SWITCH, 1, 1u << 16, 2, 1), PV_REJ_RESERVED },
	{ "task prev id", K_GUEST, 1, 0, R(PV_EV_TASK_SWITCH, 1, 0, PV_TASK_ID_MAX, 1), PV_REJ_RANGE },
	{ "task next id", K_GUEST, 1, 0, R(PV_EV_TASK_SWITCH, 1, 0, 1, ~0ull), PV_REJ_RANGE },
	/* real time */
	{ "rt activate ok", K_GUEST, 0, 0, R(PV_EV_RT_ACTIVATE, 0, 1, 5000, 1000000), PV_REJ_OK },
	{ "rt activate lateness", K_GUEST, 0, 0, R(PV_EV_RT_ACTIVATE, 0, 1, LAT + 1, 1000000), PV_REJ_LATENCY },
	{ "rt activate period", K_GUEST, 0, 0, R(PV_EV_RT_ACTIVATE, 0, 1, 0, ~0ull), PV_REJ_LATENCY },
	{ "rt activate task id", K_GUEST, 0, 0, R(PV_EV_RT_ACTIVATE, 0, PV_TASK_ID_MAX, 0, 0), PV_REJ_RANGE },
	{ "rt complete ok", K_GUEST, 0, 0, R(PV_EV_RT_COMPLETE, 0, 1, 200000, 1000000), PV_REJ_OK },
	{ "rt complete response", K_GUEST, 0, 0, R(PV_EV_RT_COMPLETE, 0, 1, LAT + 1, 0), PV_REJ_LATENCY },
	{ "rt miss ok", K_GUEST, 0, 0, R(PV_EV_RT_MISS, 0, 1, 1, 0), PV_REJ_OK },
	{ "rt miss lateness", K_GUEST, 0, 0, R(PV_EV_RT_MISS, 0, 1, 1ull << 63, 0), PV_REJ_LATENCY },
	{ "rt miss c set", K_GUEST, 0, 0, R(PV_EV_RT_MISS, 0, 1, 1, 1), PV_REJ_RESERVED },
	{ "rt miss on vcpu ring", K_VCPU, 0, 0, R(PV_EV_RT_MISS, 0, 1, 1, 0), PV_REJ_KIND },
	/* devices and interrupts */
	{ "dev io ok", K_DEV, 0, 0, R(PV_EV_DEV_IO, PV_VCPU_NONE, PV_DEV_OP(3, PV_DEV_OP_READ), 512, 3000), PV_REJ_OK },
	{ "dev io on vcpu ring", K_VCPU, 2, 0, R(PV_EV_DEV_IO, 2, PV_DEV_OP(0, PV_DEV_OP_WRITE), 1, 3000), PV_REJ_OK },
	{ "dev io op", K_DEV, 0, 0, R(PV_EV_DEV_IO, 0, PV_DEV_OP(0, PV_DEV_OP_MAX), 1, 0), PV_REJ_ENUM },
	{ "dev io dev id", K_DEV, 0, 0, R(PV_EV_DEV_IO, 0, PV_DEV_OP(PV_SHM_MAX_DEVS, 0), 1, 0), PV_REJ_RANGE },
	{ "dev io bytes", K_DEV, 0, 0, R(PV_EV_DEV_IO, 0, 0, PV_IO_MAX_BYTES + 1, 0), PV_REJ_RANGE },
	{ "dev io latency", K_DEV, 0, 0, R(PV_EV_DEV_IO, 0, 0, 1, LAT + 1), PV_REJ_LATENCY },
	{ "dev io vcpu out of range", K_DEV, 0, 0, R(PV_EV_DEV_IO, NV, 0, 1, 0), PV_REJ_VCPU },
	{ "irq ok", K_DEV, 0, 0, R(PV_EV_IRQ_INJECT, 1, 4, PV_IRQ_TRAPPED, 0), PV_REJ_OK },
	{ "irq path", K_DEV, 0, 0, R(PV_EV_IRQ_INJECT, 1, 4, PV_IRQ_PATH_MAX, 0), PV_REJ_ENUM },
	{ "irq line", K_DEV, 0, 0, R(PV_EV_IRQ_INJECT, 1, PV_IRQ_LINE_MAX, 0, 0), PV_REJ_RANGE },
	{ "irq c set", K_DEV, 0, 0, R(PV_EV_IRQ_INJECT, 1, 4, 0, 1), PV_REJ_RESERVED },
	/* node decisions */
	{ "pstate ok", K_NODE, 0, 0, R(PV_EV_PSTATE, 4000, 0, 2300000, 1200000), PV_REJ_OK },
	{ "pstate cpu", K_NODE, 0, 0, R(PV_EV_PSTATE, PV_MAX_CPUS, 0, 2300000, 0), PV_REJ_CPU },
	{ "pstate zero freq", K_NODE, 0, 0, R(PV_EV_PSTATE, 0, 0, 0, 0), PV_REJ_RANGE },
	{ "pstate freq", K_NODE, 0, 0, R(PV_EV_PSTATE, 0, 0, PV_FREQ_MAX_KHZ + 1, 0), PV_REJ_RANGE },
	{ "pstate a set", K_NODE, 0, 0, R(PV_EV_PSTATE, 0, 1, 1000, 0), PV_REJ_RESERVED },
	{ "pstate in a VM ring", K_DEV, 0, 0, R(PV_EV_PSTATE, 0, 0, 1000, 0), PV_REJ_KIND },
	{ "pstate in a trace file", K_ANY, 0, 0, R(PV_EV_PSTATE, 17, 0, 1000, 0), PV_REJ_OK },
	{ "cstate ok", K_NODE, 0, 0, R(PV_EV_CSTATE_LIMIT, 1, 0, 2, 6), PV_REJ_OK },
	{ "cstate index", K_NODE, 0, 0, R(PV_EV_CSTATE_LIMIT, 1, 0, PV_CSTATE_MAX, 0), PV_REJ_RANGE },
	{ "qos ok", K_NODE, 0, 0, R(PV_EV_QOS_CHANGE, PV_VCPU_NONE, 7, PV_QOS_REALTIME, PV_QOS_BEST_EFFORT), PV_REJ_OK },
	{ "qos class", K_NODE, 0, 0, R(PV_EV_QOS_CHANGE, 1, 7, PV_QOS_CLASS_MAX, 0), PV_REJ_ENUM },
	{ "qos old class", K_DEV, 0, 0, R(PV_EV_QOS_CHANGE, 1, 7, 0, 99), PV_REJ_ENUM },
	{ "reservation ok", K_NODE, 0, 0, R(PV_EV_RESERVATION, 0, 7, 200000, 1000000), PV_REJ_OK },
	{ "reservation runtime > period", K_NODE, 0, 0, R(PV_EV_RESERVATION, 0, 7, 2000000, 1000000), PV_REJ_RANGE },
	{ "reservation period", K_NODE, 0, 0, R(PV_EV_RESERVATION, 0, 7, 0, LAT + 1), PV_REJ_LATENCY },
	{ "devpower ok", K_DEV, 0, 0, R(PV_EV_DEVPOWER, PV_VCPU_NONE, 2, 3, 0), PV_REJ_OK },
	{ "devpower dev", K_DEV, 0, 0, R(PV_EV_DEVPOWER, PV_VCPU_NONE, PV_SHM_MAX_DEVS, 3, 0), PV_REJ_RANGE },
	{ "devpower state", K_DEV, 0, 0, R(PV_EV_DEVPOWER, PV_VCPU_NONE, 2, PV_DEVPOWER_MAX_STATE, 0), PV_REJ_RANGE },
	{ "devpower on vcpu ring", K_VCPU, 0, 0, R(PV_EV_DEVPOWER, 0, 2, 0, 0), PV_REJ_KIND },
	{ "throttle ok", K_VCPU, 1, 0, R(PV_EV_THROTTLE, 1, 7, 5000, 1000000), PV_REJ_OK },
	{ "throttle overrun", K_VCPU, 1, 0, R(PV_EV_THROTTLE, 1, 7, LAT + 1, 1000000), PV_REJ_LATENCY },
	/* context itself broken */
	{ "bad kind", PV_RING_KIND_MAX, 0, 0, R(PV_EV_VM_ENTRY, 0, 0, 0, 0), PV_REJ_KIND },
	{ "ring vcpu beyond nvcpus", K_VCPU, NV, 0, R(PV_EV_VM_ENTRY, NV, 0, 0, 0), PV_REJ_VCPU },
};

static void test_validate_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++) {
		const struct vcase *c = &vcases[i];
		struct pv_consume_ctx ctx = { .kind = c->kind, .nvcpus = NV, .vcpu = c->ring_vcpu,
					      .last_tsc = c->last_tsc };
		enum pv_reject got = pv_consume_validate(&c->r, &ctx);

		if (got != c->want)
			fail_msg("case '%s': got %s, want %s", c->name, pv_consume_reject_name(got),
				 pv_consume_reject_name(c->want));
	}
}

/* Every type is accepted on exactly the ring kinds the header documents. */
static void test_kind_matrix(void **state)
{
	static const struct pv_rec good[PV_EV_MAX] = {
		[PV_EV_VM_EXIT] = R(PV_EV_VM_EXIT, 0, 0, 0, 0),
		[PV_EV_VM_ENTRY] = R(PV_EV_VM_ENTRY, 0, 0, 0, 0),
		[PV_EV_MIGRATE] = R(PV_EV_MIGRATE, 0, 1, 0, 0),
		[PV_EV_TIMER_FIRE] = R(PV_EV_TIMER_FIRE, 0, 0, 0, 0),
		[PV_EV_TASK_SWITCH] = R(PV_EV_TASK_SWITCH, 0, 0, 0, 1),
		[PV_EV_RT_ACTIVATE] = R(PV_EV_RT_ACTIVATE, 0, 1, 0, 0),
		[PV_EV_RT_COMPLETE] = R(PV_EV_RT_COMPLETE, 0, 1, 0, 0),
		[PV_EV_RT_MISS] = R(PV_EV_RT_MISS, 0, 1, 0, 0),
		[PV_EV_DEV_IO] = R(PV_EV_DEV_IO, 0, 0, 0, 0),
		[PV_EV_IRQ_INJECT] = R(PV_EV_IRQ_INJECT, 0, 0, 0, 0),
		[PV_EV_PSTATE] = R(PV_EV_PSTATE, 0, 0, 1000, 0),
		[PV_EV_CSTATE_LIMIT] = R(PV_EV_CSTATE_LIMIT, 0, 0, 0, 0),
		[PV_EV_QOS_CHANGE] = R(PV_EV_QOS_CHANGE, 0, 0, 0, 0),
		[PV_EV_RESERVATION] = R(PV_EV_RESERVATION, 0, 0, 0, 0),
		[PV_EV_DEVPOWER] = R(PV_EV_DEVPOWER, 0, 0, 0, 0),
		[PV_EV_THROTTLE] = R(PV_EV_THROTTLE, 0, 0, 0, 0),
	};
	/* "VGDNA": accepted on vcpu, guest, dev, node, any rings (halts checked in the table) */
	static const char *const allowed[PV_EV_MAX] = {
		[PV_EV_VM_EXIT] = "V...A", [PV_EV_VM_ENTRY] = "V...A", [PV_EV_MIGRATE] = "V...A",
		[PV_EV_TIMER_FIRE] = "V.D.A", [PV_EV_TASK_SWITCH] = ".G..A",
		[PV_EV_RT_ACTIVATE] = ".G..A", [PV_EV_RT_COMPLETE] = ".G..A",
		[PV_EV_RT_MISS] = ".G..A", [PV_EV_DEV_IO] = "V.D.A", [PV_EV_IRQ_INJECT] = "V.D.A",
		[PV_EV_PSTATE] = "...NA", [PV_EV_CSTATE_LIMIT] = "...NA",
		[PV_EV_QOS_CHANGE] = "..DNA", [PV_EV_RESERVATION] = "..DNA",
		[PV_EV_DEVPOWER] = "..DNA", [PV_EV_THROTTLE] = "V.DNA",
	};
	unsigned int t, k;

	(void)state;
	for (t = 1; t < PV_EV_MAX; t++) {
		if (!allowed[t])
			continue;	/* halts: mode-dependent, in the table */
		for (k = 0; k < PV_RING_KIND_MAX; k++) {
			struct pv_consume_ctx ctx = { .kind = k, .nvcpus = NV, .vcpu = 0 };
			enum pv_reject got = pv_consume_validate(&good[t], &ctx);
			bool want = allowed[t][k] != '.';

			if ((got == PV_REJ_OK) != want)
				fail_msg("%s on %s ring: %s", pv_ev_name(t), pv_consume_kind_name(k),
					 pv_consume_reject_name(got));
		}
	}
}

/* A rejected record never moves the ring's time: a forged future stamp costs one record. */
static void test_filter_time(void **state)
{
	struct pv_rec recs[] = {
		RT(100, PV_EV_VM_ENTRY, 0, 0, 0, 0),
		RT(~0ull, PV_EV_VM_ENTRY, 0, 1, 0, 0),	/* rejected (reserved) with a huge stamp */
		RT(200, PV_EV_VM_EXIT, 0, PV_EXIT_PIO, 0, 0),
		RT(150, PV_EV_VM_ENTRY, 0, 0, 0, 0),	/* backwards */
		RT(200, PV_EV_VM_ENTRY, 0, 0, 0, 0),	/* equal: fine */
		RT(300, PV_EV_VM_EXIT, 0, 99, 0, 0),	/* enum */
	};
	struct pv_consume_ctx ctx = { .kind = K_VCPU, .nvcpus = 1, .vcpu = 0 };
	struct pv_consume_stats st = { 0 };
	size_t n = pv_consume_filter(&ctx, &st, recs, 6);

	(void)state;
	assert_int_equal(n, 3);
	assert_int_equal(recs[0].tsc, 100);
	assert_int_equal(recs[1].tsc, 200);
	assert_int_equal(recs[1].type, PV_EV_VM_EXIT);
	assert_int_equal(recs[2].tsc, 200);
	assert_int_equal(ctx.last_tsc, 200);
	assert_int_equal(st.consumed, 3);
	assert_int_equal(st.rejected, 3);
	assert_int_equal(st.rejects[PV_REJ_RESERVED], 1);
	assert_int_equal(st.rejects[PV_REJ_TIME], 1);
	assert_int_equal(st.rejects[PV_REJ_ENUM], 1);
}

/* ------------------------------------------------------------------ region draining */

struct region {
	struct pv_shm p, c;
	struct pv_consumer *cons;
};

static void region_open(struct region *g, uint32_t nvcpus, uint32_t extra, uint32_t order,
			size_t batch)
{
	struct pv_shm_params params = { .vm_name = "t", .nvcpus = nvcpus, .nextra_rings = extra,
					.ring_order = order, .tsc_khz = 1000000 };

	assert_int_equal(pv_shm_create(&g->p, &params), 0);
	assert_int_equal(pv_shm_attach(&g->c, dup(g->p.fd)), 0);
	assert_int_equal(pv_consumer_create(&g->cons, &g->c, batch), 0);
}

static void region_close(struct region *g)
{
	pv_consumer_destroy(g->cons);
	pv_shm_close(&g->c);
	pv_shm_close(&g->p);
}

static void put(struct region *g, uint32_t ring, struct pv_rec r)
{
	struct pv_ring_prod p;

	assert_int_equal(pv_shm_producer(&g->p, ring, &p), 0);
	assert_true(pv_ring_put(&p, &r));
}

struct collected {
	uint64_t per_ring[8];
	uint32_t last_ring;
	uint64_t calls;
	struct pv_rec recs[256];
	size_t n;
	int stop_after;		/* non-zero: return -ECANCELED after this many calls */
};

static int collect(void *arg, uint32_t ring, const struct pv_consume_ctx *ctx,
		   const struct pv_rec *recs, size_t n)
{
	struct collected *c = arg;
	size_t i;

	assert_true(n > 0);
	assert_int_equal(ctx->kind, pv_consume_ring_kind(2, ring));
	c->per_ring[ring] += n;
	c->calls++;
	for (i = 0; i < n && c->n < 256; i++)
		c->recs[c->n++] = recs[i];
	if (c->stop_after && c->calls >= (uint64_t)c->stop_after)
		return -ECANCELED;
	return 0;
}

static void test_drain_region(void **state)
{
	struct region g;
	struct collected col = { 0 };
	struct pv_consume_stats tot;
	const struct pv_consume_stats *s;
	uint64_t i;

	(void)state;
	region_open(&g, 2, 1, 5, 4);	/* 5 rings, batch 4 */
	assert_int_equal(pv_consumer_nrings(g.cons), 5);
	assert_int_equal(pv_consumer_ctx(g.cons, 3)->kind, PV_RING_KIND_GUEST);
	assert_int_equal(pv_consumer_ctx(g.cons, 3)->vcpu, 1);
	assert_int_equal(pv_consumer_ctx(g.cons, 4)->kind, PV_RING_KIND_DEV);
	assert_null(pv_consumer_ctx(g.cons, 5));
	for (i = 0; i < 10; i++)
		put(&g, 0, (struct pv_rec)RT(10 + i, PV_EV_VM_EXIT, 0, PV_EXIT_MMIO, i, 0));
	put(&g, 1, (struct pv_rec)RT(5, PV_EV_VM_ENTRY, 1, 0, 0, 0));
	put(&g, 1, (struct pv_rec)RT(6, PV_EV_VM_ENTRY, 0, 0, 0, 0));		/* wrong vcpu */
	put(&g, 3, (struct pv_rec)RT(7, PV_EV_TASK_SWITCH, 1, 0, 0, 4));
	put(&g, 3, (struct pv_rec)RT(8, PV_EV_VM_EXIT, 1, 0, 0, 0));		/* wrong kind */
	put(&g, 4, (struct pv_rec)RT(9, PV_EV_DEV_IO, PV_VCPU_NONE, 0, 8, 100));
	put(&g, 4, (struct pv_rec)RT(3, PV_EV_DEV_IO, PV_VCPU_NONE, 0, 8, 100));	/* backwards */

	/* one pass: at most 4 per ring */
	assert_int_equal(pv_consumer_poll(g.cons, collect, &col), 4 + 1 + 1 + 1);
	assert_int_equal(pv_consumer_drain(g.cons, collect, &col, 0), 6);
	assert_int_equal(col.per_ring[0], 10);
	assert_int_equal(col.per_ring[1], 1);
	assert_int_equal(col.per_ring[2], 0);
	assert_int_equal(col.per_ring[3], 1);
	assert_int_equal(col.per_ring[4], 1);
	for (i = 0; i < 4; i++)
		assert_int_equal(col.recs[i].b, i);
	s = pv_consumer_stats(g.cons, 1);
	assert_int_equal(s->consumed, 1);
	assert_int_equal(s->rejects[PV_REJ_VCPU], 1);
	assert_int_equal(pv_consumer_stats(g.cons, 3)->rejects[PV_REJ_KIND], 1);
	assert_int_equal(pv_consumer_stats(g.cons, 4)->rejects[PV_REJ_TIME], 1);
	assert_null(pv_consumer_stats(g.cons, 9));
	pv_consumer_total(g.cons, &tot);
	assert_int_equal(tot.consumed, 13);
	assert_int_equal(tot.rejected, 3);
	assert_int_equal(pv_consumer_poll(g.cons, collect, &col), 0);
	region_close(&g);
}

static void test_callback_error_stops(void **state)
{
	struct region g;
	struct collected col = { .stop_after = 1 };

	(void)state;
	region_open(&g, 2, 0, 5, 0);
	put(&g, 0, (struct pv_rec)RT(1, PV_EV_VM_ENTRY, 0, 0, 0, 0));
	put(&g, 1, (struct pv_rec)RT(1, PV_EV_VM_ENTRY, 1, 0, 0, 0));
	assert_int_equal(pv_consumer_poll(g.cons, collect, &col), -ECANCELED);
	assert_int_equal(col.calls, 1);
	col.stop_after = 0;
	assert_int_equal(pv_consumer_poll(g.cons, collect, &col), 1);
	region_close(&g);
}

static void test_buffer_mode(void **state)
{
	struct region g;
	struct pv_rec out[64];
	uint64_t i;

	(void)state;
	region_open(&g, 1, 0, 6, 8);
	for (i = 0; i < 40; i++)	/* every 4th record is invalid */
		put(&g, 0, (struct pv_rec)RT(i, PV_EV_VM_EXIT, 0, i % 4 ? PV_EXIT_PIO : 77, i, 0));
	assert_int_equal(pv_consumer_read(g.cons, 0, out, 25), 25);
	assert_int_equal(out[0].b, 1);
	assert_int_equal(out[24].b, 33);
	assert_int_equal(pv_consumer_read(g.cons, 0, out, 64), 5);
	assert_int_equal(pv_consumer_read(g.cons, 0, out, 64), 0);
	assert_int_equal(pv_consumer_read(g.cons, 5, out, 64), -EINVAL);
	assert_int_equal(pv_consumer_stats(g.cons, 0)->rejects[PV_REJ_ENUM], 10);
	region_close(&g);
}

/* Producer-reported drops and impossible heads show in the consumer's counters. */
static void test_drops_and_overruns(void **state)
{
	struct region g;
	struct pv_ring_prod p;
	struct pv_ring_shared *r;
	uint64_t i;

	(void)state;
	region_open(&g, 1, 0, 4, 0);
	assert_int_equal(pv_shm_producer(&g.p, 0, &p), 0);
	for (i = 0; i < 20; i++)
		pv_ring_emit(&p, PV_EV_VM_ENTRY, 0, 0, 0, 0);
	assert_int_equal(pv_consumer_drain(g.cons, NULL, NULL, 0), 16);
	assert_int_equal(pv_consumer_stats(g.cons, 0)->drops, 4);
	/* a head behind the tail */
	r = pv_shm_ring(&g.p, 0);
	atomic_store(&r->head, 3);
	assert_int_equal(pv_consumer_poll(g.cons, NULL, NULL), 0);
	assert_int_equal(pv_consumer_stats(g.cons, 0)->overruns, 1);
	/* far ahead: resynchronised, one ring of (stale) records read and judged */
	atomic_store(&r->head, 16 + 1000);
	pv_consumer_poll(g.cons, NULL, NULL);
	assert_int_equal(pv_consumer_stats(g.cons, 0)->overruns, 2);
	assert_int_equal(pv_consumer_stats(g.cons, 0)->skipped, 1000 - 16);
	region_close(&g);
}

/* A ring whose header the producer broke is counted, retried, and used once fixed. */
static void test_broken_ring_header(void **state)
{
	struct region g;
	struct pv_ring_shared *r;

	(void)state;
	region_open(&g, 1, 0, 5, 0);
	r = pv_shm_ring(&g.p, 1);
	r->magic = 0;
	put(&g, 0, (struct pv_rec)RT(1, PV_EV_VM_ENTRY, 0, 0, 0, 0));
	assert_int_equal(pv_consumer_poll(g.cons, NULL, NULL), 1);
	assert_int_equal(pv_consumer_stats(g.cons, 1)->attach_failures, 1);
	r->magic = PV_RING_MAGIC;
	put(&g, 1, (struct pv_rec)RT(1, PV_EV_TASK_SWITCH, 0, 0, 0, 1));
	assert_int_equal(pv_consumer_poll(g.cons, NULL, NULL), 1);
	region_close(&g);
}

static uint64_t xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random bytes over the records, then over whole ring areas: never a crash, all counted. */
static void test_random_bytes(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	int round;

	(void)state;
	for (round = 0; round < 200; round++) {
		struct region g;
		struct pv_consume_stats tot;
		uint32_t i;
		int passes;

		region_open(&g, 2, 1, 4, 7);
		for (i = 0; i < g.p.hdr.nrings; i++) {
			uint64_t *w = pv_shm_ring(&g.p, i);
			size_t words = pv_ring_bytes(4) / 8, j, from;

			/* round < 100: keep the ring header, scramble records and head;
			 * otherwise scramble everything including magic and order */
			from = round < 100 ? offsetof(struct pv_ring_shared, head) / 8 : 0;
			for (j = from; j < words; j++)
				w[j] = xs(&seed);
			if (round % 3 == 0)	/* a plausible head so records get read */
				atomic_store(&((struct pv_ring_shared *)w)->head, xs(&seed) % 40);
			if (round % 5 == 0)	/* records that look almost valid */
				for (j = 0; j < 16; j++) {
					struct pv_rec *rr = &((struct pv_ring_shared *)w)->recs[j];

					if (round < 100)
						rr->type = (uint16_t)(1 + xs(&seed) % (PV_EV_MAX - 1));
					rr->vcpu = (uint16_t)(xs(&seed) % 3);
				}
		}
		for (passes = 0; passes < 4; passes++)
			assert_true(pv_consumer_poll(g.cons, NULL, NULL) >= 0);
		pv_consumer_total(g.cons, &tot);
		/* garbage shows up as rejects, impossible heads or unusable ring headers */
		assert_true(tot.rejected + tot.overruns + tot.attach_failures > 0);
		assert_true(tot.consumed < tot.rejected + 5 * 16);
		region_close(&g);
	}
}

/* The totals add up: every record read was either consumed or rejected (sharper check). */
static void test_random_records_accounted(void **state)
{
	uint64_t seed = 12345;
	struct region g;
	struct pv_ring_prod p;
	struct pv_consume_stats tot;
	uint64_t i, sum = 0;
	unsigned int k;

	(void)state;
	region_open(&g, 1, 0, 10, 0);
	assert_int_equal(pv_shm_producer(&g.p, 0, &p), 0);
	for (i = 0; i < 1000; i++) {
		struct pv_rec r;
		uint64_t *w = (uint64_t *)&r;

		for (k = 0; k < 4; k++)
			w[k] = xs(&seed);
		if (i % 2)
			r.type = (uint16_t)(r.type % PV_EV_MAX);
		if (i % 4 == 1)
			r.vcpu = 0;
		assert_true(pv_ring_put(&p, &r));
	}
	assert_true(pv_consumer_drain(g.cons, NULL, NULL, 0) >= 0);
	pv_consumer_total(g.cons, &tot);
	for (k = 0; k < PV_REJ_MAX; k++)
		sum += tot.rejects[k];
	assert_int_equal(tot.consumed + tot.rejected, 1000);
	assert_int_equal(sum, tot.rejected);
	assert_true(tot.rejected > 900);	/* random words are almost never plausible */
	assert_true(tot.rejects[PV_REJ_TYPE] > 0);
	region_close(&g);
}

static void test_names(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < PV_REJ_MAX; i++)
		assert_string_not_equal(pv_consume_reject_name(i), "unknown");
	assert_string_equal(pv_consume_reject_name(PV_REJ_MAX), "unknown");
	assert_string_equal(pv_consume_kind_name(PV_RING_KIND_GUEST), "guest");
	assert_string_equal(pv_consume_kind_name(99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_table),
		cmocka_unit_test(test_kind_matrix),
		cmocka_unit_test(test_filter_time),
		cmocka_unit_test(test_drain_region),
		cmocka_unit_test(test_callback_error_stops),
		cmocka_unit_test(test_buffer_mode),
		cmocka_unit_test(test_drops_and_overruns),
		cmocka_unit_test(test_broken_ring_header),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_random_records_accounted),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
