/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * latebind datapath ABI: the keys, values and constants of the maps that the
 * BPF programs lb_egress and lb_ingress read. Shared verbatim by the BPF code
 * and by user space. docs/maps.md documents it; bump LB_ABI_VERSION on any
 * incompatible change.
 *
 * All multi-byte fields are in host byte order unless named *_be.
 */
#ifndef LATEBIND_ABI_H
#define LATEBIND_ABI_H

#include <linux/types.h>

#define LB_ABI_VERSION 4

#define LB_VNI_MAX 16777215U /* 2^24 - 1 */

/* The default dummy range: the top 65536 VNIs of the 24-bit space. */
#define LB_DUMMY_MIN_DEFAULT 16711680U /* 0xff0000 */
#define LB_DUMMY_MAX_DEFAULT 16777215U /* 0xffffff */
/* A dummy range holds at most this many VNIs (lb_egress_bind, lb_tun_stats). */
#define LB_DUMMY_RANGE_MAX 65536U

#define LB_GENEVE_PORT_DEFAULT 6081
#define LB_VXLAN_PORT_DEFAULT 4789

/*
 * lb_ingress_tab holds twice the dummy range's entries, rounded up to a
 * power of two of buckets: room for every tunnel's key plus a rebind's new
 * key (inserted before the old one goes) and leftovers, at a load of at most
 * one half. LB_INGRESS_WAYS entries make a bucket.
 */
#define LB_INGRESS_WAYS 4
#define LB_BINDINGS_MAX (2 * LB_DUMMY_RANGE_MAX)

/* lb_config.flags */
enum {
	/* Some ingress binding carries an inner MAC: look it up first. */
	LB_CFG_F_INNER_MAC = 1U << 0,
	/* Pool mode: a dummy-VNI packet is a pool tunnel's only if it carries
	 * that tunnel's LB_PRIO_EGRESS tag (set by lb_tun_egress). */
	LB_CFG_F_TUN_MARK = 1U << 1,
	/* User space only: latebind created the clsact qdisc (cls_bpf mode), so
	 * detach removes it once no filter is left on it. */
	LB_CFG_F_OWN_CLSACT = 1U << 31,
};

/*
 * lb_config: BPF_MAP_TYPE_ARRAY, one entry, key (__u32)0.
 * Until version == LB_ABI_VERSION the programs pass every packet untouched.
 * A zero port disables that protocol. dummy_min > dummy_max means no range.
 */
struct lb_config {
	__u32 version;
	__u32 dummy_min;   /* first dummy VNI, inclusive */
	__u32 dummy_max;   /* last dummy VNI, inclusive */
	__u16 geneve_port; /* UDP destination port of Geneve */
	__u16 vxlan_port;  /* UDP destination port of VXLAN */
	__u32 flags;       /* LB_CFG_F_* */
	__u32 ingress_seed;    /* seeds lb_ingress_hash() */
	__u32 ingress_buckets; /* lb_ingress_tab's buckets, a power of two */
};

/*
 * lb_egress_bind: BPF_MAP_TYPE_ARRAY with BPF_F_MMAPABLE, one slot per dummy
 * VNI, index dummy VNI - dummy_min. A slot is the tunnel's whole binding
 * record. The binding word is the commit point: one aligned 32-bit store
 * (through mmap) changes it atomically, so a packet sees the old binding or
 * the new one, never a mix, and a writer killed at any instant leaves the
 * tunnel either bound or unbound.
 *
 * The inner MAC of the binding's ingress key lives in mac[sel], where sel is
 * the LB_EGRESS_MAC_SEL bit of the binding word. A writer fills the other
 * mac[] entry first, then flips the bit in the same store that commits the
 * VNI, so the record never pairs a VNI with another binding's MAC. The
 * datapath reads only the binding word; ifindex and mac[] are the control
 * plane's record of the slot.
 *
 * lb_ingress trusts an ingress entry only while its tunnel's binding word is
 * bound to the packet's VNI: a leftover ingress entry never delivers.
 */
#define LB_EGRESS_BOUND   (1U << 31)
#define LB_EGRESS_MAC_SEL (1U << 30)
/* Bits 24..29 are reserved: a binding word with any of them set is bad. */

