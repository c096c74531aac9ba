/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvctl's error messages: parsers and validators (arguments, addresses, the config file)
 * report a failure as a code and a message written into the caller's buffer, which names
 * what was wrong and the rule it broke.
 */
#ifndef PV_API_PVCTL_ERR_H
#define PV_API_PVCTL_ERR_H

#include <stddef.h>

/* Format the message into @err (when @err and @errlen) and return @rc. */
int pvctl_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same returning -EINVAL, the failure of every validator. */
int pvctl_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* PV_API_PVCTL_ERR_H */
