// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A pool's members: the rtnetlink requests that make, tag and delete its
 * tunnel devices (batched by lib/nl.c), and how a dump tells them apart.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include "internal.h"
#include "kind.h"
#include "members.h"

uint32_t lb_pool_group(unsigned int underlay_ifindex)
{
	return LB_GROUP_BASE + (underlay_ifindex & 0xffff);
}

/* --- netlink requests -------------------------------------------------------- */

void lb_tunnel_ifname(const struct lb_pool_info *pi, uint32_t slot, char *buf)
{
	snprintf(buf, 32, "%.15s%u", pi->prefix, slot);
}

/* An RTM_NEWLINK for tunnel @slot's name; @up brings it up. */
static struct nlmsghdr *put_newlink(struct lb_nl *nl, const struct lb_pool_info *pi,
				    uint32_t slot, uint16_t flags, bool up, long tag)
{
	struct nlmsghdr *nlh = lb_nl_put_link(nl, RTM_NEWLINK, flags, tag, 0);
	struct ifinfomsg *ifm;
	char name[32];

	if (!nlh)
		return NULL;
	ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_flags = up ? IFF_UP : 0;
	ifm->ifi_change = up ? IFF_UP : 0;
	lb_tunnel_ifname(pi, slot, name);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

/* Create tunnel @slot, down (IPv6 is settled before it comes up), in the pool's group. */
int lb_queue_create(struct lb_nl *nl, const struct lb_pool_info *pi, uint32_t slot, long tag)
{
	return lb_queue_create_in(nl, pi, slot, tag, -1, 0);
}

int lb_queue_create_in(struct lb_nl *nl, const struct lb_pool_info *pi, uint32_t slot, long tag,
		       int netns_fd, unsigned int ifindex)
{
	struct nlmsghdr *nlh = put_newlink(nl, pi, slot, NLM_F_CREATE | NLM_F_EXCL, false, tag);
	const struct lb_kind *k = lb_kind(pi->type);
	struct nlattr *info, *data;

	if (!nlh)
		return lb_err(-ENOMEM, "out of memory");
	((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_index = (int)ifindex;
	if (netns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	mnl_attr_put_u32(nlh, IFLA_GROUP, pi->group);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, k->name);
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	k->put_data(nlh, pi, pi->dummy_base + slot);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return 0;
}

/* Tag tunnel @slot as a member (Linux ignores IFLA_IFALIAS at create), and up. */
int lb_queue_tag(struct lb_nl *nl, const struct lb_pool_info *pi, uint32_t slot, long tag)
{
	struct nlmsghdr *nlh = put_newlink(nl, pi, slot, 0, true, tag);
	char alias[32];

	if (!nlh)
		return lb_err(-ENOMEM, "out of memory");
	snprintf(alias, sizeof(alias), LB_MEMBER_ALIAS_FMT, pi->underlay_ifindex);
	mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias);
	return 0;
}

/*
 * Unless the pool keeps IPv6, turn it off on a fresh (down) tunnel. There is
 * no netlink attribute for it; the sysctl under /proc/sys/net is the
 * current network namespace's. No IPv6 in the kernel: nothing to do.
 */
int lb_set_ipv6(const struct lb_pool_info *pi, uint32_t slot)
{
	char name[32];

	if (pi->flags & LB_POOL_F_IPV6)
		return 0;
	lb_tunnel_ifname(pi, slot, name);
	return lb_ipv6_off(name);
}

/* IPv6 off on device @name (down, fresh); no IPv6 in the kernel: nothing to do. */
int lb_ipv6_off(const char *name)
{
	char path[96];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT && access("/proc/sys/net/ipv6", F_OK) ? 0
		       : lb_err(-errno, "cannot open %s: %s", path, strerror(errno));
	if (write(fd, "1", 1) != 1)
		err = lb_err(-errno, "cannot write %s: %s", path, strerror(errno));
	close(fd);
	return err;
}

/* RTM_DELLINK of one device (@ifindex), or of a whole group (@ifindex 0). */
int lb_queue_delete(struct lb_nl *nl, unsigned int ifindex, uint32_t group, long tag)
{
	struct nlmsghdr *nlh = lb_nl_put_link(nl, RTM_DELLINK, 0, tag, ifindex);

	if (!nlh)
		return lb_err(-ENOMEM, "out of memory");
	if (!ifindex)
		mnl_attr_put_u32(nlh, IFLA_GROUP, group);
	return 0;
}


void lb_on_ack(void *ctx, long tag, int err, const char *extack)
{
	struct lb_acks *a = ctx;
	uint32_t slot = (uint32_t)(tag / 4);
	int kind = (int)(tag % 4);
	char name[32];

	if (!err) {
		if (kind == LB_TAG_CREATE)
			a->created[slot] = 1;
		return;
	}
	if (kind == LB_TAG_DELETE && err == -ENODEV)
		return; /* gone already */
	if (a->err)
		return;
	a->err = err;
	if (kind == LB_TAG_DELETE)
		snprintf(name, sizeof(name), "pool devices");
	else
		lb_tunnel_ifname(a->pi, slot, name);
	snprintf(a->msg, sizeof(a->msg), "%s %s: %s%s%s",
		 kind == LB_TAG_CREATE ? "creating" : kind == LB_TAG_TAG ? "tagging" : "deleting", name,
		 *extack ? extack : strerror(-err), *extack ? " " : "",
		 *extack ? "(kernel's message)" : "");
}

/*
 * Delete the devices of @links that @mine selects. When every device of the
 * pool's group is one of them, one group delete does it in a single RCU
 * grace period; otherwise (someone else's device in the group) one by one.
 */
void lb_queue_delete_mine(struct lb_nl *nl, const struct lb_pool_info *pi,
			      const struct lb_link *links, size_t n,
			      bool (*mine)(const struct lb_link *, const struct lb_pool_info *,
					   const void *), const void *ctx)
{
	bool group_ok = true;
	size_t nmine = 0;

	for (size_t i = 0; i < n; i++) {
		bool m = mine(&links[i], pi, ctx);

		nmine += m;
		if (links[i].group == pi->group && !m)
			group_ok = false;
		if (m && links[i].group != pi->group)
			group_ok = false;
	}
	if (!nmine)
		return;
	if (group_ok && pi->group) {
		lb_queue_delete(nl, 0, pi->group, LB_MKTAG(LB_TAG_DELETE, 0));
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (mine(&links[i], pi, ctx))
			lb_queue_delete(nl, links[i].ifindex, 0, LB_MKTAG(LB_TAG_DELETE, 0));
}

/* --- pool create ------------------------------------------------------------ */

/* Is @l the tunnel of @slot, as pool create makes it (tag aside)? */
bool lb_is_member_dev(const struct lb_link *l, const struct lb_pool_info *pi, uint32_t slot)
{
	char name[32];

	lb_tunnel_ifname(pi, slot, name);
	return !strcmp(l->name, name) &&
	       !strcmp(l->kind, lb_kind(pi->type)->name) && l->has_vni &&
	       l->vni == pi->dummy_base + slot;
}

/* lb_queue_delete_mine() selectors */
bool lb_created_here(const struct lb_link *l, const struct lb_pool_info *pi, const void *ctx)
{
	const uint8_t *created = ctx;
	uint32_t s = l->vni - pi->dummy_base;

	return l->has_vni && s < pi->count && created[s] && lb_is_member_dev(l, pi, s);
}

/* Tagged for this underlay, or exactly a slot's device (create cut short before tagging). */
bool lb_pool_member(const struct lb_link *l, const struct lb_pool_info *pi, const void *ctx)
{
	const char *alias = ctx;
	uint32_t s = l->vni - pi->dummy_base;

	return !strcmp(l->alias, alias) || (l->has_vni && s < pi->count && lb_is_member_dev(l, pi, s));
}

const struct lb_link *lb_find_name(const struct lb_link *links, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(links[i].name, name))
			return &links[i];
	return NULL;
}

/* The device named like slot @s's tunnel, or NULL; its name in @name. */
const struct lb_link *lb_slot_link(const struct lb_pool_info *pi, const struct lb_link *links,
				       size_t n, uint32_t s, char name[32])
{
	lb_tunnel_ifname(pi, s, name);
	return lb_find_name(links, n, name);
}
