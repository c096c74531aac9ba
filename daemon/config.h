/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * powervisord configuration: node settings and the VMs to run.
 *
 * Read from JSON (jansson). Every field is checked; an error names the field by its JSON
 * path ("vms[1].vcpus") and says why, and unknown fields are errors (a typo must not be
 * silently ignored). An embedded default configuration — a real-time VM, a batch VM and a
 * bursty VM running pvguest — lets `make run` show the whole system with no file to write.
 */
#ifndef PV_DAEMON_CONFIG_H
#define PV_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "tracer/event.h"

#define CFG_NAME_MAX		32
#define CFG_PATH_MAX		256
#define CFG_WORKLOAD_MAX	512
#define CFG_MAX_VMS		32	/* = DPOWER_MAX_VMS: attribution slots */
#define CFG_MAX_LISTEN		4
#define CFG_MAX_GROUPS		8
#define CFG_ERR_MAX		256
#define CFG_STATE_DIR_MAX	64	/* control socket paths under it must fit sun_path */

#define DEF_TICK_MS		10u
#define MIN_TICK_MS		1u
#define MAX_TICK_MS		1000u
#define MIN_VCPUS		1u
#define MAX_VCPUS		16u
#define DEF_MEM_MIB		64u
#define MIN_MEM_MIB		16u
#define MAX_MEM_MIB		65536u
#define DEF_POLL_NS		200000u
#define MAX_POLL_NS		10000000u
#define DEF_RESTART_BACKOFF_MS	500u
#define MAX_RESTART_BACKOFF_MS	60000u
#define DEF_MAX_RESTARTS	5u
#define MAX_LATENCY_BUDGET_US	1000000u

enum cfg_restart {
	CFG_RESTART_NEVER = 0,
	CFG_RESTART_ON_FAILURE,
};

struct cfg_reservation {
	bool set;
	uint64_t runtime_us;		/* budget per period */
	uint64_t period_us;
	uint64_t deadline_us;		/* relative; 0 = period */
};

struct cfg_vm {
	char name[CFG_NAME_MAX];	/* [a-z0-9-_], unique */
	uint32_t vcpus;
	uint32_t mem_mib;
	char kernel[CFG_PATH_MAX];	/* guest image; "pvguest" = the built test OS */
	char cmdline[CFG_PATH_MAX];
	char workload[CFG_WORKLOAD_MAX];
	enum pv_qos_class qos;
	enum pv_halt_mode halt_mode;	/* exit, poll or native */
	uint32_t poll_ns;		/* for halt_mode poll */
	uint32_t latency_budget_us;	/* wake-latency budget (latency-sensitive), 0 = none */
	struct cfg_reservation reservation;	/* realtime */
	char group[CFG_NAME_MAX];	/* realtime: parent reservation it is admitted within, "" = none */
	enum cfg_restart restart;
	uint32_t restart_backoff_ms;	/* first back-off; doubles per consecutive failure */
	uint32_t max_restarts;		/* consecutive failures before giving up */
};

/* A parent reservation divided among the realtime VMs that name it (recursive scheduling). */
struct cfg_group {
	char name[CFG_NAME_MAX];
	uint64_t runtime_us;
	uint64_t period_us;
};

struct cfg_node {
	uint32_t tick_ms;		/* policy loop period */
	char backend[16];		/* auto | cpupower | model */
	char governor[16];		/* performance | powersave | ondemand | transition */
	char resv_backend[16];		/* auto | deadline | budget: reservation mechanism */
	char listen[CFG_MAX_LISTEN][CFG_PATH_MAX];	/* "127.0.0.1:8035", "unix:/path" */
	uint32_t nlisten;
	char token_file[CFG_PATH_MAX];	/* "" = no authentication (loopback only) */
	char tls_cert[CFG_PATH_MAX];	/* "" = plain HTTP */
	char tls_key[CFG_PATH_MAX];
	char state_dir[CFG_PATH_MAX];
	char vmm_path[CFG_PATH_MAX];	/* "" = pv-vmm beside powervisord */
	char guest_path[CFG_PATH_MAX];	/* "" = guest/pvguest.elf beside powervisord */
	struct cfg_group groups[CFG_MAX_GROUPS];
	uint32_t ngroups;
};

struct cfg {
	struct cfg_node node;
	struct cfg_vm vms[CFG_MAX_VMS];
	uint32_t nvms;
};

/* The embedded default configuration (JSON text). */
extern const char cfg_default_json[];

/* Defaults for every field (as if from "{}"). */
void cfg_init(struct cfg *cfg);
/* Defaults for one VM (as if from {"name": name}). */
void cfg_vm_init(struct cfg_vm *vm);

/*
 * Parse @text into @cfg. On error returns -EINVAL and writes "<field>: <reason>" into
 * @err (CFG_ERR_MAX bytes); @cfg is then unspecified.
 */
int cfg_parse(struct cfg *cfg, const char *text, char *err);
int cfg_load(struct cfg *cfg, const char *path, char *err);

/*
 * Parse one VM definition (a JSON object, e.g. from the REST API) into @vm.
 * @field_prefix is prepended to field names in errors ("" for the API, "vms[2]" for a file).
 */
struct json_t;
int cfg_vm_from_json(struct cfg_vm *vm, struct json_t *obj, const char *field_prefix, char *err);
/*
 * The rules of a VM definition that depend on the node: its group must be one of
 * @node's groups. The configuration file, the REST API's create and the VMs restored
 * from the state dir all check a VM with cfg_vm_from_json() and then this.
 */
int cfg_vm_check_node(const struct cfg_vm *vm, const struct cfg_node *node,
		      const char *field_prefix, char *err);
/* Serialize a VM definition (for persistence and the API). */
struct json_t *cfg_vm_to_json(const struct cfg_vm *vm);

const char *cfg_restart_name(enum cfg_restart r);
/* The group named @name, NULL if none. */
const struct cfg_group *cfg_find_group(const struct cfg_node *node, const char *name);

#endif /* PV_DAEMON_CONFIG_H */
