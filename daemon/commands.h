/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's mutating commands, as the REST API issues them: functions that run on the
 * policy-loop thread through the command queue (daemon/cmdq.h), where every piece of mutable
 * state lives. An HTTP handler parses and validates a request, fills a struct cmds_io and
 * calls cmds_call(); the loop runs the command and the handler encodes the outcome.
 *
 * Ownership of the io block. The submitter allocates it (cmds_io_new) and hands it to the
 * queue; the first thing a command function does is cmds_io_adopt(), which makes the block
 * the command's output. So if the submitter gives up waiting (-ETIMEDOUT) the queue frees the
 * block when the command finishes, and a late command never writes into freed memory.
 * cmds_call() hides this: afterwards *iop is the block to read and free, or NULL when the
 * queue kept it.
 *
 * Commands that wait for something complete later (-EINPROGRESS, then cmdq_complete):
 *   pause / resume   wait for the VMM's reply to "pause" / "resume" (vmmctl callback);
 *   delete           asks the VMM to shut down (dvm_stop) and waits until it is down: the
 *                    loop calls cmds_tick() after every tick, which frees the VM once its
 *                    VMM has exited (SIGKILL after DVM_STOP_TIMEOUT_MS) and completes.
 * cmds_abort() completes whatever is still waiting with -ESHUTDOWN (daemon stopping).
 *
 * Every successful mutation republishes the snapshot at once, so a GET right after the
 * response already shows the change.
 */
#ifndef PV_DAEMON_COMMANDS_H
#define PV_DAEMON_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/cmdq.h"
#include "daemon/config.h"
#include "daemon/qosd.h"
#include "powermgr/governor.h"

#define CMDS_REASON_MAX		256
#define CMDS_FIELD_MAX		64
#define CMDS_GOV_NAME_MAX	16
#define CMDS_TUNABLE_NAME_MAX	24
#define CMDS_MAX_PENDING	64	/* commands waiting for a VMM or a VM to go down */

enum cmds_kind {
	CMDS_VM_CREATE = 0,
	CMDS_VM_DELETE,
	CMDS_VM_PAUSE,
	CMDS_VM_RESUME,
	CMDS_POWER_SET,
	CMDS_QOS_SET,
	CMDS_KIND_MAX
};

struct cmds_tunable {
	char name[CMDS_TUNABLE_NAME_MAX];
	int64_t value;
};

/* Input and output of one command (one block for every kind; unused parts stay zero). */
struct cmds_io {
	/* input */
	char name[CFG_NAME_MAX];		/* the VM (VM and QoS commands) */
	struct cfg_vm spec;			/* CMDS_VM_CREATE */
	struct qos_spec qos;			/* CMDS_QOS_SET */
	char governor[CMDS_GOV_NAME_MAX];	/* CMDS_POWER_SET: "" = keep the current one */
	struct cmds_tunable tun[PM_GOV_MAX_TUNABLES];
	unsigned int ntun;
	/* output */
	char reason[CMDS_REASON_MAX];		/* why it failed, or what was applied */
	char field[CMDS_FIELD_MAX];		/* the offending request field, "" = none */
	char code[32];				/* error code for the API, "" = by status */
	bool admitted;				/* CMDS_QOS_SET, CMDS_VM_CREATE */
	/* loop side (commands.c) */
	struct cmd *cmd;
	void *loop;
};

/* The command functions by kind: the daemon's (cmds_daemon_ops) or a test's fakes. */
struct cmds_ops {
	cmd_fn fn[CMDS_KIND_MAX];
};

extern const struct cmds_ops cmds_daemon_ops;

struct cmds_io *cmds_io_new(void);

/* First call of every command function: the io block becomes the command's output. */
static inline struct cmds_io *cmds_io_adopt(struct cmd *c)
{
	struct cmds_io *io = c->arg;

	c->out = io;
	io->cmd = c;
	return io;
}

/*
 * Submitter: run @ops' command @kind on *@iop through @q, waiting up to @timeout_ms.
 * Returns the command's result (0 / -errno) or the queue's (-ETIMEDOUT, -EAGAIN,
 * -ESHUTDOWN). Afterwards *@iop is the block with the outputs, to free(), or NULL when
 * the queue kept it (timed out). @lat_ns (may be NULL): request → done as the queue saw it.
 */
int cmds_call(struct cmdq *q, const struct cmds_ops *ops, enum cmds_kind kind,
	      struct cmds_io **iop, unsigned int timeout_ms, uint64_t *lat_ns);

struct daemon;
struct dvm;

/* A command waiting for a VMM's reply or for a VM to go down (in struct daemon). */
struct cmds_wait {
	struct cmds_io *io;		/* NULL = free */
	enum cmds_kind kind;
	struct dvm *vm;
	struct daemon *d;
};

/* Loop thread: after every tick, finish deletions whose VMM is down. */
void cmds_tick(struct daemon *d);
/* Loop thread (or after the loop ended): complete every waiting command with -ESHUTDOWN. */
void cmds_abort(struct daemon *d);

#endif /* PV_DAEMON_COMMANDS_H */
