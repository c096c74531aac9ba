// SPDX-License-Identifier: GPL-2.0-only
/*
 * vCPU threads.
 *
 * Loop (one thread per vCPU): obey the requested run state, drain the paravirtual ring,
 * stamp VM_ENTRY, KVM_RUN, stamp the exit, account halted time, track the pCPU, dispatch.
 * Halted time comes from KVM's stats (halt.c); reading them costs a syscall, so it is read
 * only when the run interval was long enough to hold a halt (HALT_READ_MIN_NS) or after a
 * signal exit: short PIO round trips never pay it, and what a skipped read missed is
 * picked up (clamped to its interval) by the next read, so halt_ns stays exact overall.
 * Records per run interval: ENTRY t0, [HALT_BEGIN t1 - halted, HALT_END t1], EXIT t1.
 * Exit-rate limit: exits per 100 ms window; a window over the limit throttles the vCPU
 * (the thread sleeps out the window) and flood_ms of consecutive throttling ends the VM
 * with PV_END_EXIT_FLOOD. KVM_RUN errors: -EINTR is a signal (kick / VMM timer); -EAGAIN
 * (SCHED_DEADLINE quirk) is retried with a 1 ms sleep and becomes PV_END_KVM_ERROR after
 * EAGAIN_MAX tries in a row; any other error ends the VM at once. Never a busy loop.
 * Budgets (budget.c decides): every exit charges the interval's non-halted time and every
 * entry the VMM time before it; while a budget is armed the gate before each entry arms
 * the budget timer or, when the budget is spent, records THROTTLE and sleeps here until
 * the next period (clock_nanosleep with the kick signal unblocked, so pause, shutdown and
 * a new budget end the sleep at once). Sleeping (pause, throttle, user HLT, exit-flood
 * throttling) is not VMM time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "vmm/boot64.h"
#include "vmm/pcpu.h"
#include "vmm/vcpu.h"

#define HALT_READ_MIN_NS	20000ull
#define EAGAIN_MAX		200u
#define USER_HALT_WAIT_NS	10000000l
#define FLOOD_WINDOW_MS		100ull
#define MSR_IA32_TSC		0x10u

#define CTR_ADD(c, v) atomic_store_explicit(&(c), atomic_load_explicit(&(c), memory_order_relaxed) + (v), \
					    memory_order_relaxed)

static inline uint64_t vcpu_ns(const struct vcpu *v, uint64_t tsc)
{
	return iobus_tsc_to_ns(v->vm->ns_mult, tsc);
}

void vcpu_cpuid_filter(struct kvm_cpuid2 *cpuid, uint32_t idx, uint32_t nvcpus, bool tsc_deadline)
{
	uint32_t i;

	for (i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		switch (e->function) {
		case 1:
			e->ebx = (e->ebx & 0x0000ffffu) | (idx << 24) |
				 ((nvcpus > 255 ? 255 : nvcpus) << 16);
			e->ecx |= 1u << 31;		/* hypervisor present */
			if (tsc_deadline)
				e->ecx |= 1u << 24;
			else
				e->ecx &= ~(1u << 24);
			break;
		case 0xb:
		case 0x1f:
			e->edx = idx;			/* x2APIC id */
			break;
		case 6:
			e->eax &= ~(1u << 0);		/* no digital thermal sensor */
			break;
		default:
			break;
		}
	}
}

/* Guest TSC - host TSC, measured around one KVM_GET_MSRS. */
static int vcpu_measure_tsc_offset(struct vcpu *v)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e.index = MSR_IA32_TSC };
	uint64_t t0, t1;

	t0 = pv_rdtsc();
	if (ioctl(v->fd, KVM_GET_MSRS, &m) != 1)
		return -EIO;
	t1 = pv_rdtsc();
	v->tsc_offset = (int64_t)(m.e.data - (t0 + (t1 - t0) / 2));
	return 0;
}

