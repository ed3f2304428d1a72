/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Outer header parsing for Geneve (RFC 8926) and VXLAN (RFC 7348).
 *
 *   Ethernet [802.1Q|802.1ad]x2 | IPv4 (any IHL, not a later fragment) | UDP  | tunnel
 *                               | IPv6 (next header UDP, no ext hdrs)  | dport|
 *
 *   UDP header (8)       tunnel header (8)                   options / inner
 *   +--------+--------+  +----+----+---------+-----------+----+
 *   | sport  | dport  |  | b0 | b1 | proto   | VNI (24)  |rsvd|  Geneve: b0 = ver(2)|optlen(6)
 *   | length | csum   |  +----+----+---------+-----------+----+  VXLAN:  b0 & 0x08 = I flag
 *   +--------+--------+   UDP+8               UDP+12      UDP+15
 *
 * Anything that does not match exactly is not ours and passes untouched.
 */
#ifndef LB_BPF_PARSE_H
#define LB_BPF_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <latebind/abi.h>

#define LB_TUN_HLEN 8
#define LB_GENEVE_ETH_PROTO 0x6558 /* Transparent Ethernet Bridging */
#define LB_VXLAN_FLAG_I 0x08
#define LB_VLAN_MAX 2 /* tags parsed: 802.1ad + 802.1Q (QinQ) */
/* Deepest outer header end: Ethernet + two tags + IPv4 with options + UDP + tunnel. */
#define LB_PULL_LEN (ETH_HLEN + 4 * LB_VLAN_MAX + 60 + 8 + LB_TUN_HLEN)

/* lb_parse() results other than 0 */
enum {
	LB_PARSE_OTHER = 1,      /* not a tunnel packet to a configured port */
	LB_PARSE_LATER_FRAG = 2, /* an IPv4 fragment past the first: no UDP header */
};

struct lb_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

struct lb_pkt {
	struct udphdr *udp;
	__u8 *tun;       /* LB_TUN_HLEN readable and writable bytes */
	__u32 *saddr;    /* outer source address, 1 or 4 words */
	__u32 inner_off; /* inner Ethernet header offset, 0 if not Ethernet */
	__u32 vni;
	__u8 family;     /* LB_AF_INET or LB_AF_INET6 */
};

/* Make sure the outer headers are in the linear area, if the skb has them. */
static __always_inline void lb_pull_headers(struct __sk_buff *skb)
{
	__u32 head = skb->data_end - skb->data;

	if (head < LB_PULL_LEN && skb->len > head)
		bpf_skb_pull_data(skb, skb->len < LB_PULL_LEN ? skb->len : LB_PULL_LEN);
}

/*
 * One function per tunnel kind: the length of its header at @tun (the
 * LB_TUN_HLEN bytes there are readable), 0 when the payload is not an
 * Ethernet frame (the inner MAC is then unknown), -1 when the packet is not
 * this kind's. Every kind carries its 24-bit VNI in tun[4..6].
 */
static __always_inline int lb_geneve_hlen(const __u8 *tun)
{
	if (tun[0] >> 6) /* version 0 only */
		return -1;
	if (tun[2] != (LB_GENEVE_ETH_PROTO >> 8) || tun[3] != (LB_GENEVE_ETH_PROTO & 0xff))
		return 0;
	return LB_TUN_HLEN + (tun[0] & 0x3f) * 4; /* options, in 4-byte words */
}

static __always_inline int lb_vxlan_hlen(const __u8 *tun)
{
	return tun[0] & LB_VXLAN_FLAG_I ? LB_TUN_HLEN : -1;
}

/*
 * Returns 0 and fills @p for a Geneve or VXLAN packet to a configured port;
 * LB_PARSE_LATER_FRAG for a non-first IPv4 fragment, LB_PARSE_OTHER else.
 */
static __always_inline int lb_parse(struct __sk_buff *skb, const struct lb_config *cfg,
				    struct lb_pkt *p)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct udphdr *udp;
	__u16 proto, dport;
	__u8 *tun;
	int hlen;

	if ((void *)(eth + 1) > data_end)
		return LB_PARSE_OTHER;
	proto = eth->h_proto;
	data += sizeof(*eth);
#pragma unroll
	for (int i = 0; i < LB_VLAN_MAX; i++) {
		struct lb_vlan_hdr *vh = data;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > data_end)
			return LB_PARSE_OTHER;
		proto = vh->proto;
		data += sizeof(*vh);
	}

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data;

		if ((void *)(ip + 1) > data_end)
			return LB_PARSE_OTHER;
		if (ip->version != 4 || ip->ihl < 5)
			return LB_PARSE_OTHER;
		if (ip->frag_off & bpf_htons(0x1fff)) /* never touch a later fragment */
			return LB_PARSE_LATER_FRAG;
		if (ip->protocol != IPPROTO_UDP)
			return LB_PARSE_OTHER;
		p->family = LB_AF_INET;
		p->saddr = &ip->saddr;
		udp = data + ip->ihl * 4;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data;

		if ((void *)(ip6 + 1) > data_end)
			return LB_PARSE_OTHER;
		if (ip6->version != 6 || ip6->nexthdr != IPPROTO_UDP)
			return LB_PARSE_OTHER;
		p->family = LB_AF_INET6;
		p->saddr = ip6->saddr.in6_u.u6_addr32;
		udp = (void *)(ip6 + 1);
	} else {
		return LB_PARSE_OTHER;
	}

	tun = (__u8 *)(udp + 1);
	if ((void *)(tun + LB_TUN_HLEN) > data_end)
		return LB_PARSE_OTHER;

	dport = bpf_ntohs(udp->dest);
	if (cfg->geneve_port && dport == cfg->geneve_port)
		hlen = lb_geneve_hlen(tun);
	else if (cfg->vxlan_port && dport == cfg->vxlan_port)
		hlen = lb_vxlan_hlen(tun);
	else
		return LB_PARSE_OTHER;
	if (hlen < 0)
		return LB_PARSE_OTHER;
	p->inner_off = hlen ? (void *)tun - (void *)(long)skb->data + hlen : 0;

	p->udp = udp;
	p->tun = tun;
	p->vni = (__u32)tun[4] << 16 | (__u32)tun[5] << 8 | tun[6];
	return 0;
}

#endif
