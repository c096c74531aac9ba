/* SPDX-License-Identifier: GPL-2.0-only */
/* pvguest: polled 16550 console on COM1 (every byte is a port exit: keep output modest). */
#ifndef PVGUEST_CONSOLE_H
#define PVGUEST_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

void console_init(void);
/* Format one line (or any text) and write it atomically w.r.t. other vCPUs. */
void cprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same without the lock: for the panic path, which may interrupt a lock holder. */
void cprintf_unlocked(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* snprintf subset (%s %c %d %u %x with l/ll/z): returns the untruncated length. */
int console_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int console_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* PVGUEST_CONSOLE_H */
