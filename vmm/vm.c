// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM set-up and the control-side state machine.
 *
 * Order matters: the in-kernel irqchip and PIT must exist before vCPUs, and
 * DISABLE_EXITS(HLT) (native halt mode) must be enabled before vCPUs too. Guest memory is
 * one memfd slot at 0. Paravirtual pages sit at the top of RAM and, like the boot area
 * below 64 KiB, are reserved in the memory map the guest receives. vCPU threads are
 * started by vm_create but wait for vm_start, so that privileges can be dropped in
 * between while every thread already exists (the seccomp filter is synchronised to all).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include "tracer/tsc.h"
#include "vmm/boot64.h"
#include "vmm/devices.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define KVM_API_EXPECTED	12
#define VM_TSS_GPA		0xfffbd000ull
#define VM_IDMAP_GPA		0xfffbc000ull
#define VM_NDEVS		3
#define VM_NEXTRA_RINGS		1
#define VM_CPUID_MAX_ENT	256

static int vm_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen && !*err) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

uint64_t vm_tsc_to_ns(const struct vm *vm, uint64_t tsc)
{
	return iobus_tsc_to_ns(vm->ns_mult, tsc);
}

void vm_notify(struct vm *vm)
{
	uint64_t one = 1;

	if (vm->notify_fd >= 0 && write(vm->notify_fd, &one, sizeof(one)) < 0) {
		/* counter saturated: the event thread is already due to wake */
	}
}

int vm_add_dev(struct vm *vm, struct dev *d, uint16_t port, uint16_t nports)
{
	int err;

	if (vm->ndevs >= VM_MAX_DEVS)
		return -ENOSPC;
	d->id = vm->ndevs;
	d->ctr = pv_shm_dev(&vm->shm, d->id);
	if (d->ctr)
		strncpy(d->ctr->name, d->name, sizeof(d->ctr->name) - 1);
	err = iobus_register(&vm->pio, port, nports, d);
	if (err)
		return err;
	vm->devs[vm->ndevs++] = d;
	return 0;
}

/* Host TSC rate: KVM's (per VM on recent kernels), else calibrated against the clock. */
static uint64_t vm_tsc_khz(int vm_fd)
{
	struct timespec a, b, req = { 0, 5000000 };
	int khz = ioctl(vm_fd, KVM_GET_TSC_KHZ, 0);
	uint64_t t0, t1, ns;

	if (khz > 0)
		return (uint64_t)khz;
	clock_gettime(CLOCK_MONOTONIC, &a);
	t0 = pv_rdtsc();
	nanosleep(&req, NULL);
	t1 = pv_rdtsc();
	clock_gettime(CLOCK_MONOTONIC, &b);
	ns = (uint64_t)(b.tv_sec - a.tv_sec) * 1000000000ull + (uint64_t)b.tv_nsec - (uint64_t)a.tv_nsec;
	return ns ? (t1 - t0) * 1000000ull / ns : 1000000;
}

