/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Recorded traces -> a replay timeline: loads the trace files pv-vmm writes with
 * --trace-out (tracer/tracefile.h), one file per VM, splits each into its vCPUs' streams
 * and builds one timeline over the host's physical CPUs with pm_timeline_load(). See
 * record.c for what is checked.
 */
#ifndef PV_POWERMGR_RECORD_H
#define PV_POWERMGR_RECORD_H

#include <stdint.h>

#include "powermgr/timeline.h"

/* What one VM's trace file holds (for reports; counts are of validated records). */
struct pm_rec_facts {
	char name[16];			/* the VM's name in the trace header */
	uint32_t nvcpus;
	uint64_t tsc_khz;
	uint64_t nrecs;			/* validated records read */
	uint64_t rejected;		/* rejected by the reader's validation */
	uint64_t first_ns, last_ns;	/* span, ns since the earliest record of all files */
	uint64_t rt_activations, rt_completions, rt_misses;	/* guest-reported */
	uint64_t halts, migrations, exits;
	uint64_t not_vcpu;		/* records of no vCPU (device threads): not replayed */
};

/*
 * Load @nvms trace files (@paths[i] becomes VM index i) into @tl over @ncpus physical CPUs,
 * busy work in cycles at @rec_khz. @pcpu[i] (may be NULL) is where VM i's vCPUs ran before
 * their first MIGRATE record, when they have none (e.g. pinned). All files must share one
 * TSC frequency (within 0.1 %). @facts[nvms] and @ls may be NULL. 0 or -errno (the
 * tracefile reader's codes for a bad file; -EINVAL for mismatched files).
 */
int pm_record_load(struct pm_timeline *tl, unsigned int ncpus, uint32_t rec_khz,
		   const char *const *paths, const uint32_t *pcpu, unsigned int nvms,
		   struct pm_rec_facts *facts, struct pm_tl_load_stats *ls);

#endif /* PV_POWERMGR_RECORD_H */
