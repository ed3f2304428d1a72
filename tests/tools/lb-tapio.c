// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lb-tapio: a guest stand-in on a persistent TAP device, for the isolation tests.
 * Static, libc only: it also runs in the busybox VM, which has no python.
 *
 *   lb-tapio DEV [tun PATH] [user UID[:GID]] [vnet-hdr] [multi-queue] COMMAND ...
 *	Opens DEV the way a VMM does: /dev/net/tun, then TUNSETIFF with
 *	IFF_TAP | IFF_NO_PI, in the current network namespace. DEV must exist
 *	and be persistent (root's TUNSETIFF would make a new one).
 *	user: drop all privilege first: no supplementary groups, GID (default
 *	UID), UID, checked: no way back to root, no capabilities left. Only
 *	the tap's owner (or group) gets in then; any other uid fails with
 *	"cannot open tap DEV as uid U: ERROR", exit 2.
 *	vnet-hdr: IFF_VNET_HDR and TUNSETVNETHDRSZ 12 (the virtio 1.0 header of
 *	modern VMMs); it is written zeroed before every frame, skipped on read.
 *	multi-queue: IFF_MULTI_QUEUE.
 *	tun: the tun node to open instead of /dev/net/tun (a jailer's own).
 *	The kernel refuses a multi-queue mismatch with the tap (EINVAL), not a
 *	vnet-hdr one: the opener's IFF_VNET_HDR replaces the tap's, and stays.
 *	A single-queue tap takes one opener at a time (EBUSY, even for root).
 *	/dev/net/tun must be readable and writable by the user (devtmpfs
 *	makes it 0600; udev, 0666).
 *
 * COMMAND:
 *   open		open, print "opened DEV"
 *   send HEX...	write each HEX as one whole Ethernet frame; "sent N"
 *   recv MS [count N]	"frame HEX" for each frame read within MS ms (at most N),
 *			then "received N"
 *   ping MAC IP PEER [count N] [interval MS] [wait MS] [size B]
 *	An IPv4 guest MAC, IP: it answers ARP and echo requests for IP all
 *	along, ARPs for PEER every interval for up to wait ms, then sends N
 *	echo requests (id pid & 0xffff, seq 1..N, B bytes of "LBTAPIO-"; by
 *	default 3, every 200 ms, 56 bytes) and serves until wait ms (default
 *	2000) after the last one. Prints "arp PEER is-at MAC" or "arp PEER
 *	unresolved", "reply seq S" ("reply seq S dup" for a duplicate, not
 *	counted), "answered-arp N", "answered-echo N" and
 *	"ping: N sent, N received"; exit 0 if every request had its reply, else 1.
 *   serve MAC IP MS	only answer ARP and echo requests for IP, for MS ms;
 *			prints "answered-arp N", "answered-echo N"
 *   listen MS		"frame HEX" for the first 64 frames within MS ms, then
 *			"count KIND N", KIND total, broadcast (destination
 *			ff:ff:ff:ff:ff:ff), then by ethertype arp, ipv4, ipv6, other
 *   flood MAC MS [to MAC]
 *	Every 5 ms for MS ms, from MAC: a broadcast of ethertype 0x88b5
 *	"LBTAPIO-BCAST", an ARP request who-has 192.168.10.1 tell 192.168.10.66,
 *	an IPv6 neighbour solicitation for fe80::1 to 33:33:ff:00:00:01 and,
 *	with to, an 0x88b5 unicast "LBTAPIO-UNICAST" to that MAC.
 *	Prints "flood: N rounds".
 * Bad arguments or a failed call: a message on stderr, exit 2.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "wire.h"

#define VNET_HDR ((int)sizeof(struct virtio_net_hdr_v1))
#define BUF (14 + 65536)
#define MAX_MS 86400000UL
#define MAX_PRINT 64
#define ETH_P_LOCAL 0x88b5

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static int tapfd = -1, vhdr;
static uint8_t rbuf[BUF + 64], wbuf[BUF];

struct guest {
	uint8_t mac[6], peer_mac[6];
	struct in_addr ip, peer;
	int want_peer, resolved;
	unsigned id, ipid, sent, received, answered_arp, answered_echo;
	uint8_t *got; /* got[seq]: reply seen */
};

__attribute__((format(printf, 1, 2))) static void die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "lb-tapio: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s%s\n", err ? ": " : "", err ? strerror(err) : "");
	exit(2);
}

