// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lb_egress and lb_ingress: tc programs on the underlay device that rewrite
 * the VNI of Geneve and VXLAN packets between a pool tunnel's dummy VNI and
 * the real VNI it is bound to.
 *
 *   pool tunnel (dummy VNI) --> lb_egress:  dummy -> real, drop if unbound
 *   pool tunnel (dummy VNI) <-- lb_ingress: real -> dummy, drop dummy (spoof),
 *                               drop unless the tunnel is bound to that real VNI
 *
 * and, with a pool, lb_tun_egress and lb_tun_ingress on every pool tunnel:
 *
 *   inner frame -> [tun egress: drop if unbound; priority LB_PRIO_EGRESS|slot]
 *               -> kernel encapsulates -> [lb_egress: rewrite only if the tag
 *                  names the packet's own slot; a dummy VNI without it is forged]
 *   wire -> [lb_ingress: rewrite; mark and priority LB_MARK_INGRESS|slot]
 *        -> kernel decaps -> [tun ingress: drop anything without that priority]
 *
 * The tunnel side sees every route into and out of a tunnel (fragments the
 * kernel reassembled, other interfaces, loopback, local senders); the
 * underlay side sees only the underlay's packets. docs/security.md.
 *
 * Verdicts: TC_ACT_SHOT for drops, TC_ACT_UNSPEC otherwise, so programs
 * after ours (tcx "next", cls_bpf "continue") still see the packet.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <latebind/abi.h>

#include "maps.h"
#include "parse.h"
#include "csum.h"

#define LB_PASS TC_ACT_UNSPEC
#define LB_DROP TC_ACT_SHOT

static __always_inline int lb_drop(__u32 reason)
{
	__u64 *cnt = bpf_map_lookup_elem(&lb_drop_stats, &reason);

	if (cnt)
		*cnt += 1;
	return LB_DROP;
}

static __always_inline int lb_is_dummy(const struct lb_config *cfg, __u32 vni)
{
	return vni >= cfg->dummy_min && vni <= cfg->dummy_max;
}

/* Per-tunnel maps are indexed by slot: dummy VNI - dummy_min. */
static __always_inline __u32 lb_slot(const struct lb_config *cfg, __u32 dummy)
{
	return dummy - cfg->dummy_min;
}

/* Count one rewritten packet of @len bytes, if the slot has counters. */
static __always_inline void lb_count(__u32 slot, int egress, __u32 len)
{
	struct lb_tun_stats *st = bpf_map_lookup_elem(&lb_tun_stats, &slot);

	if (!st)
		return;
	if (egress) {
		st->tx_packets++;
		st->tx_bytes += len;
	} else {
		st->rx_packets++;
		st->rx_bytes += len;
	}
}

/* The binding word of a slot, read once; 0 (unbound) past the array. */
static __always_inline __u32 lb_egress_binding(__u32 slot)
{
	struct lb_egress_val *v = bpf_map_lookup_elem(&lb_egress_bind, &slot);

	return v ? *(volatile __u32 *)&v->binding : 0;
}

/* Write @vni into the tunnel header, keeping the UDP checksum valid. */
static __always_inline void lb_set_vni(struct lb_pkt *p, __u32 vni)
{
	__u8 *t = p->tun;
	__u16 old1 = (__u16)t[4] << 8 | t[5];
	__u16 old2 = (__u16)t[6] << 8 | t[7];

	t[4] = vni >> 16;
	t[5] = vni >> 8;
	t[6] = vni;
	if (p->udp->check) {
		__u16 new1 = (__u16)t[4] << 8 | t[5];
		__u16 new2 = (__u16)t[6] << 8 | t[7];

		p->udp->source = bpf_htons(lb_csum_neutral_sport(bpf_ntohs(p->udp->source),
								 old1, old2, new1, new2));
	}
}

static __always_inline const struct lb_config *lb_cfg(void)
{
	__u32 zero = 0;
	const struct lb_config *cfg = bpf_map_lookup_elem(&lb_config, &zero);

	if (!cfg || cfg->version != LB_ABI_VERSION)
		return NULL;
	return cfg;
}

static __always_inline int lb_tag_is(__u32 v, __u32 tag)
{
	return (v & LB_TAG_MASK) == tag;
}

SEC("tc")
int lb_egress(struct __sk_buff *skb)
{
	const struct lb_config *cfg = lb_cfg();
	struct lb_pkt p;
	__u32 slot, bound, vni, ours;
	int rc;

	if (!cfg)
		return LB_PASS;
	/* A pool tunnel's packet: it carries the tag lb_tun_egress set. */
	ours = (cfg->flags & LB_CFG_F_TUN_MARK) && lb_tag_is(skb->priority, LB_PRIO_EGRESS);
	lb_pull_headers(skb);
	rc = lb_parse(skb, cfg, &p);
	if (rc || !lb_is_dummy(cfg, p.vni)) {
		if (!ours)
			return LB_PASS;
		/* A later fragment holds no tunnel header; the first one had it. */
		if (rc == LB_PARSE_LATER_FRAG) {
			skb->priority = 0;
			return LB_PASS;
		}
		/* Not readable as its own tunnel's packet: never let it out as is. */
		return lb_drop(LB_DROP_UNPARSED);
	}

	slot = lb_slot(cfg, p.vni);
	/* In pool mode a dummy VNI leaves only from its own tunnel: a local
	 * socket, a raw socket or a guest cannot borrow a tenant's binding. */
	if ((cfg->flags & LB_CFG_F_TUN_MARK) && skb->priority != (LB_PRIO_EGRESS | slot))
		return lb_drop(LB_DROP_FORGED);
	bound = lb_egress_binding(slot);
	if (!(bound & LB_EGRESS_BOUND))
		return lb_drop(LB_DROP_UNBOUND); /* fail closed: never leak a dummy VNI */
	/* MAC_SEL is user space's; a reserved bit left in makes vni > LB_VNI_MAX. */
	vni = lb_binding_vni(bound);
	if (vni > LB_VNI_MAX || lb_is_dummy(cfg, vni))
		return lb_drop(LB_DROP_BAD_BINDING);

	lb_set_vni(&p, vni);
	lb_count(slot, 1, skb->len);
	if (ours)
		skb->priority = 0;
	return LB_PASS;
}

/*
 * The entry of @want's key in lb_ingress_tab, or NULL: at most the
 * 2 * LB_INGRESS_WAYS entries of its two buckets. Whatever an entry holds
 * (a writer may be mid-way), the caller trusts only the binding word of the
 * tunnel it names.
 */
static __always_inline const struct lb_ingress_ent *
lb_ingress_find(const struct lb_config *cfg, const struct lb_ingress_ent *want)
{
	const __u64 *k = (const __u64 *)want->w;
	__u32 first[2];

	lb_ingress_buckets(lb_ingress_hash(want->w, cfg->ingress_seed), cfg->ingress_buckets,
			   first);
#pragma unroll
	for (int b = 0; b < 2; b++) {
#pragma unroll
		for (__u32 i = 0; i < LB_INGRESS_WAYS; i++) {
			__u32 idx = first[b] + i;
			const struct lb_ingress_ent *e = bpf_map_lookup_elem(&lb_ingress_tab, &idx);
			const __u64 *ew;

			if (!e)
				return NULL;
			ew = (const __u64 *)e->w;
			/* Words 0-2 and the key's last 4 bytes; family 0 never matches. */
			if (ew[0] == k[0] && ew[1] == k[1] && ew[2] == k[2] && e->w[6] == want->w[6])
				return e;
		}
	}
	return NULL;
}

SEC("tc")
int lb_ingress(struct __sk_buff *skb)
{
	const struct lb_config *cfg = lb_cfg();
	struct lb_ingress_ent want = {};
	struct lb_ingress_key *key = &want.key;
	const struct lb_ingress_ent *b = NULL;
	struct lb_pkt p;
	__u32 dummy, slot;

	if (!cfg)
		return LB_PASS;
	/* Our tag means "lb_ingress rewrote this"; nobody else may bring one. */
	if (lb_tag_is(skb->mark, LB_MARK_INGRESS))
		skb->mark = 0;
	if (lb_tag_is(skb->priority, LB_PRIO_INGRESS))
		skb->priority = 0;
	lb_pull_headers(skb);
	if (lb_parse(skb, cfg, &p))
		return LB_PASS;
	if (lb_is_dummy(cfg, p.vni))
		return lb_drop(LB_DROP_SPOOF); /* nobody outside addresses a pool tunnel */

	key->vni = p.vni;
	key->family = p.family;
	/* Word loads: x86 and the verifier take unaligned packet words, and
	 * memcpy from a void pointer would copy byte by byte. */
	key->remote32[0] = p.saddr[0];
	if (p.family == LB_AF_INET6) {
		key->remote32[1] = p.saddr[1];
		key->remote32[2] = p.saddr[2];
		key->remote32[3] = p.saddr[3];
	}

	if ((cfg->flags & LB_CFG_F_INNER_MAC) && p.inner_off &&
	    !bpf_skb_load_bytes(skb, p.inner_off, key->inner_mac, sizeof(key->inner_mac))) {
		b = lb_ingress_find(cfg, &want);
		if (!b)
			__builtin_memset(key->inner_mac, 0, sizeof(key->inner_mac));
	}
	if (!b)
		b = lb_ingress_find(cfg, &want);
	if (!b)
		return LB_PASS;
	dummy = *(volatile const __u32 *)&b->dummy_vni;
	if (!lb_is_dummy(cfg, dummy))
		return lb_drop(LB_DROP_BAD_BINDING);
	/*
	 * The first hit decides. Deliver only while the entry's tunnel is bound
	 * to this very VNI: bind commits with the binding word after writing the
	 * entry, unbind clears the word first, so a leftover entry (a crashed
	 * writer, a tunnel re-bound to another tenant) never delivers, nor does
	 * one read mid-write. The word's load depends on the dummy VNI's (its
	 * address), so no CPU reads it first. Reserved bits make it differ.
	 */
	slot = lb_slot(cfg, dummy);
	if ((lb_egress_binding(slot) & ~LB_EGRESS_MAC_SEL) != (LB_EGRESS_BOUND | p.vni))
		return lb_drop(LB_DROP_STALE);

	lb_set_vni(&p, dummy);
	lb_count(slot, 0, skb->len);
	/* The mark for the nftables input guard; the priority for lb_tun_ingress,
	 * as it survives a tunnel in another namespace (skb_scrub_packet). */
	skb->mark = LB_MARK_INGRESS | slot;
	skb->priority = LB_PRIO_INGRESS | slot;
	return LB_PASS;
}

/* The slot of the pool tunnel this program runs on, or NULL: not recorded. */
static __always_inline const __u32 *lb_tun_slot_of(struct __sk_buff *skb)
{
	__u32 ifindex = skb->ifindex;

	return bpf_map_lookup_elem(&lb_tun_slot, &ifindex);
}

/*
 * On a pool tunnel's egress, before the kernel encapsulates: an unbound
 * tunnel sends nothing, by any route; a bound one tags its frames so that
 * lb_egress knows them from anyone else's tunnel-shaped packets.
 */
SEC("tc")
int lb_tun_egress(struct __sk_buff *skb)
{
	const struct lb_config *cfg = lb_cfg();
	const __u32 *slot = lb_tun_slot_of(skb);

	if (!cfg || !slot || !(lb_egress_binding(*slot) & LB_EGRESS_BOUND))
		return lb_drop(LB_DROP_UNBOUND);
	skb->priority = LB_PRIO_EGRESS | *slot;
	return LB_PASS;
}

/*
 * On a pool tunnel's ingress, after the kernel decapsulated: only what
 * lb_ingress rewrote for this very tunnel gets in.
 */
SEC("tc")
int lb_tun_ingress(struct __sk_buff *skb)
{
	const __u32 *slot = lb_tun_slot_of(skb);

	const __u32 *tap;

	if (!slot || skb->priority != (LB_PRIO_INGRESS | *slot))
		return lb_drop(LB_DROP_BYPASS);
	skb->mark = 0;
	skb->priority = 0;
	/* A slot's tunnel hands its frames to the slot's tap, and to nothing else. */
	tap = bpf_map_lookup_elem(&lb_slot_tap, slot);
	if (tap && *tap) {
		skb->mark = LB_MARK_TAP | *slot;
		return bpf_redirect(*tap, 0);
	}
	return LB_PASS;
}

/*
 * On a slot's tap, tc ingress: what the guest sent. It goes to the slot's
 * tunnel while the slot is bound, and nowhere else: not the host stack, not
 * another slot.
 */
SEC("tc")
int lb_tap_ingress(struct __sk_buff *skb)
{
	__u32 ifindex = skb->ifindex, tun;
	const __u32 *slot = bpf_map_lookup_elem(&lb_tap_slot, &ifindex);
	struct lb_egress_val *v;

	if (!slot)
		return lb_drop(LB_DROP_BYPASS);
	v = bpf_map_lookup_elem(&lb_egress_bind, slot);
	if (!v || !(*(volatile __u32 *)&v->binding & LB_EGRESS_BOUND))
		return lb_drop(LB_DROP_UNBOUND);
	tun = *(volatile __u32 *)&v->ifindex;
	if (!tun)
		return lb_drop(LB_DROP_UNBOUND);
	skb->mark = 0;
	return bpf_redirect(tun, 0);
}

/*
 * On a slot's tap, tc egress: what goes to the guest. Only what
 * lb_tun_ingress let in for this slot; the host stack's own frames (and
 * anyone else's) never reach the guest.
 */
SEC("tc")
int lb_tap_egress(struct __sk_buff *skb)
{
	__u32 ifindex = skb->ifindex;
	const __u32 *slot = bpf_map_lookup_elem(&lb_tap_slot, &ifindex);

	if (!slot || skb->mark != (LB_MARK_TAP | *slot))
		return lb_drop(LB_DROP_BYPASS);
	skb->mark = 0;
	return LB_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
