// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bench-datapath: ns per packet of lb_egress / lb_ingress against a
 * pass-through tc program, all measured in the same run through
 * BPF_PROG_TEST_RUN. A benchmark, not a test: it prints numbers.
 *
 * Each case is timed as "restored": bench_restore puts the original frame
 * back and tail-calls the program, so a rewrite happens on every one of the
 * repeats (see bench/passthrough.bpf.c). Cases that never modify the packet
 * are also timed "direct", without the wrapper. Rounds alternate the cases
 * and the median round is reported, to damp a noisy shared machine.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "harness.h"
#include "pktbuild.h"
#include "passthrough.skel.h"

#define DUMMY LB_DUMMY_MIN_DEFAULT
#define REAL 100
#define STALE_REAL 300 /* an ingress entry whose tunnel (DUMMY + 1) is not bound */
#define ROUNDS 7

enum target { T_EGRESS, T_INGRESS, T_PASS };

struct bench_case {
	const char *name;
	const char *key; /* JSON */
	enum target target;
	int tunnel; /* 0: a TCP frame */
	uint32_t vni;
	int modifies; /* rewrites the packet: only the restored timing means anything */
	uint8_t frame[128];
	size_t len;
	double restored[ROUNDS], direct[ROUNDS];
};

static struct bench_case cases[] = {
	{ .name = "pass-through program", .key = "passthrough", .target = T_PASS, .tunnel = 1, .vni = DUMMY },
	{ .name = "egress hit (rewrite dummy->real)", .key = "egress_hit", .target = T_EGRESS, .tunnel = 1, .vni = DUMMY,
	  .modifies = 1 },
	{ .name = "ingress hit (rewrite real->dummy)", .key = "ingress_hit", .target = T_INGRESS, .tunnel = 1, .vni = REAL,
	  .modifies = 1 },
	{ .name = "egress miss (VNI not a dummy)", .key = "egress_miss", .target = T_EGRESS, .tunnel = 1, .vni = 200 },
	{ .name = "ingress miss (no binding)", .key = "ingress_miss", .target = T_INGRESS, .tunnel = 1, .vni = 200 },
	{ .name = "egress unbound (drop)", .key = "egress_unbound", .target = T_EGRESS, .tunnel = 1, .vni = DUMMY + 5 },
	{ .name = "ingress stale entry (drop)", .key = "ingress_stale", .target = T_INGRESS, .tunnel = 1, .vni = STALE_REAL },
	{ .name = "non-tunnel traffic (TCP)", .key = "non_tunnel", .target = T_EGRESS },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v)
{
	double s[ROUNDS];

	memcpy(s, v, sizeof(s));
	qsort(s, ROUNDS, sizeof(double), cmp_double);
	return s[ROUNDS / 2];
}

/* One timed run; errno is set on failure. */
static int time_run(int fd, const void *frame, size_t len, uint32_t repeat, double *ns)
{
	uint32_t mean;
	int err = dp_time_prog(fd, frame, len, repeat, &mean);

	if (err) {
		errno = -err;
		return err;
	}
	*ns = mean; /* mean ns per run, as the kernel reports it */
	return 0;
}

