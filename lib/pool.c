// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Warm pools: create and destroy. The datapath is attached before the first
 * tunnel exists, so a tunnel is fail-closed from its first packet. Devices
 * are made in batched rtnetlink requests, streamed (a send every 256 KiB
 * queued), and the kernel's extack message reaches the caller.
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
#include "handle.h"
#include "kind.h"
#include "members.h"
#include "slots.h"
#include "slotns.h"

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

static const char *path_in(const char *dir, const char *name, char buf[LB_PATH_MAX + 16])
{
	snprintf(buf, LB_PATH_MAX + 16, "%s/%s", dir, name);
	return buf;
}

/*
 * Pins a pool left half-made or half-removed: no lb_pool, and lb_config gone
 * too or marking a pool's datapath (LB_CFG_F_TUN_MARK; a bare `datapath
 * attach` never sets it). A create killed before it pinned lb_pool, or a
 * destroy killed while it unpinned (lb_remove_pins() takes lb_pool first and
 * lb_config last). Either way no tunnel of the pool exists any more.
 */
static bool unfinished_pins(const char *dir)
{
	char path[LB_PATH_MAX + 16];
	struct lb_config cfg;
	uint32_t zero = 0;
	int fd;
	bool yes;

	if (access(dir, F_OK) || !access(path_in(dir, "lb_pool", path), F_OK))
		return false;
	fd = bpf_obj_get(path_in(dir, "lb_config", path));
	if (fd < 0)
		return errno == ENOENT;
	yes = !bpf_map_lookup_elem(fd, &zero, &cfg) && (cfg.flags & LB_CFG_F_TUN_MARK);
	close(fd);
	return yes;
}

/* Same pool? Everything create takes from the user, version aside. */
static bool same_spec(const struct lb_pool_info *a, const struct lb_pool_info *b)
{
	struct lb_pool_info x = *a, y = *b;

	x.version = y.version = 0;
	return !memcmp(&x, &y, sizeof(x));
}

static void describe_pool(const struct lb_pool_info *pi, const struct lb_slots_info *si,
			  char *buf, size_t size)
{
	struct latebind_addr r = { .family = pi->family };
	char addr[64], taps[96] = "";

	memcpy(r.bytes, pi->remote, 16);
	if (pi->flags & LB_POOL_F_TAPS) {
		int n = snprintf(taps, sizeof(taps), " taps tap-prefix %s", si->tap_prefix);

		if (si->flags & LB_SLOTS_F_OWNER)
			n += snprintf(taps + n, sizeof(taps) - (size_t)n, " tap-owner %u",
				      si->owner_uid);
		if (si->flags & LB_SLOTS_F_GROUP)
			n += snprintf(taps + n, sizeof(taps) - (size_t)n, ":%u", si->owner_gid);
		if (si->flags & LB_SLOTS_F_MULTI_QUEUE)
			snprintf(taps + n, sizeof(taps) - (size_t)n, " multi-queue");
	}
	snprintf(buf, size, "type %s remote %s count %u dummy-base %u prefix %s dstport %u %s %s%s",
		 lb_kind(pi->type)->name,
		 latebind_addr_str(&r, addr, sizeof(addr)), pi->count, pi->dummy_base, pi->prefix,
		 pi->dstport, pi->udp_csum ? "udpcsum" : "noudpcsum",
		 pi->flags & LB_POOL_F_IPV6 ? "ipv6" : "noipv6", taps);
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
		const struct lb_link *l = lb_slot_link(pi, links, n, s, name);

		if (!l || !lb_is_member_dev(l, pi, s)) {
			err = lb_err(-ENODEV, "tunnel %s vanished while the pool was created", name);
			break;
		}
		ifx[s] = l->ifindex;
		__atomic_store_n(&p->egress[s].ifindex, l->ifindex, __ATOMIC_RELEASE);
	}
	/* Entries of devices gone first (a member re-created by a re-run): the
	 * map holds one entry per slot, and a stale one would leave no room. */
	for (int more = !err && !bpf_map_get_next_key(fd, NULL, &key); more; key = next) {
		more = !bpf_map_get_next_key(fd, &key, &next);
		if (!bpf_map_lookup_elem(fd, &key, &slot) &&
		    (slot >= pi->count || ifx[slot] != key))
			bpf_map_delete_elem(fd, &key);
	}
	for (uint32_t s = 0; s < pi->count && !err; s++) {
		if (bpf_map_update_elem(fd, &ifx[s], &s, BPF_ANY))
			err = lb_err(-errno, "cannot record tunnel ifindex %u in lb_tun_slot: %s",
				     ifx[s], strerror(errno));
	}
	if (!err)
		err = lb_guard_attach(p->dir, lb_datapath_mode(p->dir), nl, ifx, pi->count);
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
/*
 * Requests are sent, and their acks read, once this much is queued: a pool
 * of 65,536 would need some 11 MiB of VXLAN-over-IPv6 creates at once, and
 * the first error stops what is not sent yet.
 */
