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

#define LB_ABI_VERSION 1

#define LB_VNI_MAX 16777215U /* 2^24 - 1 */

/* The default dummy range: the top 65536 VNIs of the 24-bit space. */
#define LB_DUMMY_MIN_DEFAULT 16711680U /* 0xff0000 */
#define LB_DUMMY_MAX_DEFAULT 16777215U /* 0xffffff */
/* A dummy range holds at most this many VNIs (lb_egress_bind, lb_tun_stats). */
#define LB_DUMMY_RANGE_MAX 65536U

#define LB_GENEVE_PORT_DEFAULT 6081
#define LB_VXLAN_PORT_DEFAULT 4789

/* Bound on ingress bindings (lb_ingress_bind max_entries). */
#define LB_BINDINGS_MAX 65536U

/* lb_config.flags */
enum {
	/* Some ingress binding carries an inner MAC: look it up first. */
	LB_CFG_F_INNER_MAC = 1U << 0,
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
};

/*
 * lb_egress_bind: BPF_MAP_TYPE_ARRAY with BPF_F_MMAPABLE, one slot per dummy
 * VNI, index dummy VNI - dummy_min. The binding is one 32-bit word so that a
 * single aligned store (through mmap) changes it atomically: a packet sees
 * the old binding or the new one, never a mix.
 */
#define LB_EGRESS_BOUND (1U << 31)

struct lb_egress_val {
	__u32 binding; /* LB_EGRESS_BOUND | real VNI, or 0: unbound, drop */
};

/* lb_ingress_key.family */
enum {
	LB_AF_INET = 4,
	LB_AF_INET6 = 6,
};

/*
 * lb_ingress_bind: BPF_MAP_TYPE_HASH, (real VNI, outer source address[,
 * inner destination MAC]) -> dummy VNI. An all-zero inner_mac matches any
 * inner MAC. Every byte not named here (padding, unused address bytes) is 0.
 */
struct lb_ingress_key {
	__u32 vni;          /* real VNI seen on the wire */
	union {
		__u8 remote[16];    /* outer source address; IPv4 uses remote[0..3] */
		__u32 remote32[4];  /* the same, as network-order words */
	};
	__u8 inner_mac[6];  /* inner Ethernet destination, or all zero */
	__u8 family;        /* LB_AF_INET or LB_AF_INET6 */
	__u8 pad;           /* zero */
};

struct lb_ingress_val {
	__u32 dummy_vni; /* VNI handed to the pool tunnel */
	__u32 reserved;  /* zero */
};

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
	LB_DROP_REASONS = 3,
};
#define LB_DROP_SLOTS 8 /* max_entries of lb_drop_stats, room to grow */

#endif /* LATEBIND_ABI_H */
