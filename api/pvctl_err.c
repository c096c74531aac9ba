// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvctl's error messages into caller buffers: see pvctl_err.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "api/pvctl_err.h"

static int err_vformat(char *err, size_t errlen, int rc, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static int err_vformat(char *err, size_t errlen, int rc, const char *fmt, va_list ap)
{
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
	return rc;
}

int pvctl_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rc = err_vformat(err, errlen, rc, fmt, ap);
	va_end(ap);
	return rc;
}

int pvctl_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = err_vformat(err, errlen, -EINVAL, fmt, ap);
	va_end(ap);
	return rc;
}
