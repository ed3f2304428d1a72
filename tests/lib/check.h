/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A minimal assertion kit in the style of the kernel's bpf selftests. Each
 * CHECK returns whether it held and is counted. Checks are grouped in cases
 * (check_begin/check_end); a case passes when all its checks held. A test
 * program ends with check_summary(), which prints "SUITE: N passed, N failed"
 * over cases and returns the exit code.
 */
#ifndef LB_TEST_CHECK_H
#define LB_TEST_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

extern unsigned long check_passed, check_failed; /* assertions */
extern char check_case[128]; /* name of the running case, for messages */

void check_begin(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool check_end(void);

bool check_report(bool ok, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool check_bytes(const void *got, size_t got_len, const void *want, size_t want_len,
		 const char *file, int line, const char *what);
int check_summary(const char *suite);

#define CHECK(cond, fmt, ...) \
	check_report(!!(cond), __FILE__, __LINE__, "%s: " fmt, #cond, ##__VA_ARGS__)
#define CHECK_EQ(got, want, what)                                                          \
	({                                                                                 \
		long long __g = (long long)(got), __w = (long long)(want);                   \
		check_report(__g == __w, __FILE__, __LINE__, "%s: got %lld (0x%llx), want %lld (0x%llx)", \
			     what, __g, (unsigned long long)__g, __w, (unsigned long long)__w); \
	})
#define CHECK_BYTES(got, got_len, want, want_len, what) \
	check_bytes(got, got_len, want, want_len, __FILE__, __LINE__, what)

#endif
