// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_power: trace-driven evaluation of the governors on the model platform
 * (POWER_MODEL.md). One run prints, as "BENCH name value unit" lines:
 *   power.energy_j.<gov>, power.rt_misses.<gov>, power.batch_slowdown_pct.<gov>,
 *   power.saving_vs_performance_pct, power.saving_vs_ondemand_pct (transition's),
 *   power.attribution_err_pct (frequency-weighted vs ground truth, transition run),
 *   power.cpushare_attribution_err_pct (CPU-time share vs ground truth, same run).
 *
 * Timeline source: the generated default mixed workload (powermgr/workload.c). To replay
 * a trace recorded by pv-vmm instead, build the timeline with pm_timeline_from_records()
 * in bench_timeline() — nothing else changes.
 *
 * Constraints (what qos/ would request for the RT VM on pCPU0): a 1.2 GHz floor, a 50 µs
 * wake-latency budget, and a 2.0 GHz boost floor while an RT job runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "powermgr/attrib.h"
#include "powermgr/sim.h"
#include "powermgr/workload.h"

#define BENCH_RT_FLOOR_KHZ	1200000u
#define BENCH_RT_LATENCY_US	50u
#define BENCH_RT_BOOST_KHZ	2000000u

static const char *const bench_govs[] = { "performance", "ondemand", "transition", "powersave" };
#define BENCH_NGOV	(sizeof(bench_govs) / sizeof(bench_govs[0]))

static int bench_timeline(struct pm_timeline *tl)
{
	struct pm_workload_params wp;

	pm_workload_defaults(&wp);
	return pm_workload_mixed(tl, &wp);
}

static double bench_pct(double a, double b)
{
	return b > 0 ? 100.0 * (b - a) / b : 0.0;
}

int main(void)
{
	struct pm_sim_result res[BENCH_NGOV];
	struct pm_cpu_constraint cc[3];
	struct pm_constraints cons = { .ncpus = 3, .cpu = cc };
	struct pm_attrib_result fw, cs;
	struct pm_attrib_input in;
	struct pm_timeline tl;
	struct pm_model m;
	struct timespec t0, t1;
	unsigned int tr = 2;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = bench_timeline(&tl);
	if (err) {
		fprintf(stderr, "bench_power: timeline: %s\n", strerror(-err));
		return 1;
	}
	pm_model_defaults(&m, tl.ncpus);
	pm_constraints_reset(&cons);
	pm_constraints_add(&cons, 0, BENCH_RT_LATENCY_US, BENCH_RT_FLOOR_KHZ);

	for (unsigned int g = 0; g < BENCH_NGOV; g++) {
		struct pm_sim_cfg cfg = {
			.model = &m, .gov = pm_governor_find(bench_govs[g]), .cons = &cons,
			.rt_boost_khz = BENCH_RT_BOOST_KHZ,
		};

		err = pm_sim_run(&tl, &cfg, &res[g]);
		if (err) {
			fprintf(stderr, "bench_power: sim %s: %s\n", bench_govs[g], strerror(-err));
			return 1;
		}
	}
	for (unsigned int g = 0; g < BENCH_NGOV; g++) {
		const struct pm_sim_result *r = &res[g];
		double slow = 0;

		if (r->vm_finish_ns[PM_WL_VM_BATCH])
			slow = 100.0 * ((double)r->vm_finish_ns[PM_WL_VM_BATCH] /
					res[0].vm_finish_ns[PM_WL_VM_BATCH] - 1.0);
		printf("BENCH power.energy_j.%s %.3f J\n", bench_govs[g], r->energy_uj / 1e6);
		printf("BENCH power.rt_misses.%s %llu count\n", bench_govs[g],
		       (unsigned long long)r->rt_misses);
		printf("BENCH power.rt_jobs.%s %llu count\n", bench_govs[g],
		       (unsigned long long)r->rt_jobs);
		printf("BENCH power.batch_slowdown_pct.%s %.1f pct\n", bench_govs[g], slow);
		printf("BENCH power.mean_busy_mhz.%s %.0f MHz\n", bench_govs[g], r->busy_khz_avg / 1e3);
		printf("BENCH power.freq_changes.%s %llu count\n", bench_govs[g],
		       (unsigned long long)r->freq_changes);
		printf("BENCH power.span_ms.%s %.1f ms\n", bench_govs[g], r->end_ns / 1e6);
		for (unsigned int v = 0; v < r->nvms; v++)
			printf("BENCH power.vm_energy_j.%s.%s %.3f J\n", bench_govs[g], tl.vm_name[v],
			       r->truth.vm_uj[v] / 1e6);
		printf("BENCH power.idle_energy_j.%s %.3f J\n", bench_govs[g], r->truth.idle_uj / 1e6);
		printf("BENCH power.overhead_energy_j.%s %.3f J\n", bench_govs[g],
		       r->truth.overhead_uj / 1e6);
	}
	printf("BENCH power.saving_vs_performance_pct %.1f pct\n",
	       bench_pct(res[tr].energy_uj, res[0].energy_uj));
	printf("BENCH power.saving_vs_ondemand_pct %.1f pct\n",
	       bench_pct(res[tr].energy_uj, res[1].energy_uj));

	for (unsigned int g = 0; g < BENCH_NGOV; g++) {
		pm_sim_attrib_input(&res[g], &m, &in);
		if (pm_attrib_freq_weighted(&in, &fw) || pm_attrib_cpushare(&in, &cs)) {
			fprintf(stderr, "bench_power: attribution failed\n");
			return 1;
		}
		if (g == tr) {
			printf("BENCH power.attribution_err_pct %.2f pct\n",
			       pm_attrib_error_pct(&fw, &res[g].truth));
			printf("BENCH power.cpushare_attribution_err_pct %.2f pct\n",
			       pm_attrib_error_pct(&cs, &res[g].truth));
			printf("BENCH power.attribution_sum_err_pct %.3f pct\n",
			       100.0 * (pm_attrib_total_uj(&fw) - res[g].energy_uj) / res[g].energy_uj);
			for (unsigned int v = 0; v < tl.nvms; v++)
				printf("BENCH power.attrib_vm_j.%s truth=%.3f fw=%.3f cpushare=%.3f J\n",
				       tl.vm_name[v], res[g].truth.vm_uj[v] / 1e6, fw.vm_uj[v] / 1e6,
				       cs.vm_uj[v] / 1e6);
		} else {
			printf("BENCH power.attribution_err_pct.%s %.2f pct\n", bench_govs[g],
			       pm_attrib_error_pct(&fw, &res[g].truth));
			printf("BENCH power.cpushare_attribution_err_pct.%s %.2f pct\n", bench_govs[g],
			       pm_attrib_error_pct(&cs, &res[g].truth));
		}
	}
	for (unsigned int g = 0; g < BENCH_NGOV; g++)
		pm_sim_result_free(&res[g]);
	pm_timeline_free(&tl);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("BENCH power.bench_wall_s %.2f s\n",
	       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
