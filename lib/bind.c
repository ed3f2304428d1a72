// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Binding: stores into the mapped tables only; no netlink, no RTNL, no files.
 *
 * Concurrency: a bind or unbind holds the pool's writers' lock (handle.c): a
 * mutex for threads sharing the handle, then the lb_pool_lock word (lock.c)
 * for everyone else. So the conflict check, the ingress insert, the commit
 * and the old entry's removal run as one step. Pool create and destroy hold
 * the pools' lock and then this one. A dead holder's word is taken over.
 *
 * Crash safety: the egress binding word is the commit point (abi.h). Before
 * it, only an ingress entry may exist, and lb_ingress never delivers through
 * an entry whose tunnel is not bound to that VNI.
 */
#include <errno.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include "internal.h"
#include "handle.h"
#include "slotns.h"

/* @buf holds 32 bytes. */
static void tunnel_name(const struct latebind_pool *p, uint32_t slot, char *buf)
{
	unsigned int ifindex = lb_slot_ifindex(p, slot);

	if (!ifindex || lb_slotns(p) || !if_indextoname(ifindex, buf))
		snprintf(buf, 32, "%.15s%u", p->info.prefix, slot);
}

static void describe_key(const struct latebind_pool *p, const struct lb_ingress_key *k, char *buf,
			 size_t size)
{
	struct latebind_addr a = { .family = k->family };
	char addr[INET6_ADDRSTRLEN];
	const uint8_t *m = k->inner_mac;

	memcpy(a.bytes, k->remote, sizeof(a.bytes));
	latebind_addr_str(&a, addr, sizeof(addr));
	if (!lb_mac_is_zero(m))
		snprintf(buf, size, "VNI %u from %s with inner MAC %02x:%02x:%02x:%02x:%02x:%02x",
			 k->vni, addr, m[0], m[1], m[2], m[3], m[4], m[5]);
	else
		snprintf(buf, size, "VNI %u from %s", k->vni, addr);
}

/*
 * Empty this tunnel's committed ingress entry @k. Under the pool lock it can
 * only be this tunnel's: another bind takes a key over only when no
 * committed binding owns it (claim_key).
 */
static void drop_entry_of(struct latebind_pool *p, const struct lb_ingress_key *k)
{
	struct lb_ingress_ent *e = lb_itab_find(&p->ingress, k);

	if (e)
		lb_itab_empty(e);
}

static int check_slot(const struct latebind_pool *p, uint32_t slot)
{
	if (slot >= p->info.count)
		return lb_err(-EINVAL, "slot %u is outside the pool (0-%u)", slot, p->info.count - 1);
	return 0;
}

