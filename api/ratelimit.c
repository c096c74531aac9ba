// SPDX-License-Identifier: GPL-2.0-only
/* Token buckets per client in a fixed table (see ratelimit.h). */
#include <errno.h>
#include <string.h>

#include "api/ratelimit.h"

int ratelimit_init(struct ratelimit *rl, uint32_t rate_per_s, uint32_t burst)
{
	if (rate_per_s > MAX_RL_RATE_PER_S || (rate_per_s && !burst))
		return -EINVAL;
	memset(rl, 0, sizeof(*rl));
	rl->rate_per_s = rate_per_s;
	rl->burst = burst;
	return -pthread_mutex_init(&rl->lock, NULL);
}

void ratelimit_destroy(struct ratelimit *rl)
{
	pthread_mutex_destroy(&rl->lock);
}

/* The client's bucket, or the least recently used one recycled for it. */
static struct rl_bucket *bucket_for(struct ratelimit *rl, const char *key, uint64_t now_ns)
{
	struct rl_bucket *victim = &rl->table[0];
	unsigned int i;

	for (i = 0; i < RL_TABLE_SIZE; i++) {
		struct rl_bucket *b = &rl->table[i];

		if (b->key[0] && !strcmp(b->key, key))
			return b;
		if (!b->key[0] || b->last_ns < victim->last_ns)
			victim = b;
		if (!b->key[0])
			break;
	}
	strncpy(victim->key, key, RL_KEY_MAX - 1);
	victim->key[RL_KEY_MAX - 1] = '\0';
	victim->tokens_milli = (uint64_t)rl->burst * 1000;
	victim->last_ns = now_ns;
	return victim;
}

bool ratelimit_allow(struct ratelimit *rl, const char *key, uint64_t now_ns)
{
	struct rl_bucket *b;
	uint64_t cap, add;
	bool ok;

	if (!rl->rate_per_s)
		return true;
	pthread_mutex_lock(&rl->lock);
	b = bucket_for(rl, key && *key ? key : "?", now_ns);
	cap = (uint64_t)rl->burst * 1000;
	if (now_ns > b->last_ns) {
		uint64_t elapsed_us = (now_ns - b->last_ns) / 1000;

		/* tokens x 1000 gained = elapsed_us * rate / 1e3; a long pause refills fully */
		add = elapsed_us > 10000000 ? cap : elapsed_us * rl->rate_per_s / 1000;
		if (add) {
			b->tokens_milli = b->tokens_milli + add > cap ? cap : b->tokens_milli + add;
			b->last_ns = now_ns;
		}
	}
	ok = b->tokens_milli >= 1000;
	if (ok)
		b->tokens_milli -= 1000;
	pthread_mutex_unlock(&rl->lock);
	return ok;
}
