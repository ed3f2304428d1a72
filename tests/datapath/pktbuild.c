// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Packet builder and UDP checksum verifier from the RFC layouts: pktbuild.h. */
#include <string.h>
#include "pktbuild.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t pb_sum(const void *data, size_t len, uint32_t acc)
{
	const uint8_t *p = data;
	uint64_t s = acc;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += get16(p + i);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8; /* odd byte padded with zero */
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t pb_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static const uint8_t def_eth_dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t def_eth_src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t def_ip4_src[4] = { 192, 0, 2, 1 };
static const uint8_t def_ip4_dst[4] = { 198, 51, 100, 2 };
static const uint8_t def_ip6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t def_ip6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, [15] = 2 };
static const uint8_t def_in_dst[6] = { 0x02, 0xaa, 0, 0, 0, 0x01 };
static const uint8_t def_in_src[6] = { 0x02, 0xbb, 0, 0, 0, 0x01 };

void pb_default(struct pb_spec *s, enum pb_tun tun, enum pb_l3 l3)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->eth_dst, def_eth_dst, 6);
	memcpy(s->eth_src, def_eth_src, 6);
	s->l3 = l3;
	memcpy(s->ip4_src, def_ip4_src, 4);
	memcpy(s->ip4_dst, def_ip4_dst, 4);
	memcpy(s->ip6_src, def_ip6_src, 16);
	memcpy(s->ip6_dst, def_ip6_dst, 16);
	s->ip4_id = 0x1234;
	s->l4 = PB_L4_UDP;
	s->sport = 49152;
	s->dport = tun == PB_TUN_VXLAN ? 4789 : tun == PB_TUN_GENEVE ? 6081 : 53;
	s->udp_csum = true;
	s->tun = tun;
	s->vxlan_flags = PB_VXLAN_F_I;
	memcpy(s->in_dst, def_in_dst, 6);
	memcpy(s->in_src, def_in_src, 6);
	s->in_type = PB_ETH_P_IP;
	s->payload_len = 46;
	s->payload_seed = 0x5a;
}

void pb_gnv_add_opt(struct pb_spec *s, uint16_t cls, uint8_t type, uint8_t len_words)
{
	struct pb_gnv_opt *o;

	if (s->gnv_nopts >= PB_MAX_OPTS)
		return;
	o = &s->gnv_opts[s->gnv_nopts++];
	o->cls = cls;
	o->type = type;
	o->rsvd = 0;
	o->len = len_words & 0x1f;
	o->fill = (uint8_t)(0x10 * s->gnv_nopts + 1);
}

/* Everything after the L4 header: tunnel header, options, inner frame. */
static size_t build_l4_payload(const struct pb_spec *s, uint8_t *p, size_t cap, struct pb_layout *lay,
			       size_t base)
{
	size_t off = 0, need;
	unsigned int words = 0;
	int i;

	lay->tun = base;
	if (s->tun == PB_TUN_GENEVE) {
		for (i = 0; i < s->gnv_nopts; i++)
			words += 1 + s->gnv_opts[i].len;
		need = 8 + words * 4;
		if (need > cap)
			return (size_t)-1;
		p[0] = (uint8_t)((s->gnv_ver & 3) << 6 | (words & 0x3f));
		p[1] = (uint8_t)((s->gnv_o ? 0x80 : 0) | (s->gnv_c ? 0x40 : 0) | (s->gnv_rsvd & 0x3f));
		put16(p + 2, s->gnv_proto ? s->gnv_proto : PB_ETH_P_TEB);
		p[4] = (s->vni >> 16) & 0xff;
		p[5] = (s->vni >> 8) & 0xff;
		p[6] = s->vni & 0xff;
		p[7] = s->tun_rsvd;
		off = 8;
		for (i = 0; i < s->gnv_nopts; i++) {
			const struct pb_gnv_opt *o = &s->gnv_opts[i];

			put16(p + off, o->cls);
			p[off + 2] = o->type;
			p[off + 3] = (uint8_t)((o->rsvd & 7) << 5 | (o->len & 0x1f));
			off += 4;
			for (unsigned int j = 0; j < o->len * 4u; j++)
				p[off + j] = (uint8_t)(o->fill + j);
			off += o->len * 4u;
		}
	} else if (s->tun == PB_TUN_VXLAN) {
		if (cap < 8)
			return (size_t)-1;
		p[0] = s->vxlan_flags;
		p[1] = p[2] = p[3] = 0;
		p[4] = (s->vni >> 16) & 0xff;
		p[5] = (s->vni >> 8) & 0xff;
		p[6] = s->vni & 0xff;
		p[7] = s->tun_rsvd;
		off = 8;
	}
	lay->inner = base + off;
	need = off + 14 + s->payload_len;
	if (need > cap)
		return (size_t)-1;
	memcpy(p + off, s->in_dst, 6);
	memcpy(p + off + 6, s->in_src, 6);
	put16(p + off + 12, s->in_type);
	off += 14;
	for (size_t j = 0; j < s->payload_len; j++)
		p[off + j] = (uint8_t)(s->payload_seed + j * 7);
	return off + s->payload_len;
}