static int check_bind_args(const struct latebind_pool *p, uint32_t slot, uint32_t vni,
			   const uint8_t *mac)
{
	int err = check_slot(p, slot);

	if (err)
		return err;
	err = lb_vni_check(vni, p->info.dummy_base, p->info.count);
	if (err)
		return err;
	if (mac && lb_mac_is_zero(mac))
		return lb_err(-EINVAL, "inner MAC 00:00:00:00:00:00 is not a unicast address");
	if (mac && (mac[0] & 1))
		return lb_err(-EINVAL, "inner MAC %02x:%02x:%02x:%02x:%02x:%02x is multicast; "
			      "a tunnel is told apart by its unicast MAC",
			      mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return 0;
}

/* Turn on the datapath's inner-MAC lookup (once; it never turns off). */
static int enable_mac_lookup(struct latebind_pool *p)
{
	if (p->cfg.flags & LB_CFG_F_INNER_MAC) /* seen on: it never turns off */
		return 0;
	return lb_config_set_flag(p->fd[LB_MAP_CONFIG], LB_CFG_F_INNER_MAC, &p->cfg);
}

/* Is table entry @e a leftover: no committed binding owns it? (Under the lock.) */
static bool is_leftover(const struct latebind_pool *p, const struct lb_ingress_ent *e)
{
	uint32_t slot = e->dummy_vni - p->info.dummy_base;

	return slot >= p->info.count || !lb_slot_owns(p, slot, &e->key);
}

/* A key's buckets @first are full, even after cuckoo moves: empty a leftover there, if any. */
static struct lb_ingress_ent *reclaim(struct latebind_pool *p, const uint32_t first[2])
{
	for (int b = 0; b < 2; b++)
		for (uint32_t i = 0; i < LB_INGRESS_WAYS; i++) {
			struct lb_ingress_ent *e = &p->ingress.e[first[b] + i];

			if (is_leftover(p, e)) {
				lb_itab_empty(e);
				return e;
			}
		}
	return NULL;
}

/* Claim ingress key @k for @dummy: new (*@made), already ours, or a leftover. */
static int claim_key(struct latebind_pool *p, const struct lb_ingress_key *k, uint32_t dummy,
		     struct lb_ingress_ent **made)
{
	struct lb_ingress_ent *e;
	uint32_t cur, owner, first[2];
	char name[32], what[128];

	*made = NULL;
	lb_itab_first(&p->ingress, k, first);
	e = lb_itab_find_at(&p->ingress, k, first);
	if (!e) {
		e = lb_itab_room_at(&p->ingress, first);
		if (!e)
			e = reclaim(p, first);
		if (!e) {
			describe_key(p, k, what, sizeof(what));
			return lb_err(-ENOSPC, "the ingress table has no room for %s: both of its "
				      "buckets hold %u entries (leftovers? see latebind pool show)",
				      what, LB_INGRESS_WAYS);
		}
		lb_itab_fill(e, k, dummy);
		*made = e;
		return 0;
	}
	cur = __atomic_load_n(&e->dummy_vni, __ATOMIC_RELAXED);
	if (cur == dummy)
		return 0;
	owner = cur - p->info.dummy_base;
	if (owner < p->info.count && lb_slot_owns(p, owner, k)) {
		tunnel_name(p, owner, name);
		describe_key(p, k, what, sizeof(what));
		return lb_err(-EADDRINUSE, "%s is already bound to tunnel %s%s", what, name,
			      lb_mac_is_zero(k->inner_mac) ? "; tell them apart with inner-mac" : "");
	}
	/* A leftover that no binding owns (it never delivers): take it over. */
	__atomic_store_n(&e->dummy_vni, dummy, __ATOMIC_RELAXED);
	return 0;
}

/* The bind protocol (docs/pool.md), under the pool's lock. */
static int bind_locked(struct latebind_pool *p, uint32_t slot, uint32_t vni, const uint8_t *mac)
{
	struct lb_ingress_key key, old_key;
	struct lb_egress_val *rec = &p->egress[slot];
	uint32_t dummy = p->info.dummy_base + slot, old = lb_load_binding(p, slot), word;
	bool had_old = old & LB_EGRESS_BOUND;
	struct lb_ingress_ent *made;
	unsigned int sel;
	int err;

	if (had_old)
		lb_make_key(p, lb_binding_vni(old), lb_bound_mac(p, slot, old), &old_key);
	lb_make_key(p, vni, mac, &key);

	/* 1. The ingress entry: traffic can come back before it goes out. */
	err = claim_key(p, &key, dummy, &made);
	if (!err && mac)
		err = enable_mac_lookup(p);
	if (err) {
		if (made)
			lb_itab_empty(made);
		return err;
	}

	/* 2. Fill the record's spare MAC, 3. commit with one store. */
	sel = !(old & LB_EGRESS_MAC_SEL);
	memset(&rec->mac[sel], 0, sizeof(rec->mac[sel]));
	if (mac) {
		memcpy(rec->mac[sel].addr, mac, 6);
		rec->mac[sel].set = 1;
	}
	word = LB_EGRESS_BOUND | (sel ? LB_EGRESS_MAC_SEL : 0) | vni;
	__atomic_store_n(&rec->binding, word, __ATOMIC_RELEASE);

	/* 4. A rebind to another key: the old entry goes. */
	if (had_old && memcmp(&old_key, &key, sizeof(key)))
		drop_entry_of(p, &old_key);
	return 0;
}

static void unbind_locked(struct latebind_pool *p, uint32_t slot)
{
	struct lb_ingress_key key;
	uint32_t old = lb_load_binding(p, slot);

	if (!(old & LB_EGRESS_BOUND))
		return;
	lb_make_key(p, lb_binding_vni(old), lb_bound_mac(p, slot, old), &key);
	/* Egress first: from here the tunnel is closed both ways. */
	__atomic_store_n(&p->egress[slot].binding, 0, __ATOMIC_RELEASE);
	drop_entry_of(p, &key);
}

/*
 * Bind (@unbind false) or unbind @slot under the pool's lock, in a pool
 * still there; with @word, only while the slot's binding word is *@word,
 * which then becomes the word written.
 */
static int change(struct latebind_pool *p, uint32_t slot, bool unbind, uint32_t vni,
		  const uint8_t *mac, uint32_t *word)
{
	int err = unbind ? check_slot(p, slot) : check_bind_args(p, slot, vni, mac);

	if (!err)
		err = lb_pool_lock(p);
	if (err)
		return err;
	err = lb_pool_check_slot(p, slot);
	if (!err && word && lb_load_binding(p, slot) != *word)
		err = lb_err(-EBUSY, "slot %u changed under us (binding word 0x%08x, expected "
			     "0x%08x): someone else binds it", slot, lb_load_binding(p, slot), *word);
	if (!err) {
		if (unbind)
			unbind_locked(p, slot);
		else
			err = bind_locked(p, slot, vni, mac);
	}
	if (!err && word)
		*word = lb_load_binding(p, slot);
	lb_pool_unlock(p);
	return err;
}

LATEBIND_API int latebind_bind(struct latebind_pool *p, uint32_t slot, uint32_t vni,
			       const uint8_t *mac)
{
	return change(p, slot, false, vni, mac, NULL);
}

LATEBIND_API int latebind_unbind(struct latebind_pool *p, uint32_t slot)
{
	return change(p, slot, true, 0, NULL, NULL);
}

LATEBIND_API int latebind_bind_if(struct latebind_pool *p, uint32_t slot, uint32_t *word,
				  uint32_t vni)
{
	return change(p, slot, false, vni, NULL, word);
}

LATEBIND_API int latebind_unbind_if(struct latebind_pool *p, uint32_t slot, uint32_t *word)
{
	return change(p, slot, true, 0, NULL, word);
}

LATEBIND_API uint32_t latebind_binding_word(struct latebind_pool *p, uint32_t slot)
{
	return slot < p->info.count ? lb_load_binding(p, slot) : 0;
}
