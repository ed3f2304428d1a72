// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tap-relay: the part of a VMM that moves a guest's frames, for
 * bench/slots.sh. The guest is a kernel's TCP/IP stack behind a tap in its own
 * network namespace; the relay copies every frame between that tap and the
 * slot's tap (in the host's namespace), both ways, as a VMM copies between
 * its guest's virtio queues and its tap.
 *
 *   tap-relay NETNS-A TAP-A NETNS-B TAP-B [nooffload] [novnet] [cpu N]
 *
 * Each tap is opened in its own namespace (setns, then /dev/net/tun), with
 * IFF_TAP | IFF_NO_PI | IFF_VNET_HDR and a 12-byte header, and, unless
 * nooffload, TUNSETOFFLOAD TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6: a guest
 * that negotiated checksum offload and TSO, as Firecracker and QEMU's guests
 * do. The virtio header read from one tap is written to the other with its
 * frame, so a TSO super-frame of the guest crosses as one write.
 * novnet: neither the header nor offloads (one MTU-sized frame per write).
 *
 * One thread, non-blocking reads, up to 64 frames per direction per turn,
 * poll() when both are idle; pinned to CPU N if given. Prints "ready" once
 * both taps are open, and at SIGTERM / SIGINT one line:
 *   a_to_b FRAMES BYTES b_to_a FRAMES BYTES write_errors N
 */
#include "tapbench.h"
#include <poll.h>
#include <signal.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct dir {
	int from, to;
	uint64_t frames, bytes;
};

static uint8_t buf[VNET_HDR_LEN + 65536 + 64];
static uint64_t write_errors;

/* Move up to 64 frames @d->from -> @d->to; returns how many were read. */
static int pump(struct dir *d)
{
	int n;

	for (n = 0; n < 64; n++) {
		ssize_t r = read(d->from, buf, sizeof(buf));

		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			tb_die("read");
		}
		if (write(d->to, buf, (size_t)r) != r) {
			write_errors++;
			continue;
		}
		d->frames++;
		d->bytes += (uint64_t)r;
	}
	return n;
}

int main(int argc, char **argv)
{
	struct sigaction act = { .sa_handler = on_signal };
	unsigned int offload = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
	int vnet = 1, fa, fb, i;
	long cpu = -1;
	struct dir ab, ba;
	struct pollfd pfd[2];

	tb_prog = "tap-relay";
	if (argc < 5)
		tb_bad("usage: tap-relay NETNS-A TAP-A NETNS-B TAP-B [nooffload] [novnet] [cpu N]");
	for (i = 5; i < argc; i++) {
		if (!strcmp(argv[i], "nooffload"))
			offload = 0;
		else if (!strcmp(argv[i], "novnet"))
			vnet = 0;
		else if (!strcmp(argv[i], "cpu"))
			cpu = (long)tb_num(argv[++i], 0, CPU_SETSIZE - 1);
		else
			tb_bad("unknown argument: %s", argv[i]);
	}
	if (!vnet)
		offload = 0;
	tb_pin(cpu);
	tb_enter_netns(argv[1]);
	fa = tb_tap_open(argv[2], vnet, offload);
	tb_enter_netns(argv[3]);
	fb = tb_tap_open(argv[4], vnet, offload);
	if (fcntl(fa, F_SETFL, O_NONBLOCK) || fcntl(fb, F_SETFL, O_NONBLOCK))
		tb_die("O_NONBLOCK");
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	ab = (struct dir){ .from = fa, .to = fb };
	ba = (struct dir){ .from = fb, .to = fa };
	pfd[0] = (struct pollfd){ .fd = fa, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = fb, .events = POLLIN };
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		int moved = pump(&ab);

		moved += pump(&ba);
		if (!moved && poll(pfd, 2, 200) < 0 && errno != EINTR)
			tb_die("poll");
	}
	printf("a_to_b %llu %llu b_to_a %llu %llu write_errors %llu\n",
	       (unsigned long long)ab.frames, (unsigned long long)ab.bytes,
	       (unsigned long long)ba.frames, (unsigned long long)ba.bytes,
	       (unsigned long long)write_errors);
	return 0;
}