static uint16_t l4_checksum(uint32_t pseudo, const uint8_t *l4, size_t l4len)
{
	uint16_t c = (uint16_t)~pb_fold(pb_sum(l4, l4len, pseudo));

	return c; /* caller maps 0 to 0xffff for UDP */
}

size_t pb_build(const struct pb_spec *s, uint8_t *buf, size_t cap, struct pb_layout *layout)
{
	struct pb_layout lay_local, *lay = layout ? layout : &lay_local;
	uint8_t tmp[PB_MAX_PKT];
	size_t off = 12, l3, l4, l4len, plen, ext = 0, ihl_bytes = 20;
	uint16_t type;
	uint8_t proto;
	int i;

	memset(lay, 0, sizeof(*lay));
	memset(tmp, 0, sizeof(tmp));
	memcpy(tmp, s->eth_dst, 6);
	memcpy(tmp + 6, s->eth_src, 6);
	for (i = 0; i < s->nvlan && i < 2; i++) {
		put16(tmp + off, s->vlan_tpid[i] ? s->vlan_tpid[i] : PB_ETH_P_8021Q);
		put16(tmp + off + 2, s->vlan_tci[i]);
		off += 4;
	}
	switch (s->l3) {
	case PB_L3_IPV4:
		type = PB_ETH_P_IP;
		break;
	case PB_L3_IPV6:
		type = PB_ETH_P_IPV6;
		break;
	case PB_L3_ARP:
		type = PB_ETH_P_ARP;
		break;
	default:
		type = 0x88b5; /* local experimental */
		break;
	}
	if (s->ethertype)
		type = s->ethertype;
	put16(tmp + off, type);
	off += 2;
	l3 = off;
	lay->l3 = l3;

	if (s->l3 == PB_L3_ARP) {
		uint8_t *a = tmp + l3;

		put16(a, 1);           /* htype Ethernet */
		put16(a + 2, PB_ETH_P_IP);
		a[4] = 6;
		a[5] = 4;
		put16(a + 6, 1);       /* request */
		memcpy(a + 8, s->eth_src, 6);
		memcpy(a + 14, s->ip4_src, 4);
		memset(a + 18, 0, 6);
		memcpy(a + 24, s->ip4_dst, 4);
		lay->len = l3 + 28 + 18; /* padded to the 60-byte minimum */
		if (lay->len > cap)
			return 0;
		memcpy(buf, tmp, lay->len);
		return lay->len;
	}
	if (s->l3 == PB_L3_NONE) {
		lay->len = l3 + 46;
		for (size_t j = 0; j < 46; j++)
			tmp[l3 + j] = (uint8_t)(s->payload_seed + j);
		if (lay->len > cap)
			return 0;
		memcpy(buf, tmp, lay->len);
		return lay->len;
	}

	proto = (uint8_t)(s->ip_proto ? s->ip_proto : s->l4);
	if (s->l3 == PB_L3_IPV4) {
		unsigned int ihl = s->ip4_ihl ? s->ip4_ihl : 5;

		ihl_bytes = ihl * 4;
		l4 = l3 + ihl_bytes;
	} else {
		ext = s->ip6_ext ? (s->ip6_ext_hdrlen ? 16 : 8) : 0;
		l4 = l3 + 40 + ext;
	}
	lay->l4 = l4;

	/* L4 header, then payload. */
	{
		size_t hdr = s->l4 == PB_L4_TCP ? 20 : 8;
		size_t pl;

		if (l4 + hdr > sizeof(tmp))
			return 0;
		pl = build_l4_payload(s, tmp + l4 + hdr, sizeof(tmp) - l4 - hdr, lay, l4 + hdr);
		if (pl == (size_t)-1)
			return 0;
		l4len = hdr + pl;
	}
	plen = l4 - l3 + l4len; /* whole L3 packet */
	lay->len = l3 + plen;
	if (lay->len > cap)
		return 0;

	/* L3 header */
	if (s->l3 == PB_L3_IPV4) {
		uint8_t *ip = tmp + l3;

		ip[0] = (uint8_t)(((s->ip4_version ? s->ip4_version : 4) & 0xf) << 4 | ((ihl_bytes / 4) & 0xf));
		ip[1] = 0;
		put16(ip + 2, (uint16_t)plen);
		put16(ip + 4, s->ip4_id);
		put16(ip + 6, s->ip4_frag);
		ip[8] = s->ip4_ttl ? s->ip4_ttl : 64;
		ip[9] = proto;
		put16(ip + 10, 0);
		memcpy(ip + 12, s->ip4_src, 4);
		memcpy(ip + 16, s->ip4_dst, 4);
		for (size_t j = 20; j < ihl_bytes; j++)
			ip[j] = 1; /* NOP option */
		put16(ip + 10, (uint16_t)~pb_fold(pb_sum(ip, ihl_bytes, 0)));
	} else {
		uint8_t *ip = tmp + l3;

		ip[0] = (uint8_t)(((s->ip6_version ? s->ip6_version : 6) & 0xf) << 4);
		ip[1] = ip[2] = ip[3] = 0;
		put16(ip + 4, (uint16_t)(ext + l4len));
		ip[6] = s->ip6_ext ? s->ip6_ext_type : proto;
		ip[7] = 64;
		memcpy(ip + 8, s->ip6_src, 16);
		memcpy(ip + 24, s->ip6_dst, 16);
		if (ext) {
			uint8_t *e = ip + 40;

			e[0] = proto;
			e[1] = (uint8_t)(ext / 8 - 1);
			if (s->ip6_ext_raw) {
				memcpy(e + 2, s->ip6_ext_body, ext - 2);
			} else if (ext == 16) {
				e[2] = 1; /* PadN */
				e[3] = 12;
				memset(e + 4, 0, 12);
			} else if (s->ip6_ext_type == PB_IPPROTO_ROUTING) {
				e[2] = 0; /* routing type 0 (deprecated), segments left 0 */
				e[3] = 0;
				memset(e + 4, 0, 4);
			} else {
				e[2] = 1; /* PadN */
				e[3] = 4;
				memset(e + 4, 0, 4);
			}
		}
	}

	/* L4 header fields and checksum */
	{
		uint8_t *h = tmp + l4;
		uint32_t pseudo;
		uint16_t c;

		put16(h, s->sport);
		put16(h + 2, s->dport);
		if (s->l3 == PB_L3_IPV4) {
			pseudo = pb_sum(s->ip4_src, 4, 0);
			pseudo = pb_sum(s->ip4_dst, 4, pseudo);
		} else {
			pseudo = pb_sum(s->ip6_src, 16, 0);
			pseudo = pb_sum(s->ip6_dst, 16, pseudo);
		}
		pseudo += proto;
		pseudo += (uint32_t)l4len; /* fits: < 64K, so fine in either form */
		if (s->l4 == PB_L4_TCP) {
			put16(h + 4, 0);   /* seq */
			put16(h + 6, 1);
			put16(h + 8, 0);   /* ack */
			put16(h + 10, 0);
			h[12] = 5 << 4;    /* data offset */
			h[13] = 0x18;      /* PSH|ACK */
			put16(h + 14, 65535);
			put16(h + 16, 0);
			put16(h + 18, 0);
			c = l4_checksum(pseudo, h, l4len);
			put16(h + 16, c);
		} else {
			put16(h + 4, (uint16_t)l4len);
			put16(h + 6, 0);
			if (s->udp_csum) {
				c = l4_checksum(pseudo, h, l4len);
				put16(h + 6, c ? c : 0xffff);
			}
		}
	}
	memcpy(buf, tmp, lay->len);
	return lay->len;
}

