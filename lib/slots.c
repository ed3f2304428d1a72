// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Slots: a tap per pool tunnel, for a VM, wired to its tunnel by the
 * datapath and to nothing else:
 *
 *   guest -> tap  [lb_tap_ingress]  bound: bpf_redirect to the slot's tunnel
 *   tunnel        [lb_tun_ingress]  lb_ingress's frame: LB_MARK_TAP | slot,
 *                                   bpf_redirect to the slot's tap
 *   tap -> guest  [lb_tap_egress]   only with that mark
 *
 * A tap is made with /dev/net/tun and held open, not yet persistent, until
 * netlink has tagged it (ifalias, group, MTU): a create killed before that
 * leaves no tap, as the kernel deletes a tap that is neither persistent nor
 * open. A tap that carries our tag is ours; any other device by that name
 * is someone else's.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include "internal.h"
#include "nl.h"
#include "handle.h"
#include "members.h"
#include "slots.h"
#include "slotns.h"

/* Taps made per round: each is an open fd until the round is tagged. */
#define LB_TAP_ROUND 256

LATEBIND_API void latebind_slot_spec_init(struct latebind_slot_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->sz = sizeof(*s);
}

void lb_tap_ifname(const struct lb_slots_info *si, uint32_t slot, char *buf)
{
	snprintf(buf, 32, "%s%u", si->tap_prefix, slot);
}

bool lb_name_slot(const char *prefix, uint32_t count, const char *name, uint32_t *slot)
{
	size_t lp = strlen(prefix);
	const char *d = name + lp;
	unsigned long v;
	char *end;

	if (strncmp(name, prefix, lp) || *d < '0' || *d > '9' || (*d == '0' && d[1]))
		return false;
	v = strtoul(d, &end, 10);
	if (*end || v >= count)
		return false;
	*slot = (uint32_t)v;
	return true;
}

int lb_slots_resolve(const struct latebind_slot_spec *in, struct lb_pool_info *pi,
		     struct lb_slots_info *out)
{
	char name[32];

	memset(out, 0, sizeof(*out));
	if (!in)
		return 0;
	/* 1.2's struct ends with multi_queue; netns_prefix came in 1.3. */
	if (in->sz < offsetof(struct latebind_slot_spec, multi_queue) + sizeof(in->multi_queue))
		return lb_err(-EINVAL, "struct latebind_slot_spec of %zu bytes: call "
			      "latebind_slot_spec_init() first", in->sz);
	if (in->sz >= offsetof(struct latebind_slot_spec, netns_prefix) + sizeof(in->netns_prefix) &&
	    in->netns_prefix) {
		int err = lb_slotns_check(in->netns_prefix, pi->count, false);

		if (err)
			return err;
		snprintf(out->netns_prefix, sizeof(out->netns_prefix), "%s", in->netns_prefix);
	}
	if (in->tap_prefix) {
		if (!*in->tap_prefix || strlen(in->tap_prefix) >= sizeof(out->tap_prefix))
			return lb_err(-EINVAL, "tap prefix \"%s\" is empty or longer than %zu "
				      "characters", in->tap_prefix, sizeof(out->tap_prefix) - 1);
		snprintf(out->tap_prefix, sizeof(out->tap_prefix), "%s", in->tap_prefix);
	} else if (strlen(pi->prefix) + 1 >= sizeof(out->tap_prefix)) {
		return lb_err(-EINVAL, "prefix \"%s\" leaves no room for the taps' default "
			      "prefix (\"%st\"): give tap-prefix", pi->prefix, pi->prefix);
	} else {
		snprintf(out->tap_prefix, sizeof(out->tap_prefix), "%st", pi->prefix);
	}
	lb_tap_ifname(out, pi->count - 1, name);
	if (strlen(name) >= IF_NAMESIZE)
		return lb_err(-EINVAL, "tap prefix \"%s\" with %u taps makes names longer than "
			      "%d characters", out->tap_prefix, pi->count, IF_NAMESIZE - 1);
	if (strpbrk(out->tap_prefix, "/: \t\n%"))
		return lb_err(-EINVAL, "tap prefix \"%s\" has a character not allowed in device "
			      "names", out->tap_prefix);
	for (uint32_t s = 0; s < pi->count; s++) {
		lb_tap_ifname(out, s, name);
		if (lb_name_slot(pi->prefix, pi->count, name, &(uint32_t){ 0 }))
			return lb_err(-EINVAL, "tap prefix \"%s\" names tap %u %s, which is also "
				      "a tunnel's name (prefix \"%s\")", out->tap_prefix, s, name,
				      pi->prefix);
	}
	if (in->has_owner) {
		if (!getpwuid(in->owner_uid))
			return lb_err(-EINVAL, "tap owner: there is no user with uid %u",
				      in->owner_uid);
		out->owner_uid = in->owner_uid;
		out->flags |= LB_SLOTS_F_OWNER;
	}
	if (in->has_group) {
		if (!in->has_owner)
			return lb_err(-EINVAL, "tap owner: a group without a user");
		if (!getgrgid(in->owner_gid))
			return lb_err(-EINVAL, "tap owner: there is no group with gid %u",
				      in->owner_gid);
		out->owner_gid = in->owner_gid;
		out->flags |= LB_SLOTS_F_GROUP;
	}
	out->flags |= LB_SLOTS_F_VNET_HDR;
	if (in->multi_queue)
		out->flags |= LB_SLOTS_F_MULTI_QUEUE;
	pi->flags |= LB_POOL_F_TAPS;
	return 0;
}

