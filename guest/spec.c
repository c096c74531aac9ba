/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvguest workload spec and command-line parser (ring 3). Strict: an unknown workload or
 * key, a missing required key, a number out of range or a vcpu= beyond the vCPU count is an
 * error with a message that names the offending item — a VMM test that typos a spec should
 * fail loudly, not measure the wrong thing.
 */
#include "spec.h"
#include "console.h"
#include "guest.h"
#include "lib.h"

enum spec_key {
	K_PERIOD = 1u << 0,
	K_WCET = 1u << 1,
	K_DEADLINE = 1u << 2,
	K_ON = 1u << 3,
	K_OFF = 1u << 4,
	K_N = 1u << 5,
	K_VCPU = 1u << 6,
};

struct spec_key_def {
	const char *name;
	uint32_t key;
	uint64_t min, max;
};

static const struct spec_key_def spec_keys[] = {
	{ "period_us", K_PERIOD, 10, 10000000 },
	{ "wcet_us", K_WCET, 1, 10000000 },
	{ "deadline_us", K_DEADLINE, 1, 10000000 },
	{ "on_ms", K_ON, 0, 60000 },
	{ "off_ms", K_OFF, 0, 60000 },
	{ "n", K_N, 1, 1000000000 },
	{ "vcpu", K_VCPU, 0, MAX_CPUS - 1 },
};

struct spec_kind_def {
	const char *name;
	uint32_t allowed;
	uint32_t required;
};

static const struct spec_kind_def spec_kinds[WL_KIND_MAX] = {
	[WL_RT] = { "rt", K_PERIOD | K_WCET | K_DEADLINE, K_PERIOD | K_WCET },
	[WL_CPU] = { "cpu", 0, 0 },
	[WL_BURST] = { "burst", K_ON | K_OFF, K_ON | K_OFF },
	[WL_IDLE] = { "idle", 0, 0 },
	[WL_PIO_LOOP] = { "pio-loop", K_N, K_N },
	[WL_HLT_WAKE] = { "hlt-wake", K_N | K_PERIOD, K_N | K_PERIOD },
	[WL_TRIPLE_FAULT] = { "triple-fault", 0, 0 },
	[WL_GARBAGE_PORTS] = { "garbage-ports", K_N, K_N },
	[WL_GARBAGE_MMIO] = { "garbage-mmio", K_N, K_N },
	[WL_EXIT_FLOOD] = { "exit-flood", 0, 0 },
	[WL_BAD_PV] = { "bad-pv", K_N, 0 },
	[WL_BAD_INSN] = { "bad-insn", 0, 0 },
};

#define BAD_PV_DEFAULT_N	1000

const char *spec_kind_name(enum wl_kind kind)
{
	return (unsigned int)kind < WL_KIND_MAX ? spec_kinds[kind].name : "?";
}

static int spec_fail(char *err, size_t errlen, const char *what, const char *s, size_t len)
{
	char item[96];
	size_t n = len < sizeof(item) - 1 ? len : sizeof(item) - 1;

	memcpy(item, s, n);
	item[n] = '\0';
	console_snprintf(err, errlen, "%s in '%s'", what, item);
	return -EINVAL;
}

static uint64_t *spec_field(struct spec_item *it, uint32_t key)
{
	switch (key) {
	case K_PERIOD: return &it->period_us;
	case K_WCET: return &it->wcet_us;
	case K_DEADLINE: return &it->deadline_us;
	case K_ON: return &it->on_ms;
	case K_OFF: return &it->off_ms;
	case K_N: return &it->n;
	default: return NULL;
	}
}

static int spec_check_item(struct spec_item *it, uint32_t ncpus, const char *s, size_t len,
			   char *err, size_t errlen)
{
	if (it->vcpu != SPEC_VCPU_AUTO && (uint32_t)it->vcpu >= ncpus)
		return spec_fail(err, errlen, "vcpu= beyond the vCPU count", s, len);
	switch (it->kind) {
	case WL_RT:
		if (!it->deadline_us)
			it->deadline_us = it->period_us;
		if (it->wcet_us > it->deadline_us || it->deadline_us > it->period_us)
			return spec_fail(err, errlen,
					 "need wcet_us <= deadline_us <= period_us", s, len);
		break;
	case WL_BURST:
		if (it->on_ms + it->off_ms == 0)
			return spec_fail(err, errlen, "on_ms + off_ms must be > 0", s, len);
		break;
	case WL_BAD_PV:
		if (!it->n)
			it->n = BAD_PV_DEFAULT_N;
		break;
	default:
		break;
	}
	return 0;
}