static int vm_setup_kvm(struct vm *vm, char *err, size_t errlen)
{
	struct kvm_userspace_memory_region region;
	int ret;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return vm_fail(err, errlen, -errno, "/dev/kvm: %s", strerror(errno));
	if (ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_EXPECTED)
		return vm_fail(err, errlen, -ENOTSUP, "KVM API version is not %d", KVM_API_EXPECTED);
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return vm_fail(err, errlen, -errno, "KVM_CREATE_VM: %s", strerror(errno));
	ret = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ret < (int)sizeof(struct kvm_run))
		return vm_fail(err, errlen, -EIO, "KVM_GET_VCPU_MMAP_SIZE failed");
	vm->run_size = (size_t)ret;
	vm->tsc_khz = vm_tsc_khz(vm->vm_fd);
	vm->ns_mult = iobus_ns_mult(vm->tsc_khz);

	ret = mem_create(&vm->mem, vm->cfg->mem_bytes);
	if (ret)
		return vm_fail(err, errlen, ret, "guest memory: %s", strerror(-ret));
	region = (struct kvm_userspace_memory_region){ .slot = 0, .guest_phys_addr = 0,
		.memory_size = vm->mem.size, .userspace_addr = (uintptr_t)vm->mem.host };
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return vm_fail(err, errlen, -errno, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
	if (vm->irqchip) {
		struct kvm_pit_config pit = { .flags = 0 };

		if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)VM_TSS_GPA) < 0 && errno != ENOTTY) {
			/* not every KVM flavour needs (or has) it */
		}
		if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
			return vm_fail(err, errlen, -errno, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
		if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
			return vm_fail(err, errlen, -errno, "KVM_CREATE_PIT2: %s", strerror(errno));
	}
	vm->cpuid = calloc(1, sizeof(*vm->cpuid) + VM_CPUID_MAX_ENT * sizeof(vm->cpuid->entries[0]));
	if (!vm->cpuid)
		return -ENOMEM;
	vm->cpuid->nent = VM_CPUID_MAX_ENT;
	if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, vm->cpuid) < 0)
		return vm_fail(err, errlen, -errno, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	return 0;
}

static int vm_setup_halt(struct vm *vm, char *err, size_t errlen)
{
	int mode = vm->cfg->halt_mode, ret;

	atomic_store(&vm->halt_mode, mode);
	atomic_store(&vm->poll_ns, vm->cfg->poll_ns);
	atomic_store(&vm->vmc->halt_mode_requested, (uint64_t)mode);
	atomic_store(&vm->vmc->halt_mode_honoured, (uint64_t)mode);
	if (!vm->irqchip)
		return 0;	/* HLT exits to us: the mode is ours to implement (exit) */
	ret = halt_mode_apply(vm->vm_fd, (unsigned int)mode, vm->cfg->poll_ns, false, true);
	if (ret && mode == PV_HALT_NATIVE) {
		/* refused outright: say so and fall back to polling */
		fprintf(stderr, "pv-vmm: native halt refused by KVM (%s), falling back to poll\n",
			strerror(-ret));
		atomic_store(&vm->vmc->halt_mode_honoured, PV_HALT_POLL);
		ret = halt_poll_set(vm->vm_fd, vm->cfg->poll_ns);
	} else if (!ret && mode == PV_HALT_NATIVE) {
		vm->native_enabled = true;
	}
	if (ret)
		return vm_fail(err, errlen, ret, "halt mode %s: %s", pv_halt_mode_name((unsigned int)mode),
			       strerror(-ret));
	return 0;
}

static int vm_setup_devices(struct vm *vm, char *err, size_t errlen)
{
	struct dev *d;
	int ret;

	iobus_init(&vm->pio, "pio", vm->tsc_khz);
	iobus_init(&vm->mmio, "mmio", vm->tsc_khz);
	ret = dev_uart_create(vm, vm->cfg->console, &vm->console, err, errlen);
	if (ret)
		return vm_fail(err, errlen, ret, "console: %s", strerror(-ret));
	ret = dev_i8042_create(vm, &d);
	if (!ret)
		ret = dev_pvchan_create(vm, &d);
	if (ret)
		return vm_fail(err, errlen, ret, "devices: %s", strerror(-ret));
	return 0;
}

