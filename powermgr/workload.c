// SPDX-License-Identifier: GPL-2.0-only
/*
 * The default mixed workload for bench_power, generated.
 *
 * Design note: this stands in for a trace recorded by pv-vmm running the embedded default
 * configuration (an RT VM, a batch VM and a bursty VM of pvguest) where no recording can
 * be made (bench_power's fallback, labelled source=generated); it produces the same
 * structure pm_timeline_load produces from a real trace. What it
 * generates, at the recorded frequency rec_khz (2.0 GHz, the model's base):
 *   RT VM (vCPU0 on pCPU0): a periodic task, period 1 ms, 200 µs of work at 2 GHz,
 *     deadline = period; each activation is a timer exit (VMM time) then the job, both
 *     RT (the vCPU runs at an RT priority); releases jitter by up to 20 µs.
 *   batch VM (vCPU0 on pCPU1): a `cpu` hog: guest slices of 4 ms separated by timer exits.
 *   bursty VM (vCPU0 on pCPU2, vCPU1 on pCPU0): 20 ms on / 30 ms off, 1 ms guest chunks
 *     separated by exits while on; vCPU1 is phase-shifted by 25 ms and shares pCPU0 with
 *     the RT VM, so one core carries two VMs that want different frequencies.
 * Exits cost exit_ns of VMM time (overhead). A small LCG jitters the bursts (on-phase
 * length ±20 %) so that ticks and bursts do not stay aligned.
 */
#include <errno.h>
#include <string.h>

#include "powermgr/workload.h"

void pm_workload_defaults(struct pm_workload_params *p)
{
	memset(p, 0, sizeof(*p));
	p->duration_ns = 2000000000ull;
	p->rec_khz = 2000000;
	p->rt_period_ns = 1000000;
	p->rt_wcet_ns = 200000;
	p->batch_slice_ns = 4000000;
	p->burst_on_ns = 20000000;
	p->burst_off_ns = 30000000;
	p->burst_chunk_ns = 1000000;
	p->exit_ns = 8000;
	p->seed = 12345;
}

static uint32_t wl_rand(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static int wl_busy(struct pm_timeline *tl, unsigned int cpu, uint16_t vm, uint16_t vcpu,
		   uint8_t kind, uint8_t flags, uint64_t t, uint64_t ns, uint64_t deadline)
{
	struct pm_tl_item it = {
		.release_ns = t, .work_cycles = pm_timeline_cycles(tl, ns), .deadline_ns = deadline,
		.vm = vm, .vcpu = vcpu, .kind = kind, .flags = flags,
	};

	return pm_timeline_add(tl, cpu, &it);
}

static int wl_rt(struct pm_timeline *tl, const struct pm_workload_params *p, uint32_t *rng)
{
	int err = 0;

	for (uint64_t t = 0; t + p->rt_period_ns <= p->duration_ns && !err; t += p->rt_period_ns) {
		uint64_t rel = t + wl_rand(rng) % 20000;

		err = wl_busy(tl, 0, PM_WL_VM_RT, 0, PM_TL_VMM, PM_TL_RT, rel, p->exit_ns, 0);
		if (!err)
			err = wl_busy(tl, 0, PM_WL_VM_RT, 0, PM_TL_GUEST, PM_TL_RT | PM_TL_JOB_END,
				      rel + p->exit_ns, p->rt_wcet_ns, t + p->rt_period_ns);
	}
	return err;
}

static int wl_batch(struct pm_timeline *tl, const struct pm_workload_params *p)
{
	uint64_t step = p->batch_slice_ns + p->exit_ns;
	int err = 0;

	for (uint64_t t = 0; t + step <= p->duration_ns && !err; t += step) {
		err = wl_busy(tl, 1, PM_WL_VM_BATCH, 0, PM_TL_GUEST, 0, t, p->batch_slice_ns, 0);
		if (!err)
			err = wl_busy(tl, 1, PM_WL_VM_BATCH, 0, PM_TL_VMM, 0,
				      t + p->batch_slice_ns, p->exit_ns, 0);
	}
	return err;
}

static int wl_bursty(struct pm_timeline *tl, const struct pm_workload_params *p,
		     unsigned int cpu, uint16_t vcpu, uint64_t shift, uint32_t *rng)
{
	uint64_t period = p->burst_on_ns + p->burst_off_ns;
	int err = 0;

	for (uint64_t start = shift; start + period <= p->duration_ns && !err; start += period) {
		uint64_t on = p->burst_on_ns * (80 + wl_rand(rng) % 41) / 100;
		uint64_t step = p->burst_chunk_ns + p->exit_ns;

		for (uint64_t t = start; t + step <= start + on && !err; t += step) {
			err = wl_busy(tl, cpu, PM_WL_VM_BURSTY, vcpu, PM_TL_VMM, 0, t, p->exit_ns, 0);
			if (!err)
				err = wl_busy(tl, cpu, PM_WL_VM_BURSTY, vcpu, PM_TL_GUEST, 0,
					      t + p->exit_ns, p->burst_chunk_ns, 0);
		}
	}
	return err;
}

int pm_workload_mixed(struct pm_timeline *tl, const struct pm_workload_params *p)
{
	uint32_t rng = p->seed;
	int err;

	if (!p->duration_ns || !p->rec_khz || !p->rt_period_ns || p->rt_wcet_ns >= p->rt_period_ns ||
	    !p->batch_slice_ns || !p->burst_on_ns || !p->burst_chunk_ns ||
	    p->burst_chunk_ns + p->exit_ns > p->burst_on_ns)
		return -EINVAL;
	err = pm_timeline_init(tl, 3, PM_WL_NR_VMS, p->rec_khz);
	if (err)
		return err;
	strcpy(tl->vm_name[PM_WL_VM_RT], "rt");
	strcpy(tl->vm_name[PM_WL_VM_BATCH], "batch");
	strcpy(tl->vm_name[PM_WL_VM_BURSTY], "bursty");
	err = wl_rt(tl, p, &rng);
	if (!err)
		err = wl_batch(tl, p);
	if (!err)
		err = wl_bursty(tl, p, 2, 0, 0, &rng);
	if (!err)
		err = wl_bursty(tl, p, 0, 1, (p->burst_on_ns + p->burst_off_ns) / 2, &rng);
	if (err) {
		pm_timeline_free(tl);
		return err;
	}
	tl->end_ns = p->duration_ns;
	pm_timeline_finish(tl);
	return 0;
}
