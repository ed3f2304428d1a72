// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Warm pools: create and destroy. The datapath is attached before the first
 * tunnel exists, so a tunnel is fail-closed from its first packet. Devices
 * are made in batched rtnetlink requests (one sendmsg per 64 KiB), and the
 * kernel's extack message reaches the caller.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include "internal.h"
#include "nl.h"
#include "pool.h"

LATEBIND_API void latebind_pool_spec_init(struct latebind_pool_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->type = LATEBIND_GENEVE;
}

static unsigned int digits(uint32_t v)
{
	unsigned int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* Check @in and fill @info with every default resolved. */
static int resolve_spec(const struct latebind_pool_spec *in, struct lb_pool_info *info)
{
	const char *prefix = in->prefix ? in->prefix : LATEBIND_PREFIX_DEFAULT;
	uint64_t last;

	memset(info, 0, sizeof(*info));
	if (!in->underlay || !*in->underlay)
		return lb_err(-EINVAL, "the underlay device (dev) is missing");
	if (in->type != LATEBIND_GENEVE && in->type != LATEBIND_VXLAN)
		return lb_err(-EINVAL, "tunnel type must be geneve or vxlan");
	if (!in->remote.family)
		return lb_err(-EINVAL, "the remote address is missing");
	if (in->remote.family == LB_AF_INET ? in->remote.bytes[0] >= 224 || !in->remote.bytes[0]
					     : in->remote.bytes[0] == 0xff)
		return lb_err(-EINVAL, "the remote must be a unicast address");
	if (in->local.family && in->local.family != in->remote.family)
		return lb_err(-EINVAL, "local and remote must both be IPv4 or both IPv6");
	if (in->local.family && in->type == LATEBIND_GENEVE)
		return lb_err(-EINVAL, "Linux geneve devices have no local address; omit local");
	if (in->count == 0 || in->count > LB_DUMMY_RANGE_MAX)
		return lb_err(-EINVAL, "count %u is outside 1-%u", in->count, LB_DUMMY_RANGE_MAX);
	info->dummy_base = in->dummy_base ? in->dummy_base : LB_VNI_MAX + 1 - in->count;
	last = (uint64_t)info->dummy_base + in->count - 1;
	if (last > LB_VNI_MAX)
		return lb_err(-EINVAL, "dummy range %u-%llu runs past the largest VNI %u",
			      info->dummy_base, (unsigned long long)last, LB_VNI_MAX);
	if (!*prefix || strlen(prefix) + digits(in->count - 1) >= IF_NAMESIZE)
		return lb_err(-EINVAL, "prefix \"%s\" with %u tunnels makes names longer than %d "
			      "characters", prefix, in->count, IF_NAMESIZE - 1);
	if (strpbrk(prefix, "/: \t\n%"))
		return lb_err(-EINVAL, "prefix \"%s\" has a character not allowed in device names",
			      prefix);
	info->type = in->type == LATEBIND_GENEVE ? LB_POOL_GENEVE : LB_POOL_VXLAN;
	info->family = in->remote.family;
	memcpy(info->remote, in->remote.bytes, 16);
	if (in->local.family) {
		info->has_local = 1;
		memcpy(info->local, in->local.bytes, 16);
	}
	info->count = in->count;
	info->dstport = in->dstport ? in->dstport
				    : in->type == LATEBIND_GENEVE ? LB_GENEVE_PORT_DEFAULT
								  : LB_VXLAN_PORT_DEFAULT;
	/* IPv6 peers drop zero checksums unless told otherwise (udp6zerocsumrx). */
	info->udp_csum = in->udp_csum == LATEBIND_CSUM_ON ||
			 (in->udp_csum == LATEBIND_CSUM_DEFAULT && in->remote.family == LB_AF_INET6);
	snprintf(info->prefix, sizeof(info->prefix), "%s", prefix);
	info->flags = in->ipv6 ? LB_POOL_F_IPV6 : 0;
	return 0;
}

static uint32_t pool_group(unsigned int underlay_ifindex)
{
	return LB_GROUP_BASE + (underlay_ifindex & 0xffff);
}

/* --- netlink requests -------------------------------------------------------- */

static void put_tunnel_data(struct nlmsghdr *nlh, const struct lb_pool_info *pi, uint32_t vni)
{
	bool v6 = pi->family == LB_AF_INET6;
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);

	if (pi->type == LB_POOL_VXLAN) {
		mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, vni);
		mnl_attr_put(nlh, v6 ? IFLA_VXLAN_GROUP6 : IFLA_VXLAN_GROUP, v6 ? 16 : 4, pi->remote);
		if (pi->has_local)
			mnl_attr_put(nlh, v6 ? IFLA_VXLAN_LOCAL6 : IFLA_VXLAN_LOCAL, v6 ? 16 : 4,
				     pi->local);
		mnl_attr_put_u32(nlh, IFLA_VXLAN_LINK, pi->underlay_ifindex);
		mnl_attr_put_u16(nlh, IFLA_VXLAN_PORT, htons(pi->dstport));
		/* Trust no source: learn nothing (the FDB holds only the remote), no
		 * ARP/ND proxy, no route short-circuit, no miss notifications. Off by
		 * default but one of them, said here so a changed default cannot open them. */
		mnl_attr_put_u8(nlh, IFLA_VXLAN_LEARNING, 0);
		mnl_attr_put_u8(nlh, IFLA_VXLAN_PROXY, 0);
		mnl_attr_put_u8(nlh, IFLA_VXLAN_RSC, 0);
		mnl_attr_put_u8(nlh, IFLA_VXLAN_L2MISS, 0);
		mnl_attr_put_u8(nlh, IFLA_VXLAN_L3MISS, 0);
		/* noudpcsum over IPv6: send and accept zero checksums, like the peer. */
		if (v6) {
			mnl_attr_put_u8(nlh, IFLA_VXLAN_UDP_ZERO_CSUM6_TX, !pi->udp_csum);
			mnl_attr_put_u8(nlh, IFLA_VXLAN_UDP_ZERO_CSUM6_RX, !pi->udp_csum);
		} else
			mnl_attr_put_u8(nlh, IFLA_VXLAN_UDP_CSUM, pi->udp_csum);
	} else {
		mnl_attr_put_u32(nlh, IFLA_GENEVE_ID, vni);
		mnl_attr_put(nlh, v6 ? IFLA_GENEVE_REMOTE6 : IFLA_GENEVE_REMOTE, v6 ? 16 : 4,
			     pi->remote);
		mnl_attr_put_u16(nlh, IFLA_GENEVE_PORT, htons(pi->dstport));
		if (v6) {
			mnl_attr_put_u8(nlh, IFLA_GENEVE_UDP_ZERO_CSUM6_TX, !pi->udp_csum);
			mnl_attr_put_u8(nlh, IFLA_GENEVE_UDP_ZERO_CSUM6_RX, !pi->udp_csum);
		} else
			mnl_attr_put_u8(nlh, IFLA_GENEVE_UDP_CSUM, pi->udp_csum);
	}
	mnl_attr_nest_end(nlh, data);
}

