/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tapbench.h: what bench/tap-blast.c, bench/tap-relay.c and bench/udp-sink.c
 * share: argument parsing, CPU pinning, entering a named network namespace,
 * and opening an existing tap the way a VMM does. Static, libc only.
 */
#ifndef TAPBENCH_H
#define TAPBENCH_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define VNET_HDR_LEN 12 /* struct virtio_net_hdr_v1: what modern VMMs use */

static const char *tb_prog = "tapbench";

__attribute__((format(printf, 1, 2), noreturn)) static inline void tb_die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", tb_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s%s\n", err ? ": " : "", err ? strerror(err) : "");
	exit(2);
}

#define tb_bad(...) (errno = 0, tb_die(__VA_ARGS__))

static inline unsigned long tb_num(const char *s, unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		tb_bad("bad number: %s", s ? s : "(missing)");
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || errno || v < min || v > max)
		tb_bad("bad number: %s (%lu to %lu)", s, min, max);
	return v;
}

static inline void tb_mac(const char *s, uint8_t *m)
{
	unsigned int v[6];
	char c;

	if (!s || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			 &c) != 6)
		tb_bad("bad MAC: %s", s ? s : "(missing)");
	for (int i = 0; i < 6; i++)
		m[i] = (uint8_t)v[i];
}

static inline double tb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run on CPU @cpu only (sched_setaffinity); -1: leave it to the scheduler. */
static inline void tb_pin(long cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET((int)cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		tb_die("cannot pin to CPU %ld", cpu);
}

/* Enter the network namespace /run/netns/@name (as ip netns exec does). */
static inline void tb_enter_netns(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		tb_die("cannot open %s", path);
	if (setns(fd, CLONE_NEWNET))
		tb_die("cannot enter network namespace %s", name);
	close(fd);
}

/*
 * Open the existing tap @dev of the current network namespace as a VMM does:
 * IFF_TAP | IFF_NO_PI, with @vnet IFF_VNET_HDR and a 12-byte header. The
 * device must exist: root's TUNSETIFF would make a new, unrelated one.
 * @offload: TUNSETOFFLOAD flags (a guest that negotiated checksum and TSO).
 */
static inline int tb_tap_open(const char *dev, int vnet, unsigned int offload)
{
	struct ifreq ifr = { 0 };
	int fd, sz = VNET_HDR_LEN;

	if (strlen(dev) >= IFNAMSIZ)
		tb_bad("bad device name: %s", dev);
	if (!if_nametoindex(dev))
		tb_die("no device %s in this network namespace", dev);
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		tb_die("cannot open /dev/net/tun");
	memcpy(ifr.ifr_name, dev, strlen(dev));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
	if (ioctl(fd, TUNSETIFF, &ifr))
		tb_die("cannot open tap %s", dev);
	if (vnet && ioctl(fd, TUNSETVNETHDRSZ, &sz))
		tb_die("cannot set the vnet header size of %s", dev);
	if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)offload))
		tb_die("cannot set the offloads of %s", dev);
	return fd;
}

#endif
