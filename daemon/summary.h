/* SPDX-License-Identifier: GPL-2.0-only */
/* Human and machine summaries of the published state: the live view and --summary-json. */
#ifndef PV_DAEMON_SUMMARY_H
#define PV_DAEMON_SUMMARY_H

#include <stdio.h>

#include <jansson.h>

struct daemon;
struct dsnap;

/* A few lines per second on the terminal: node, CPUs, VMs. */
void summary_live(struct daemon *d, FILE *out);
/* The whole run as JSON (per VM, per CPU, node). */
json_t *summary_json(const struct dsnap *s);
int summary_write(struct daemon *d, const char *path);

#endif /* PV_DAEMON_SUMMARY_H */
