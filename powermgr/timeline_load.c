// SPDX-License-Identifier: GPL-2.0-only
/*
 * The timeline loader: tracer records of every vCPU in, a timeline out, in three stages —
 * records to per-vCPU interval lists (timeline_records.c), interval lists to busy and
 * polling pieces on pCPUs (timeline_pieces.c), pieces to items, sharing each pCPU's time
 * among the vCPUs that were runnable on it at once (timeline_share.c).
 *
 * Design note — the loader, written against what pv-vmm really records:
 *  - Per vCPU, records come from two rings (the VMM's transition ring and the guest's
 *    paravirtual ring, converted to host TSC when drained) interleaved in batches: they
 *    are sorted by stamp; at equal stamps RT_COMPLETE, then RT_ACTIVATE, then TASK_SWITCH,
 *    then ring order, so "complete + switch away" and "switch in + activate" pair up
 *    whichever ring was drained first.
 *  - VM_ENTRY..VM_EXIT is a run interval; EXIT..next ENTRY is VMM work (overhead), except
 *    halts recorded outside KVM_RUN (user-space HLT waits), which are idle. Inside a run
 *    interval the VMM records KVM's halted time as HALT_BEGIN/END at the *end* of the
 *    interval (ENTRY t0, HALT_BEGIN t1, HALT_END t2, EXIT t2): it knows how long, not
 *    when. When the guest reports its idle periods (HALT_* with PV_HALT_GUEST), the halt
 *    is placed inside them, centred and scaled to KVM's amount (the guest's idle period
 *    also holds its idle entry / wake-up code, which runs emulated on nested hosts); see
 *    ld_halted() in timeline_pieces.c. Halts are idle, or C0 polling when KVM mostly
 *    polled (PV_HALT_POLL).
 *  - RT jobs: RT_ACTIVATE..RT_COMPLETE (or a TASK_SWITCH to an RT task and away). Busy
 *    work inside is RT (it preempts best-effort work in the replay); the job's last piece
 *    carries the absolute deadline = release + relative deadline, release = activation -
 *    the lateness the guest reported, relative deadline = RT_COMPLETE's c or else the
 *    period (RT_ACTIVATE c). A job that completed after it when recorded is marked
 *    PM_TL_REC_MISS. A job never completed (trace ended) is replayed as best effort.
 *  - MIGRATE moves the vCPU's following work to the new pCPU; work before the first
 *    MIGRATE ran on its old pCPU (b), else on the stream's pcpu.
 *  - Sharing: run intervals are wall-clock; two vCPUs "running" on one pCPU at the same
 *    time were time-shared by the host scheduler. Each busy interval gets, as work, an
 *    equal share of every stretch of time it overlapped others on its pCPU (what CFS gives
 *    threads of equal weight), so a pCPU never carries more work than wall time.
 *  - Busy work becomes cycles at the recorded frequency, in items of at most
 *    PM_TL_SLICE_NS released at their recorded time, so work of vCPUs that shared a pCPU
 *    interleaves in the replay as it did in the recording.
 * Records are untrusted: malformed or unmatched ones are skipped and counted, never fatal.
 * Valid records of other types (device I/O, timers, IRQs, decisions) are ignored.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "powermgr/timeline_load.h"

int pm_timeline_load(struct pm_timeline *tl, const struct pm_tl_stream *streams,
		     unsigned int nstreams, uint64_t tsc_khz, struct pm_tl_load_stats *stats)
{
	struct pm_tl_load_stats ls_local, *ls = stats ? stats : &ls_local;
	struct ld_pieces pc = { 0 };
	uint64_t t0 = UINT64_MAX;
	int err = 0;

	memset(ls, 0, sizeof(*ls));
	if (!tl->cpu || !tsc_khz || (nstreams && !streams))
		return -EINVAL;
	for (unsigned int s = 0; s < nstreams; s++)
		for (size_t i = 0; i < streams[s].n; i++)
			if (streams[s].recs[i].tsc < t0)
				t0 = streams[s].recs[i].tsc;

	for (unsigned int s = 0; s < nstreams && !err; s++) {
		const struct pm_tl_stream *st = &streams[s];
		struct ld_vcpu v = { 0 };

		if (st->vm >= tl->nvms || (!st->recs && st->n)) {
			ls->skipped += st->n;
			continue;
		}
		err = pm_ld_parse_stream(tl, st, t0, tsc_khz, &v, ls);
		if (!err)
			err = pm_ld_pieces_of(&v, st, &pc, ls);
		if (v.last_t > tl->end_ns)
			tl->end_ns = v.last_t;
		pm_ld_vcpu_free(&v);
	}
	for (unsigned int c = 0; c < tl->ncpus && !err; c++)
		err = pm_ld_share_cpu(tl, &pc, c, ls);
	free(pc.v);
	pm_timeline_finish(tl);
	return err;
}

int pm_timeline_from_records(struct pm_timeline *tl, const struct pm_tl_stream *streams,
			     unsigned int nstreams, uint64_t tsc_khz, size_t *skipped)
{
	struct pm_tl_load_stats ls;
	int err = pm_timeline_load(tl, streams, nstreams, tsc_khz, &ls);

	if (skipped)
		*skipped = ls.skipped;
	return err;
}