static int vm_load_kernel(struct vm *vm, char *err, size_t errlen)
{
	const struct vmm_config *cfg = vm->cfg;
	void *img = NULL, *initrd = NULL;
	size_t len = 0, ilen = 0;
	int ret;

	ret = loader_read_file(cfg->kernel, &img, &len, LOADER_MAX_IMAGE);
	if (ret)
		return vm_fail(err, errlen, ret, "kernel %s: %s", cfg->kernel, strerror(-ret));
	loader_layout_init(&vm->layout, vm->mem.size);
	loader_layout_reserve(&vm->layout, 0, MEM_LOW_RESERVED_END);
	if (loader_is_elf(img, len)) {
		struct loader_elf_info info;
		struct boot64_info bi;
		uint64_t pv_bytes = (uint64_t)vm->nvcpus * PV_GPAGE_SIZE;

		vm->pv_pages_gpa = vm->mem.size - pv_bytes;
		loader_layout_reserve(&vm->layout, vm->pv_pages_gpa, pv_bytes);
		ret = loader_elf_parse(img, len, &vm->layout, &info, err, errlen);
		if (!ret)
			ret = loader_elf_load(img, len, &info, &vm->mem);
		if (ret)
			goto out_free;
		bi = (struct boot64_info){ .nvcpus = vm->nvcpus, .tsc_khz = vm->tsc_khz,
			.pv_pages_gpa = vm->pv_pages_gpa, .duration_ms = cfg->duration_ms,
			.cmdline = cfg->cmdline, .workload = cfg->workload,
			.flags = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0 ?
				 PV_BI_F_TSC_DEADLINE : 0 };
		ret = boot64_write_bootinfo(&vm->mem, &vm->layout, &bi);
		vm->entry = info.entry;
		vm->boot_rdi = MEM_BOOTINFO_GPA;
		vm->rsi_is_index = true;
	} else if (loader_is_bzimage(img, len)) {
		struct loader_bz_info info;

		if (cfg->initrd) {
			ret = loader_read_file(cfg->initrd, &initrd, &ilen, LOADER_MAX_IMAGE);
			if (ret) {
				vm_fail(err, errlen, ret, "initrd %s: %s", cfg->initrd, strerror(-ret));
				goto out_free;
			}
		}
		ret = loader_bzimage_parse(img, len, &vm->layout, &info, err, errlen);
		if (!ret)
			ret = loader_bzimage_load(img, len, &info, &vm->layout, &vm->mem,
						  cfg->cmdline ? cfg->cmdline : "console=ttyS0 earlyprintk=serial",
						  initrd, ilen, err, errlen);
		vm->entry = info.entry;
		vm->boot_rdi = MEM_BOOTINFO_GPA;
		vm->rsi_is_index = false;
		vm->is_linux = true;
	} else {
		ret = vm_fail(err, errlen, -ENOEXEC, "kernel %s: neither ELF64 nor bzImage", cfg->kernel);
	}
	if (!ret)
		ret = boot64_setup_tables(&vm->mem);
out_free:
	free(initrd);
	free(img);
	if (ret)
		return vm_fail(err, errlen, ret, "kernel %s: %s", cfg->kernel, strerror(-ret));
	return 0;
}

static int vm_setup_shm(struct vm *vm, char *err, size_t errlen)
{
	struct pv_shm_params p = { .vm_name = vm->cfg->name, .nvcpus = vm->nvcpus,
				   .ndevs = VM_NDEVS, .nextra_rings = VM_NEXTRA_RINGS,
				   .ring_order = vm->cfg->ring_order, .tsc_khz = vm->tsc_khz };
	int ret;

	/* --shm-fd: lay the region out in the memfd the daemon created and also holds */
	if (vm->cfg->shm_fd >= 0) {
		ret = pv_shm_create_fd(&vm->shm, vm->cfg->shm_fd, &p);
		if (ret)
			return vm_fail(err, errlen, ret, "--shm-fd %d: %s", vm->cfg->shm_fd,
				       ret == -EBUSY ? "not empty" :
				       ret == -EPERM ? "already sealed (needs a memfd created with "
						       "MFD_ALLOW_SEALING and no seals)" :
				       ret == -EINVAL ? "not a memfd that can be sealed" : strerror(-ret));
		fcntl(vm->shm.fd, F_SETFD, FD_CLOEXEC);
	} else {
		ret = pv_shm_create(&vm->shm, &p);
		if (ret)
			return vm_fail(err, errlen, ret, "shared memory: %s", strerror(-ret));
	}
	vm->vmc = pv_shm_vm(&vm->shm);
	atomic_store(&vm->vmc->state, PV_VM_STARTING);
	atomic_store(&vm->vmc->start_tsc, pv_rdtsc());
	return pv_shm_producer(&vm->shm, pv_shm_extra_ring(&vm->shm, 0), &vm->evring);
}

