// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The fuzz's rounds: a random config and bindings applied to both the BPF
 * maps and the model, and the word rewrites between packets.
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
 */
#include <errno.h>
#include <stdbool.h>
#include "fuzz.h"

/*
 * dp_reset rewrites the whole 65536-entry per-CPU stats map (~10 ms), so it
 * runs every few rounds only; in between, a round deletes the bindings one by
 * one and the counters keep accumulating on both sides.
 */
#define FULL_RESET_EVERY 8

/* --- fixed pools, so that generated packets hit the bindings --------------- */

/* Their sizes are in fuzz.h; a count that disagrees does not compile. */

const uint8_t v4pool[][4] = {
	{ 10, 0, 0, 1 }, { 10, 0, 0, 2 }, { 192, 168, 1, 1 }, { 0, 0, 0, 0 },
};
const uint8_t v6pool[][16] = {
	{ 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
	{ 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 },
	/* Same first four bytes as 10.0.0.1, rest zero: only family tells. */
	{ 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	/* v4-mapped 10.0.0.1 */
	{ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1 },
};
const uint8_t macpool[][6] = {
	{ 0x02, 0, 0, 0, 0, 0x01 }, { 0x02, 0, 0, 0, 0, 0x02 }, { 0x02, 0, 0, 0, 0, 0x03 },
	{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, { 0, 0, 0, 0, 0, 0 },
};

/* --- state ------------------------------------------------------------------ */

struct dp_harness *H;
struct model *M;
struct lb_config cfg;
uint32_t dummies[16], reals[16];
unsigned int n_dummies, n_reals;
unsigned int round_no;
unsigned long word_flips;
double t_reset;

/* --- config and bindings ---------------------------------------------------- */

static int in_range(uint32_t x)
{
	return cfg.dummy_min <= x && x <= cfg.dummy_max;
}

uint32_t pick_in_range(void)
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
	/* The table's geometry: a fresh seed each round; few buckets crowd the chains. */
	cfg.ingress_seed = (uint32_t)rnd();
	if (chance(30)) {
		static const uint32_t small[] = { 1, 2, 4, 16 };

		cfg.ingress_buckets = small[below(4)];
	} else if (chance(3)) {
		cfg.ingress_buckets = chance(50) ? 0 : 3 + 2 * below(100); /* hand-written nonsense */
	}
}

static int place(uint32_t idx, const struct lb_ingress_ent *e)
{
	int err = dp_set_ingress_ent(H, idx, e);

	if (err)
		fatal("dp_set_ingress_ent", err);
	if (model_set_ingress_ent(M, idx, e))
		return -1; /* the model's list is full: stop adding */
	return 0;
}

/* The i-th of @key's 2 * LB_INGRESS_WAYS probe positions, or false past the table. */
static bool position(const struct lb_ingress_key *key, unsigned int i, uint32_t *idx)
{
	uint32_t first[2];

	model_ingress_first(M, key, first);
	*idx = first[i / LB_INGRESS_WAYS] + i % LB_INGRESS_WAYS;
	return *idx < MODEL_ITAB_ENTRIES;
}

/*
 * Table states a writer can leave behind, aimed at one existing key's probe
 * chain: colliders (other keys in its buckets, up to a full chain), a stale
 * duplicate of the key earlier in the chain, torn copies (family emptied, a
 * byte of the key changed, another entry's dummy).
 */
static void table_states(void)
{
	unsigned int n = below(4);

	for (unsigned int s = 0; s < n && M->n_in; s++) {
		const struct model_ingress *src = &M->in[below(M->n_in)];
		struct lb_ingress_ent e = { .key = src->key, .dummy_vni = src->dummy };
		unsigned int kind = below(4), from = below(2 * LB_INGRESS_WAYS);
		uint32_t idx;

		for (unsigned int i = from; i < 2 * LB_INGRESS_WAYS; i++) {
			if (!position(&src->key, i, &idx))
				break;
			switch (kind) {
			case 0: /* colliders: fill the rest of the chain */
				e.key = src->key;
				e.key.vni = reals[below(n_reals)];
				if (chance(30))
					e.key.vni = rand24();
				e.dummy_vni = dummies[below(n_dummies)];
				if (place(idx, &e))
					return;
				continue;
			case 1: /* a stale duplicate of the key, another dummy */
				e.dummy_vni = dummies[below(n_dummies)];
				break;
			case 2: /* torn */
				switch (below(3)) {
				case 0:
					e.key.family = 0;
					break;
				case 1:
					((uint8_t *)&e.key)[below(sizeof(e.key))] ^= (uint8_t)(1 + below(255));
					break;
				default:
					e.dummy_vni = M->in[below(M->n_in)].dummy;
				}
				break;
			default: /* empty one position */
				e = (struct lb_ingress_ent){};
			}
			place(idx, &e);
			break;
		}
	}
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

void setup_round(void)
{
	int err;

	round_no++;
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
			static const struct lb_ingress_ent empty;
			uint32_t idx = M->in[0].idx;

			if ((err = dp_set_ingress_ent(H, idx, &empty)))
				fatal("dp_set_ingress_ent", err);
			model_set_ingress_ent(M, idx, &empty);
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
		/* Both agree on a full chain (or a chain past the table): no room. */
		err = dp_bind_ingress(H, &k, d);
		if (err && err != -ENOSPC)
			fatal("dp_bind_ingress", err);
		if ((model_bind_ingress(M, &k, d) != 0) != (err != 0))
			fatal("model_bind_ingress disagrees with the harness", err);
		if (err)
			continue;
		/* Commit, as bind does: the tunnel's word names the key's VNI. */
		if (in_range(d) && chance(70))
			set_word(d, chance(90) ? LB_EGRESS_BOUND | (chance(35) ? LB_EGRESS_MAC_SEL : 0) | k.vni
					       : pick_word(k.vni));
	}
	if (M->n_in && chance(20)) {
		struct lb_ingress_key k = M->in[below(M->n_in)].key;

		/* A torn entry's key may not be findable: both sides agree. */
		err = dp_unbind_ingress(H, &k);
		if ((model_unbind_ingress(M, &k) != 0) != (err != 0))
			fatal("model_unbind_ingress disagrees with the harness", err);
	}
	if (chance(60))
		table_states();
}

/*
 * Between packets: rewrite one tunnel's word, as a control plane would while
 * traffic flows: commit an ingress entry, flip MAC_SEL, rebind, unbind.
 */
void flip_word(void)
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