struct lb_egress_mac {
	__u8 addr[6]; /* inner destination MAC of the ingress key */
	__u8 set;     /* 1: the ingress key has this MAC; 0: wildcard key */
	__u8 pad;     /* zero */
};

struct lb_egress_val {
	__u32 binding;  /* LB_EGRESS_BOUND | [LB_EGRESS_MAC_SEL] | real VNI, or 0 */
	__u32 ifindex;  /* the slot's tunnel device (pool create); 0 if none */
	struct lb_egress_mac mac[2];
};

/* The real VNI of a binding word (reserved bits included, so bad ones show). */
static inline __u32 lb_binding_vni(__u32 binding)
{
	return binding & ~(LB_EGRESS_BOUND | LB_EGRESS_MAC_SEL);
}

/* lb_ingress_key.family */
enum {
	LB_AF_INET = 4,
	LB_AF_INET6 = 6,
};

/*
 * lb_ingress_tab: BPF_MAP_TYPE_ARRAY with BPF_F_MMAPABLE, an open-addressing
 * table of (real VNI, outer source address[, inner destination MAC]) ->
 * dummy VNI. lb_config.ingress_buckets buckets of LB_INGRESS_WAYS entries;
 * bucket b is entries [b * WAYS, b * WAYS + WAYS). A key lives in one of its
 * two buckets, lb_ingress_buckets(); the datapath reads at most those
 * 2 * WAYS entries. An entry with family 0 is empty. An all-zero inner_mac
 * matches any inner MAC. Every byte not named here (padding, unused address
 * bytes) is 0.
 *
 * A writer fills an empty entry's other fields first and stores family last,
 * and empties one by storing family 0 first. The datapath needs no more: it
 * delivers through an entry only while the entry's tunnel is bound to the
 * packet's VNI (the binding word, read after the entry), so a half-written,
 * torn or stale entry can never reach another tenant's tunnel. docs/maps.md.
 */
struct lb_ingress_key {
	__u32 vni;          /* real VNI seen on the wire */
	union {
		__u8 remote[16];    /* outer source address; IPv4 uses remote[0..3] */
		__u32 remote32[4];  /* the same, as network-order words */
	};
	__u8 inner_mac[6];  /* inner Ethernet destination, or all zero */
	__u8 family;        /* LB_AF_INET or LB_AF_INET6; 0: an empty entry */
	__u8 pad;           /* zero */
};

struct lb_ingress_ent {
	union {
		struct lb_ingress_key key;
		__u32 w[7];          /* the key as words, for hashing and comparing */
	};
	__u32 dummy_vni;             /* VNI handed to the pool tunnel */
} __attribute__((aligned(8)));

/*
 * The key's hash: its seven words and the seed folded into 64 bits by xor,
 * then one multiply between two xor-shifts (the first half of MurmurHash3's
 * finalizer and a second shift). The low half picks the first bucket, the
 * high half the second (the next one when both are the same).
 */
static inline __u64 lb_ingress_hash(const __u32 *w, __u32 seed)
{
	__u64 h = ((__u64)(w[0] ^ w[2] ^ w[4] ^ w[6]) << 32 | (w[1] ^ w[3] ^ w[5] ^ seed));

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ h >> 29;
}

/* The first entry of each of the key's two buckets; @buckets is a power of 2. */
static inline void lb_ingress_buckets(__u64 hash, __u32 buckets, __u32 first[2])
{
	__u32 b0 = (__u32)hash & (buckets - 1), b1 = (__u32)(hash >> 32) & (buckets - 1);

	if (b1 == b0)
		b1 = (b0 + 1) & (buckets - 1);
	first[0] = b0 * LB_INGRESS_WAYS;
	first[1] = b1 * LB_INGRESS_WAYS;
}

/*
 * lb_tun_stats: BPF_MAP_TYPE_PERCPU_ARRAY, LB_DUMMY_RANGE_MAX entries, index
 * dummy VNI - dummy_min. Bytes are skb->len: the whole frame as tc sees it.
 */