int main(int argc, char **argv)
{
	/* bench_datapath [REPEAT [JSON-FILE]] */
	uint32_t repeat = argc > 1 ? strtoul(argv[1], NULL, 0) : 2000000;
	const char *json_path = argc > 2 ? argv[2] : NULL;
	struct passthrough_bpf *pt;
	struct dp_harness *h;
	struct lb_ingress_key ik;
	struct lb_tun_stats st0, st1;
	uint64_t stale0 = 0, stale1 = 0;
	int fds[3], restore_fd, target_map, orig_map;
	uint32_t zero = 0;
	double base;

	h = dp_open();
	pt = passthrough_bpf__open_and_load();
	if (!h || !pt) {
		fprintf(stderr, "bench-datapath: cannot load the BPF programs (root needed)\n");
		return 1;
	}
	fds[T_EGRESS] = dp_prog_fd(h, DP_EGRESS);
	fds[T_INGRESS] = dp_prog_fd(h, DP_INGRESS);
	fds[T_PASS] = bpf_program__fd(pt->progs.lb_passthrough);
	restore_fd = bpf_program__fd(pt->progs.bench_restore);
	target_map = bpf_map__fd(pt->maps.bench_target);
	orig_map = bpf_map__fd(pt->maps.bench_orig);

	/* pb_default's outer source is 192.0.2.1: the ingress binding's remote. */
	static const uint8_t remote[4] = { 192, 0, 2, 1 };
	/* bind's order: the ingress entry, then the egress word that commits it */
	dp_ingress_key(&ik, REAL, LB_AF_INET, remote, NULL);
	if (dp_bind_ingress(h, &ik, DUMMY) || dp_bind_egress(h, DUMMY, REAL)) {
		fprintf(stderr, "bench-datapath: cannot write bindings\n");
		return 1;
	}
	/* a leftover entry: its tunnel's word is 0 */
	dp_ingress_key(&ik, STALE_REAL, LB_AF_INET, remote, NULL);
	if (dp_bind_ingress(h, &ik, DUMMY + 1)) {
		fprintf(stderr, "bench-datapath: cannot write bindings\n");
		return 1;
	}

	for (size_t i = 0; i < NCASES; i++) {
		struct bench_case *c = &cases[i];
		struct pb_spec s;

		pb_default(&s, c->tunnel ? PB_TUN_GENEVE : PB_TUN_NONE, PB_L3_IPV4);
		if (!c->tunnel) {
			s.l4 = PB_L4_TCP;
			s.dport = 443;
		}
		s.vni = c->vni;
		c->len = pb_build(&s, c->frame, sizeof(c->frame), NULL);
		if (c->len < 64) {
			fprintf(stderr, "bench-datapath: frame too short\n");
			return 1;
		}
	}

	printf("bench-datapath: %u repeats per run, %d rounds, median round reported\n", repeat,
	       ROUNDS);
	printf("frames: Geneve over IPv4 with UDP checksum, %zu bytes; TCP %zu bytes\n",
	       cases[1].len, cases[NCASES - 1].len);

	dp_tun_stats(h, 0, &st0);
	dp_drop_stats(h, LB_DROP_STALE, &stale0);
	for (int r = 0; r < ROUNDS; r++) {
		for (size_t i = 0; i < NCASES; i++) {
			struct bench_case *c = &cases[i];
			struct bench_frame { uint8_t b[64]; } orig;

			memcpy(orig.b, c->frame, sizeof(orig.b));
			if (bpf_map_update_elem(orig_map, &zero, &orig, BPF_ANY) ||
			    bpf_map_update_elem(target_map, &zero, &fds[c->target], BPF_ANY) ||
			    time_run(restore_fd, c->frame, c->len, repeat, &c->restored[r]) ||
			    time_run(fds[c->target], c->frame, c->len, repeat, &c->direct[r])) {
				fprintf(stderr, "bench-datapath: test run failed: %s\n", strerror(errno));
				return 1;
			}
		}
	}
	dp_tun_stats(h, 0, &st1);
	dp_drop_stats(h, LB_DROP_STALE, &stale1);

	base = median(cases[0].restored);
	printf("\n%-36s %12s %12s %14s\n", "case", "restored ns", "direct ns", "over baseline");
	for (size_t i = 0; i < NCASES; i++) {
		struct bench_case *c = &cases[i];
		char direct[32];

		if (c->modifies)
			snprintf(direct, sizeof(direct), "%s", "-");
		else
			snprintf(direct, sizeof(direct), "%.1f", median(c->direct));
		printf("%-36s %12.1f %12s %+13.1f\n", c->name, median(c->restored), direct,
		       median(c->restored) - base);
	}
	/* Proof that every restored egress run rewrote: one tx count per run,
	 * plus the single rewrite of each direct run. */
	printf("\nverified: egress rewrites counted %llu, expected %llu (restored runs + 1 per direct run)\n",
	       (unsigned long long)(st1.tx_packets - st0.tx_packets),
	       (unsigned long long)ROUNDS * repeat + ROUNDS);
	printf("verified: ingress rewrites counted %llu, expected %llu\n",
	       (unsigned long long)(st1.rx_packets - st0.rx_packets),
	       (unsigned long long)ROUNDS * repeat + ROUNDS);
	/* The stale row drops on every run, restored and direct. */
	printf("verified: stale drops counted %llu, expected %llu\n",
	       (unsigned long long)(stale1 - stale0), (unsigned long long)2 * ROUNDS * repeat);
	if (json_path) {
		FILE *f = fopen(json_path, "w");

		if (!f) {
			fprintf(stderr, "bench-datapath: cannot write %s\n", json_path);
			return 1;
		}
		fprintf(f, "{\"repeat\":%u,\"rounds\":%d", repeat, ROUNDS);
		for (size_t i = 0; i < NCASES; i++)
			fprintf(f, ",\"%s_ns\":%.1f,\"%s_over_passthrough_ns\":%.1f", cases[i].key,
				median(cases[i].restored), cases[i].key,
				median(cases[i].restored) - base);
		fprintf(f, "}\n");
		fclose(f);
	}
	passthrough_bpf__destroy(pt);
	dp_close(h);
	return 0;
}
