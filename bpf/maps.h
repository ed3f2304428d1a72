/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The datapath's maps. Layouts live in <latebind/abi.h>; docs/maps.md. */
#ifndef LB_BPF_MAPS_H
#define LB_BPF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <latebind/abi.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lb_config);
} lb_config SEC(".maps");

/* An array: the lookup is inlined, and mmap gives user space atomic stores.
 * Sized to the configured dummy range by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_DUMMY_RANGE_MAX);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct lb_egress_val);
} lb_egress_bind SEC(".maps");

/* An open-addressing table in an array (abi.h): lookups are inlined loads,
 * and user space writes it through mmap. Sized by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_BINDINGS_MAX);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct lb_ingress_ent);
} lb_ingress_tab SEC(".maps");

/* Sized to the configured dummy range by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_DUMMY_RANGE_MAX);
	__type(key, __u32);
	__type(value, struct lb_tun_stats);
} lb_tun_stats SEC(".maps");

/* Pool tunnel ifindex -> slot; filled by pool create before a tunnel is up. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_DUMMY_RANGE_MAX);
	__type(key, __u32);
	__type(value, __u32);
} lb_tun_slot SEC(".maps");

/* Slot -> its tap's ifindex (0: none). Sized to the dummy range by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_DUMMY_RANGE_MAX);
	__type(key, __u32);
	__type(value, __u32);
} lb_slot_tap SEC(".maps");

/* A slot's tap ifindex -> slot; filled by pool create before a tap is up. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_DUMMY_RANGE_MAX);
	__type(key, __u32);
	__type(value, __u32);
} lb_tap_slot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_DROP_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} lb_drop_stats SEC(".maps");

#endif
