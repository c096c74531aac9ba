/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pv-vmm control protocol: newline-delimited JSON over a Unix stream socket.
 *
 *   request   {"id": 7, "cmd": "<name>", ...arguments at top level}
 *   reply     {"id": 7, "ok": true, "result": {...}}  |  {"id": 7, "ok": false, "error": "why"}
 *   event     {"event": "<name>", ...}                (pushed, no id)
 *
 * Commands and arguments (unknown keys are errors):
 *   hello                                  -> {version, name, nvcpus, vcpu_tids[], pid,
 *                                              shm_size, state}; the shm memfd arrives
 *                                              with the reply as SCM_RIGHTS
 *   pause | resume | shutdown              -> {}
 *   set-halt-mode  mode: "exit"|"poll"|"native", poll_ns?: 0..10000000
 *                                          -> {requested, honoured}
 *   set-timer      vcpu: N, period_us: N | deadline_us: N  (0 = off; one of the two)
 *   set-budget     vcpu: N, runtime_us: R, period_us: P     -> {}
 *                  at most R µs of the vCPU's time in every P µs (vmm/budget.c), periods
 *                  from now; 0 < R <= P, 100 <= P <= 10000000; R = 0 disarms (P may then
 *                  be omitted)
 *   stats                                  -> counters (vm, vcpus[] with budget{},
 *                                              devices[])
 * Events: {"event":"vcpu-state","vcpu":N,"state":"running|paused|stopped"},
 *         {"event":"rt-runnable","vcpu":N,"value":0|1},
 *         {"event":"vm-end","reason":"poweroff|...","status":N}.
 * Lines are capped at CTL_LINE_MAX bytes; ids are integers 0 .. 2^53.
 */
#ifndef PV_VMM_CTL_PROTO_H
#define PV_VMM_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define CTL_PROTO_VERSION	1
#define CTL_LINE_MAX		4096
#define CTL_ERR_MAX		128
#define CTL_MAX_ID		(1ll << 53)

enum ctl_cmd {
	CTL_HELLO = 0,
	CTL_PAUSE,
	CTL_RESUME,
	CTL_SHUTDOWN,
	CTL_SET_HALT_MODE,
	CTL_SET_TIMER,
	CTL_STATS,
	CTL_SET_BUDGET,
	CTL_CMD_MAX
};

struct ctl_req {
	bool has_id;
	int64_t id;
	enum ctl_cmd cmd;
	union {
		struct {
			int mode;		/* enum pv_halt_mode (exit, poll, native) */
			bool has_poll_ns;
			uint64_t poll_ns;
		} halt;
		struct {
			uint32_t vcpu;
			uint64_t period_us;
			uint64_t deadline_us;
		} timer;
		struct {
			uint32_t vcpu;
			uint64_t runtime_us;	/* 0 = off */
			uint64_t period_us;	/* 0 when off and omitted */
		} budget;
	};
};

/*
 * Parse one line (without its newline). 0, or -EINVAL with a message in @err; req->has_id
 * and req->id are set whenever the line carried a valid id, so the error reply can use it.
 */
int ctl_proto_parse(const char *line, size_t len, struct ctl_req *req, char *err, size_t errlen);
const char *ctl_cmd_name(enum ctl_cmd cmd);

/* Encoders: malloc'd, newline-terminated lines; NULL on allocation failure. */
char *ctl_proto_ok(const struct ctl_req *req, json_t *result);	/* steals @result (may be NULL) */
char *ctl_proto_error(const struct ctl_req *req, const char *msg);
char *ctl_proto_event(const char *name, json_t *fields);	/* steals @fields (may be NULL) */

#endif /* PV_VMM_CTL_PROTO_H */
