// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Table-driven BPF_PROG_TEST_RUN tests of lb_egress / lb_ingress against the
 * rules of docs/datapath.md. Input and expected output packets are both built
 * by pktbuild from the RFC layouts; the expected source port after a rewrite
 * is computed here (expect_sport), independently of bpf/csum.h.
 *
 * Every case: dp_reset, setup, run, then check the verdict, the exact output
 * bytes, every drop slot and every lb_tun_stats index, and the full UDP
 * checksum of the output when it is not zero.
 *
 * A second part runs bound packets truncated at every length from 14 bytes to
 * the end of the tunnel header (see run_trunc for the lengths this kernel
 * refuses before the program runs).
 *
 * Counters are absolute after dp_reset, so they are the deltas of the case.
 *
 * Bindings as bind makes them: for every ingress entry (in[]) whose dummy has
 * an egress slot, the runner also binds that slot to the entry's VNI (the
 * commit that lets lb_ingress deliver), unless the case sets .ingress_only.
 * Explicit egress bindings (eg[]) are written after, so they override.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <unistd.h>
#include <sys/mman.h>
#include "check.h"
#include "harness.h"
#include "pktbuild.h"

/* VNIs. The default dummy range is 0xff0000..0xffffff. */
#define DMIN 0xff0000u
#define DMAX 0xffffffu
#define D1 0xff0001u
#define D2 0xff0002u
#define D3 0xff1234u
#define R1 5000u     /* 0x001388 */
#define R2 0x123456u
#define R3 0xabcdefu
#define RTOP 0xfeffffu /* the last VNI below the default dummy range */

#define TUN_STATS_ENTRIES LB_DUMMY_RANGE_MAX

/* Addresses: pb_default uses 192.0.2.1 and 2001:db8::1 as the outer source. */
static const uint8_t A4[16] = { 192, 0, 2, 1 };
static const uint8_t A4B[16] = { 192, 0, 2, 99 };
static const uint8_t A6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t A6B[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x99 };
/* pb_default's inner destination MAC is M1. */
static const uint8_t M1[6] = { 0x02, 0xaa, 0, 0, 0, 0x01 };
static const uint8_t M2[6] = { 0x02, 0xaa, 0, 0, 0, 0x02 };
static const uint8_t M3[6] = { 0x02, 0xaa, 0, 0, 0, 0x03 };

/* Configs (NULL in a case means dp_default_config); the harness's ingress table. */
#define CFG(ver, dmin, dmax, gport, vport, fl) \
	(&(const struct lb_config){ .version = (ver), .dummy_min = (dmin), .dummy_max = (dmax), \
				    .geneve_port = (gport), .vxlan_port = (vport), .flags = (fl), \
				    .ingress_seed = DP_INGRESS_SEED, \
				    .ingress_buckets = LB_BINDINGS_MAX / LB_INGRESS_WAYS })
#define CFG_MAC CFG(LB_ABI_VERSION, DMIN, DMAX, 6081, 4789, LB_CFG_F_INNER_MAC)

enum pk {
	P_GNV4,
	P_GNV6,
	P_VXL4,
	P_VXL6,
	P_ARP,
	P_TCP4, /* TCP, dport 6081, a Geneve header as payload */
	P_TCP6,
	P_RAW,  /* unknown EtherType */
};

struct eg_bind {
	uint32_t dummy, vni; /* word LB_EGRESS_BOUND | vni */
	bool raw;            /* write .word as is instead */
	uint32_t word;
};

struct in_bind {
	uint32_t vni;
	uint8_t family;
	const uint8_t *addr;
	const uint8_t *mac; /* NULL: wildcard */
	uint32_t dummy;
};

/*
 * Steps: run once and expect the rewrite (egress: to eg[0]'s VNI; ingress: to
 * in[0].dummy), change the tunnel's egress word (egress: eg[0].dummy;
 * ingress: in[0].dummy), run again and expect what the case says.
 */
enum step {
	ST_NONE,
	ST_REBIND, /* dp_bind_egress(tunnel, step_vni) */
	ST_UNBIND, /* dp_unbind_egress(tunnel) */
	ST_WORD,   /* dp_set_egress_word(tunnel, step_vni) */
};

struct tcase {
	const char *name;
	enum dp_dir dir;
	const struct lb_config *cfg;
	int n_eg;
	struct eg_bind eg[3];
	int n_in;
	struct in_bind in[4];
	bool ingress_only; /* do not bind in[]'s egress slots (a leftover entry) */
	bool junk_record;  /* fill every egress record's mac[] and reserved bytes */

	/* input packet */
	enum pk pk;
	uint32_t vni;
	bool zero_csum; /* UDP checksum 0 instead of a full one */
	int nopts;      /* Geneve options: 0, 1 or 3 (fixed shapes) */
	int vlan;       /* 802.1Q tags */
	void (*tweak)(struct pb_spec *);
	size_t trunc;   /* run only this many bytes (0: all) */
	long trunc_rel; /* if set: run inner + trunc_rel - 1 bytes (6: 5 bytes of inner MAC) */

	enum step step;
	uint32_t step_vni;
	bool step_from_stale; /* the first run drops (stale), untouched */

	/* expected */
	int verdict;
	bool rw;        /* rewritten to xvni (else untouched) */
	uint32_t xvni;
	uint32_t stat_dummy;
	uint64_t tx, rx; /* packets at stat_dummy - dummy_min; bytes = packets * len */
	uint64_t drop[LB_DROP_REASONS];
};

/* ---- expected source port (docs/datapath.md "Rewrite and checksums") ---- */

static uint16_t oc_add(uint16_t a, uint16_t b)
{
	uint32_t s = (uint32_t)a + b;

	return (uint16_t)((s & 0xffff) + (s >> 16));
}

/* sport + o1 + o2 + ~n1 + ~n2 with end-around carry, before the 0 -> 0xffff rule. */
static uint16_t sport_sum(uint16_t sport, uint32_t ovni, uint32_t nvni, uint8_t rsvd)
{
	uint16_t o1 = (uint16_t)(ovni >> 8), o2 = (uint16_t)((ovni & 0xff) << 8 | rsvd);
	uint16_t n1 = (uint16_t)(nvni >> 8), n2 = (uint16_t)((nvni & 0xff) << 8 | rsvd);
	uint16_t s = sport;

	s = oc_add(s, o1);
	s = oc_add(s, o2);
	s = oc_add(s, (uint16_t)~n1);
	s = oc_add(s, (uint16_t)~n2);
	return s;
}

/*
 * The port to expect: one's-complement zero (0x0000 or its other form 0xffff)
 * is written as 0xffff, the only form a UDP port may take.
 */
static uint16_t expect_sport(uint16_t sport, uint32_t ovni, uint32_t nvni, uint8_t rsvd)
{
	uint16_t s = sport_sum(sport, ovni, nvni, rsvd);

	return s == 0 ? 0xffff : s;
}

/* A source port whose adjusted value is one's-complement zero. */
static uint16_t sport_to_zero(uint32_t ovni, uint32_t nvni, uint8_t rsvd)
{
	for (uint32_t s = 1; s < 0xffff; s++) {
		uint16_t r = sport_sum((uint16_t)s, ovni, nvni, rsvd);

		if (r == 0 || r == 0xffff)
			return (uint16_t)s;
	}
	return 0;
}

/* ---- tweaks ---- */

static void t_rsvd(struct pb_spec *s) { s->tun_rsvd = 0xab; }
static void t_gnv_oc(struct pb_spec *s) { s->gnv_o = s->gnv_c = true; s->gnv_rsvd = 0x15; }
static void t_gnv_proto_ip(struct pb_spec *s) { s->gnv_proto = PB_ETH_P_IP; }
static void t_gnv_ver1(struct pb_spec *s) { s->gnv_ver = 1; }
static void t_gnv_ver2(struct pb_spec *s) { s->gnv_ver = 2; }
static void t_gnv_ver3(struct pb_spec *s) { s->gnv_ver = 3; }
static void t_vxl_noi(struct pb_spec *s) { s->vxlan_flags = 0x00; }
static void t_vxl_noi_other(struct pb_spec *s) { s->vxlan_flags = 0xf7; }
static void t_vxl_allflags(struct pb_spec *s) { s->vxlan_flags = 0xff; }
static void t_vxl_88(struct pb_spec *s) { s->vxlan_flags = 0x88; }
static void t_dport53(struct pb_spec *s) { s->dport = 53; }
static void t_sport6081(struct pb_spec *s) { s->sport = 6081; s->dport = 53; }
static void t_dport0(struct pb_spec *s) { s->dport = 0; }
static void t_dport6082(struct pb_spec *s) { s->dport = 6082; }
static void t_dport7000(struct pb_spec *s) { s->dport = 7000; }
static void t_dport8472(struct pb_spec *s) { s->dport = 8472; }
static void t_frag_off1(struct pb_spec *s) { s->ip4_frag = 1; }
static void t_frag_off1_mf(struct pb_spec *s) { s->ip4_frag = PB_IP4_MF | 1; }
static void t_frag_offmax(struct pb_spec *s) { s->ip4_frag = 0x1fff; }
static void t_frag_mf(struct pb_spec *s) { s->ip4_frag = PB_IP4_MF; }
static void t_frag_df(struct pb_spec *s) { s->ip4_frag = PB_IP4_DF; }
static void t_ihl4(struct pb_spec *s) { s->ip4_ihl = 4; }
static void t_ihl6(struct pb_spec *s) { s->ip4_ihl = 6; }
static void t_ihl7(struct pb_spec *s) { s->ip4_ihl = 7; }
static void t_ihl15(struct pb_spec *s) { s->ip4_ihl = 15; }
static void t_ip4ver6(struct pb_spec *s) { s->ip4_version = 6; }
static void t_ip6ver4(struct pb_spec *s) { s->ip6_version = 4; }
static void t_ip6_hop(struct pb_spec *s) { s->ip6_ext = true; s->ip6_ext_type = PB_IPPROTO_HOPOPTS; }
static void t_ip6_dst(struct pb_spec *s) { s->ip6_ext = true; s->ip6_ext_type = PB_IPPROTO_DSTOPTS; }
static void t_ip6_rt(struct pb_spec *s) { s->ip6_ext = true; s->ip6_ext_type = PB_IPPROTO_ROUTING; }
/*
 * A 16-byte destination-options header (PadN, 12 bytes) whose bytes, if the
 * header were taken for UDP, read as dport 0x010c = 268 and then a Geneve
 * header carrying @vni. With geneve_port 268 only the next-header rule keeps
 * it from being rewritten.
 */
#define LURE_PORT 0x010c
static void ip6_lure(struct pb_spec *s, uint32_t vni)
{
	const uint8_t body[14] = { 0x01, 0x0c, 0, 0, 0, 0, 0x00, 0x00, 0x65, 0x58,
				   (uint8_t)(vni >> 16), (uint8_t)(vni >> 8), (uint8_t)vni, 0 };

	s->ip6_ext = true;
	s->ip6_ext_type = PB_IPPROTO_DSTOPTS;
	s->ip6_ext_hdrlen = 1;
	s->ip6_ext_raw = true;
	memcpy(s->ip6_ext_body, body, sizeof(body));
}
static void t_ip6_lure_d1(struct pb_spec *s) { ip6_lure(s, D1); }
static void t_ip6_lure_r1(struct pb_spec *s) { ip6_lure(s, R1); }
static void t_dport_lure(struct pb_spec *s) { s->dport = LURE_PORT; }
static void t_qinq(struct pb_spec *s) { s->nvlan = 2; s->vlan_tci[0] = 100; s->vlan_tci[1] = 200; }
static void t_8021ad_q(struct pb_spec *s)
{
	s->nvlan = 2;
	s->vlan_tpid[0] = PB_ETH_P_8021AD;
	s->vlan_tci[0] = 100;
	s->vlan_tci[1] = 200;
}
static void t_8021ad(struct pb_spec *s) { s->nvlan = 1; s->vlan_tpid[0] = PB_ETH_P_8021AD; s->vlan_tci[0] = 100; }
static void t_mac2(struct pb_spec *s) { memcpy(s->in_dst, M2, 6); }
static void t_mac3(struct pb_spec *s) { memcpy(s->in_dst, M3, 6); }
static void t_src_b4(struct pb_spec *s) { memcpy(s->ip4_src, A4B, 4); }
static void t_src_b6(struct pb_spec *s) { memcpy(s->ip6_src, A6B, 16); }
static void t_deep(struct pb_spec *s)
{
	/* 32 + 31 = 63 words: the largest Opt Len */
	s->gnv_nopts = 0;
	pb_gnv_add_opt(s, 0x0103, 0x81, 31);
	pb_gnv_add_opt(s, 0x0104, 0x02, 30);
}
static void t_deep_mac2(struct pb_spec *s)
{
	t_deep(s);
	t_mac2(s);
}
static void t_opts3_mac2(struct pb_spec *s) { t_mac2(s); }
static void t_proto_ip_mac1(struct pb_spec *s) { t_gnv_proto_ip(s); }
static void t_sport1(struct pb_spec *s) { s->sport = 1; }
static void t_sportffff(struct pb_spec *s) { s->sport = 0xffff; }
static void t_big_payload(struct pb_spec *s) { s->payload_len = 1400; }
static void t_odd_payload(struct pb_spec *s) { s->payload_len = 47; }
/* sport chosen so that the adjusted port is one's-complement zero */
static void t_zero_eg_d1_r1(struct pb_spec *s) { s->sport = sport_to_zero(D1, R1, s->tun_rsvd); }
static void t_zero_eg_d2_r3(struct pb_spec *s) { s->sport = sport_to_zero(D2, R3, s->tun_rsvd); }
static void t_zero_in_r1_d1(struct pb_spec *s) { s->sport = sport_to_zero(R1, D1, s->tun_rsvd); }
static void t_zero_in_r2_d3(struct pb_spec *s) { s->sport = sport_to_zero(R2, D3, s->tun_rsvd); }

/* ---- the table ---- */

#define EG1(d, v) .n_eg = 1, .eg = { { (d), (v) } }
#define IN4(v, d) { (v), LB_AF_INET, A4, NULL, (d) }
#define IN6(v, d) { (v), LB_AF_INET6, A6, NULL, (d) }
#define IN4M(v, m, d) { (v), LB_AF_INET, A4, (m), (d) }
#define IN6M(v, m, d) { (v), LB_AF_INET6, A6, (m), (d) }
#define PASS .verdict = DP_PASS
#define EG_OK(v, d) EG_OKN(v, d, 1)
#define EG_OKN(v, d, n) .verdict = DP_PASS, .rw = true, .xvni = (v), .stat_dummy = (d), .tx = (n)
#define IN_OK(v, d) .verdict = DP_PASS, .rw = true, .xvni = (v), .stat_dummy = (d), .rx = 1
#define DROP(r) .verdict = DP_DROP, .drop = { [(r)] = 1 }
#define IN_OKN(v, d, n) .verdict = DP_PASS, .rw = true, .xvni = (v), .stat_dummy = (d), .rx = (n)
/* A raw binding word. */
#define EGW(d, w) { .dummy = (d), .raw = true, .word = (w) }
#define EG1W(d, w) .n_eg = 1, .eg = { EGW(d, w) }
#define BND LB_EGRESS_BOUND
#define SEL LB_EGRESS_MAC_SEL
#define RSV(bit) (1u << (bit)) /* a reserved bit, 24..29 */
/* The first run delivered (rx 1), then the step made the entry stale. */
#define STALE_AFTER(d) .verdict = DP_DROP, .stat_dummy = (d), .rx = 1, .drop = { [LB_DROP_STALE] = 1 }

