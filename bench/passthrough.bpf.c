// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The baseline for bench-datapath: a tc program that does nothing. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int lb_passthrough(struct __sk_buff *skb)
{
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
