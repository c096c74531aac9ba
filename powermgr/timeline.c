// SPDX-License-Identifier: GPL-2.0-only
/*
 * Transition timelines for replay: per-CPU item lists, built by a generator (workload.c) or
 * the loader (timeline_load.c), sorted by release time, and the host-share correction.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "powermgr/timeline.h"
#include "tracer/grow.h"

int pm_timeline_init(struct pm_timeline *tl, unsigned int ncpus, unsigned int nvms,
		     uint32_t rec_khz)
{
	memset(tl, 0, sizeof(*tl));
	if (!ncpus || ncpus > PV_MAX_CPUS || !nvms || nvms > PM_TL_MAX_VMS || !rec_khz)
		return -EINVAL;
	tl->cpu = calloc(ncpus, sizeof(*tl->cpu));
	if (!tl->cpu)
		return -ENOMEM;
	tl->ncpus = ncpus;
	tl->nvms = nvms;
	tl->rec_khz = rec_khz;
	return 0;
}

void pm_timeline_free(struct pm_timeline *tl)
{
	for (unsigned int i = 0; tl->cpu && i < tl->ncpus; i++)
		free(tl->cpu[i].items);
	free(tl->cpu);
	memset(tl, 0, sizeof(*tl));
}

int pm_timeline_add(struct pm_timeline *tl, unsigned int cpu, const struct pm_tl_item *it)
{
	struct pm_tl_cpu *c;

	if (cpu >= tl->ncpus || it->vm >= tl->nvms || it->kind > PM_TL_POLL)
		return -EINVAL;
	c = &tl->cpu[cpu];
	if (PV_GROW(c->items, c->cap, c->n, 256))
		return -ENOMEM;
	c->items[c->n++] = *it;
	return 0;
}

static int tl_cmp_release(const void *a, const void *b)
{
	const struct pm_tl_item *x = a, *y = b;

	if (x->release_ns != y->release_ns)
		return x->release_ns < y->release_ns ? -1 : 1;
	/* equal release: keep generator order stable enough — VMM before guest */
	return (int)y->kind - (int)x->kind;
}

static bool tl_sorted(const struct pm_tl_cpu *c)
{
	for (size_t i = 1; i < c->n; i++)
		if (c->items[i].release_ns < c->items[i - 1].release_ns)
			return false;
	return true;
}

void pm_timeline_finish(struct pm_timeline *tl)
{
	for (unsigned int i = 0; i < tl->ncpus; i++) {
		struct pm_tl_cpu *c = &tl->cpu[i];

		if (!tl_sorted(c))
			qsort(c->items, c->n, sizeof(*c->items), tl_cmp_release);
		if (c->n && c->items[c->n - 1].release_ns > tl->end_ns)
			tl->end_ns = c->items[c->n - 1].release_ns;
	}
}

uint64_t pm_timeline_scale_vm(struct pm_timeline *tl, unsigned int vm, double factor)
{
	uint64_t removed = 0;

	if (vm >= tl->nvms || !(factor > 0) || factor >= 1)
		return 0;
	for (unsigned int c = 0; c < tl->ncpus; c++) {
		double debt = 0;

		/* whole items go, spread evenly (error diffusion): another process takes a
		 * time-shared CPU in scheduler slices, not a little of every slice */
		for (size_t i = 0; i < tl->cpu[c].n; i++) {
			struct pm_tl_item *it = &tl->cpu[c].items[i];

			if (it->vm != vm || it->kind == PM_TL_POLL || it->flags & PM_TL_JOB_END)
				continue;
			debt += (double)it->work_cycles * (1.0 - factor);
			if (debt >= (double)it->work_cycles / 2) {
				debt -= (double)it->work_cycles;
				removed += it->work_cycles;
				it->work_cycles = 0;
			}
		}
	}
	return removed * 1000000u / tl->rec_khz;
}
