// SPDX-License-Identifier: GPL-2.0-only
/*
 * Synthetic vCPU workload generator.
 *
 * Design note: the guest model is advanced only while the vCPU is in the guest, as a real
 * guest would be: an RT release that falls in VMM or halted time is noticed at the next
 * VM entry, so release lateness grows with exit handling and wake-up delays exactly as the
 * accounting and QoS code expect to see it. A real-time job preempts best-effort work and
 * runs until its work is done (a few jobs are made to overrun and miss their deadline);
 * when no job is pending the guest sometimes idles with HLT until the next release, which
 * wakes it with a plausible delay. All times are on a simulated TSC timeline so output is
 * deterministic for a seed; the caller paces it against the real TSC if it wants to.
 * Records of each ring are emitted in non-decreasing TSC order.
 */
#include <string.h>

#include "tracer/synth.h"

#define BE_SLICE_US	4000u
#define TIMER_US	1000u
#define MISS_PER_MILLE	10u

static uint64_t rnd(struct pv_synth *s)
{
	uint64_t x = s->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	s->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* Uniform in [lo, hi] µs, as ticks. */
static uint64_t rnd_us(struct pv_synth *s, uint64_t lo, uint64_t hi)
{
	return (lo + rnd(s) % (hi - lo + 1)) * s->tsc_per_us;
}

static void put(struct pv_synth *s, struct pv_ring_prod *p, uint64_t tsc, uint16_t type,
		uint32_t a, uint64_t b, uint64_t c)
{
	struct pv_rec r = { .tsc = tsc, .type = type, .vcpu = (uint16_t)s->vcpu,
			    .a = a, .b = b, .c = c };

	if (pv_ring_put(p, &r))
		s->produced++;
	else
		s->dropped++;
}

static uint32_t task_class(uint32_t id)
{
	return id == 0 ? PV_TASK_IDLE : id == PV_SYNTH_RT_TASK ? PV_TASK_RT : PV_TASK_BE;
}

static void task_switch(struct pv_synth *s, uint64_t t, uint32_t next)
{
	if (next == s->cur_task)
		return;
	put(s, s->gr, t, PV_EV_TASK_SWITCH, PV_TASK_CLASSES(task_class(s->cur_task),
							    task_class(next)),
	    s->cur_task, next);
	s->cur_task = next;
}

void pv_synth_init(struct pv_synth *s, uint32_t vcpu, uint64_t tsc_khz, uint64_t start_tsc,
		   uint64_t seed, struct pv_ring_prod *tr, struct pv_ring_prod *gr)
{
	memset(s, 0, sizeof(*s));
	s->vcpu = vcpu;
	s->tsc_per_us = tsc_khz / 1000 ? tsc_khz / 1000 : 1;
	s->rng = seed * 0x9e3779b97f4a7c15ull + vcpu + 1;
	s->now = start_tsc;
	s->tr = tr;
	s->gr = gr;
	s->cur_task = 0;
	s->be_task = 2;
	s->be_slice_end = start_tsc + BE_SLICE_US * s->tsc_per_us;
	s->release = start_tsc + rnd_us(s, 10, PV_SYNTH_DEF_PERIOD_US);
	s->next_timer = start_tsc + TIMER_US * s->tsc_per_us;
	s->pcpu = vcpu;
}

/* Guest activity over the run [from, to): RT releases, job progress, BE slicing. */
static void guest_run(struct pv_synth *s, uint64_t from, uint64_t to)
{
	uint64_t t = from;
	uint64_t period = PV_SYNTH_DEF_PERIOD_US * s->tsc_per_us;

	while (t < to) {
		if (!s->job && s->release < to) {
			uint64_t act = s->release > t ? s->release : t;

			act += rnd_us(s, 0, 3);	/* guest scheduler latency */
			if (act >= to)
				break;
			s->job = true;
			s->job_release = s->release;
			s->job_left = PV_SYNTH_DEF_WCET_US * s->tsc_per_us;
			if (rnd(s) % 1000 < MISS_PER_MILLE)
				s->job_left = (PV_SYNTH_DEF_PERIOD_US + 150) * s->tsc_per_us;
			put(s, s->gr, act, PV_EV_RT_ACTIVATE, PV_SYNTH_RT_TASK,
			    (act - s->release) * 1000 / s->tsc_per_us, period * 1000 / s->tsc_per_us);
			task_switch(s, act, PV_SYNTH_RT_TASK);
			t = act;
			continue;
		}
		if (s->job) {
			uint64_t done = t + s->job_left;

			if (done > to) {
				s->job_left -= to - t;
				return;
			}
			{
				uint64_t resp_ns = (done - s->job_release) * 1000 / s->tsc_per_us;
				uint64_t dl_ns = period * 1000 / s->tsc_per_us;

				if (resp_ns > dl_ns)
					put(s, s->gr, done, PV_EV_RT_MISS, PV_SYNTH_RT_TASK,
					    resp_ns - dl_ns, 0);
				put(s, s->gr, done, PV_EV_RT_COMPLETE, PV_SYNTH_RT_TASK, resp_ns, dl_ns);
			}
			s->job = false;
			while (s->release <= done)
				s->release += period;
			task_switch(s, done, s->be_task);
			t = done;
			continue;
		}
		/* best-effort work until the end of the run or of the slice */
		if (s->be_slice_end <= t) {
			s->be_task = s->be_task == 2 ? 3 : 2;
			s->be_slice_end = t + BE_SLICE_US * s->tsc_per_us;
		}
		task_switch(s, t, s->be_task);
		t = s->be_slice_end < to && s->be_slice_end < s->release ? s->be_slice_end
			: s->release < to ? s->release : to;
	}
}

/* HLT: the guest idles until the next release (or a while), the VMM blocks, an IRQ wakes. */
static uint64_t step_hlt(struct pv_synth *s, uint64_t t_exit)
{
	uint64_t wake, t;

	wake = s->release > t_exit + rnd_us(s, 20, 60) ? s->release : t_exit + rnd_us(s, 20, 60);
	wake += rnd_us(s, 5, 60);			/* host wake-up latency */
	put(s, s->tr, t_exit, PV_EV_VM_EXIT, PV_EXIT_HLT, 0, 0);
	t = t_exit + rnd_us(s, 1, 3);
	put(s, s->tr, t, PV_EV_HALT_BEGIN, PV_HALT_EXIT, 0, 0);
	if (wake <= t)
		wake = t + s->tsc_per_us;
	put(s, s->tr, wake, PV_EV_HALT_END, PV_HALT_EXIT, (wake - t) * 1000 / s->tsc_per_us, 0);
	put(s, s->tr, wake + s->tsc_per_us, PV_EV_IRQ_INJECT, 236, PV_IRQ_DIRECT, 0);
	return wake + rnd_us(s, 2, 6);
}

uint64_t pv_synth_step(struct pv_synth *s)
{
	uint64_t t_entry = s->now, t_exit, t_end, run;
	uint64_t roll = rnd(s) % 100;
	bool idle;

	put(s, s->tr, t_entry, PV_EV_VM_ENTRY, 0, 0, 0);
	/* a guest that had halted reports the end of its idle period first */
	if (s->gidle) {
		put(s, s->gr, t_entry, PV_EV_HALT_END, PV_HALT_GUEST,
		    (t_entry - s->gidle_since) * 1000 / s->tsc_per_us, 0);
		s->gidle = false;
	}
	run = rnd_us(s, 5, 120);
	if (s->next_timer > t_entry && s->next_timer < t_entry + run)
		run = s->next_timer - t_entry;
	t_exit = t_entry + run;
	guest_run(s, t_entry, t_exit);
	s->steps++;

	idle = !s->job && roll < 20 && s->release > t_exit + 40 * s->tsc_per_us;
	if (idle) {
		task_switch(s, t_exit, 0);
		put(s, s->gr, t_exit, PV_EV_HALT_BEGIN, PV_HALT_GUEST, 0, 0);
		s->gidle = true;
		s->gidle_since = t_exit;
		t_end = step_hlt(s, t_exit);
		s->now = t_end;
		if (s->next_timer < t_end)
			s->next_timer = t_end + TIMER_US * s->tsc_per_us;
		return s->now;
	}
	if (t_exit >= s->next_timer) {
		put(s, s->tr, t_exit, PV_EV_TIMER_FIRE, 0, 0xffffffff81000000ull + roll, 0x1000);
		put(s, s->tr, t_exit, PV_EV_VM_EXIT, PV_EXIT_INTR, 0, 4);
		s->next_timer += TIMER_US * s->tsc_per_us;
		if (s->next_timer <= t_exit)
			s->next_timer = t_exit + TIMER_US * s->tsc_per_us;
		t_end = t_exit + rnd_us(s, 3, 12);
	} else if (roll < 55) {
		uint64_t lat = rnd_us(s, 2, 10);

		if (roll < 8 && run > 10 * s->tsc_per_us) {
			/* a halt KVM handled in the kernel, reported from its statistics */
			uint64_t h = run / 3;

			put(s, s->tr, t_exit - h, PV_EV_HALT_BEGIN, PV_HALT_POLL, 0, 0);
			put(s, s->tr, t_exit, PV_EV_HALT_END, PV_HALT_POLL,
			    h * 1000 / s->tsc_per_us, 0);
		}
		put(s, s->tr, t_exit, PV_EV_VM_EXIT, PV_EXIT_PIO,
		    0x3f8 | 1u << 16 | 1u << 24, roll);
		put(s, s->tr, t_exit + lat, PV_EV_DEV_IO, PV_DEV_OP(0, PV_DEV_OP_WRITE), 1,
		    lat * 1000 / s->tsc_per_us);
		t_end = t_exit + lat + s->tsc_per_us;
	} else if (roll < 75) {
		put(s, s->tr, t_exit, PV_EV_VM_EXIT, PV_EXIT_MMIO, 0xfee00000ull + 0x80, 4 | 1u << 8);
		t_end = t_exit + rnd_us(s, 3, 15);
	} else if (roll < 92) {
		put(s, s->tr, t_exit, PV_EV_VM_EXIT, PV_EXIT_PV_CALL, 0x5000, 0);
		t_end = t_exit + rnd_us(s, 2, 8);
	} else {
		put(s, s->tr, t_exit, PV_EV_VM_EXIT, PV_EXIT_IRQ_WINDOW, 0, 0);
		t_end = t_exit + rnd_us(s, 1, 4);
	}
	if (rnd(s) % 1000 < 5) {
		uint32_t old = s->pcpu;

		s->pcpu = (s->pcpu + 1) % 2;
		put(s, s->tr, t_end, PV_EV_MIGRATE, s->pcpu, old, 0);
	}
	s->now = t_end;
	return s->now;
}