#define bad(...) (errno = 0, die(__VA_ARGS__))

static unsigned long num(const char *s, unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		bad("bad number: %s", s);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || errno || v < min || v > max)
		bad("bad number: %s (%lu to %lu)", s, min, max);
	return v;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void mac(const char *s, uint8_t *m)
{
	const char *p = s;
	int i, n, d, v;

	for (i = 0; i < 6; i++, p++) {
		for (n = v = 0; n < 2 && (d = hexval(*p)) >= 0; n++, p++)
			v = v << 4 | d;
		if (!n || *p != (i < 5 ? ':' : '\0'))
			bad("bad MAC: %s", s);
		m[i] = v;
	}
}

static void ipv4(const char *s, struct in_addr *a)
{
	if (inet_pton(AF_INET, s, a) != 1)
		bad("bad IPv4 address: %s", s);
}

/* Hex string @s into @out; returns its length in bytes. */
static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = strlen(s), i;
	int h, l;

	if (!n || n % 2 || n / 2 > BUF)
		bad("bad frame: %.40s (hex digits, an even number)", s);
	for (i = 0; i < n / 2; i++) {
		h = hexval(s[2 * i]);
		l = hexval(s[2 * i + 1]);
		if (h < 0 || l < 0)
			bad("bad frame: %.40s (hex digits only)", s);
		out[i] = h << 4 | l;
	}
	return n / 2;
}

static long long now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		die("clock_gettime");
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}


static uint16_t get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static void print_frame(const uint8_t *f, size_t len)
{
	size_t i;

	fputs("frame ", stdout);
	for (i = 0; i < len; i++)
		printf("%02x", f[i]);
	putchar('\n');
}

static void drop_privileges(uid_t uid, gid_t gid)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};
	uid_t r, e, s;
	gid_t rg, eg, sg;

	if (setgroups(0, NULL))
		die("setgroups");
	if (setgid(gid))
		die("setgid %u", gid);
	if (setuid(uid))
		die("setuid %u", uid);
	if (getresuid(&r, &e, &s) || getresgid(&rg, &eg, &sg))
		die("getresuid");
	if (r != uid || e != uid || s != uid || rg != gid || eg != gid || sg != gid ||
	    getgroups(0, NULL) != 0)
		bad("privileges did not drop to %u:%u", uid, gid);
	if (!uid)
		return;
	if (!setuid(0))
		bad("uid %u could get root back", uid);
	if (syscall(SYS_capget, &h, d))
		die("capget");
	if (d[0].effective | d[0].permitted | d[1].effective | d[1].permitted)
		bad("uid %u kept capabilities", uid);
}

/* The tun node: /dev/net/tun, or the one `tun PATH` names (a jailer's own). */
static const char *tun_node = "/dev/net/tun";

static void tap_open(const char *dev, short flags)
{
	struct ifreq ifr = {};
	int sz = VNET_HDR;

	/* TUNSETIFF would create a missing DEV, given CAP_NET_ADMIN: look first */
	if (!if_nametoindex(dev))
		goto fail;
	tapfd = open(tun_node, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (tapfd < 0) {
		fprintf(stderr, "lb-tapio: cannot open tap %s as uid %u: %s: %s\n", dev,
			getuid(), tun_node, strerror(errno));
		exit(2);
	}
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", dev);
	ifr.ifr_flags = flags;
	if (ioctl(tapfd, TUNSETIFF, &ifr))
		goto fail;
	if (ioctl(tapfd, TUNGETIFF, &ifr))
		die("ioctl TUNGETIFF on %s", dev);
	if (!(ifr.ifr_flags & IFF_PERSIST))
		bad("%s is not a persistent tap", dev);
	if (flags & IFF_VNET_HDR) {
		if (ioctl(tapfd, TUNSETVNETHDRSZ, &sz))
			die("ioctl TUNSETVNETHDRSZ %d on %s", sz, dev);
		vhdr = sz;
	}
	return;
fail:
	fprintf(stderr, "lb-tapio: cannot open tap %s as uid %u: %s\n", dev, getuid(),
		strerror(errno));
	exit(2);
}

static void tap_write(const uint8_t *f, size_t len)
{
	static const uint8_t zero[VNET_HDR];
	struct iovec iov[2] = { { (void *)zero, vhdr }, { (void *)f, len } };
	ssize_t n;

	n = vhdr ? writev(tapfd, iov, 2) : write(tapfd, f, len);
	if (n < 0)
		die("write of a %zu-byte frame", len);
	if ((size_t)n != vhdr + len)
		bad("write of a %zu-byte frame: short, %zd", len, n);
}

/* One frame, past its vnet header, at *@f; -1 if none is waiting. */
static ssize_t tap_read(uint8_t **f)
{
	ssize_t n = read(tapfd, rbuf, sizeof(rbuf));

	if (n < 0) {
		if (errno == EAGAIN)
			return -1;
		die("read");
	}
	if (n < vhdr)
		bad("read: %zd bytes, shorter than the vnet header", n);
	*f = rbuf + vhdr;
	return n - vhdr;
}

/* Wait until a frame is waiting or it is @until. */
static void wait_frame(long long until)
{
	struct pollfd p = { .fd = tapfd, .events = POLLIN };
	long long left = until - now_ms();

	if (left <= 0)
		return;
	if (poll(&p, 1, left > INT_MAX ? INT_MAX : left) < 0 && errno != EINTR)
		die("poll");
	if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) {
		uint8_t *f;

		if (tap_read(&f) < 0) /* a dead tap says why on read */
			bad("poll: error on the tap (revents 0x%x)", p.revents);
	}
}

