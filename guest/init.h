/* SPDX-License-Identifier: GPL-2.0-only */
/* pvguest: ring-3 start-up of each vCPU (first code after the drop from ring 0). */
#ifndef PVGUEST_INIT_H
#define PVGUEST_INIT_H

#include <stdint.h>

/* The pointer kmain hands to init_main for this vCPU (its struct sched_cpu). */
void *init_cpu_cookie(uint32_t cpu);
__attribute__((noreturn)) void init_main(void *cookie);

#endif /* PVGUEST_INIT_H */