int vcpu_create(struct vm *vm, struct vcpu *v, uint32_t idx)
{
	struct kvm_cpuid2 *cpuid;
	size_t csz;
	int err;

	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->idx = idx;
	v->last_cpu = -1;
	v->hs.fd = v->hs_ctl.fd = -1;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)idx);
	if (v->fd < 0)
		return -errno;
	v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		err = -errno;
		v->run = NULL;
		goto out_close_fd;
	}
	csz = sizeof(*cpuid) + vm->cpuid->nent * sizeof(cpuid->entries[0]);
	cpuid = malloc(csz);
	if (!cpuid) {
		err = -ENOMEM;
		goto out_unmap_run;
	}
	memcpy(cpuid, vm->cpuid, csz);
	vcpu_cpuid_filter(cpuid, idx, vm->nvcpus,
			  ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0);
	err = ioctl(v->fd, KVM_SET_CPUID2, cpuid) < 0 ? -errno : 0;
	free(cpuid);
	if (err)
		goto out_unmap_run;
	err = boot64_setup_vcpu(v->fd, vm->entry, vm->boot_rdi, vm->rsi_is_index ? idx : vm->boot_rdi);
	if (err)
		goto out_unmap_run;
	if (vm->irqchip) {
		struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

		if (ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0) {
			err = -errno;
			goto out_unmap_run;
		}
	}
	err = vcpu_measure_tsc_offset(v);
	if (err)
		goto out_unmap_run;
	v->vc = pv_shm_vcpu(&vm->shm, idx);
	err = pv_shm_producer(&vm->shm, pv_shm_vcpu_ring(idx), &v->ring);
	if (!err)
		err = pv_shm_producer(&vm->shm, pv_shm_guest_ring(&vm->shm, idx), &v->gring);
	if (err)
		goto out_unmap_run;
	halt_stats_open(&v->hs_ctl, v->fd);
	v->ectx = (struct exit_ctx){ .vcpu = (uint16_t)idx, .pio = &vm->pio, .mmio = &vm->mmio,
				     .ring = &v->ring, .vc = v->vc, .vm = vm->vmc, .caller = v };
	atomic_store(&v->req_state, PV_VCPU_RUNNING);
	atomic_store(&v->vc->run_state, PV_VCPU_CREATED);
	atomic_store(&v->vc->halt_mode, (uint64_t)atomic_load(&vm->halt_mode));
	return 0;

out_unmap_run:
	munmap(v->run, vm->run_size);
	v->run = NULL;
out_close_fd:
	close(v->fd);
	v->fd = -1;
	return err;
}

void vcpu_kick(struct vcpu *v)
{
	if (v->thread_started)
		pthread_kill(v->thread, KICK_SIGNO);
}

static void vcpu_set_state(struct vcpu *v, int st)
{
	atomic_store_explicit(&v->vc->run_state, (uint64_t)st, memory_order_release);
	vm_notify(v->vm);
}

static void vcpu_timer_fire(struct vcpu *v, int overrun, uint64_t tsc)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	uint64_t rip = 0, cr3 = 0;
	struct pv_rec rec;

	timer_fired(&v->timer, overrun);
	if (ioctl(v->fd, KVM_GET_REGS, &regs) == 0)
		rip = regs.rip;
	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) == 0)
		cr3 = sregs.cr3;
	rec = (struct pv_rec){ .tsc = tsc, .type = PV_EV_TIMER_FIRE, .vcpu = (uint16_t)v->idx,
			       .a = overrun > 0 ? (uint32_t)overrun : 0, .b = rip, .c = cr3 };
	pv_ring_put(&v->ring, &rec);
	CTR_ADD(v->vc->timer_fires, 1);
	CTR_ADD(v->vc->timer_overruns, overrun > 0 ? (uint64_t)overrun : 0);
}

/* Is the vCPU halted (in-kernel irqchip: waiting for an interrupt)? One ioctl. */
static bool vcpu_halted_now(struct vcpu *v)
{
	struct kvm_mp_state mp;

	return v->vm->irqchip && ioctl(v->fd, KVM_GET_MP_STATE, &mp) == 0 &&
	       mp.mp_state == KVM_MP_STATE_HALTED;
}

/*
 * The budget timer expired. Found halted after the exit: the expiry's delivery was the
 * VMM's doing, not guest work; halted at the exit before too, with no HLT executed in
 * between: the vCPU was idle throughout (it cannot halt again without HLT).
 */
static void vcpu_budget_fired(struct vcpu *v, int overrun)
{
	bool halted = vcpu_halted_now(v);

	budget_fired(&v->budget, overrun, halted,
		     halted && v->prev_halted_at_exit && !v->last_hlt, v->last_guest_ns);
	v->halted_at_exit = halted;
}

/* Collect pending kick / timer signals without blocking. */
static void vcpu_collect_signals(struct vcpu *v)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;
	siginfo_t si;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, KICK_SIGNO);
	sigaddset(&set, TIMER_SIGNO);
	sigaddset(&set, BUDGET_SIGNO);
	while ((sig = sigtimedwait(&set, &si, &zero)) > 0) {
		if (sig == TIMER_SIGNO)
			vcpu_timer_fire(v, si.si_overrun, pv_rdtsc());
		else if (sig == BUDGET_SIGNO)
			vcpu_budget_fired(v, si.si_overrun);
	}
}

