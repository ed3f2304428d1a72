// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Differential fuzz: the real lb_egress / lb_ingress (BPF_PROG_TEST_RUN, see
 * harness.h) against the reference model (model.c, docs/datapath.md).
 *
 *   dp_fuzz [CASES [SEED]]     CASES defaults to 50000, SEED to 1
 *
 * The run is a sequence of rounds. Each round clears both sides (bindings;
 * counters too every FULL_RESET_EVERY rounds), draws a config and bindings,
 * applies them to both, then sends packets: structured tunnel packets aimed
 * at the bindings, and mutations of them (byte changes, truncation,
 * extension). Each packet runs in both directions; every
 * (packet, direction) pair is one case and must give the same verdict and
 * the same output bytes. At the end of a round the counters must be equal.
 *
 * The rounds' config and bindings are drawn in fuzz_setup.c, the packets in
 * fuzz_packets.c; this file runs them and compares.
 *
 * The run is a pure function of (CASES, SEED): rerun with the printed seed to
 * reproduce a failure. It stops after MAX_FAILURES failed cases.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "check.h"
#include "fuzz.h"

#define ROUND_CASES 200
#ifndef MAX_FAILURES
#define MAX_FAILURES 20 /* stop after this many failed cases */
#endif

static unsigned int failures;
static int round_dumped;

/* Model outcomes per direction: passed untouched, rewritten, dropped. */
static unsigned long outcome[2][3];
/* Model drops per direction and reason. */
static unsigned long drop_reason[2][LB_DROP_SLOTS];
static double t_run;

double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

void __attribute__((noreturn)) fatal(const char *what, int err)
{
	fprintf(stderr, "dp_fuzz: %s failed: %d\n", what, err);
	exit(1);
}

/* --- checking --------------------------------------------------------------- */

static void hexdump(const char *tag, const uint8_t *p, size_t len)
{
	fprintf(stderr, "  %s (%zu bytes):", tag, len);
	for (size_t i = 0; i < len; i++) {
		if (i % 16 == 0)
			fprintf(stderr, "\n   %04zx:", i);
		fprintf(stderr, " %02x", p[i]);
	}
	fputc('\n', stderr);
}

static void dump_round(void)
{
	if (round_dumped)
		return;
	round_dumped = 1;
	fprintf(stderr,
		"  round %u config: version %u dummy [0x%x, 0x%x] geneve %u vxlan %u flags 0x%x\n",
		round_no, cfg.version, cfg.dummy_min, cfg.dummy_max, cfg.geneve_port,
		cfg.vxlan_port, cfg.flags);
	for (unsigned int i = 0; i < M->n_eg; i++)
		fprintf(stderr, "  egress word 0x%x = 0x%08x\n", M->eg[i].dummy, M->eg[i].word);
	for (unsigned int i = 0; i < M->n_in; i++) {
		const struct lb_ingress_key *k = &M->in[i].key;

		fprintf(stderr, "  ingress bind vni 0x%x family %u remote ", k->vni, k->family);
		for (int j = 0; j < (k->family == LB_AF_INET ? 4 : 16); j++)
			fprintf(stderr, "%02x", k->remote[j]);
		fprintf(stderr, " mac %02x:%02x:%02x:%02x:%02x:%02x -> 0x%x\n", k->inner_mac[0],
			k->inner_mac[1], k->inner_mac[2], k->inner_mac[3], k->inner_mac[4],
			k->inner_mac[5], M->in[i].dummy);
	}
}

/*
 * skb->mark or skb->priority for a run: none, @tag for a bound dummy's slot,
 * @tag for another slot, the other direction's tag, noise.
 */
static uint32_t pick_tag(uint32_t tag)
{
	uint32_t other = tag == LB_PRIO_EGRESS ? LB_MARK_INGRESS : LB_PRIO_EGRESS;
	unsigned int r = below(100);

	if (r < 40)
		return 0;
	if (r < 70 && n_dummies)
		return tag | ((dummies[below(n_dummies)] - cfg.dummy_min) & 0xffff);
	if (r < 80)
		return tag | (uint32_t)below(8);
	if (r < 90)
		return other | (uint32_t)below(8);
	return (uint32_t)rnd();
}

static void run_case(enum dp_dir dir, const uint8_t *pkt, size_t len, unsigned long idx)
{
	static uint8_t out[DP_MAX_PKT], mout[DP_MAX_PKT];
	size_t out_len = 0;
	int verdict = 0, mverdict, err;

	check_begin("case %lu round %u %s len %zu", idx, round_no,
		    dir == DP_EGRESS ? "egress" : "ingress", len);
	uint32_t mark = pick_tag(LB_MARK_INGRESS), mmark = mark;
	uint32_t prio = pick_tag(LB_PRIO_EGRESS), mprio = prio;
	double t0 = now();
	err = dp_run_mark(H, dir, pkt, len, out, &out_len, &verdict, &mark, &prio);
	t_run += now() - t0;
	uint64_t drops0[LB_DROP_SLOTS];

	memcpy(drops0, M->drops, sizeof(drops0));
	mverdict = model_run_mark(M, dir, pkt, len, mout, &mmark, &mprio);
	outcome[dir][mverdict == DP_DROP ? 2 : memcmp(pkt, mout, len) ? 1 : 0]++;
	for (int r = 0; r < LB_DROP_SLOTS; r++)
		drop_reason[dir][r] += M->drops[r] - drops0[r];
	if (CHECK_EQ(err, 0, "dp_run")) {
		CHECK_EQ(verdict, mverdict, "verdict");
		CHECK_BYTES(out, out_len, mout, len, "output (got = BPF, want = model)");
		if (verdict != DP_DROP) {
			CHECK_EQ(mark, mmark, "skb->mark after the program");
			CHECK_EQ(prio, mprio, "skb->priority after the program");
		}
	}
	if (!check_end()) {
		failures++;
		dump_round();
		hexdump("input", pkt, len);
	}
}

