/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-client rate limiting: a token bucket per client address (rate per second, burst),
 * in a fixed table with least-recently-seen eviction so a flood of addresses cannot grow
 * memory. Thread-safe (the HTTP server may call it from several threads).
 */
#ifndef PV_API_RATELIMIT_H
#define PV_API_RATELIMIT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define RL_TABLE_SIZE		256
#define RL_KEY_MAX		64
#define DEF_RL_RATE_PER_S	20000u
#define DEF_RL_BURST		40000u
#define MAX_RL_RATE_PER_S	10000000u

struct rl_bucket {
	char key[RL_KEY_MAX];		/* client address, "" = free */
	uint64_t tokens_milli;		/* tokens x 1000 */
	uint64_t last_ns;		/* last refill */
};

struct ratelimit {
	pthread_mutex_t lock;
	uint32_t rate_per_s;		/* 0 = unlimited */
	uint32_t burst;
	struct rl_bucket table[RL_TABLE_SIZE];
};

int ratelimit_init(struct ratelimit *rl, uint32_t rate_per_s, uint32_t burst);
void ratelimit_destroy(struct ratelimit *rl);
/* May @key make a request at @now_ns? Consumes one token when it may. */
bool ratelimit_allow(struct ratelimit *rl, const char *key, uint64_t now_ns);

#endif /* PV_API_RATELIMIT_H */
