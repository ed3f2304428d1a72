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

/* @slot's record from the mapped egress records: all but its name and ingress_ok. */
static void read_slot(const struct latebind_pool *p, uint32_t slot, struct latebind_tunnel_info *t)
{
	uint32_t word = lb_load_binding(p, slot);
	const uint8_t *mac;

	memset(t, 0, sizeof(*t));
	t->slot = slot;
	t->ifindex = lb_slot_ifindex(p, slot);
	t->dummy_vni = p->info.dummy_base + slot;
	t->bound = word & LB_EGRESS_BOUND;
	if (!t->bound)
		return;
	t->vni = lb_binding_vni(word);
	mac = lb_bound_mac(p, slot, word);
	if (mac) {
		t->has_mac = true;
		memcpy(t->inner_mac, mac, 6);
	}
}

LATEBIND_API int latebind_tunnel_info(struct latebind_pool *p, uint32_t slot,
				      struct latebind_tunnel_info *t)
{
	struct lb_ingress_key key;
	struct lb_ingress_ent *e;

	if (slot >= p->info.count) {
		memset(t, 0, sizeof(*t));
		return lb_err(-EINVAL, "slot %u is outside the pool", slot);
	}
	read_slot(p, slot, t);
	/* In its slot's namespace, the tunnel's name is the one it was made with. */
	if (t->ifindex && lb_slotns(p))
		lb_tunnel_ifname(&p->info, slot, t->name);
	else if (t->ifindex && !if_indextoname(t->ifindex, t->name))
		t->name[0] = 0;
	if (!t->bound)
		return 0;
	lb_make_key(p, t->vni, t->has_mac ? t->inner_mac : NULL, &key);
	e = lb_itab_find(&p->ingress, &key);
	t->ingress_ok = e && __atomic_load_n(&e->dummy_vni, __ATOMIC_RELAXED) == t->dummy_vni;
	return 0;
}

