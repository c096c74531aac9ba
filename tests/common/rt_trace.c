// SPDX-License-Identifier: GPL-2.0-only
/* Collecting a VM's RT misses through the trace API for benches (see rt_trace.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/common/http_client.h"
#include "tests/common/rt_trace.h"

#define RT_TRACE_POLL_US	200000

/* One page from @since; returns the next cursor (or @since when the request failed). */
static long long rt_trace_page(struct rt_trace *t, long long since)
{
	char path[192];
	struct http_result r;
	json_t *j, *ev;
	uint64_t t0;
	size_t i;

	snprintf(path, sizeof(path), "/api/v1/trace?vm=%s&type=rt_miss,reservation&limit=10000"
		 "&since=%lld", t->vm, since);
	if (http_request(t->port, NULL, "GET", path, t->token[0] ? t->token : NULL, NULL, 0, 2000,
			 &r))
		return since;
	j = r.status == 200 ? json_loads(r.body, 0, NULL) : NULL;
	t0 = (uint64_t)json_integer_value(json_object_get(j, "t0_monotonic_ns"));
	json_array_foreach(json_object_get(j, "events"), i, ev) {
		const char *type = json_string_value(json_object_get(ev, "type"));
		json_t *d = json_object_get(ev, "detail");
		uint64_t at = t0 + (uint64_t)json_integer_value(json_object_get(ev, "t_ns"));

		if (!type)
			continue;
		if (!strcmp(type, "reservation") && !t->resv_ns &&
		    json_integer_value(json_object_get(d, "runtime_ns")) > 0)
			t->resv_ns = at;
		if (!strcmp(type, "rt_miss") && t->n < RT_TRACE_MAX) {
			t->at_ns[t->n] = at;
			t->late_ns[t->n++] = (uint64_t)json_integer_value(json_object_get(d, "lateness_ns"));
		}
	}
	if (json_is_integer(json_object_get(j, "next")))
		since = json_integer_value(json_object_get(j, "next"));
	json_decref(j);
	http_result_free(&r);
	return since;
}

static void *rt_trace_main(void *arg)
{
	struct rt_trace *t = arg;
	long long since = 0;

	while (!atomic_load(&t->stop)) {
		since = rt_trace_page(t, since);
		usleep(RT_TRACE_POLL_US);
	}
	rt_trace_page(t, since);
	return NULL;
}

void rt_trace_start(struct rt_trace *t, uint16_t port, const char *token, const char *vm)
{
	memset(t, 0, sizeof(*t));
	t->port = port;
	snprintf(t->token, sizeof(t->token), "%s", token ? token : "");
	snprintf(t->vm, sizeof(t->vm), "%s", vm);
	t->started = port && !pthread_create(&t->th, NULL, rt_trace_main, t);
}

void rt_trace_stop(struct rt_trace *t)
{
	atomic_store(&t->stop, true);
	if (t->started)
		pthread_join(t->th, NULL);
	t->started = false;
}

void rt_trace_classify(const struct rt_trace *t, const struct stall_probe *probe,
		       uint64_t resv_runtime_ns, uint64_t period_ns, uint64_t from_ns, uint64_t to_ns,
		       size_t *held, size_t *in_stalls)
{
	*held = *in_stalls = 0;
	for (size_t i = 0; i < t->n; i++) {
		uint64_t release = t->at_ns[i] - t->late_ns[i] - period_ns;

		if (!t->resv_ns || release < t->resv_ns || release < from_ns || release > to_ns)
			continue;
		(*held)++;
		*in_stalls += stall_probe_stalled(probe, release - 200000ull, t->at_ns[i],
						  resv_runtime_ns, period_ns);
	}
}
