// SPDX-License-Identifier: GPL-2.0-only
/* --trace-out: the VMM's own consumer of its rings, writing tracer/tracefile.h files. */
#include <errno.h>
#include <stdlib.h>

#include "tracer/tracefile.h"
#include "vmm/traceout.h"

#define TRACEOUT_BATCH	1024

struct traceout {
	struct pv_tracefile_writer *w;
	uint32_t nrings;
	int err;
	struct pv_ring_reader rd[PV_SHM_MAX_RINGS];
	struct pv_rec buf[TRACEOUT_BATCH];
};

int traceout_open(struct traceout **out, const char *path, const struct pv_shm *shm)
{
	struct pv_tracefile_info info = { .vm_name = shm->hdr.vm_name, .nvcpus = shm->hdr.nvcpus,
					  .tsc_khz = shm->hdr.tsc_khz };
	struct traceout *to = calloc(1, sizeof(*to));
	uint32_t i;
	int err;

	if (!to)
		return -ENOMEM;
	to->nrings = shm->hdr.nrings;
	for (i = 0; i < to->nrings; i++) {
		err = pv_shm_reader(shm, i, &to->rd[i]);
		if (err)
			goto out_free;
	}
	err = pv_tracefile_create(&to->w, path, &info);
	if (err)
		goto out_free;
	*out = to;
	return 0;

out_free:
	free(to);
	return err;
}

void traceout_drain(struct traceout *to)
{
	uint32_t i;
	size_t n;

	for (i = 0; i < to->nrings; i++) {
		while ((n = pv_ring_read(&to->rd[i], to->buf, TRACEOUT_BATCH)) > 0) {
			int err = pv_tracefile_append(to->w, to->buf, n);

			if (err && !to->err)
				to->err = err;
		}
	}
}

int64_t traceout_close(struct traceout *to)
{
	int64_t n;
	int err;

	if (!to)
		return 0;
	traceout_drain(to);
	n = (int64_t)pv_tracefile_count(to->w);
	err = pv_tracefile_finish(to->w);
	if (!err)
		err = to->err;
	free(to);
	return err ? err : n;
}