static size_t find_udp(const uint8_t *pkt, size_t len, int *family, size_t *l3out)
{
	size_t off = 12, l3;
	uint16_t type;
	int tags = 0;

	if (len < 14)
		return 0;
	type = get16(pkt + off);
	while ((type == PB_ETH_P_8021Q || type == PB_ETH_P_8021AD) && tags < 2) {
		off += 4;
		if (off + 2 > len)
			return 0;
		type = get16(pkt + off);
		tags++;
	}
	l3 = off + 2;
	*l3out = l3;
	if (type == PB_ETH_P_IP) {
		size_t ihl;

		if (l3 + 20 > len || (pkt[l3] >> 4) != 4)
			return 0;
		ihl = (pkt[l3] & 0xf) * 4u;
		if (ihl < 20 || (get16(pkt + l3 + 6) & 0x1fff) || pkt[l3 + 9] != PB_IPPROTO_UDP)
			return 0;
		if (family)
			*family = 4;
		return l3 + ihl + 8 <= len ? l3 + ihl : 0;
	}
	if (type == PB_ETH_P_IPV6) {
		size_t p = l3 + 40;
		uint8_t nh;

		if (p > len || (pkt[l3] >> 4) != 6)
			return 0;
		nh = pkt[l3 + 6];
		while (nh == PB_IPPROTO_HOPOPTS || nh == PB_IPPROTO_ROUTING || nh == PB_IPPROTO_DSTOPTS) {
			if (p + 8 > len)
				return 0;
			nh = pkt[p];
			p += (pkt[p + 1] + 1u) * 8;
		}
		if (nh != PB_IPPROTO_UDP)
			return 0;
		if (family)
			*family = 6;
		return p + 8 <= len ? p : 0;
	}
	return 0;
}

size_t pb_find_udp(const uint8_t *pkt, size_t len, int *family)
{
	size_t l3;

	return find_udp(pkt, len, family, &l3);
}

bool pb_udp_csum_valid(const uint8_t *pkt, size_t len)
{
	int family = 0;
	size_t l3 = 0, udp = find_udp(pkt, len, &family, &l3), ulen;
	uint32_t sum;

	if (!udp)
		return false;
	ulen = get16(pkt + udp + 4);
	if (ulen < 8 || udp + ulen > len)
		return false;
	if (get16(pkt + udp + 6) == 0)
		return family == 4; /* no checksum: allowed over IPv4 only */
	if (family == 4) {
		sum = pb_sum(pkt + l3 + 12, 8, 0); /* saddr, daddr */
	} else {
		sum = pb_sum(pkt + l3 + 8, 32, 0);
	}
	sum += PB_IPPROTO_UDP;
	sum += (uint32_t)ulen;
	sum = pb_sum(pkt + udp, ulen, sum);
	return pb_fold(sum) == 0xffff;
}
