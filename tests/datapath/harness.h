/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Runs the real lb_egress / lb_ingress programs through BPF_PROG_TEST_RUN
 * with map contents set by the test. All maps are this process's own: the
 * harness never touches pinned or attached objects.
 */
#ifndef LB_TEST_HARNESS_H
#define LB_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <latebind/abi.h>

enum dp_dir { DP_EGRESS, DP_INGRESS };

/* Verdicts as the programs return them. */
#define DP_PASS (-1) /* TC_ACT_UNSPEC */
#define DP_DROP 2    /* TC_ACT_SHOT */
#define DP_REDIRECT 7 /* TC_ACT_REDIRECT: bpf_redirect() */

#define DP_MAX_PKT 2048

struct dp_harness;

/* Loads the programs. Config starts as the defaults (see dp_default_config). */
struct dp_harness *dp_open(void);
void dp_close(struct dp_harness *h);
void dp_default_config(struct lb_config *cfg);

int dp_set_config(struct dp_harness *h, const struct lb_config *cfg);
/*
 * Egress slots are relative to the dummy_min of the config last set; a dummy
 * outside that range, or past the array, has no slot (-ERANGE).
 *
 * dp_bind_egress writes the record { .binding = LB_EGRESS_BOUND | @vni }, the
 * rest zero; @vni goes into the word as is, so bits 24..30 in it make a bad
 * (reserved bits) or MAC_SEL word. dp_set_egress_word writes @word raw,
 * dp_set_egress_val the whole 24-byte record. dp_unbind_egress zeroes it.
 */
int dp_bind_egress(struct dp_harness *h, uint32_t dummy, uint32_t vni);
int dp_set_egress_word(struct dp_harness *h, uint32_t dummy, uint32_t word);
int dp_set_egress_val(struct dp_harness *h, uint32_t dummy, const struct lb_egress_val *val);
int dp_get_egress_val(struct dp_harness *h, uint32_t dummy, struct lb_egress_val *val);
int dp_unbind_egress(struct dp_harness *h, uint32_t dummy);
/* The lb_egress_bind map, for tests that write it through mmap. */
int dp_egress_map_fd(struct dp_harness *h);
/*
 * lb_ingress_tab: dp_bind_ingress writes @key -> @dummy into the entry that
 * holds @key, else the first empty one of its buckets (-ENOSPC: none);
 * dp_unbind_ingress empties it (-ENOENT: none). dp_set_ingress_ent writes
 * entry @idx raw, for torn, stale and colliding states; dp_ingress_first
 * gives the first entry of each of @key's two buckets.
 */
#define DP_INGRESS_SEED 0xe18f701fU
int dp_bind_ingress(struct dp_harness *h, const struct lb_ingress_key *key, uint32_t dummy);
int dp_unbind_ingress(struct dp_harness *h, const struct lb_ingress_key *key);
void dp_ingress_first(const struct dp_harness *h, const struct lb_ingress_key *key,
		      uint32_t first[2]);
int dp_set_ingress_ent(struct dp_harness *h, uint32_t idx, const struct lb_ingress_ent *e);
int dp_get_ingress_ent(struct dp_harness *h, uint32_t idx, struct lb_ingress_ent *e);
/* Deletes every binding and zeroes every counter. */
int dp_reset(struct dp_harness *h);

/* One run; returns 0 or -errno from the syscall, output in @out/@out_len. */
int dp_run(struct dp_harness *h, enum dp_dir dir, const void *in, size_t len, void *out,
	   size_t *out_len, int *verdict);
/*
 * dp_run with skb->mark and skb->priority: @mark and @prio go in, and come
 * back as the program left them. @prog selects lb_egress/lb_ingress (DP_EGRESS/DP_INGRESS) or the
 * tunnel programs (DP_TUN_EGRESS/DP_TUN_INGRESS); those run with skb->ifindex
 * 1 (BPF_PROG_TEST_RUN's loopback), so bind ifindex 1 to a slot first.
 */
enum { DP_TUN_EGRESS = 2, DP_TUN_INGRESS = 3, DP_TAP_INGRESS = 4, DP_TAP_EGRESS = 5 };
int dp_run_mark(struct dp_harness *h, int prog, const void *in, size_t len, void *out,
		size_t *out_len, int *verdict, uint32_t *mark, uint32_t *prio);
/* lb_tun_slot: @ifindex -> @slot; dp_reset empties it. */
int dp_set_tun_slot(struct dp_harness *h, uint32_t ifindex, uint32_t slot);
/* A slot's tap: lb_tap_slot @ifindex -> @slot and lb_slot_tap @slot -> @ifindex. */
int dp_set_tap(struct dp_harness *h, uint32_t ifindex, uint32_t slot);
/* Run any tc program @repeat times on the same frame; mean ns per run in @ns. */
int dp_time_prog(int prog_fd, const void *in, size_t len, uint32_t repeat, uint32_t *ns);

/* The loaded program's fd, for benchmarks that chain into it. */
int dp_prog_fd(struct dp_harness *h, enum dp_dir dir);

/* Counters summed over all possible CPUs. */
int dp_tun_stats(struct dp_harness *h, uint32_t idx, struct lb_tun_stats *sum);
int dp_drop_stats(struct dp_harness *h, uint32_t reason, uint64_t *sum);

/* Helpers to build an ingress key. @addr is 4 or 16 bytes; @mac may be NULL. */
void dp_ingress_key(struct lb_ingress_key *key, uint32_t vni, int family, const void *addr,
		    const uint8_t *mac);

#endif