static const struct tcase cases[] = {
	/* ---- egress, bound: dummy -> real ---- */
	{ "eg gnv4 0opt csum", DP_EGRESS, EG1(D1, R1), .pk = P_GNV4, .vni = D1, EG_OK(R1, D1) },
	{ "eg gnv4 0opt nocsum", DP_EGRESS, EG1(D1, R1), .pk = P_GNV4, .vni = D1, .zero_csum = true, EG_OK(R1, D1) },
	{ "eg gnv4 1opt csum", DP_EGRESS, EG1(D1, R2), .pk = P_GNV4, .vni = D1, .nopts = 1, EG_OK(R2, D1) },
	{ "eg gnv4 1opt nocsum", DP_EGRESS, EG1(D1, R2), .pk = P_GNV4, .vni = D1, .nopts = 1, .zero_csum = true, EG_OK(R2, D1) },
	{ "eg gnv4 3opt csum", DP_EGRESS, EG1(D3, R3), .pk = P_GNV4, .vni = D3, .nopts = 3, EG_OK(R3, D3) },
	{ "eg gnv4 3opt nocsum", DP_EGRESS, EG1(D3, R3), .pk = P_GNV4, .vni = D3, .nopts = 3, .zero_csum = true, EG_OK(R3, D3) },
	{ "eg gnv6 0opt csum", DP_EGRESS, EG1(D1, R1), .pk = P_GNV6, .vni = D1, EG_OK(R1, D1) },
	{ "eg gnv6 0opt nocsum", DP_EGRESS, EG1(D1, R1), .pk = P_GNV6, .vni = D1, .zero_csum = true, EG_OK(R1, D1) },
	{ "eg gnv6 1opt csum", DP_EGRESS, EG1(D2, R2), .pk = P_GNV6, .vni = D2, .nopts = 1, EG_OK(R2, D2) },
	{ "eg gnv6 1opt nocsum", DP_EGRESS, EG1(D2, R2), .pk = P_GNV6, .vni = D2, .nopts = 1, .zero_csum = true, EG_OK(R2, D2) },
	{ "eg gnv6 3opt csum", DP_EGRESS, EG1(D3, R3), .pk = P_GNV6, .vni = D3, .nopts = 3, EG_OK(R3, D3) },
	{ "eg gnv6 3opt nocsum", DP_EGRESS, EG1(D3, R3), .pk = P_GNV6, .vni = D3, .nopts = 3, .zero_csum = true, EG_OK(R3, D3) },
	{ "eg vxl4 csum", DP_EGRESS, EG1(D1, R1), .pk = P_VXL4, .vni = D1, EG_OK(R1, D1) },
	{ "eg vxl4 nocsum", DP_EGRESS, EG1(D1, R1), .pk = P_VXL4, .vni = D1, .zero_csum = true, EG_OK(R1, D1) },
	{ "eg vxl6 csum", DP_EGRESS, EG1(D2, R3), .pk = P_VXL6, .vni = D2, EG_OK(R3, D2) },
	{ "eg vxl6 nocsum", DP_EGRESS, EG1(D2, R3), .pk = P_VXL6, .vni = D2, .zero_csum = true, EG_OK(R3, D2) },
	{ "eg gnv4 63-word options csum", DP_EGRESS, EG1(D1, R2), .pk = P_GNV4, .vni = D1, .tweak = t_deep, EG_OK(R2, D1) },
	{ "eg gnv6 63-word options csum", DP_EGRESS, EG1(D1, R2), .pk = P_GNV6, .vni = D1, .tweak = t_deep, EG_OK(R2, D1) },
	{ "eg gnv4 reserved byte kept csum", DP_EGRESS, EG1(D1, R2), .pk = P_GNV4, .vni = D1, .tweak = t_rsvd, EG_OK(R2, D1) },
	{ "eg vxl6 reserved byte kept csum", DP_EGRESS, EG1(D1, R3), .pk = P_VXL6, .vni = D1, .tweak = t_rsvd, EG_OK(R3, D1) },
	{ "eg gnv4 O and C bits set rewritten", DP_EGRESS, EG1(D1, R1), .pk = P_GNV4, .vni = D1, .nopts = 1, .tweak = t_gnv_oc, EG_OK(R1, D1) },
	{ "eg gnv4 proto 0x0800 rewritten", DP_EGRESS, EG1(D1, R1), .pk = P_GNV4, .vni = D1, .tweak = t_gnv_proto_ip, EG_OK(R1, D1) },
	{ "eg gnv6 proto 0x0800 rewritten nocsum", DP_EGRESS, EG1(D1, R1), .pk = P_GNV6, .vni = D1, .zero_csum = true, .tweak = t_gnv_proto_ip, EG_OK(R1, D1) },
	{ "eg vxl4 all flag bits set rewritten", DP_EGRESS, EG1(D1, R1), .pk = P_VXL4, .vni = D1, .tweak = t_vxl_allflags, EG_OK(R1, D1) },
	{ "eg gnv4 to real vni 0", DP_EGRESS, EG1(D1, 0), .pk = P_GNV4, .vni = D1, EG_OK(0, D1) },
	{ "eg vxl6 to real vni 0xfeffff", DP_EGRESS, EG1(D1, RTOP), .pk = P_VXL6, .vni = D1, EG_OK(RTOP, D1) },
	{ "eg gnv4 dummy_min (stats index 0)", DP_EGRESS, EG1(DMIN, R1), .pk = P_GNV4, .vni = DMIN, EG_OK(R1, DMIN) },
	{ "eg vxl4 dummy_max (stats index 65535)", DP_EGRESS, EG1(DMAX, R2), .pk = P_VXL4, .vni = DMAX, EG_OK(R2, DMAX) },
	{ "eg gnv4 sport' one's-zero -> 0xffff", DP_EGRESS, EG1(D1, R1), .pk = P_GNV4, .vni = D1, .tweak = t_zero_eg_d1_r1, EG_OK(R1, D1) },
	{ "eg vxl6 sport' one's-zero -> 0xffff", DP_EGRESS, EG1(D2, R3), .pk = P_VXL6, .vni = D2, .tweak = t_zero_eg_d2_r3, EG_OK(R3, D2) },
	{ "eg gnv4 sport 1", DP_EGRESS, EG1(D1, R2), .pk = P_GNV4, .vni = D1, .tweak = t_sport1, EG_OK(R2, D1) },
	{ "eg gnv6 sport 0xffff", DP_EGRESS, EG1(D3, R1), .pk = P_GNV6, .vni = D3, .tweak = t_sportffff, EG_OK(R1, D3) },
	{ "eg gnv4 1400-byte payload", DP_EGRESS, EG1(D1, R2), .pk = P_GNV4, .vni = D1, .tweak = t_big_payload, EG_OK(R2, D1) },
	{ "eg vxl6 odd-length payload", DP_EGRESS, EG1(D1, R2), .pk = P_VXL6, .vni = D1, .tweak = t_odd_payload, EG_OK(R2, D1) },
	{ "eg gnv4 vlan csum", DP_EGRESS, EG1(D1, R1), .pk = P_GNV4, .vni = D1, .vlan = 1, EG_OK(R1, D1) },
	{ "eg gnv6 vlan nocsum", DP_EGRESS, EG1(D1, R1), .pk = P_GNV6, .vni = D1, .vlan = 1, .zero_csum = true, EG_OK(R1, D1) },
	{ "eg gnv6 vlan 3opt csum", DP_EGRESS, EG1(D1, R2), .pk = P_GNV6, .vni = D1, .vlan = 1, .nopts = 3, EG_OK(R2, D1) },
	{ "eg vxl4 vlan csum", DP_EGRESS, EG1(D2, R2), .pk = P_VXL4, .vni = D2, .vlan = 1, EG_OK(R2, D2) },
	{ "eg vxl6 vlan csum", DP_EGRESS, EG1(D2, R2), .pk = P_VXL6, .vni = D2, .vlan = 1, EG_OK(R2, D2) },
	{ "eg gnv4 first fragment MF csum", DP_EGRESS, EG1(D1, R1), .pk = P_GNV4, .vni = D1, .tweak = t_frag_mf, EG_OK(R1, D1) },
	{ "eg vxl4 first fragment MF nocsum", DP_EGRESS, EG1(D1, R1), .pk = P_VXL4, .vni = D1, .zero_csum = true, .tweak = t_frag_mf, EG_OK(R1, D1) },
	{ "eg gnv4 DF set", DP_EGRESS, EG1(D1, R1), .pk = P_GNV4, .vni = D1, .tweak = t_frag_df, EG_OK(R1, D1) },
	{ "eg gnv4 IHL 6", DP_EGRESS, EG1(D1, R2), .pk = P_GNV4, .vni = D1, .tweak = t_ihl6, EG_OK(R2, D1) },
	{ "eg vxl4 IHL 7", DP_EGRESS, EG1(D1, R2), .pk = P_VXL4, .vni = D1, .tweak = t_ihl7, EG_OK(R2, D1) },
	{ "eg gnv4 IHL 15 3opt", DP_EGRESS, EG1(D1, R2), .pk = P_GNV4, .vni = D1, .nopts = 3, .tweak = t_ihl15, EG_OK(R2, D1) },
	{ "eg gnv4 IHL 15 nocsum", DP_EGRESS, EG1(D1, R2), .pk = P_GNV4, .vni = D1, .zero_csum = true, .tweak = t_ihl15, EG_OK(R2, D1) },
	{ "eg custom geneve port 7000", DP_EGRESS, CFG(LB_ABI_VERSION, DMIN, DMAX, 7000, 4789, 0), EG1(D1, R1), .pk = P_GNV4, .vni = D1, .tweak = t_dport7000, EG_OK(R1, D1) },
	{ "eg custom vxlan port 8472", DP_EGRESS, CFG(LB_ABI_VERSION, DMIN, DMAX, 6081, 8472, 0), EG1(D1, R1), .pk = P_VXL6, .vni = D1, .tweak = t_dport8472, EG_OK(R1, D1) },
	{ "eg geneve port 0, vxlan still on", DP_EGRESS, CFG(LB_ABI_VERSION, DMIN, DMAX, 0, 4789, 0), EG1(D1, R1), .pk = P_VXL4, .vni = D1, EG_OK(R1, D1) },
	{ "eg vxlan port 0, geneve still on", DP_EGRESS, CFG(LB_ABI_VERSION, DMIN, DMAX, 6081, 0, 0), EG1(D1, R1), .pk = P_GNV6, .vni = D1, EG_OK(R1, D1) },
	{ "eg custom range 1000..1999", DP_EGRESS, CFG(LB_ABI_VERSION, 1000, 1999, 6081, 4789, 0), EG1(1500, R2), .pk = P_GNV4, .vni = 1500, EG_OK(R2, 1500) },
	{ "eg custom range: binding to old-range vni ok", DP_EGRESS, CFG(LB_ABI_VERSION, 1000, 1999, 6081, 4789, 0), EG1(1999, D1), .pk = P_VXL4, .vni = 1999, EG_OK(D1, 1999) },
	/* range wider than the per-tunnel arrays (only bpftool can write that):
	 * a dummy past the last slot has no binding, so it fails closed */
	{ "eg range wider than the binding array: unbound", DP_EGRESS, CFG(LB_ABI_VERSION, 0x100000, DMAX, 6081, 4789, 0), EG1(0x100000 + 1, R1), .pk = P_GNV4, .vni = 0x100000 + 70000, DROP(LB_DROP_UNBOUND) },

	/* ---- egress: rebind / unbind ---- */
	{ "eg gnv4 rebind", DP_EGRESS, EG1(D1, R1), .pk = P_GNV4, .vni = D1, .step = ST_REBIND, .step_vni = R2, EG_OKN(R2, D1, 2) },
	{ "eg vxl6 rebind nocsum", DP_EGRESS, EG1(D2, R3), .pk = P_VXL6, .vni = D2, .zero_csum = true, .step = ST_REBIND, .step_vni = R1, EG_OKN(R1, D2, 2) },
	{ "eg gnv6 rebind 3opt", DP_EGRESS, EG1(D3, R1), .pk = P_GNV6, .vni = D3, .nopts = 3, .step = ST_REBIND, .step_vni = 0, EG_OKN(0, D3, 2) },
	{ "eg gnv4 rebind into dummy range", DP_EGRESS, EG1(D1, R1), .pk = P_GNV4, .vni = D1, .step = ST_REBIND, .step_vni = D2, .verdict = DP_DROP, .stat_dummy = D1, .tx = 1, .drop = { [LB_DROP_BAD_BINDING] = 1 } },
	{ "eg vxl4 unbind", DP_EGRESS, EG1(D1, R1), .pk = P_VXL4, .vni = D1, .step = ST_UNBIND, .verdict = DP_DROP, .stat_dummy = D1, .tx = 1, .drop = { [LB_DROP_UNBOUND] = 1 } },

	/* ---- egress: drops ---- */
	{ "eg gnv4 unbound", DP_EGRESS, EG1(D2, R1), .pk = P_GNV4, .vni = D1, DROP(LB_DROP_UNBOUND) },
	{ "eg gnv6 unbound 3opt", DP_EGRESS, .pk = P_GNV6, .vni = D1, .nopts = 3, DROP(LB_DROP_UNBOUND) },
	{ "eg vxl4 unbound nocsum", DP_EGRESS, .pk = P_VXL4, .vni = DMAX, .zero_csum = true, DROP(LB_DROP_UNBOUND) },
	{ "eg vxl6 unbound vlan", DP_EGRESS, .pk = P_VXL6, .vni = DMIN, .vlan = 1, DROP(LB_DROP_UNBOUND) },
	{ "eg gnv4 unbound, ingress binding irrelevant", DP_EGRESS, .n_in = 1, .in = { IN4(D1, D1) }, .ingress_only = true, .pk = P_GNV4, .vni = D1, DROP(LB_DROP_UNBOUND) },
	{ "eg vxl4 unbound, ingress entry for it left over", DP_EGRESS, .n_in = 1, .in = { IN4(R1, D1) }, .ingress_only = true, .pk = P_VXL4, .vni = D1, DROP(LB_DROP_UNBOUND) },
	{ "eg gnv4 bad binding: dummy vni", DP_EGRESS, EG1(D1, D2), .pk = P_GNV4, .vni = D1, DROP(LB_DROP_BAD_BINDING) },
	{ "eg gnv4 bad binding: to itself", DP_EGRESS, EG1(D1, D1), .pk = P_GNV4, .vni = D1, .nopts = 1, DROP(LB_DROP_BAD_BINDING) },
	{ "eg vxl6 bad binding: dummy_min", DP_EGRESS, EG1(D1, DMIN), .pk = P_VXL6, .vni = D1, DROP(LB_DROP_BAD_BINDING) },
	{ "eg vxl4 bad binding: 0x1000000", DP_EGRESS, EG1(D1, 0x1000000), .pk = P_VXL4, .vni = D1, DROP(LB_DROP_BAD_BINDING) },
	{ "eg gnv6 bad binding: 0xffffffff", DP_EGRESS, EG1(D1, 0xffffffffu), .pk = P_GNV6, .vni = D1, DROP(LB_DROP_BAD_BINDING) },
	{ "eg gnv4 bad binding: 0x1001388 (low 24 bits real)", DP_EGRESS, EG1(D1, 0x1000000 | R1), .pk = P_GNV4, .vni = D1, .zero_csum = true, DROP(LB_DROP_BAD_BINDING) },

	/* ---- egress: the binding word (ABI 2: MAC_SEL, reserved bits, the record) ---- */
	{ "eg gnv4 MAC_SEL set: rewritten", DP_EGRESS, EG1W(D1, BND | SEL | R1), .pk = P_GNV4, .vni = D1, EG_OK(R1, D1) },
	{ "eg vxl6 MAC_SEL set, real vni 0", DP_EGRESS, EG1W(D2, BND | SEL | 0), .pk = P_VXL6, .vni = D2, EG_OK(0, D2) },
	{ "eg gnv6 MAC_SEL set, 0xfeffff, 3opt nocsum", DP_EGRESS, EG1W(D3, BND | SEL | RTOP), .pk = P_GNV6, .vni = D3, .nopts = 3, .zero_csum = true, EG_OK(RTOP, D3) },
	{ "eg gnv4 MAC_SEL set, dummy vni: bad binding", DP_EGRESS, EG1W(D1, BND | SEL | D2), .pk = P_GNV4, .vni = D1, DROP(LB_DROP_BAD_BINDING) },
	{ "eg vxl4 reserved bit 24 (word 0x81001388): bad binding", DP_EGRESS, EG1W(D1, BND | RSV(24) | R1), .pk = P_VXL4, .vni = D1, DROP(LB_DROP_BAD_BINDING) },
	{ "eg gnv4 reserved bit 29: bad binding", DP_EGRESS, EG1W(D1, BND | RSV(29) | R1), .pk = P_GNV4, .vni = D1, DROP(LB_DROP_BAD_BINDING) },
	{ "eg gnv6 MAC_SEL and reserved bit 27: bad binding", DP_EGRESS, EG1W(D1, BND | SEL | RSV(27) | R2), .pk = P_GNV6, .vni = D1, DROP(LB_DROP_BAD_BINDING) },
	{ "eg vxl6 all reserved bits: bad binding", DP_EGRESS, EG1W(D1, BND | 0x3f000000u | R3), .pk = P_VXL6, .vni = D1, DROP(LB_DROP_BAD_BINDING) },
	{ "eg vxl4 MAC_SEL without BOUND: unbound", DP_EGRESS, EG1W(D1, SEL | R1), .pk = P_VXL4, .vni = D1, DROP(LB_DROP_UNBOUND) },
	{ "eg gnv4 reserved bits without BOUND: unbound", DP_EGRESS, EG1W(D1, 0x3f000000u | R1), .pk = P_GNV4, .vni = D1, DROP(LB_DROP_UNBOUND) },
	{ "eg gnv4 real vni without BOUND: unbound", DP_EGRESS, EG1W(D1, R1), .pk = P_GNV4, .vni = D1, DROP(LB_DROP_UNBOUND) },
	{ "eg gnv4 record's mac[] and reserved filled: ignored", DP_EGRESS, EG1(D1, R2), .junk_record = true, .pk = P_GNV4, .vni = D1, EG_OK(R2, D1) },
	{ "eg vxl4 record's mac[] filled, word 0: unbound", DP_EGRESS, EG1W(D1, 0), .junk_record = true, .pk = P_VXL4, .vni = D1, DROP(LB_DROP_UNBOUND) },
	{ "eg gnv4 rebind flipping MAC_SEL to another VNI", DP_EGRESS, EG1(D1, R1), .pk = P_GNV4, .vni = D1, .step = ST_WORD, .step_vni = BND | SEL | R2, EG_OKN(R2, D1, 2) },
	{ "eg vxl6 rebind, MAC_SEL back to 0", DP_EGRESS, EG1W(D2, BND | SEL | R1), .pk = P_VXL6, .vni = D2, .step = ST_WORD, .step_vni = BND | R3, EG_OKN(R3, D2, 2) },
	{ "eg gnv4 rebind to a word with a reserved bit", DP_EGRESS, EG1(D1, R1), .pk = P_GNV4, .vni = D1, .step = ST_WORD, .step_vni = BND | RSV(25) | R1, .verdict = DP_DROP, .stat_dummy = D1, .tx = 1, .drop = { [LB_DROP_BAD_BINDING] = 1 } },

	/* ---- egress: passes untouched ---- */
	{ "eg gnv4 vni below range, others bound", DP_EGRESS, EG1(D1, R2), .pk = P_GNV4, .vni = R1, PASS },
	{ "eg vxl6 vni 0xfeffff unbound", DP_EGRESS, .pk = P_VXL6, .vni = RTOP, PASS },
	{ "eg vxl4 vni 0 unbound", DP_EGRESS, .pk = P_VXL4, .vni = 0, .zero_csum = true, PASS },
	{ "eg gnv4 version 1", DP_EGRESS, EG1(D1, R1), .pk = P_GNV4, .vni = D1, .tweak = t_gnv_ver1, PASS },
	{ "eg gnv6 version 2", DP_EGRESS, EG1(D1, R1), .pk = P_GNV6, .vni = D1, .tweak = t_gnv_ver2, PASS },
	{ "eg gnv4 version 3 unbound", DP_EGRESS, .pk = P_GNV4, .vni = D1, .nopts = 1, .tweak = t_gnv_ver3, PASS },
	{ "eg vxl4 no I flag", DP_EGRESS, EG1(D1, R1), .pk = P_VXL4, .vni = D1, .tweak = t_vxl_noi, PASS },
	{ "eg vxl6 all flags but I", DP_EGRESS, EG1(D1, R1), .pk = P_VXL6, .vni = D1, .tweak = t_vxl_noi_other, PASS },
	{ "eg arp", DP_EGRESS, EG1(D1, R1), .pk = P_ARP, .vni = D1, PASS },
	{ "eg tcp4 dport 6081", DP_EGRESS, EG1(D1, R1), .pk = P_TCP4, .vni = D1, PASS },
	{ "eg tcp6 dport 6081", DP_EGRESS, EG1(D1, R1), .pk = P_TCP6, .vni = D1, PASS },
	{ "eg unknown ethertype", DP_EGRESS, EG1(D1, R1), .pk = P_RAW, .vni = D1, PASS },
	{ "eg udp4 dport 53", DP_EGRESS, EG1(D1, R1), .pk = P_GNV4, .vni = D1, .tweak = t_dport53, PASS },
	{ "eg udp6 sport 6081 dport 53", DP_EGRESS, EG1(D1, R1), .pk = P_GNV6, .vni = D1, .tweak = t_sport6081, PASS },
	{ "eg udp4 dport 6082", DP_EGRESS, EG1(D1, R1), .pk = P_GNV4, .vni = D1, .tweak = t_dport6082, PASS },
	{ "eg gnv4 later fragment (off 1)", DP_EGRESS, EG1(D1, R1), .pk = P_GNV4, .vni = D1, .tweak = t_frag_off1, PASS },
	{ "eg vxl4 later fragment (MF, off 1)", DP_EGRESS, EG1(D1, R1), .pk = P_VXL4, .vni = D1, .tweak = t_frag_off1_mf, PASS },
	{ "eg gnv4 later fragment (off 0x1fff) unbound", DP_EGRESS, .pk = P_GNV4, .vni = D1, .tweak = t_frag_offmax, PASS },
	{ "eg gnv4 IHL 4", DP_EGRESS, EG1(D1, R1), .pk = P_GNV4, .vni = D1, .tweak = t_ihl4, PASS },
	{ "eg gnv4 version nibble 6 under 0x0800", DP_EGRESS, EG1(D1, R1), .pk = P_GNV4, .vni = D1, .tweak = t_ip4ver6, PASS },
	{ "eg gnv6 version nibble 4 under 0x86dd", DP_EGRESS, EG1(D1, R1), .pk = P_GNV6, .vni = D1, .tweak = t_ip6ver4, PASS },
	{ "eg gnv6 hop-by-hop header", DP_EGRESS, EG1(D1, R1), .pk = P_GNV6, .vni = D1, .tweak = t_ip6_hop, PASS },
	{ "eg vxl6 destination-options header", DP_EGRESS, EG1(D1, R1), .pk = P_VXL6, .vni = D1, .tweak = t_ip6_dst, PASS },
	{ "eg gnv6 routing header unbound", DP_EGRESS, .pk = P_GNV6, .vni = D1, .tweak = t_ip6_rt, PASS },
	{ "eg gnv6 16-byte dest-opts, reads as geneve:268", DP_EGRESS, CFG(LB_ABI_VERSION, DMIN, DMAX, LURE_PORT, 4789, 0), EG1(D1, R1), .pk = P_GNV6, .vni = D1, .tweak = t_ip6_lure_d1, PASS },
	{ "eg gnv6 geneve port 268 (control for the above)", DP_EGRESS, CFG(LB_ABI_VERSION, DMIN, DMAX, LURE_PORT, 4789, 0), EG1(D1, R1), .pk = P_GNV6, .vni = D1, .tweak = t_dport_lure, EG_OK(R1, D1) },
	/* TCP bytes at L4+12..14 (offset 0x50, flags 0x18, window 0xff..) read as VNI 0x5018ff */
	{ "eg tcp4 whose header reads as a bound dummy", DP_EGRESS, CFG(LB_ABI_VERSION, 0x500000, 0x50ffff, 6081, 4789, 0), EG1(0x5018ff, R1), .pk = P_TCP4, .vni = D1, PASS },
	{ "eg tcp6 whose header reads as a bound dummy", DP_EGRESS, CFG(LB_ABI_VERSION, 0x500000, 0x50ffff, 6081, 4789, 0), EG1(0x5018ff, R1), .pk = P_TCP6, .vni = D1, PASS },
	/* Two tags, 802.1Q or 802.1ad, are parsed: a dummy VNI behind them is ours. */
	{ "eg gnv4 qinq", DP_EGRESS, EG1(D1, R1), .pk = P_GNV4, .vni = D1, .tweak = t_qinq, EG_OK(R1, D1) },
	{ "eg vxl6 qinq unbound", DP_EGRESS, .pk = P_VXL6, .vni = D1, .tweak = t_qinq, DROP(LB_DROP_UNBOUND) },
	{ "eg gnv4 802.1ad+802.1Q", DP_EGRESS, EG1(D1, R1), .pk = P_GNV4, .vni = D1, .tweak = t_8021ad_q, EG_OK(R1, D1) },
	{ "eg gnv4 single 802.1ad tag", DP_EGRESS, EG1(D1, R1), .pk = P_GNV4, .vni = D1, .tweak = t_8021ad, EG_OK(R1, D1) },
	{ "eg config version 0", DP_EGRESS, CFG(0, DMIN, DMAX, 6081, 4789, 0), EG1(D1, R1), .pk = P_GNV4, .vni = D1, PASS },
	{ "eg config version 0 unbound", DP_EGRESS, CFG(0, DMIN, DMAX, 6081, 4789, 0), .pk = P_VXL4, .vni = D1, PASS },
	{ "eg config version ABI + 1", DP_EGRESS, CFG(LB_ABI_VERSION + 1, DMIN, DMAX, 6081, 4789, 0), EG1(D1, R1), .pk = P_GNV6, .vni = D1, PASS },
	{ "eg config version 1 (an ABI 1 control plane)", DP_EGRESS, CFG(1, DMIN, DMAX, 6081, 4789, 0), EG1(D1, R1), .pk = P_GNV4, .vni = D1, PASS },
	{ "eg custom geneve port: 6081 passes", DP_EGRESS, CFG(LB_ABI_VERSION, DMIN, DMAX, 7000, 4789, 0), EG1(D1, R1), .pk = P_GNV4, .vni = D1, PASS },
	{ "eg custom vxlan port: 4789 passes", DP_EGRESS, CFG(LB_ABI_VERSION, DMIN, DMAX, 6081, 8472, 0), EG1(D1, R1), .pk = P_VXL4, .vni = D1, PASS },
	{ "eg geneve port 0", DP_EGRESS, CFG(LB_ABI_VERSION, DMIN, DMAX, 0, 4789, 0), EG1(D1, R1), .pk = P_GNV4, .vni = D1, PASS },
	{ "eg vxlan port 0", DP_EGRESS, CFG(LB_ABI_VERSION, DMIN, DMAX, 6081, 0, 0), EG1(D1, R1), .pk = P_VXL6, .vni = D1, PASS },
	{ "eg vxlan port 0: a packet to dport 0 passes", DP_EGRESS, CFG(LB_ABI_VERSION, DMIN, DMAX, 6081, 0, 0), EG1(D1, R1), .pk = P_VXL4, .vni = D1, .tweak = t_dport0, PASS },
	{ "eg geneve port 0: a packet to dport 0 passes", DP_EGRESS, CFG(LB_ABI_VERSION, DMIN, DMAX, 0, 4789, 0), EG1(D1, R1), .pk = P_GNV6, .vni = D1, .tweak = t_dport0, PASS },
	/* flags 0x88: I set, but as Geneve that is version 2 */
	{ "eg equal ports: geneve wins", DP_EGRESS, CFG(LB_ABI_VERSION, DMIN, DMAX, 4789, 4789, 0), EG1(D1, R1), .pk = P_VXL4, .vni = D1, .tweak = t_vxl_88, PASS },
	{ "eg same packet, vxlan port only: rewritten", DP_EGRESS, EG1(D1, R1), .pk = P_VXL4, .vni = D1, .tweak = t_vxl_88, EG_OK(R1, D1) },
	{ "eg empty range (min > max)", DP_EGRESS, CFG(LB_ABI_VERSION, DMAX, DMIN, 6081, 4789, 0), .pk = P_GNV4, .vni = D1, PASS },
	{ "eg custom range: old dummy passes", DP_EGRESS, CFG(LB_ABI_VERSION, 1000, 1999, 6081, 4789, 0), EG1(1000, R1), .pk = P_GNV4, .vni = D1, PASS },

	/* ---- ingress: hits, real -> dummy ---- */
	{ "in gnv4 0opt csum", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, .pk = P_GNV4, .vni = R1, IN_OK(D1, D1) },
	{ "in gnv4 0opt nocsum", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, .pk = P_GNV4, .vni = R1, .zero_csum = true, IN_OK(D1, D1) },
	{ "in gnv4 1opt csum", DP_INGRESS, .n_in = 1, .in = { IN4(R2, D2) }, .pk = P_GNV4, .vni = R2, .nopts = 1, IN_OK(D2, D2) },
	{ "in gnv4 3opt nocsum", DP_INGRESS, .n_in = 1, .in = { IN4(R2, D2) }, .pk = P_GNV4, .vni = R2, .nopts = 3, .zero_csum = true, IN_OK(D2, D2) },
	{ "in gnv4 3opt csum", DP_INGRESS, .n_in = 1, .in = { IN4(R3, D3) }, .pk = P_GNV4, .vni = R3, .nopts = 3, IN_OK(D3, D3) },
	{ "in gnv6 0opt csum", DP_INGRESS, .n_in = 1, .in = { IN6(R1, D1) }, .pk = P_GNV6, .vni = R1, IN_OK(D1, D1) },
	{ "in gnv6 1opt nocsum", DP_INGRESS, .n_in = 1, .in = { IN6(R1, D1) }, .pk = P_GNV6, .vni = R1, .nopts = 1, .zero_csum = true, IN_OK(D1, D1) },
	{ "in gnv6 3opt csum", DP_INGRESS, .n_in = 1, .in = { IN6(R3, D3) }, .pk = P_GNV6, .vni = R3, .nopts = 3, IN_OK(D3, D3) },
	{ "in vxl4 csum", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D2) }, .pk = P_VXL4, .vni = R1, IN_OK(D2, D2) },
	{ "in vxl4 nocsum", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D2) }, .pk = P_VXL4, .vni = R1, .zero_csum = true, IN_OK(D2, D2) },
	{ "in vxl6 csum", DP_INGRESS, .n_in = 1, .in = { IN6(R2, D1) }, .pk = P_VXL6, .vni = R2, IN_OK(D1, D1) },
	{ "in vxl6 nocsum", DP_INGRESS, .n_in = 1, .in = { IN6(R2, D1) }, .pk = P_VXL6, .vni = R2, .zero_csum = true, IN_OK(D1, D1) },
	{ "in gnv4 vni 0 -> dummy_max", DP_INGRESS, .n_in = 1, .in = { IN4(0, DMAX) }, .pk = P_GNV4, .vni = 0, IN_OK(DMAX, DMAX) },
	{ "in vxl6 0xfeffff -> dummy_min", DP_INGRESS, .n_in = 1, .in = { IN6(RTOP, DMIN) }, .pk = P_VXL6, .vni = RTOP, IN_OK(DMIN, DMIN) },
	{ "in gnv4 reserved byte kept", DP_INGRESS, .n_in = 1, .in = { IN4(R2, D3) }, .pk = P_GNV4, .vni = R2, .tweak = t_rsvd, IN_OK(D3, D3) },
	{ "in gnv4 sport' one's-zero -> 0xffff", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, .pk = P_GNV4, .vni = R1, .tweak = t_zero_in_r1_d1, IN_OK(D1, D1) },
	{ "in gnv6 sport' one's-zero -> 0xffff", DP_INGRESS, .n_in = 1, .in = { IN6(R2, D3) }, .pk = P_GNV6, .vni = R2, .nopts = 1, .tweak = t_zero_in_r2_d3, IN_OK(D3, D3) },
	{ "in gnv4 vlan", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, .pk = P_GNV4, .vni = R1, .vlan = 1, IN_OK(D1, D1) },
	{ "in gnv6 vlan 3opt", DP_INGRESS, .n_in = 1, .in = { IN6(R1, D1) }, .pk = P_GNV6, .vni = R1, .vlan = 1, .nopts = 3, IN_OK(D1, D1) },
	{ "in vxl4 vlan nocsum", DP_INGRESS, .n_in = 1, .in = { IN4(R2, D2) }, .pk = P_VXL4, .vni = R2, .vlan = 1, .zero_csum = true, IN_OK(D2, D2) },
	{ "in vxl6 vlan", DP_INGRESS, .n_in = 1, .in = { IN6(R2, D2) }, .pk = P_VXL6, .vni = R2, .vlan = 1, IN_OK(D2, D2) },
	{ "in gnv4 first fragment MF", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, .pk = P_GNV4, .vni = R1, .tweak = t_frag_mf, IN_OK(D1, D1) },
	{ "in gnv4 IHL 15", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, .pk = P_GNV4, .vni = R1, .tweak = t_ihl15, IN_OK(D1, D1) },
	{ "in vxl4 IHL 6", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, .pk = P_VXL4, .vni = R1, .tweak = t_ihl6, IN_OK(D1, D1) },
	{ "in gnv4 proto 0x0800 rewritten", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, .pk = P_GNV4, .vni = R1, .tweak = t_gnv_proto_ip, IN_OK(D1, D1) },
	{ "in custom geneve port 7000", DP_INGRESS, CFG(LB_ABI_VERSION, DMIN, DMAX, 7000, 4789, 0), .n_in = 1, .in = { IN6(R1, D1) }, .pk = P_GNV6, .vni = R1, .tweak = t_dport7000, IN_OK(D1, D1) },
	{ "in custom range 1000..1999", DP_INGRESS, CFG(LB_ABI_VERSION, 1000, 1999, 6081, 4789, 0), .n_in = 1, .in = { IN4(R1, 1001) }, .pk = P_VXL4, .vni = R1, IN_OK(1001, 1001) },
	{ "in several bindings: right one", DP_INGRESS, .n_in = 4, .in = { IN4(R1, D1), IN6(R1, D2), IN4(R2, D3), { R1, LB_AF_INET, A4B, NULL, DMIN } }, .pk = P_GNV4, .vni = R1, IN_OK(D1, D1) },
	{ "in several bindings: v6 one", DP_INGRESS, .n_in = 4, .in = { IN4(R1, D1), IN6(R1, D2), IN4(R2, D3), { R1, LB_AF_INET6, A6B, NULL, DMIN } }, .pk = P_VXL6, .vni = R1, IN_OK(D2, D2) },

	/* ---- ingress: misses and passes ---- */
	{ "in gnv4 miss", DP_INGRESS, .pk = P_GNV4, .vni = R1, PASS },
	{ "in vxl6 miss nocsum", DP_INGRESS, .pk = P_VXL6, .vni = R1, .zero_csum = true, PASS },
	{ "in gnv4 other remote", DP_INGRESS, .n_in = 1, .in = { { R1, LB_AF_INET, A4B, NULL, D1 } }, .pk = P_GNV4, .vni = R1, PASS },
	{ "in gnv4 packet from other remote", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, .pk = P_GNV4, .vni = R1, .tweak = t_src_b4, PASS },
	{ "in gnv6 other remote", DP_INGRESS, .n_in = 1, .in = { { R1, LB_AF_INET6, A6B, NULL, D1 } }, .pk = P_GNV6, .vni = R1, PASS },
	{ "in vxl6 packet from other remote", DP_INGRESS, .n_in = 1, .in = { IN6(R1, D1) }, .pk = P_VXL6, .vni = R1, .tweak = t_src_b6, PASS },
	{ "in gnv4 family 6 key with v4 bytes", DP_INGRESS, .n_in = 1, .in = { { R1, LB_AF_INET6, A4, NULL, D1 } }, .pk = P_GNV4, .vni = R1, PASS },
	{ "in gnv4 other vni", DP_INGRESS, .n_in = 1, .in = { IN4(R2, D1) }, .pk = P_GNV4, .vni = R1, PASS },
	{ "in vxl4 egress binding irrelevant", DP_INGRESS, EG1(D1, R1), .pk = P_VXL4, .vni = R1, PASS },
	{ "in gnv4 version 1, dummy vni", DP_INGRESS, .pk = P_GNV4, .vni = D1, .tweak = t_gnv_ver1, PASS },
	{ "in gnv6 version 1, bound", DP_INGRESS, .n_in = 1, .in = { IN6(R1, D1) }, .pk = P_GNV6, .vni = R1, .tweak = t_gnv_ver1, PASS },
	{ "in vxl4 no I flag, dummy vni", DP_INGRESS, .pk = P_VXL4, .vni = D1, .tweak = t_vxl_noi, PASS },
	{ "in vxl6 no I flag, bound", DP_INGRESS, .n_in = 1, .in = { IN6(R1, D1) }, .pk = P_VXL6, .vni = R1, .tweak = t_vxl_noi, PASS },
	{ "in arp", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, .pk = P_ARP, .vni = R1, PASS },
	{ "in tcp4 dport 6081 dummy vni", DP_INGRESS, .pk = P_TCP4, .vni = D1, PASS },
	{ "in tcp6 dport 6081 bound", DP_INGRESS, .n_in = 1, .in = { IN6(R1, D1) }, .pk = P_TCP6, .vni = R1, PASS },
	{ "in udp4 dport 53 dummy vni", DP_INGRESS, .pk = P_GNV4, .vni = D1, .tweak = t_dport53, PASS },
	{ "in udp4 dport 53 bound", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, .pk = P_GNV4, .vni = R1, .tweak = t_dport53, PASS },
	{ "in gnv4 later fragment, dummy vni", DP_INGRESS, .pk = P_GNV4, .vni = D1, .tweak = t_frag_off1, PASS },
	{ "in vxl4 later fragment (MF), bound", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, .pk = P_VXL4, .vni = R1, .tweak = t_frag_off1_mf, PASS },
	{ "in gnv6 hop-by-hop header, bound", DP_INGRESS, .n_in = 1, .in = { IN6(R1, D1) }, .pk = P_GNV6, .vni = R1, .tweak = t_ip6_hop, PASS },
	{ "in gnv6 destination-options, dummy vni", DP_INGRESS, .pk = P_GNV6, .vni = D1, .tweak = t_ip6_dst, PASS },
	{ "in gnv6 16-byte dest-opts, reads as geneve:268, bound", DP_INGRESS, CFG(LB_ABI_VERSION, DMIN, DMAX, LURE_PORT, 4789, 0), .n_in = 1, .in = { IN6(R1, D1) }, .pk = P_GNV6, .vni = R1, .tweak = t_ip6_lure_r1, PASS },
	{ "in gnv6 16-byte dest-opts, reads as geneve:268, dummy", DP_INGRESS, CFG(LB_ABI_VERSION, DMIN, DMAX, LURE_PORT, 4789, 0), .pk = P_GNV6, .vni = D1, .tweak = t_ip6_lure_d1, PASS },
	{ "in tcp4 whose header reads as a bound real vni", DP_INGRESS, .n_in = 1, .in = { IN4(0x5018ff, D1) }, .pk = P_TCP4, .vni = R1, PASS },
	{ "in tcp4 whose header reads as a dummy vni", DP_INGRESS, CFG(LB_ABI_VERSION, 0x500000, 0x50ffff, 6081, 4789, 0), .pk = P_TCP4, .vni = R1, PASS },
	{ "in gnv4 qinq, dummy vni", DP_INGRESS, .pk = P_GNV4, .vni = D1, .tweak = t_qinq, DROP(LB_DROP_SPOOF) },
	{ "in vxl4 qinq, bound", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, .pk = P_VXL4, .vni = R1, .tweak = t_qinq, IN_OK(D1, D1) },
	{ "in gnv4 802.1ad+802.1Q, dummy vni", DP_INGRESS, .pk = P_GNV4, .vni = D1, .tweak = t_8021ad_q, DROP(LB_DROP_SPOOF) },
	{ "in config version 0, dummy vni", DP_INGRESS, CFG(0, DMIN, DMAX, 6081, 4789, 0), .pk = P_GNV4, .vni = D1, PASS },
	{ "in config version 0, bound", DP_INGRESS, CFG(0, DMIN, DMAX, 6081, 4789, 0), .n_in = 1, .in = { IN4(R1, D1) }, .pk = P_GNV4, .vni = R1, PASS },
	{ "in config version 1, dummy vni (an ABI 1 control plane)", DP_INGRESS, CFG(1, DMIN, DMAX, 6081, 4789, 0), .pk = P_VXL4, .vni = D1, PASS },
	{ "in config version 1, ingress-only entry", DP_INGRESS, CFG(1, DMIN, DMAX, 6081, 4789, 0), .n_in = 1, .in = { IN4(R1, D1) }, .ingress_only = true, .pk = P_GNV4, .vni = R1, PASS },
	{ "in vxlan port 0, dummy vni", DP_INGRESS, CFG(LB_ABI_VERSION, DMIN, DMAX, 6081, 0, 0), .pk = P_VXL4, .vni = D1, PASS },
	{ "in geneve port 0: dport 0, dummy vni", DP_INGRESS, CFG(LB_ABI_VERSION, DMIN, DMAX, 0, 4789, 0), .pk = P_GNV4, .vni = D1, .tweak = t_dport0, PASS },
	{ "in geneve port 0, bound", DP_INGRESS, CFG(LB_ABI_VERSION, DMIN, DMAX, 0, 4789, 0), .n_in = 1, .in = { IN6(R1, D1) }, .pk = P_GNV6, .vni = R1, PASS },
	{ "in empty range: old dummy passes", DP_INGRESS, CFG(LB_ABI_VERSION, DMAX, DMIN, 6081, 4789, 0), .pk = P_GNV4, .vni = D1, PASS },
	{ "in unbound vni outside range", DP_INGRESS, .pk = P_VXL4, .vni = R3, PASS },

	/* ---- ingress: drops ---- */
	{ "in gnv4 spoof", DP_INGRESS, .pk = P_GNV4, .vni = D1, DROP(LB_DROP_SPOOF) },
	{ "in gnv4 spoof, binding for it present", DP_INGRESS, .n_in = 1, .in = { IN4(D1, D2) }, .pk = P_GNV4, .vni = D1, DROP(LB_DROP_SPOOF) },
	{ "in gnv6 spoof 3opt", DP_INGRESS, .pk = P_GNV6, .vni = DMIN, .nopts = 3, DROP(LB_DROP_SPOOF) },
	{ "in vxl4 spoof dummy_max nocsum", DP_INGRESS, .pk = P_VXL4, .vni = DMAX, .zero_csum = true, DROP(LB_DROP_SPOOF) },
	{ "in vxl6 spoof vlan", DP_INGRESS, .pk = P_VXL6, .vni = D3, .vlan = 1, DROP(LB_DROP_SPOOF) },
	{ "in custom range spoof", DP_INGRESS, CFG(LB_ABI_VERSION, 1000, 1999, 6081, 4789, 0), .pk = P_GNV4, .vni = 1500, DROP(LB_DROP_SPOOF) },
	{ "in gnv4 bad binding: real vni", DP_INGRESS, .n_in = 1, .in = { IN4(R1, R2) }, .pk = P_GNV4, .vni = R1, DROP(LB_DROP_BAD_BINDING) },
	{ "in vxl6 bad binding: past 2^24", DP_INGRESS, .n_in = 1, .in = { IN6(R1, 0x1ff0001) }, .pk = P_VXL6, .vni = R1, DROP(LB_DROP_BAD_BINDING) },
	{ "in gnv6 bad binding: 0xfeffff", DP_INGRESS, .n_in = 1, .in = { IN6(R1, RTOP) }, .pk = P_GNV6, .vni = R1, DROP(LB_DROP_BAD_BINDING) },

	/* ---- ingress: stale entries (the tunnel is not bound to the packet's VNI) ---- */
	{ "in gnv4 ingress-only entry: stale", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, .ingress_only = true, .pk = P_GNV4, .vni = R1, DROP(LB_DROP_STALE) },
	{ "in vxl6 ingress-only entry: stale nocsum", DP_INGRESS, .n_in = 1, .in = { IN6(R2, D2) }, .ingress_only = true, .pk = P_VXL6, .vni = R2, .zero_csum = true, DROP(LB_DROP_STALE) },
	{ "in gnv6 ingress-only entry: stale vlan 3opt", DP_INGRESS, .n_in = 1, .in = { IN6(R3, D3) }, .ingress_only = true, .pk = P_GNV6, .vni = R3, .vlan = 1, .nopts = 3, DROP(LB_DROP_STALE) },
	{ "in vxl4 ingress-only entry at dummy_min: stale", DP_INGRESS, .n_in = 1, .in = { IN4(R1, DMIN) }, .ingress_only = true, .pk = P_VXL4, .vni = R1, DROP(LB_DROP_STALE) },
	{ "in gnv4 tunnel bound to another VNI: stale", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, EG1(D1, R2), .pk = P_GNV4, .vni = R1, DROP(LB_DROP_STALE) },
	{ "in vxl4 tunnel bound to another VNI with MAC_SEL: stale", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, EG1W(D1, BND | SEL | R2), .pk = P_VXL4, .vni = R1, DROP(LB_DROP_STALE) },
	{ "in gnv6 tunnel bound to VNI+1: stale", DP_INGRESS, .n_in = 1, .in = { IN6(R1, D1) }, EG1(D1, R1 + 1), .pk = P_GNV6, .vni = R1, DROP(LB_DROP_STALE) },
	{ "in gnv4 tunnel unbound (word 0): stale", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, EG1W(D1, 0), .pk = P_GNV4, .vni = R1, DROP(LB_DROP_STALE) },
	{ "in gnv4 word = VNI without BOUND: stale", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, EG1W(D1, R1), .pk = P_GNV4, .vni = R1, DROP(LB_DROP_STALE) },
	{ "in vxl6 word = MAC_SEL | VNI without BOUND: stale", DP_INGRESS, .n_in = 1, .in = { IN6(R2, D1) }, EG1W(D1, SEL | R2), .pk = P_VXL6, .vni = R2, DROP(LB_DROP_STALE) },
	{ "in vxl4 word with reserved bit 24 (0x81001388): stale", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, EG1W(D1, BND | RSV(24) | R1), .pk = P_VXL4, .vni = R1, DROP(LB_DROP_STALE) },
	{ "in gnv4 word with reserved bit 29: stale", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, EG1W(D1, BND | RSV(29) | R1), .pk = P_GNV4, .vni = R1, DROP(LB_DROP_STALE) },
	{ "in gnv6 word with MAC_SEL and reserved bit 27: stale", DP_INGRESS, .n_in = 1, .in = { IN6(R2, D1) }, EG1W(D1, BND | SEL | RSV(27) | R2), .pk = P_GNV6, .vni = R2, DROP(LB_DROP_STALE) },
	{ "in vxl6 word with all reserved bits: stale", DP_INGRESS, .n_in = 1, .in = { IN6(R3, D1) }, EG1W(D1, BND | 0x3f000000u | R3), .pk = P_VXL6, .vni = R3, DROP(LB_DROP_STALE) },
	{ "in gnv4 word 0xffffffff: stale", DP_INGRESS, .n_in = 1, .in = { IN4(LB_VNI_MAX & ~0x10000u, D1) }, EG1W(D1, 0xffffffffu), .pk = P_GNV4, .vni = LB_VNI_MAX & ~0x10000u, DROP(LB_DROP_STALE) },
	{ "in gnv4 tunnel re-bound to another tenant: old tenant stale", DP_INGRESS, .n_in = 2, .in = { IN4(R1, D1), { R2, LB_AF_INET, A4B, NULL, D1 } }, .ingress_only = true, EG1(D1, R2), .pk = P_GNV4, .vni = R1, DROP(LB_DROP_STALE) },
	{ "in gnv4 tunnel re-bound to another tenant: new tenant delivered", DP_INGRESS, .n_in = 2, .in = { IN4(R1, D1), { R2, LB_AF_INET, A4B, NULL, D1 } }, .ingress_only = true, EG1(D1, R2), .pk = P_GNV4, .vni = R2, .tweak = t_src_b4, IN_OK(D1, D1) },
	{ "in custom range: the entry's own slot decides (slot 1, not 0)", DP_INGRESS, CFG(LB_ABI_VERSION, 1000, 1999, 6081, 4789, 0), .n_in = 1, .in = { IN4(R1, 1001) }, .ingress_only = true, EG1(1000, R1), .pk = P_VXL4, .vni = R1, DROP(LB_DROP_STALE) },
	{ "in range wider than the binding array: no slot, stale", DP_INGRESS, CFG(LB_ABI_VERSION, 0x100000, DMAX, 6081, 4789, 0), .n_in = 1, .in = { IN4(R1, 0x100000 + 70000) }, .pk = P_GNV4, .vni = R1, DROP(LB_DROP_STALE) },
	{ "in gnv4 bad binding wins over stale", DP_INGRESS, .n_in = 1, .in = { IN4(R1, R2) }, .ingress_only = true, .pk = P_GNV4, .vni = R1, DROP(LB_DROP_BAD_BINDING) },
	{ "in gnv4 spoof wins over stale", DP_INGRESS, .n_in = 1, .in = { IN4(D1, D2) }, .ingress_only = true, .pk = P_GNV4, .vni = D1, DROP(LB_DROP_SPOOF) },
	/* steps: delivered first, then the word changes under the entry */
	{ "in gnv4 unbind after delivery: stale", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, .pk = P_GNV4, .vni = R1, .step = ST_UNBIND, STALE_AFTER(D1) },
	{ "in vxl6 rebind to another VNI after delivery: stale", DP_INGRESS, .n_in = 1, .in = { IN6(R2, D2) }, .pk = P_VXL6, .vni = R2, .step = ST_REBIND, .step_vni = R3, STALE_AFTER(D2) },
	{ "in gnv4 word gains a reserved bit after delivery: stale", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, .pk = P_GNV4, .vni = R1, .step = ST_WORD, .step_vni = BND | RSV(26) | R1, STALE_AFTER(D1) },
	{ "in gnv4 MAC_SEL flipped after delivery: still delivered", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, .pk = P_GNV4, .vni = R1, .step = ST_WORD, .step_vni = BND | SEL | R1, IN_OKN(D1, D1, 2) },
	{ "in vxl4 ingress-only, then committed: delivered", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, .ingress_only = true, EG1(D1, R2), .pk = P_VXL4, .vni = R1, .step = ST_REBIND, .step_vni = R1, .step_from_stale = true, .verdict = DP_PASS, .rw = true, .xvni = D1, .stat_dummy = D1, .rx = 1, .drop = { [LB_DROP_STALE] = 1 } },
	/* MAC_SEL and the rest of the record do not matter to ingress */
	{ "in gnv4 MAC_SEL set: delivered", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, EG1W(D1, BND | SEL | R1), .pk = P_GNV4, .vni = R1, IN_OK(D1, D1) },
	{ "in vxl6 MAC_SEL set: delivered nocsum", DP_INGRESS, .n_in = 1, .in = { IN6(R2, D3) }, EG1W(D3, BND | SEL | R2), .pk = P_VXL6, .vni = R2, .zero_csum = true, IN_OK(D3, D3) },
	{ "in gnv4 record's mac[] and reserved filled: delivered", DP_INGRESS, .n_in = 1, .in = { IN4(R1, D1) }, .junk_record = true, .pk = P_GNV4, .vni = R1, IN_OK(D1, D1) },

	/* ---- ingress: inner MAC disambiguation ---- */
	{ "in mac flag: M1 -> D1", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { IN4M(R1, M1, D1), IN4M(R1, M2, D2) }, .pk = P_GNV4, .vni = R1, IN_OK(D1, D1) },
	{ "in mac flag: M2 -> D2", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { IN4M(R1, M1, D1), IN4M(R1, M2, D2) }, .pk = P_GNV4, .vni = R1, .tweak = t_mac2, IN_OK(D2, D2) },
	{ "in mac flag v6: M1 -> D1", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { IN6M(R1, M1, D1), IN6M(R1, M2, D2) }, .pk = P_GNV6, .vni = R1, .zero_csum = true, IN_OK(D1, D1) },
	{ "in mac flag v6: M2 -> D2", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { IN6M(R1, M1, D1), IN6M(R1, M2, D2) }, .pk = P_GNV6, .vni = R1, .tweak = t_mac2, IN_OK(D2, D2) },
	{ "in mac flag vxl4: M2 -> D2", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { IN4M(R2, M1, D1), IN4M(R2, M2, D2) }, .pk = P_VXL4, .vni = R2, .tweak = t_mac2, IN_OK(D2, D2) },
	{ "in mac flag vxl6 vlan: M1 -> D1", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { IN6M(R2, M1, D1), IN6M(R2, M2, D2) }, .pk = P_VXL6, .vni = R2, .vlan = 1, IN_OK(D1, D1) },
	{ "in mac flag: 3 options, M2 -> D2", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { IN4M(R1, M1, D1), IN4M(R1, M2, D2) }, .pk = P_GNV4, .vni = R1, .nopts = 3, .tweak = t_opts3_mac2, IN_OK(D2, D2) },
	{ "in mac flag: 63-word options, M2 -> D2", DP_INGRESS, CFG_MAC, .n_in = 3, .in = { IN6M(R1, M1, D1), IN6M(R1, M2, D2), IN6(R1, D3) }, .pk = P_GNV6, .vni = R1, .tweak = t_deep_mac2, IN_OK(D2, D2) },
	{ "in mac flag: unknown MAC -> wildcard", DP_INGRESS, CFG_MAC, .n_in = 3, .in = { IN4M(R1, M1, D1), IN4M(R1, M2, D2), IN4(R1, D3) }, .pk = P_GNV4, .vni = R1, .tweak = t_mac3, IN_OK(D3, D3) },
	{ "in mac flag: specific wins over wildcard", DP_INGRESS, CFG_MAC, .n_in = 3, .in = { IN4(R1, D3), IN4M(R1, M1, D1), IN4M(R1, M2, D2) }, .pk = P_GNV4, .vni = R1, IN_OK(D1, D1) },
	{ "in mac flag: unknown MAC, no wildcard", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { IN4M(R1, M1, D1), IN4M(R1, M2, D2) }, .pk = P_VXL4, .vni = R1, .tweak = t_mac3, PASS },
	{ "in mac flag: wildcard only", DP_INGRESS, CFG_MAC, .n_in = 1, .in = { IN6(R1, D3) }, .pk = P_VXL6, .vni = R1, IN_OK(D3, D3) },
	{ "in mac flag: MAC key of other remote", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { { R1, LB_AF_INET, A4B, M1, D1 }, IN4(R1, D3) }, .pk = P_GNV4, .vni = R1, IN_OK(D3, D3) },
	{ "in mac flag: MAC hit with bad binding", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { IN4M(R1, M1, R2), IN4(R1, D3) }, .pk = P_GNV4, .vni = R1, DROP(LB_DROP_BAD_BINDING) },
	{ "in mac flag: proto 0x0800 -> wildcard", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { IN4M(R1, M1, D1), IN4(R1, D3) }, .pk = P_GNV4, .vni = R1, .tweak = t_proto_ip_mac1, IN_OK(D3, D3) },
	{ "in mac flag: proto 0x0800, no wildcard", DP_INGRESS, CFG_MAC, .n_in = 1, .in = { IN6M(R1, M1, D1) }, .pk = P_GNV6, .vni = R1, .tweak = t_proto_ip_mac1, PASS },
	{ "in no mac flag: MAC key not consulted", DP_INGRESS, .n_in = 1, .in = { IN4M(R1, M1, D1) }, .pk = P_GNV4, .vni = R1, PASS },
	{ "in no mac flag: wildcard used", DP_INGRESS, .n_in = 2, .in = { IN4M(R1, M1, D1), IN4(R1, D3) }, .pk = P_GNV4, .vni = R1, IN_OK(D3, D3) },
	{ "in no mac flag vxl6: wildcard used", DP_INGRESS, .n_in = 3, .in = { IN6M(R1, M1, D1), IN6M(R1, M2, D2), IN6(R1, D3) }, .pk = P_VXL6, .vni = R1, .tweak = t_mac2, IN_OK(D3, D3) },
	/* the first hit decides: a stale MAC entry does not fall back to the wildcard */
	{ "in mac flag: MAC hit, tunnel bound to another VNI -> stale", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { IN4M(R1, M1, D1), IN4(R1, D3) }, EG1(D1, R2), .pk = P_GNV4, .vni = R1, DROP(LB_DROP_STALE) },
	{ "in mac flag: MAC hit, ingress-only -> stale, wildcard bound", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { IN4M(R1, M1, D1), IN4(R1, D3) }, .ingress_only = true, EG1(D3, R1), .pk = P_GNV4, .vni = R1, DROP(LB_DROP_STALE) },
	{ "in mac flag v6: MAC hit unbound -> stale", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { IN6M(R1, M2, D2), IN6(R1, D3) }, EG1W(D2, 0), .pk = P_VXL6, .vni = R1, .tweak = t_mac2, DROP(LB_DROP_STALE) },
	{ "in mac flag: MAC miss, wildcard's tunnel stale -> stale", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { IN4M(R1, M2, D2), IN4(R1, D3) }, EG1(D3, R2), .pk = P_GNV4, .vni = R1, DROP(LB_DROP_STALE) },
	{ "in mac flag: MAC hit bound, wildcard stale -> delivered", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { IN4M(R1, M1, D1), IN4(R1, D3) }, EG1W(D3, 0), .pk = P_GNV4, .vni = R1, IN_OK(D1, D1) },
	{ "in mac flag: MAC hit with MAC_SEL word -> delivered", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { IN6M(R1, M1, D1), IN6M(R1, M2, D2) }, .n_eg = 2, .eg = { EGW(D1, BND | SEL | R1), EGW(D2, BND | R1) }, .pk = P_GNV6, .vni = R1, IN_OK(D1, D1) },
	/* inner MAC cut short: inner+6 > len -> the wildcard */
	{ "in mac flag: frame ends at inner+5 -> wildcard", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { IN4M(R1, M1, D1), IN4(R1, D3) }, .pk = P_GNV4, .vni = R1, .zero_csum = true, .trunc_rel = 6, IN_OK(D3, D3) },
	{ "in mac flag: frame ends at inner+6 -> MAC key", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { IN4M(R1, M1, D1), IN4(R1, D3) }, .pk = P_GNV4, .vni = R1, .zero_csum = true, .trunc_rel = 7, IN_OK(D1, D1) },
	{ "in mac flag: 3opt, ends at inner+5 -> wildcard", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { IN6M(R1, M1, D1), IN6(R1, D3) }, .pk = P_GNV6, .vni = R1, .nopts = 3, .zero_csum = true, .trunc_rel = 6, IN_OK(D3, D3) },
	{ "in mac flag: 3opt, ends at inner+6 -> MAC key", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { IN6M(R1, M1, D1), IN6(R1, D3) }, .pk = P_GNV6, .vni = R1, .nopts = 3, .zero_csum = true, .trunc_rel = 7, IN_OK(D1, D1) },
	{ "in mac flag: options cut off -> wildcard", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { IN4M(R1, M1, D1), IN4(R1, D3) }, .pk = P_GNV4, .vni = R1, .zero_csum = true, .tweak = t_deep, .trunc = 14 + 20 + 16 + 100, IN_OK(D3, D3) },
	{ "in mac flag: vxlan ends at inner+6 -> MAC key", DP_INGRESS, CFG_MAC, .n_in = 2, .in = { IN4M(R1, M1, D1), IN4(R1, D3) }, .pk = P_VXL4, .vni = R1, .zero_csum = true, .trunc_rel = 7, IN_OK(D1, D1) },
};

