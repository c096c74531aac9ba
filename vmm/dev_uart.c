// SPDX-License-Identifier: GPL-2.0-only
/*
 * 16550A UART (COM1), output only: enough for polled consoles (pvguest, Linux earlyprintk /
 * console=ttyS0). Transmit is always ready (LSR THRE|TEMT), no interrupts are raised, the
 * receiver is always empty. Output is buffered per line (or DEV_UART_BUF bytes) and written
 * to a file, a pty or stdout, so a chatty guest costs one write per line, not per byte.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/devices.h"
#include "vmm/pv_abi.h"
#include "vmm/vm.h"

#define DEV_UART_BUF	512
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40
#define UART_LCR_DLAB	0x80
#define UART_IIR_NONE	0x01

struct uart {
	pthread_mutex_t lock;
	int fd;			/* output */
	bool own_fd;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	size_t len;
	char buf[DEV_UART_BUF];
};

static void uart_flush_locked(struct uart *u)
{
	size_t done = 0;

	while (done < u->len) {
		ssize_t n = write(u->fd, u->buf + done, u->len - done);

		if (n <= 0 && errno != EINTR)
			break;	/* console gone: drop, never block the vCPU */
		if (n > 0)
			done += (size_t)n;
	}
	u->len = 0;
}

static int uart_write(struct dev *d, void *caller, uint64_t off, const void *data, uint32_t len)
{
	struct uart *u = d->priv;
	uint8_t v = *(const uint8_t *)data;

	(void)caller;
	(void)len;
	pthread_mutex_lock(&u->lock);
	switch (off) {
	case 0:
		if (u->lcr & UART_LCR_DLAB) {
			u->dll = v;
			break;
		}
		u->buf[u->len++] = (char)v;
		if (v == '\n' || u->len == sizeof(u->buf))
			uart_flush_locked(u);
		break;
	case 1:
		if (u->lcr & UART_LCR_DLAB)
			u->dlm = v;
		else
			u->ier = v & 0x0f;
		break;
	case 2: u->fcr = v; break;
	case 3: u->lcr = v; break;
	case 4: u->mcr = v; break;
	case 7: u->scr = v; break;
	default: break;
	}
	pthread_mutex_unlock(&u->lock);
	return 0;
}

static int uart_read(struct dev *d, void *caller, uint64_t off, void *data, uint32_t len)
{
	struct uart *u = d->priv;
	uint8_t v = 0;

	(void)caller;
	pthread_mutex_lock(&u->lock);
	switch (off) {
	case 0: v = u->lcr & UART_LCR_DLAB ? u->dll : 0; break;
	case 1: v = u->lcr & UART_LCR_DLAB ? u->dlm : u->ier; break;
	case 2: v = UART_IIR_NONE | (u->fcr & 1 ? 0xc0 : 0); break;
	case 3: v = u->lcr; break;
	case 4: v = u->mcr; break;
	case 5: v = UART_LSR_THRE | UART_LSR_TEMT; break;
	case 6: v = 0xb0; break;	/* DCD, DSR, CTS */
	case 7: v = u->scr; break;
	default: break;
	}
	pthread_mutex_unlock(&u->lock);
	memset(data, 0, len);
	*(uint8_t *)data = v;
	return 0;
}

void dev_uart_flush(struct dev *d)
{
	struct uart *u = d->priv;

	pthread_mutex_lock(&u->lock);
	uart_flush_locked(u);
	pthread_mutex_unlock(&u->lock);
}

static void uart_tick(struct dev *d)
{
	dev_uart_flush(d);
}

static void uart_destroy(struct dev *d)
{
	struct uart *u = d->priv;

	dev_uart_flush(d);
	if (u->own_fd)
		close(u->fd);
	free(u);
	free(d);
}

static const struct dev_ops uart_ops = {
	.read = uart_read,
	.write = uart_write,
	.tick = uart_tick,
	.destroy = uart_destroy,
};

static int uart_open_pty(char *err, size_t errlen)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0 || grantpt(fd) < 0 || unlockpt(fd) < 0) {
		snprintf(err, errlen, "console pty: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	fprintf(stderr, "pv-vmm: console on %s\n", ptsname(fd));
	return fd;
}

int dev_uart_create(struct vm *vm, const char *console, struct dev **out, char *err, size_t errlen)
{
	struct dev *d = calloc(1, sizeof(*d));
	struct uart *u = calloc(1, sizeof(*u));
	int ret;

	if (!d || !u) {
		ret = -ENOMEM;
		goto out_free;
	}
	pthread_mutex_init(&u->lock, NULL);
	if (!console || !strcmp(console, "stdout")) {
		u->fd = STDOUT_FILENO;
	} else if (!strcmp(console, "pty")) {
		u->fd = uart_open_pty(err, errlen);
		u->own_fd = true;
	} else {
		u->fd = open(console, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		u->own_fd = true;
		if (u->fd < 0)
			snprintf(err, errlen, "console %s: %s", console, strerror(errno));
	}
	if (u->fd < 0) {
		ret = u->fd == -1 ? -errno : u->fd;
		goto out_free;
	}
	d->name = "uart";
	d->ops = &uart_ops;
	d->priv = u;
	ret = vm_add_dev(vm, d, PV_PORT_COM1, 8);
	if (ret) {
		if (u->own_fd)
			close(u->fd);
		goto out_free;
	}
	*out = d;
	return 0;

out_free:
	free(u);
	free(d);
	return ret;
}
