// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * latebind bench scale: warm-pool creation time by size, bind latency by the
 * number of bound tunnels (real pool, and maps alone up to 65,536), and the
 * map memory a binding costs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <latebind/latebind.h>
#include <latebind/bench.h>
#include "args.h"
#include "cli.h"
#include "bench.h"
#include "output.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* p50 and p99 (µs) of @ops bind/rebind/unbind calls on @slot. */
static int bind_latency(struct latebind_pool *pool, uint32_t slot, uint32_t ops, double *p50,
			double *p99)
{
	uint64_t *ns = calloc(ops, sizeof(*ns));
	uint32_t word = latebind_binding_word(pool, slot); /* a scratch pool's: ours alone */
	struct dist d;
	int err;

	if (!ns)
		return -ENOMEM;
	err = time_binds(pool, slot, &word, 15000000, ns, 0, ops);
	if (!err)
		err = latebind_unbind(pool, slot);
	d = summarize(ns, ops);
	*p50 = d.p50;
	*p99 = d.p99;
	free(ns);
	return err;
}

/* Bind slots [from, to) to distinct VNIs (their ingress keys differ). */
static int fill(struct latebind_pool *pool, uint32_t from, uint32_t to)
{
	for (uint32_t s = from; s < to; s++) {
		int err = latebind_bind(pool, s, 100000 + s, NULL);

		if (err)
			return err;
	}
	return 0;
}

/* The kernel's own account of a map's memory (fdinfo "memlock", 6.4+ exact). */
static long long map_memlock(struct latebind_pool *pool, const char *name)
{
	char path[64], line[128];
	long long v = -1;
	int fd = latebind_pool_map_fd(pool, name);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fd >= 0 ? fopen(path, "r") : NULL;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lld", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

static int pool_sizes(const struct latebind_pool_spec *base)
{
	static const uint32_t sizes[] = { 1000, 2000, 4000 };
	char key[64];
	int err = 0;

	out_text("warm pool creation (%s, create + up + tag; destroy after)\n",
		 latebind_tunnel_type_name(base->type));
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && !err; i++) {
		struct latebind_pool_spec spec = *base;
		double t0, t1, t2;

		spec.count = sizes[i];
		t0 = now_s();
		err = latebind_pool_create(&spec, NULL);
		t1 = now_s();
		if (!err)
			err = latebind_pool_destroy(spec.underlay);
		t2 = now_s();
		if (err)
			break;
		snprintf(key, sizeof(key), "pool_create_%u_s", sizes[i]);
		out_double(key, "  %5.3f s", t1 - t0);
		snprintf(key, sizeof(key), "pool_create_%u_tunnels_per_s", sizes[i]);
		out_double(key, " to create %.0f tunnels/s", sizes[i] / (t1 - t0));
		out_text(" (%u)", sizes[i]);
		snprintf(key, sizeof(key), "pool_destroy_%u_s", sizes[i]);
		out_double(key, ", %.3f s to destroy\n", t2 - t1);
	}
	return err;
}

static int bound_scale(struct latebind_pool *pool, const char *prefix, const uint32_t *levels,
		       size_t n, uint32_t ops)
{
	uint32_t done = 1; /* slot 0 is the one measured */
	char key[64], fmt[64];
	int err = 0;

	for (size_t i = 0; i < n && !err; i++) {
		double p50, p99;

		err = fill(pool, done, levels[i] + 1);
		done = levels[i] + 1;
		if (!err)
			err = bind_latency(pool, 0, ops, &p50, &p99);
		if (err)
			break;
		snprintf(fmt, sizeof(fmt), "  %6u bound: p50 %%6.2f µs", levels[i]);
		snprintf(key, sizeof(key), "%sbind_p50_us_%u", prefix, levels[i]);
		out_double(key, fmt, p50);
		snprintf(key, sizeof(key), "%sbind_p99_us_%u", prefix, levels[i]);
		out_double(key, ", p99 %6.2f µs\n", p99);
	}
	return err;
}

static const char usage[] =
	"usage: latebind bench scale dev UNDERLAY type { geneve | vxlan } remote ADDR [ ops N ]";

int bench_scale(int argc, char **argv)
{
	static const uint32_t real_levels[] = { 16, 1024, 4096 };
	static const uint32_t map_levels[] = { 16, 1024, 4096, 16384, 65535 };
	struct latebind_pool_spec spec;
	struct latebind_pool *pool = NULL;
	uint32_t ops = 30000;
	long long in0, in1, eg;
	int ncpu = libbpf_num_possible_cpus(), err;

	latebind_pool_spec_init(&spec);
	spec.type = 0;
	for (int i = 0; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "dev"))
			spec.underlay = argv[i + 1];
		else if (!strcmp(argv[i], "type") &&
			 !latebind_tunnel_type_parse(argv[i + 1], &spec.type))
			;
		else if (!strcmp(argv[i], "remote") && !latebind_addr_parse(argv[i + 1], &spec.remote))
			;
		else if (!strcmp(argv[i], "ops") && !parse_u32(argv[i + 1], 30, 10000000, &ops))
			;
		else
			return cli_error("invalid \"%s %s\"; %s", argv[i], argv[i + 1], usage);
	}
	if (argc % 2 || !spec.underlay || !spec.type || !spec.remote.family)
		return cli_error("%s", usage);

	out_open_object(NULL);
	err = pool_sizes(&spec);
	if (err)
		goto out;

	out_string("dev", "bind latency by bound tunnels, real pool of 4097 on %s\n", spec.underlay);
	spec.count = 4097;
	spec.prefix = "sc";
	err = latebind_pool_create(&spec, NULL);
	if (!err) {
		err = latebind_pool_open(spec.underlay, &pool);
		if (!err)
			err = bound_scale(pool, "", real_levels, 3, ops);
		latebind_pool_close(pool);
		pool = NULL;
		latebind_pool_destroy(spec.underlay);
	}
	if (err)
		goto out;

	out_text("bind latency by bound tunnels, maps alone (no devices), 65536 slots\n");
	err = latebind_pool_open_scratch(65536, &spec.remote, &pool);
	if (err)
		goto out;
	in0 = map_memlock(pool, "lb_ingress_tab");
	err = bound_scale(pool, "map_", map_levels, 5, ops);
	if (err)
		goto out;
	in1 = map_memlock(pool, "lb_ingress_tab");
	eg = map_memlock(pool, "lb_egress_bind");
	/* Both tables are arrays, allocated whole: binding adds nothing (in1 == in0). */
	out_text("map memory (fdinfo memlock), 65536 slots, 65535 bound\n");
	out_double("mem_ingress_bytes_per_binding", "  ingress table %.1f B per slot",
		   (double)in1 / 65536);
	out_uint("mem_ingress_grew_bytes", " (grew %llu B while binding)",
		 (unsigned long long)(in1 - in0));
	out_double("mem_egress_bytes_per_slot", ", egress slot record %.1f B\n", eg / 65536.0);
	out_double("mem_bytes_per_binding", "  binding state: %.1f B per binding",
		   (double)in1 / 65536 + eg / 65536.0);
	out_uint("mem_counter_bytes_per_tunnel", "; counters %llu B per tunnel",
		 (unsigned long long)sizeof(struct lb_tun_stats) * (ncpu > 0 ? ncpu : 1));
	out_int("possible_cpus", " (%lld CPUs)\n", ncpu);
out:
	out_close_object();
	out_finish();
	latebind_pool_close(pool);
	return err ? cli_lib_error(err) : 0;
}