static void check_counters(void)
{
	uint32_t idx[LB_DUMMY_RANGE_MAX / 8];
	unsigned int n = 0;

	check_begin("round %u counters", round_no);
	for (uint32_t r = 0; r < LB_DROP_SLOTS; r++) {
		uint64_t got;
		int err = dp_drop_stats(H, r, &got);
		char what[64];

		snprintf(what, sizeof(what), "drop stats reason %u", r);
		if (CHECK_EQ(err, 0, "dp_drop_stats"))
			CHECK_EQ(got, M->drops[r], what);
	}
	/* Every index the model touched, every bound dummy, a few at random. */
	for (unsigned int i = 0; i < M->n_touched && n < sizeof(idx) / sizeof(idx[0]) - 32; i++)
		idx[n++] = M->touched[i];
	for (unsigned int i = 0; i < n_dummies; i++)
		if (dummies[i] - cfg.dummy_min < LB_DUMMY_RANGE_MAX)
			idx[n++] = dummies[i] - cfg.dummy_min;
	for (unsigned int i = 0; i < 4; i++)
		idx[n++] = below(LB_DUMMY_RANGE_MAX);
	for (unsigned int i = 0; i < n; i++) {
		struct lb_tun_stats got, *want = &M->tun[idx[i]];
		int err = dp_tun_stats(H, idx[i], &got);
		char what[64];

		if (!CHECK_EQ(err, 0, "dp_tun_stats"))
			continue;
		snprintf(what, sizeof(what), "tun stats [%u] tx_packets", idx[i]);
		CHECK_EQ(got.tx_packets, want->tx_packets, what);
		snprintf(what, sizeof(what), "tun stats [%u] tx_bytes", idx[i]);
		CHECK_EQ(got.tx_bytes, want->tx_bytes, what);
		snprintf(what, sizeof(what), "tun stats [%u] rx_packets", idx[i]);
		CHECK_EQ(got.rx_packets, want->rx_packets, what);
		snprintf(what, sizeof(what), "tun stats [%u] rx_bytes", idx[i]);
		CHECK_EQ(got.rx_bytes, want->rx_bytes, what);
	}
	if (!check_end()) {
		failures++;
		dump_round();
	}
}

int main(int argc, char **argv)
{
	unsigned long cases = argc > 1 ? strtoul(argv[1], NULL, 0) : 50000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
	unsigned long done = 0, rounds = 0, counter_checks = 0;
	static uint8_t pkt[MAX_LEN + 256];
	struct timespec t0, t1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("dp_fuzz: seed %llu, %lu cases (rerun: %s %lu %llu)\n", (unsigned long long)seed,
	       cases, argv[0], cases, (unsigned long long)seed);
	rng_seed(seed);
	M = calloc(1, sizeof(*M));
	if (!M)
		fatal("calloc", -1);
	model_init(M);
	H = dp_open();
	if (!H) {
		fprintf(stderr, "dp_fuzz: cannot load the BPF programs (root needed)\n");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (done < cases && failures < MAX_FAILURES) {
		setup_round();
		round_dumped = 0; /* a failure prints the new round's bindings */
		rounds++;
		for (unsigned int i = 0; i < ROUND_CASES / 2 && done < cases && failures < MAX_FAILURES;
		     i++) {
			size_t len;

			if (chance(2)) {
				len = MIN_LEN + below(200);
				rand_bytes(pkt, len);
			} else {
				len = build_packet(pkt);
				if (chance(25))
					len = mutate(pkt, len);
			}
			len = runnable(pkt, len);
			if (chance(3))
				flip_word();
			run_case(DP_EGRESS, pkt, len, done++);
			if (done < cases)
				run_case(DP_INGRESS, pkt, len, done++);
		}
		if (failures < MAX_FAILURES) {
			check_counters();
			counter_checks++;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	dp_close(H);
	printf("dp_fuzz: seed %llu: %lu packet cases in %lu rounds (+%lu counter checks), "
	       "%lu short IP frames padded, %.1f s%s\n",
	       (unsigned long long)seed, done, rounds, counter_checks, padded,
	       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       failures >= MAX_FAILURES ? ", stopped at the failure limit" : "");
	printf("dp_fuzz: egress %lu passed untouched, %lu rewritten, %lu dropped; "
	       "ingress %lu passed untouched, %lu rewritten, %lu dropped\n",
	       outcome[0][0], outcome[0][1], outcome[0][2], outcome[1][0], outcome[1][1],
	       outcome[1][2]);
	printf("dp_fuzz: drops: egress unbound %lu, bad binding %lu, forged %lu, unparsed %lu; "
	       "ingress spoof %lu, bad binding %lu, stale %lu; %lu words rewritten between packets\n",
	       drop_reason[0][LB_DROP_UNBOUND], drop_reason[0][LB_DROP_BAD_BINDING],
	       drop_reason[0][LB_DROP_FORGED], drop_reason[0][LB_DROP_UNPARSED],
	       drop_reason[1][LB_DROP_SPOOF], drop_reason[1][LB_DROP_BAD_BINDING],
	       drop_reason[1][LB_DROP_STALE], word_flips);
	printf("dp_fuzz: time in dp_run %.1f s, in dp_reset %.1f s\n", t_run, t_reset);
	free(M);
	return check_summary("dp_fuzz");
}