#define LB_STREAM_BYTES (256 * 1024)

static int stream(struct lb_nl *nl, struct lb_acks *a, bool all)
{
	int err = 0;

	if (all || lb_nl_queued(nl) >= LB_STREAM_BYTES)
		err = lb_nl_flush(nl, lb_on_ack, a);
	if (!err && a->err)
		err = lb_err(a->err, "%s", a->msg);
	return err;
}

static int populate(struct latebind_pool *p, struct lb_nl *nl, enum latebind_attach_mode mode)
{
	const struct lb_pool_info *pi = &p->info;
	struct lb_acks a = { .pi = pi };
	struct lb_link *links = NULL;
	size_t n = 0, ncreate = 0;
	uint8_t *queued = NULL; /* per slot: absent at the dump, a create queued */
	char alias[32];
	int err;

	/* Slots in namespaces of their own are made there (lib/slotns.c). */
	if (lb_slotns(p))
		return lb_slotns_populate(p, nl, mode);
	snprintf(alias, sizeof(alias), LB_MEMBER_ALIAS_FMT, pi->underlay_ifindex);
	a.created = calloc(pi->count, 1);
	queued = calloc(pi->count, 1);
	if (!a.created || !queued) {
		err = lb_err(-ENOMEM, "out of memory");
		goto out;
	}
	err = lb_nl_dump_links(nl, &links, &n);
	if (err)
		goto out;
	for (uint32_t s = 0; s < pi->count && !err; s++) {
		char name[32];
		const struct lb_link *l = lb_slot_link(pi, links, n, s, name);

		if (l && !lb_is_member_dev(l, pi, s)) {
			err = lb_err(-EEXIST, "device %s exists and is not tunnel %u of this pool "
				     "(kind %s, VNI %u)", name, s, l->kind[0] ? l->kind : "none",
				     l->vni);
			break;
		}
		if (!l) {
			err = lb_queue_create(nl, pi, s, LB_MKTAG(LB_TAG_CREATE, s));
			queued[s] = 1;
			ncreate++;
		}
		if (!err)
			err = stream(nl, &a, false);
	}
	/* Batch 1: the missing tunnels, down. */
	if (!err)
		err = stream(nl, &a, true);
	for (uint32_t s = 0; s < pi->count && !err; s++)
		if (a.created[s])
			err = lb_set_ipv6(pi, s);
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

		lb_tunnel_ifname(pi, s, name);
		l = lb_find_name(links, n, name);
		if (a.created[s] || !l || !l->up || strcmp(l->alias, alias))
			err = lb_queue_tag(nl, pi, s, LB_MKTAG(LB_TAG_TAG, s));
		if (!err)
			err = stream(nl, &a, false);
	}
	if (!err)
		err = stream(nl, &a, true);
	/* The slots' taps, once every tunnel is there; a failure undoes both. */
	if (!err && (pi->flags & LB_POOL_F_TAPS))
		err = lb_slots_populate(p, nl, mode);
	if (err)
		goto undo;
	lb_debug("created %zu tunnel devices", ncreate);
	goto out;
undo:
	/* Nothing queued goes out after an error. Then remove every slot's device
	 * that was absent at the dump and that this run asked for, acked or not
	 * (a device of another kind or VNI by that name is not ours). The error
	 * above stays the one reported. */
	lb_nl_discard(nl);
	snprintf(a.msg, sizeof(a.msg), "%s", latebind_last_error());
	free(links);
	links = NULL;
	if (ncreate && !lb_nl_dump_links(nl, &links, &n)) {
		lb_queue_delete_mine(nl, pi, links, n, lb_created_here, queued);
		a.err = -1; /* keep a.msg */
		lb_nl_flush(nl, lb_on_ack, &a);
	}
	lb_err(err, "%s", a.msg);
out:
	free(links);
	free(a.created);
	free(queued);
	return err;
}

/*
 * Two pools of one namespace must not share a dummy VNI: lb_tun_ingress
 * checks the slot in the mark, and the same slot of two pools with the same
 * base would let one pool's rewrite into the other's tunnel.
 */
