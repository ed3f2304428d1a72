/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A pool's members: netlink requests and dump matching (lib/members.c). */
#ifndef LB_LIB_MEMBERS_H
#define LB_LIB_MEMBERS_H

#include "internal.h"
#include "nl.h"

/* Ack bookkeeping: per slot, did its requests succeed; the first error. */
struct lb_acks {
	uint8_t *created; /* per slot: 1 after a successful create */
	int err;
	char msg[400];
	const struct lb_pool_info *pi;
};

enum { LB_TAG_CREATE, LB_TAG_TAG, LB_TAG_DELETE };
#define LB_MKTAG(kind, slot) ((long)(slot) * 4 + (kind))

/* The members' device group: destroy removes them in one RTM_DELLINK. */
uint32_t lb_pool_group(unsigned int underlay_ifindex);
/* Slot @slot's device name; @buf holds 32 bytes. */
void lb_tunnel_ifname(const struct lb_pool_info *pi, uint32_t slot, char *buf);
/* Create tunnel @slot, down (IPv6 is settled before it comes up), in the pool's group. */
int lb_queue_create(struct lb_nl *nl, const struct lb_pool_info *pi, uint32_t slot, long tag);
/*
 * The same, made in the namespace @netns_fd (-1: this one) as @ifindex (0:
 * any). The tunnel's socket stays in this namespace, the requester's.
 */
int lb_queue_create_in(struct lb_nl *nl, const struct lb_pool_info *pi, uint32_t slot, long tag,
		       int netns_fd, unsigned int ifindex);
/* Tag tunnel @slot as a member (Linux ignores IFLA_IFALIAS at create), and up. */
int lb_queue_tag(struct lb_nl *nl, const struct lb_pool_info *pi, uint32_t slot, long tag);
/* Unless the pool keeps IPv6, turn it off on a fresh (down) tunnel. */
int lb_set_ipv6(const struct lb_pool_info *pi, uint32_t slot);
/* IPv6 off on device @name: the sysctl, in the current network namespace. */
int lb_ipv6_off(const char *name);
/* RTM_DELLINK of one device (@ifindex), or of a whole group (@ifindex 0). */
int lb_queue_delete(struct lb_nl *nl, unsigned int ifindex, uint32_t group, long tag);
/* The ack callback for struct lb_acks. */
void lb_on_ack(void *ctx, long tag, int err, const char *extack);

typedef bool (*lb_member_sel)(const struct lb_link *l, const struct lb_pool_info *pi,
			      const void *ctx);
/* Queue the deletion of the devices of @links that @mine selects. */
void lb_queue_delete_mine(struct lb_nl *nl, const struct lb_pool_info *pi,
			  const struct lb_link *links, size_t n, lb_member_sel mine, const void *ctx);
/* Is @l the tunnel of @slot, as pool create makes it (tag aside)? */
bool lb_is_member_dev(const struct lb_link *l, const struct lb_pool_info *pi, uint32_t slot);
/* lb_member_sel: a slot's device that @ctx (uint8_t per slot) says this run created. */
bool lb_created_here(const struct lb_link *l, const struct lb_pool_info *pi, const void *ctx);
/* lb_member_sel: tagged @ctx (the member alias), or exactly a slot's device. */
bool lb_pool_member(const struct lb_link *l, const struct lb_pool_info *pi, const void *ctx);
const struct lb_link *lb_find_name(const struct lb_link *links, size_t n, const char *name);
/* The device named like slot @s's tunnel, or NULL; its name in @name. */
const struct lb_link *lb_slot_link(const struct lb_pool_info *pi, const struct lb_link *links,
				   size_t n, uint32_t s, char name[32]);

#endif
