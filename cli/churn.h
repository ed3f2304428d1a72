/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Background RTNL churn for benchmarks (cli/churn.c). */
#ifndef LB_CLI_CHURN_H
#define LB_CLI_CHURN_H

#include <sys/types.h>

#define CHURN_MAX_WORKERS 8

struct churn {
	int workers;
	pid_t pid[CHURN_MAX_WORKERS];
	int report_fd[CHURN_MAX_WORKERS];
};

/* Start @workers churn processes (1..CHURN_MAX_WORKERS). */
int churn_start(struct churn *c, int workers);
/* Stop them; @cycles: namespace cycles they completed, in all. */
int churn_stop(struct churn *c, unsigned long *cycles);

#endif
