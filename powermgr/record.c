// SPDX-License-Identifier: GPL-2.0-only
/*
 * Recorded traces -> a replay timeline.
 *
 * Design note: a trace file holds every ring of one VM (one transition ring per vCPU, one
 * guest ring per vCPU, device rings), interleaved in batches; the reader validates each
 * record (tracer/consume.c rules) and we never see the rejects. Records carry the vCPU
 * index, so a VM's file splits into one stream per vCPU (its transition and guest rings
 * together, in any order: the loader sorts). Records of no vCPU (device threads) are
 * counted and left out: their time is not a vCPU's. Every VM on one host stamps the same
 * TSC, so files of VMs that ran at the same time share one time base; the earliest record
 * of all files is time 0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "powermgr/record.h"
#include "tracer/tracefile.h"

struct rec_file {
	struct pv_rec *recs;
	size_t n;
	uint32_t nvcpus;
	uint64_t tsc_khz;
	char name[16];
	uint64_t rejected;
};

static int rec_read(const char *path, struct rec_file *f)
{
	struct pv_tracefile_reader *r;
	const struct pv_tracefile_hdr *h;
	size_t cap;
	ssize_t got;
	int err;

	memset(f, 0, sizeof(*f));
	err = pv_tracefile_open(&r, path);
	if (err)
		return err;
	h = pv_tracefile_hdr(r);
	f->nvcpus = h->nvcpus;
	f->tsc_khz = h->tsc_khz;
	memcpy(f->name, h->vm_name, sizeof(f->name) - 1);
	cap = h->nrecs ? (size_t)h->nrecs : 1;
	f->recs = malloc(cap * sizeof(*f->recs));
	if (!f->recs) {
		pv_tracefile_close(r);
		return -ENOMEM;
	}
	while ((got = pv_tracefile_read(r, f->recs + f->n, cap - f->n)) > 0)
		f->n += (size_t)got;
	f->rejected = pv_tracefile_stats(r)->rejected;
	pv_tracefile_close(r);
	if (got < 0) {
		free(f->recs);
		f->recs = NULL;
		return (int)got;
	}
	return 0;
}

static void rec_facts(const struct rec_file *f, uint64_t t0, struct pm_rec_facts *fx)
{
	uint64_t lo = UINT64_MAX, hi = 0;

	memset(fx, 0, sizeof(*fx));
	memcpy(fx->name, f->name, sizeof(fx->name));
	fx->nvcpus = f->nvcpus;
	fx->tsc_khz = f->tsc_khz;
	fx->nrecs = f->n;
	fx->rejected = f->rejected;
	for (size_t i = 0; i < f->n; i++) {
		const struct pv_rec *r = &f->recs[i];

		lo = r->tsc < lo ? r->tsc : lo;
		hi = r->tsc > hi ? r->tsc : hi;
		fx->not_vcpu += r->vcpu >= f->nvcpus;
		fx->rt_activations += r->type == PV_EV_RT_ACTIVATE;
		fx->rt_completions += r->type == PV_EV_RT_COMPLETE;
		fx->rt_misses += r->type == PV_EV_RT_MISS;
		fx->halts += r->type == PV_EV_HALT_BEGIN && r->a != PV_HALT_GUEST;
		fx->migrations += r->type == PV_EV_MIGRATE;
		fx->exits += r->type == PV_EV_VM_EXIT;
	}
	if (f->n) {
		fx->first_ns = (lo - t0) * 1000000u / f->tsc_khz;
		fx->last_ns = (hi - t0) * 1000000u / f->tsc_khz;
	}
}

int pm_record_load(struct pm_timeline *tl, unsigned int ncpus, uint32_t rec_khz,
		   const char *const *paths, const uint32_t *pcpu, unsigned int nvms,
		   struct pm_rec_facts *facts, struct pm_tl_load_stats *ls)
{
	struct rec_file *f;
	struct pm_tl_stream *st = NULL;
	struct pv_rec **split = NULL;
	unsigned int nst = 0, maxst = 0;
	uint64_t t0 = UINT64_MAX;
	int err = 0;

	memset(tl, 0, sizeof(*tl));
	if (!nvms || nvms > PM_TL_MAX_VMS || !paths)
		return -EINVAL;
	f = calloc(nvms, sizeof(*f));
	if (!f)
		return -ENOMEM;
	for (unsigned int i = 0; i < nvms && !err; i++) {
		err = rec_read(paths[i], &f[i]);
		if (!err && (f[i].tsc_khz * 1000 < f[0].tsc_khz * 999 ||
			     f[i].tsc_khz * 1000 > f[0].tsc_khz * 1001))
			err = -EINVAL;
		if (!err)
			maxst += f[i].nvcpus;
	}
	if (err)
		goto out;
	for (unsigned int i = 0; i < nvms; i++)
		for (size_t k = 0; k < f[i].n; k++)
			t0 = f[i].recs[k].tsc < t0 ? f[i].recs[k].tsc : t0;
	if (t0 == UINT64_MAX)
		t0 = 0;
	err = -ENOMEM;
	st = calloc(maxst ? maxst : 1, sizeof(*st));
	split = calloc(maxst ? maxst : 1, sizeof(*split));
	if (!st || !split)
		goto out;
	err = pm_timeline_init(tl, ncpus, nvms, rec_khz);
	if (err)
		goto out;
	for (unsigned int i = 0; i < nvms && !err; i++) {
		memcpy(tl->vm_name[i], f[i].name, sizeof(tl->vm_name[i]) - 1);
		if (facts)
			rec_facts(&f[i], t0, &facts[i]);
		for (uint32_t v = 0; v < f[i].nvcpus; v++) {
			size_t n = 0;

			for (size_t k = 0; k < f[i].n; k++)
				n += f[i].recs[k].vcpu == v;
			split[nst] = malloc((n ? n : 1) * sizeof(**split));
			if (!split[nst]) {
				err = -ENOMEM;
				break;
			}
			st[nst] = (struct pm_tl_stream){ .vm = (uint16_t)i, .vcpu = (uint16_t)v,
							 .pcpu = pcpu ? pcpu[i] : 0,
							 .recs = split[nst] };
			for (size_t k = 0; k < f[i].n; k++)
				if (f[i].recs[k].vcpu == v)
					split[nst][st[nst].n++] = f[i].recs[k];
			nst++;
		}
	}
	if (!err)
		err = pm_timeline_load(tl, st, nst, f[0].tsc_khz, ls);
	if (err)
		pm_timeline_free(tl);
out:
	for (unsigned int i = 0; split && i < nst; i++)
		free(split[i]);
	free(split);
	free(st);
	for (unsigned int i = 0; i < nvms; i++)
		free(f[i].recs);
	free(f);
	return err;
}
