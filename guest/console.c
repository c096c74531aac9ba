/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvguest console: a write-only 16550 at COM1 and a small printf. Used from ring 3 (each
 * byte through the outb gate: one exit plus ~2 emulated instructions) and, for the panic
 * message only, from ring 0.
 *
 * Lines are formatted into a buffer first and written under a spinlock, so lines from
 * different vCPUs never interleave.
 */
#include "console.h"
#include "arch.h"
#include "lib.h"
#include "vmm/pv_abi.h"

#define COM_THR		0
#define COM_IER		1
#define COM_FCR		2
#define COM_LCR		3
#define COM_MCR		4
#define LINE_MAX	768

static volatile uint32_t console_lock_word;

void console_init(void)
{
	outb(PV_PORT_COM1 + COM_IER, 0x00);	/* polled: no UART interrupts */
	outb(PV_PORT_COM1 + COM_LCR, 0x03);	/* 8N1 */
	outb(PV_PORT_COM1 + COM_FCR, 0x07);	/* FIFO on, cleared */
	outb(PV_PORT_COM1 + COM_MCR, 0x03);	/* DTR | RTS */
}

/* Write-only: VMM UARTs (pv-vmm, QEMU) accept THR writes at any time, and an LSR poll
 * would double the exits per character. */
static void console_putc(char ch)
{
	outb(PV_PORT_COM1 + COM_THR, (uint8_t)ch);
}

static void console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			console_putc('\r');
		console_putc(s[i]);
	}
}

static void console_lock(void)
{
	while (__atomic_exchange_n(&console_lock_word, 1, __ATOMIC_ACQUIRE))
		while (READ_ONCE(console_lock_word))
			cpu_relax();
}

static void console_unlock(void)
{
	__atomic_store_n(&console_lock_word, 0, __ATOMIC_RELEASE);
}

struct out_buf {
	char *buf;
	size_t size;
	size_t len;
};

static void out_ch(struct out_buf *o, char ch)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = ch;
	o->len++;
}

static void out_str(struct out_buf *o, const char *s)
{
	if (!s)
		s = "(null)";
	while (*s)
		out_ch(o, *s++);
}

static void out_u64(struct out_buf *o, uint64_t v, unsigned int base)
{
	char tmp[24];
	int n = 0;

	do {
		unsigned int d = (unsigned int)(v % base);

		tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	while (n)
		out_ch(o, tmp[--n]);
}

int console_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out_buf o = { .buf = buf, .size = size, .len = 0 };

	for (; *fmt; fmt++) {
		int lng = 0;

		if (*fmt != '%') {
			out_ch(&o, *fmt);
			continue;
		}
		fmt++;
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);

			if (v < 0) {
				out_ch(&o, '-');
				out_u64(&o, (uint64_t)0 - (uint64_t)v, 10);
			} else {
				out_u64(&o, (uint64_t)v, 10);
			}
			break;
		}
		case 'u':
			out_u64(&o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int), 10);
			break;
		case 'x':
			out_u64(&o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int), 16);
			break;
		case 's':
			out_str(&o, va_arg(ap, const char *));
			break;
		case 'c':
			out_ch(&o, (char)va_arg(ap, int));
			break;
		case '%':
			out_ch(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			out_ch(&o, '%');
			out_ch(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int console_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = console_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void console_vprintf(bool locked, const char *fmt, va_list ap)
{
	char line[LINE_MAX];
	int n = console_vsnprintf(line, sizeof(line), fmt, ap);
	size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;

	if (locked)
		console_lock();
	console_write(line, len);
	if (locked)
		console_unlock();
}

void cprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprintf(true, fmt, ap);
	va_end(ap);
}

void cprintf_unlocked(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprintf(false, fmt, ap);
	va_end(ap);
}