/* ---- running ---- */

static struct dp_harness *H;

static void make_spec(const struct tcase *c, struct pb_spec *s)
{
	switch (c->pk) {
	case P_GNV4:
	case P_TCP4:
		pb_default(s, PB_TUN_GENEVE, PB_L3_IPV4);
		break;
	case P_GNV6:
	case P_TCP6:
		pb_default(s, PB_TUN_GENEVE, PB_L3_IPV6);
		break;
	case P_VXL4:
		pb_default(s, PB_TUN_VXLAN, PB_L3_IPV4);
		break;
	case P_VXL6:
		pb_default(s, PB_TUN_VXLAN, PB_L3_IPV6);
		break;
	case P_ARP:
		pb_default(s, PB_TUN_NONE, PB_L3_ARP);
		break;
	case P_RAW:
		pb_default(s, PB_TUN_GENEVE, PB_L3_NONE);
		break;
	}
	if (c->pk == P_TCP4 || c->pk == P_TCP6)
		s->l4 = PB_L4_TCP;
	s->vni = c->vni;
	s->udp_csum = !c->zero_csum;
	if (c->nopts >= 1)
		pb_gnv_add_opt(s, 0x0102, 0x80, 1);
	if (c->nopts >= 3) {
		pb_gnv_add_opt(s, 0xffff, 0x7f, 2);
		pb_gnv_add_opt(s, 0x0000, 0x05, 0);
	}
	s->nvlan = c->vlan;
	s->vlan_tci[0] = 0x2064; /* PCP 1, VID 100 */
	s->vlan_tci[1] = 200;
	if (c->tweak)
		c->tweak(s);
}

