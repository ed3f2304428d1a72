// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tap-blast: a guest that sends small UDP datagrams as fast as it can, for
 * bench/slots.sh. It opens an existing tap of the current network namespace
 * as a VMM does (IFF_TAP | IFF_NO_PI, IFF_VNET_HDR with a zeroed 12-byte
 * header unless novnet) and writes one prebuilt frame per write(), as a VMM
 * writes each frame its guest sends.
 *
 *   tap-blast TAP SRC-MAC DST-MAC SRC-IP DST-IP [dport N] [payload B]
 *             [seconds S] [cpu N] [settle MS] [novnet]
 *
 * The frame: Ethernet, IPv4 (no options, DF, valid checksum), UDP from port
 * 40000 to dport (default 9) with a valid checksum and B bytes of payload
 * (default 64: a frame of 14 + 20 + 8 + 64 = 106 bytes). Runs for S seconds
 * (default 10) pinned to CPU N (default: not pinned), then prints one line:
 *   sent N seconds S pps P errors E frame_bytes F
 * A write the tap refuses counts as an error, not as sent.
 * settle: wait MS ms between opening the tap and the first frame. Opening
 * turns the tap's carrier on, and a bridge enables its port only once the
 * kernel's link watch has handled that (up to a second later): frames sent
 * before are dropped by the bridge. A VMM opens its tap long before its
 * guest sends; so does this, with settle.
 */
#include "tapbench.h"
#include <arpa/inet.h>

static uint32_t sum16(const uint8_t *b, size_t len, uint32_t sum)
{
	for (; len > 1; b += 2, len -= 2)
		sum += (uint32_t)b[0] << 8 | b[1];
	if (len)
		sum += (uint32_t)b[0] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

int main(int argc, char **argv)
{
	uint8_t buf[VNET_HDR_LEN + 14 + 20 + 8 + 1472] = { 0 }, src[6], dst[6];
	struct in_addr sip, dip;
	unsigned long dport = 9, payload = 64, seconds = 10, settle = 0;
	long cpu = -1;
	int vnet = 1, fd, i;
	size_t len, off;
	uint8_t *eth, *ip, *udp;
	uint64_t sent = 0, errors = 0;
	double t0, t1, deadline;

	tb_prog = "tap-blast";
	if (argc < 6)
		tb_bad("usage: tap-blast TAP SRC-MAC DST-MAC SRC-IP DST-IP [dport N] [payload B] "
		       "[seconds S] [cpu N] [settle MS] [novnet]");
	tb_mac(argv[2], src);
	tb_mac(argv[3], dst);
	if (inet_pton(AF_INET, argv[4], &sip) != 1 || inet_pton(AF_INET, argv[5], &dip) != 1)
		tb_bad("bad IPv4 address: %s or %s", argv[4], argv[5]);
	for (i = 6; i < argc; i++) {
		if (!strcmp(argv[i], "dport"))
			dport = tb_num(argv[++i], 1, 65535);
		else if (!strcmp(argv[i], "payload"))
			payload = tb_num(argv[++i], 0, 1472);
		else if (!strcmp(argv[i], "seconds"))
			seconds = tb_num(argv[++i], 1, 3600);
		else if (!strcmp(argv[i], "cpu"))
			cpu = (long)tb_num(argv[++i], 0, CPU_SETSIZE - 1);
		else if (!strcmp(argv[i], "settle"))
			settle = tb_num(argv[++i], 0, 60000);
		else if (!strcmp(argv[i], "novnet"))
			vnet = 0;
		else
			tb_bad("unknown argument: %s", argv[i]);
	}

	/* [vnet header, zeroed: no checksum or GSO offload] Ethernet IPv4 UDP payload */
	off = vnet ? VNET_HDR_LEN : 0;
	eth = buf + off;
	ip = eth + 14;
	udp = ip + 20;
	memcpy(eth, dst, 6);
	memcpy(eth + 6, src, 6);
	put16(eth + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + 8 + payload));
	put16(ip + 4, 0x4c42);
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, &sip, 4);
	memcpy(ip + 16, &dip, 4);
	put16(ip + 10, fold(sum16(ip, 20, 0)));
	put16(udp, 40000);
	put16(udp + 2, (uint16_t)dport);
	put16(udp + 4, (uint16_t)(8 + payload));
	for (i = 0; i < (int)payload; i++)
		udp[8 + i] = (uint8_t)"LBSLOTS-"[i % 8];
	{
		/* pseudo-header, then the datagram */
		uint32_t s = sum16(ip + 12, 8, 17 + 8 + (uint32_t)payload);
		uint16_t c = fold(sum16(udp, 8 + payload, s));

		put16(udp + 6, c ? c : 0xffff);
	}
	len = off + 14 + 20 + 8 + payload;

	tb_pin(cpu);
	fd = tb_tap_open(argv[1], vnet, 0);
	if (settle)
		usleep((useconds_t)(settle * 1000));
	t0 = tb_now();
	deadline = t0 + (double)seconds;
	for (;;) {
		for (i = 0; i < 256; i++) {
			if (write(fd, buf, len) == (ssize_t)len)
				sent++;
			else
				errors++;
		}
		if ((t1 = tb_now()) >= deadline)
			break;
	}
	printf("sent %llu seconds %.6f pps %.0f errors %llu frame_bytes %zu\n",
	       (unsigned long long)sent, t1 - t0, (double)sent / (t1 - t0),
	       (unsigned long long)errors, len - off);
	close(fd);
	return 0;
}