static size_t eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put16(f + 12, type);
	return 14;
}

/* An ARP frame; @tha NULL: zero. Returns its length. */
static size_t arp(uint8_t *f, const uint8_t *edst, uint16_t op, const uint8_t *sha,
		  const void *spa, const uint8_t *tha, const void *tpa)
{
	uint8_t *a = f + eth(f, edst, sha, 0x0806);

	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, sha, 6);
	memcpy(a + 14, spa, 4);
	if (tha)
		memcpy(a + 18, tha, 6);
	else
		memset(a + 18, 0, 6);
	memcpy(a + 24, tpa, 4);
	return 14 + 28;
}

/* A 20-byte IPv4 header, DF, TTL 64, checksummed. */
static void ip4(uint8_t *ip, const void *src, const void *dst, uint8_t proto, size_t plen,
		uint16_t id, uint8_t tos)
{
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[1] = tos;
	put16(ip + 2, 20 + plen);
	put16(ip + 4, id);
	put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	put16(ip + 10, fold(sum16(ip, 20, 0)));
}

static void handle_arp(struct guest *g, const uint8_t *f, size_t len)
{
	const uint8_t *a = f + 14;

	if (len < 14 + 28 || get16(a) != 1 || get16(a + 2) != 0x0800 || a[4] != 6 || a[5] != 4)
		return;
	if (get16(a + 6) == 1 && !memcmp(a + 24, &g->ip, 4) && memcmp(a + 14, &g->ip, 4)) {
		tap_write(wbuf, arp(wbuf, f + 6, 2, g->mac, &g->ip, a + 8, a + 14));
		g->answered_arp++;
	} else if (get16(a + 6) == 2 && g->want_peer && !g->resolved &&
		   !memcmp(a + 14, &g->peer, 4)) {
		memcpy(g->peer_mac, a + 8, 6);
		g->resolved = 1;
	}
}

/* Answers ARP and echo requests for g->ip, takes ARP and echo replies from g->peer. */
static void handle(struct guest *g, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + 14, *icmp;
	size_t hl, tot, ilen;
	unsigned seq;

	if (len < 14)
		return;
	if (get16(f + 12) == 0x0806) {
		handle_arp(g, f, len);
		return;
	}
	if (get16(f + 12) != 0x0800 || memcmp(f, g->mac, 6) || len < 14 + 20 + 8)
		return;
	hl = (ip[0] & 15) * 4;
	tot = get16(ip + 2);
	if (ip[0] >> 4 != 4 || hl < 20 || tot < hl + 8 || 14 + tot > len || ip[9] != 1 ||
	    get16(ip + 6) & 0x3fff || fold(sum16(ip, hl, 0)) || memcmp(ip + 16, &g->ip, 4))
		return;
	icmp = ip + hl;
	ilen = tot - hl;
	if (fold(sum16(icmp, ilen, 0)) || icmp[1])
		return;
	if (icmp[0] == 8) {
		uint8_t *rip = wbuf + 14, *ricmp = rip + 20;

		eth(wbuf, f + 6, g->mac, 0x0800);
		ip4(rip, &g->ip, ip + 12, 1, ilen, ++g->ipid, ip[1]);
		memcpy(ricmp, icmp, ilen);
		ricmp[0] = 0;
		put16(ricmp + 2, 0);
		put16(ricmp + 2, fold(sum16(ricmp, ilen, 0)));
		tap_write(wbuf, 14 + 20 + ilen);
		g->answered_echo++;
	} else if (icmp[0] == 0 && g->want_peer && !memcmp(ip + 12, &g->peer, 4) &&
		   get16(icmp + 4) == g->id) {
		seq = get16(icmp + 6);
		if (seq < 1 || seq > g->sent)
			return;
		printf("reply seq %u%s\n", seq, g->got[seq] ? " dup" : "");
		if (!g->got[seq]++)
			g->received++;
	}
}