/*
 * The guest-side poll window follows the mode the host really applies: polling (asked for,
 * or the fallback of an unhonoured native) publishes poll_ns, exit and honoured native 0.
 */
static void vm_publish_idle_poll(struct vm *vm)
{
	uint64_t honoured = atomic_load(&vm->vmc->halt_mode_honoured);
	uint64_t ns = honoured == PV_HALT_POLL ? atomic_load(&vm->poll_ns) : 0;
	uint32_t i;

	if (!vm->irqchip)
		ns = 0;
	for (i = 0; i < vm->nvcpus; i++)
		pvchan_set_idle_poll(&vm->vcpus[i].pv, ns);
}

static int vm_setup_vcpus(struct vm *vm, char *err, size_t errlen)
{
	uint32_t i;
	int ret;

	vm->vcpus = calloc(vm->nvcpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return -ENOMEM;
	for (i = 0; i < vm->nvcpus; i++)
		vm->vcpus[i].fd = -1;
	for (i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		void *page = NULL;

		ret = vcpu_create(vm, v, i);
		if (ret)
			return vm_fail(err, errlen, ret, "vCPU %u: %s", i, strerror(-ret));
		if (vm->pv_pages_gpa)
			page = mem_gpa(&vm->mem, vm->pv_pages_gpa + (uint64_t)i * PV_GPAGE_SIZE,
				       PV_GPAGE_SIZE);
		pvchan_init(&v->pv, page, i, v->tsc_offset, pv_rdtsc(), vm->tsc_khz, &v->gring, v->vc);
	}
	vm_publish_idle_poll(vm);
	((struct pv_shm_hdr *)vm->shm.base)->guest_tsc_offset = vm->vcpus[0].tsc_offset;
	vm->shm.hdr.guest_tsc_offset = vm->vcpus[0].tsc_offset;
	return 0;
}

int vm_spawn(struct vm *vm)
{
	uint32_t i;
	int ret;

	for (i = 0; i < vm->nvcpus; i++) {
		ret = vcpu_start_thread(&vm->vcpus[i]);
		if (ret)
			return ret;
	}
	/* wait until every thread has prepared itself (timer_create etc.) before the sandbox */
	pthread_mutex_lock(&vm->lock);
	for (i = 0; i < vm->nvcpus; i++)
		while (!vm->vcpus[i].setup_done)
			pthread_cond_wait(&vm->cond, &vm->lock);
	pthread_mutex_unlock(&vm->lock);
	return 0;
}

int vm_create(struct vm *vm, const struct vmm_config *cfg, char *err, size_t errlen)
{
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->kvm_fd = vm->vm_fd = -1;
	vm->mem.fd = -1;
	vm->shm.fd = -1;
	vm->nvcpus = cfg->nvcpus;
	vm->irqchip = cfg->irqchip;
	pthread_mutex_init(&vm->lock, NULL);
	pthread_cond_init(&vm->cond, NULL);
	if (err && errlen)
		*err = '\0';
	vm->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->notify_fd < 0)
		return vm_fail(err, errlen, -errno, "eventfd: %s", strerror(errno));
	ret = vm_setup_kvm(vm, err, errlen);
	if (!ret)
		ret = vm_setup_shm(vm, err, errlen);
	if (!ret)
		ret = vm_setup_halt(vm, err, errlen);
	if (!ret)
		ret = vm_setup_devices(vm, err, errlen);
	if (!ret)
		ret = vm_load_kernel(vm, err, errlen);
	if (!ret)
		ret = vm_setup_vcpus(vm, err, errlen);
	return ret;
}

