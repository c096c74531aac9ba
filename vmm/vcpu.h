/* SPDX-License-Identifier: GPL-2.0-only */
/* vCPU: creation, CPUID, boot registers and the KVM_RUN loop thread (struct vcpu in vm.h). */
#ifndef PV_VMM_VCPU_H
#define PV_VMM_VCPU_H

#include "vmm/vm.h"

/* Create vCPU @idx: fd, kvm_run mapping, CPUID, boot registers, TSC offset, rings. */
int vcpu_create(struct vm *vm, struct vcpu *v, uint32_t idx);
/* Start the thread (it prepares itself, then waits for vm_start). */
int vcpu_start_thread(struct vcpu *v);
/* Make the vCPU thread leave KVM_RUN soon (signal; pending until it next enters). */
void vcpu_kick(struct vcpu *v);
void vcpu_destroy(struct vcpu *v);
/* Filter KVM_GET_SUPPORTED_CPUID for vCPU @idx in place (APIC id, hypervisor bit...). */
void vcpu_cpuid_filter(struct kvm_cpuid2 *cpuid, uint32_t idx, uint32_t nvcpus, bool tsc_deadline);

#endif /* PV_VMM_VCPU_H */
