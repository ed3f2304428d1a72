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
 * Egress binding words are mostly LB_EGRESS_BOUND | real VNI, some with
 * LB_EGRESS_MAC_SEL, some bad (a dummy VNI, reserved bits 24..29, BOUND
 * clear with other bits set, random), and the record's mac[] and reserved
 * bytes are sometimes random (the datapath must ignore them). Most ingress
 * entries whose dummy has a slot are committed (their tunnel's word set to
 * BOUND | the key's VNI, as bind does); the rest, and entries whose tunnel is
 * later unbound, re-bound or overwritten by another entry's commit, are
 * stale. Between packets a round sometimes rewrites one word (rebind,
 * unbind), as a control plane would while traffic flows.
 * The run is a pure function of (CASES, SEED): rerun with the printed seed to
 * reproduce a failure. It stops after MAX_FAILURES failed cases.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "check.h"
#include "harness.h"
#include "model.h"

#define ROUND_CASES 200
/*
 * dp_reset rewrites the whole 65536-entry per-CPU stats map (~10 ms), so it
 * runs every few rounds only; in between, a round deletes the bindings one by
 * one and the counters keep accumulating on both sides.
 */
#define FULL_RESET_EVERY 8
#ifndef MAX_FAILURES
#define MAX_FAILURES 20 /* stop after this many failed cases */
#endif
#define MAX_LEN 1500
#define MIN_LEN 14

/* --- PRNG: xoshiro256** seeded through splitmix64 ------------------------- */

static uint64_t rs[4];

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		rs[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rnd(void)
{
	uint64_t r = rotl(rs[1] * 5, 7) * 9, t = rs[1] << 17;

	rs[2] ^= rs[0];
	rs[3] ^= rs[1];
	rs[1] ^= rs[2];
	rs[0] ^= rs[3];
	rs[2] ^= t;
	rs[3] = rotl(rs[3], 45);
	return r;
}

/* Uniform in [0, n), n > 0. */
static uint32_t below(uint32_t n)
{
	return (uint32_t)(((rnd() >> 32) * (uint64_t)n) >> 32);
}

static int chance(unsigned int pct)
{
	return below(100) < pct;
}

static uint32_t rand24(void)
{
	return (uint32_t)rnd() & LB_VNI_MAX;
}

static void rand_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
}

/* --- fixed pools, so that generated packets hit the bindings --------------- */

static const uint8_t v4pool[][4] = {
	{ 10, 0, 0, 1 }, { 10, 0, 0, 2 }, { 192, 168, 1, 1 }, { 0, 0, 0, 0 },
};
static const uint8_t v6pool[][16] = {
	{ 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
	{ 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 },
	/* Same first four bytes as 10.0.0.1, rest zero: only family tells. */
	{ 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	/* v4-mapped 10.0.0.1 */
	{ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1 },
};
static const uint8_t macpool[][6] = {
	{ 0x02, 0, 0, 0, 0, 0x01 }, { 0x02, 0, 0, 0, 0, 0x02 }, { 0x02, 0, 0, 0, 0, 0x03 },
	{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, { 0, 0, 0, 0, 0, 0 },
};
#define NV4 (sizeof(v4pool) / sizeof(v4pool[0]))
#define NV6 (sizeof(v6pool) / sizeof(v6pool[0]))
#define NMAC (sizeof(macpool) / sizeof(macpool[0]))

/* --- state ------------------------------------------------------------------ */

static struct dp_harness *H;
static struct model *M;
static struct lb_config cfg;
static uint32_t dummies[16], reals[16];
static unsigned int n_dummies, n_reals;
static unsigned int round_no, failures;
static int round_dumped;

/* Model outcomes per direction: passed untouched, rewritten, dropped. */
static unsigned long outcome[2][3];
/* Model drops per direction and reason. */
static unsigned long drop_reason[2][LB_DROP_SLOTS];
static unsigned long word_flips;
static double t_reset, t_run;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void __attribute__((noreturn)) fatal(const char *what, int err)
{
	fprintf(stderr, "dp_fuzz: %s failed: %d\n", what, err);
	exit(1);
}

static int in_range(uint32_t x)
{
	return cfg.dummy_min <= x && x <= cfg.dummy_max;
}

static uint32_t pick_in_range(void)
{
	uint32_t span = cfg.dummy_max - cfg.dummy_min;

	if (cfg.dummy_min > cfg.dummy_max)
		return rand24();
	switch (below(4)) {
	case 0:
		return cfg.dummy_min;
	case 1:
		return cfg.dummy_max;
	default:
		return cfg.dummy_min + below(span + 1);
	}
}

static uint16_t pick_port(uint16_t def, uint16_t other)
{
	switch (below(5)) {
	case 0:
		return 0;
	case 1:
		return def;
	case 2:
		return other;
	default:
		return (uint16_t)rnd();
	}
}

static void random_config(void)
{
	dp_default_config(&cfg);
	unsigned int r = below(100);

	if (r < 55) {
		/* default range */
	} else if (r < 85) {
		uint32_t span;

		switch (below(4)) {
		case 0:
			cfg.dummy_min = 0;
			break;
		case 1:
			cfg.dummy_min = LB_VNI_MAX - below(70000);
			break;
		case 2:
			cfg.dummy_min = below(70000);
			break;
		default:
			cfg.dummy_min = rand24();
		}
		switch (below(3)) {
		case 0:
			span = below(16);
			break;
		case 1:
			span = below(1024);
			break;
		default:
			span = below(LB_DUMMY_RANGE_MAX);
		}
		cfg.dummy_max = cfg.dummy_min + span; /* may pass 2^24: fine */
	} else if (r < 95) {
		/* empty range: min > max */
		cfg.dummy_min = rand24() | 1;
		cfg.dummy_max = cfg.dummy_min - 1 - below(cfg.dummy_min < 1000 ? cfg.dummy_min : 1000);
	} else {
		cfg.dummy_min = cfg.dummy_max = rand24();
	}
	if (chance(25)) {
		cfg.geneve_port = pick_port(LB_GENEVE_PORT_DEFAULT, LB_VXLAN_PORT_DEFAULT);
		cfg.vxlan_port = pick_port(LB_VXLAN_PORT_DEFAULT, LB_GENEVE_PORT_DEFAULT);
		if (chance(10))
			cfg.vxlan_port = cfg.geneve_port; /* the loader refuses it; rule 6 defines it */
	}
	if (chance(8)) {
		static const uint32_t bad[] = { 0, LB_ABI_VERSION - 1, LB_ABI_VERSION + 1, 0xffffffff };

		cfg.version = chance(50) ? bad[below(4)] : (uint32_t)rnd();
		if (cfg.version == LB_ABI_VERSION)
			cfg.version = 0;
	}
	cfg.flags = chance(50) ? LB_CFG_F_INNER_MAC : 0;
	if (chance(50)) /* pool mode: the marks decide (rule 8) */
		cfg.flags |= LB_CFG_F_TUN_MARK;
	if (chance(10))
		cfg.flags |= (uint32_t)rnd() & ~1U;
}

static uint32_t pick_real(void)
{
	for (int tries = 0; tries < 8; tries++) {
		uint32_t v;

		switch (below(8)) {
		case 0:
			v = 0;
			break;
		case 1:
			v = cfg.dummy_min - 1;
			break;
		case 2:
			v = cfg.dummy_max + 1;
			break;
		case 3:
			v = LB_VNI_MAX;
			break;
		default:
			v = rand24();
		}
		v &= LB_VNI_MAX;
		if (!in_range(v))
			return v;
	}
	return 1; /* only if the range is enormous */
}

/* A binding word for a tunnel meant to carry @real, good or (sometimes) bad. */
static uint32_t pick_word(uint32_t real)
{
	uint32_t sel = chance(35) ? LB_EGRESS_MAC_SEL : 0;
	unsigned int r = below(100);

	real &= LB_VNI_MAX;
	if (r < 80)
		return LB_EGRESS_BOUND | sel | real;
	if (r < 86) /* a reserved bit (24..29) */
		return LB_EGRESS_BOUND | sel | 1U << (24 + below(6)) | real;
	if (r < 90) /* several reserved bits */
		return LB_EGRESS_BOUND | sel | ((uint32_t)rnd() & 0x3f000000U) | 0x01000000U | real;
	if (r < 95) /* BOUND clear: unbound whatever else is there */
		return chance(50) ? sel | real : ((uint32_t)rnd() & ~LB_EGRESS_BOUND);
	if (r < 97)
		return 0xffffffffU;
	return (uint32_t)rnd();
}

/* Writes @word into @dummy's slot on both sides, sometimes with junk in the
 * rest of the record (mac[], reserved), which the datapath ignores. */
static void set_word(uint32_t dummy, uint32_t word)
{
	struct lb_egress_val v = { .binding = word };
	int err;

	if (chance(30)) {
		rand_bytes((uint8_t *)&v + sizeof(v.binding), sizeof(v) - sizeof(v.binding));
	}
	if ((err = dp_set_egress_val(H, dummy, &v)))
		fatal("dp_set_egress_val", err);
	if (model_set_egress_word(M, dummy, word))
		fatal("model_set_egress_word", -1);
}

static void random_ingress_key(struct lb_ingress_key *k)
{
	unsigned int r = below(100);
	uint32_t vni;
	int v6 = chance(50);

	if (r < 85)
		vni = reals[below(n_reals)];
	else if (r < 95)
		vni = dummies[below(n_dummies)];
	else
		vni = rand24();
	dp_ingress_key(k, vni, v6 ? LB_AF_INET6 : LB_AF_INET, v6 ? v6pool[below(NV6)] : v4pool[below(NV4)],
		       chance(50) ? macpool[below(NMAC)] : NULL);
}

static void setup_round(void)
{
	int err;

	round_no++;
	round_dumped = 0;
	random_config();
	if (round_no % FULL_RESET_EVERY == 1) {
		double t0 = now();

		if ((err = dp_reset(H)))
			fatal("dp_reset", err);
		t_reset += now() - t0;
		model_reset(M);
	} else {
		/* Bindings go; the counters carry on, on both sides. */
		while (M->n_eg) {
			uint32_t d = M->eg[0].dummy;

			if ((err = dp_unbind_egress(H, d)))
				fatal("dp_unbind_egress", err);
			model_unbind_egress(M, d);
		}
		while (M->n_in) {
			struct lb_ingress_key k = M->in[0].key;

			if ((err = dp_unbind_ingress(H, &k)))
				fatal("dp_unbind_ingress", err);
			model_unbind_ingress(M, &k);
		}
	}
	if ((err = dp_set_config(H, &cfg)))
		fatal("dp_set_config", err);
	model_set_config(M, &cfg);

	n_dummies = 1 + below(12);
	for (unsigned int i = 0; i < n_dummies; i++)
		dummies[i] = chance(5) ? cfg.dummy_max + 1 : pick_in_range();
	n_reals = 1 + below(8);
	for (unsigned int i = 0; i < n_reals; i++)
		reals[i] = pick_real();

	/* Egress bindings. */
	for (unsigned int i = 0; i < n_dummies; i++) {
		uint32_t vni;
		unsigned int r = below(100);

		/* Egress slots exist only inside the range (an array map). */
		if (!chance(80) || dummies[i] < cfg.dummy_min || dummies[i] > cfg.dummy_max)
			continue;
		if (r < 85) {
			set_word(dummies[i], pick_word(reals[below(n_reals)]));
			continue;
		}
		if (r < 93)
			vni = pick_in_range();
		else
			vni = chance(50) ? 0xffffffffU : LB_VNI_MAX + 1 + below(1000);
		if ((err = dp_bind_egress(H, dummies[i], vni)))
			fatal("dp_bind_egress", err);
		if (model_bind_egress(M, dummies[i], vni))
			fatal("model_bind_egress", -1);
	}
	if (M->n_eg && chance(20)) {
		uint32_t d = M->eg[below(M->n_eg)].dummy;

		if ((err = dp_unbind_egress(H, d)))
			fatal("dp_unbind_egress", err);
		model_unbind_egress(M, d);
	}

	/* Ingress bindings. */
	unsigned int n_in = below(25);

	for (unsigned int i = 0; i < n_in; i++) {
		struct lb_ingress_key k;
		uint32_t d;
		unsigned int r = below(100);

		random_ingress_key(&k);
		if (r < 85)
			d = dummies[below(n_dummies)];
		else if (r < 92)
			d = reals[below(n_reals)];
		else if (r < 96)
			d = rand24();
		else
			d = 0xffffffffU;
		if ((err = dp_bind_ingress(H, &k, d)))
			fatal("dp_bind_ingress", err);
		if (model_bind_ingress(M, &k, d))
			fatal("model_bind_ingress", -1);
		/* Commit, as bind does: the tunnel's word names the key's VNI. */
		if (in_range(d) && chance(70))
			set_word(d, chance(90) ? LB_EGRESS_BOUND | (chance(35) ? LB_EGRESS_MAC_SEL : 0) | k.vni
					       : pick_word(k.vni));
	}
	if (M->n_in && chance(20)) {
		struct lb_ingress_key k = M->in[below(M->n_in)].key;

		if ((err = dp_unbind_ingress(H, &k)))
			fatal("dp_unbind_ingress", err);
		model_unbind_ingress(M, &k);
	}
}

/*
 * Between packets: rewrite one tunnel's word, as a control plane would while
 * traffic flows: commit an ingress entry, flip MAC_SEL, rebind, unbind.
 */
static void flip_word(void)
{
	uint32_t d, word;
	unsigned int r = below(100);

	if (r < 40 && M->n_in) {
		const struct model_ingress *e = &M->in[below(M->n_in)];

		if (!in_range(e->dummy))
			return;
		d = e->dummy;
		word = LB_EGRESS_BOUND | (chance(50) ? LB_EGRESS_MAC_SEL : 0) | e->key.vni;
	} else if (r < 60 && M->n_eg) {
		const struct model_egress *e = &M->eg[below(M->n_eg)];

		d = e->dummy;
		word = e->word ^ LB_EGRESS_MAC_SEL;
	} else {
		d = dummies[below(n_dummies)];
		if (!in_range(d))
			return;
		word = chance(30) ? 0 : pick_word(reals[below(n_reals)]);
	}
	set_word(d, word);
	word_flips++;
}

/* --- packets -------------------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* An ingress entry that delivers: its dummy's word is BOUND | its VNI. */
static int entry_live(const struct model_ingress *e)
{
	for (unsigned int i = 0; i < M->n_eg; i++)
		if (M->eg[i].dummy == e->dummy)
			return (M->eg[i].word & ~LB_EGRESS_MAC_SEL) == (LB_EGRESS_BOUND | e->key.vni);
	return 0;
}

/* Structural offsets of the last built packet (see build_packet). */
static size_t bounds[16];
static unsigned int n_bounds;

static uint32_t pick_vni(void)
{
	unsigned int r = below(100);

	if (r < 25 && M->n_eg)
		return M->eg[below(M->n_eg)].dummy & LB_VNI_MAX;
	if (r < 40 && M->n_in)
		return M->in[below(M->n_in)].key.vni & LB_VNI_MAX;
	if (r < 50)
		return reals[below(n_reals)];
	if (r < 65) {
		const uint32_t edge[] = { cfg.dummy_min, cfg.dummy_max, cfg.dummy_min - 1,
					  cfg.dummy_max + 1 };

		return edge[below(4)] & LB_VNI_MAX;
	}
	if (r < 75)
		return pick_in_range() & LB_VNI_MAX;
	return rand24();
}

/*
 * Builds a structured packet into @p (at least MAX_LEN + 64 bytes); returns
 * its length, in [MIN_LEN, MAX_LEN].
 */
static size_t build_packet(uint8_t *p)
{
	int family = chance(50) ? LB_AF_INET6 : LB_AF_INET;
	const uint8_t *saddr = NULL, *inner_mac = NULL;
	uint32_t vni = pick_vni(), new_vni = 0;
	int have_new = 0;
	size_t off = 0, l3, udp, ext_len = 0;
	unsigned int r = below(100);
	int bad_ihl = -1;

	/* Aim at a binding, so that the rewrite paths are exercised. */
	if (r < 30 && M->n_eg) {
		struct model_egress *e = &M->eg[below(M->n_eg)];

		vni = e->dummy & LB_VNI_MAX;
		new_vni = lb_binding_vni(e->word) & LB_VNI_MAX;
		have_new = 1;
	} else if (r < 60 && M->n_in) {
		struct model_ingress *e = &M->in[below(M->n_in)];
		static const uint8_t zero[6];

		/* Mostly an entry that delivers (its tunnel bound to its VNI), if any:
		 * commits overwrite each other's words, so many entries are stale. */
		if (chance(70)) {
			unsigned int live[MODEL_MAX_INGRESS], n_live = 0;

			for (unsigned int i = 0; i < M->n_in; i++)
				if (entry_live(&M->in[i]))
					live[n_live++] = i;
			if (n_live)
				e = &M->in[live[below(n_live)]];
		}

		vni = e->key.vni & LB_VNI_MAX;
		family = e->key.family;
		saddr = e->key.remote;
		if (memcmp(e->key.inner_mac, zero, 6))
			inner_mac = e->key.inner_mac;
		new_vni = e->dummy & LB_VNI_MAX;
		have_new = 1;
	}
	if (!saddr && chance(85))
		saddr = family == LB_AF_INET ? v4pool[below(NV4)] : v6pool[below(NV6)];
	if (!inner_mac && chance(75))
		inner_mac = macpool[below(NMAC)];

	/* Ethernet, maybe one or two VLAN tags. */
	rand_bytes(p, 12);
	off = 12;
	if (chance(20)) {
		put16(p + off, chance(30) ? 0x88a8 : 0x8100);
		put16(p + off + 2, (uint16_t)rnd());
		off += 4;
		if (chance(10)) {
			put16(p + off, 0x8100);
			put16(p + off + 2, (uint16_t)rnd());
			off += 4;
		}
	}
	uint16_t ethertype = family == LB_AF_INET ? 0x0800 : 0x86dd;

	if (chance(8)) {
		static const uint16_t other[] = { 0x0806, 0x88a8, 0x8100, 0x86dc, 0x0801, 0x8847 };

		ethertype = chance(70) ? other[below(6)] : (uint16_t)rnd();
	}
	put16(p + off, ethertype);
	off += 2;
	l3 = off;

	/* L3: built by family even if the ethertype says otherwise. */
	if (family == LB_AF_INET) {
		unsigned int ihl = 5, ver = 4;

		if (chance(25))
			ihl = 6 + below(10);
		else if (chance(4))
			ihl = below(5);
		if (chance(3))
			ver = below(16);
		rand_bytes(p + l3, 20);
		p[l3] = (uint8_t)(ver << 4 | ihl);
		unsigned int fr = below(100);
		uint16_t frag;

		if (fr < 70)
			frag = chance(50) ? 0x4000 : 0;
		else if (fr < 85)
			frag = 0x2000; /* MF, offset 0: the first fragment */
		else
			frag = (uint16_t)((1 + below(0x1fff)) | (rnd() & 0x6000));
		put16(p + l3 + 6, frag);
		p[l3 + 9] = chance(92) ? 17 : (uint8_t)(chance(50) ? 6 : rnd());
		if (saddr)
			memcpy(p + l3 + 12, saddr, 4);
		if (ihl < 5) {
			/*
			 * Put the UDP header where a parser that ignored
			 * IHL < 5 would look for it (inside the IP header);
			 * the version byte and protocol are set again below.
			 */
			udp = l3 + ihl * 4;
			bad_ihl = (uint8_t)(ver << 4 | ihl);
		} else {
			udp = l3 + ihl * 4;
			rand_bytes(p + l3 + 20, udp - l3 - 20); /* options */
		}
	} else {
		rand_bytes(p + l3, 40);
		p[l3] = (uint8_t)((chance(3) ? below(16) : 6) << 4 | (p[l3] & 0x0f));
		if (chance(90)) {
			p[l3 + 6] = 17;
		} else {
			static const uint8_t nh[] = { 0, 43, 44, 60, 6, 58, 59, 51, 50 };

			p[l3 + 6] = chance(80) ? nh[below(9)] : (uint8_t)rnd();
		}
		if (saddr)
			memcpy(p + l3 + 8, saddr, 16);
		udp = l3 + 40;
	}

	/* UDP */
	uint16_t dport;
	unsigned int dr = below(100);

	if (dr < 40)
		dport = cfg.geneve_port;
	else if (dr < 80)
		dport = cfg.vxlan_port;
	else if (dr < 90)
		dport = chance(50) ? LB_GENEVE_PORT_DEFAULT : LB_VXLAN_PORT_DEFAULT;
	else
		dport = (uint16_t)rnd();
	put16(p + udp, (uint16_t)rnd());
	put16(p + udp + 2, dport);
	unsigned int cr = below(100);

	if (cr < 35)
		put16(p + udp + 6, 0);
	else if (cr < 40)
		put16(p + udp + 6, 0xffff);
	else
		put16(p + udp + 6, (uint16_t)(1 + below(0xffff)));

	/* Tunnel header */
	int geneve;
	uint8_t *t = p + udp + 8;

	if (cfg.geneve_port && dport == cfg.geneve_port)
		geneve = chance(90);
	else if (cfg.vxlan_port && dport == cfg.vxlan_port)
		geneve = chance(10);
	else
		geneve = chance(50);
	rand_bytes(t, 8);
	if (geneve) {
		unsigned int optlen = 0, orr = below(100);

		if (orr < 30)
			optlen = 1 + below(8);
		else if (orr < 45)
			optlen = below(64);
		t[0] = (uint8_t)((chance(95) ? 0 : 1 + below(3)) << 6 | optlen);
		if (chance(80))
			t[1] = 0;
		if (chance(85))
			put16(t + 2, 0x6558);
		else if (chance(50))
			put16(t + 2, chance(50) ? 0x0800 : 0x86dd);
		ext_len = optlen * 4;
	} else {
		if (chance(85))
			t[0] = 0x08;
		else if (chance(50))
			t[0] |= 0x08;
		if (chance(80))
			t[1] = t[2] = t[3] = 0;
	}
	t[4] = (vni >> 16) & 0xff;
	t[5] = (vni >> 8) & 0xff;
	t[6] = vni & 0xff;
	if (chance(50))
		t[7] = 0;
	off = udp + 16;
	if (off + ext_len > MAX_LEN)
		ext_len = MAX_LEN - off;
	rand_bytes(p + off, ext_len); /* Geneve options */
	off += ext_len;

	/* Inner Ethernet and payload */
	if (chance(92)) {
		size_t pay;

		if (off + 14 <= MAX_LEN) {
			if (inner_mac)
				memcpy(p + off, inner_mac, 6);
			else
				rand_bytes(p + off, 6);
			rand_bytes(p + off + 6, 6);
			put16(p + off + 12, 0x0800);
			off += 14;
		}
		pay = chance(90) ? below(64) : below(1400);
		if (off + pay > MAX_LEN)
			pay = MAX_LEN - off;
		rand_bytes(p + off, pay);
		off += pay;
		/* The inner MAC cut at its last byte, or one byte either side. */
		if (chance(4) && udp + 16 + ext_len + 7 <= MAX_LEN)
			off = udp + 16 + ext_len + 5 + below(3);
	}

	/* Lengths: right mostly, as a sender would write them. */
	if (chance(90)) {
		if (family == LB_AF_INET)
			put16(p + l3 + 2, (uint16_t)(off - l3));
		else
			put16(p + l3 + 4, (uint16_t)(off - udp));
		put16(p + udp + 4, (uint16_t)(off - udp));
	}

	/*
	 * Sometimes choose the source port so that the adjusted port is the
	 * one's-complement zero: the 0x0000 -> 0xffff rule. Other times 0/0xffff.
	 */
	unsigned int sr = below(100);

	if (sr < 8 && have_new) {
		uint16_t o1 = (uint16_t)(t[4] << 8 | t[5]), o2 = (uint16_t)(t[6] << 8 | t[7]);
		uint16_t n1 = (uint16_t)(new_vni >> 8), n2 = (uint16_t)((new_vni & 0xff) << 8 | t[7]);
		uint32_t s = (uint32_t)o1 + o2 + (uint16_t)~n1 + (uint16_t)~n2;

		while (s >> 16)
			s = (s & 0xffff) + (s >> 16);
		/* sport + s == 0xffff; either representation of zero for sport */
		uint16_t sp = (uint16_t)~s;

		if (chance(50) && (sp == 0 || sp == 0xffff))
			sp = (uint16_t)~sp;
		put16(p + udp, sp);
	} else if (sr < 12) {
		put16(p + udp, chance(50) ? 0 : 0xffff);
	}

	if (bad_ihl >= 0) {
		p[l3] = (uint8_t)bad_ihl;
		p[l3 + 9] = 17;
	}

	/* Offsets where a length check decides, for the truncation mutation. */
	n_bounds = 0;
	bounds[n_bounds++] = l3;
	bounds[n_bounds++] = l3 + 20;
	bounds[n_bounds++] = l3 + 40;
	bounds[n_bounds++] = udp;
	bounds[n_bounds++] = udp + 8;
	bounds[n_bounds++] = udp + 16;
	bounds[n_bounds++] = udp + 16 + ext_len;
	bounds[n_bounds++] = udp + 16 + ext_len + 6;
	bounds[n_bounds++] = udp + 16 + ext_len + 14;

	if (off < MIN_LEN)
		off = MIN_LEN;
	return off;
}

static size_t mutate(uint8_t *p, size_t len)
{
	unsigned int n = 1 + below(4);

	for (unsigned int i = 0; i < n; i++) {
		unsigned int r = below(100);

		if (r < 45) {
			size_t span = len < 100 ? len : 100;
			size_t at = chance(70) ? below((uint32_t)span) : below((uint32_t)len);

			p[at] = (uint8_t)rnd();
		} else if (r < 65) {
			size_t at = below((uint32_t)len);

			p[at] ^= (uint8_t)(1u << below(8));
		} else if (r < 85) {
			size_t to = MIN_LEN + below((uint32_t)(len - MIN_LEN + 1));

			/* Half the time exactly at, or one byte off, a boundary. */
			if (n_bounds && chance(50))
				to = bounds[below(n_bounds)] + below(3) - 1;
			if (to >= MIN_LEN && to <= len)
				len = to;
		} else if (len < MAX_LEN) {
			size_t add = 1 + below(200);

			if (len + add > MAX_LEN)
				add = MAX_LEN - len;
			rand_bytes(p + len, add);
			len += add;
		}
	}
	return len;
}

/*
 * BPF_PROG_TEST_RUN refuses (EINVAL) a frame whose untagged ethertype is IPv4
 * or IPv6 but which is shorter than that IP header (net/bpf/test_run.c, recent
 * kernels: skb_headlen < sizeof(struct iphdr) / sizeof(struct ipv6hdr)). Such a
 * frame cannot be run, so it is padded with random bytes up to the minimum.
 * Short frames behind a VLAN tag still exercise the programs' length checks.
 */
static unsigned long padded;

static size_t runnable(uint8_t *p, size_t len)
{
	uint16_t proto = (uint16_t)(p[12] << 8 | p[13]);
	size_t need = proto == 0x0800 ? 14 + 20 : proto == 0x86dd ? 14 + 40 : 0;

	if (len < need) {
		rand_bytes(p + len, need - len);
		len = need;
		padded++;
	}
	return len;
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
