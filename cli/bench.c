// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * latebind bench bind: what a late bind costs next to creating a tunnel on
 * demand, measured in one run on this host.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <latebind/latebind.h>
#include "args.h"
#include "cli.h"
#include "output.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct dist {
	size_t n;
	double p50, p99, p999, max; /* µs */
};

/* Sorts @ns in place. Nearest-rank percentiles. */
static struct dist summarize(uint64_t *ns, size_t n)
{
	struct dist d = { .n = n };

	if (!n)
		return d;
	qsort(ns, n, sizeof(*ns), cmp_u64);
#define RANK(p) ns[(size_t)((p) * (double)(n - 1) + 0.5)] / 1000.0
	d.p50 = RANK(0.50);
	d.p99 = RANK(0.99);
	d.p999 = RANK(0.999);
	d.max = ns[n - 1] / 1000.0;
#undef RANK
	return d;
}

static void print_dist(const char *name, const char *label, const struct dist *d)
{
	char key[64], fmt[64];

	out_text("%-28s", label);
	snprintf(key, sizeof(key), "%s_n", name);
	out_uint(key, " %8llu", d->n);
	snprintf(key, sizeof(key), "%s_p50_us", name);
	snprintf(fmt, sizeof(fmt), " %%10.2f");
	out_double(key, fmt, d->p50);
	snprintf(key, sizeof(key), "%s_p99_us", name);
	out_double(key, fmt, d->p99);
	snprintf(key, sizeof(key), "%s_p999_us", name);
	out_double(key, fmt, d->p999);
	snprintf(key, sizeof(key), "%s_max_us", name);
	out_double(key, " %10.2f\n", d->max);
}

/* Bind, rebind and unbind one unbound tunnel @ops times in turn. */
static int time_binds(struct latebind_pool *pool, uint32_t slot, uint32_t vni_base, uint64_t *ns,
		      size_t ops)
{
	for (size_t i = 0; i < ops; i++) {
		uint64_t t0 = now_ns();
		int err;

		switch (i % 3) {
		case 0:
			err = latebind_bind(pool, slot, vni_base + (uint32_t)(i / 3 % 1000), NULL);
			break;
		case 1:
			err = latebind_bind(pool, slot, vni_base + 1000 + (uint32_t)(i / 3 % 1000), NULL);
			break;
		default:
			err = latebind_unbind(pool, slot);
			break;
		}
		ns[i] = now_ns() - t0;
		if (err)
			return err;
	}
	return 0;
}

static int time_creates(const struct latebind_pool_info *pi, uint32_t vni_base, uint64_t *ns,
			size_t n)
{
	struct latebind_pool_spec spec;
	struct latebind_ondemand *od;
	int err;

	latebind_pool_spec_init(&spec);
	spec.underlay = pi->underlay;
	spec.type = pi->type;
	spec.remote = pi->remote;
	spec.local = pi->local;
	spec.count = (uint32_t)n;
	spec.dummy_base = vni_base;
	spec.prefix = "lbod";
	spec.dstport = pi->dstport;
	spec.udp_csum = pi->udp_csum ? LATEBIND_CSUM_ON : LATEBIND_CSUM_OFF;
	err = latebind_ondemand_open(&spec, &od);
	if (err)
		return err;
	for (size_t i = 0; i < n && !err; i++) {
		uint64_t t0 = now_ns();

		err = latebind_ondemand_create(od, (uint32_t)i);
		ns[i] = now_ns() - t0;
	}
	latebind_ondemand_close(od);
	return err;
}

static int bench_bind(int argc, char **argv)
{
	const char *dev = NULL;
	uint32_t ops = 100000, creates = 200, vni_base = 15000000, create_base = 14000000;
	struct latebind_pool_info pi;
	struct latebind_tunnel_info t;
	struct latebind_pool *pool;
	struct dist b, c;
	uint64_t *bns = NULL, *cns = NULL;
	uint32_t slot;
	int err;

	for (int i = 0; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "dev"))
			dev = argv[i + 1];
		else if (!strcmp(argv[i], "ops") && !parse_u32(argv[i + 1], 3, 100000000, &ops))
			;
		else if (!strcmp(argv[i], "creates") &&
			 !parse_u32(argv[i + 1], 1, 65536, &creates))
			;
		else
			return cli_error("invalid argument \"%s %s\"; usage: latebind bench bind "
					 "dev UNDERLAY [ ops N ] [ creates N ]", argv[i], argv[i + 1]);
	}
	if (argc % 2 || !dev)
		return cli_error("usage: latebind bench bind dev UNDERLAY [ ops N ] [ creates N ]");
	err = latebind_pool_open(dev, &pool);
	if (err)
		return cli_lib_error(err);
	latebind_pool_info(pool, &pi);
	for (slot = 0; slot < pi.count; slot++)
		if (!latebind_tunnel_info(pool, slot, &t) && !t.bound)
			break;
	if (slot == pi.count) {
		latebind_pool_close(pool);
		return cli_error("the pool on %s has no unbound tunnel to measure with", dev);
	}
	bns = calloc(ops, sizeof(*bns));
	cns = calloc(creates, sizeof(*cns));
	if (!bns || !cns) {
		err = -ENOMEM;
		goto out;
	}
	err = time_binds(pool, slot, vni_base, bns, ops);
	if (!err)
		err = latebind_unbind(pool, slot);
	if (!err)
		err = time_creates(&pi, create_base, cns, creates);
	if (err)
		goto out;
	b = summarize(bns, ops);
	c = summarize(cns, creates);

	out_open_object(NULL);
	out_string("dev", "pool on %s", dev);
	out_string("tunnel", ", tunnel %s", t.name);
	out_string("type", " (%s)\n", latebind_tunnel_type_name(pi.type));
	out_text("%-28s %8s %10s %10s %10s %10s\n", "µs", "n", "p50", "p99", "p99.9", "max");
	print_dist("bind", "bind/rebind/unbind (maps)", &b);
	print_dist("create", "create on demand (netlink)", &c);
	out_double("ratio_p50", "create/bind: %.0fx at p50", c.p50 / b.p50);
	out_double("ratio_p99", ", %.0fx at p99\n", c.p99 / b.p99);
	out_close_object();
	out_finish();
out:
	free(bns);
	free(cns);
	latebind_pool_close(pool);
	return err ? cli_lib_error(err) : 0;
}

int do_bench(int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "bind", bench_bind },
		{ NULL, NULL },
	};

	return cli_dispatch(cmds, "bench", argc, argv);
}