static bool is_our_tap(const struct lb_link *l, const char *alias)
{
	return !strcmp(l->kind, "tun") && !strcmp(l->alias, alias);
}

/* lb_member_sel: a tap of this pool (ctx: the tap alias). */
bool lb_pool_tap(const struct lb_link *l, const struct lb_pool_info *pi, const void *ctx)
{
	(void)pi;
	return is_our_tap(l, ctx);
}

int lb_tap_open(const struct lb_slots_info *si, const char *name, unsigned int ifindex, int *fd)
{
	struct ifreq ifr = { 0 };

	*fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (*fd < 0)
		return lb_err(-errno, "cannot open /dev/net/tun: %s", strerror(errno));
	if (ifindex && ioctl(*fd, TUNSETIFINDEX, &ifindex))
		return lb_err(-errno, "cannot give tap %s ifindex %u: %s", name, ifindex,
			      strerror(errno));
	memcpy(ifr.ifr_name, name, strnlen(name, IF_NAMESIZE - 1)); /* resolve checked the length */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (si->flags & LB_SLOTS_F_VNET_HDR)
		ifr.ifr_flags |= IFF_VNET_HDR;
	if (si->flags & LB_SLOTS_F_MULTI_QUEUE)
		ifr.ifr_flags |= IFF_MULTI_QUEUE;
	if (ioctl(*fd, TUNSETIFF, &ifr))
		return lb_err(-errno, "cannot create tap %s: %s", name, strerror(errno));
	if ((si->flags & LB_SLOTS_F_OWNER) && ioctl(*fd, TUNSETOWNER, (unsigned long)si->owner_uid))
		return lb_err(-errno, "cannot give tap %s to uid %u: %s", name, si->owner_uid,
			      strerror(errno));
	if ((si->flags & LB_SLOTS_F_GROUP) && ioctl(*fd, TUNSETGROUP, (unsigned long)si->owner_gid))
		return lb_err(-errno, "cannot give tap %s to gid %u: %s", name, si->owner_gid,
			      strerror(errno));
	return 0;
}

struct tap_acks {
	int err;
	char msg[300];
};

static void on_tap_ack(void *ctx, long tag, int err, const char *extack)
{
	struct tap_acks *a = ctx;

	if (!err || a->err)
		return;
	a->err = err;
	snprintf(a->msg, sizeof(a->msg), "tap of slot %ld: %s%s", tag,
		 *extack ? extack : strerror(-err), *extack ? " (kernel's message)" : "");
}

