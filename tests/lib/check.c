// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdarg.h>
#include <string.h>
#include "check.h"

unsigned long check_passed, check_failed;
char check_case[128];
static unsigned long cases_passed, cases_failed, failed_at_begin;

void check_begin(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(check_case, sizeof(check_case), fmt, ap);
	va_end(ap);
	failed_at_begin = check_failed;
}

bool check_end(void)
{
	bool ok = check_failed == failed_at_begin;

	if (ok)
		cases_passed++;
	else
		cases_failed++;
	check_case[0] = 0;
	return ok;
}

bool check_report(bool ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		check_passed++;
		return true;
	}
	check_failed++;
	fprintf(stderr, "FAIL %s:%d [%s] ", file, line, check_case);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return false;
}

static void hexdump(const char *tag, const unsigned char *p, size_t len, size_t mark)
{
	fprintf(stderr, "  %s (%zu bytes):", tag, len);
	for (size_t i = 0; i < len; i++) {
		if (i % 16 == 0)
			fprintf(stderr, "\n   %04zx:", i);
		fprintf(stderr, i == mark ? " [%02x]" : " %02x", p[i]);
	}
	fputc('\n', stderr);
}

bool check_bytes(const void *got, size_t got_len, const void *want, size_t want_len,
		 const char *file, int line, const char *what)
{
	size_t i, n = got_len < want_len ? got_len : want_len;

	for (i = 0; i < n; i++)
		if (((const unsigned char *)got)[i] != ((const unsigned char *)want)[i])
			break;
	if (i == n && got_len == want_len)
		return check_report(true, file, line, "%s", what);
	check_report(false, file, line, "%s: bytes differ at offset %zu", what, i);
	hexdump("got", got, got_len, i);
	hexdump("want", want, want_len, i);
	return false;
}

int check_summary(const char *suite)
{
	if (check_case[0]) /* checks outside a case count as one case */
		check_end();
	printf("%s: %lu assertions held, %lu failed\n", suite, check_passed, check_failed);
	printf("%s: %lu passed, %lu failed\n", suite, cases_passed, cases_failed);
	return check_failed || !cases_passed ? 1 : 0;
}