/* HLT reached userspace (no in-kernel irqchip): wait for a signal, bounded. */
static void vcpu_user_halt(struct vcpu *v)
{
	struct timespec ts = { 0, USER_HALT_WAIT_NS };
	uint64_t t0 = pv_rdtsc(), t1, ns;
	struct pv_rec rec = { .tsc = t0, .type = PV_EV_HALT_BEGIN, .vcpu = (uint16_t)v->idx,
			      .a = PV_HALT_EXIT };
	sigset_t set;
	siginfo_t si;
	int sig;

	pv_ring_put(&v->ring, &rec);
	sigemptyset(&set);
	sigaddset(&set, KICK_SIGNO);
	sigaddset(&set, TIMER_SIGNO);
	sig = sigtimedwait(&set, &si, &ts);
	t1 = pv_rdtsc();
	ns = vcpu_ns(v, t1 - t0);
	rec = (struct pv_rec){ .tsc = t1, .type = PV_EV_HALT_END, .vcpu = (uint16_t)v->idx,
			       .a = PV_HALT_EXIT, .b = ns };
	pv_ring_put(&v->ring, &rec);
	CTR_ADD(v->vc->halt_ns, ns);
	if (sig == TIMER_SIGNO)
		vcpu_timer_fire(v, si.si_overrun, t1);
}

/* Guest / halted time of the run interval [t0, t1]; HALT pair when it held a halt.
 * Returns the guest (not halted) ns. */
static uint64_t vcpu_account(struct vcpu *v, uint64_t t0, uint64_t t1, bool force)
{
	uint64_t run_ns = vcpu_ns(v, t1 - t0), halted = 0;
	struct halt_sample s;

	v->last_hlt = true;	/* unknown unless read */
	if (v->hs.fd >= 0 && (force || run_ns >= HALT_READ_MIN_NS) && !halt_stats_read(&v->hs, &s)) {
		uint64_t dw = s.wait_ns - v->hlast.wait_ns, dp = s.poll_ns - v->hlast.poll_ns;

		v->last_hlt = s.exits != v->hlast.exits;
		v->hlast = s;
		atomic_store_explicit(&v->halt_exits, s.exits, memory_order_relaxed);
		CTR_ADD(v->vc->halt_ns, dw + dp);
		CTR_ADD(v->vc->halt_poll_ns, dp);
		halted = dw + dp < run_ns ? dw + dp : run_ns;
		if (halted) {
			uint64_t htsc = halted * v->vm->tsc_khz / 1000000;
			uint32_t mode = dw >= dp ? PV_HALT_EXIT : PV_HALT_POLL;
			struct pv_rec b = { .tsc = t1 - (htsc < t1 - t0 ? htsc : t1 - t0),
					    .type = PV_EV_HALT_BEGIN, .vcpu = (uint16_t)v->idx,
					    .a = mode };
			struct pv_rec e = { .tsc = t1, .type = PV_EV_HALT_END,
					    .vcpu = (uint16_t)v->idx, .a = mode, .b = halted };

			pv_ring_put(&v->ring, &b);
			pv_ring_put(&v->ring, &e);
		}
	}
	CTR_ADD(v->vc->guest_ns, run_ns - halted);
	return run_ns - halted;
}

static void vcpu_pause_wait(struct vcpu *v)
{
	struct vm *vm = v->vm;

	vcpu_set_state(v, PV_VCPU_PAUSED);
	pthread_mutex_lock(&vm->lock);
	while (atomic_load(&v->req_state) == PV_VCPU_PAUSED && !vm_ended(vm))
		pthread_cond_wait(&vm->cond, &vm->lock);
	pthread_mutex_unlock(&vm->lock);
	if (!vm_ended(vm))
		vcpu_set_state(v, PV_VCPU_RUNNING);
}

