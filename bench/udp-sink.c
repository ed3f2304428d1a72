// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * udp-sink: counts the UDP datagrams delivered to a socket, for
 * bench/slots.sh. What a receiver gets is what counts, not what a device saw.
 *
 *   udp-sink ADDR PORT [cpu N] [idle-ms M] [max-seconds S] [rcvbuf BYTES]
 *
 * Binds ADDR:PORT (IPv4), pinned to CPU N (default: not pinned), with a
 * receive buffer of BYTES (default 8 MiB, SO_RCVBUFFORCE), and prints
 * "ready" once it listens. It reads with recvmmsg, 64 at a time, until no
 * datagram came for M ms (default 1000) after the first, or S seconds
 * passed (default 120), or SIGTERM / SIGINT; then prints one line:
 *   received N bytes B seconds S
 * S: from the first datagram to the last.
 */
#include "tapbench.h"
#include <arpa/inet.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>

#define BATCH 64

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	static uint8_t data[BATCH][2048];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 0, .tv_usec = 50000 };
	struct sigaction act = { .sa_handler = on_signal };
	unsigned long idle_ms = 1000, max_s = 120, rcvbuf = 8 << 20;
	uint64_t count = 0, bytes = 0;
	double first = 0, last = 0, start;
	long cpu = -1;
	int fd, i, rb;

	tb_prog = "udp-sink";
	if (argc < 3)
		tb_bad("usage: udp-sink ADDR PORT [cpu N] [idle-ms M] [max-seconds S] [rcvbuf BYTES]");
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1)
		tb_bad("bad IPv4 address: %s", argv[1]);
	sa.sin_port = htons((uint16_t)tb_num(argv[2], 1, 65535));
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "cpu"))
			cpu = (long)tb_num(argv[++i], 0, CPU_SETSIZE - 1);
		else if (!strcmp(argv[i], "idle-ms"))
			idle_ms = tb_num(argv[++i], 1, 600000);
		else if (!strcmp(argv[i], "max-seconds"))
			max_s = tb_num(argv[++i], 1, 86400);
		else if (!strcmp(argv[i], "rcvbuf"))
			rcvbuf = tb_num(argv[++i], 4096, 1UL << 30);
		else
			tb_bad("unknown argument: %s", argv[i]);
	}
	tb_pin(cpu);
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		tb_die("socket");
	rb = (int)rcvbuf;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rb, sizeof(rb)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rb, sizeof(rb)))
		tb_die("cannot set the receive buffer");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		tb_die("SO_RCVTIMEO");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		tb_die("cannot bind %s:%s", argv[1], argv[2]);
	for (i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ .iov_base = data[i], .iov_len = sizeof(data[i]) };
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	printf("ready\n");
	fflush(stdout);
	start = tb_now();
	while (!stop) {
		int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
		double t = tb_now();

		if (n > 0) {
			if (!count)
				first = t;
			last = t;
			count += (uint64_t)n;
			for (i = 0; i < n; i++)
				bytes += msgs[i].msg_len;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			tb_die("recvmmsg");
		}
		if ((count && (t - last) * 1000 >= (double)idle_ms) || t - start >= (double)max_s)
			break;
	}
	printf("received %llu bytes %llu seconds %.6f\n", (unsigned long long)count,
	       (unsigned long long)bytes, last - first);
	close(fd);
	return 0;
}
