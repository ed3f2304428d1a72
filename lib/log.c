// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"

static latebind_log_fn log_fn;
static void *log_ctx;
static __thread char last_error[512];

LATEBIND_API void latebind_set_log(latebind_log_fn fn, void *ctx)
{
	log_fn = fn;
	log_ctx = ctx;
}

LATEBIND_API const char *latebind_last_error(void)
{
	return last_error;
}

void lb_set_last_error(const char *msg)
{
	snprintf(last_error, sizeof(last_error), "%s", msg);
}

static void vlog(enum latebind_log_level level, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (level == LATEBIND_LOG_ERROR)
		memcpy(last_error, msg, sizeof(last_error));
	if (log_fn)
		log_fn(level, msg, log_ctx);
	else if (level <= LATEBIND_LOG_WARN)
		fprintf(stderr, "latebind: %s\n", msg);
}

void lb_log(enum latebind_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

int lb_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LATEBIND_LOG_ERROR, fmt, ap);
	va_end(ap);
	return err;
}