/* The VNI a binding word rewrites to (MAC_SEL and BOUND stripped). */
static uint32_t eg_vni(const struct eg_bind *e)
{
	return e->raw ? lb_binding_vni(e->word) : e->vni;
}

/* Egress slots exist for dummies in the range, up to the array's size. */
static bool has_slot(const struct lb_config *cfg, uint32_t dummy)
{
	return dummy >= cfg->dummy_min && dummy <= cfg->dummy_max &&
	       dummy - cfg->dummy_min < LB_DUMMY_RANGE_MAX;
}

static int write_word(const struct tcase *c, uint32_t dummy, uint32_t word)
{
	struct lb_egress_val v = { .binding = word };

	if (c->junk_record) {
		/* What user space keeps there; the datapath must not care. */
		static const uint8_t m0[6] = { 0x02, 0xbb, 0, 0, 0, 0x10 };
		static const uint8_t m1[6] = { 0x02, 0xbb, 0, 0, 0, 0x11 };

		v.ifindex = 0xa5a5a5a5;
		memcpy(v.mac[0].addr, m0, 6);
		memcpy(v.mac[1].addr, m1, 6);
		v.mac[0].set = v.mac[1].set = 1;
		v.mac[0].pad = v.mac[1].pad = 0x5a;
	}
	return dp_set_egress_val(H, dummy, &v);
}

