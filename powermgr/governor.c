// SPDX-License-Identifier: GPL-2.0-only
/*
 * Governor registry, tunables and the transactional switch.
 *
 * Design note: the switch follows cpufreq's policy update — stop the old governor, start
 * the new one — but keeps the old instance alive until the new one has started, so a
 * failed start can put it back exactly as it was (same tunables, restarted). Creating and
 * configuring the new instance happens before anything is stopped: a bad tunable never
 * interrupts the running governor.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "powermgr/governor.h"

static const struct pm_governor_ops *const governor_table[] = {
	&pm_gov_performance_ops,
	&pm_gov_powersave_ops,
	&pm_gov_ondemand_ops,
	&pm_gov_transition_ops,
};
#define GOVERNOR_COUNT	(sizeof(governor_table) / sizeof(governor_table[0]))

static const char *const governor_names[] = {
	"performance", "powersave", "ondemand", "transition", NULL,
};

const struct pm_governor_ops *pm_governor_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < GOVERNOR_COUNT; i++)
		if (!strcmp(governor_table[i]->name, name))
			return governor_table[i];
	return NULL;
}

const char *const *pm_governor_names(void)
{
	return governor_names;
}

int pm_gov_tunable_index(const struct pm_gov *gov, const char *name)
{
	if (!gov || !name)
		return -EINVAL;
	for (unsigned int i = 0; i < gov->ops->nr_tunables; i++)
		if (!strcmp(gov->ops->tunables[i].name, name))
			return (int)i;
	return -ENOENT;
}

int pm_gov_tunable_get(const struct pm_gov *gov, const char *name, int64_t *value)
{
	int i = pm_gov_tunable_index(gov, name);

	if (i < 0)
		return i;
	*value = gov->tun[i];
	return 0;
}

int pm_gov_tunable_set(struct pm_gov *gov, const char *name, int64_t value)
{
	int i = pm_gov_tunable_index(gov, name);
	const struct pm_tunable_desc *d;

	if (i < 0)
		return i;
	d = &gov->ops->tunables[i];
	if (value < d->min || value > d->max)
		return -ERANGE;
	gov->tun[i] = value;
	if (gov->running && gov->ops->tunable_changed)
		gov->ops->tunable_changed(gov, (unsigned int)i);
	return 0;
}

int pm_gov_tunable_at(const struct pm_gov *gov, unsigned int i,
		      const struct pm_tunable_desc **desc, int64_t *value)
{
	if (!gov || i >= gov->ops->nr_tunables)
		return -ENOENT;
	*desc = &gov->ops->tunables[i];
	*value = gov->tun[i];
	return 0;
}

int pm_gov_create(const struct pm_governor_ops *ops, const struct pm_platform *plat,
		  const struct pm_tunable_kv *kv, unsigned int nkv, struct pm_gov **out)
{
	struct pm_gov *gov;
	int err;

	if (!ops || !plat || !ops->decide || ops->nr_tunables > PM_GOV_MAX_TUNABLES ||
	    !plat->nr_pstates || !plat->nr_cstates)
		return -EINVAL;
	gov = calloc(1, sizeof(*gov));
	if (!gov)
		return -ENOMEM;
	gov->ops = ops;
	gov->plat = plat;
	for (unsigned int i = 0; i < ops->nr_tunables; i++)
		gov->tun[i] = ops->tunables[i].def;
	for (unsigned int i = 0; i < nkv; i++) {
		err = pm_gov_tunable_set(gov, kv[i].name, kv[i].value);
		if (err)
			goto out_free_gov;
	}
	if (ops->init) {
		err = ops->init(gov);
		if (err)
			goto out_free_gov;
	}
	*out = gov;
	return 0;

out_free_gov:
	free(gov);
	return err;
}

void pm_gov_destroy(struct pm_gov *gov)
{
	if (!gov)
		return;
	if (gov->running && gov->ops->stop)
		gov->ops->stop(gov);
	if (gov->ops->exit)
		gov->ops->exit(gov);
	free(gov);
}

static int gov_start(struct pm_gov *gov)
{
	int err = gov->ops->start ? gov->ops->start(gov) : 0;

	gov->running = !err;
	return err;
}

static void gov_stop(struct pm_gov *gov)
{
	if (gov->running && gov->ops->stop)
		gov->ops->stop(gov);
	gov->running = false;
}

int pm_gov_decide(struct pm_gov *gov, const struct pm_sample *s, struct pm_decision *d)
{
	if (!gov || !gov->running)
		return -ESRCH;
	if (!s || !d || s->ncpus != d->ncpus)
		return -EINVAL;
	return gov->ops->decide(gov, s, d);
}

void pm_gov_mgr_init(struct pm_gov_mgr *m, const struct pm_platform *plat)
{
	memset(m, 0, sizeof(*m));
	m->plat = plat;
}

int pm_gov_mgr_switch(struct pm_gov_mgr *m, const struct pm_governor_ops *ops,
		      const struct pm_tunable_kv *kv, unsigned int nkv)
{
	struct pm_gov *old = m->cur, *gov;
	int err, err2;

	err = pm_gov_create(ops, m->plat, kv, nkv, &gov);
	if (err)
		return err;	/* nothing stopped yet */
	if (old)
		gov_stop(old);
	err = gov_start(gov);
	if (err)
		goto out_restore_old;
	m->cur = gov;
	m->switches++;
	pm_gov_destroy(old);
	return 0;

out_restore_old:
	pm_gov_destroy(gov);
	m->rollbacks++;
	if (old) {
		err2 = gov_start(old);
		if (err2) {	/* cannot happen for the built-ins: start only resets */
			pm_gov_destroy(old);
			m->cur = NULL;
		}
	}
	return err;
}

int pm_gov_mgr_switch_name(struct pm_gov_mgr *m, const char *name,
			   const struct pm_tunable_kv *kv, unsigned int nkv)
{
	const struct pm_governor_ops *ops = pm_governor_find(name);

	return ops ? pm_gov_mgr_switch(m, ops, kv, nkv) : -ENOENT;
}

void pm_gov_mgr_shutdown(struct pm_gov_mgr *m)
{
	pm_gov_destroy(m->cur);
	m->cur = NULL;
}

int pm_gov_priv_percpu(struct pm_gov *gov, size_t elem)
{
	gov->priv = calloc(gov->plat->ncpus ? gov->plat->ncpus : 1, elem);
	return gov->priv ? 0 : -ENOMEM;
}

void pm_gov_priv_free(struct pm_gov *gov)
{
	free(gov->priv);
	gov->priv = NULL;
}
