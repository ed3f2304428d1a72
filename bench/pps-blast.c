// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pps-blast: sends 64-byte UDP payloads to ADDR:PORT as fast as sendmmsg
 * allows, for bench/peers.sh. The receiver (udp-sink) counts what arrived.
 *
 *   pps-blast ADDR PORT seconds S [cpu N] [size BYTES] [batch B] [wait-ms W]
 *
 * Pinned to CPU N (default: not pinned), B datagrams per sendmmsg (default
 * 64) of BYTES each (default 64), from W ms after start (default 0: the
 * receiver's neighbour entry is resolved first by the caller) for S seconds.
 * Sends that fail with ENOBUFS/EAGAIN are counted, not fatal. Prints:
 *   sent N failed F seconds S
 */
#include "tapbench.h"
#include <arpa/inet.h>
#include <sys/socket.h>

#define MAX_BATCH 256

int main(int argc, char **argv)
{
	static uint8_t data[2048];
	static struct mmsghdr msgs[MAX_BATCH];
	static struct iovec iov[MAX_BATCH];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned long secs = 0, size = 64, batch = 64, wait_ms = 0;
	uint64_t sent = 0, failed = 0, n = 0;
	double start, end, now;
	long cpu = -1;
	int fd, i;

	tb_prog = "pps-blast";
	if (argc < 3)
		tb_bad("usage: pps-blast ADDR PORT seconds S [cpu N] [size BYTES] [batch B] [wait-ms W]");
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1)
		tb_bad("bad IPv4 address: %s", argv[1]);
	sa.sin_port = htons((uint16_t)tb_num(argv[2], 1, 65535));
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "seconds"))
			secs = tb_num(argv[++i], 1, 86400);
		else if (!strcmp(argv[i], "cpu"))
			cpu = (long)tb_num(argv[++i], 0, CPU_SETSIZE - 1);
		else if (!strcmp(argv[i], "size"))
			size = tb_num(argv[++i], 1, sizeof(data));
		else if (!strcmp(argv[i], "batch"))
			batch = tb_num(argv[++i], 1, MAX_BATCH);
		else if (!strcmp(argv[i], "wait-ms"))
			wait_ms = tb_num(argv[++i], 0, 60000);
		else
			tb_bad("unknown argument: %s", argv[i]);
	}
	if (!secs)
		tb_bad("seconds is required");
	tb_pin(cpu);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		tb_die("socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		tb_die("cannot connect to %s:%s", argv[1], argv[2]);
	memset(data, 0x5a, sizeof(data));
	for (i = 0; i < (int)batch; i++) {
		iov[i] = (struct iovec){ .iov_base = data, .iov_len = size };
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	if (wait_ms)
		usleep((useconds_t)wait_ms * 1000);
	start = tb_now();
	end = start + (double)secs;
	do {
		int r = sendmmsg(fd, msgs, (unsigned int)batch, 0);

		if (r > 0) {
			sent += (uint64_t)r;
		} else if (r < 0 && (errno == ENOBUFS || errno == EAGAIN || errno == ECONNREFUSED)) {
			failed++;
		} else if (r < 0 && errno != EINTR) {
			tb_die("sendmmsg");
		}
		/* The clock every 16 batches: cheap next to 64 sends. */
		now = (++n & 15) ? 0 : tb_now();
	} while (!now || now < end);
	printf("sent %llu failed %llu seconds %.3f\n", (unsigned long long)sent,
	       (unsigned long long)failed, tb_now() - start);
	return 0;
}
