/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Plain-C reference model of lb_egress / lb_ingress, written from the rules
 * in docs/datapath.md (not from bpf/). The differential fuzz (fuzz.c) runs
 * every packet through the model and through the real programs and requires
 * the same verdict, the same output bytes and the same counters.
 *
 * The model mirrors the maps of the harness: a config, a small egress table
 * (dummy VNI -> the raw 32-bit binding word; a dummy not in it reads 0), the
 * ingress table as its non-empty entries by position (index in
 * lb_ingress_tab -> the 32-byte entry; lookups probe the key's two buckets
 * in order, as docs/maps.md says, comparing the 28-byte key with memcmp),
 * per-index tunnel counters and per-reason drop counters. model_bind_ingress
 * places a key as the harness does (its own entry, else the first empty one
 * of its buckets); model_set_ingress_ent writes any entry anywhere. The
 * egress record's mac[] and reserved fields are not modelled: the rules say
 * the datapath reads only the binding word.
 */
#ifndef LB_TEST_MODEL_H
#define LB_TEST_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <latebind/abi.h>
#include "harness.h" /* DP_EGRESS, DP_INGRESS, DP_PASS, DP_DROP */

#define MODEL_MAX_EGRESS 256
#define MODEL_MAX_INGRESS 256

struct model_egress {
	uint32_t dummy;
	uint32_t word; /* lb_egress_val.binding as written */
};

struct model_ingress {
	uint32_t idx; /* position in lb_ingress_tab */
	struct lb_ingress_key key;
	uint32_t dummy;
};
/* Entries of the harness's lb_ingress_tab (the object's default size). */
#define MODEL_ITAB_ENTRIES LB_BINDINGS_MAX

struct model {
	struct lb_config cfg;
	struct model_egress eg[MODEL_MAX_EGRESS];
	unsigned int n_eg;
	struct model_ingress in[MODEL_MAX_INGRESS];
	unsigned int n_in;
	/* Counters, indexed like lb_tun_stats and lb_drop_stats. */
	struct lb_tun_stats tun[LB_DUMMY_RANGE_MAX];
	uint64_t drops[LB_DROP_SLOTS];
	/* Indices of tun[] that are non-zero, in first-touch order. */
	uint32_t touched[LB_DUMMY_RANGE_MAX];
	unsigned int n_touched;
	uint8_t is_touched[LB_DUMMY_RANGE_MAX];
};

/* Default config (as dp_open), no bindings, zero counters. */
void model_init(struct model *m);
/* Like dp_reset: deletes every binding and zeroes every counter; keeps config. */
void model_reset(struct model *m);
void model_set_config(struct model *m, const struct lb_config *cfg);
/* 0, or -1 when the table is full. bind writes LB_EGRESS_BOUND | @vni. */
int model_bind_egress(struct model *m, uint32_t dummy, uint32_t vni);
int model_set_egress_word(struct model *m, uint32_t dummy, uint32_t word);
/* 0, or -1 when there is no such binding. */
int model_unbind_egress(struct model *m, uint32_t dummy);
/* 0, or -1 when the key's buckets are full (or the model's list). */
int model_bind_ingress(struct model *m, const struct lb_ingress_key *key, uint32_t dummy);
int model_unbind_ingress(struct model *m, const struct lb_ingress_key *key);
/* Entry @idx becomes @e (all zero: empty); -1 when the model's list is full. */
int model_set_ingress_ent(struct model *m, uint32_t idx, const struct lb_ingress_ent *e);
/* The first entry of each of @key's buckets under the current config. */
void model_ingress_first(const struct model *m, const struct lb_ingress_key *key,
			 uint32_t first[2]);

/*
 * Runs one frame of @len bytes in direction @dir (DP_EGRESS or DP_INGRESS).
 * Writes exactly @len bytes to @out (the frame as it leaves the program) and
 * returns the verdict, DP_PASS or DP_DROP. Updates the counters.
 */
int model_run(struct model *m, int dir, const uint8_t *in, size_t len, uint8_t *out);
/* model_run with skb->mark and skb->priority in and out (pool mode's tags, abi.h). */
int model_run_mark(struct model *m, int dir, const uint8_t *in, size_t len, uint8_t *out,
		   uint32_t *mark, uint32_t *prio);

/*
 * The source-port adjustment of the rewrite: the one's-complement sum
 * sport + o1 + o2 + ~n1 + ~n2 with end-around carry, 0x0000 written as 0xffff.
 * Exposed so the fuzz can aim at the corner cases.
 */
uint16_t model_sport_adjust(uint16_t sport, uint16_t o1, uint16_t o2, uint16_t n1, uint16_t n2);

#endif