/* Could names made with prefix @a and prefix @b be the same ("lb" and "lb1": lb12)? */
static bool names_meet(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	return *a && *b && !strncmp(a, b, la < lb ? la : lb);
}

/*
 * A slot living in a namespace of its own is found by its name alone, so its
 * names must say which pool: refuse prefixes whose names could meet those of
 * another pool, when either pool keeps its slots in their own namespaces.
 */
static int check_names(const struct lb_pool_info *want, const struct lb_slots_info *ws,
		       const char *pool_dir, const struct lb_pool_info *other, const char *on)
{
	struct lb_slots_info os = { 0 };
	char path[LB_PATH_MAX + 320];
	const char *mine[2] = { want->prefix, ws->tap_prefix }, *theirs[2];
	uint32_t zero = 0;
	int fd;

	if (other->flags & LB_POOL_F_TAPS) {
		snprintf(path, sizeof(path), "%s/lb_slots", pool_dir);
		fd = bpf_obj_get(path);
		if (fd >= 0) {
			bpf_map_lookup_elem(fd, &zero, &os);
			close(fd);
		}
	}
	if (!ws->netns_prefix[0] && !os.netns_prefix[0])
		return 0;
	theirs[0] = other->prefix;
	theirs[1] = os.tap_prefix;
	for (int i = 0; i < 2; i++)
		for (int k = 0; k < 2; k++)
			if (names_meet(mine[i], theirs[k]))
				return lb_err(-EEXIST, "prefix \"%s\" makes names that prefix \"%s\" of "
					      "the pool on %s makes too, and slots in their own "
					      "namespaces are found by name: choose another prefix",
					      mine[i], theirs[k], on);
	return 0;
}

static int check_overlap(const struct lb_pool_info *want, const struct lb_slots_info *ws,
			 unsigned int ifindex)
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
		struct lb_pool_info other = { 0 };
		char *end, name[IF_NAMESIZE];
		unsigned long idx = strtoul(d->d_name, &end, 10);
		int fd;

		if (*end || d->d_name[0] == '.' || idx == ifindex)
			continue;
		snprintf(path, sizeof(path), "%s/%s/lb_pool", root, d->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!if_indextoname((unsigned int)idx, name))
			snprintf(name, sizeof(name), "%.15s", d->d_name);
		if (!bpf_map_lookup_elem(fd, &zero, &other) && other.count &&
		    other.dummy_base < hi && lo < (uint64_t)other.dummy_base + other.count)
			err = lb_err(-EEXIST, "dummy range %u-%llu overlaps the pool on %s (%u-%u): "
				     "pools of one network namespace need disjoint dummy ranges "
				     "(dummy-base)", want->dummy_base, (unsigned long long)hi - 1,
				     name, other.dummy_base, other.dummy_base + other.count - 1);
		close(fd);
		if (!err && other.count) {
			snprintf(path, sizeof(path), "%s/%s", root, d->d_name);
			err = check_names(want, ws, path, &other, name);
		}
	}
	if (dir)
		closedir(dir);
	return err;
}

LATEBIND_API int latebind_pool_create(const struct latebind_pool_spec *spec, bool *created)
{
	return latebind_pool_create_mode(spec, LATEBIND_ATTACH_NONE, created);
}

LATEBIND_API int latebind_pool_create_mode(const struct latebind_pool_spec *spec,
					   enum latebind_attach_mode mode, bool *created)
{
	return latebind_pool_create_slots(spec, mode, NULL, created);
}