int lb_queue_tap(struct lb_nl *nl, unsigned int ifindex, const char *alias, uint32_t group,
		     uint32_t mtu, bool up, long tag)
{
	struct nlmsghdr *nlh = lb_nl_put_link(nl, RTM_NEWLINK, 0, tag, ifindex);
	struct ifinfomsg *ifm;

	if (!nlh)
		return lb_err(-ENOMEM, "out of memory");
	ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_flags = up ? IFF_UP : 0;
	ifm->ifi_change = up ? IFF_UP : 0;
	if (alias) {
		mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias);
		mnl_attr_put_u32(nlh, IFLA_GROUP, group);
		if (mtu)
			mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	}
	return 0;
}

static int flush(struct lb_nl *nl, struct tap_acks *a)
{
	int err = lb_nl_flush(nl, on_tap_ack, a);

	if (!err && a->err)
		err = lb_err(a->err, "%s", a->msg);
	return err;
}

/*
 * Make the taps of @slots[0..n): open them, tag them in one batch, then make
 * them persistent. On failure every tap of the round is closed, and so gone.
 */
static int make_round(const struct latebind_pool *p, struct lb_nl *nl, const uint32_t *slots,
		      size_t n, const uint32_t *mtu, const char *alias, uint8_t *made)
{
	struct tap_acks a = { 0 };
	int fd[LB_TAP_ROUND];
	size_t opened = 0;
	int err = 0;

	for (; opened < n && !err; opened++) {
		char name[32];
		unsigned int ifx;

		lb_tap_ifname(&p->slots, slots[opened], name);
		err = lb_tap_open(&p->slots, name, 0, &fd[opened]);
		if (err) {
			if (fd[opened] < 0)
				break;
			continue;
		}
		ifx = if_nametoindex(name);
		err = !ifx ? lb_err(-errno, "tap %s vanished: %s", name, strerror(errno))
			   : lb_ipv6_off(name);
		if (!err)
			err = lb_queue_tap(nl, ifx, alias, p->info.group, mtu[slots[opened]], false,
					(long)slots[opened]);
	}
	if (!err)
		err = flush(nl, &a);
	else
		lb_nl_discard(nl);
	for (size_t i = 0; i < opened; i++) {
		if (!err && ioctl(fd[i], TUNSETPERSIST, 1L))
			err = lb_err(-errno, "cannot make tap of slot %u persistent: %s", slots[i],
				     strerror(errno));
		if (!err)
			made[slots[i]] = 1;
		close(fd[i]);
	}
	/* A round whose persist failed midway: those made persistent are deleted by the caller. */
	return err;
}

/* Record each slot's tap in lb_tap_slot and lb_slot_tap; drop entries of taps gone. */
static int record(const struct latebind_pool *p, const unsigned int *tap)
{
	uint32_t key, next, slot;
	int ts = p->fd[LB_MAP_TAP_SLOT], st = p->fd[LB_MAP_SLOT_TAP], err = 0;

	/* Stale entries first: the map holds one entry per slot. */
	for (int more = !bpf_map_get_next_key(ts, NULL, &key); more; key = next) {
		more = !bpf_map_get_next_key(ts, &key, &next);
		if (!bpf_map_lookup_elem(ts, &key, &slot) &&
		    (slot >= p->info.count || tap[slot] != key))
			bpf_map_delete_elem(ts, &key);
	}
	for (uint32_t s = 0; s < p->info.count && !err; s++) {
		if (bpf_map_update_elem(ts, &tap[s], &s, BPF_ANY) ||
		    bpf_map_update_elem(st, &s, &tap[s], BPF_ANY))
			err = lb_err(-errno, "cannot record the tap of slot %u: %s", s,
				     strerror(errno));
	}
	return err;
}

