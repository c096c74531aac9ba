// SPDX-License-Identifier: GPL-2.0-only
/* PM-QoS style requests: a fixed table, aggregation by min (latency) and max (floor). */
#include <errno.h>
#include <string.h>

#include "qos/constraint.h"

void qos_constraints_init(struct qos_constraints *c, unsigned int ncpus)
{
	memset(c, 0, sizeof(*c));
	c->ncpus = ncpus;
	c->next_id = 1;
}

static struct qos_request *find(struct qos_constraints *c, uint32_t id)
{
	unsigned int i;

	for (i = 0; id && i < QOS_MAX_REQUESTS; i++)
		if (c->req[i].id == id)
			return &c->req[i];
	return NULL;
}

const struct qos_request *qos_req_find(const struct qos_constraints *c, uint32_t id)
{
	return find((struct qos_constraints *)c, id);
}

int qos_req_add(struct qos_constraints *c, const char *owner, uint32_t cpu, uint32_t latency_us,
		uint32_t floor_khz)
{
	struct qos_request *r = NULL;
	unsigned int i;

	if (!owner || !*owner || strlen(owner) >= QOS_OWNER_MAX || cpu >= c->ncpus)
		return -EINVAL;
	for (i = 0; i < QOS_MAX_REQUESTS && !r; i++)
		if (!c->req[i].id)
			r = &c->req[i];
	if (!r)
		return -ENOSPC;
	r->id = c->next_id++;
	if (!c->next_id)	/* ids never wrap to 0, the free marker */
		c->next_id = 1;
	strcpy(r->owner, owner);
	r->cpu = cpu;
	r->latency_us = latency_us;
	r->floor_khz = floor_khz;
	c->version++;
	return (int)r->id;
}

int qos_req_update(struct qos_constraints *c, uint32_t id, uint32_t latency_us, uint32_t floor_khz)
{
	struct qos_request *r = find(c, id);

	if (!r)
		return -ENOENT;
	if (r->latency_us != latency_us || r->floor_khz != floor_khz) {
		r->latency_us = latency_us;
		r->floor_khz = floor_khz;
		c->version++;
	}
	return 0;
}

int qos_req_remove(struct qos_constraints *c, uint32_t id)
{
	struct qos_request *r = find(c, id);

	if (!r)
		return -ENOENT;
	memset(r, 0, sizeof(*r));
	c->version++;
	return 0;
}

int qos_req_remove_owner(struct qos_constraints *c, const char *owner)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < QOS_MAX_REQUESTS; i++) {
		if (c->req[i].id && !strcmp(c->req[i].owner, owner)) {
			memset(&c->req[i], 0, sizeof(c->req[i]));
			n++;
		}
	}
	if (n)
		c->version++;
	return n;
}

int qos_constraints_aggregate(const struct qos_constraints *c, struct pm_constraints *out)
{
	unsigned int i;
	int err;

	if (!out || !out->cpu || out->ncpus < c->ncpus)
		return -EINVAL;
	pm_constraints_reset(out);
	for (i = 0; i < QOS_MAX_REQUESTS; i++) {
		const struct qos_request *r = &c->req[i];

		if (!r->id)
			continue;
		err = pm_constraints_add(out, r->cpu, r->latency_us, r->floor_khz);
		if (err)
			return err;
	}
	return 0;
}
