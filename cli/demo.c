// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * latebind datapath demo: load lb_egress and lb_ingress into this kernel and
 * feed them sample frames with BPF_PROG_TEST_RUN. Nothing is attached and
 * nothing is sent; the addresses are from the documentation ranges.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <latebind/latebind.h>
#include <latebind/bench.h>
#include "cli.h"
#include "output.h"

#define DEMO_LOCAL "192.0.2.1"
#define DEMO_PEER "192.0.2.2"
#define DUMMY0 LB_DUMMY_MIN_DEFAULT
#define REAL0 100
#define DUMMY1 (LB_DUMMY_MIN_DEFAULT + 1)
#define REAL1 5001

struct sample {
	const char *what;
	enum latebind_dir dir;
	int geneve; /* else VXLAN; -1: an ARP frame */
	uint32_t vni;
	const char *src, *dst;
	int udp_csum;
};

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t s)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Ethernet | IPv4 | UDP | Geneve or VXLAN | inner Ethernet | 32 bytes. */
static size_t build(uint8_t *f, const struct sample *s)
{
	static const uint8_t arp[] = { 0, 1, 8, 0, 6, 4, 0, 1 };
	uint8_t *ip = f + 14, *udp = ip + 20, *tun = udp + 8, *inner = tun + 8;
	size_t udp_len = 8 + 8 + 14 + 32;
	uint32_t s32;

	memset(f, 0, 14 + 20 + udp_len);
	memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	if (s->geneve < 0) {
		f[12] = 0x08, f[13] = 0x06;
		memcpy(f + 14, arp, sizeof(arp));
		return 14 + 28;
	}
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (20 + udp_len) >> 8, ip[3] = (uint8_t)(20 + udp_len);
	ip[8] = 64, ip[9] = 17;
	inet_pton(AF_INET, s->src, ip + 12);
	inet_pton(AF_INET, s->dst, ip + 16);
	s32 = fold(sum16(ip, 20, 0));
	ip[10] = (uint8_t)(~s32 >> 8), ip[11] = (uint8_t)~s32;

	udp[0] = 0xc7, udp[1] = 0x38; /* source port 51000: flow entropy */
	udp[2] = s->geneve ? 6081 >> 8 : 4789 >> 8;
	udp[3] = s->geneve ? 6081 & 0xff : 4789 & 0xff;
	udp[4] = udp_len >> 8, udp[5] = (uint8_t)udp_len;
	if (s->geneve)
		tun[2] = 0x65, tun[3] = 0x58; /* Ethernet payload */
	else
		tun[0] = 0x08; /* I flag */
	tun[4] = s->vni >> 16, tun[5] = s->vni >> 8, tun[6] = s->vni;
	memcpy(inner, "\x02\x00\x00\x00\x00\xaa\x02\x00\x00\x00\x00\xbb\x08\x00", 14);
	if (s->udp_csum) {
		uint16_t c;

		s32 = sum16(ip + 12, 8, 17 + udp_len); /* pseudo-header */
		c = ~fold(sum16(udp, udp_len, s32));
		c = c ? c : 0xffff;
		udp[6] = c >> 8, udp[7] = (uint8_t)c;
	}
	return 14 + 20 + udp_len;
}

static int udp_csum_ok(const uint8_t *f)
{
	const uint8_t *ip = f + 14, *udp = ip + 20;
	size_t udp_len = (size_t)udp[4] << 8 | udp[5];

	if (!udp[6] && !udp[7])
		return 1; /* no checksum */
	return fold(sum16(udp, udp_len, sum16(ip + 12, 8, 17 + udp_len))) == 0xffff;
}

static void decode(const char *key, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + 14, *udp = ip + 20, *tun = udp + 8;
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
	unsigned dport;

	out_open_object(key);
	if (f[12] != 0x08 || f[13] != 0x00) {
		out_string("frame", "%s\n", "ARP");
		out_close_object();
		return;
	}
	inet_ntop(AF_INET, ip + 12, src, sizeof(src));
	inet_ntop(AF_INET, ip + 16, dst, sizeof(dst));
	dport = udp[2] << 8 | udp[3];
	out_string("src", "%s", src);
	out_string("dst", " > %s", dst);
	out_uint("sport", " udp %llu", (unsigned)(udp[0] << 8 | udp[1]));
	out_uint("dport", " > %llu", dport);
	out_string("proto", " %-6s", dport == 6081 ? "geneve" : "vxlan");
	out_uint("vni", " VNI %-8llu", (unsigned)(tun[4] << 16 | tun[5] << 8 | tun[6]));
	out_uint("csum", " csum 0x%04llx", (unsigned)(udp[6] << 8 | udp[7]));
	out_string("csum_check", " (%s)\n",
		   !udp[6] && !udp[7] ? "none" : udp_csum_ok(f) ? "valid" : "INVALID");
	out_close_object();
}