static void tunnel_ifname(const struct lb_pool_info *pi, uint32_t slot, char *buf)
{
	snprintf(buf, 32, "%.15s%u", pi->prefix, slot);
}

/* An RTM_NEWLINK for tunnel @slot's name; @up brings it up. */
static struct nlmsghdr *put_newlink(struct lb_nl *nl, const struct lb_pool_info *pi,
				    uint32_t slot, uint16_t flags, bool up, long tag)
{
	struct nlmsghdr *nlh = lb_nl_put(nl, RTM_NEWLINK, flags, tag);
	struct ifinfomsg *ifm;
	char name[32];

	if (!nlh)
		return NULL;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_flags = up ? IFF_UP : 0;
	ifm->ifi_change = up ? IFF_UP : 0;
	tunnel_ifname(pi, slot, name);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

/* Create tunnel @slot, down (IPv6 is settled before it comes up), in the pool's group. */
static int queue_create(struct lb_nl *nl, const struct lb_pool_info *pi, uint32_t slot, long tag)
{
	struct nlmsghdr *nlh = put_newlink(nl, pi, slot, NLM_F_CREATE | NLM_F_EXCL, false, tag);
	struct nlattr *info;

	if (!nlh)
		return lb_err(-ENOMEM, "out of memory");
	mnl_attr_put_u32(nlh, IFLA_GROUP, pi->group);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, pi->type == LB_POOL_VXLAN ? "vxlan" : "geneve");
	put_tunnel_data(nlh, pi, pi->dummy_base + slot);
	mnl_attr_nest_end(nlh, info);
	return 0;
}