struct lb_tun_stats {
	__u64 tx_packets; /* egress packets rewritten dummy -> real */
	__u64 tx_bytes;
	__u64 rx_packets; /* ingress packets rewritten real -> dummy */
	__u64 rx_bytes;
};

/* lb_drop_stats: BPF_MAP_TYPE_PERCPU_ARRAY indexed by reason; __u64 packets. */
enum lb_drop_reason {
	LB_DROP_UNBOUND = 0,     /* egress: dummy VNI without a binding */
	LB_DROP_SPOOF = 1,       /* ingress: dummy VNI arrived from the wire */
	LB_DROP_BAD_BINDING = 2, /* a binding maps into the dummy range or past 2^24 */
	LB_DROP_STALE = 3,       /* ingress: entry's tunnel is not bound to this VNI */
	LB_DROP_FORGED = 4,      /* egress: dummy VNI on a packet its pool tunnel did not make */
	LB_DROP_UNPARSED = 5,    /* egress: a pool tunnel's packet lb_egress cannot read */
	LB_DROP_BYPASS = 6,      /* a frame that came to a pool tunnel or a slot's tap
				  * by any route but latebind's own */
	LB_DROP_REASONS = 7,
};
#define LB_DROP_SLOTS 8 /* max_entries of lb_drop_stats, room to grow */

/*
 * Tags the programs hand each other; the low 16 bits are the tunnel's slot.
 *
 * Egress, in skb->priority: lb_tun_egress sets LB_PRIO_EGRESS | slot before
 * the kernel encapsulates, and lb_egress resets it to 0 once used. The
 * priority survives encapsulation; skb->mark would too, but a marked packet
 * skips the tunnel's route cache (ip_tunnel_dst_cache_usable), a route
 * lookup per packet. A socket without CAP_NET_ADMIN can set 0..6 only.
 *
 * Ingress, in skb->mark and skb->priority: lb_ingress sets LB_MARK_INGRESS |
 * slot in the mark and LB_PRIO_INGRESS | slot in the priority of what it
 * rewrote. The nftables input guard lets a frame in only with the mark;
 * lb_tun_ingress only with the priority, which survives a tunnel that lives
 * in another namespace than its socket (skb_scrub_packet() clears the mark
 * there), and clears both. Anything else (a local socket, a guest, a fragment
 * the kernel reassembled, another interface, loopback) arrives without them:
 * a priority outside 0..6 needs CAP_NET_ADMIN, and forwarding between
 * namespaces (veth) resets it.
 */
#define LB_TAG_MASK      0xffff0000U
#define LB_SLOT_MASK     0x0000ffffU
#define LB_PRIO_EGRESS   0x6c650000U /* "le", skb->priority */
#define LB_MARK_INGRESS  0x6c690000U /* "li", skb->mark */
#define LB_PRIO_INGRESS  0x6c690000U /* "li", skb->priority */
/*
 * Slots, in skb->mark: lb_tun_ingress sets LB_MARK_TAP | slot on a frame it
 * redirects to the slot's tap; lb_tap_egress lets out to the guest only that,
 * and clears it.
 */
#define LB_MARK_TAP      0x6c740000U /* "lt", skb->mark */

/*
 * lb_tun_slot: BPF_MAP_TYPE_HASH, __u32 ifindex of a pool tunnel -> __u32
 * slot. lb_tun_egress and lb_tun_ingress drop every frame of a device with
 * no entry: a tunnel is closed until pool create has recorded it.
 */

/*
 * The control plane's map, pinned next to the datapath's by `latebind pool
 * create`. The programs never read it; with the ifindex in each egress slot
 * it lets any process find a pool's settings and members without netlink.
 */

/* lb_pool_info.type, and the library's one tunnel-type enum */
enum latebind_tunnel_type {
	LATEBIND_GENEVE = 1,
	LATEBIND_VXLAN = 2,
};

/* lb_pool_info.flags */
enum {
	LB_POOL_F_IPV6 = 1U << 0, /* the tunnels keep IPv6 (disable_ipv6 = 0) */
	LB_POOL_F_TAPS = 1U << 1, /* slots: each tunnel has a tap (lb_slots) */
};

