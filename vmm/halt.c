// SPDX-License-Identifier: GPL-2.0-only
/*
 * Halt modes and halted time.
 *
 * Policy. With the in-kernel irqchip, HLT never reaches userspace: KVM either polls for a
 * bounded time (KVM_CAP_HALT_POLL) and then blocks the vCPU thread, or, with
 * KVM_CAP_X86_DISABLE_EXITS(HLT), lets the guest execute HLT natively. So:
 *   exit    halt polling 0: the thread blocks at once, the CPU can go deep idle;
 *   poll    halt polling poll_ns (default 200 us): latency bought with CPU time;
 *   native  DISABLE_EXITS(HLT), which must be enabled before vCPUs exist, hence not
 *           switchable at run time; halt polling is also set to poll_ns so that a host
 *           that accepts but ignores DISABLE_EXITS (as the nested hosts we test on do)
 *           falls back to polling. Whether the host honours it is decided by observation:
 *           halt_exits rising in native mode means it does not (vm.c reports it).
 * Halted time is read from the vCPU's binary stats (halt_wait_ns and the poll times): the
 * values we need are resolved once to offsets inside the data block and read with a single
 * pread covering them all. The vCPU loop calls it only when a run interval was long enough
 * to contain a halt (vcpu.c), which keeps the syscall off the fast exit path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "vmm/halt.h"

int halt_native_enable(int vm_fd)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_X86_DISABLE_EXITS,
				      .args[0] = KVM_X86_DISABLE_EXITS_HLT };

	return ioctl(vm_fd, KVM_ENABLE_CAP, &cap) < 0 ? -errno : 0;
}

int halt_poll_set(int vm_fd, uint64_t poll_ns)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_HALT_POLL, .args[0] = poll_ns };

	if (poll_ns > MAX_HALT_POLL_NS)
		return -EINVAL;
	return ioctl(vm_fd, KVM_ENABLE_CAP, &cap) < 0 ? -errno : 0;
}

int halt_mode_apply(int vm_fd, unsigned int mode, uint64_t poll_ns, bool native_enabled,
		    bool at_start)
{
	switch (mode) {
	case PV_HALT_EXIT:
		if (native_enabled)
			return -EOPNOTSUPP;
		return halt_poll_set(vm_fd, 0);
	case PV_HALT_POLL:
		if (native_enabled)
			return -EOPNOTSUPP;
		return halt_poll_set(vm_fd, poll_ns);
	case PV_HALT_NATIVE:
		if (!at_start && !native_enabled)
			return -EOPNOTSUPP;
		if (at_start && !native_enabled) {
			int err = halt_native_enable(vm_fd);

			if (err)
				return err;
		}
		return halt_poll_set(vm_fd, poll_ns);
	default:
		return -EINVAL;
	}
}

void halt_stats_close(struct halt_stats *hs)
{
	if (hs->fd >= 0)
		close(hs->fd);
	hs->fd = -1;
}

int halt_stats_open(struct halt_stats *hs, int vcpu_fd)
{
	struct kvm_stats_header h;
	struct {
		const char *name;
		int32_t *idx;
		uint64_t off;
		bool found;
	} want[4] = {
		{ "halt_wait_ns", &hs->idx_wait, 0, false },
		{ "halt_poll_success_ns", &hs->idx_poll_ok, 0, false },
		{ "halt_poll_fail_ns", &hs->idx_poll_fail, 0, false },
		{ "halt_exits", &hs->idx_exits, 0, false },
	};
	uint64_t lo = UINT64_MAX, hi = 0;
	size_t desc_sz;
	char *descs = NULL;
	unsigned int i, k;
	int err;

	memset(hs, 0, offsetof(struct halt_stats, buf));
	hs->idx_wait = hs->idx_poll_ok = hs->idx_poll_fail = hs->idx_exits = -1;
	hs->fd = ioctl(vcpu_fd, KVM_GET_STATS_FD, NULL);
	if (hs->fd < 0) {
		hs->fd = -1;
		return -ENOTSUP;
	}
	if (pread(hs->fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		goto out_close_fd;
	if (h.num_desc == 0 || h.num_desc > 4096 || h.name_size == 0 || h.name_size > 256)
		goto out_close_fd;
	desc_sz = sizeof(struct kvm_stats_desc) + h.name_size;
	descs = malloc(desc_sz * h.num_desc);
	if (!descs)
		goto out_close_fd;
	if (pread(hs->fd, descs, desc_sz * h.num_desc, h.desc_offset) != (ssize_t)(desc_sz * h.num_desc))
		goto out_free_descs;
	for (i = 0; i < h.num_desc; i++) {
		struct kvm_stats_desc *d = (struct kvm_stats_desc *)(descs + i * desc_sz);

		d->name[h.name_size - 1] = '\0';
		for (k = 0; k < 4; k++) {
			if (strcmp(d->name, want[k].name) || d->size != 1)
				continue;
			want[k].off = h.data_offset + d->offset;
			want[k].found = true;
			if (want[k].off < lo)
				lo = want[k].off;
			if (want[k].off + 8 > hi)
				hi = want[k].off + 8;
		}
	}
	free(descs);
	if (lo == UINT64_MAX || hi - lo > sizeof(hs->buf))
		goto out_close_fd;
	hs->span_off = lo;
	hs->span_len = (uint32_t)(hi - lo);
	for (k = 0; k < 4; k++)
		if (want[k].found)
			*want[k].idx = (int32_t)((want[k].off - lo) / 8);
	return 0;

out_free_descs:
	free(descs);
out_close_fd:
	err = -ENOTSUP;
	halt_stats_close(hs);
	return err;
}

static uint64_t halt_val(const struct halt_stats *hs, int32_t idx)
{
	return idx >= 0 ? hs->buf[idx] : 0;
}

int halt_stats_read(struct halt_stats *hs, struct halt_sample *out)
{
	if (hs->fd < 0)
		return -ENOTSUP;
	if (pread(hs->fd, hs->buf, hs->span_len, (off_t)hs->span_off) != (ssize_t)hs->span_len)
		return -EIO;
	out->wait_ns = halt_val(hs, hs->idx_wait);
	out->poll_ns = halt_val(hs, hs->idx_poll_ok) + halt_val(hs, hs->idx_poll_fail);
	out->exits = halt_val(hs, hs->idx_exits);
	return 0;
}