static int apply_setup(const struct lb_config *cfg, const struct tcase *c)
{
	int err = dp_reset(H);

	if (!err)
		err = dp_set_config(H, cfg);
	/* bind's order: the ingress entry, then the commit of the egress word */
	for (int i = 0; !err && i < c->n_in; i++) {
		struct lb_ingress_key k;

		dp_ingress_key(&k, c->in[i].vni, c->in[i].family, c->in[i].addr, c->in[i].mac);
		err = dp_bind_ingress(H, &k, c->in[i].dummy);
	}
	for (int i = 0; !err && !c->ingress_only && i < c->n_in; i++) {
		if (!has_slot(cfg, c->in[i].dummy))
			continue;
		for (int j = 0; j < i; j++)
			if (c->in[j].dummy == c->in[i].dummy && c->in[j].vni != c->in[i].vni &&
			    !CHECK(false, "table: in[%d] and in[%d] share a tunnel with two VNIs; "
					  "use .ingress_only and eg[]", j, i))
				return -EINVAL;
		err = write_word(c, c->in[i].dummy, LB_EGRESS_BOUND | c->in[i].vni);
	}
	for (int i = 0; !err && i < c->n_eg; i++)
		err = write_word(c, c->eg[i].dummy,
				 c->eg[i].raw ? c->eg[i].word : LB_EGRESS_BOUND | c->eg[i].vni);
	return err;
}

