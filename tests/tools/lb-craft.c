// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lb-craft: send VXLAN- or Geneve-shaped packets for the isolation tests.
 * Static, libc only: it also runs in the busybox VM, which has no python.
 *
 *   lb-craft udp ADDR PORT [COMMON] [src ADDR] [sport PORT]
 *	An ordinary UDP socket (no privilege needed) sends COUNT datagrams to
 *	ADDR PORT (IPv4 or IPv6) whose payload is a tunnel header and an inner
 *	Ethernet frame.
 *
 *   lb-craft frame IFACE DSTMAC SRCIP DSTIP [COMMON] [FRAME]
 *	AF_PACKET (root): COUNT whole Ethernet frames out IFACE to DSTMAC:
 *	[tags] | IPv4 or IPv6 [ext headers] | UDP | tunnel header | inner frame.
 *
 * COMMON:
 *   vxlan VNI | geneve VNI   the tunnel header (default vxlan 0); VXLAN flags
 *			      0x08, Geneve ver 0, no options, protocol 0x6558
 *   count N		      packets to send (default 1)
 *   inner-dst MAC	      inner destination MAC (default ff:ff:ff:ff:ff:ff)
 *   inner-src MAC	      inner source MAC, the marker (default 02:1b:00:00:00:01)
 *   inner icmp | udp	      inner IPv4 ICMP echo request (default) or UDP to port 9
 *   inner-ip SRC DST	      inner IPv4 addresses (default 198.51.100.1 198.51.100.2)
 *   marker TEXT	      inner payload text (default LBCRAFT)
 * FRAME:
 *   src-mac MAC	      default: IFACE's own address
 *   sport PORT, dport PORT   outer UDP ports (default 49152 + pid % 16384, 4789)
 *   vlan 8100:ID | vlan 88a8:ID   a tag, outermost first (repeatable: QinQ)
 *   frag N		      two fragments, the first with N bytes of the UDP
 *			      datagram (a multiple of 8; 8 = the UDP header only,
 *			      so the tunnel header is in the second fragment)
 *   overlap VNI	      IPv4, with frag: the first fragment carries 8 bytes
 *			      more, a tunnel header with VNI, that the second
 *			      fragment (at offset N) overlaps with the real one
 *   reverse		      send the fragments last first
 *   hbh | dstopt	      IPv6 hop-by-hop / destination options (PadN), in order
 *   rh TYPE		      IPv6 routing header, segments left 0 (type 4: an SRH
 *			      whose one segment is DSTIP; other types: 8 bytes)
 *   fragh		      IPv6 atomic fragment header (offset 0, M 0)
 *   nocsum		      IPv4: outer UDP checksum 0 (default: computed)
 * UDP checksums cover the whole datagram; an IPv6 one that comes out 0 is 0xffff.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "wire.h"

#define MAX_TAGS 4
#define MAX_EXT 8
#define BUF 2048

struct opts {
	int geneve, inner_udp, count, nocsum, reverse, ntags, next, has_overlap;
	uint32_t vni, overlap_vni, frag;
	uint16_t sport, dport, tags[MAX_TAGS][2];
	uint8_t idst[6], isrc[6], smac[6], has_smac;
	struct in_addr iip[2];
	const char *marker, *src;
	struct { uint8_t type, rh; } ext[MAX_EXT];
};

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "lb-craft: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "%s%s\n", errno ? ": " : "", errno ? strerror(errno) : "");
	exit(2);
}

static unsigned long num(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (!*s || *end || errno || v > max)
		die("bad number: %s", s);
	return v;
}

static void mac(const char *s, uint8_t *m)
{
	if (sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2], &m[3], &m[4],
		   &m[5]) != 6)
		die("bad MAC: %s", s);
}


