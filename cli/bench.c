// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * latebind bench bind: what a late bind costs next to creating a tunnel on
 * demand, measured in one run on this host.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <latebind/latebind.h>
#include <latebind/bench.h>
#include "args.h"
#include "cli.h"
#include "bench.h"
#include "churn.h"
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

/* Sorts @ns in place. Nearest-rank percentiles. */
struct dist summarize(uint64_t *ns, size_t n)
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

/*
 * Bind, rebind and unbind the tunnel in @slot, @ops calls in turn, from
 * sample @from. Each call first checks, under the pool's lock, that the slot
 * is as the previous one left it (*@word): a tunnel someone else bound
 * meanwhile is never touched (-EBUSY).
 */
int time_binds(struct latebind_pool *pool, uint32_t slot, uint32_t *word, uint32_t vni_base,
	       uint64_t *ns, size_t from, size_t ops)
{
	for (size_t i = from; i < from + ops; i++) {
		uint64_t t0 = now_ns();
		int err;

		switch (i % 3) {
		case 0:
			err = latebind_bind_if(pool, slot, word, vni_base + (uint32_t)(i / 3 % 1000));
			break;
		case 1:
			err = latebind_bind_if(pool, slot, word,
					       vni_base + 1000 + (uint32_t)(i / 3 % 1000));
			break;
		default:
			err = latebind_unbind_if(pool, slot, word);
			break;
		}
		ns[i] = now_ns() - t0;
		if (err)
			return err;
	}
	return 0;
}

static int ondemand_for(const struct latebind_pool_info *pi, uint32_t vni_base, uint32_t n,
			struct latebind_ondemand **od)
{
	struct latebind_pool_spec spec;

	latebind_pool_spec_init(&spec);
	spec.underlay = pi->underlay;
	spec.type = pi->type;
	spec.remote = pi->remote;
	spec.local = pi->local;
	spec.count = n;
	spec.dummy_base = vni_base;
	spec.prefix = "lbod";
	spec.dstport = pi->dstport;
	spec.udp_csum = pi->udp_csum ? LATEBIND_CSUM_ON : LATEBIND_CSUM_OFF;
	return latebind_ondemand_open(&spec, od);
}

/* Create tunnels [from, from + n) of @od, timing each. */
static int time_creates(struct latebind_ondemand *od, uint64_t *ns, size_t from, size_t n)
{
	for (size_t i = from; i < from + n; i++) {
		uint64_t t0 = now_ns();
		int err = latebind_ondemand_create(od, (uint32_t)i);

		ns[i] = now_ns() - t0;
		if (err)
			return err;
	}
	return 0;
}

/* One measurement: @ops binds and @creates creates, in 10 alternating blocks. */
struct run {
	uint64_t *bind_ns, *create_ns;
	struct dist bind, create;
};

static int measure(struct latebind_pool *pool, uint32_t slot, const struct latebind_pool_info *pi,
		   uint32_t ops, uint32_t creates, uint32_t create_base, struct run *r)
{
	struct latebind_ondemand *od;
	uint32_t word = 0; /* the slot was unbound when it was picked */
	int err;

	r->bind_ns = calloc(ops, sizeof(uint64_t));
	r->create_ns = calloc(creates, sizeof(uint64_t));
	if (!r->bind_ns || !r->create_ns)
		return -ENOMEM;
	err = ondemand_for(pi, create_base, creates, &od);
	if (err)
		return err;
	for (uint32_t b = 0; b < 10 && !err; b++) {
		size_t bf = (size_t)ops * b / 10, bt = (size_t)ops * (b + 1) / 10;
		size_t cf = (size_t)creates * b / 10, ct = (size_t)creates * (b + 1) / 10;

		err = time_binds(pool, slot, &word, 15000000, r->bind_ns, bf, bt - bf);
		if (!err)
			err = time_creates(od, r->create_ns, cf, ct - cf);
	}
	if (!err)
		err = latebind_unbind_if(pool, slot, &word);
	latebind_ondemand_close(od);
	if (err)
		return err;
	r->bind = summarize(r->bind_ns, ops);
	r->create = summarize(r->create_ns, creates);
	return 0;
}

static void write_samples(const char *dir, const char *name, const uint64_t *ns, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.txt", dir, name);
	f = fopen(path, "w");
	if (!f)
		return;
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%.3f\n", ns[i] / 1000.0);
	fclose(f);
}

static const char bench_bind_usage[] =
	"usage: latebind bench bind dev UNDERLAY [ ops N ] [ creates N ] [ churn [ WORKERS ] ]"
	" [ samples DIR ]";