/* lb_pool: BPF_MAP_TYPE_ARRAY, one entry, key (__u32)0. */
struct lb_pool_info {
	__u32 version;          /* LB_ABI_VERSION once the pool is complete; 0: none */
	__u8 type;              /* enum latebind_tunnel_type */
	__u8 family;            /* LB_AF_INET or LB_AF_INET6, of remote and local */
	__u8 udp_csum;          /* 1: the tunnels send outer UDP checksums */
	__u8 has_local;
	__u32 underlay_ifindex;
	__u32 count;            /* tunnels; slot i has dummy VNI dummy_base + i */
	__u32 dummy_base;
	__u16 dstport;
	__u16 flags;            /* LB_POOL_F_* */
	__u8 remote[16];        /* network order; IPv4 uses remote[0..3] */
	__u8 local[16];
	char prefix[16];        /* tunnel i is named prefix + i */
	__u32 group;            /* the members' device group (IFLA_GROUP) */
	__u32 reserved;         /* zero */
};

/*
 * lb_pool_lock: BPF_MAP_TYPE_ARRAY, BPF_F_MMAPABLE, one entry, key (__u32)0.
 * The pool's writers' lock, a word in shared memory that every handle maps;
 * the programs never read it. owner is 0 when free, else the holder's
 * (pid << 32) | (its start time in clock ticks, low 32 bits); the holder
 * writes pidns (the inode of its pid namespace) right after taking it.
 * Pools without this pin fall back to a flock on their pin directory.
 */
struct lb_pool_lock {
	__u64 owner;
	__u64 pidns;
	__u64 pad[6];           /* zero; one cache line */
};

/*
 * Pool members are created in device group LB_GROUP_BASE + (underlay
 * ifindex & 0xffff), so that destroy removes them all in one RTM_DELLINK
 * (one RCU grace period instead of one per device).
 */
#define LB_GROUP_BASE 0x6c620000U

/*
 * A pool's members: slot i's device is lb_egress_bind[i].ifindex. Each one
 * also carries the ifalias LB_MEMBER_ALIAS_FMT with the underlay's ifindex.
 */
#define LB_MEMBER_ALIAS_FMT "latebind:%u"

/*
 * Slots (pools with LB_POOL_F_TAPS): slot i's tap is named tap_prefix + i,
 * carries the ifalias LB_TAP_ALIAS_FMT (the underlay's ifindex) and is in the
 * pool's device group.
 *
 * lb_slot_tap: BPF_MAP_TYPE_ARRAY, key slot -> __u32 ifindex of its tap (0:
 * none). lb_tun_ingress redirects what it lets in to that tap.
 * lb_tap_slot: BPF_MAP_TYPE_HASH, __u32 ifindex of a tap -> __u32 slot.
 * lb_tap_ingress redirects the guest's frames to the slot's tunnel (while it
 * is bound); a tap with no entry passes nothing, either way.
 */
#define LB_TAP_ALIAS_FMT "latebind-tap:%u"

/* lb_slots_info.flags */
enum {
	LB_SLOTS_F_VNET_HDR = 1U << 0,    /* IFF_VNET_HDR */
	LB_SLOTS_F_MULTI_QUEUE = 1U << 1, /* IFF_MULTI_QUEUE */
	LB_SLOTS_F_OWNER = 1U << 2,       /* owner_uid set (TUNSETOWNER) */
	LB_SLOTS_F_GROUP = 1U << 3,       /* owner_gid set (TUNSETGROUP) */
};

/* lb_slots: BPF_MAP_TYPE_ARRAY, one entry, key (__u32)0; pinned by pool
 * create for a pool with LB_POOL_F_TAPS. The programs never read it. */
struct lb_slots_info {
	__u32 flags;            /* LB_SLOTS_F_* */
	__u32 owner_uid;
	__u32 owner_gid;
	char tap_prefix[16];    /* tap i is named tap_prefix + i */
	char netns_prefix[16];  /* "": the slots live in the pool's namespace */
	__u32 reserved;         /* zero */
};

#endif /* LATEBIND_ABI_H */
