/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Slots: a tap per pool tunnel (lib/slots.c). Internal. */
#ifndef LB_LIB_SLOTS_H
#define LB_LIB_SLOTS_H

#include "internal.h"
#include "nl.h"

struct latebind_pool;

/* Check @in against the pool @pi (names, owner) into @out; sets LB_POOL_F_TAPS. */
int lb_slots_resolve(const struct latebind_slot_spec *in, struct lb_pool_info *pi,
		     struct lb_slots_info *out);
/* Is @name PREFIX<slot> for a slot below @count ("lb7", never "lb07")? Its slot in *@slot. */
bool lb_name_slot(const char *prefix, uint32_t count, const char *name, uint32_t *slot);
/* Slot @slot's tap name; @buf holds 32 bytes. */
void lb_tap_ifname(const struct lb_slots_info *si, uint32_t slot, char *buf);
/* Open /dev/net/tun as tap @name with the pool's flags and owner, as @ifindex (0: any). */
int lb_tap_open(const struct lb_slots_info *si, const char *name, unsigned int ifindex, int *fd);
/* Tag (@alias, @group, @mtu; none if @alias is NULL), or bring up, the tap @ifindex. */
int lb_queue_tap(struct lb_nl *nl, unsigned int ifindex, const char *alias, uint32_t group,
		 uint32_t mtu, bool up, long tag);
/* Make the missing taps, record them, guard them, bring them up; undo on failure. */
int lb_slots_populate(struct latebind_pool *p, struct lb_nl *nl, enum latebind_attach_mode mode);
/* lb_member_sel: a tap of this pool (@ctx: its LB_TAP_ALIAS_FMT alias). */
bool lb_pool_tap(const struct lb_link *l, const struct lb_pool_info *pi, const void *ctx);
/* The slot whose tap is @ifindex, if any. */
bool lb_pool_has_tap(const struct latebind_pool *p, unsigned int ifindex, uint32_t *slot);

#endif