/* Tag tunnel @slot as a member (Linux ignores IFLA_IFALIAS at create), and up. */
static int queue_tag(struct lb_nl *nl, const struct lb_pool_info *pi, uint32_t slot, long tag)
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
static int set_ipv6(const struct lb_pool_info *pi, uint32_t slot)
{
	char path[96], name[32];
	int fd, err = 0;

	if (pi->flags & LB_POOL_F_IPV6)
		return 0;
	tunnel_ifname(pi, slot, name);
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
static int queue_delete(struct lb_nl *nl, unsigned int ifindex, uint32_t group, long tag)
{
	struct nlmsghdr *nlh = lb_nl_put(nl, RTM_DELLINK, 0, tag);
	struct ifinfomsg *ifm;

	if (!nlh)
		return lb_err(-ENOMEM, "out of memory");
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = (int)ifindex;
	if (!ifindex)
		mnl_attr_put_u32(nlh, IFLA_GROUP, group);
	return 0;
}

/* Ack bookkeeping: per slot, did its requests succeed; the first error. */
struct acks {
	uint8_t *created; /* per slot: 1 after a successful create */
	int err;
	char msg[400];
	const struct lb_pool_info *pi;
};

enum { TAG_CREATE, TAG_TAG, TAG_DELETE };
#define MKTAG(kind, slot) ((long)(slot) * 4 + (kind))

static void on_ack(void *ctx, long tag, int err, const char *extack)
{
	struct acks *a = ctx;
	uint32_t slot = (uint32_t)(tag / 4);
	int kind = (int)(tag % 4);
	char name[32];

	if (!err) {
		if (kind == TAG_CREATE)
			a->created[slot] = 1;
		return;
	}
	if (kind == TAG_DELETE && err == -ENODEV)
		return; /* gone already */
	if (a->err)
		return;
	a->err = err;
	if (kind == TAG_DELETE)
		snprintf(name, sizeof(name), "pool devices");
	else
		tunnel_ifname(a->pi, slot, name);
	snprintf(a->msg, sizeof(a->msg), "%s %s: %s%s%s",
		 kind == TAG_CREATE ? "creating" : kind == TAG_TAG ? "tagging" : "deleting", name,
		 *extack ? extack : strerror(-err), *extack ? " " : "",
		 *extack ? "(kernel's message)" : "");
}

/*
 * Delete the devices of @links that @mine selects. When every device of the
 * pool's group is one of them, one group delete does it in a single RCU
 * grace period; otherwise (someone else's device in the group) one by one.
 */
static void queue_delete_mine(struct lb_nl *nl, const struct lb_pool_info *pi,
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
		queue_delete(nl, 0, pi->group, MKTAG(TAG_DELETE, 0));
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (mine(&links[i], pi, ctx))
			queue_delete(nl, links[i].ifindex, 0, MKTAG(TAG_DELETE, 0));
}

/* --- pool create ------------------------------------------------------------ */

/* Is @l the tunnel of @slot, as pool create makes it (tag aside)? */
static bool is_member_dev(const struct lb_link *l, const struct lb_pool_info *pi, uint32_t slot)
{
	char name[32];

	tunnel_ifname(pi, slot, name);
	return !strcmp(l->name, name) &&
	       !strcmp(l->kind, pi->type == LB_POOL_VXLAN ? "vxlan" : "geneve") && l->has_vni &&
	       l->vni == pi->dummy_base + slot;
}

/* queue_delete_mine() selectors */
static bool created_here(const struct lb_link *l, const struct lb_pool_info *pi, const void *ctx)
{
	const uint8_t *created = ctx;
	uint32_t s = l->vni - pi->dummy_base;

	return l->has_vni && s < pi->count && created[s] && is_member_dev(l, pi, s);
}

/* Tagged for this underlay, or exactly a slot's device (create cut short before tagging). */
static bool pool_member(const struct lb_link *l, const struct lb_pool_info *pi, const void *ctx)
{
	const char *alias = ctx;
	uint32_t s = l->vni - pi->dummy_base;

	return !strcmp(l->alias, alias) || (l->has_vni && s < pi->count && is_member_dev(l, pi, s));
}

static const struct lb_link *find_name(const struct lb_link *links, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(links[i].name, name))
			return &links[i];
	return NULL;
}

/* The device named like slot @s's tunnel, or NULL; its name in @name. */
static const struct lb_link *slot_link(const struct lb_pool_info *pi, const struct lb_link *links,
				       size_t n, uint32_t s, char name[32])
{
	tunnel_ifname(pi, s, name);
	return find_name(links, n, name);
}