int lb_slots_populate(struct latebind_pool *p, struct lb_nl *nl, enum latebind_attach_mode mode)
{
	const struct lb_pool_info *pi = &p->info;
	struct lb_link *links = NULL;
	struct tap_acks a = { 0 };
	uint32_t *todo = NULL, *mtu = NULL;
	unsigned int *tap = NULL;
	uint8_t *made = NULL;
	size_t n = 0, ntodo = 0;
	char alias[32];
	int err;

	snprintf(alias, sizeof(alias), LB_TAP_ALIAS_FMT, pi->underlay_ifindex);
	todo = calloc(pi->count, sizeof(*todo));
	mtu = calloc(pi->count, sizeof(*mtu));
	tap = calloc(pi->count, sizeof(*tap));
	made = calloc(pi->count, 1);
	err = todo && mtu && tap && made ? lb_nl_dump_links(nl, &links, &n)
					 : lb_err(-ENOMEM, "out of memory");
	for (uint32_t s = 0; s < pi->count && !err; s++) {
		char name[32], tname[32];
		const struct lb_link *l, *t = lb_slot_link(pi, links, n, s, tname);

		mtu[s] = t ? t->mtu : 0;
		lb_tap_ifname(&p->slots, s, name);
		l = lb_find_name(links, n, name);
		if (!l)
			todo[ntodo++] = s;
		else if (!is_our_tap(l, alias))
			err = lb_err(-EEXIST, "device %s exists and is not the tap of slot %u of this "
				     "pool (kind %s%s%s)", name, s, l->kind[0] ? l->kind : "none",
				     l->alias[0] ? ", alias " : "", l->alias);
	}
	for (size_t i = 0; i < ntodo && !err; i += LB_TAP_ROUND)
		err = make_round(p, nl, todo + i, ntodo - i < LB_TAP_ROUND ? ntodo - i : LB_TAP_ROUND,
				 mtu, alias, made);
	if (!err) {
		free(links);
		links = NULL;
		err = lb_nl_dump_links(nl, &links, &n);
	}
	for (uint32_t s = 0; s < pi->count && !err; s++) {
		char name[32];
		const struct lb_link *l;

		lb_tap_ifname(&p->slots, s, name);
		l = lb_find_name(links, n, name);
		if (!l || !is_our_tap(l, alias))
			err = lb_err(-ENODEV, "tap %s vanished while the pool was created", name);
		else
			tap[s] = l->ifindex;
	}
	/* Recorded and guarded while down; then up. */
	if (!err)
		err = record(p, tap);
	if (!err)
		err = lb_guard_attach_progs(p->dir, mode, nl, tap, pi->count, LB_PROG_TAP_INGRESS,
					    LB_PROG_TAP_EGRESS);
	for (uint32_t s = 0; s < pi->count && !err; s++)
		err = lb_queue_tap(nl, tap[s], NULL, 0, 0, true, (long)s);
	if (!err)
		err = flush(nl, &a);
	if (err) {
		char msg[512];
		struct tap_acks ignore = { .err = -1 };

		/* Remove the taps this run made; the first error stays the one reported. */
		snprintf(msg, sizeof(msg), "%s", latebind_last_error());
		lb_nl_discard(nl);
		free(links);
		links = NULL;
		if (!lb_nl_dump_links(nl, &links, &n)) {
			for (size_t i = 0; i < n; i++) {
				char name[32];
				uint32_t s;

				for (s = 0; s < pi->count; s++) {
					lb_tap_ifname(&p->slots, s, name);
					if (made[s] && !strcmp(links[i].name, name) &&
					    is_our_tap(&links[i], alias))
						break;
				}
				if (s < pi->count) {
					bpf_map_delete_elem(p->fd[LB_MAP_TAP_SLOT], &links[i].ifindex);
					bpf_map_update_elem(p->fd[LB_MAP_SLOT_TAP], &s,
							    &(uint32_t){ 0 }, BPF_ANY);
					lb_queue_delete(nl, links[i].ifindex, 0,
							LB_MKTAG(LB_TAG_DELETE, 0));
				}
			}
			lb_nl_flush(nl, on_tap_ack, &ignore);
		}
		lb_err(err, "%s", msg);
	}
	free(links);
	free(todo);
	free(mtu);
	free(tap);
	free(made);
	return err;
}

/* --- reading ---------------------------------------------------------------- */