LATEBIND_API int latebind_pool_create_slots(const struct latebind_pool_spec *spec,
					    enum latebind_attach_mode mode,
					    const struct latebind_slot_spec *slots, bool *created)
{
	struct latebind_datapath_config cfg;
	struct lb_slots_info want_slots;
	struct lb_pool_info want;
	struct latebind_pool *p = NULL;
	struct lb_nl *nl = NULL;
	char dir[LB_PATH_MAX];
	char pool_pin[LB_PATH_MAX + 16];
	unsigned int ifindex;
	bool fresh = false, exists;
	uint32_t zero = 0;
	int lock = -1, fd, err;

	if (created)
		*created = false;
	if (mode != LATEBIND_ATTACH_NONE && mode != LATEBIND_ATTACH_TCX &&
	    mode != LATEBIND_ATTACH_CLS_BPF)
		return lb_err(-EINVAL, "unknown attach mode %d", (int)mode);
	err = lb_resolve_spec(spec, &want);
	if (!err)
		err = lb_slots_resolve(slots, &want, &want_slots);
	if (err)
		return err;
	err = lb_locate(spec->underlay, &ifindex, dir, sizeof(dir));
	if (err)
		return err;
	want.underlay_ifindex = ifindex;
	want.group = lb_pool_group(ifindex);
	err = lb_nl_open(&nl);
	if (!err)
		err = lb_lock_pools(&lock);
	if (err)
		goto out;

	exists = !access(dir, F_OK);
	if (exists && unfinished_pins(dir)) {
		/* Start again from nothing. */
		lb_info("%s: an interrupted pool create or destroy left pins: starting again",
			spec->underlay);
		lb_nft_guard_del(ifindex);
		err = lb_detach_locked(spec->underlay);
		if (err)
			goto out;
		exists = false;
	}
	if (exists) {
		err = lb_pool_open_dir(dir, ifindex, &p);
		if (err == -ENOENT) {
			err = lb_err(-EEXIST, "latebind's datapath is attached to %s without a pool; "
				     "remove it first (latebind datapath detach dev %s)",
				     spec->underlay, spec->underlay);
			goto out;
		}
		if (err)
			goto out;
		if (!same_spec(&p->info, &want) ||
		    memcmp(&p->slots, &want_slots, sizeof(want_slots))) {
			char have[320];

			describe_pool(&p->info, &p->slots, have, sizeof(have));
			err = lb_err(-EEXIST, "%s already has a pool with other settings (%s); "
				     "destroy it first", spec->underlay, have);
			goto out;
		}
		if (mode != LATEBIND_ATTACH_NONE && lb_datapath_mode(dir) != mode) {
			err = lb_err(-EEXIST, "%s already has this pool, attached with %s, not %s; "
				     "destroy it first", spec->underlay,
				     latebind_attach_mode_name(lb_datapath_mode(dir)),
				     latebind_attach_mode_name(mode));
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
		err = check_overlap(&want, &want_slots, ifindex);
		if (!err && want_slots.netns_prefix[0])
			err = lb_slotns_check(want_slots.netns_prefix, want.count, true);
		if (err)
			goto out;
		latebind_datapath_config_init(&cfg);
		cfg.dummy_base = want.dummy_base;
		cfg.dummy_count = want.count;
		/* The pool's datapath handles its own protocol only. */
		cfg.geneve_port = cfg.vxlan_port = 0;
		*(uint16_t *)((char *)&cfg + lb_kind(want.type)->port_field) = want.dstport;
		err = lb_attach_locked(spec->underlay, &cfg, &mode, true);
		if (err)
			goto out;
		fresh = true;
		/* Closed on every route before the first tunnel exists. */
		err = lb_nft_guard_add(ifindex, want.dstport, want.dummy_base,
				       want.dummy_base + want.count - 1);
		if (err)
			goto out;
		/* The slot settings first: a pool is never seen with taps but without them. */
		if (want.flags & LB_POOL_F_TAPS) {
			err = create_map(dir, "lb_slots", sizeof(want_slots), 1, 0, &fd);
			if (!err) {
				err = bpf_map_update_elem(fd, &zero, &want_slots, BPF_ANY)
					      ? lb_err(-errno, "cannot write lb_slots: %s",
						       strerror(errno))
					      : 0;
				close(fd);
			}
			if (err)
				goto out;
		}
		/* The writers' lock before lb_pool: a handle that opens the pool maps it. */
		if (access(path_in(dir, "lb_pool_lock", pool_pin), F_OK)) {
			err = create_map(dir, "lb_pool_lock", sizeof(struct lb_pool_lock), 1,
					 BPF_F_MMAPABLE, &fd);
			if (err)
				goto out;
			close(fd);
		}
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

	err = populate(p, nl, lb_datapath_mode(dir));
	if (err)
		goto out;
	if (p->info.version != LB_ABI_VERSION) {
		want.version = LB_ABI_VERSION;
		if (bpf_map_update_elem(p->fd[LB_MAP_POOL], &zero, &want, BPF_ANY)) {
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
		if (p)
			lb_slotns_remove(p);
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

struct pool_aliases {
	const char *member, *tap;
};

/* lb_member_sel: a tunnel or a tap of the pool. */
static bool pool_device(const struct lb_link *l, const struct lb_pool_info *pi, const void *ctx)
{
	const struct pool_aliases *a = ctx;

	return lb_pool_member(l, pi, a->member) || lb_pool_tap(l, pi, a->tap);
}

/* The first bound tunnel of @p, if any: -EBUSY naming it. Under the pool's lock. */
static int refuse_bound(const struct latebind_pool *p, const char *underlay)
{
	for (uint32_t s = 0; s < p->info.count; s++) {
		uint32_t word = lb_load_binding(p, s);

		if (word & LB_EGRESS_BOUND)
			return lb_err(-EBUSY, "tunnel %s%u of the pool on %s is bound (vni %u): the "
				      "pool stays", p->info.prefix, s, underlay, lb_binding_vni(word));
	}
	return 0;
}

/*
 * A destroy killed while it unpinned: its tunnels, taps and namespaces are
 * gone, the rest goes now. Should a device tagged as this pool's still be
 * here, the pins were not ours to finish: refuse, and leave the guard up.
 */
static int finish_removal(struct lb_nl *nl, const char *underlay, unsigned int ifindex)
{
	char alias[32], tap_alias[32];
	struct lb_link *links = NULL;
	size_t n = 0;
	int err;

	err = lb_nl_dump_links(nl, &links, &n);
	if (err)
		return err;
	snprintf(alias, sizeof(alias), LB_MEMBER_ALIAS_FMT, ifindex);
	snprintf(tap_alias, sizeof(tap_alias), LB_TAP_ALIAS_FMT, ifindex);
	for (size_t i = 0; i < n && !err; i++)
		if (!strcmp(links[i].alias, alias) || !strcmp(links[i].alias, tap_alias))
			err = lb_err(-EBUSY, "the pins of the pool on %s are incomplete but its device "
				     "%s is still here: delete it, then destroy again", underlay,
				     links[i].name);
	free(links);
	if (err)
		return err;
	lb_info("%s: finishing a pool destroy that was interrupted", underlay);
	lb_nft_guard_del(ifindex);
	return lb_detach_locked(underlay);
}

static int pool_destroy(const char *underlay, bool unbound_only)
{
	struct latebind_pool *p = NULL;
	struct lb_acks a = { 0 };
	struct lb_link *links = NULL;
	struct lb_nl *nl = NULL;
	char dir[LB_PATH_MAX], alias[32], tap_alias[32];
	unsigned int ifindex;
	size_t n = 0;
	bool locked = false;
	int lock = -1, err;

	err = lb_locate(underlay, &ifindex, dir, sizeof(dir));
	if (!err)
		err = lb_nl_open(&nl);
	if (!err)
		err = lb_lock_pools(&lock);
	if (err)
		goto out;
	err = lb_pool_open_dir(dir, ifindex, &p);
	if (err == -ENOENT && unfinished_pins(dir)) {
		err = finish_removal(nl, underlay, ifindex);
		goto out;
	}
	if (err == -ENOENT)
		err = lb_err(-ENOENT, "there is no latebind pool on %s", underlay);
	if (err)
		goto out;
	/* Wait for binds in flight; later ones find the pool gone (-ESTALE). */
	err = lb_pool_lock(p);
	if (err)
		goto out;
	locked = true;
	if (unbound_only) {
		err = refuse_bound(p, underlay);
		if (err)
			goto out;
	}

	a.pi = &p->info;
	a.created = calloc(p->info.count, 1);
	err = a.created ? lb_nl_dump_links(nl, &links, &n) : lb_err(-ENOMEM, "out of memory");
	if (err)
		goto out;
	snprintf(alias, sizeof(alias), LB_MEMBER_ALIAS_FMT, ifindex);
	snprintf(tap_alias, sizeof(tap_alias), LB_TAP_ALIAS_FMT, ifindex);
	lb_queue_delete_mine(nl, &p->info, links, n, pool_device,
			     &(struct pool_aliases){ alias, tap_alias });
	err = lb_nl_flush(nl, lb_on_ack, &a);
	if (!err && a.err)
		err = lb_err(a.err, "%s", a.msg);
	if (!err)
		err = lb_slotns_remove(p);
	if (err)
		goto out;
	/* Tunnels gone first, then the guards and the datapath: nothing is ever open. */
	lb_nft_guard_del(ifindex);
	err = lb_detach_locked(underlay);
out:
	if (locked)
		lb_pool_unlock(p);
	free(links);
	free(a.created);
	latebind_pool_close(p);
	lb_unlock(lock);
	lb_nl_close(nl);
	return err;
}

LATEBIND_API int latebind_pool_destroy(const char *underlay)
{
	return pool_destroy(underlay, false);
}

LATEBIND_API int latebind_pool_destroy_unbound(const char *underlay)
{
	return pool_destroy(underlay, true);
}