/* Tunnel header and inner frame at @p; returns its length. */
static size_t build_payload(const struct opts *o, uint8_t *p, uint32_t seq)
{
	uint8_t *ip = p + 8 + 14, *l4 = ip + 20;
	size_t mlen = strlen(o->marker), l4len = 8 + mlen;

	memset(p, 0, 8 + 14 + 20 + 8);
	if (o->geneve) {
		put16(p + 2, 0x6558);
	} else {
		p[0] = 0x08;
	}
	p[4] = o->vni >> 16;
	p[5] = o->vni >> 8;
	p[6] = o->vni;
	memcpy(p + 8, o->idst, 6);
	memcpy(p + 14, o->isrc, 6);
	put16(p + 20, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, 20 + l4len);
	put16(ip + 4, seq);
	ip[8] = 64;
	ip[9] = o->inner_udp ? 17 : 1;
	memcpy(ip + 12, &o->iip[0], 4);
	memcpy(ip + 16, &o->iip[1], 4);
	put16(ip + 10, fold(sum16(ip, 20, 0)));
	memcpy(l4 + 8, o->marker, mlen);
	if (o->inner_udp) {
		put16(l4, 9999);
		put16(l4 + 2, 9);
		put16(l4 + 4, l4len);
		/* Zero: no checksum, valid for inner IPv4 UDP. */
	} else {
		l4[0] = 8; /* echo request */
		put16(l4 + 4, 0x1bcd);
		put16(l4 + 6, seq);
		put16(l4 + 2, fold(sum16(l4, l4len, 0)));
	}
	return 8 + 14 + 20 + l4len;
}

