// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_power: trace-driven evaluation of the governors on the model platform
 * (POWER_MODEL.md). One run prints, as "BENCH name value unit" lines:
 *   power.energy_j.<gov>, power.rt_misses.<gov>, power.batch_slowdown_pct.<gov>,
 *   power.saving_vs_performance_pct, power.saving_vs_ondemand_pct (transition's),
 *   power.attribution_err_pct (frequency-weighted vs ground truth, transition run),
 *   power.cpushare_attribution_err_pct (CPU-time share vs ground truth, same run),
 * and the facts of the recording it replayed (power.rec.*).
 *
 * Timeline source (bench_timeline): a real recording. Three pv-vmm processes run the
 * daemon's embedded default configuration at the same time — rt0 (1 vCPU,
 * rt:period_us=1000,wcet_us=200), batch0 (1 vCPU, cpu), burst0 (1 vCPU,
 * burst:on_ms=20,off_ms=30) — each with --trace-out, for PV_BENCH_POWER_MS (default
 * 3000 ms). Placement is what qos would do with 2 host CPUs: the RT VM pinned alone on
 * CPU 1 at SCHED_FIFO 50 (`taskset -c 1 chrt -f 50`: other work on the shared machine
 * cannot stretch its recorded run intervals, and the replay's "RT preempts" rule holds),
 * the batch and bursty VMs pinned together on CPU 0 at SCHED_OTHER (they share it; the
 * loader turns the overlap of their run intervals into equal shares). The traces are loaded
 * with powermgr/record.c: busy intervals become cycles at the model's base frequency
 * (2.0 GHz), which stands for the recorded frequency — the host's real frequency is fixed
 * and not visible here, its TSC only times the intervals.
 * Fallback: when /dev/kvm, build/pv-vmm or build/guest/pvguest.elf is missing or the
 * recording fails, the reason is printed and the generated workload (powermgr/workload.c)
 * is replayed instead; the output says source=generated. PV_BENCH_POWER_SOURCE=generated
 * forces it; PV_BENCH_POWER_KEEP=1 keeps the trace files.
 *
 * Constraints (what qos/ requests for the RT VM's core, the pCPU its RT work ran on): a
 * 1.2 GHz floor, a 50 µs wake-latency budget, and a 2.0 GHz boost floor while an RT job
 * runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "powermgr/attrib.h"
#include "powermgr/record.h"
#include "powermgr/sim.h"
#include "powermgr/workload.h"

#define BENCH_RT_FLOOR_KHZ	1200000u
#define BENCH_RT_LATENCY_US	50u
#define BENCH_RT_BOOST_KHZ	2000000u
#define BENCH_DEF_REC_MS	3000u
#define BENCH_MAX_REC_MS	20000u
#define BENCH_WAIT_SLACK_MS	15000u	/* start-up and shutdown beyond the duration */
#define BENCH_RT_FIFO_PRIO	50	/* qos's real-time class for the RT VM */

static const char *const bench_govs[] = { "performance", "ondemand", "transition", "powersave" };
#define BENCH_NGOV	(sizeof(bench_govs) / sizeof(bench_govs[0]))

/* The daemon's embedded default configuration; VM indexes match PM_WL_VM_*. */
static const struct {
	const char *name, *workload;
	unsigned int cpu;		/* host CPU it is pinned to (of 2) */
	int fifo_prio;			/* SCHED_FIFO priority, 0 = SCHED_OTHER */
} bench_vms[PM_WL_NR_VMS] = {
	[PM_WL_VM_RT] = { "rt0", "rt:period_us=1000,wcet_us=200", 1, BENCH_RT_FIFO_PRIO },
	[PM_WL_VM_BATCH] = { "batch0", "cpu", 0, 0 },
	[PM_WL_VM_BURSTY] = { "burst0", "burst:on_ms=20,off_ms=30", 0, 0 },
};

struct bench_rec {
	bool recorded;
	char why[512];			/* why the generated workload was used */
	unsigned int rec_ms;
	double wall_s;
	double cpu_s[PM_WL_NR_VMS];	/* user + system CPU of each pv-vmm (rusage) */
	double scale[PM_WL_NR_VMS];	/* replayed work scaled to the process CPU time */
	struct pm_rec_facts facts[PM_WL_NR_VMS];
	struct pm_tl_load_stats ls;
};

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void bench_build_dir(const char *argv0, char *out, size_t len)
{
	const char *env = getenv("PV_BUILD");
	char tmp[PATH_MAX], *slash;

	if (env && *env) {
		snprintf(out, len, "%s", env);
		return;
	}
	/* build/bench/bench_power -> build */
	snprintf(tmp, sizeof(tmp), "%s", argv0);
	slash = strrchr(tmp, '/');
	if (slash) {
		*slash = '\0';
		snprintf(out, len, "%.4000s/..", tmp);
	} else {
		snprintf(out, len, "build");
	}
}

static pid_t bench_spawn(const char *vmm, const char *kernel, unsigned int vm, unsigned int ms,
			 unsigned int ncpu, const char *dir, char *trace, size_t tlen)
{
	char dur[16], log[PATH_MAX];
	pid_t pid;

	snprintf(dur, sizeof(dur), "%u", ms);
	snprintf(trace, tlen, "%s/%s.pvtrace", dir, bench_vms[vm].name);
	snprintf(log, sizeof(log), "%s/%s.log", dir, bench_vms[vm].name);
	pid = fork();
	if (pid)
		return pid;
	{
		cpu_set_t set;
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		/* the same as `taskset -c N pv-vmm ...` */
		CPU_ZERO(&set);
		CPU_SET(bench_vms[vm].cpu < ncpu ? bench_vms[vm].cpu : 0, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			_exit(126);
		if (bench_vms[vm].fifo_prio) {	/* `chrt -f 50`; without the right: as is */
			struct sched_param sp = { .sched_priority = bench_vms[vm].fifo_prio };

			if (sched_setscheduler(0, SCHED_FIFO, &sp))
				fprintf(stderr, "bench_power: SCHED_FIFO: %s\n", strerror(errno));
		}
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execl(vmm, vmm, "--kernel", kernel, "--vcpus", "1", "--mem", "64M", "--workload",
		      bench_vms[vm].workload, "--duration-ms", dur, "--trace-out", trace, "--quiet",
		      "--name", bench_vms[vm].name, (char *)NULL);
		_exit(127);
	}
}

static void bench_log_tail(const char *dir, unsigned int vm)
{
	char path[PATH_MAX], buf[512];
	FILE *f;
	long sz;

	snprintf(path, sizeof(path), "%s/%s.log", dir, bench_vms[vm].name);
	f = fopen(path, "r");
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	fseek(f, sz > (long)sizeof(buf) - 1 ? sz - (long)sizeof(buf) + 1 : 0, SEEK_SET);
	sz = (long)fread(buf, 1, sizeof(buf) - 1, f);
	buf[sz > 0 ? sz : 0] = '\0';
	fclose(f);
	fprintf(stderr, "bench_power: %s log (tail):\n%s\n", bench_vms[vm].name, buf);
}

/* Busy work of VM @vm in the timeline, in ms at the recorded frequency. */
static double bench_vm_work_ms(const struct pm_timeline *tl, unsigned int vm)
{
	double cyc = 0;

	for (unsigned int c = 0; c < tl->ncpus; c++)
		for (size_t i = 0; i < tl->cpu[c].n; i++)
			if (tl->cpu[c].items[i].vm == vm && tl->cpu[c].items[i].kind != PM_TL_POLL)
				cyc += (double)tl->cpu[c].items[i].work_cycles;
	return cyc / tl->rec_khz;
}

/* Run the three VMs at once and load their traces. 0, or -1 with rec->why set. */
static int bench_record(const char *argv0, struct pm_timeline *tl, uint32_t rec_khz,
			struct bench_rec *rec)
{
	char build[PATH_MAX], vmm[PATH_MAX + 16], kernel[PATH_MAX + 32];
	char dir[] = "/tmp/pv-bench-power.XXXXXX";
	char trace[PM_WL_NR_VMS][PATH_MAX];
	const char *paths[PM_WL_NR_VMS];
	uint32_t pcpu[PM_WL_NR_VMS];
	pid_t pid[PM_WL_NR_VMS] = { 0 };
	int status[PM_WL_NR_VMS] = { 0 };
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	const char *env = getenv("PV_BENCH_POWER_MS");
	unsigned int left = 0;
	double t0, deadline;
	int fd, err, ret = -1;

	rec->rec_ms = env && atoi(env) > 0 ? (unsigned int)atoi(env) : BENCH_DEF_REC_MS;
	if (rec->rec_ms > BENCH_MAX_REC_MS)
		rec->rec_ms = BENCH_MAX_REC_MS;
	bench_build_dir(argv0, build, sizeof(build));
	snprintf(vmm, sizeof(vmm), "%s/pv-vmm", build);
	snprintf(kernel, sizeof(kernel), "%s/guest/pvguest.elf", build);
	if (access(vmm, X_OK) || access(kernel, R_OK)) {
		snprintf(rec->why, sizeof(rec->why), "%.100s or %.100s missing (make build/pv-vmm "
			 "build/guest/pvguest.elf)", vmm, kernel);
		return -1;
	}
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(rec->why, sizeof(rec->why), "/dev/kvm: %s", strerror(errno));
		return -1;
	}
	close(fd);
	if (ncpu < 1)
		ncpu = 1;
	if (!mkdtemp(dir)) {
		snprintf(rec->why, sizeof(rec->why), "mkdtemp: %s", strerror(errno));
		return -1;
	}
	printf("bench_power: recording %u ms: %s on CPU %u at SCHED_FIFO %d, %s and %s on CPU %u "
	       "(%ld CPUs)\n", rec->rec_ms, bench_vms[PM_WL_VM_RT].name,
	       bench_vms[PM_WL_VM_RT].cpu < (unsigned int)ncpu ? bench_vms[PM_WL_VM_RT].cpu : 0,
	       bench_vms[PM_WL_VM_RT].fifo_prio,
	       bench_vms[PM_WL_VM_BATCH].name, bench_vms[PM_WL_VM_BURSTY].name,
	       bench_vms[PM_WL_VM_BATCH].cpu, ncpu);
	fflush(stdout);
	t0 = bench_now();
	for (unsigned int v = 0; v < PM_WL_NR_VMS; v++) {
		pid[v] = bench_spawn(vmm, kernel, v, rec->rec_ms, (unsigned int)ncpu, dir, trace[v],
				     sizeof(trace[v]));
		if (pid[v] < 0) {
			snprintf(rec->why, sizeof(rec->why), "fork: %s", strerror(errno));
			pid[v] = 0;
			break;
		}
		left++;
		paths[v] = trace[v];
		pcpu[v] = bench_vms[v].cpu < (unsigned int)ncpu ? bench_vms[v].cpu : 0;
	}
	/* bounded wait: a VM that does not end in time is killed (only our children) */
	deadline = t0 + (rec->rec_ms + BENCH_WAIT_SLACK_MS) / 1e3;
	while (left) {
		bool killed = bench_now() > deadline;

		for (unsigned int v = 0; v < PM_WL_NR_VMS; v++) {
			struct rusage ru;
			pid_t r;

			if (!pid[v])
				continue;
			if (killed)
				kill(pid[v], SIGKILL);
			r = wait4(pid[v], &status[v], killed ? 0 : WNOHANG, &ru);
			if (r == pid[v] || (r < 0 && errno != EINTR)) {
				rec->cpu_s[v] = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
						ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
				if (r < 0)
					status[v] = -1;
				pid[v] = 0;
				left--;
			}
		}
		if (killed && !rec->why[0])
			snprintf(rec->why, sizeof(rec->why), "pv-vmm did not end within %u ms",
				 rec->rec_ms + BENCH_WAIT_SLACK_MS);
		if (left)
			usleep(20000);
	}
	rec->wall_s = bench_now() - t0;
	for (unsigned int v = 0; v < PM_WL_NR_VMS && !rec->why[0]; v++) {
		if (!WIFEXITED(status[v]) || WEXITSTATUS(status[v])) {
			snprintf(rec->why, sizeof(rec->why), "pv-vmm %s failed (status 0x%x)",
				 bench_vms[v].name, status[v]);
			bench_log_tail(dir, v);
		}
	}
	if (!rec->why[0]) {
		err = pm_record_load(tl, (unsigned int)(ncpu > 1 ? 2 : 1), rec_khz, paths, pcpu,
				     PM_WL_NR_VMS, rec->facts, &rec->ls);
		if (err)
			snprintf(rec->why, sizeof(rec->why), "loading the traces: %s", strerror(-err));
		else
			ret = 0;
	}
	/*
	 * The loader shares a pCPU's time among our VMs only; other processes on this shared
	 * machine also took some, unseen by the traces. A VM's process CPU time (all its
	 * threads) bounds the work its vCPUs really did: replayed work beyond it is scaled
	 * down to it.
	 */
	for (unsigned int v = 0; v < PM_WL_NR_VMS && !ret; v++) {
		double replayed = rec->ls.vm_work_ns[v] / 1e9;

		rec->scale[v] = 1.0;
		if (replayed > rec->cpu_s[v] && rec->cpu_s[v] > 0) {
			pm_timeline_scale_vm(tl, v, rec->cpu_s[v] / replayed);
			rec->scale[v] = bench_vm_work_ms(tl, v) / 1e3 / replayed;
		}
		if (rec->scale[v] < 0.9)
			fprintf(stderr, "bench_power: warning: %s got %.0f %% of the CPU time its "
				"run intervals hold: other processes shared its CPU during the "
				"recording; its replayed work was cut to its process CPU time "
				"(results vary with host load)\n", bench_vms[v].name,
				100.0 * rec->scale[v]);
	}
	if (!getenv("PV_BENCH_POWER_KEEP")) {
		char p[PATH_MAX + 16];

		for (unsigned int v = 0; v < PM_WL_NR_VMS; v++) {
			snprintf(p, sizeof(p), "%s/%s.pvtrace", dir, bench_vms[v].name);
			unlink(p);
			snprintf(p, sizeof(p), "%s/%s.log", dir, bench_vms[v].name);
			unlink(p);
		}
		rmdir(dir);
	} else {
		fprintf(stderr, "bench_power: traces kept in %s\n", dir);
	}
	return ret;
}

static int bench_timeline(const char *argv0, struct pm_timeline *tl, uint32_t rec_khz,
			  struct bench_rec *rec)
{
	const char *src = getenv("PV_BENCH_POWER_SOURCE");
	struct pm_workload_params wp;

	memset(rec, 0, sizeof(*rec));
	if (src && !strcmp(src, "generated"))
		snprintf(rec->why, sizeof(rec->why), "PV_BENCH_POWER_SOURCE=generated");
	else if (bench_record(argv0, tl, rec_khz, rec) == 0)
		return rec->recorded = true, 0;
	fprintf(stderr, "bench_power: no recording (%s): replaying the generated workload\n",
		rec->why);
	pm_workload_defaults(&wp);
	wp.rec_khz = rec_khz;
	return pm_workload_mixed(tl, &wp);
}

static double bench_pct(double a, double b)
{
	return b > 0 ? 100.0 * (b - a) / b : 0.0;
}

/* The pCPU that carried the most RT work: where qos puts the RT VM's constraints. */
static unsigned int bench_rt_cpu(const struct pm_timeline *tl)
{
	uint64_t best = 0;
	unsigned int cpu = 0;

	for (unsigned int c = 0; c < tl->ncpus; c++) {
		uint64_t w = 0;

		for (size_t i = 0; i < tl->cpu[c].n; i++)
			if (tl->cpu[c].items[i].flags & PM_TL_RT)
				w += tl->cpu[c].items[i].work_cycles;
		if (w > best) {
			best = w;
			cpu = c;
		}
	}
	return cpu;
}

static void bench_print_rec(const struct pm_timeline *tl, const struct bench_rec *rec)
{
	const struct pm_tl_load_stats *ls = &rec->ls;
	uint64_t jobs = 0, late = 0;

	for (unsigned int c = 0; c < tl->ncpus; c++)
		for (size_t i = 0; i < tl->cpu[c].n; i++) {
			const struct pm_tl_item *it = &tl->cpu[c].items[i];

			jobs += (it->flags & PM_TL_JOB_END) && it->deadline_ns;
			late += (it->flags & PM_TL_JOB_END) && (it->flags & PM_TL_REC_MISS);
		}
	printf("bench_power: source=%s\n", rec->recorded ? "recorded" : "generated");
	printf("BENCH power.source_recorded %d bool\n", rec->recorded);
	printf("BENCH power.rec.duration_ms %.1f ms\n", tl->end_ns / 1e6);
	printf("BENCH power.rec.rec_mhz %u MHz\n", tl->rec_khz / 1000);
	printf("BENCH power.rec.rt_jobs_replayed %llu count\n", (unsigned long long)jobs);
	printf("BENCH power.rec.rt_jobs_late_when_recorded %llu count\n", (unsigned long long)late);
	if (!rec->recorded)
		return;
	printf("BENCH power.rec.record_wall_s %.2f s\n", rec->wall_s);
	printf("BENCH power.rec.skipped_records %zu count\n", ls->skipped);
	printf("BENCH power.rec.rt_jobs_incomplete %llu count\n",
	       (unsigned long long)ls->jobs_incomplete);
	printf("BENCH power.rec.migrations %llu count\n", (unsigned long long)ls->migrations);
	printf("BENCH power.rec.shared_cpu_ms %.1f ms\n", ls->shared_ns / 1e6);
	for (unsigned int v = 0; v < tl->nvms; v++) {
		const struct pm_rec_facts *f = &rec->facts[v];
		const char *n = tl->vm_name[v];

		printf("BENCH power.rec.records.%s %llu count\n", n, (unsigned long long)f->nrecs);
		printf("BENCH power.rec.rejected.%s %llu count\n", n, (unsigned long long)f->rejected);
		printf("BENCH power.rec.span_ms.%s %.1f ms\n", n, (f->last_ns - f->first_ns) / 1e6);
		printf("BENCH power.rec.exits.%s %llu count\n", n, (unsigned long long)f->exits);
		printf("BENCH power.rec.rt_activations.%s %llu count\n", n,
		       (unsigned long long)f->rt_activations);
		printf("BENCH power.rec.rt_completions.%s %llu count\n", n,
		       (unsigned long long)f->rt_completions);
		printf("BENCH power.rec.rt_misses_recorded.%s %llu count\n", n,
		       (unsigned long long)f->rt_misses);
		printf("BENCH power.rec.run_ms.%s %.1f ms\n", n, ls->vm_run_ns[v] / 1e6);
		printf("BENCH power.rec.kvm_halt_ms.%s %.1f ms\n", n, ls->vm_kvm_halt_ns[v] / 1e6);
		printf("BENCH power.rec.guest_idle_ms.%s %.1f ms\n", n, ls->vm_guest_idle_ns[v] / 1e6);
		printf("BENCH power.rec.busy_wall_ms.%s %.1f ms\n", n, ls->vm_busy_ns[v] / 1e6);
		printf("BENCH power.rec.after_sharing_ms.%s %.1f ms\n", n, ls->vm_work_ns[v] / 1e6);
		printf("BENCH power.rec.replayed_cpu_ms.%s %.1f ms\n", n, bench_vm_work_ms(tl, v));
		printf("BENCH power.rec.process_cpu_ms.%s %.1f ms\n", n, rec->cpu_s[v] * 1e3);
		printf("BENCH power.rec.work_scale.%s %.3f ratio\n", n, rec->scale[v]);
	}
}

int main(int argc, char **argv)
{
	struct pm_sim_result res[BENCH_NGOV];
	struct pm_cpu_constraint cc[64];
	struct pm_constraints cons = { .cpu = cc };
	struct pm_attrib_result fw, cs;
	struct pm_attrib_input in;
	struct pm_timeline tl;
	struct pm_model m;
	struct bench_rec rec;
	unsigned int tr = 2, rt_cpu;
	double t0 = bench_now();
	int err;

	(void)argc;
	pm_model_defaults(&m, 1);
	/* the recorded frequency: the model's base P-state (see the header comment) */
	err = bench_timeline(argv[0], &tl, m.base_khz, &rec);
	if (err) {
		fprintf(stderr, "bench_power: timeline: %s\n", strerror(-err));
		return 1;
	}
	bench_print_rec(&tl, &rec);
	pm_model_defaults(&m, tl.ncpus);
	cons.ncpus = tl.ncpus;
	pm_constraints_reset(&cons);
	rt_cpu = bench_rt_cpu(&tl);
	pm_constraints_add(&cons, rt_cpu, BENCH_RT_LATENCY_US, BENCH_RT_FLOOR_KHZ);
	printf("BENCH power.rt_cpu %u index\n", rt_cpu);

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
		printf("BENCH power.rt_misses_new.%s %llu count\n", bench_govs[g],
		       (unsigned long long)r->rt_misses_new);
		printf("BENCH power.rt_jobs.%s %llu count\n", bench_govs[g],
		       (unsigned long long)r->rt_jobs);
		printf("BENCH power.rt_max_late_us.%s %.1f us\n", bench_govs[g],
		       r->rt_max_late_ns / 1e3);
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
	printf("BENCH power.bench_wall_s %.2f s\n", bench_now() - t0);
	return 0;
}
