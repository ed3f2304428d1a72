// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Reading a pool: settings, guard health, bindings, counters. Maps only. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "internal.h"
#include "handle.h"
#include "nl.h"
#include "members.h"
#include "slotns.h"

LATEBIND_API const char *latebind_drop_reason_name(unsigned int reason)
{
	switch (reason) {
	case LB_DROP_UNBOUND:
		return "unbound";
	case LB_DROP_SPOOF:
		return "spoof";
	case LB_DROP_BAD_BINDING:
		return "bad_binding";
	case LB_DROP_STALE:
		return "stale";
	case LB_DROP_FORGED:
		return "forged";
	case LB_DROP_UNPARSED:
		return "unparsed";
	case LB_DROP_BYPASS:
		return "bypass";
	default:
		return "unknown";
	}
}

/* Are the underlay's programs first, the nftables chains whole, every tunnel guarded? */
static void guard_health(struct latebind_pool *p, const struct latebind_datapath_status *st,
			 struct latebind_pool_info *o)
{
	uint32_t eg_id = 0, in_id = 0;
	struct lb_nl *nl = NULL;

	o->input_guard = !lb_nft_guard_check(p->underlay_ifindex);
	o->unguarded_tunnels = p->info.count;
	if (lb_nl_open(&nl))
		return;
	o->programs_first = lb_progs_first(st->mode, nl, p->underlay_ifindex,
					   st->egress_prog_id, st->ingress_prog_id);
	if (lb_slotns(p)) {
		uint32_t taps;

		lb_slotns_unguarded(p, st->mode, &o->unguarded_tunnels, &taps);
		lb_nl_close(nl);
		return;
	}
	lb_pinned_prog_id(p->dir, "prog_tun_egress", &eg_id);
	lb_pinned_prog_id(p->dir, "prog_tun_ingress", &in_id);
	for (uint32_t s = 0; s < p->info.count; s++) {
		unsigned int ifx = lb_slot_ifindex(p, s);

		if (ifx && eg_id && in_id && lb_progs_first(st->mode, nl, ifx, eg_id, in_id))
			o->unguarded_tunnels--;
	}
	lb_nl_close(nl);
}

LATEBIND_API int latebind_pool_info(struct latebind_pool *p, struct latebind_pool_info *o)
{
	struct latebind_datapath_status st;
	char name[IF_NAMESIZE] = "";

	memset(o, 0, sizeof(*o));
	o->underlay_ifindex = p->underlay_ifindex;
	if (if_indextoname(p->underlay_ifindex, name))
		snprintf(o->underlay, sizeof(o->underlay), "%s", name);
	lb_pool_info_public(&p->info, o);
	if (name[0] && !latebind_datapath_status(name, &st)) {
		o->mode = st.mode;
		o->egress_attached = st.egress_attached;
		o->ingress_attached = st.ingress_attached;
		guard_health(p, &st, o);
	}
	return 0;
}

LATEBIND_API int latebind_tunnel_info(struct latebind_pool *p, uint32_t slot,
				      struct latebind_tunnel_info *t)
{
	struct lb_ingress_key key;
	struct lb_ingress_val v;
	const uint8_t *mac;
	uint32_t word;

	memset(t, 0, sizeof(*t));
	if (slot >= p->info.count)
		return lb_err(-EINVAL, "slot %u is outside the pool", slot);
	t->slot = slot;
	t->ifindex = lb_slot_ifindex(p, slot);
	/* In its slot's namespace, the tunnel's name is the one it was made with. */
	if (t->ifindex && lb_slotns(p))
		lb_tunnel_ifname(&p->info, slot, t->name);
	else if (t->ifindex && !if_indextoname(t->ifindex, t->name))
		t->name[0] = 0;
	t->dummy_vni = p->info.dummy_base + slot;
	word = lb_load_binding(p, slot);
	t->bound = word & LB_EGRESS_BOUND;
	if (!t->bound)
		return 0;
	t->vni = lb_binding_vni(word);
	mac = lb_bound_mac(p, slot, word);
	if (mac) {
		t->has_mac = true;
		memcpy(t->inner_mac, mac, 6);
	}
	lb_make_key(p, t->vni, mac, &key);
	t->ingress_ok = !bpf_map_lookup_elem(p->fd[LB_MAP_INGRESS], &key, &v) && v.dummy_vni == t->dummy_vni;
	return 0;
}

LATEBIND_API int latebind_pool_leftovers(struct latebind_pool *p, uint32_t *count)
{
	struct lb_ingress_key key, next;
	struct lb_ingress_val v;
	void *prev = NULL;

	*count = 0;
	while (!bpf_map_get_next_key(p->fd[LB_MAP_INGRESS], prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(p->fd[LB_MAP_INGRESS], &key, &v))
			continue; /* deleted meanwhile */
		uint32_t slot = v.dummy_vni - p->info.dummy_base;

		if (slot < p->info.count && !lb_slot_owns(p, slot, &key))
			(*count)++;
	}
	return errno == ENOENT ? 0 : lb_err(-errno, "cannot walk lb_ingress_bind: %s",
					     strerror(errno));
}

static int percpu_sum(int fd, uint32_t idx, size_t words, uint64_t *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;

	if (ncpu < 0)
		return lb_err(ncpu, "cannot count CPUs");
	vals = calloc((size_t)ncpu * words, sizeof(*vals));
	if (!vals)
		return lb_err(-ENOMEM, "out of memory");
	if (bpf_map_lookup_elem(fd, &idx, vals)) {
		int err = -errno;

		free(vals);
		return lb_err(err, "cannot read counters: %s", strerror(-err));
	}
	memset(sum, 0, words * sizeof(*sum));
	for (int c = 0; c < ncpu; c++)
		for (size_t w = 0; w < words; w++)
			sum[w] += vals[(size_t)c * words + w];
	free(vals);
	return 0;
}

LATEBIND_API int latebind_tunnel_stats(struct latebind_pool *p, uint32_t slot,
				       struct latebind_tunnel_stats *st)
{
	uint64_t w[4];
	int err;

	if (slot >= p->info.count)
		return lb_err(-EINVAL, "slot %u is outside the pool", slot);
	err = percpu_sum(p->fd[LB_MAP_TUN_STATS], slot, 4, w);
	if (err)
		return err;
	st->tx_packets = w[0];
	st->tx_bytes = w[1];
	st->rx_packets = w[2];
	st->rx_bytes = w[3];
	return 0;
}

LATEBIND_API int latebind_pool_drops(struct latebind_pool *p, uint64_t drops[LATEBIND_DROP_REASONS])
{
	for (uint32_t r = 0; r < LB_DROP_REASONS; r++) {
		int err = percpu_sum(p->fd[LB_MAP_DROPS], r, 1, &drops[r]);

		if (err)
			return err;
	}
	return 0;
}
