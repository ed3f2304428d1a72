// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The collect_md peer design for bench/peers.sh (docs/BENCHMARKS.md §8): one
 * external ("collect_md") VXLAN device, the tunnel key set per packet from a
 * map, as Cilium-style datapaths do. Not part of latebind.
 *
 * cmd_tx, on the tc ingress of a tenant-facing device: IPv4 frames from the
 * tenant get the tunnel key of that device (VNI, remote), the inner Ethernet
 * addresses of the peer, and are redirected to the external device.
 *
 * cmd_rx, on the tc ingress of the external device: the received tunnel key
 * (VNI, remote) picks the tenant's device; the frame gets the tenant's
 * Ethernet addresses and is redirected out of that device.
 *
 * Anything without an entry passes to the stack unchanged (ARP included).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct cmd_tx_val {
	__u32 vni;
	__u32 remote;	/* IPv4, host order (struct bpf_tunnel_key) */
	__u32 ifindex;	/* the external device */
	__u8 macs[12];	/* inner destination, then source */
};

struct cmd_rx_key {
	__u32 vni;
	__u32 remote;	/* IPv4, host order */
};

struct cmd_rx_val {
	__u32 ifindex;	/* the tenant's device */
	__u8 macs[12];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);	/* ifindex of the tenant-facing device */
	__type(value, struct cmd_tx_val);
} cmd_tx_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct cmd_rx_key);
	__type(value, struct cmd_rx_val);
} cmd_rx_map SEC(".maps");

SEC("tc")
int cmd_tx(struct __sk_buff *skb)
{
	struct bpf_tunnel_key key = {};
	struct cmd_tx_val *t;
	__u32 ifindex = skb->ifindex;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	t = bpf_map_lookup_elem(&cmd_tx_map, &ifindex);
	if (!t)
		return TC_ACT_OK;
	key.tunnel_id = t->vni;
	key.remote_ipv4 = t->remote;
	key.tunnel_ttl = 64;
	/* No UDP checksum, as the other designs' tunnels (noudpcsum). */
	if (bpf_skb_set_tunnel_key(skb, &key, sizeof(key), BPF_F_ZERO_CSUM_TX))
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, 0, t->macs, sizeof(t->macs), 0))
		return TC_ACT_SHOT;
	return bpf_redirect(t->ifindex, 0);
}

SEC("tc")
int cmd_rx(struct __sk_buff *skb)
{
	struct bpf_tunnel_key key = {};
	struct cmd_rx_key k = {};
	struct cmd_rx_val *r;

	if (bpf_skb_get_tunnel_key(skb, &key, sizeof(key), 0))
		return TC_ACT_OK;
	k.vni = key.tunnel_id;
	k.remote = key.remote_ipv4;
	r = bpf_map_lookup_elem(&cmd_rx_map, &k);
	if (!r)
		return TC_ACT_OK;
	if (bpf_skb_store_bytes(skb, 0, r->macs, sizeof(r->macs), 0))
		return TC_ACT_SHOT;
	return bpf_redirect(r->ifindex, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