void vm_start(struct vm *vm)
{
	uint32_t i;

	if (vm->cfg->timer_us)
		for (i = 0; i < vm->nvcpus; i++)
			timer_arm(&vm->vcpus[i].timer, vm->cfg->timer_us, 0);
	/* picked up by each vCPU thread before its first entry: periods start there */
	if (vm->cfg->budget_runtime_us)
		for (i = 0; i < vm->nvcpus; i++)
			budget_set(&vm->vcpus[i].budget, vm->cfg->budget_runtime_us * 1000,
				   vm->cfg->budget_period_us * 1000);
	atomic_store(&vm->vmc->state, PV_VM_RUNNING);
	pthread_mutex_lock(&vm->lock);
	vm->go = true;
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
}

void vm_end(struct vm *vm, uint32_t reason, uint64_t status)
{
	int expected = 0;
	uint32_t i;

	if (!atomic_compare_exchange_strong(&vm->ending, &expected, 1))
		return;
	if (vm->vmc) {
		atomic_store(&vm->vmc->end_reason, reason);
		atomic_store(&vm->vmc->end_status, status);
		atomic_store(&vm->vmc->state, PV_VM_STOPPED);
	}
	pthread_mutex_lock(&vm->lock);
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	for (i = 0; vm->vcpus && i < vm->nvcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
	vm_notify(vm);
}

int vm_pause(struct vm *vm)
{
	uint32_t i;

	if (vm_ended(vm))
		return -ESRCH;
	for (i = 0; i < vm->nvcpus; i++) {
		atomic_store(&vm->vcpus[i].req_state, PV_VCPU_PAUSED);
		vcpu_kick(&vm->vcpus[i]);
	}
	atomic_store(&vm->vmc->state, PV_VM_PAUSED);
	return 0;
}

int vm_resume(struct vm *vm)
{
	uint32_t i;

	if (vm_ended(vm))
		return -ESRCH;
	pthread_mutex_lock(&vm->lock);
	for (i = 0; i < vm->nvcpus; i++)
		atomic_store(&vm->vcpus[i].req_state, PV_VCPU_RUNNING);
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	atomic_store(&vm->vmc->state, PV_VM_RUNNING);
	return 0;
}

int vm_set_halt_mode(struct vm *vm, int mode, uint64_t poll_ns)
{
	uint32_t i;
	int ret;

	if (mode < 0 || mode > PV_HALT_NATIVE || poll_ns > MAX_HALT_POLL_NS)
		return -EINVAL;
	if (!vm->irqchip)
		return mode == PV_HALT_EXIT ? 0 : -EOPNOTSUPP;
	ret = halt_mode_apply(vm->vm_fd, (unsigned int)mode, poll_ns, vm->native_enabled, false);
	if (ret)
		return ret;
	atomic_store(&vm->halt_mode, mode);
	atomic_store(&vm->poll_ns, poll_ns);
	atomic_store(&vm->vmc->halt_mode_requested, (uint64_t)mode);
	if (mode != PV_HALT_NATIVE)
		atomic_store(&vm->vmc->halt_mode_honoured, (uint64_t)mode);
	for (i = 0; i < vm->nvcpus; i++)
		atomic_store(&vm->vcpus[i].vc->halt_mode, (uint64_t)mode);
	vm_publish_idle_poll(vm);
	return 0;
}

int vm_set_timer(struct vm *vm, uint32_t vcpu, uint64_t period_us, uint64_t deadline_us)
{
	if (vcpu >= vm->nvcpus)
		return -ENOENT;
	return timer_arm(&vm->vcpus[vcpu].timer, period_us, deadline_us);
}

int vm_set_budget(struct vm *vm, uint32_t vcpu, uint64_t runtime_us, uint64_t period_us)
{
	int err;

	if (vcpu >= vm->nvcpus)
		return -ENOENT;
	if (!budget_valid_us(runtime_us, period_us))
		return -EINVAL;
	err = budget_set(&vm->vcpus[vcpu].budget, runtime_us * 1000, period_us * 1000);
	if (!err)
		vcpu_kick(&vm->vcpus[vcpu]);	/* seen even by a vCPU that never exits */
	return err;
}

/* DEV_IO batch per device: one record per op kind that happened since the last tick. */
static void vm_tick_devices(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->ndevs; i++) {
		struct dev *d = vm->devs[i];
		uint64_t r, w, bytes, busy, ops;

		if (d->ops->tick)
			d->ops->tick(d);
		if (!d->ctr)
			continue;
		r = atomic_load(&d->ctr->reads);
		w = atomic_load(&d->ctr->writes);
		bytes = atomic_load(&d->ctr->bytes);
		busy = atomic_load(&d->ctr->busy_ns);
		ops = (r - d->rep_reads) + (w - d->rep_writes);
		if (!ops)
			continue;
		if (w != d->rep_writes)
			pv_ring_emit(&vm->evring, PV_EV_DEV_IO, PV_VCPU_NONE,
				     PV_DEV_OP(d->id, PV_DEV_OP_WRITE), bytes - d->rep_bytes,
				     (busy - d->rep_busy_ns) / ops);
		if (r != d->rep_reads)
			pv_ring_emit(&vm->evring, PV_EV_DEV_IO, PV_VCPU_NONE,
				     PV_DEV_OP(d->id, PV_DEV_OP_READ), bytes - d->rep_bytes,
				     (busy - d->rep_busy_ns) / ops);
		d->rep_reads = r;
		d->rep_writes = w;
		d->rep_bytes = bytes;
		d->rep_busy_ns = busy;
	}
}

