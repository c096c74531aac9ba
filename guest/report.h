/* SPDX-License-Identifier: GPL-2.0-only */
/* pvguest: end-of-run console summary (vCPU 0, after every vCPU stopped). */
#ifndef PVGUEST_REPORT_H
#define PVGUEST_REPORT_H

void report_final(void);

#endif /* PVGUEST_REPORT_H */