/*
 * Every counter: the 8 drop slots, and every lb_tun_stats index. Only
 * @stat_idx (if < TUN_STATS_ENTRIES) may be non-zero.
 */
static void check_counters(uint32_t stat_idx, uint64_t tx, uint64_t rx, uint64_t bytes_per_pkt,
			   const uint64_t drop[LB_DROP_REASONS], bool full_sweep, const uint32_t *watch,
			   int nwatch)
{
	char what[96];

	for (uint32_t r = 0; r < LB_DROP_SLOTS; r++) {
		uint64_t v = ~0ULL, want = r < LB_DROP_REASONS ? drop[r] : 0;
		int err = dp_drop_stats(H, r, &v);

		snprintf(what, sizeof(what), "drop_stats[%u]", r);
		CHECK_EQ(err, 0, "dp_drop_stats");
		CHECK_EQ(v, want, what);
	}
	if (stat_idx < TUN_STATS_ENTRIES) {
		struct lb_tun_stats st;
		int err = dp_tun_stats(H, stat_idx, &st);

		CHECK_EQ(err, 0, "dp_tun_stats");
		snprintf(what, sizeof(what), "tun_stats[%u].tx_packets", stat_idx);
		CHECK_EQ(st.tx_packets, tx, what);
		snprintf(what, sizeof(what), "tun_stats[%u].tx_bytes", stat_idx);
		CHECK_EQ(st.tx_bytes, tx * bytes_per_pkt, what);
		snprintf(what, sizeof(what), "tun_stats[%u].rx_packets", stat_idx);
		CHECK_EQ(st.rx_packets, rx, what);
		snprintf(what, sizeof(what), "tun_stats[%u].rx_bytes", stat_idx);
		CHECK_EQ(st.rx_bytes, rx * bytes_per_pkt, what);
	} else {
		CHECK(tx == 0 && rx == 0, "expected counters at an index past the map");
	}
	if (full_sweep) {
		unsigned long nonzero = 0;
		uint32_t first = 0;

		for (uint32_t i = 0; i < TUN_STATS_ENTRIES; i++) {
			struct lb_tun_stats st;

			if (i == stat_idx)
				continue;
			if (dp_tun_stats(H, i, &st) || st.tx_packets || st.tx_bytes || st.rx_packets ||
			    st.rx_bytes) {
				if (!nonzero++)
					first = i;
			}
		}
		CHECK(nonzero == 0, "%lu other tun_stats indexes non-zero (first %u)", nonzero, first);
	} else {
		for (int i = 0; i < nwatch; i++) {
			struct lb_tun_stats st;

			if (watch[i] == stat_idx || watch[i] >= TUN_STATS_ENTRIES)
				continue;
			CHECK(!dp_tun_stats(H, watch[i], &st) && !st.tx_packets && !st.tx_bytes &&
				      !st.rx_packets && !st.rx_bytes,
			      "tun_stats[%u] must stay 0", watch[i]);
		}
	}
}

/* Output checksum: valid by full recomputation whenever the field is not 0. */
static void check_out_csum(const uint8_t *out, size_t len)
{
	int fam = 0;
	size_t udp = pb_find_udp(out, len, &fam);

	if (!udp || !(out[udp + 6] | out[udp + 7]))
		return;
	CHECK(pb_udp_csum_valid(out, len), "UDP checksum 0x%02x%02x of the output does not verify",
	      out[udp + 6], out[udp + 7]);
}

/* Builds the expected packet: @in_spec with the VNI @vni and the adjusted port. */
static size_t build_expected(const struct pb_spec *in_spec, bool rw, uint32_t vni, uint8_t *buf)
{
	struct pb_spec x = *in_spec;

	if (rw) {
		x.vni = vni;
		if (x.udp_csum)
			x.sport = expect_sport(in_spec->sport, in_spec->vni, vni, in_spec->tun_rsvd);
	}
	return pb_build(&x, buf, PB_MAX_PKT, NULL);
}

static void run_case(const struct tcase *c)
{
	struct lb_config cfg;
	struct pb_spec spec;
	struct pb_layout lay;
	uint8_t in[PB_MAX_PKT], want[PB_MAX_PKT], out[DP_MAX_PKT];
	size_t len, wlen, olen = 0;
	int verdict = 0, err;
	uint32_t stat_idx, watch[16];
	int nwatch = 0;

	check_begin("%s", c->name);
	if (c->cfg)
		cfg = *c->cfg;
	else
		dp_default_config(&cfg);
	make_spec(c, &spec);
	len = pb_build(&spec, in, sizeof(in), &lay);
	if (!CHECK(len > 0, "packet does not build"))
		goto out;
	if (c->trunc)
		len = c->trunc;
	else if (c->trunc_rel)
		len = lay.inner + (size_t)c->trunc_rel - 1;
	if (!CHECK(len <= lay.len, "truncation past the packet"))
		goto out;
	if (c->rw && spec.udp_csum && !c->trunc && !c->trunc_rel)
		CHECK(pb_udp_csum_valid(in, len), "input checksum (builder self-check)");

	err = apply_setup(&cfg, c);
	if (!CHECK_EQ(err, 0, "setup"))
		goto out;

	if (c->step != ST_NONE) {
		bool eg = c->dir == DP_EGRESS;
		uint32_t tunnel = eg ? c->eg[0].dummy : c->in[0].dummy;

		wlen = build_expected(&spec, !c->step_from_stale,
				      eg ? eg_vni(&c->eg[0]) : c->in[0].dummy, want);
		wlen = len < wlen ? len : wlen;
		err = dp_run(H, c->dir, in, len, out, &olen, &verdict);
		CHECK_EQ(err, 0, "dp_run (before the step)");
		CHECK_EQ(verdict, c->step_from_stale ? DP_DROP : DP_PASS, "verdict before the step");
		CHECK_BYTES(out, olen, want, wlen, "output before the step");
		if (c->step == ST_REBIND)
			err = dp_bind_egress(H, tunnel, c->step_vni);
		else if (c->step == ST_WORD)
			err = dp_set_egress_word(H, tunnel, c->step_vni);
		else
			err = dp_unbind_egress(H, tunnel);
		CHECK_EQ(err, 0, "step");
	}

	err = dp_run(H, c->dir, in, len, out, &olen, &verdict);
	if (!CHECK_EQ(err, 0, "dp_run"))
		goto out;
	CHECK_EQ(verdict, c->verdict, "verdict");
	if (c->verdict == DP_DROP)
		CHECK(!c->rw, "table: a drop never rewrites");
	wlen = build_expected(&spec, c->rw, c->xvni, want);
	wlen = len < wlen ? len : wlen;
	CHECK_BYTES(out, olen, want, wlen, c->rw ? "rewritten output" : "untouched output");
	if (!c->trunc && !c->trunc_rel)
		check_out_csum(out, olen);

	/* counters */
	stat_idx = c->stat_dummy - cfg.dummy_min;
	if (!c->tx && !c->rx)
		stat_idx = TUN_STATS_ENTRIES; /* nothing expected anywhere */
	for (int i = 0; i < c->n_eg && nwatch < 16; i++)
		watch[nwatch++] = c->eg[i].dummy - cfg.dummy_min;
	for (int i = 0; i < c->n_in && nwatch < 16; i++)
		watch[nwatch++] = c->in[i].dummy - cfg.dummy_min;
	check_counters(stat_idx, c->tx, c->rx, len, c->drop, true, watch, nwatch);
out:
	check_end();
}

/* ---- truncation ---- */

struct trunc_pkt {
	const char *name;
	enum pk pk;
	int vlan;
};

static const struct trunc_pkt trunc_pkts[] = {
	{ "gnv4", P_GNV4, 0 },
	{ "gnv6", P_GNV6, 0 },
	{ "vxl4 vlan", P_VXL4, 1 },
	/* tagged, so the kernel runs it with a short IPv6 header too (see below) */
	{ "gnv6 vlan", P_GNV6, 1 },
};

static int trunc_cases, trunc_refused;

static void run_trunc(const struct trunc_pkt *t, enum dp_dir dir)
{
	struct tcase c = { .pk = t->pk, .vlan = t->vlan, .dir = dir };
	struct lb_config cfg;
	struct pb_spec spec;
	struct pb_layout lay;
	uint8_t in[PB_MAX_PKT], want[PB_MAX_PKT], out[DP_MAX_PKT];
	size_t full, tun_end, wlen, olen, kernel_min;
	const char *dname = dir == DP_EGRESS ? "eg" : "in";
	uint32_t from, to, idx;
	uint64_t nodrop[LB_DROP_REASONS] = { 0 };

	dp_default_config(&cfg);
	if (dir == DP_EGRESS) {
		from = D1;
		to = R1;
		c.n_eg = 1;
		c.eg[0] = (struct eg_bind){ .dummy = D1, .vni = R1 };
	} else {
		from = R1;
		to = D1;
		c.n_in = 1;
		c.in[0] = (struct in_bind){ R1, t->pk == P_GNV6 ? LB_AF_INET6 : LB_AF_INET,
					    t->pk == P_GNV6 ? A6 : A4, NULL, D1 };
	}
	c.vni = from;
	idx = D1 - cfg.dummy_min;
	make_spec(&c, &spec);
	full = pb_build(&spec, in, sizeof(in), &lay);
	tun_end = lay.tun + 8; /* UDP + 16 */
	wlen = build_expected(&spec, true, to, want);

	/*
	 * Since upstream commit 12bec2bd4b76 ("bpf: reject short IPv4/IPv6 inputs
	 * in bpf_prog_test_run_skb", in 6.18.y), the kernel refuses a tc test run
	 * with EINVAL when the untagged EtherType is IPv4 / IPv6 and the frame
	 * holds less than the fixed 20 / 40-byte L3 header. Those lengths never
	 * reach the program; they are checked as that kernel fact (an older
	 * kernel that runs them must get pass-untouched). The VLAN-tagged series
	 * reach the program at every length.
	 */
	kernel_min = 14;
	if (!t->vlan)
		kernel_min = lay.l3 + (t->pk == P_GNV6 ? 40 : 20);

	for (size_t len = 14; len <= tun_end; len++) {
		int verdict = 0, err;
		bool at_end = len == tun_end;

		check_begin("trunc %s %s len %zu%s", dname, t->name, len, at_end ? " (tunnel end)" : "");
		trunc_cases++;
		if (!CHECK(full >= tun_end && wlen == full, "build"))
			goto next;
		err = apply_setup(&cfg, &c);
		if (!CHECK_EQ(err, 0, "setup"))
			goto next;
		olen = 0;
		err = dp_run(H, dir, in, len, out, &olen, &verdict);
		if (err == -EINVAL && len < kernel_min) {
			/* refused by the kernel: the program did not run, nothing moved */
			trunc_refused++;
			check_counters(TUN_STATS_ENTRIES, 0, 0, len, nodrop, false, &idx, 1);
			goto next;
		}
		if (!CHECK_EQ(err, 0, "dp_run"))
			goto next;
		CHECK_EQ(verdict, DP_PASS, "verdict");
		if (at_end) {
			size_t udp = lay.l4;

			CHECK_BYTES(out, olen, want, len, "rewritten at the tunnel end");
			/* the one's-complement sum of the UDP bytes present is unchanged */
			if (olen == len)
				CHECK_EQ(pb_fold(pb_sum(out + udp, len - udp, 0)),
					 pb_fold(pb_sum(in + udp, len - udp, 0)), "UDP sum invariant");
			check_counters(idx, dir == DP_EGRESS, dir == DP_INGRESS, len, nodrop, false,
				       &idx, 0);
		} else {
			CHECK_BYTES(out, olen, in, len, "untouched");
			check_counters(TUN_STATS_ENTRIES, 0, 0, len, nodrop, false, &idx, 1);
		}
next:
		check_end();
	}
}

static void run_einval(void)
{
	uint8_t pkt[13] = { 0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08 };
	uint8_t out[DP_MAX_PKT];
	size_t olen = 0;
	int verdict = 0;

	for (int d = 0; d < 2; d++) {
		check_begin("trunc %s len 13: kernel refuses (EINVAL)", d ? "in" : "eg");
		trunc_cases++;
		CHECK_EQ(dp_run(H, d ? DP_INGRESS : DP_EGRESS, pkt, sizeof(pkt), out, &olen, &verdict),
			 -EINVAL, "dp_run on 13 bytes");
		check_end();
	}
}

/* ---- builder / verifier self-checks (so the verifier cannot be vacuous) ---- */

