// SPDX-License-Identifier: GPL-2.0-only
/* CPU planning by QoS class (the policy is described in qos/cpuplan.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "qos/cpuplan.h"

static bool is_exclusive(enum pv_qos_class c)
{
	return c == PV_QOS_LATENCY_SENSITIVE || c == PV_QOS_PARTITION;
}

static unsigned int count_exclusive(const struct cpuplan_vm *vms, unsigned int n)
{
	unsigned int i, total = 0;

	for (i = 0; i < n; i++)
		if (is_exclusive(vms[i].cls))
			total += vms[i].nvcpus;
	return total;
}

/* Claim the highest CPU nobody has dedicated yet. */
static int claim_dedicated(struct cpuplan *p)
{
	int c;

	for (c = (int)p->ncpus - 1; c >= 0; c--) {
		if (!CPU_ISSET(c, &p->dedicated)) {
			CPU_SET(c, &p->dedicated);
			return c;
		}
	}
	return CPUPLAN_ANY;
}

/* Worst-fit shared CPU for a realtime vCPU; the previous one wins ties. */
static int pick_shared(const struct cpuplan *p, int prev)
{
	int c, best = CPUPLAN_ANY;

	for (c = (int)p->ncpus - 1; c >= 0; c--) {
		if (!CPU_ISSET(c, &p->shared))
			continue;
		if (best == CPUPLAN_ANY || p->resv_ppm[c] < p->resv_ppm[best] ||
		    (p->resv_ppm[c] == p->resv_ppm[best] && c == prev))
			best = c;
	}
	return best;
}

int cpuplan_compute(struct cpuplan *p, unsigned int ncpus, unsigned int min_shared,
		    struct cpuplan_vm *vms, unsigned int n, char *reason)
{
	unsigned int i, v, need;
	int c;

	if (!ncpus || ncpus > CPUPLAN_MAX_CPUS || min_shared > ncpus || (n && !vms))
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->ncpus = ncpus;
	for (i = 0; i < n; i++)
		if (!vms[i].nvcpus || vms[i].nvcpus > CPUPLAN_MAX_VCPUS)
			return -EINVAL;
	need = count_exclusive(vms, n);
	if (need + min_shared > ncpus) {
		snprintf(reason, CPUPLAN_REASON_MAX, "%u dedicated CPUs needed but only %u of %u "
			 "can be dedicated (%u must stay shared)", need, ncpus - min_shared, ncpus,
			 min_shared);
		return -ENOSPC;
	}
	/* previous dedicated CPUs are kept first, so new claims cannot steal them */
	for (i = 0; i < n; i++)
		for (v = 0; v < vms[i].nvcpus; v++) {
			vms[i].cpu[v] = CPUPLAN_ANY;
			c = vms[i].prev_cpu[v];
			if (is_exclusive(vms[i].cls) && c >= 0 && c < (int)ncpus &&
			    !CPU_ISSET(c, &p->dedicated)) {
				CPU_SET(c, &p->dedicated);
				vms[i].cpu[v] = c;
			}
		}
	for (i = 0; i < n; i++)
		for (v = 0; v < vms[i].nvcpus; v++)
			if (is_exclusive(vms[i].cls) && vms[i].cpu[v] == CPUPLAN_ANY)
				vms[i].cpu[v] = claim_dedicated(p);
	for (c = 0; c < (int)ncpus; c++)
		if (!CPU_ISSET(c, &p->dedicated))
			CPU_SET(c, &p->shared);
	/* realtime vCPUs, in order (stability); admission control rejects what does not fit */
	for (i = 0; i < n; i++) {
		if (vms[i].cls != PV_QOS_REALTIME)
			continue;
		for (v = 0; v < vms[i].nvcpus; v++) {
			c = vms[i].prev_cpu[v];
			if (!(c >= 0 && c < (int)ncpus && CPU_ISSET(c, &p->shared) &&
			      p->resv_ppm[c] + vms[i].resv_ppm <= 1000000))
				c = pick_shared(p, vms[i].prev_cpu[v]);
			vms[i].cpu[v] = c;
			p->resv_ppm[c] += vms[i].resv_ppm;
		}
	}
	return 0;
}

void cpuplan_vcpu_mask(const struct cpuplan *p, const struct cpuplan_vm *vm, uint32_t vcpu,
		       cpu_set_t *mask)
{
	CPU_ZERO(mask);
	if (vcpu < vm->nvcpus && vm->cpu[vcpu] != CPUPLAN_ANY)
		CPU_SET(vm->cpu[vcpu], mask);
	else
		*mask = p->shared;
}