/* Slots whose tap is gone, or does not run lb_tap_ingress/lb_tap_egress first. */
static uint32_t unguarded_taps(const struct latebind_pool *p)
{
	enum latebind_attach_mode mode = lb_datapath_mode(p->dir);
	uint32_t eg_id = 0, in_id = 0, n = p->info.count;
	struct lb_nl *nl = NULL;

	if (lb_slotns(p)) {
		uint32_t tunnels;

		lb_slotns_unguarded((struct latebind_pool *)p, mode, &tunnels, &n);
		return n;
	}
	if (lb_nl_open(&nl))
		return n;
	lb_pinned_prog_id(p->dir, lb_progs[LB_PROG_TAP_EGRESS].pin, &eg_id);
	lb_pinned_prog_id(p->dir, lb_progs[LB_PROG_TAP_INGRESS].pin, &in_id);
	for (uint32_t s = 0; s < p->info.count; s++) {
		uint32_t ifx = 0;

		if (!bpf_map_lookup_elem(p->fd[LB_MAP_SLOT_TAP], &s, &ifx) && ifx && eg_id &&
		    in_id && lb_progs_first(mode, nl, ifx, eg_id, in_id))
			n--;
	}
	lb_nl_close(nl);
	return n;
}

LATEBIND_API int latebind_pool_slots(struct latebind_pool *p, struct latebind_slots_info *info)
{
	int err = lb_pool_check_live(p);

	memset(info, 0, sizeof(*info));
	if (err)
		return err;
	if (!(p->info.flags & LB_POOL_F_TAPS))
		return -ENOENT;
	lb_slots_info_public(&p->slots, info);
	info->unguarded_taps = unguarded_taps(p);
	return 0;
}

LATEBIND_API int latebind_slot_tap(struct latebind_pool *p, uint32_t slot,
				   char name[IF_NAMESIZE_LB], unsigned int *ifindex)
{
	uint32_t ifx = 0;
	int err = lb_pool_check_slot(p, slot);

	name[0] = 0;
	*ifindex = 0;
	if (err)
		return err;
	if (!(p->info.flags & LB_POOL_F_TAPS))
		return -ENOENT;
	if (bpf_map_lookup_elem(p->fd[LB_MAP_SLOT_TAP], &slot, &ifx))
		return lb_err(-errno, "cannot read lb_slot_tap: %s", strerror(errno));
	*ifindex = ifx;
	/* In its slot's namespace, the tap's name is the one it was made with. */
	if (ifx && lb_slotns(p))
		lb_tap_ifname(&p->slots, slot, name);
	else if (ifx && !if_indextoname(ifx, name))
		name[0] = 0;
	return 0;
}

LATEBIND_API int latebind_pool_netns_prefix(struct latebind_pool *p, char *prefix, size_t size)
{
	int err = lb_pool_check_live(p);

	if (size)
		prefix[0] = 0;
	if (err)
		return err;
	if (!lb_slotns(p))
		return -ENOENT;
	if (strlen(p->slots.netns_prefix) >= size)
		return -ENOSPC;
	snprintf(prefix, size, "%s", p->slots.netns_prefix);
	return 0;
}

LATEBIND_API int latebind_slot_netns(struct latebind_pool *p, uint32_t slot, char *name,
				     size_t size)
{
	char buf[32];
	int err = lb_pool_check_slot(p, slot);

	if (size)
		name[0] = 0;
	if (err)
		return err;
	if (!lb_slotns(p))
		return -ENOENT;
	lb_slotns_name(&p->slots, slot, buf);
	if (strlen(buf) >= size)
		return -ENOSPC;
	memcpy(name, buf, strlen(buf) + 1);
	return 0;
}

/* The slot whose tap is @ifindex, if any. */
bool lb_pool_has_tap(const struct latebind_pool *p, unsigned int ifindex, uint32_t *slot)
{
	uint32_t s, back;

	if (!(p->info.flags & LB_POOL_F_TAPS) || lb_slotns(p) || p->fd[LB_MAP_TAP_SLOT] < 0 ||
	    bpf_map_lookup_elem(p->fd[LB_MAP_TAP_SLOT], &ifindex, &s) || s >= p->info.count ||
	    bpf_map_lookup_elem(p->fd[LB_MAP_SLOT_TAP], &s, &back) || back != ifindex)
		return false;
	*slot = s;
	return true;
}