static void self_checks(void)
{
	struct pb_spec s;
	struct pb_layout lay;
	uint8_t p[PB_MAX_PKT];
	size_t len;

	check_begin("pktbuild self-check");
	pb_default(&s, PB_TUN_GENEVE, PB_L3_IPV4);
	s.vni = R1;
	len = pb_build(&s, p, sizeof(p), &lay);
	CHECK_EQ(len, 14 + 20 + 8 + 8 + 14 + 46, "gnv4 length");
	CHECK_EQ(lay.l3, 14, "l3");
	CHECK_EQ(lay.l4, 34, "l4");
	CHECK_EQ(lay.tun, 42, "tun");
	CHECK_EQ(lay.inner, 50, "inner");
	CHECK_EQ(pb_fold(pb_sum(p + 14, 20, 0)), 0xffff, "IPv4 header checksum");
	CHECK(pb_udp_csum_valid(p, len), "gnv4 checksum valid");
	CHECK(p[42] == 0 && p[43] == 0 && p[44] == 0x65 && p[45] == 0x58, "geneve ver/optlen/flags/proto");
	CHECK(p[46] == 0x00 && p[47] == 0x13 && p[48] == 0x88 && p[49] == 0, "geneve vni");
	p[len - 1] ^= 1;
	CHECK(!pb_udp_csum_valid(p, len), "a flipped payload bit fails");
	p[len - 1] ^= 1;
	p[34] ^= 0x80; /* sport */
	CHECK(!pb_udp_csum_valid(p, len), "a flipped sport bit fails");
	p[34] ^= 0x80;
	p[26] ^= 1; /* source address: pseudo-header */
	CHECK(!pb_udp_csum_valid(p, len), "a flipped address bit fails");
	p[26] ^= 1;
	p[40] = p[41] = 0;
	CHECK(pb_udp_csum_valid(p, len), "zero checksum over IPv4 is valid");

	pb_default(&s, PB_TUN_VXLAN, PB_L3_IPV6);
	s.vni = 0xabcdef;
	s.ip6_ext = true;
	s.ip6_ext_type = PB_IPPROTO_DSTOPTS;
	s.nvlan = 1;
	len = pb_build(&s, p, sizeof(p), &lay);
	CHECK_EQ(lay.l4, 18 + 40 + 8, "v6 ext l4");
	CHECK(pb_udp_csum_valid(p, len), "vxl6 with ext header checksum valid");
	CHECK(p[lay.tun] == 0x08 && p[lay.tun + 4] == 0xab && p[lay.tun + 5] == 0xcd &&
		      p[lay.tun + 6] == 0xef,
	      "vxlan header");
	p[lay.l4 + 6] = p[lay.l4 + 7] = 0;
	CHECK(!pb_udp_csum_valid(p, len), "zero checksum over IPv6 is not valid");

	pb_default(&s, PB_TUN_GENEVE, PB_L3_IPV6);
	pb_gnv_add_opt(&s, 0x0102, 0x80, 1);
	pb_gnv_add_opt(&s, 0xffff, 0x7f, 2);
	pb_gnv_add_opt(&s, 0x0000, 0x05, 0);
	len = pb_build(&s, p, sizeof(p), &lay);
	CHECK_EQ(p[lay.tun] & 0x3f, 2 + 3 + 1, "geneve opt len in words");
	CHECK_EQ(lay.inner, lay.tun + 8 + 24, "inner after options");
	CHECK(p[lay.tun + 8] == 0x01 && p[lay.tun + 9] == 0x02 && p[lay.tun + 10] == 0x80 &&
		      p[lay.tun + 11] == 1,
	      "first option TLV");
	CHECK(pb_udp_csum_valid(p, len), "gnv6 3opt checksum valid");

	/* the expected-port function against a hand-computed value:
	 * 49152 + 0x00ff + 0x0100 + ~0x0013 + ~0x8800 = 0xc000+0xff+0x100+0xffec+0x77ff = 0x239ea -> 0x39ec */
	CHECK_EQ(expect_sport(0xc000, 0x00ff01, 0x001388, 0), 0x39ec, "expect_sport by hand");
	CHECK_EQ(expect_sport(0x1234, R1, R1, 0), 0x1234, "same VNI keeps the port");
	/* the searched ports really hit one's-complement zero */
	{
		static const uint32_t pairs[][2] = { { D1, R1 }, { D2, R3 }, { R1, D1 }, { R2, D3 } };

		for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
			uint16_t sp = sport_to_zero(pairs[i][0], pairs[i][1], 0);
			uint16_t raw = sport_sum(sp, pairs[i][0], pairs[i][1], 0);

			CHECK(sp != 0 && sp != 0xffff, "sport_to_zero(0x%06x, 0x%06x) = 0x%04x", pairs[i][0],
			      pairs[i][1], sp);
			CHECK(raw == 0 || raw == 0xffff, "raw sum 0x%04x", raw);
			CHECK_EQ(expect_sport(sp, pairs[i][0], pairs[i][1], 0), 0xffff, "expected port");
		}
	}
	check_end();
}

/*
 * The egress record as a writer through mmap sees it (docs/maps.md): 24-byte
 * slots from offset 0, the binding word first. The commit protocol, done by
 * hand: fill mac[!sel], then one atomic store of the word; unbind: store 0.
 */
static void mmap_check(void)
{
	const size_t slots = LB_DUMMY_RANGE_MAX, sz = slots * sizeof(struct lb_egress_val);
	struct lb_egress_val *vals, got;
	struct lb_ingress_key k;
	struct lb_config cfg;
	struct pb_spec s;
	uint8_t in4[PB_MAX_PKT], want[PB_MAX_PKT], out[DP_MAX_PKT];
	size_t len, wlen, olen = 0;
	int verdict = 0;
	uint64_t v;

	check_begin("egress record through mmap: layout and commit");
	CHECK_EQ(sizeof(struct lb_egress_val), 24, "sizeof(struct lb_egress_val)");
	CHECK_EQ(offsetof(struct lb_egress_val, binding), 0, "offset of binding");
	CHECK_EQ(offsetof(struct lb_egress_val, mac), 8, "offset of mac[]");
	CHECK_EQ(sizeof(struct lb_egress_mac), 8, "sizeof(struct lb_egress_mac)");
	dp_default_config(&cfg);
	if (!CHECK_EQ(apply_setup(&cfg, &(struct tcase){ .n_in = 0 }), 0, "setup"))
		goto out;
	dp_ingress_key(&k, R2, LB_AF_INET, A4, NULL);
	if (!CHECK_EQ(dp_bind_ingress(H, &k, D1), 0, "ingress entry"))
		goto out;
	vals = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, dp_egress_map_fd(H), 0);
	if (!CHECK(vals != MAP_FAILED, "mmap of lb_egress_bind: %s", strerror(errno)))
		goto out;
	/* bind D1 (slot 1) to R2 with the MAC in mac[1] */
	memcpy(vals[1].mac[1].addr, M1, 6);
	vals[1].mac[1].set = 1;
	__atomic_store_n(&vals[1].binding, BND | SEL | R2, __ATOMIC_RELEASE);
	CHECK_EQ(dp_get_egress_val(H, D1, &got), 0, "lookup");
	CHECK(!memcmp(&got, &vals[1], sizeof(got)), "the syscall reads what mmap wrote at byte 24");
	CHECK_EQ(got.binding, BND | SEL | R2, "binding word of slot 1");

	pb_default(&s, PB_TUN_GENEVE, PB_L3_IPV4);
	s.vni = D1;
	len = pb_build(&s, in4, sizeof(in4), NULL);
	wlen = build_expected(&s, true, R2, want);
	CHECK_EQ(dp_run(H, DP_EGRESS, in4, len, out, &olen, &verdict), 0, "egress run");
	CHECK_EQ(verdict, DP_PASS, "egress verdict");
	CHECK_BYTES(out, olen, want, wlen, "egress rewritten to the word's VNI");
	s.vni = R2;
	len = pb_build(&s, in4, sizeof(in4), NULL);
	wlen = build_expected(&s, true, D1, want);
	CHECK_EQ(dp_run(H, DP_INGRESS, in4, len, out, &olen, &verdict), 0, "ingress run");
	CHECK_EQ(verdict, DP_PASS, "ingress verdict");
	CHECK_BYTES(out, olen, want, wlen, "ingress delivered");

	/* unbind: the word first; the entry left behind is stale */
	__atomic_store_n(&vals[1].binding, 0, __ATOMIC_RELEASE);
	CHECK_EQ(dp_run(H, DP_INGRESS, in4, len, out, &olen, &verdict), 0, "ingress run");
	CHECK_EQ(verdict, DP_DROP, "ingress verdict after unbind");
	CHECK_BYTES(out, olen, in4, len, "ingress untouched after unbind");
	CHECK_EQ(dp_drop_stats(H, LB_DROP_STALE, &v), 0, "drop stats");
	CHECK_EQ(v, 1, "stale drops");
	munmap(vals, sz);
out:
	check_end();
}

/*
 * lb_ingress_tab states, for a packet with VNI R1 from A4: where its key sits
 * among the 2 * LB_INGRESS_WAYS entries of its buckets, what fills the rest,
 * and entries a writer left torn or stale. Entries are placed raw: the
 * datapath reads positions, it never recomputes where a key came from.
 * D1 is bound to R1; D2 to R2 unless .d2_r1 (bound to R1 too).
 */
enum it_fill { IT_EMPTY, IT_OTHER, IT_KEY, IT_KEY_D2, IT_KEY_NOFAMILY, IT_KEY_BADDUMMY };
struct icase {
	const char *name;
	uint8_t ent[2 * LB_INGRESS_WAYS]; /* enum it_fill, bucket 0 then bucket 1 */
	int elsewhere;                    /* the key only outside its buckets */
	bool d2_r1;
	uint32_t buckets;                 /* lb_config.ingress_buckets, 0: the harness's */
	int verdict;
	uint32_t xvni;                    /* VNI of the output if rewritten, 0: untouched */
	int drop;                         /* drop reason counted, -1: none */
};
#define O IT_OTHER
#define K IT_KEY
static const struct icase icases[] = {
	{ "itab: key first in its first bucket", { K }, .verdict = DP_PASS, .xvni = D1, .drop = -1 },
	{ "itab: key behind 3 colliders", { O, O, O, K }, .verdict = DP_PASS, .xvni = D1, .drop = -1 },
	{ "itab: key first in its second bucket, first full", { O, O, O, O, K },
	  .verdict = DP_PASS, .xvni = D1, .drop = -1 },
	{ "itab: key 8th, the last probe of a full chain", { O, O, O, O, O, O, O, K },
	  .verdict = DP_PASS, .xvni = D1, .drop = -1 },
	{ "itab: full chain without the key -> untouched", { O, O, O, O, O, O, O, O },
	  .verdict = DP_PASS, .drop = -1 },
	{ "itab: empty entries before the key do not end the probe", { IT_EMPTY, O, IT_EMPTY, O, IT_EMPTY, K },
	  .verdict = DP_PASS, .xvni = D1, .drop = -1 },
	{ "itab: key only outside its buckets -> untouched", { O, O }, .elsewhere = 1,
	  .verdict = DP_PASS, .drop = -1 },
	{ "itab: torn, family emptied first -> untouched", { IT_KEY_NOFAMILY },
	  .verdict = DP_PASS, .drop = -1 },
	{ "itab: torn, dummy of a tunnel bound elsewhere -> stale", { IT_KEY_D2 },
	  .verdict = DP_DROP, .drop = LB_DROP_STALE },
	{ "itab: torn, dummy of another tunnel bound to this VNI -> that tunnel", { IT_KEY_D2 },
	  .d2_r1 = true, .verdict = DP_PASS, .xvni = D2, .drop = -1 },
	{ "itab: stale duplicate first, the first hit decides", { O, IT_KEY_D2, O, O, K },
	  .verdict = DP_DROP, .drop = LB_DROP_STALE },
	{ "itab: dummy outside the range -> bad binding", { IT_KEY_BADDUMMY },
	  .verdict = DP_DROP, .drop = LB_DROP_BAD_BINDING },
	{ "itab: 1 bucket configured -> both choices are bucket 0, entry 8 unread",
	  { O, O, O, O }, .elsewhere = 1, .buckets = 1, .verdict = DP_PASS, .drop = -1 },
	{ "itab: 1 bucket configured -> key in bucket 0 found", { K },
	  .buckets = 1, .verdict = DP_PASS, .xvni = D1, .drop = -1 },
};
#undef O
#undef K

static void run_icase(const struct icase *c)
{
	struct lb_config cfg;
	struct lb_ingress_key key;
	struct pb_spec s;
	uint8_t in[PB_MAX_PKT], want[PB_MAX_PKT], out[DP_MAX_PKT];
	size_t len, wlen, olen = 0;
	uint32_t first[2];
	int verdict = 0;
	uint64_t v;

	check_begin("%s", c->name);
	dp_default_config(&cfg);
	if (c->buckets)
		cfg.ingress_buckets = c->buckets;
	if (!CHECK_EQ(apply_setup(&cfg, &(struct tcase){ .n_in = 0 }), 0, "setup"))
		goto out;
	CHECK_EQ(dp_bind_egress(H, D1, R1), 0, "bind D1");
	CHECK_EQ(dp_bind_egress(H, D2, c->d2_r1 ? R1 : R2), 0, "bind D2");
	dp_ingress_key(&key, R1, LB_AF_INET, A4, NULL);
	dp_ingress_first(H, &key, first);
	for (int i = 0; i < 2 * LB_INGRESS_WAYS; i++) {
		struct lb_ingress_ent e = { .key = key, .dummy_vni = D1 };
		uint32_t idx = first[i / LB_INGRESS_WAYS] + i % LB_INGRESS_WAYS;

		switch (c->ent[i]) {
		case IT_EMPTY:
			continue;
		case IT_OTHER: /* the same remote, another VNI: a collider */
			e.key.vni = R3 + (uint32_t)i;
			break;
		case IT_KEY_D2:
			e.dummy_vni = D2;
			break;
		case IT_KEY_NOFAMILY:
			e.key.family = 0;
			break;
		case IT_KEY_BADDUMMY:
			e.dummy_vni = R2;
			break;
		}
		CHECK_EQ(dp_set_ingress_ent(H, idx, &e), 0, "place an entry");
	}
	if (c->elsewhere) {
		struct lb_ingress_ent e = { .key = key, .dummy_vni = D1 };
		uint32_t idx = (first[1] + 2 * LB_INGRESS_WAYS) % (LB_BINDINGS_MAX);

		if (idx == first[0])
			idx = (idx + LB_INGRESS_WAYS) % LB_BINDINGS_MAX;
		CHECK_EQ(dp_set_ingress_ent(H, idx, &e), 0, "entry elsewhere");
	}
	pb_default(&s, PB_TUN_GENEVE, PB_L3_IPV4);
	s.vni = R1;
	len = pb_build(&s, in, sizeof(in), NULL);
	if (c->xvni)
		wlen = build_expected(&s, true, c->xvni, want);
	else {
		memcpy(want, in, len);
		wlen = len;
	}
	CHECK_EQ(dp_run(H, DP_INGRESS, in, len, out, &olen, &verdict), 0, "ingress run");
	CHECK_EQ(verdict, c->verdict, "verdict");
	CHECK_BYTES(out, olen, want, wlen, "output");
	for (uint32_t r = 0; r < LB_DROP_REASONS; r++) {
		CHECK_EQ(dp_drop_stats(H, r, &v), 0, "drop stats");
		CHECK_EQ(v, (int)r == c->drop ? 1u : 0u, "drops of each reason");
	}
out:
	check_end();
}

/*
 * Pool mode (LB_CFG_F_TUN_MARK): the tags the four programs hand each other,
 * egress in skb->priority, ingress in skb->mark and skb->priority. Slot 1 is D1's; lb_tun_slot maps ifindex 1 (the test run's
 * loopback) to it unless .noslot. Bound means D1 <-> R1 in both maps.
 */
#define SLOT1 (D1 - LB_DUMMY_MIN_DEFAULT)
#define MEG(slot) (LB_PRIO_EGRESS | (slot))
#define MIN_(slot) (LB_MARK_INGRESS | (slot))
#define PIN(slot) (LB_PRIO_INGRESS | (slot))
#define MTAP(slot) (LB_MARK_TAP | (slot))
#define TUN_IFX 7 /* slot 1's tunnel, in its egress record */

struct mcase {
	const char *name;
	int prog;          /* DP_EGRESS, DP_INGRESS, DP_TUN_EGRESS, DP_TUN_INGRESS */
	bool nopool;       /* LB_CFG_F_TUN_MARK off */
	bool unbound;
	bool noslot;       /* no lb_tun_slot entry */
	bool tap;          /* slot 1 has a tap: ifindex 1 (lb_tap_slot, lb_slot_tap) */
	bool notunifx;     /* slot 1's egress record has no tunnel ifindex */
	uint32_t vni;      /* of the Geneve/IPv4 frame */
	void (*tweak)(struct pb_spec *);
	uint32_t mark, xmark;  /* skb->mark in and out */
	uint32_t prio, xprio;  /* skb->priority in and out */
	int verdict;
	bool rw;
	uint32_t xvni;
	int drop;          /* reason counted, or -1 */
};