void vm_tick(struct vm *vm)
{
	uint32_t i;

	atomic_store(&vm->vmc->heartbeat_tsc, pv_rdtsc());
	vm_tick_devices(vm);
	/* native halt honoured? HLT intercepts still counted => no (polling fallback) */
	if (vm->native_enabled &&
	    atomic_load(&vm->vmc->halt_mode_honoured) == PV_HALT_NATIVE) {
		for (i = 0; i < vm->nvcpus; i++) {
			struct halt_sample s;

			if (halt_stats_read(&vm->vcpus[i].hs_ctl, &s) == 0 && s.exits > 0) {
				atomic_store(&vm->vmc->halt_mode_honoured, PV_HALT_POLL);
				vm_publish_idle_poll(vm);
				break;
			}
		}
	}
}

void vm_join(struct vm *vm)
{
	uint32_t i;

	for (i = 0; vm->vcpus && i < vm->nvcpus; i++) {
		if (!vm->vcpus[i].thread_started)
			continue;
		pthread_join(vm->vcpus[i].thread, NULL);
		vm->vcpus[i].thread_started = false;
	}
}

void vm_destroy(struct vm *vm)
{
	unsigned int i;

	if (vm->vcpus) {
		if (!vm_ended(vm))
			vm_end(vm, PV_END_SHUTDOWN, 0);
		pthread_mutex_lock(&vm->lock);
		vm->go = true;
		pthread_cond_broadcast(&vm->cond);
		pthread_mutex_unlock(&vm->lock);
		vm_join(vm);
		for (i = 0; i < vm->nvcpus; i++)
			if (vm->vcpus[i].vm)
				vcpu_destroy(&vm->vcpus[i]);
		free(vm->vcpus);
		vm->vcpus = NULL;
	}
	for (i = 0; i < vm->ndevs; i++)
		if (vm->devs[i]->ops->destroy)
			vm->devs[i]->ops->destroy(vm->devs[i]);
	vm->ndevs = 0;
	free(vm->cpuid);
	vm->cpuid = NULL;
	mem_destroy(&vm->mem);
	pv_shm_close(&vm->shm);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->notify_fd >= 0)
		close(vm->notify_fd);
	vm->vm_fd = vm->kvm_fd = vm->notify_fd = -1;
}
