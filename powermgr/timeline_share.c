// SPDX-License-Identifier: GPL-2.0-only
/*
 * Timeline loader, stage 3: the pieces on one pCPU into timeline items. vCPUs busy on one
 * pCPU at once each get an equal share of the overlap as work (what CFS gives threads of
 * equal weight), and work is cut into items of at most PM_TL_SLICE_NS so vCPUs that shared
 * a pCPU interleave in the replay as they did in the recording.
 */
#include <errno.h>
#include <stdlib.h>

#include "powermgr/timeline_load.h"

struct ld_acc {
	size_t piece;
	uint64_t start;			/* first time it ran in the current slice */
	double credit;			/* ns of CPU time in the current slice */
};

static int ld_flush(struct pm_timeline *tl, const struct ld_piece *p, struct ld_acc *acc,
		    bool last, struct pm_tl_load_stats *ls)
{
	struct pm_tl_item it = { .release_ns = acc->start, .vm = p->vm, .vcpu = p->vcpu,
				 .kind = p->kind, .flags = p->flags & PM_TL_RT };
	uint64_t ns = (uint64_t)(acc->credit + 0.5);
	int err = 0;

	if (last && p->flags & PM_TL_JOB_END) {
		it.flags |= PM_TL_JOB_END | (p->flags & PM_TL_REC_MISS);
		it.deadline_ns = p->deadline_ns;
	}
	if (p->kind == PM_TL_POLL)
		it.poll_ns = ns;
	else
		it.work_cycles = pm_timeline_cycles(tl, ns);
	if (ns || it.flags & PM_TL_JOB_END)
		err = pm_timeline_add(tl, p->pcpu, &it);
	if (p->kind != PM_TL_POLL)
		ls->vm_work_ns[p->vm] += ns;
	acc->credit = 0;
	acc->start = UINT64_MAX;
	return err;
}

struct ld_ev {
	uint64_t t;
	size_t piece;
	bool end;
};

static int ld_ev_cmp(const void *a, const void *b)
{
	const struct ld_ev *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (int)y->end - (int)x->end;	/* ends first */
}

int pm_ld_share_cpu(struct pm_timeline *tl, const struct ld_pieces *pc, unsigned int cpu,
		    struct pm_tl_load_stats *ls)
{
	struct ld_ev *ev;
	struct ld_acc *act;
	size_t nev = 0, nact = 0;
	uint64_t t = 0;
	int err = 0;

	for (size_t i = 0; i < pc->n; i++)
		nev += pc->v[i].pcpu == cpu;
	if (!nev)
		return 0;
	ev = malloc(2 * nev * sizeof(*ev));
	act = malloc(nev * sizeof(*act));
	if (!ev || !act) {
		free(ev);
		free(act);
		return -ENOMEM;
	}
	nev = 0;
	for (size_t i = 0; i < pc->n; i++) {
		if (pc->v[i].pcpu != cpu)
			continue;
		ev[nev++] = (struct ld_ev){ pc->v[i].a, i, false };
		ev[nev++] = (struct ld_ev){ pc->v[i].b, i, true };
	}
	qsort(ev, nev, sizeof(*ev), ld_ev_cmp);
	for (size_t e = 0; e < nev && !err; e++) {
		uint64_t te = ev[e].t;

		/* run the active set from t to te, cutting at slice boundaries */
		while (nact && t < te && !err) {
			uint64_t grid = (t / PM_TL_SLICE_NS + 1) * PM_TL_SLICE_NS;
			uint64_t stop = ld_min(te, grid);

			for (size_t k = 0; k < nact; k++) {
				if (act[k].start == UINT64_MAX)
					act[k].start = t;
				act[k].credit += (double)(stop - t) / (double)nact;
			}
			if (nact > 1)
				ls->shared_ns += stop - t;
			t = stop;
			if (t == grid)
				for (size_t k = 0; k < nact && !err; k++)
					if (act[k].credit > 0)
						err = ld_flush(tl, &pc->v[act[k].piece], &act[k],
							       false, ls);
		}
		t = te;
		if (ev[e].end) {
			for (size_t k = 0; k < nact; k++) {
				if (act[k].piece != ev[e].piece)
					continue;
				if (act[k].start == UINT64_MAX)
					act[k].start = te;
				err = ld_flush(tl, &pc->v[act[k].piece], &act[k], true, ls);
				act[k] = act[--nact];
				break;
			}
		} else {
			act[nact++] = (struct ld_acc){ ev[e].piece, UINT64_MAX, 0 };
		}
	}
	free(ev);
	free(act);
	return err;
}
