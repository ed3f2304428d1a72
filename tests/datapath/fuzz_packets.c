// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The fuzz's packets: structured tunnel packets aimed at the round's
 * bindings (build_packet), their mutations (byte changes, truncation at and
 * around the structural boundaries, extension), and the padding that makes a
 * frame runnable by BPF_PROG_TEST_RUN.
 */
#include <string.h>
#include "fuzz.h"

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
size_t build_packet(uint8_t *p)
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

size_t mutate(uint8_t *p, size_t len)
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
unsigned long padded;

size_t runnable(uint8_t *p, size_t len)
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
