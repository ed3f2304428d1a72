/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* latebind exporter: Prometheus metrics of the pools (docs/metrics.md). */
#ifndef LB_CLI_EXPORTER_H
#define LB_CLI_EXPORTER_H

#include <stdio.h>

/*
 * Loopback only, unless told otherwise. 27746 is 0x6c62, "lb" (as in the
 * pools' device groups): past 9100-9999, which Prometheus' list of exporter
 * ports has filled, and below Linux's ephemeral ports (32768 and up).
 */
#define EXPORTER_LISTEN_DEFAULT "127.0.0.1:27746"

/* Every pool of this network namespace, as the text exposition format, into @f. */
int metrics_scrape(FILE *f);

#endif