static int bench_bind(int argc, char **argv)
{
	const char *dev = NULL, *samples = NULL;
	uint32_t ops = 100000, creates = 200;
	uint32_t churn = 0; /* workers */
	struct latebind_pool_info pi;
	struct latebind_tunnel_info t;
	struct latebind_pool *pool;
	struct run idle = { 0 }, busy = { 0 };
	unsigned long cycles = 0;
	uint64_t t_churn = 0;
	struct churn ch;
	uint32_t slot;
	int err;

	for (int i = 0; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "churn")) {
			churn = 1;
			if (v && !parse_u32(v, 1, CHURN_MAX_WORKERS, &churn))
				i++;
			continue;
		}
		if (!v)
			return cli_error("%s", bench_bind_usage);
		if (!strcmp(argv[i], "dev"))
			dev = v;
		else if (!strcmp(argv[i], "samples"))
			samples = v;
		else if (!strcmp(argv[i], "ops") && !parse_u32(v, 30, 100000000, &ops))
			;
		else if (!strcmp(argv[i], "creates") && !parse_u32(v, 10, 30000, &creates))
			;
		else
			return cli_error("invalid \"%s %s\"; %s", argv[i], v, bench_bind_usage);
		i++;
	}
	if (!dev)
		return cli_error("%s", bench_bind_usage);
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

	err = measure(pool, slot, &pi, ops, creates, 14000000, &idle);
	if (!err && churn) {
		err = churn_start(&ch, (int)churn);
		if (!err) {
			t_churn = now_ns();
			err = measure(pool, slot, &pi, ops, creates, 14100000, &busy);
			t_churn = now_ns() - t_churn;
			int e2 = churn_stop(&ch, &cycles);

			if (!err && e2)
				err = cli_error("the churn process failed") ? -EIO : 0;
		}
	}
	if (err)
		goto out;
	if (samples) {
		write_samples(samples, "bind_idle", idle.bind_ns, ops);
		write_samples(samples, "create_idle", idle.create_ns, creates);
		if (churn) {
			write_samples(samples, "bind_churn", busy.bind_ns, ops);
			write_samples(samples, "create_churn", busy.create_ns, creates);
		}
	}

	out_open_object(NULL);
	out_string("dev", "pool on %s", dev);
	out_string("tunnel", ", tunnel %s", t.name);
	out_string("type", " (%s); binds, rebinds and unbinds in turn, creates between\n",
		   latebind_tunnel_type_name(pi.type));
	out_text("%-28s %8s %10s %10s %10s %10s\n", "µs", "n", "p50", "p99", "p99.9", "max");
	print_dist("bind", "bind (maps), idle", &idle.bind);
	print_dist("create", "create on demand, idle", &idle.create);
	if (churn) {
		print_dist("bind_churn", "bind (maps), churn", &busy.bind);
		print_dist("create_churn", "create on demand, churn", &busy.create);
	}
	out_double("ratio_p50", "create/bind idle:  %6.0fx at p50", idle.create.p50 / idle.bind.p50);
	out_double("ratio_p99", ", %6.0fx at p99\n", idle.create.p99 / idle.bind.p99);
	if (churn) {
		out_double("ratio_churn_p50", "create/bind churn: %6.0fx at p50",
			   busy.create.p50 / busy.bind.p50);
		out_double("ratio_churn_p99", ", %6.0fx at p99\n", busy.create.p99 / busy.bind.p99);
		out_double("bind_p50_churn_move", "churn/idle: bind p50 %.2fx",
			   busy.bind.p50 / idle.bind.p50);
		out_double("bind_p99_churn_move", ", bind p99 %.2fx", busy.bind.p99 / idle.bind.p99);
		out_double("create_p50_churn_move", ", create p50 %.1fx",
			   busy.create.p50 / idle.create.p50);
		out_double("create_p99_churn_move", ", create p99 %.1fx\n",
			   busy.create.p99 / idle.create.p99);
		out_uint("churn_workers", "churn: %llu workers, ", churn);
		out_uint("churn_cycles", "%llu namespace cycles", cycles);
		out_double("churn_cycles_per_s", " (%.0f/s)\n", cycles / (t_churn / 1e9));
	}
	out_close_object();
	out_finish();
out:
	free(idle.bind_ns);
	free(idle.create_ns);
	free(busy.bind_ns);
	free(busy.create_ns);
	latebind_pool_close(pool);
	if (err == -EBUSY)
		return cli_error("tunnel %s was bound or unbound by someone else during the "
				 "bench: stopped, and left as they made it", t.name);
	if (err && err != -EIO)
		return cli_lib_error(err);
	return err ? 1 : 0;
}

int do_bench(int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "bind", bench_bind },
		{ "scale", bench_scale },
		{ NULL, NULL },
	};

	return cli_dispatch(cmds, "bench", argc, argv);
}
