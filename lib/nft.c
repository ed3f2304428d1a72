// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The input guard: one nftables base chain per pool, on the input hook of
 * the pool's network namespace, ahead of every other filter.
 *
 *   table inet latebind
 *     chain pool_<underlay ifindex>   hook input priority -300
 *       udp dport P, VNI (UDP+12, 24 bits) in the dummy range,
 *         mark not lb_ingress's                           -> drop
 *       IPv6 fragment header, udp dport P                 -> drop
 *     chain pool_<underlay ifindex>_out  hook postrouting priority 300
 *       udp dport P, VNI in the dummy range, oif not the underlay -> drop
 *
 * Input sees what the underlay's tc hook cannot: IPv4 datagrams after
 * reassembly, every interface, loopback and the host's own senders. It
 * runs before the UDP socket hands the datagram to the tunnel, so a tunnel
 * never even counts a frame that lb_ingress did not rewrite. IPv6 reassembles
 * after the input hook, so a fragmented IPv6 datagram to the tunnel port is
 * dropped by its first fragment (offset 0 carries the UDP header); routers
 * never fragment IPv6, and a peer's tunnel does not either below its MTU.
 *
 * Postrouting sees every packet about to leave by any interface, forwarded
 * ones too, before fragmentation: a dummy VNI leaves only through the
 * underlay, where lb_egress rewrites or drops it, whatever the routes say
 * (a Geneve device has no link: its packets follow the route to the remote).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <nftables/libnftables.h>
#include "internal.h"

#define LB_NFT_TABLE "inet latebind"

/* Run @cmd; on failure the error is nft's own text. @out: stdout, if wanted. */
static int nft_run(const char *cmd, char *out, size_t outlen)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *msg;
	int err = 0;

	if (!nft)
		return lb_err(-ENOMEM, "cannot start libnftables");
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	if (nft_run_cmd_from_buffer(nft, cmd)) {
		msg = nft_ctx_get_error_buffer(nft);
		err = -EINVAL;
		if (strstr(msg, "No such file or directory"))
			err = -ENOENT;
		else if (strstr(msg, "Operation not permitted"))
			err = -EPERM;
		lb_debug("nft: %s: %s", cmd, msg);
		if (out && outlen)
			snprintf(out, outlen, "%s", msg);
	} else if (out && outlen) {
		snprintf(out, outlen, "%s", nft_ctx_get_output_buffer(nft));
	}
	nft_ctx_free(nft);
	return err;
}

int lb_nft_guard_add(unsigned int ifindex, uint16_t dstport, uint32_t dummy_min,
		     uint32_t dummy_max)
{
	char cmd[1024], msg[512];
	int err;

	/* One transaction: the chain is replaced whole, never half there. */
	snprintf(cmd, sizeof(cmd),
		 "add table " LB_NFT_TABLE "\n"
		 "add chain " LB_NFT_TABLE " pool_%u { type filter hook input priority -300; "
		 "policy accept; }\n"
		 "flush chain " LB_NFT_TABLE " pool_%u\n"
		 "add rule " LB_NFT_TABLE " pool_%u udp dport %u @th,96,24 %u-%u "
		 "meta mark and 0x%x != 0x%x counter drop "
		 "comment \"dummy VNI that lb_ingress did not rewrite\"\n"
		 "add rule " LB_NFT_TABLE " pool_%u exthdr frag exists udp dport %u counter drop "
		 "comment \"fragmented IPv6 to the tunnel port\"\n"
		 "add chain " LB_NFT_TABLE " pool_%u_out { type filter hook postrouting "
		 "priority 300; policy accept; }\n"
		 "flush chain " LB_NFT_TABLE " pool_%u_out\n"
		 "add rule " LB_NFT_TABLE " pool_%u_out udp dport %u @th,96,24 %u-%u "
		 "meta oif != %u counter drop comment \"dummy VNI leaving by another interface\"\n",
		 ifindex, ifindex, ifindex, dstport, dummy_min, dummy_max, LB_TAG_MASK,
		 LB_MARK_INGRESS, ifindex, dstport, ifindex, ifindex, ifindex, dstport, dummy_min,
		 dummy_max, ifindex);
	err = nft_run(cmd, msg, sizeof(msg));
	if (err)
		return lb_err(err, "cannot install the input guard (nftables table %s, chain "
			      "pool_%u): %s", LB_NFT_TABLE, ifindex, msg);
	return 0;
}

int lb_nft_guard_check(unsigned int ifindex)
{
	char cmd[128], out[2048];
	int err;

	snprintf(cmd, sizeof(cmd), "list chain " LB_NFT_TABLE " pool_%u", ifindex);
	err = nft_run(cmd, out, sizeof(out));
	if (err)
		return err;
	if (!strstr(out, "@th,96,24") || !strstr(out, "exthdr frag exists"))
		return -ENOENT;
	snprintf(cmd, sizeof(cmd), "list chain " LB_NFT_TABLE " pool_%u_out", ifindex);
	err = nft_run(cmd, out, sizeof(out));
	if (err)
		return err;
	return strstr(out, "oif != ") ? 0 : -ENOENT;
}

void lb_nft_guard_del(unsigned int ifindex)
{
	char cmd[128], out[4096];

	snprintf(cmd, sizeof(cmd), "delete chain " LB_NFT_TABLE " pool_%u", ifindex);
	nft_run(cmd, NULL, 0);
	snprintf(cmd, sizeof(cmd), "delete chain " LB_NFT_TABLE " pool_%u_out", ifindex);
	nft_run(cmd, NULL, 0);
	/* The table goes with our last chain, never with anyone else's. */
	if (!nft_run("list table " LB_NFT_TABLE, out, sizeof(out)) && !strstr(out, "chain "))
		nft_run("delete table " LB_NFT_TABLE, NULL, 0);
}