static int create_map(const char *dir, const char *name, uint32_t value_size, uint32_t entries,
		      uint32_t flags, int *fd)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = flags);
	int err;

	*fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, name, sizeof(uint32_t), value_size, entries, &opts);
	if (*fd < 0)
		return lb_err(-errno, "cannot create map %s: %s", name, strerror(errno));
	err = lb_pin_fd(*fd, dir, name);
	if (err) {
		close(*fd);
		*fd = -1;
	}
	return err;
}

/* Same pool? Everything create takes from the user, version aside. */
static bool same_spec(const struct lb_pool_info *a, const struct lb_pool_info *b)
{
	struct lb_pool_info x = *a, y = *b;

	x.version = y.version = 0;
	return !memcmp(&x, &y, sizeof(x));
}

static void describe_pool(const struct lb_pool_info *pi, char *buf, size_t size)
{
	struct latebind_addr r = { .family = pi->family };
	char addr[64];

	memcpy(r.bytes, pi->remote, 16);
	snprintf(buf, size, "type %s remote %s count %u dummy-base %u prefix %s dstport %u %s %s",
		 pi->type == LB_POOL_VXLAN ? "vxlan" : "geneve",
		 latebind_addr_str(&r, addr, sizeof(addr)), pi->count, pi->dummy_base, pi->prefix,
		 pi->dstport, pi->udp_csum ? "udpcsum" : "noudpcsum",
		 pi->flags & LB_POOL_F_IPV6 ? "ipv6" : "noipv6");
}

/*
 * Record each slot's device in its egress record (one aligned store; binds
 * never write this word) and in lb_tun_slot, drop lb_tun_slot entries of
 * devices that are no longer members, and put the tunnel guard on every
 * member. Until its lb_tun_slot entry exists a tunnel passes nothing.
 */
static int record_and_guard(struct latebind_pool *p, struct lb_nl *nl,
			    const struct lb_link *links, size_t n)
{
	const struct lb_pool_info *pi = &p->info;
	unsigned int *ifx = calloc(pi->count, sizeof(*ifx));
	uint32_t key, next, slot;
	char path[LB_PATH_MAX + 16];
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/lb_tun_slot", p->dir);
	fd = bpf_obj_get(path);
	if (!ifx || fd < 0) {
		err = fd < 0 ? lb_err(-errno, "cannot open %s: %s", path, strerror(errno))
			     : lb_err(-ENOMEM, "out of memory");
		goto out;
	}
	for (uint32_t s = 0; s < pi->count && !err; s++) {
		char name[32];
		const struct lb_link *l = slot_link(pi, links, n, s, name);

		if (!l || !is_member_dev(l, pi, s)) {
			err = lb_err(-ENODEV, "tunnel %s vanished while the pool was created", name);
			break;
		}
		ifx[s] = l->ifindex;
		__atomic_store_n(&p->egress[s].ifindex, l->ifindex, __ATOMIC_RELEASE);
		if (bpf_map_update_elem(fd, &ifx[s], &s, BPF_ANY))
			err = lb_err(-errno, "cannot record %s in lb_tun_slot: %s", name,
				     strerror(errno));
	}
	/* Entries of devices gone (a member re-created by a re-run). */
	for (int more = !err && !bpf_map_get_next_key(fd, NULL, &key); more; key = next) {
		more = !bpf_map_get_next_key(fd, &key, &next);
		if (!bpf_map_lookup_elem(fd, &key, &slot) &&
		    (slot >= pi->count || ifx[slot] != key))
			bpf_map_delete_elem(fd, &key);
	}
	if (!err)
		err = lb_guard_attach(p->dir, lb_dp_mode(p->dir), nl, ifx, pi->count);
out:
	if (fd >= 0)
		close(fd);
	free(ifx);
	return err;
}

/*
 * Bring every slot's device into being, guarded, tagged and up, and record
 * it in its slot's egress record. On failure, the devices this call created are removed.
 */
