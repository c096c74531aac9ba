// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's workload grammar on the host: guest/spec.c itself is compiled into this file,
 * so the daemon accepts exactly what pvguest parses — one grammar, not a copy that drifts.
 *
 * guest/spec.c is freestanding code: it includes "console.h", "guest.h" and "lib.h" from
 * guest/. Their include guards are defined before it, so they add nothing here, and this
 * file supplies the few things spec.c takes from them (host libc stands in for lib.c and
 * console.c). Should spec.c start using anything else of theirs, this file stops compiling
 * — loudly, at build time. Its functions are renamed so they stay private to the daemon.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "daemon/wlspec.h"
#include "guest/arch.h"		/* MAX_CPUS, ARRAY_SIZE */
#include "tracer/event.h"	/* PV_GUEST_MAX_TASKS */
#include "vmm/pv_abi.h"		/* PV_WORKLOAD_MAX, PV_CMDLINE_MAX, PV_GPAGE_SIZE */

/* ---- what guest/spec.c uses from guest/console.h, guest/guest.h, guest/lib.h --------- */
#define PVGUEST_CONSOLE_H
#define PVGUEST_GUEST_H
#define PVGUEST_LIB_H

#define console_snprintf	snprintf
enum { TIMER_TSC_DEADLINE = 0, TIMER_ONESHOT };	/* guest.h: spec_parse_cmdline() only */

#define lib_word_eq		wlspec_word_eq
#define lib_parse_u64		wlspec_parse_u64
bool lib_word_eq(const char *s, size_t len, const char *word);	/* guest/lib.h */
int lib_parse_u64(const char *s, size_t len, uint64_t *out);
#include "guest/parse.c"

#define spec_parse		wlspec_guest_parse
#define spec_parse_cmdline	wlspec_guest_parse_cmdline
#define spec_kind_name		wlspec_guest_kind_name
#include "guest/spec.c"

/* ---- the check -------------------------------------------------------------------- */

int wlspec_check(const char *workload, uint32_t vcpus, char *err, size_t errlen)
{
	uint32_t ncpus = vcpus < MAX_CPUS ? vcpus : MAX_CPUS;	/* what the guest boots */
	uint32_t ntasks[MAX_CPUS] = { 0 }, i, cpu, auto_idx = 0;
	struct spec spec;

	if (!ncpus) {
		snprintf(err, errlen, "no vCPU to run it");
		return -EINVAL;
	}
	if (strnlen(workload, PV_WORKLOAD_MAX) == PV_WORKLOAD_MAX) {
		snprintf(err, errlen, "longer than %u bytes", PV_WORKLOAD_MAX - 1);
		return -EINVAL;
	}
	if (spec_parse(workload, ncpus, &spec, err, errlen))
		return -EINVAL;
	/* where the guest puts each task (guest/workload.c: round-robin unless vcpu=) */
	for (i = 0; i < spec.nitems; i++) {
		const struct spec_item *it = &spec.items[i];

		cpu = it->vcpu == SPEC_VCPU_AUTO ? auto_idx++ % ncpus : (uint32_t)it->vcpu;
		if (++ntasks[cpu] > PV_GUEST_MAX_TASKS) {
			snprintf(err, errlen, "more than %u tasks on vcpu %u (item %u, '%s')",
				 PV_GUEST_MAX_TASKS, cpu, i + 1, spec_kind_name(it->kind));
			return -EINVAL;
		}
	}
	return 0;
}