static int send_udp(const struct opts *o, const char *addr, const char *port)
{
	struct sockaddr_storage dst = {}, src = {};
	struct sockaddr_in *d4 = (void *)&dst, *s4 = (void *)&src;
	struct sockaddr_in6 *d6 = (void *)&dst, *s6 = (void *)&src;
	uint8_t buf[BUF];
	socklen_t alen;
	int fd, i, fam;

	fam = strchr(addr, ':') ? AF_INET6 : AF_INET;
	alen = fam == AF_INET ? sizeof(*d4) : sizeof(*d6);
	dst.ss_family = src.ss_family = fam;
	if (fam == AF_INET) {
		d4->sin_port = htons(num(port, 65535));
		s4->sin_port = htons(o->sport);
		if (inet_pton(AF_INET, addr, &d4->sin_addr) != 1 ||
		    (o->src && inet_pton(AF_INET, o->src, &s4->sin_addr) != 1))
			die("bad IPv4 address: %s", addr);
	} else {
		d6->sin6_port = htons(num(port, 65535));
		s6->sin6_port = htons(o->sport);
		if (inet_pton(AF_INET6, addr, &d6->sin6_addr) != 1 ||
		    (o->src && inet_pton(AF_INET6, o->src, &s6->sin6_addr) != 1))
			die("bad IPv6 address: %s", addr);
	}
	fd = socket(fam, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket%s", "");
	if ((o->src || o->sport) && bind(fd, (void *)&src, alen))
		die("bind %s", o->src ? o->src : "(source port)");
	for (i = 0; i < o->count; i++) {
		size_t len = build_payload(o, buf, i + 1);

		if (sendto(fd, buf, len, 0, (void *)&dst, alen) != (ssize_t)len)
			die("sendto %s", addr);
	}
	close(fd);
	return 0;
}

/* IPv6 extension headers at @p, the last one's next header = @last; returns length. */
static size_t build_ext(const struct opts *o, uint8_t *p, uint8_t last, const uint8_t *daddr)
{
	size_t off = 0, len;
	int i;

	for (i = 0; i < o->next; i++) {
		uint8_t *h = p + off, nh = i + 1 < o->next ? o->ext[i + 1].type : last;

		len = 8;
		memset(h, 0, 8);
		h[0] = nh;
		if (o->ext[i].type == 0 || o->ext[i].type == 60) {
			h[2] = 1; /* PadN, 4 bytes of padding */
			h[3] = 4;
		} else if (o->ext[i].type == 43) {
			h[2] = o->ext[i].rh;
			if (o->ext[i].rh == 4) { /* SRH: last entry 0, one segment */
				h[1] = 2;
				memcpy(h + 8, daddr, 16);
				len = 24;
			}
		} else { /* 44: atomic fragment, offset 0, M 0 */
			uint32_t id = htonl(random());

			memcpy(h + 4, &id, 4);
		}
		off += len;
	}
	return off;
}

static int send_frame(const struct opts *o, char **argv)
{
	uint8_t frame[BUF], dg[BUF], dmac[6], saddr[16], daddr[16];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_halen = 6 };
	int fd, v6, i, t, alen;
	struct ifreq ifr = {};

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		die("AF_PACKET socket%s", "");
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", argv[0]);
	if (ioctl(fd, SIOCGIFINDEX, &ifr))
		die("no interface %s", argv[0]);
	sll.sll_ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		die("no address on %s", argv[0]);
	mac(argv[1], dmac);
	memcpy(sll.sll_addr, dmac, 6);
	v6 = !!strchr(argv[2], ':');
	alen = v6 ? 16 : 4;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, argv[2], saddr) != 1 ||
	    inet_pton(v6 ? AF_INET6 : AF_INET, argv[3], daddr) != 1)
		die("bad or mixed addresses: %s", argv[2]);
	if (o->next && !v6)
		die("extension headers need IPv6 addresses%s", "");

	for (i = 0; i < o->count; i++) {
		size_t dlen = 8 + build_payload(o, dg + 8, i + 1), l2 = 12, ext = 0, nfrag = 1, f;
		uint32_t sum, id = random();
		size_t fo[2] = { 0, dlen }, fl[2] = { dlen, 0 };

		put16(dg, o->sport);
		put16(dg + 2, o->dport);
		put16(dg + 4, dlen);
		put16(dg + 6, 0);
		sum = sum16(saddr, alen, sum16(daddr, alen, 17 + dlen));
		if (!o->nocsum || v6) {
			uint16_t c = fold(sum16(dg, dlen, sum));

			put16(dg + 6, c ? c : 0xffff);
		}
		if (o->frag) {
			if (o->frag % 8 || o->frag >= dlen)
				die("frag: a multiple of 8 below the datagram's length%s", "");
			nfrag = 2;
			fo[1] = o->frag;
			fl[0] = o->frag;
			fl[1] = dlen - o->frag;
		}

		memcpy(frame, dmac, 6);
		memcpy(frame + 6, o->has_smac ? o->smac : (uint8_t *)ifr.ifr_hwaddr.sa_data, 6);
		for (t = 0; t < o->ntags; t++, l2 += 4) {
			put16(frame + l2, o->tags[t][0]);
			put16(frame + l2 + 2, o->tags[t][1]);
		}
		put16(frame + l2, v6 ? 0x86dd : 0x0800);
		l2 += 2;

		for (f = 0; f < nfrag; f++) {
			size_t k = o->reverse ? nfrag - 1 - f : f, plen = fl[k], hl;
			uint8_t *ip = frame + l2, *pl;

			if (o->has_overlap && k == 0) /* 8 more bytes, a decoy header */
				plen += 8;
			if (!v6) {
				hl = 20;
				memset(ip, 0, 20);
				ip[0] = 0x45;
				put16(ip + 2, hl + plen);
				put16(ip + 4, id);
				put16(ip + 6, fo[k] / 8 | (nfrag > 1 && k == 0 ? 0x2000 : 0));
				ip[8] = 64;
				ip[9] = 17;
				memcpy(ip + 12, saddr, 4);
				memcpy(ip + 16, daddr, 4);
				put16(ip + 10, fold(sum16(ip, 20, 0)));
			} else {
				uint8_t *fh;

				memset(ip, 0, 40);
				ip[0] = 0x60;
				ip[7] = 64;
				memcpy(ip + 8, saddr, 16);
				memcpy(ip + 24, daddr, 16);
				ext = build_ext(o, ip + 40, nfrag > 1 ? 44 : 17, daddr);
				ip[6] = o->next ? o->ext[0].type : nfrag > 1 ? 44 : 17;
				hl = 40 + ext;
				if (nfrag > 1) { /* the real Fragment header, after the rest */
					fh = ip + hl;
					memset(fh, 0, 8);
					fh[0] = 17;
					put16(fh + 2, fo[k] | (k == 0 ? 1 : 0));
					memcpy(fh + 4, &id, 4);
					hl += 8;
				}
				put16(ip + 4, hl - 40 + plen);
			}
			pl = ip + hl;
			memcpy(pl, dg + fo[k], plen);
			if (o->has_overlap && k == 0) { /* decoy tunnel header at UDP+8 */
				pl[12] = o->overlap_vni >> 16;
				pl[13] = o->overlap_vni >> 8;
				pl[14] = o->overlap_vni;
			}
			if (sendto(fd, frame, l2 + hl + plen, 0, (void *)&sll, sizeof(sll)) < 0)
				die("sendto on %s", argv[0]);
		}
	}
	close(fd);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: lb-craft udp ADDR PORT [OPTIONS]\n"
			"       lb-craft frame IFACE DSTMAC SRCIP DSTIP [OPTIONS]\n"
			"(options: see the top of tests/tools/lb-craft.c)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = { .count = 1, .dport = 4789, .marker = "LBCRAFT",
			  .idst = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
			  .isrc = { 0x02, 0x1b, 0, 0, 0, 1 } };
	int frame, npos, i;

	if (argc < 2)
		usage();
	frame = !strcmp(argv[1], "frame");
	if (!frame && strcmp(argv[1], "udp"))
		usage();
	npos = frame ? 4 : 2;
	if (argc < 2 + npos)
		usage();
	srandom(getpid() ^ time(NULL));
	o.sport = frame ? 49152 + getpid() % 16384 : 0;
	inet_pton(AF_INET, "198.51.100.1", &o.iip[0]);
	inet_pton(AF_INET, "198.51.100.2", &o.iip[1]);

	for (i = 2 + npos; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int takes = 1;

		errno = 0;
		if (!strcmp(k, "hbh") || !strcmp(k, "dstopt") || !strcmp(k, "fragh")) {
			if (o.next == MAX_EXT)
				die("too many extension headers%s", "");
			o.ext[o.next++].type = k[0] == 'h' ? 0 : k[0] == 'd' ? 60 : 44;
			takes = 0;
		} else if (!strcmp(k, "reverse") || !strcmp(k, "nocsum")) {
			*(k[0] == 'r' ? &o.reverse : &o.nocsum) = 1;
			takes = 0;
		} else if (!v) {
			die("%s needs a value", k);
		} else if (!strcmp(k, "vxlan") || !strcmp(k, "geneve")) {
			o.geneve = k[0] == 'g';
			o.vni = num(v, 0xffffff);
		} else if (!strcmp(k, "count")) {
			o.count = num(v, 1000000);
		} else if (!strcmp(k, "inner-dst")) {
			mac(v, o.idst);
		} else if (!strcmp(k, "inner-src")) {
			mac(v, o.isrc);
		} else if (!strcmp(k, "src-mac")) {
			mac(v, o.smac);
			o.has_smac = 1;
		} else if (!strcmp(k, "inner")) {
			o.inner_udp = !strcmp(v, "udp");
			if (!o.inner_udp && strcmp(v, "icmp"))
				die("inner: icmp or udp, not %s", v);
		} else if (!strcmp(k, "inner-ip")) {
			if (i + 2 >= argc || inet_pton(AF_INET, v, &o.iip[0]) != 1 ||
			    inet_pton(AF_INET, argv[i + 2], &o.iip[1]) != 1)
				die("inner-ip SRC DST: two IPv4 addresses after %s", k);
			i++;
		} else if (!strcmp(k, "marker")) {
			o.marker = v;
			if (strlen(v) > 1000)
				die("marker too long%s", "");
		} else if (!strcmp(k, "src") && !frame) {
			o.src = v;
		} else if (!strcmp(k, "sport")) {
			o.sport = num(v, 65535);
		} else if (!strcmp(k, "dport") && frame) {
			o.dport = num(v, 65535);
		} else if (!strcmp(k, "vlan") && frame) {
			if (o.ntags == MAX_TAGS || strlen(v) < 6 || v[4] != ':' ||
			    (strncmp(v, "8100", 4) && strncmp(v, "88a8", 4)))
				die("vlan 8100:ID or 88a8:ID, not %s", v);
			o.tags[o.ntags][0] = v[1] == '1' ? 0x8100 : 0x88a8;
			o.tags[o.ntags++][1] = num(v + 5, 4095);
		} else if (!strcmp(k, "frag") && frame) {
			o.frag = num(v, 1400);
		} else if (!strcmp(k, "overlap") && frame) {
			o.overlap_vni = num(v, 0xffffff);
			o.has_overlap = 1;
		} else if (!strcmp(k, "rh") && frame) {
			if (o.next == MAX_EXT)
				die("too many extension headers%s", "");
			o.ext[o.next].type = 43;
			o.ext[o.next++].rh = num(v, 255);
		} else {
			die("unknown option %s", k);
		}
		i += takes;
	}
	if (o.has_overlap && !o.frag)
		die("overlap needs frag%s", "");
	return frame ? send_frame(&o, argv + 2) : send_udp(&o, argv[2], argv[3]);
}