static int populate(struct latebind_pool *p, struct lb_nl *nl)
{
	const struct lb_pool_info *pi = &p->info;
	struct acks a = { .pi = pi };
	struct lb_link *links = NULL;
	size_t n = 0, ncreate = 0;
	char alias[32];
	int err;

	snprintf(alias, sizeof(alias), LB_MEMBER_ALIAS_FMT, pi->underlay_ifindex);
	a.created = calloc(pi->count, 1);
	if (!a.created)
		return lb_err(-ENOMEM, "out of memory");
	err = lb_nl_dump_links(nl, &links, &n);
	if (err)
		goto out;
	for (uint32_t s = 0; s < pi->count && !err; s++) {
		char name[32];
		const struct lb_link *l = slot_link(pi, links, n, s, name);

		if (l && !is_member_dev(l, pi, s)) {
			err = lb_err(-EEXIST, "device %s exists and is not tunnel %u of this pool "
				     "(kind %s, VNI %u)", name, s, l->kind[0] ? l->kind : "none",
				     l->vni);
			break;
		}
		if (!l) {
			err = queue_create(nl, pi, s, MKTAG(TAG_CREATE, s));
			ncreate++;
		}
	}
	/* Batch 1: the missing tunnels, down. */
	if (!err)
		err = lb_nl_flush(nl, on_ack, &a);
	if (!err && a.err)
		err = lb_err(a.err, "%s", a.msg);
	for (uint32_t s = 0; s < pi->count && !err; s++)
		if (a.created[s])
			err = set_ipv6(pi, s);
	/* Every member recorded and guarded while it is still down. */
	if (!err) {
		free(links);
		links = NULL;
		err = lb_nl_dump_links(nl, &links, &n);
	}
	if (!err)
		err = record_and_guard(p, nl, links, n);
	/* Batch 2: tag and bring up what is not already. */
	for (uint32_t s = 0; s < pi->count && !err; s++) {
		char name[32];
		const struct lb_link *l;

		tunnel_ifname(pi, s, name);
		l = find_name(links, n, name);
		if (a.created[s] || !l || !l->up || strcmp(l->alias, alias))
			err = queue_tag(nl, pi, s, MKTAG(TAG_TAG, s));
	}
	if (!err)
		err = lb_nl_flush(nl, on_ack, &a);
	if (!err && a.err)
		err = lb_err(a.err, "%s", a.msg);
	if (err)
		goto undo;
	lb_debug("created %zu tunnel devices", ncreate);
	goto out;
undo:
	/* Remove the devices this run created; the error above stays the one reported. */
	snprintf(a.msg, sizeof(a.msg), "%s", latebind_last_error());
	free(links);
	links = NULL;
	if (ncreate && !lb_nl_dump_links(nl, &links, &n)) {
		queue_delete_mine(nl, pi, links, n, created_here, a.created);
		a.err = -1; /* keep a.msg */
		lb_nl_flush(nl, on_ack, &a);
	}
	lb_err(err, "%s", a.msg);
out:
	free(links);
	free(a.created);
	return err;
}

/*
 * Two pools of one namespace must not share a dummy VNI: lb_tun_ingress
 * checks the slot in the mark, and the same slot of two pools with the same
 * base would let one pool's rewrite into the other's tunnel.
 */
static int check_overlap(const struct lb_pool_info *want, unsigned int ifindex)
{
	char root[LB_PATH_MAX], path[LB_PATH_MAX + 300];
	uint64_t lo = want->dummy_base, hi = lo + want->count;
	uint32_t zero = 0;
	struct dirent *d;
	DIR *dir;
	int err = lb_pin_dir_of(0, root, sizeof(root));

	if (err)
		return err;
	*strrchr(root, '/') = 0; /* the namespace's directory */
	dir = opendir(root);
	while (dir && !err && (d = readdir(dir))) {
		struct lb_pool_info other;
		char *end, name[IF_NAMESIZE];
		unsigned long idx = strtoul(d->d_name, &end, 10);
		int fd;

		if (*end || d->d_name[0] == '.' || idx == ifindex)
			continue;
		snprintf(path, sizeof(path), "%s/%s/lb_pool", root, d->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!bpf_map_lookup_elem(fd, &zero, &other) && other.count &&
		    other.dummy_base < hi && lo < (uint64_t)other.dummy_base + other.count)
			err = lb_err(-EEXIST, "dummy range %u-%llu overlaps the pool on %s (%u-%u): "
				     "pools of one network namespace need disjoint dummy ranges "
				     "(dummy-base)", want->dummy_base, (unsigned long long)hi - 1,
				     if_indextoname((unsigned int)idx, name) ? name : d->d_name,
				     other.dummy_base, other.dummy_base + other.count - 1);
		close(fd);
	}
	if (dir)
		closedir(dir);
	return err;
}

