/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Background RTNL churn for benchmarks (cli/churn.c). */
#ifndef LB_CLI_CHURN_H
#define LB_CLI_CHURN_H

#include <sys/types.h>

struct churn {
	pid_t pid;
	int report_fd;
};

int churn_start(struct churn *c);
/* Stop it; @cycles: create+delete cycles it completed. */
int churn_stop(struct churn *c, unsigned long *cycles);

#endif