/* Handle one frame: a waiting one, or the first to come before @until. */
static void pump(struct guest *g, long long until)
{
	ssize_t n;
	uint8_t *f;

	n = tap_read(&f);
	if (n < 0) {
		wait_frame(until);
		n = tap_read(&f);
	}
	if (n >= 0)
		handle(g, f, n);
}

static void send_echo(struct guest *g, unsigned seq, size_t size)
{
	static const char pat[] = "LBTAPIO-";
	uint8_t *ip = wbuf + 14, *icmp = ip + 20;
	size_t i;

	eth(wbuf, g->peer_mac, g->mac, 0x0800);
	ip4(ip, &g->ip, &g->peer, 1, 8 + size, seq, 0);
	memset(icmp, 0, 8);
	icmp[0] = 8;
	put16(icmp + 4, g->id);
	put16(icmp + 6, seq);
	for (i = 0; i < size; i++)
		icmp[8 + i] = pat[i % (sizeof(pat) - 1)];
	put16(icmp + 2, fold(sum16(icmp, 8 + size, 0)));
	tap_write(wbuf, 14 + 20 + 8 + size);
}

static void print_answered(const struct guest *g)
{
	printf("answered-arp %u\nanswered-echo %u\n", g->answered_arp, g->answered_echo);
}

static int do_ping(struct guest *g, unsigned count, unsigned interval, unsigned wait,
		   unsigned size)
{
	long long t, next, end;
	uint8_t arpbuf[64];
	size_t arplen;
	char peer[INET_ADDRSTRLEN];

	g->want_peer = 1;
	g->id = getpid() & 0xffff;
	g->got = calloc(count + 1, 1);
	if (!g->got)
		die("calloc");
	inet_ntop(AF_INET, &g->peer, peer, sizeof(peer));
	arplen = arp(arpbuf, bcast, 1, g->mac, &g->ip, NULL, &g->peer);

	next = now_ms();
	end = next + wait;
	while (!g->resolved && (t = now_ms()) < end) {
		if (t >= next) {
			tap_write(arpbuf, arplen);
			next = t + interval;
		}
		pump(g, next < end ? next : end);
	}
	if (!g->resolved) {
		printf("arp %s unresolved\n", peer);
	} else {
		const uint8_t *m = g->peer_mac;

		printf("arp %s is-at %02x:%02x:%02x:%02x:%02x:%02x\n", peer, m[0], m[1], m[2],
		       m[3], m[4], m[5]);
		for (next = now_ms(); g->sent < count;) {
			if (now_ms() >= next) {
				send_echo(g, ++g->sent, size);
				next += interval;
			} else {
				pump(g, next);
			}
		}
		for (end = now_ms() + wait; now_ms() < end;)
			pump(g, end);
	}
	print_answered(g);
	printf("ping: %u sent, %u received\n", g->sent, g->received);
	return g->resolved && g->received == count ? 0 : 1;
}

static int do_serve(struct guest *g, unsigned ms)
{
	long long end = now_ms() + ms;

	while (now_ms() < end)
		pump(g, end);
	print_answered(g);
	return 0;
}

