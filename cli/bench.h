/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What latebind bench bind and bench scale share (cli/bench.c). */
#ifndef LB_CLI_BENCH_H
#define LB_CLI_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <latebind/latebind.h>

struct dist {
	size_t n;
	double p50, p99, p999, max; /* µs */
};

/* Sorts @ns in place; nearest-rank percentiles. */
struct dist summarize(uint64_t *ns, size_t n);
/*
 * Bind, rebind (VNIs from @vni_base) and unbind the tunnel in @slot, one call
 * per sample, timing samples [from, from + ops) of @ns.
 */
int time_binds(struct latebind_pool *pool, uint32_t slot, uint32_t *word, uint32_t vni_base,
	       uint64_t *ns, size_t from, size_t ops);

int bench_scale(int argc, char **argv);

#endif