/* A consistent copy of table entry @i, or false: empty. */
static bool read_entry(const struct latebind_pool *p, size_t i, struct lb_ingress_ent *out)
{
	const struct lb_ingress_ent *e = &p->ingress.e[i];

	if (!__atomic_load_n(&e->key.family, __ATOMIC_ACQUIRE))
		return false;
	memcpy(out, e, sizeof(*out));
	/* A writer (under the lock we do not hold) may have changed it meanwhile. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return !memcmp(out, e, sizeof(*out)) && out->key.family;
}

LATEBIND_API int latebind_pool_leftovers(struct latebind_pool *p, uint32_t *count)
{
	size_t n = (size_t)p->ingress.buckets * LB_INGRESS_WAYS;
	struct lb_ingress_ent e;

	*count = 0;
	for (size_t i = 0; i < n; i++) {
		if (!read_entry(p, i, &e))
			continue;
		uint32_t slot = e.dummy_vni - p->info.dummy_base;

		if (slot < p->info.count && !lb_slot_owns(p, slot, &e.key))
			(*count)++;
	}
	return 0;
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

/* --- every slot at once, for a scrape -------------------------------------- */

/* Slots per batched map read: bounds the buffer at 8 KiB per CPU. */
#define LB_STATS_BATCH 256U

static int cmp_link(const void *a, const void *b)
{
	unsigned int x = ((const struct lb_link *)a)->ifindex;
	unsigned int y = ((const struct lb_link *)b)->ifindex;

	return x < y ? -1 : x > y;
}

/* The slots' device names, from one link dump. */
static int slot_names(struct latebind_tunnel_info *t, uint32_t n)
{
	struct lb_link *links, *hit, key;
	struct lb_nl *nl;
	size_t nlinks;
	int err = lb_nl_open(&nl);

	if (err)
		return err;
	err = lb_nl_dump_links(nl, &links, &nlinks);
	lb_nl_close(nl);
	if (err)
		return err;
	qsort(links, nlinks, sizeof(*links), cmp_link);
	for (uint32_t s = 0; s < n; s++) {
		key.ifindex = t[s].ifindex;
		hit = t[s].ifindex ? bsearch(&key, links, nlinks, sizeof(*links), cmp_link) : NULL;
		if (hit)
			snprintf(t[s].name, sizeof(t[s].name), "%s", hit->name);
	}
	free(links);
	return 0;
}

/* ingress_ok of every bound slot: one walk of the mapped ingress table. */
static int slot_ingress(struct latebind_pool *p, struct latebind_tunnel_info *t, uint32_t n)
{
	size_t entries = (size_t)p->ingress.buckets * LB_INGRESS_WAYS;
	struct lb_ingress_key want;
	struct lb_ingress_ent e;

	for (size_t i = 0; i < entries; i++) {
		if (!read_entry(p, i, &e))
			continue;
		uint32_t s = e.dummy_vni - p->info.dummy_base;

		if (s >= n || !t[s].bound)
			continue;
		lb_make_key(p, t[s].vni, t[s].has_mac ? t[s].inner_mac : NULL, &want);
		if (!memcmp(&want, &e.key, sizeof(want)))
			t[s].ingress_ok = true;
	}
	return 0;
}

/* Every slot's counters, summed over CPUs, in batches of LB_STATS_BATCH slots. */
static int slot_stats(struct latebind_pool *p, struct latebind_tunnel_stats *st, uint32_t n)
{
	int ncpu = libbpf_num_possible_cpus();
	uint32_t keys[LB_STATS_BATCH], tok[2], cnt, done = 0;
	uint64_t *vals;
	int err = 0;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);

	if (ncpu < 0)
		return lb_err(ncpu, "cannot count CPUs");
	vals = calloc((size_t)LB_STATS_BATCH * ncpu, sizeof(struct lb_tun_stats));
	if (!vals)
		return lb_err(-ENOMEM, "out of memory");
	memset(st, 0, n * sizeof(*st));
	while (done < n) {
		cnt = n - done < LB_STATS_BATCH ? n - done : LB_STATS_BATCH;
		if (bpf_map_lookup_batch(p->fd[LB_MAP_TUN_STATS], done ? &tok[0] : NULL, &tok[1],
					 keys, vals, &cnt, &opts) && errno != ENOENT) {
			err = lb_err(-errno, "cannot read lb_tun_stats: %s", strerror(errno));
			break;
		}
		for (uint32_t i = 0; i < cnt; i++) {
			const struct lb_tun_stats *v = (const void *)vals;

			if (keys[i] >= n)
				continue;
			for (int c = 0; c < ncpu; c++) {
				const struct lb_tun_stats *pc = &v[(size_t)i * ncpu + c];

				st[keys[i]].tx_packets += pc->tx_packets;
				st[keys[i]].tx_bytes += pc->tx_bytes;
				st[keys[i]].rx_packets += pc->rx_packets;
				st[keys[i]].rx_bytes += pc->rx_bytes;
			}
		}
		if (!cnt)
			break;
		done += cnt;
		tok[0] = tok[1];
	}
	free(vals);
	return err;
}

LATEBIND_API int latebind_pool_tunnels(struct latebind_pool *p, struct latebind_tunnel_info *t,
				       struct latebind_tunnel_stats *st, uint32_t n)
{
	int err = 0;

	if (n > p->info.count)
		return lb_err(-EINVAL, "the pool has %u slots, not %u", p->info.count, n);
	for (uint32_t s = 0; t && s < n; s++)
		read_slot(p, s, &t[s]);
	/* Tunnels in their slots' namespaces keep the names they were made with. */
	for (uint32_t s = 0; t && lb_slotns(p) && s < n; s++)
		if (t[s].ifindex)
			lb_tunnel_ifname(&p->info, s, t[s].name);
	if (t && !lb_slotns(p))
		err = slot_names(t, n);
	if (t && !err)
		err = slot_ingress(p, t, n);
	if (st && !err)
		err = slot_stats(p, st, n);
	return err;
}