static const struct sample samples[] = {
	{ "egress: pool tunnel A sends with its dummy VNI; bound, so the wire gets VNI 100",
	  LATEBIND_EGRESS, 1, DUMMY0, DEMO_LOCAL, DEMO_PEER, 1 },
	{ "egress: pool tunnel B (VXLAN, no UDP checksum), bound to VNI 5001", LATEBIND_EGRESS, 0,
	  DUMMY1, DEMO_LOCAL, DEMO_PEER, 0 },
	{ "egress: a warm tunnel that is not bound yet: dropped, never on the wire",
	  LATEBIND_EGRESS, 1, DUMMY0 + 7, DEMO_LOCAL, DEMO_PEER, 1 },
	{ "ingress: the peer answers on VNI 100; tunnel A receives it on its dummy VNI",
	  LATEBIND_INGRESS, 1, REAL0, DEMO_PEER, DEMO_LOCAL, 1 },
	{ "ingress: someone sends to a dummy VNI directly: dropped (anti-spoof)", LATEBIND_INGRESS,
	  1, DUMMY0, DEMO_PEER, DEMO_LOCAL, 1 },
	{ "egress: an ordinary tunnel with VNI 200 (not ours): untouched", LATEBIND_EGRESS, 1, 200,
	  DEMO_LOCAL, DEMO_PEER, 1 },
	{ "egress: ARP: untouched", LATEBIND_EGRESS, -1, 0, DEMO_LOCAL, DEMO_PEER, 0 },
};

int do_datapath_demo(int argc, char **argv)
{
	struct latebind_datapath_config cfg;
	struct latebind_datapath *dp;
	struct latebind_addr peer;
	uint8_t in[256], out[256];
	int err = 0;

	latebind_datapath_config_init(&cfg);
	err = latebind_datapath_open(&cfg, &dp);
	if (err)
		return cli_lib_error(err);
	err = latebind_addr_parse(DEMO_PEER, &peer);
	if (!err)
		err = latebind_datapath_bind(dp, DUMMY0, REAL0, &peer, NULL);
	if (!err)
		err = latebind_datapath_bind(dp, DUMMY1, REAL1, NULL, NULL);
	if (err)
		goto out;

	out_open_object(NULL);
	out_text("The latebind datapath, loaded into this kernel and fed sample frames with\n"
		 "BPF_PROG_TEST_RUN (nothing is attached, nothing is sent).\n\n"
		 "Pool tunnels are created ahead of time with placeholder (dummy) VNIs from\n"
		 "%u-%u. A BPF map says which real VNI each one is bound to:\n"
		 "  tunnel A: dummy %u -> VNI %u, replies from %s come back to it\n"
		 "  tunnel B: dummy %u -> VNI %u\n\n",
		 cfg.dummy_base, cfg.dummy_base + cfg.dummy_count - 1, DUMMY0, REAL0, DEMO_PEER,
		 DUMMY1, REAL1);
	out_open_array("samples");
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const struct sample *s = &samples[i];
		size_t len = build(in, s), out_len;
		int verdict;

		err = latebind_datapath_test_run(dp, s->dir, in, len, out, &out_len, &verdict);
		if (err)
			break;
		out_open_object(NULL);
		out_string("case", "[%s]\n", s->what);
		out_text("   in : ");
		decode("in", in, len);
		if (verdict == 2) {
			out_string("verdict", "   out: dropped (%s, TC_ACT_SHOT)\n\n", "drop");
		} else {
			out_string("verdict", "%.0s", "pass");
			out_text("   out: ");
			decode("out", out, out_len);
			out_text("%s\n", memcmp(in, out, len) ? "" : "        (byte-identical)\n");
		}
		out_close_object();
	}
	out_close_array();
	out_text("Rewritten packets keep a valid UDP checksum without touching the checksum\n"
		 "field: the source port absorbs the VNI change (docs/datapath.md).\n");
	out_close_object();
	out_finish();
out:
	latebind_datapath_close(dp);
	return err ? cli_lib_error(err) : 0;
}
