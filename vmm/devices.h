/* SPDX-License-Identifier: GPL-2.0-only */
/* The emulated devices of pv-vmm (each one file, each with a const struct dev_ops). */
#ifndef PV_VMM_DEVICES_H
#define PV_VMM_DEVICES_H

#include <stddef.h>

#include "vmm/iobus.h"

struct vm;

/* 16550 UART at PV_PORT_COM1: @console = NULL / "stdout", "pty" or a file path. */
int dev_uart_create(struct vm *vm, const char *console, struct dev **out, char *err, size_t errlen);
/* Flush buffered console output now. */
void dev_uart_flush(struct dev *d);
/* i8042 keyboard controller: only the reset line (0xfe to port 0x64). */
int dev_i8042_create(struct vm *vm, struct dev **out);
/* Paravirtual channel ports PV_PORT_BASE .. +7: doorbell and power-off. */
int dev_pvchan_create(struct vm *vm, struct dev **out);

#endif /* PV_VMM_DEVICES_H */