/* Exit-rate limit; returns true after throttling when the window's budget is spent. */
static bool vcpu_flood_check(struct vcpu *v, uint64_t now)
{
	const struct vmm_config *cfg = v->vm->cfg;
	uint64_t win_tsc = v->vm->tsc_khz * FLOOD_WINDOW_MS, budget;

	if (!cfg->exit_limit)
		return false;
	budget = cfg->exit_limit * FLOOD_WINDOW_MS / 1000;
	if (now - v->win_start_tsc >= win_tsc) {
		if (v->win_exits <= budget)
			v->flood_ms_run = 0;
		v->win_start_tsc = now;
		v->win_exits = 0;
	}
	if (++v->win_exits <= budget)
		return false;
	v->flood_ms_run += FLOOD_WINDOW_MS;
	if (v->flood_ms_run >= cfg->flood_ms) {
		vm_end(v->vm, PV_END_EXIT_FLOOD, cfg->exit_limit);
		return false;
	}
	{
		uint64_t left = vcpu_ns(v, v->win_start_tsc + win_tsc - now);
		struct timespec ts = { (time_t)(left / 1000000000ull), (long)(left % 1000000000ull) };

		if (left < FLOOD_WINDOW_MS * 1000000ull)
			nanosleep(&ts, NULL);
		v->flood_throttled_ns += left;
	}
	v->win_start_tsc = pv_rdtsc();
	v->win_exits = 0;
	return true;
}

/*
 * Out of budget: sleep until @wake_ns. The kick signal is unblocked only for the sleep;
 * since the control side sets what it wants (end, pause, new budget) before it kicks,
 * checking after unblocking and then sleeping interruptibly cannot miss a kick.
 */
static void vcpu_throttle_sleep(struct vcpu *v, uint64_t wake_ns)
{
	struct timespec ts = { (time_t)(wake_ns / 1000000000ull), (long)(wake_ns % 1000000000ull) };
	uint64_t t0 = timer_now_ns(), t1;
	sigset_t kick;

	sigemptyset(&kick);
	sigaddset(&kick, KICK_SIGNO);
	atomic_store_explicit(&v->vc->throttled, 1, memory_order_relaxed);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
	while (!vm_ended(v->vm) &&
	       atomic_load_explicit(&v->req_state, memory_order_acquire) != PV_VCPU_PAUSED &&
	       !budget_changed(&v->budget))
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != EINTR)
			break;
	pthread_sigmask(SIG_BLOCK, &kick, NULL);
	t1 = timer_now_ns();
	if (t1 >= wake_ns)
		budget_woke(&v->budget, wake_ns, t1);
	CTR_ADD(v->vc->throttled_ns, t1 - t0);
	atomic_store_explicit(&v->vc->throttled, 0, memory_order_relaxed);
}

/* Before an entry while a budget is active: true when the vCPU slept instead. */
static bool vcpu_budget_gate(struct vcpu *v)
{
	struct budget_throttle th;

	if (!budget_gate(&v->budget, timer_now_ns(), &th))
		return false;
	if (th.first) {
		struct pv_rec rec = { .tsc = pv_rdtsc(), .type = PV_EV_THROTTLE,
				      .vcpu = (uint16_t)v->idx, .a = 0,
				      .b = th.overrun_ns < PV_MAX_LATENCY_NS ? th.overrun_ns
									     : PV_MAX_LATENCY_NS,
				      .c = th.period_ns };

		pv_ring_put(&v->ring, &rec);
		CTR_ADD(v->vc->throttles, 1);
	}
	vcpu_throttle_sleep(v, th.wake_ns);
	return true;
}

/* KVM_RUN failed with @err: returns false when the loop must stop. */
static bool vcpu_run_error(struct vcpu *v, int err, uint64_t tsc)
{
	struct timespec ms = { 0, 1000000 };

	if (err == EINTR) {
		v->run->exit_reason = KVM_EXIT_INTR;
		exit_dispatch(&v->ectx, v->run, v->vm->run_size, tsc);
		vcpu_collect_signals(v);
		return true;
	}
	exit_record_error(&v->ectx, err, tsc);
	if (err == EAGAIN && ++v->eagain_run < EAGAIN_MAX) {
		nanosleep(&ms, NULL);
		return true;
	}
	vm_end(v->vm, PV_END_KVM_ERROR, (uint64_t)err);
	return false;
}

