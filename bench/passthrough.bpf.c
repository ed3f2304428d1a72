// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Programs for bench-datapath only.
 *
 * lb_passthrough: the baseline, a tc program that does nothing.
 *
 * bench_restore: BPF_PROG_TEST_RUN with repeat runs a program N times on the
 * same skb, so a rewrite would only happen on the first run (the rewritten
 * VNI is no longer a dummy). bench_restore copies the original first
 * BENCH_RESTORE_LEN bytes back and tail-calls the program under test, so
 * every run sees the original packet. The baseline goes through the same
 * restore and tail call, so the difference is the program's own cost.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define BENCH_RESTORE_LEN 64

struct bench_frame {
	__u8 bytes[BENCH_RESTORE_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_frame);
} bench_orig SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bench_target SEC(".maps");

SEC("tc")
int lb_passthrough(struct __sk_buff *skb)
{
	return TC_ACT_UNSPEC;
}

SEC("tc")
int bench_restore(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct bench_frame *f;
	__u32 zero = 0;

	f = bpf_map_lookup_elem(&bench_orig, &zero);
	if (!f || data + BENCH_RESTORE_LEN > data_end)
		return TC_ACT_SHOT;
	__builtin_memcpy(data, f->bytes, BENCH_RESTORE_LEN);
	bpf_tail_call(skb, &bench_target, 0);
	return TC_ACT_SHOT; /* the tail call failed */
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
