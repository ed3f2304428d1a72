/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Per-slot network namespaces (lib/slotns.c). Internal. */
#ifndef LB_LIB_SLOTNS_H
#define LB_LIB_SLOTNS_H

#include "internal.h"
#include "nl.h"

struct latebind_pool;

/* Where iproute2 keeps named namespaces; `ip netns exec` finds ours there. */
#define LB_NETNS_RUN_DIR "/run/netns"

/* Does the pool keep each slot in a namespace of its own? */
bool lb_slotns(const struct latebind_pool *p);
/* Slot @slot's namespace name; @buf holds 32 bytes. */
void lb_slotns_name(const struct lb_slots_info *si, uint32_t slot, char *buf);
/* Is @name the tunnel's or the tap's name of a slot living in its own namespace? */
bool lb_slotns_slot_of(const struct latebind_pool *p, const char *name, uint32_t *slot);
/* Check a netns prefix for @count slots: a name, and none of its namespaces exists yet. */
int lb_slotns_check(const char *prefix, uint32_t count, bool fresh);
/* Append the links of every slot namespace that exists, lb_link.netns = slot + 1. */
int lb_slotns_dump(struct latebind_pool *p, struct lb_link **links, size_t *n);
/*
 * A slot's devices get ifindexes of the pool's own: its tunnel
 * LB_SLOTNS_IFINDEX_BASE + 2 * slot, its tap the next one. Far above what
 * the pool's namespace hands out, where the tunnel's create is asked.
 */
#define LB_SLOTNS_IFINDEX_BASE 0x40000000U
static inline unsigned int lb_slotns_ifindex(uint32_t slot, bool tap)
{
	return LB_SLOTNS_IFINDEX_BASE + 2 * slot + tap;
}
/*
 * Make every slot's namespace, and in it the slot's tunnel and tap, recorded,
 * guarded and up; what exists is checked and kept.
 */
int lb_slotns_populate(struct latebind_pool *p, struct lb_nl *nl, enum latebind_attach_mode mode);
/* Unbind every slot, then release its namespace: its devices go with it. */
int lb_slotns_remove(struct latebind_pool *p);
/* Slots whose tunnel, or tap, is missing or not guarded first (show). */
void lb_slotns_unguarded(struct latebind_pool *p, enum latebind_attach_mode mode,
			 uint32_t *tunnels, uint32_t *taps);

#endif