LATEBIND_API int latebind_pool_create(const struct latebind_pool_spec *spec, bool *created)
{
	struct latebind_dp_config cfg;
	struct lb_pool_info want;
	struct latebind_pool *p = NULL;
	enum latebind_attach_mode mode = LATEBIND_ATTACH_NONE;
	struct lb_nl *nl = NULL;
	char dir[LB_PATH_MAX];
	unsigned int ifindex;
	bool fresh = false;
	uint32_t zero = 0;
	int lock = -1, fd, err;

	if (created)
		*created = false;
	err = resolve_spec(spec, &want);
	if (err)
		return err;
	err = lb_locate(spec->underlay, &ifindex, dir, sizeof(dir));
	if (err)
		return err;
	want.underlay_ifindex = ifindex;
	want.group = pool_group(ifindex);
	err = lb_nl_open(&nl);
	if (!err)
		err = lb_lock_pools(&lock);
	if (err)
		goto out;

	if (!access(dir, F_OK)) {
		err = lb_pool_open_dir(dir, ifindex, &p);
		if (err == -ENOENT) {
			err = lb_err(-EEXIST, "latebind's datapath is attached to %s without a pool; "
				     "remove it first (latebind datapath detach dev %s)",
				     spec->underlay, spec->underlay);
			goto out;
		}
		if (err)
			goto out;
		if (!same_spec(&p->info, &want)) {
			char have[256];

			describe_pool(&p->info, have, sizeof(have));
			err = lb_err(-EEXIST, "%s already has a pool with other settings (%s); "
				     "destroy it first", spec->underlay, have);
			goto out;
		}
		/* A re-run verifies the underlay's programs and puts them back. */
		err = lb_attach_repair(dir, ifindex);
		if (!err)
			err = lb_nft_guard_add(ifindex, want.dstport, want.dummy_base,
					       want.dummy_base + want.count - 1);
		if (err)
			goto out;
	} else {
		err = check_overlap(&want, ifindex);
		if (err)
			goto out;
		latebind_dp_config_init(&cfg);
		cfg.dummy_base = want.dummy_base;
		cfg.dummy_count = want.count;
		/* The pool's datapath handles its own protocol only. */
		cfg.geneve_port = want.type == LB_POOL_GENEVE ? want.dstport : 0;
		cfg.vxlan_port = want.type == LB_POOL_VXLAN ? want.dstport : 0;
		err = lb_attach_locked(spec->underlay, &cfg, &mode, true);
		if (err)
			goto out;
		fresh = true;
		/* Closed on every route before the first tunnel exists. */
		err = lb_nft_guard_add(ifindex, want.dstport, want.dummy_base,
				       want.dummy_base + want.count - 1);
		if (err)
			goto out;
		/* version 0 until every member exists: an interrupted create is resumable. */
		err = create_map(dir, "lb_pool", sizeof(want), 1, 0, &fd);
		if (!err) {
			err = bpf_map_update_elem(fd, &zero, &want, BPF_ANY)
				      ? lb_err(-errno, "cannot write lb_pool: %s", strerror(errno))
				      : 0;
			close(fd);
		}
		if (!err)
			err = lb_pool_open_dir(dir, ifindex, &p);
		if (err)
			goto out;
	}

	err = populate(p, nl);
	if (err)
		goto out;
	if (p->info.version != LB_ABI_VERSION) {
		want.version = LB_ABI_VERSION;
		if (bpf_map_update_elem(p->info_fd, &zero, &want, BPF_ANY)) {
			err = lb_err(-errno, "cannot write lb_pool: %s", strerror(errno));
			goto out;
		}
		if (created)
			*created = true;
	}
out:
	if (err && fresh) {
		int keep = err;
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", latebind_last_error());
		lb_nft_guard_del(ifindex);
		lb_detach_locked(spec->underlay);
		lb_err(keep, "%s", msg);
	}
	latebind_pool_close(p);
	lb_unlock(lock);
	lb_nl_close(nl);
	return err;
}

/* --- pool destroy ------------------------------------------------------------ */

