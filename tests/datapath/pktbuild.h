/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A small packet builder for the datapath tests, written from the RFC layouts
 * and independent of the code under test:
 *
 *   Ethernet (IEEE 802.3), 0..2 IEEE 802.1Q tags
 *   IPv4 (RFC 791): IHL 5..15 (options are NOPs), fragment fields, header csum
 *   IPv6 (RFC 8200): optional hop-by-hop / destination-options header
 *   UDP (RFC 768): checksum 0 or the full checksum with pseudo-header
 *   TCP (RFC 9293): plain 20-byte header, full checksum
 *   Geneve (RFC 8926 §3.4):
 *      0                   1                   2                   3
 *      |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
 *      |        Virtual Network Identifier (VNI)       |    Reserved   |
 *      |                    Variable-Length Options                    |
 *     each option (§3.5): Option Class(16) Type(8) R(3)|Length(5), then
 *     Length*4 bytes of data; Opt Len counts 4-byte words of all options.
 *   VXLAN (RFC 7348 §5):
 *      |R|R|R|R|I|R|R|R|            Reserved                           |
 *      |                VXLAN Network Identifier (VNI) |   Reserved    |
 *   inner Ethernet frame: dst MAC, src MAC, EtherType, payload
 *   ARP (RFC 826) for Ethernet/IPv4
 *
 * All multi-byte spec fields are host order; the builder writes network order.
 */
#ifndef LB_TEST_PKTBUILD_H
#define LB_TEST_PKTBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PB_MAX_PKT 2048
#define PB_MAX_OPTS 8

#define PB_ETH_P_IP 0x0800
#define PB_ETH_P_ARP 0x0806
#define PB_ETH_P_8021Q 0x8100
#define PB_ETH_P_8021AD 0x88a8
#define PB_ETH_P_IPV6 0x86dd
#define PB_ETH_P_TEB 0x6558 /* Transparent Ethernet Bridging */

#define PB_IP4_MF 0x2000 /* in ip4_frag: more fragments */
#define PB_IP4_DF 0x4000 /* in ip4_frag: don't fragment */

#define PB_IPPROTO_HOPOPTS 0
#define PB_IPPROTO_TCP 6
#define PB_IPPROTO_UDP 17
#define PB_IPPROTO_ROUTING 43
#define PB_IPPROTO_DSTOPTS 60

#define PB_VXLAN_F_I 0x08

enum pb_l3 {
	PB_L3_IPV4 = 4,
	PB_L3_IPV6 = 6,
	PB_L3_ARP = 1,
	PB_L3_NONE = 2, /* only an EtherType and some payload */
};

enum pb_l4 {
	PB_L4_UDP = 17,
	PB_L4_TCP = 6,
};

enum pb_tun {
	PB_TUN_NONE,
	PB_TUN_GENEVE,
	PB_TUN_VXLAN,
};

struct pb_gnv_opt {
	uint16_t cls;
	uint8_t type;
	uint8_t rsvd; /* 3 bits */
	uint8_t len;  /* data length in 4-byte words, 0..31 */
	uint8_t fill; /* data bytes are fill, fill+1, ... */
};

struct pb_spec {
	/* Ethernet */
	uint8_t eth_dst[6], eth_src[6];
	int nvlan;            /* 0, 1 or 2 tags */
	uint16_t vlan_tpid[2]; /* 0 means 0x8100 */
	uint16_t vlan_tci[2];
	uint16_t ethertype; /* 0 means from l3 */
	enum pb_l3 l3;

	/* IPv4 */
	uint8_t ip4_src[4], ip4_dst[4];
	uint8_t ip4_version; /* 0 means 4 */
	uint8_t ip4_ihl;     /* 0 means 5; words past 5 are NOP options */
	uint16_t ip4_frag;   /* flags(3) | fragment offset(13) */
	uint16_t ip4_id;
	uint8_t ip4_ttl; /* 0 means 64 */

	/* IPv6 */
	uint8_t ip6_src[16], ip6_dst[16];
	uint8_t ip6_version; /* 0 means 6 */
	bool ip6_ext;        /* one 8-byte extension header before L4 */
	uint8_t ip6_ext_type; /* PB_IPPROTO_HOPOPTS, _DSTOPTS or _ROUTING */
	uint8_t ip6_ext_hdrlen; /* Hdr Ext Len: (n + 1) * 8 bytes, at most 1 */
	bool ip6_ext_raw;       /* use ip6_ext_body for the bytes after the first two */
	uint8_t ip6_ext_body[14];

	/* L4 */
	enum pb_l4 l4;
	uint16_t ip_proto; /* 0 means l4; else the IP protocol / next header written */
	uint16_t sport, dport;
	bool udp_csum; /* true: full checksum (0 written as 0xffff); false: 0 */

	/* tunnel header (after the L4 header) */
	enum pb_tun tun;
	uint8_t gnv_ver;       /* 2 bits */
	bool gnv_o, gnv_c;
	uint8_t gnv_rsvd;      /* 6 bits after O and C */
	uint16_t gnv_proto;    /* 0 means 0x6558 */
	int gnv_nopts;
	struct pb_gnv_opt gnv_opts[PB_MAX_OPTS];
	uint8_t vxlan_flags;   /* VXLAN first byte */
	uint32_t vni;          /* 24 bits */
	uint8_t tun_rsvd;      /* last byte of the 8-byte tunnel header */

	/* inner Ethernet frame (after the tunnel header and options) */
	uint8_t in_dst[6], in_src[6];
	uint16_t in_type;
	size_t payload_len;
	uint8_t payload_seed;
};

/* Offsets of what was built, from the start of the frame. */
struct pb_layout {
	size_t l3, l4, tun, inner, len;
};

/*
 * A complete, valid packet of the given kind with fixed addresses:
 * outer 02:00:00:00:00:01 -> 02:00:00:00:00:02, 192.0.2.1 -> 198.51.100.2 or
 * 2001:db8::1 -> 2001:db8:ffff::2, sport 49152, dport the protocol's default,
 * UDP checksum on, vni 0, inner 02:aa:00:00:00:01 <- 02:bb:00:00:00:01, IPv4
 * EtherType, 46 bytes of payload.
 */
void pb_default(struct pb_spec *s, enum pb_tun tun, enum pb_l3 l3);

/* Appends one Geneve option. */
void pb_gnv_add_opt(struct pb_spec *s, uint16_t cls, uint8_t type, uint8_t len_words);

/* Builds @s into @buf (capacity @cap); returns the length, 0 if it does not fit. */
size_t pb_build(const struct pb_spec *s, uint8_t *buf, size_t cap, struct pb_layout *lay);

/* One's-complement sum of @len bytes added to @acc (not folded). */
uint32_t pb_sum(const void *data, size_t len, uint32_t acc);
/* Folds a 32-bit sum to 16 bits with end-around carry. */
uint16_t pb_fold(uint32_t sum);

/*
 * Independent UDP checksum verifier. Finds the UDP header (0..2 VLAN tags,
 * IPv4 with any IHL, IPv6 with hop-by-hop / routing / destination-options
 * headers), then recomputes over pseudo-header + the UDP datagram (UDP length
 * field). True if the checksum is valid, or if it is 0 over IPv4. False for a
 * zero checksum over IPv6, a later IPv4 fragment, a datagram longer than the
 * frame, or anything that is not UDP.
 */
bool pb_udp_csum_valid(const uint8_t *pkt, size_t len);

/* Offset of the UDP header in @pkt as pb_udp_csum_valid finds it; 0 if none. */
size_t pb_find_udp(const uint8_t *pkt, size_t len, int *family);

#endif
