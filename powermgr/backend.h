/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Platform backends: the mechanism half of powermgr.
 *
 * A backend applies decisions and reports what the platform offers and does; it never
 * decides. One `const struct pm_backend_ops` per platform (cpupower for real cpufreq /
 * cpuidle through libcpupower, model for the documented model platform), looked up by name
 * in a small registry. "auto" picks cpupower when the host exposes cpufreq and cpuidle and
 * libcpupower can read them, the model otherwise.
 *
 * Conventions: every operation returns 0 or -errno; a failure is also recorded as text in
 * the backend (pm_backend_last_error) and counted, so the daemon can report it. Frequencies
 * are kHz, latencies µs, power mW, times µs (cpuidle's own unit).
 */
#ifndef PV_POWERMGR_BACKEND_H
#define PV_POWERMGR_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define PM_MAX_PSTATES		64u
#define PM_MAX_CSTATES		10u	/* CPUIDLE_STATE_MAX */
#define PM_NAME_MAX		16u
#define PM_ERR_MAX		160u
#define PM_MAX_CPUS		1024u

struct pm_cstate_info {
	char name[PM_NAME_MAX];		/* "POLL", "C1", "C1E", "C6" */
	uint32_t exit_latency_us;	/* worst-case wake latency */
	uint32_t target_residency_us;	/* break-even residency */
	uint32_t power_mw;		/* core power while resident (model; 0 if unknown) */
};

/* One CPU's readings at a sample. */
struct pm_cpu_reading {
	uint32_t cur_khz;			/* current frequency */
	unsigned int nr_cstates;
	uint64_t usage[PM_MAX_CSTATES];		/* entries into each state, cumulative */
	uint64_t time_us[PM_MAX_CSTATES];	/* residency, cumulative */
	int cstate_limit;			/* deepest enabled state index */
};

struct pm_backend_cfg {
	unsigned int ncpus;		/* model: CPUs to model; 0 = host CPUs */
	const char *sysfs_cpu_root;	/* cpupower probe root; NULL = /sys/devices/system/cpu */
};

struct pm_backend;

struct pm_backend_ops {
	const char *name;
	const char *source;		/* label of every figure it reports: "sysfs" | "model" */
	/* 0 when usable on this host, -ENODEV / -EOPNOTSUPP otherwise. */
	int (*probe)(const struct pm_backend_cfg *cfg);
	int (*open)(const struct pm_backend_cfg *cfg, struct pm_backend **out);
	void (*close)(struct pm_backend *b);
	unsigned int (*nr_cpus)(const struct pm_backend *b);
	/* Ascending kHz table; *nr_turbo of the highest entries are turbo/boost bins. */
	int (*pstates)(struct pm_backend *b, unsigned int cpu, uint32_t *khz, unsigned int max,
		       unsigned int *n, unsigned int *nr_turbo);
	/* Index 0 is the shallowest state (POLL on x86). */
	int (*cstates)(struct pm_backend *b, unsigned int cpu, struct pm_cstate_info *out,
		       unsigned int max, unsigned int *n);
	int (*read)(struct pm_backend *b, unsigned int cpu, struct pm_cpu_reading *r);
	int (*set_freq)(struct pm_backend *b, unsigned int cpu, uint32_t khz);
	int (*set_limits)(struct pm_backend *b, unsigned int cpu, uint32_t min_khz,
			  uint32_t max_khz);
	/* Disable every state deeper than @limit, enable the others. */
	int (*set_cstate_limit)(struct pm_backend *b, unsigned int cpu, int limit);
	/* Optional: the platform's own frequency governor (cpufreq scaling_governor). */
	int (*get_governor)(struct pm_backend *b, unsigned int cpu, char *buf, size_t len);
	int (*set_governor)(struct pm_backend *b, unsigned int cpu, const char *name);
};

/* Embedded first in every backend's private state. */
struct pm_backend {
	const struct pm_backend_ops *ops;
	unsigned int errors;		/* failures reported so far */
	char last_error[PM_ERR_MAX];	/* the latest one, for logs and the API */
};

extern const struct pm_backend_ops pm_backend_cpupower_ops;
extern const struct pm_backend_ops pm_backend_model_ops;

/* Registry. NULL for an unknown name. "auto" is not a backend: see pm_backend_open(). */
const struct pm_backend_ops *pm_backend_find(const char *name);
/* Names, NULL-terminated, for configuration validation and the API. */
const char *const *pm_backend_names(void);
/* Open by name ("auto" | "cpupower" | "model"); -EINVAL unknown, -ENODEV unusable. */
int pm_backend_open(const char *name, const struct pm_backend_cfg *cfg, struct pm_backend **out);
void pm_backend_close(struct pm_backend *b);

/* Checked wrappers: cpu range, optional operations (-EOPNOTSUPP), error recording. */
unsigned int pm_backend_nr_cpus(const struct pm_backend *b);
int pm_backend_pstates(struct pm_backend *b, unsigned int cpu, uint32_t *khz, unsigned int max,
		       unsigned int *n, unsigned int *nr_turbo);
int pm_backend_cstates(struct pm_backend *b, unsigned int cpu, struct pm_cstate_info *out,
		       unsigned int max, unsigned int *n);
int pm_backend_read(struct pm_backend *b, unsigned int cpu, struct pm_cpu_reading *r);
int pm_backend_set_freq(struct pm_backend *b, unsigned int cpu, uint32_t khz);
int pm_backend_set_limits(struct pm_backend *b, unsigned int cpu, uint32_t min_khz,
			  uint32_t max_khz);
int pm_backend_set_cstate_limit(struct pm_backend *b, unsigned int cpu, int limit);
int pm_backend_get_governor(struct pm_backend *b, unsigned int cpu, char *buf, size_t len);
int pm_backend_set_governor(struct pm_backend *b, unsigned int cpu, const char *name);
const char *pm_backend_last_error(const struct pm_backend *b);

/* For backends: record an error (printf-style) and return @err unchanged. */
int pm_backend_fail(struct pm_backend *b, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* PV_POWERMGR_BACKEND_H */