LATEBIND_API int latebind_pool_destroy(const char *underlay)
{
	struct latebind_pool *p = NULL;
	struct acks a = { 0 };
	struct lb_link *links = NULL;
	struct lb_nl *nl = NULL;
	char dir[LB_PATH_MAX], alias[32];
	unsigned int ifindex;
	size_t n = 0;
	int lock = -1, err;

	err = lb_locate(underlay, &ifindex, dir, sizeof(dir));
	if (!err)
		err = lb_nl_open(&nl);
	if (!err)
		err = lb_lock_pools(&lock);
	if (err)
		goto out;
	err = lb_pool_open_dir(dir, ifindex, &p);
	if (err == -ENOENT)
		err = lb_err(-ENOENT, "there is no latebind pool on %s", underlay);
	if (err)
		goto out;
	/* Wait for binds in flight; new ones find the maps gone. */
	flock(p->dir_fd, LOCK_EX);

	a.pi = &p->info;
	a.created = calloc(p->info.count, 1);
	err = a.created ? lb_nl_dump_links(nl, &links, &n) : lb_err(-ENOMEM, "out of memory");
	if (err)
		goto out;
	snprintf(alias, sizeof(alias), LB_MEMBER_ALIAS_FMT, ifindex);
	queue_delete_mine(nl, &p->info, links, n, pool_member, alias);
	err = lb_nl_flush(nl, on_ack, &a);
	if (!err && a.err)
		err = lb_err(a.err, "%s", a.msg);
	if (err)
		goto out;
	/* Tunnels gone first, then the guards and the datapath: nothing is ever open. */
	lb_nft_guard_del(ifindex);
	err = lb_detach_locked(underlay);
out:
	free(links);
	free(a.created);
	latebind_pool_close(p);
	lb_unlock(lock);
	lb_nl_close(nl);
	return err;
}

/* --- on-demand creation, the cost the pool takes off the cold-start path --- */

struct latebind_ondemand {
	struct lb_nl *nl;
	struct lb_pool_info pi;
	uint8_t *created;
};

LATEBIND_API int latebind_ondemand_open(const struct latebind_pool_spec *spec,
					struct latebind_ondemand **out)
{
	struct latebind_ondemand *h = calloc(1, sizeof(*h));
	int err;

	*out = NULL;
	if (!h)
		return lb_err(-ENOMEM, "out of memory");
	err = resolve_spec(spec, &h->pi);
	if (!err)
		err = lb_resolve_dev(spec->underlay, &h->pi.underlay_ifindex);
	if (!err)
		err = lb_nl_open(&h->nl);
	if (!err) {
		/* Its own group, so that close removes them in one request. */
		h->pi.group = pool_group(h->pi.underlay_ifindex) ^ 0x8000;
		h->created = calloc(h->pi.count, 1);
		if (!h->created)
			err = lb_err(-ENOMEM, "out of memory");
	}
	if (err) {
		latebind_ondemand_close(h);
		return err;
	}
	*out = h;
	return 0;
}

LATEBIND_API int latebind_ondemand_create(struct latebind_ondemand *h, uint32_t i)
{
	struct acks a = { .pi = &h->pi, .created = h->created };
	int err;

	if (i >= h->pi.count)
		return lb_err(-EINVAL, "tunnel %u is outside 0-%u", i, h->pi.count - 1);
	/* What pool create does for one tunnel, one round trip at a time. */
	err = queue_create(h->nl, &h->pi, i, MKTAG(TAG_CREATE, i));
	if (!err)
		err = lb_nl_flush(h->nl, on_ack, &a);
	if (!err && a.err)
		err = lb_err(a.err, "%s", a.msg);
	if (!err)
		err = set_ipv6(&h->pi, i);
	if (!err)
		err = queue_tag(h->nl, &h->pi, i, MKTAG(TAG_TAG, i));
	if (!err)
		err = lb_nl_flush(h->nl, on_ack, &a);
	if (!err && a.err)
		err = lb_err(a.err, "%s", a.msg);
	return err;
}

LATEBIND_API void latebind_ondemand_close(struct latebind_ondemand *h)
{
	struct acks a = { 0 };
	struct lb_link *links = NULL;
	size_t n = 0;

	if (!h)
		return;
	a.pi = &h->pi;
	a.created = h->created;
	if (h->nl && h->created && !lb_nl_dump_links(h->nl, &links, &n)) {
		queue_delete_mine(h->nl, &h->pi, links, n, created_here, h->created);
		lb_nl_flush(h->nl, on_ack, &a);
	}
	free(links);
	free(h->created);
	lb_nl_close(h->nl);
	free(h);
}
