/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The unit tests of other files, run in unit_tests.c's one group. */
#ifndef LB_TESTS_UNIT_H
#define LB_TESTS_UNIT_H

#include <stddef.h>

struct CMUnitTest;

/* conf_tests.c: pool config files */
extern const struct CMUnitTest conf_tests[];
extern const size_t conf_ntests;

/* itab_tests.c: the ingress table */
extern const struct CMUnitTest itab_tests[];
extern const size_t itab_ntests;

#endif