static void vcpu_loop(struct vcpu *v)
{
	struct vm *vm = v->vm;
	uint64_t t_back = pv_rdtsc(), t0, t1, vmm_ns;
	bool first = true, force = false;
	int ret, err;

	v->win_start_tsc = t_back;
	vcpu_set_state(v, PV_VCPU_RUNNING);
	while (!vm_ended(vm)) {
		if (atomic_load_explicit(&v->req_state, memory_order_acquire) == PV_VCPU_PAUSED) {
			vcpu_pause_wait(v);
			t_back = pv_rdtsc();
			continue;
		}
		t0 = pv_rdtsc();
		vmm_ns = vcpu_ns(v, t0 - t_back);
		CTR_ADD(v->vc->vmm_ns, vmm_ns);
		budget_charge_vmm(&v->budget, vmm_ns);
		if (__builtin_expect(budget_active(&v->budget), 0) && vcpu_budget_gate(v)) {
			t_back = pv_rdtsc();	/* slept: not VMM time */
			continue;
		}
		{
			struct pv_rec rec = { .tsc = t0, .type = PV_EV_VM_ENTRY, .vcpu = (uint16_t)v->idx };

			pv_ring_put(&v->ring, &rec);
		}
		if (__builtin_expect(first, 0)) {
			struct timespec ts;

			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
			v->first_run_cpu_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
			if (v->idx == 0)
				atomic_store(&vm->startup_cpu_ns, v->first_run_cpu_ns);
			first = false;
		}
		ret = ioctl(v->fd, KVM_RUN, 0);
		err = ret < 0 ? errno : 0;
		t1 = pv_rdtsc();
		t_back = t1;	/* VMM time runs from this exit to the next entry */
		v->prev_halted_at_exit = v->halted_at_exit;
		v->halted_at_exit = false;	/* set again if a budget probe finds it halted */
		v->last_guest_ns = vcpu_account(v, t0, t1, force || err == EINTR);
		budget_charge(&v->budget, v->last_guest_ns);
		force = false;
		pcpu_track(&v->last_cpu, &v->ring, (uint16_t)v->idx, v->vc, t1);
		if (err) {
			if (!vcpu_run_error(v, err, t1))
				break;
			force = err == EINTR;
		} else {
			v->eagain_run = 0;
			switch (exit_dispatch(&v->ectx, v->run, vm->run_size, t1)) {
			case EXIT_CONTINUE:
				break;
			case EXIT_HALT:
				vcpu_user_halt(v);
				t_back = pv_rdtsc();	/* halted: not VMM time */
				break;
			case EXIT_END:
				vm_end(vm, v->ectx.end_reason, v->ectx.end_status);
				break;
			}
			if (vcpu_flood_check(v, t1))
				t_back = pv_rdtsc();	/* slept: not VMM time */
		}
		if (pvchan_pending(&v->pv))
			pvchan_drain(&v->pv, pv_rdtsc());
		pvchan_sync_flags(&v->pv);
	}
	if (v->pv.page) {
		pvchan_drain(&v->pv, pv_rdtsc());
		pvchan_sync_tasks(&v->pv);
	}
}

static int vcpu_thread_setup(struct vcpu *v)
{
	struct {
		struct kvm_signal_mask m;
		uint8_t set[8];
	} ksm = { .m.len = 8 };
	sigset_t cur;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	int err;

	atomic_store(&v->tid, tid);
	atomic_store(&v->vc->tid, (uint64_t)tid);
	pthread_sigmask(SIG_SETMASK, NULL, &cur);
	sigdelset(&cur, KICK_SIGNO);
	sigdelset(&cur, TIMER_SIGNO);
	sigdelset(&cur, BUDGET_SIGNO);
	memcpy(ksm.set, &cur, sizeof(ksm.set));
	if (ioctl(v->fd, KVM_SET_SIGNAL_MASK, &ksm) < 0)
		return -errno;
	err = timer_init(&v->timer, tid, (int)v->idx);
	if (!err)
		err = budget_init(&v->budget, tid, (int)v->idx);
	if (err)
		return err;
	if (halt_stats_open(&v->hs, v->fd) == 0)
		halt_stats_read(&v->hs, &v->hlast);
	return 0;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->vm;
	char name[16];
	int err;

	snprintf(name, sizeof(name), "vcpu%u", v->idx);
	pthread_setname_np(pthread_self(), name);
	err = vcpu_thread_setup(v);
	pthread_mutex_lock(&vm->lock);
	v->setup_done = true;
	v->setup_err = err;
	pthread_cond_broadcast(&vm->cond);
	while (!vm->go && !vm_ended(vm))
		pthread_cond_wait(&vm->cond, &vm->lock);
	pthread_mutex_unlock(&vm->lock);
	if (err)
		vm_end(vm, PV_END_KVM_ERROR, (uint64_t)-err);
	else if (!vm_ended(vm))
		vcpu_loop(v);
	vcpu_set_state(v, PV_VCPU_STOPPED);
	return NULL;
}

int vcpu_start_thread(struct vcpu *v)
{
	int err = pthread_create(&v->thread, NULL, vcpu_thread, v);

	if (err)
		return -err;
	v->thread_started = true;
	return 0;
}

void vcpu_destroy(struct vcpu *v)
{
	timer_destroy(&v->timer);
	budget_destroy(&v->budget);
	halt_stats_close(&v->hs);
	halt_stats_close(&v->hs_ctl);
	if (v->run)
		munmap(v->run, v->vm->run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}