/* recv (@listen 0) or listen. */
static int do_recv(unsigned ms, unsigned count, int listen)
{
	unsigned n = 0, nb = 0, narp = 0, n4 = 0, n6 = 0, other = 0;
	long long end = now_ms() + ms;
	ssize_t len;
	uint8_t *f;

	while (now_ms() < end && (!count || n < count)) {
		len = tap_read(&f);
		if (len < 0) {
			wait_frame(end);
			continue;
		}
		if (!listen || n < MAX_PRINT)
			print_frame(f, len);
		n++;
		if (len >= 6 && !memcmp(f, bcast, 6))
			nb++;
		if (len < 14)
			other++;
		else if (get16(f + 12) == 0x0806)
			narp++;
		else if (get16(f + 12) == 0x0800)
			n4++;
		else if (get16(f + 12) == 0x86dd)
			n6++;
		else
			other++;
	}
	if (!listen)
		printf("received %u\n", n);
	else
		printf("count total %u\ncount broadcast %u\ncount arp %u\ncount ipv4 %u\n"
		       "count ipv6 %u\ncount other %u\n", n, nb, narp, n4, n6, other);
	return 0;
}

static int do_flood(const uint8_t *src, unsigned ms, const uint8_t *to)
{
	static const uint8_t snmac[6] = { 0x33, 0x33, 0xff, 0x00, 0x00, 0x01 };
	static const uint8_t sndst[16] = { 0xff, 0x02, [11] = 1, [12] = 0xff, [15] = 1 };
	static const uint8_t target[16] = { 0xfe, 0x80, [15] = 1 };
	uint8_t fb[64], fa[64], fn[128], fu[64], *ip6 = fn + 14, *ns = ip6 + 40;
	size_t lb, la, lu = 0;
	struct in_addr spa, tpa;
	struct timespec next;
	unsigned rounds = 0;
	long long end;
	int err;

	lb = eth(fb, bcast, src, ETH_P_LOCAL);
	memcpy(fb + lb, "LBTAPIO-BCAST", 13);
	lb += 13;
	inet_pton(AF_INET, "192.168.10.66", &spa);
	inet_pton(AF_INET, "192.168.10.1", &tpa);
	la = arp(fa, bcast, 1, src, &spa, NULL, &tpa);
	/* NS: from src's EUI-64 link-local, with a source link-layer address option */
	eth(fn, snmac, src, 0x86dd);
	memset(ip6, 0, 40 + 32);
	ip6[0] = 0x60;
	put16(ip6 + 4, 32);
	ip6[6] = 58;
	ip6[7] = 255;
	ip6[8] = 0xfe;
	ip6[9] = 0x80;
	ip6[16] = src[0] ^ 2;
	ip6[17] = src[1];
	ip6[18] = src[2];
	ip6[19] = 0xff;
	ip6[20] = 0xfe;
	memcpy(ip6 + 21, src + 3, 3);
	memcpy(ip6 + 24, sndst, 16);
	ns[0] = 135;
	memcpy(ns + 8, target, 16);
	ns[24] = 1;
	ns[25] = 1;
	memcpy(ns + 26, src, 6);
	put16(ns + 2, fold(sum16(ip6 + 8, 32, sum16(ns, 32, 32 + 58))));
	if (to) {
		lu = eth(fu, to, src, ETH_P_LOCAL);
		memcpy(fu + lu, "LBTAPIO-UNICAST", 15);
		lu += 15;
	}

	if (clock_gettime(CLOCK_MONOTONIC, &next))
		die("clock_gettime");
	end = next.tv_sec * 1000LL + next.tv_nsec / 1000000 + ms;
	while (now_ms() < end) {
		tap_write(fb, lb);
		tap_write(fa, la);
		tap_write(fn, 14 + 40 + 32);
		if (to)
			tap_write(fu, lu);
		rounds++;
		next.tv_nsec += 5000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		if (next.tv_sec * 1000LL + next.tv_nsec / 1000000 >= end)
			break;
		while ((err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL)) == EINTR)
			;
		if (err) {
			errno = err;
			die("clock_nanosleep");
		}
	}
	printf("flood: %u rounds\n", rounds);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: lb-tapio DEV [tun PATH] [user UID[:GID]] [vnet-hdr] [multi-queue] COMMAND ...\n"
		"commands: open\n"
		"          send HEX...\n"
		"          recv MS [count N]\n"
		"          ping MAC IP PEER [count N] [interval MS] [wait MS] [size B]\n"
		"          serve MAC IP MS\n"
		"          listen MS\n"
		"          flood MAC MS [to MAC]\n"
		"(details: see the top of tests/tools/lb-tapio.c)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned count = 0, interval = 200, wait = 2000, size = 56, ms = 0;
	short flags = IFF_TAP | IFF_NO_PI;
	struct guest g = {};
	uint8_t to[6];
	const char *dev, *cmd;
	uid_t uid = 0;
	gid_t gid = 0;
	int i, user = 0, has_to = 0, nargs;
	char **arg;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3)
		usage();
	dev = argv[1];
	if (!*dev || strlen(dev) >= IFNAMSIZ)
		bad("bad device name: %s", dev);
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "vnet-hdr")) {
			flags |= IFF_VNET_HDR;
		} else if (!strcmp(argv[i], "multi-queue")) {
			flags |= IFF_MULTI_QUEUE;
		} else if (!strcmp(argv[i], "tun") && i + 1 < argc) {
			tun_node = argv[++i];
		} else if (!strcmp(argv[i], "user") && i + 1 < argc) {
			char *s = argv[++i], *colon = strchr(s, ':');

			if (colon)
				*colon = '\0';
			uid = num(s, 0, UINT_MAX - 1);
			gid = colon ? num(colon + 1, 0, UINT_MAX - 1) : uid;
			user = 1;
		} else {
			break;
		}
	}
	if (i >= argc)
		usage();
	cmd = argv[i];
	arg = argv + i + 1;
	nargs = argc - i - 1;

	/* Check every argument before the tap is touched. */
	if (!strcmp(cmd, "open")) {
		if (nargs)
			usage();
	} else if (!strcmp(cmd, "send")) {
		if (!nargs)
			usage();
		for (i = 0; i < nargs; i++)
			unhex(arg[i], wbuf);
	} else if (!strcmp(cmd, "recv") || !strcmp(cmd, "listen")) {
		if (nargs < 1)
			usage();
		ms = num(arg[0], 0, MAX_MS);
		if (cmd[0] == 'r' && nargs == 3 && !strcmp(arg[1], "count"))
			count = num(arg[2], 1, UINT_MAX);
		else if (nargs != 1)
			usage();
	} else if (!strcmp(cmd, "ping") || !strcmp(cmd, "serve")) {
		if (nargs < 3)
			usage();
		mac(arg[0], g.mac);
		ipv4(arg[1], &g.ip);
		if (cmd[0] == 's') {
			if (nargs != 3)
				usage();
			ms = num(arg[2], 0, MAX_MS);
		} else {
			ipv4(arg[2], &g.peer);
			count = 3;
			for (i = 3; i < nargs; i += 2) {
				if (i + 1 >= nargs)
					bad("%s needs a value", arg[i]);
				if (!strcmp(arg[i], "count"))
					count = num(arg[i + 1], 1, 1000000);
				else if (!strcmp(arg[i], "interval"))
					interval = num(arg[i + 1], 1, MAX_MS);
				else if (!strcmp(arg[i], "wait"))
					wait = num(arg[i + 1], 0, MAX_MS);
				else if (!strcmp(arg[i], "size"))
					size = num(arg[i + 1], 0, 65535 - 20 - 8);
				else
					bad("unknown ping option %s", arg[i]);
			}
		}
	} else if (!strcmp(cmd, "flood")) {
		if (nargs != 2 && !(nargs == 4 && !strcmp(arg[2], "to")))
			usage();
		mac(arg[0], g.mac);
		ms = num(arg[1], 0, MAX_MS);
		if (nargs == 4) {
			mac(arg[3], to);
			has_to = 1;
		}
	} else {
		usage();
	}

	if (user)
		drop_privileges(uid, gid);
	tap_open(dev, flags);

	if (!strcmp(cmd, "open")) {
		printf("opened %s\n", dev);
		return 0;
	}
	if (!strcmp(cmd, "send")) {
		for (i = 0; i < nargs; i++)
			tap_write(wbuf, unhex(arg[i], wbuf));
		printf("sent %d\n", nargs);
		return 0;
	}
	if (!strcmp(cmd, "recv") || !strcmp(cmd, "listen"))
		return do_recv(ms, count, cmd[0] == 'l');
	if (!strcmp(cmd, "serve"))
		return do_serve(&g, ms);
	if (!strcmp(cmd, "ping"))
		return do_ping(&g, count, interval, wait, size);
	return do_flood(g.mac, ms, has_to ? to : NULL);
}