static const struct mcase mcases[] = {
	/* lb_egress */
	{ "pool eg: own tunnel's tag: rewritten, tag cleared", DP_EGRESS, .vni = D1, .prio = MEG(SLOT1), .xprio = 0, .verdict = DP_PASS, .rw = true, .xvni = R1, .drop = -1 },
	{ "pool eg: no tag (local socket): forged", DP_EGRESS, .vni = D1, .prio = 0, .xprio = 0, .verdict = DP_DROP, .drop = LB_DROP_FORGED },
	{ "pool eg: priority 6, the most a plain socket may set: forged", DP_EGRESS, .vni = D1, .prio = 6, .verdict = DP_DROP, .drop = LB_DROP_FORGED },
	{ "pool eg: the egress tag in the mark, not the priority: forged", DP_EGRESS, .vni = D1, .mark = MEG(SLOT1), .verdict = DP_DROP, .drop = LB_DROP_FORGED },
	{ "pool eg: own tag, someone's mark: rewritten, mark kept", DP_EGRESS, .vni = D1, .prio = MEG(SLOT1), .mark = 0x4000, .xmark = 0x4000, .verdict = DP_PASS, .rw = true, .xvni = R1, .drop = -1 },
	{ "pool eg: another tunnel's tag: forged", DP_EGRESS, .vni = D1, .prio = MEG(SLOT1 + 1), .verdict = DP_DROP, .drop = LB_DROP_FORGED },
	{ "pool eg: ingress tag: forged", DP_EGRESS, .vni = D1, .prio = MIN_(SLOT1), .verdict = DP_DROP, .drop = LB_DROP_FORGED },
	{ "pool eg: someone's priority 1: forged", DP_EGRESS, .vni = D1, .prio = 1, .verdict = DP_DROP, .drop = LB_DROP_FORGED },
	{ "pool eg: unbound, own tag: unbound", DP_EGRESS, .unbound = true, .vni = D1, .prio = MEG(SLOT1), .verdict = DP_DROP, .drop = LB_DROP_UNBOUND },
	{ "pool eg: real VNI, no tag: untouched", DP_EGRESS, .vni = R1, .prio = 7, .xprio = 7, .verdict = DP_PASS, .drop = -1 },
	{ "pool eg: real VNI with our tag: unparsed", DP_EGRESS, .vni = R1, .prio = MEG(SLOT1), .verdict = DP_DROP, .drop = LB_DROP_UNPARSED },
	{ "pool eg: our tag, hop-by-hop: unparsed", DP_EGRESS, .vni = D1, .tweak = t_ip6_hop, .prio = MEG(SLOT1), .verdict = DP_DROP, .drop = LB_DROP_UNPARSED },
	{ "pool eg: our tag, dport 53: unparsed", DP_EGRESS, .vni = D1, .tweak = t_dport53, .prio = MEG(SLOT1), .verdict = DP_DROP, .drop = LB_DROP_UNPARSED },
	{ "pool eg: our tag, later fragment: passes, tag cleared", DP_EGRESS, .vni = D1, .tweak = t_frag_off1_mf, .prio = MEG(SLOT1), .xprio = 0, .verdict = DP_PASS, .drop = -1 },
	{ "pool eg: no tag, later fragment: untouched", DP_EGRESS, .vni = D1, .tweak = t_frag_off1, .prio = 0, .xprio = 0, .verdict = DP_PASS, .drop = -1 },
	{ "datapath only: no tag still rewritten", DP_EGRESS, .nopool = true, .vni = D1, .prio = 0, .xprio = 0, .verdict = DP_PASS, .rw = true, .xvni = R1, .drop = -1 },
	{ "datapath only: our tag left alone", DP_EGRESS, .nopool = true, .vni = D1, .prio = MEG(SLOT1), .xprio = MEG(SLOT1), .verdict = DP_PASS, .rw = true, .xvni = R1, .drop = -1 },
	/* lb_ingress */
	{ "in: rewritten: mark and priority for its slot", DP_INGRESS, .vni = R1, .mark = 0, .xmark = MIN_(SLOT1), .prio = 5, .xprio = PIN(SLOT1), .verdict = DP_PASS, .rw = true, .xvni = D1, .drop = -1 },
	{ "in: a forged ingress mark is cleared", DP_INGRESS, .vni = R2, .mark = MIN_(SLOT1), .xmark = 0, .verdict = DP_PASS, .drop = -1 },
	{ "in: a forged ingress priority is cleared", DP_INGRESS, .vni = R2, .prio = PIN(SLOT1), .xprio = 0, .verdict = DP_PASS, .drop = -1 },
	{ "in: a forged priority, not rewritten: cleared", DP_INGRESS, .vni = 77, .prio = PIN(SLOT1 + 1), .xprio = 0, .verdict = DP_PASS, .drop = -1 },
	{ "in: someone's priority is kept", DP_INGRESS, .vni = R2, .prio = 6, .xprio = 6, .verdict = DP_PASS, .drop = -1 },
	{ "in: the egress tag in a mark is not ours: kept", DP_INGRESS, .vni = R2, .mark = MEG(SLOT1), .xmark = MEG(SLOT1), .verdict = DP_PASS, .drop = -1 },
	{ "in: someone's mark is kept", DP_INGRESS, .vni = R2, .mark = 0x4000, .xmark = 0x4000, .verdict = DP_PASS, .drop = -1 },
	{ "in: dummy VNI with our mark: spoof", DP_INGRESS, .vni = D1, .mark = MIN_(SLOT1), .verdict = DP_DROP, .drop = LB_DROP_SPOOF },
	/* lb_tun_egress */
	{ "tun eg: bound: tagged, mark untouched", DP_TUN_EGRESS, .vni = D1, .prio = 4, .xprio = MEG(SLOT1), .mark = 0x4000, .xmark = 0x4000, .verdict = DP_PASS, .drop = -1 },
	{ "tun eg: unbound: dropped", DP_TUN_EGRESS, .unbound = true, .vni = D1, .prio = 0, .verdict = DP_DROP, .drop = LB_DROP_UNBOUND },
	{ "tun eg: not a recorded tunnel: dropped", DP_TUN_EGRESS, .noslot = true, .vni = D1, .prio = 0, .verdict = DP_DROP, .drop = LB_DROP_UNBOUND },
	/* lb_tun_ingress */
	{ "tun in: lb_ingress's tags: in, both cleared", DP_TUN_INGRESS, .vni = D1, .mark = MIN_(SLOT1), .xmark = 0, .prio = PIN(SLOT1), .xprio = 0, .verdict = DP_PASS, .drop = -1 },
	{ "tun in: the priority alone (mark scrubbed: another netns): in", DP_TUN_INGRESS, .vni = D1, .mark = 0, .prio = PIN(SLOT1), .xprio = 0, .verdict = DP_PASS, .drop = -1 },
	{ "tun in: the mark alone: bypass", DP_TUN_INGRESS, .vni = D1, .mark = MIN_(SLOT1), .verdict = DP_DROP, .drop = LB_DROP_BYPASS },
	{ "tun in: no tag (fragments, loopback, other NIC): bypass", DP_TUN_INGRESS, .vni = D1, .mark = 0, .verdict = DP_DROP, .drop = LB_DROP_BYPASS },
	{ "tun in: another slot's priority: bypass", DP_TUN_INGRESS, .vni = D1, .mark = MIN_(SLOT1), .prio = PIN(SLOT1 + 1), .verdict = DP_DROP, .drop = LB_DROP_BYPASS },
	{ "tun in: a plain socket's priority 6: bypass", DP_TUN_INGRESS, .vni = D1, .prio = 6, .verdict = DP_DROP, .drop = LB_DROP_BYPASS },
	{ "tun in: egress tag (VXLAN local bypass): bypass", DP_TUN_INGRESS, .vni = D1, .prio = MEG(SLOT1), .verdict = DP_DROP, .drop = LB_DROP_BYPASS },
	{ "tun in: not a recorded tunnel: bypass", DP_TUN_INGRESS, .noslot = true, .vni = D1, .mark = MIN_(SLOT1), .prio = PIN(SLOT1), .verdict = DP_DROP, .drop = LB_DROP_BYPASS },
	/* slots: lb_tun_ingress hands its slot's frames to the tap */
	{ "slot tun in: lb_ingress's tags: to the tap, tap mark", DP_TUN_INGRESS, .tap = true, .vni = D1, .mark = MIN_(SLOT1), .xmark = MTAP(SLOT1), .prio = PIN(SLOT1), .xprio = 0, .verdict = DP_REDIRECT, .drop = -1 },
	{ "slot tun in: priority alone (slot netns): to the tap", DP_TUN_INGRESS, .tap = true, .vni = D1, .prio = PIN(SLOT1), .xmark = MTAP(SLOT1), .xprio = 0, .verdict = DP_REDIRECT, .drop = -1 },
	{ "slot tun in: no tag: bypass, never the tap", DP_TUN_INGRESS, .tap = true, .vni = D1, .mark = 0, .verdict = DP_DROP, .drop = LB_DROP_BYPASS },
	{ "slot tun in: the tap mark itself: bypass", DP_TUN_INGRESS, .tap = true, .vni = D1, .mark = MTAP(SLOT1), .verdict = DP_DROP, .drop = LB_DROP_BYPASS },
	/* lb_tap_ingress: what the guest sent */
	{ "tap in: bound: to the tunnel, mark cleared", DP_TAP_INGRESS, .tap = true, .vni = D1, .mark = 0x4000, .xmark = 0, .prio = 3, .xprio = 3, .verdict = DP_REDIRECT, .drop = -1 },
	{ "tap in: any frame, real VNI inside: to the tunnel untouched", DP_TAP_INGRESS, .tap = true, .vni = R2, .xmark = 0, .verdict = DP_REDIRECT, .drop = -1 },
	{ "tap in: unbound: dropped", DP_TAP_INGRESS, .tap = true, .unbound = true, .vni = D1, .verdict = DP_DROP, .drop = LB_DROP_UNBOUND },
	{ "tap in: bound, the record has no tunnel: dropped", DP_TAP_INGRESS, .tap = true, .notunifx = true, .vni = D1, .verdict = DP_DROP, .drop = LB_DROP_UNBOUND },
	{ "tap in: not a recorded tap: bypass", DP_TAP_INGRESS, .vni = D1, .verdict = DP_DROP, .drop = LB_DROP_BYPASS },
	/* lb_tap_egress: what the guest receives */
	{ "tap eg: its tunnel's tap mark: out, mark cleared", DP_TAP_EGRESS, .tap = true, .vni = D1, .mark = MTAP(SLOT1), .xmark = 0, .verdict = DP_PASS, .drop = -1 },
	{ "tap eg: no mark (the host stack): bypass", DP_TAP_EGRESS, .tap = true, .vni = D1, .mark = 0, .verdict = DP_DROP, .drop = LB_DROP_BYPASS },
	{ "tap eg: another slot's tap mark: bypass", DP_TAP_EGRESS, .tap = true, .vni = D1, .mark = MTAP(SLOT1 + 1), .verdict = DP_DROP, .drop = LB_DROP_BYPASS },
	{ "tap eg: lb_ingress's mark: bypass", DP_TAP_EGRESS, .tap = true, .vni = D1, .mark = MIN_(SLOT1), .verdict = DP_DROP, .drop = LB_DROP_BYPASS },
	{ "tap eg: not a recorded tap: bypass", DP_TAP_EGRESS, .vni = D1, .mark = MTAP(SLOT1), .verdict = DP_DROP, .drop = LB_DROP_BYPASS },
};

static void run_mcase(const struct mcase *c)
{
	struct lb_config cfg;
	struct lb_ingress_key key;
	struct pb_spec spec;
	uint8_t in[PB_MAX_PKT], want[PB_MAX_PKT], out[DP_MAX_PKT];
	size_t len, wlen, olen = 0;
	uint32_t mark = c->mark, prio = c->prio;
	int verdict = 0;

	check_begin("%s", c->name);
	dp_default_config(&cfg);
	if (!c->nopool)
		cfg.flags |= LB_CFG_F_TUN_MARK;
	pb_default(&spec, PB_TUN_GENEVE, c->tweak == t_ip6_hop ? PB_L3_IPV6 : PB_L3_IPV4);
	spec.vni = c->vni;
	if (c->tweak)
		c->tweak(&spec);
	len = pb_build(&spec, in, sizeof(in), NULL);
	dp_ingress_key(&key, R1, LB_AF_INET, spec.ip4_src, NULL);
	if (!CHECK_EQ(dp_reset(H), 0, "reset") || !CHECK_EQ(dp_set_config(H, &cfg), 0, "config") ||
	    (!c->unbound && (!CHECK_EQ(dp_bind_ingress(H, &key, D1), 0, "ingress bind") ||
			     !CHECK_EQ(dp_bind_egress(H, D1, R1), 0, "egress bind"))) ||
	    (!c->noslot && !CHECK_EQ(dp_set_tun_slot(H, 1, SLOT1), 0, "tun slot")) ||
	    (c->tap && !CHECK_EQ(dp_set_tap(H, 1, SLOT1), 0, "tap")))
		goto out;
	if (!c->unbound && !c->notunifx) {
		struct lb_egress_val v;

		if (!CHECK_EQ(dp_get_egress_val(H, D1, &v), 0, "egress record"))
			goto out;
		v.ifindex = TUN_IFX;
		if (!CHECK_EQ(dp_set_egress_val(H, D1, &v), 0, "egress record ifindex"))
			goto out;
	}
	if (!CHECK_EQ(dp_run_mark(H, c->prog, in, len, out, &olen, &verdict, &mark, &prio), 0, "run"))
		goto out;
	CHECK_EQ(verdict, c->verdict, "verdict");
	if (verdict != DP_DROP) {
		CHECK_EQ(mark, c->xmark, "skb->mark out");
		CHECK_EQ(prio, c->xprio, "skb->priority out");
	}
	wlen = build_expected(&spec, c->rw, c->xvni, want);
	CHECK_BYTES(out, olen, want, wlen, c->rw ? "rewritten output" : "untouched output");
	for (uint32_t r = 0; r < LB_DROP_SLOTS; r++) {
		uint64_t v = 0;

		CHECK_EQ(dp_drop_stats(H, r, &v), 0, "drop stats");
		CHECK_EQ(v, (int)r == c->drop, "drops of this reason");
	}
out:
	check_end();
}

int main(void)
{
	size_t n = sizeof(cases) / sizeof(cases[0]);

	H = dp_open();
	if (!H) {
		fprintf(stderr, "dp_cases: cannot load the BPF programs (dp_open failed): "
				"run as root on a kernel with BPF, after building build/latebind.skel.h\n");
		return 1;
	}
	self_checks();
	mmap_check();
	for (size_t i = 0; i < n; i++)
		run_case(&cases[i]);
	for (size_t i = 0; i < sizeof(trunc_pkts) / sizeof(trunc_pkts[0]); i++) {
		run_trunc(&trunc_pkts[i], DP_EGRESS);
		run_trunc(&trunc_pkts[i], DP_INGRESS);
	}
	run_einval();
	for (size_t i = 0; i < sizeof(icases) / sizeof(icases[0]); i++)
		run_icase(&icases[i]);
	for (size_t i = 0; i < sizeof(mcases) / sizeof(mcases[0]); i++)
		run_mcase(&mcases[i]);
	printf("dp_cases: %zu table cases, %zu ingress table cases, %zu tag cases, %d truncation "
	       "cases (%d lengths refused by the kernel with EINVAL: untagged L3 header short), "
	       "2 self-checks\n", n, sizeof(icases) / sizeof(icases[0]),
	       sizeof(mcases) / sizeof(mcases[0]), trunc_cases, trunc_refused);
	dp_close(H);
	return check_summary("dp_cases");
}