/* One item: [s, s+len). */
static int spec_parse_item(const char *s, size_t len, uint32_t ncpus, struct spec_item *it,
			   char *err, size_t errlen)
{
	const char *colon = memchr(s, ':', len);
	size_t name_len = colon ? (size_t)(colon - s) : len;
	const struct spec_kind_def *kd = NULL;
	uint32_t seen = 0;

	memset(it, 0, sizeof(*it));
	it->vcpu = SPEC_VCPU_AUTO;
	for (unsigned int k = 0; k < WL_KIND_MAX; k++) {
		if (lib_word_eq(s, name_len, spec_kinds[k].name)) {
			kd = &spec_kinds[k];
			it->kind = (enum wl_kind)k;
		}
	}
	if (!kd)
		return spec_fail(err, errlen, "unknown workload", s, len);

	for (const char *p = colon ? colon + 1 : s + len; p < s + len;) {
		const char *end = memchr(p, ',', (size_t)(s + len - p));
		const char *eq;
		const struct spec_key_def *key = NULL;
		uint64_t v;

		if (!end)
			end = s + len;
		eq = memchr(p, '=', (size_t)(end - p));
		if (!eq)
			return spec_fail(err, errlen, "expected key=value", s, len);
		for (unsigned int k = 0; k < ARRAY_SIZE(spec_keys); k++)
			if (lib_word_eq(p, (size_t)(eq - p), spec_keys[k].name))
				key = &spec_keys[k];
		if (!key || !((kd->allowed | K_VCPU) & key->key))
			return spec_fail(err, errlen, "unknown key", s, len);
		if (seen & key->key)
			return spec_fail(err, errlen, "duplicate key", s, len);
		if (lib_parse_u64(eq + 1, (size_t)(end - eq - 1), &v) || v < key->min ||
		    v > key->max)
			return spec_fail(err, errlen, "bad or out-of-range number", s, len);
		seen |= key->key;
		if (key->key == K_VCPU)
			it->vcpu = (int32_t)v;
		else
			*spec_field(it, key->key) = v;
		p = end + 1;
	}
	if ((seen & kd->required) != kd->required)
		return spec_fail(err, errlen, "missing required key", s, len);
	return spec_check_item(it, ncpus, s, len, err, errlen);
}

int spec_parse(const char *str, uint32_t ncpus, struct spec *out, char *err, size_t errlen)
{
	size_t total = strnlen(str, PV_WORKLOAD_MAX);
	const char *p = str, *end = str + total;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *item_end = semi ? semi : end;
		int ret;

		while (p < item_end && *p == ' ')
			p++;
		if (p == item_end) {
			p = item_end + 1;
			continue;	/* tolerate "a;;b" and a trailing ';' */
		}
		if (out->nitems == SPEC_MAX_ITEMS)
			return spec_fail(err, errlen, "too many items", p, (size_t)(item_end - p));
		ret = spec_parse_item(p, (size_t)(item_end - p), ncpus,
				      &out->items[out->nitems], err, errlen);
		if (ret)
			return ret;
		out->nitems++;
		p = item_end + 1;
	}
	if (out->nitems == 0)
		return spec_fail(err, errlen, "empty workload spec", str, total);
	return 0;
}

int spec_parse_cmdline(const char *cmdline, struct cmdline_opts *o, char *err, size_t errlen)
{
	const char *p = cmdline, *end = cmdline + strnlen(cmdline, PV_CMDLINE_MAX);

	memset(o, 0, sizeof(*o));
	o->timer = -1;
	while (p < end) {
		const char *sp = memchr(p, ' ', (size_t)(end - p));
		const char *tok_end = sp ? sp : end;
		size_t len = (size_t)(tok_end - p);
		const char *eq = memchr(p, '=', len);

		if (eq) {
			const char *val = eq + 1;
			size_t vlen = (size_t)(tok_end - val);

			if (lib_word_eq(p, (size_t)(eq - p), "workload")) {
				o->workload = val;
				o->workload_len = vlen;
			} else if (lib_word_eq(p, (size_t)(eq - p), "duration_ms")) {
				if (lib_parse_u64(val, vlen, &o->duration_ms) ||
				    o->duration_ms > 3600000)
					return spec_fail(err, errlen, "bad duration_ms", p, len);
				o->has_duration = true;
			} else if (lib_word_eq(p, (size_t)(eq - p), "pv_pages_gpa")) {
				if (lib_parse_u64(val, vlen, &o->pv_pages_gpa) ||
				    o->pv_pages_gpa % PV_GPAGE_SIZE)
					return spec_fail(err, errlen, "bad pv_pages_gpa", p, len);
			} else if (lib_word_eq(p, (size_t)(eq - p), "timer")) {
				if (lib_word_eq(val, vlen, "deadline"))
					o->timer = TIMER_TSC_DEADLINE;
				else if (lib_word_eq(val, vlen, "oneshot"))
					o->timer = TIMER_ONESHOT;
				else
					return spec_fail(err, errlen, "bad timer=", p, len);
			} else if (lib_word_eq(p, (size_t)(eq - p), "pv")) {
				if (lib_word_eq(val, vlen, "off"))
					o->pv_off = true;
				else if (!lib_word_eq(val, vlen, "on"))
					return spec_fail(err, errlen, "bad pv= (on or off)", p, len);
			}
		}
		p = tok_end + 1;
	}
	return 0;
}
