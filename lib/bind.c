// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Opening a pool from its pins, and binding: maps only.
 *
 * Concurrency: binds and unbinds of one pool hold an exclusive flock on the
 * pool's pin directory (opened once, at pool open), so the conflict check,
 * the ingress insert, the commit and the old entry's removal run as one step
 * against other latebind processes. Pool create and destroy hold the bpffs
 * root lock and then this one. A flock dies with its holder.
 *
 * Crash safety: the egress binding word is the commit point (abi.h). Before
 * it, only an ingress entry may exist, and lb_ingress never delivers through
 * an entry whose tunnel is not bound to that VNI.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "internal.h"
#include "nl.h"
#include "pool.h"

LATEBIND_API const char *latebind_tunnel_type_name(enum latebind_tunnel_type type)
{
	return type == LATEBIND_GENEVE ? "geneve" : type == LATEBIND_VXLAN ? "vxlan" : "none";
}

LATEBIND_API const char *latebind_drop_reason_name(enum lb_drop_reason reason)
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

LATEBIND_API int latebind_addr_parse(const char *s, struct latebind_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->bytes) == 1)
		a->family = LB_AF_INET;
	else if (inet_pton(AF_INET6, s, a->bytes) == 1)
		a->family = LB_AF_INET6;
	else
		return lb_err(-EINVAL, "\"%s\" is not an IPv4 or IPv6 address", s);
	return 0;
}

LATEBIND_API const char *latebind_addr_str(const struct latebind_addr *a, char *buf, size_t size)
{
	if (!a->family || !inet_ntop(a->family == LB_AF_INET ? AF_INET : AF_INET6, a->bytes, buf,
				     (socklen_t)size))
		snprintf(buf, size, "-");
	return buf;
}

static int open_pin(const char *dir, const char *name, int *fd)
{
	char path[LB_PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	*fd = bpf_obj_get(path);
	if (*fd < 0)
		return lb_err(-errno, "cannot open %s: %s", path, strerror(errno));
	return 0;
}

static void *map_shared(int fd, size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

LATEBIND_API void latebind_pool_close(struct latebind_pool *p)
{
	if (!p)
		return;
	if (p->egress)
		munmap((void *)p->egress, p->egress_len);
	int fds[] = { p->dir_fd, p->info_fd, p->config_fd, p->egress_fd,
		      p->ingress_fd, p->stats_fd, p->drops_fd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(p);
}

static int map_arrays(struct latebind_pool *p);

/* Open the pool pinned in @dir; -ENOENT if it has no pool. */
int lb_pool_open_dir(const char *dir, unsigned int underlay, struct latebind_pool **out)
{
	struct latebind_pool *p = calloc(1, sizeof(*p));
	char path[LB_PATH_MAX + 16];
	uint32_t zero = 0;
	int err;

	*out = NULL;
	if (!p)
		return lb_err(-ENOMEM, "out of memory");
	p->dir_fd = p->info_fd = p->config_fd = p->egress_fd = p->ingress_fd = -1;
	p->stats_fd = p->drops_fd = -1;
	snprintf(p->dir, sizeof(p->dir), "%s", dir);
	p->underlay_ifindex = underlay;

	p->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p->dir_fd < 0) {
		err = -ENOENT;
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/lb_pool", dir);
	if (access(path, F_OK)) {
		err = -ENOENT; /* a bare datapath, or nothing */
		goto fail;
	}
	err = open_pin(dir, "lb_pool", &p->info_fd);
	if (err)
		goto fail;
	if (bpf_map_lookup_elem(p->info_fd, &zero, &p->info)) {
		err = lb_err(-errno, "cannot read %s/lb_pool: %s", dir, strerror(errno));
		goto fail;
	}
	err = open_pin(dir, "lb_config", &p->config_fd);
	if (!err)
		err = open_pin(dir, "lb_egress_bind", &p->egress_fd);
	if (!err)
		err = open_pin(dir, "lb_ingress_bind", &p->ingress_fd);
	if (!err)
		err = open_pin(dir, "lb_tun_stats", &p->stats_fd);
	if (!err)
		err = open_pin(dir, "lb_drop_stats", &p->drops_fd);
	if (err)
		goto fail;
	if (bpf_map_lookup_elem(p->config_fd, &zero, &p->cfg)) {
		err = lb_err(-errno, "cannot read %s/lb_config: %s", dir, strerror(errno));
		goto fail;
	}
	if (!p->info.count || p->info.count > LB_DUMMY_RANGE_MAX ||
	    p->cfg.dummy_min != p->info.dummy_base ||
	    p->cfg.dummy_max != p->info.dummy_base + p->info.count - 1) {
		err = lb_err(-EINVAL, "the pool pinned in %s is inconsistent", dir);
		goto fail;
	}
	err = map_arrays(p);
	if (err)
		goto fail;
	*out = p;
	return 0;
fail:
	latebind_pool_close(p);
	return err;
}

/* Map the pool's egress records (its slots). */
static int map_arrays(struct latebind_pool *p)
{
	p->egress_len = (size_t)p->info.count * sizeof(struct lb_egress_val);
	p->egress = map_shared(p->egress_fd, p->egress_len, PROT_READ | PROT_WRITE);
	if (!p->egress)
		return lb_err(-errno, "cannot map the pool's maps: %s", strerror(errno));
	return 0;
}

static int dup_fd(int fd)
{
	return fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

LATEBIND_API int latebind_pool_open_scratch(uint32_t count, const struct latebind_addr *remote,
					    struct latebind_pool **out)
{
	struct latebind_dp_config cfg;
	struct latebind_datapath *dp = NULL;
	struct latebind_pool *p;
	uint32_t zero = 0;
	int err;

	*out = NULL;
	if (!remote->family)
		return lb_err(-EINVAL, "the remote address is missing");
	latebind_dp_config_init(&cfg);
	cfg.dummy_count = count;
	cfg.dummy_base = LB_VNI_MAX + 1 - count;
	err = latebind_datapath_open(&cfg, &dp);
	if (err)
		return err;
	p = calloc(1, sizeof(*p));
	if (!p) {
		latebind_datapath_close(dp);
		return lb_err(-ENOMEM, "out of memory");
	}
	p->dir_fd = p->info_fd = -1;
	p->config_fd = dup_fd(lb_datapath_map_fd(dp, "lb_config"));
	p->egress_fd = dup_fd(lb_datapath_map_fd(dp, "lb_egress_bind"));
	p->ingress_fd = dup_fd(lb_datapath_map_fd(dp, "lb_ingress_bind"));
	p->stats_fd = dup_fd(lb_datapath_map_fd(dp, "lb_tun_stats"));
	p->drops_fd = dup_fd(lb_datapath_map_fd(dp, "lb_drop_stats"));
	latebind_datapath_close(dp);
	p->info.version = LB_ABI_VERSION;
	p->info.type = LB_POOL_VXLAN;
	p->info.family = remote->family;
	memcpy(p->info.remote, remote->bytes, 16);
	p->info.count = count;
	p->info.dummy_base = cfg.dummy_base;
	snprintf(p->info.prefix, sizeof(p->info.prefix), "scratch");
	if (p->config_fd < 0 || p->egress_fd < 0 || p->ingress_fd < 0 ||
	    p->stats_fd < 0 || p->drops_fd < 0 ||
	    bpf_map_lookup_elem(p->config_fd, &zero, &p->cfg)) {
		err = lb_err(-errno, "cannot set up a scratch pool: %s", strerror(errno));
		goto fail;
	}
	err = map_arrays(p);
	if (err)
		goto fail;
	*out = p;
	return 0;
fail:
	latebind_pool_close(p);
	return err;
}

LATEBIND_API int latebind_pool_open(const char *underlay, struct latebind_pool **out)
{
	char dir[LB_PATH_MAX];
	unsigned int ifindex;
	int err = lb_locate(underlay, &ifindex, dir, sizeof(dir));

	*out = NULL;
	if (err)
		return err;
	err = lb_pool_open_dir(dir, ifindex, out);
	if (err == -ENOENT)
		return lb_err(err, "there is no latebind pool on %s", underlay);
	return err;
}

LATEBIND_API int latebind_pool_list(unsigned int **out, size_t *n)
{
	char dir[LB_PATH_MAX], path[2 * LB_PATH_MAX + 16];
	unsigned int *list = NULL;
	size_t cap = 0;
	uint64_t cookie;
	struct dirent *de;
	DIR *d;
	int err;

	*out = NULL;
	*n = 0;
	err = lb_netns_cookie(&cookie);
	if (err)
		return err;
	snprintf(dir, sizeof(dir), LB_PIN_ROOT "/%llu", (unsigned long long)cookie);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char *end;
		unsigned long ifindex = strtoul(de->d_name, &end, 10);

		if (*end || !ifindex || ifindex > UINT32_MAX)
			continue;
		snprintf(path, sizeof(path), "%s/%s/lb_pool", dir, de->d_name);
		if (access(path, F_OK))
			continue;
		if (*n == cap) {
			unsigned int *l = realloc(list, (cap = cap ? cap * 2 : 8) * sizeof(*l));

			if (!l) {
				closedir(d);
				free(list);
				return lb_err(-ENOMEM, "out of memory");
			}
			list = l;
		}
		list[(*n)++] = (unsigned int)ifindex;
	}
	closedir(d);
	for (size_t i = 1; i < *n; i++) /* insertion sort: a handful of pools */
		for (size_t j = i; j && list[j - 1] > list[j]; j--) {
			unsigned int t = list[j];

			list[j] = list[j - 1];
			list[j - 1] = t;
		}
	*out = list;
	return 0;
}

static bool pool_has(const struct latebind_pool *p, unsigned int ifindex, uint32_t *slot)
{
	for (uint32_t i = 0; i < p->info.count; i++) {
		if (lb_slot_ifindex(p, i) == ifindex) {
			*slot = i;
			return true;
		}
	}
	return false;
}

LATEBIND_API int latebind_pool_open_tunnel(const char *tunnel, struct latebind_pool **out,
					   uint32_t *slot_out)
{
	unsigned int ifindex, *pools;
	size_t n;
	int err = lb_resolve_dev(tunnel, &ifindex);

	*out = NULL;
	if (err)
		return err;
	err = latebind_pool_list(&pools, &n);
	if (err)
		return err;
	for (size_t i = 0; i < n && !*out; i++) {
		struct latebind_pool *p;
		char dir[LB_PATH_MAX];
		uint32_t slot;

		if (lb_pin_dir_of(pools[i], dir, sizeof(dir)) || lb_pool_open_dir(dir, pools[i], &p))
			continue;
		if (pool_has(p, ifindex, &slot)) {
			*out = p;
			if (slot_out)
				*slot_out = slot;
		} else
			latebind_pool_close(p);
	}
	free(pools);
	return *out ? 0 : lb_err(-ENOENT, "%s is not a latebind pool tunnel", tunnel);
}

LATEBIND_API int latebind_pool_slot(struct latebind_pool *p, const char *name, uint32_t *slot)
{
	unsigned int ifindex;
	int err = lb_resolve_dev(name, &ifindex);

	if (err)
		return err;
	if (!pool_has(p, ifindex, slot))
		return lb_err(-ENOENT, "%s is not a tunnel of the pool on %s", name,
			      p->info.prefix[0] ? p->dir : "this underlay");
	return 0;
}

/* --- bind and unbind ----------------------------------------------------- */

static int lock_pool(struct latebind_pool *p)
{
	if (p->dir_fd < 0) /* a scratch pool: this process's alone */
		return 0;
	while (flock(p->dir_fd, LOCK_EX))
		if (errno != EINTR)
			return lb_err(-errno, "cannot lock the pool: %s", strerror(errno));
	return 0;
}

static void unlock_pool(struct latebind_pool *p)
{
	if (p->dir_fd >= 0)
		flock(p->dir_fd, LOCK_UN);
}

static uint32_t load_binding(const struct latebind_pool *p, uint32_t slot)
{
	return __atomic_load_n(&p->egress[slot].binding, __ATOMIC_ACQUIRE);
}

static bool mac_is_zero(const uint8_t *m)
{
	static const uint8_t zero[6];

	return !memcmp(m, zero, 6);
}

/* The ingress key of (@vni, @mac) from this pool's remote. */
static void make_key(const struct latebind_pool *p, uint32_t vni, const uint8_t *mac,
		     struct lb_ingress_key *k)
{
	memset(k, 0, sizeof(*k));
	k->vni = vni;
	k->family = p->info.family;
	memcpy(k->remote, p->info.remote, p->info.family == LB_AF_INET ? 4 : 16);
	if (mac)
		memcpy(k->inner_mac, mac, 6);
}

/* The current MAC of a bound slot's record, or NULL for the wildcard. */
static const uint8_t *bound_mac(const struct latebind_pool *p, uint32_t slot, uint32_t word)
{
	const struct lb_egress_mac *m = &p->egress[slot].mac[!!(word & LB_EGRESS_MAC_SEL)];

	return m->set ? m->addr : NULL;
}

/* Does @slot's committed binding own ingress key @k? */
static bool slot_owns(const struct latebind_pool *p, uint32_t slot, const struct lb_ingress_key *k)
{
	uint32_t word = load_binding(p, slot);
	const uint8_t *mac;

	if (!(word & LB_EGRESS_BOUND) || lb_binding_vni(word) != k->vni)
		return false;
	mac = bound_mac(p, slot, word);
	return mac ? !memcmp(mac, k->inner_mac, 6) : mac_is_zero(k->inner_mac);
}

/* @buf holds 32 bytes. */
static void tunnel_name(const struct latebind_pool *p, uint32_t slot, char *buf)
{
	unsigned int ifindex = lb_slot_ifindex(p, slot);

	if (!ifindex || !if_indextoname(ifindex, buf))
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
	if (!mac_is_zero(m))
		snprintf(buf, size, "VNI %u from %s with inner MAC %02x:%02x:%02x:%02x:%02x:%02x",
			 k->vni, addr, m[0], m[1], m[2], m[3], m[4], m[5]);
	else
		snprintf(buf, size, "VNI %u from %s", k->vni, addr);
}

/* Remove ingress entry @k if it still points at @dummy. */
/*
 * Remove this tunnel's committed ingress entry @k. Under the pool lock it can
 * only be this tunnel's: another bind takes a key over only when no
 * committed binding owns it (claim_key), so no lookup is needed first.
 */
static void drop_entry_of(struct latebind_pool *p, const struct lb_ingress_key *k)
{
	bpf_map_delete_elem(p->ingress_fd, k);
}

static int check_bind_args(const struct latebind_pool *p, uint32_t slot, uint32_t vni,
			   const uint8_t *mac)
{
	uint32_t last = p->info.dummy_base + p->info.count - 1;

	if (slot >= p->info.count)
		return lb_err(-EINVAL, "slot %u is outside the pool (0-%u)", slot, p->info.count - 1);
	if (vni > LB_VNI_MAX)
		return lb_err(-ERANGE, "VNI %u is outside 0-%u", vni, LB_VNI_MAX);
	if (vni >= p->info.dummy_base && vni <= last)
		return lb_err(-EINVAL, "VNI %u is inside the pool's dummy range %u-%u", vni,
			      p->info.dummy_base, last);
	if (mac && mac_is_zero(mac))
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
	struct lb_config cfg;
	uint32_t zero = 0;

	if (p->cfg.flags & LB_CFG_F_INNER_MAC) /* seen on: it never turns off */
		return 0;
	if (bpf_map_lookup_elem(p->config_fd, &zero, &cfg))
		return lb_err(-errno, "cannot read lb_config: %s", strerror(errno));
	if (cfg.flags & LB_CFG_F_INNER_MAC) {
		p->cfg = cfg;
		return 0;
	}
	cfg.flags |= LB_CFG_F_INNER_MAC;
	if (bpf_map_update_elem(p->config_fd, &zero, &cfg, BPF_EXIST))
		return lb_err(-errno, "cannot write lb_config: %s", strerror(errno));
	p->cfg = cfg;
	return 0;
}

/* Claim ingress key @k for @dummy: new, already ours, or a leftover. */
static int claim_key(struct latebind_pool *p, const struct lb_ingress_key *k, uint32_t dummy,
		     bool *inserted)
{
	struct lb_ingress_val v = { .dummy_vni = dummy }, cur;
	uint32_t owner;
	char name[32], what[128];

	*inserted = false;
	if (!bpf_map_update_elem(p->ingress_fd, k, &v, BPF_NOEXIST)) {
		*inserted = true;
		return 0;
	}
	if (errno != EEXIST)
		return lb_err(-errno, "cannot write the ingress binding: %s", strerror(errno));
	if (bpf_map_lookup_elem(p->ingress_fd, k, &cur))
		return lb_err(-errno, "cannot read the ingress binding: %s", strerror(errno));
	if (cur.dummy_vni == dummy)
		return 0;
	owner = cur.dummy_vni - p->info.dummy_base;
	if (owner < p->info.count && slot_owns(p, owner, k)) {
		tunnel_name(p, owner, name);
		describe_key(p, k, what, sizeof(what));
		return lb_err(-EADDRINUSE, "%s is already bound to tunnel %s%s", what, name,
			      mac_is_zero(k->inner_mac) ? "; tell them apart with inner-mac" : "");
	}
	/* A leftover that no binding owns (it never delivers): take it over. */
	if (bpf_map_update_elem(p->ingress_fd, k, &v, BPF_EXIST))
		return lb_err(-errno, "cannot write the ingress binding: %s", strerror(errno));
	return 0;
}

LATEBIND_API int latebind_bind(struct latebind_pool *p, uint32_t slot, uint32_t vni,
			       const uint8_t *mac)
{
	struct lb_ingress_key key, old_key;
	struct lb_egress_val *rec;
	uint32_t dummy, old, word;
	bool inserted, had_old;
	unsigned int sel;
	int err;

	err = check_bind_args(p, slot, vni, mac);
	if (err)
		return err;
	err = lock_pool(p);
	if (err)
		return err;
	dummy = p->info.dummy_base + slot;
	rec = &p->egress[slot];
	old = load_binding(p, slot);
	had_old = old & LB_EGRESS_BOUND;
	if (had_old)
		make_key(p, lb_binding_vni(old), bound_mac(p, slot, old), &old_key);
	make_key(p, vni, mac, &key);

	/* 1. The ingress entry: traffic can come back before it goes out. */
	err = claim_key(p, &key, dummy, &inserted);
	if (!err && mac)
		err = enable_mac_lookup(p);
	if (err) {
		if (inserted)
			bpf_map_delete_elem(p->ingress_fd, &key);
		goto out;
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
out:
	unlock_pool(p);
	return err;
}

LATEBIND_API int latebind_unbind(struct latebind_pool *p, uint32_t slot)
{
	struct lb_ingress_key key;
	uint32_t old;
	int err;

	if (slot >= p->info.count)
		return lb_err(-EINVAL, "slot %u is outside the pool (0-%u)", slot, p->info.count - 1);
	err = lock_pool(p);
	if (err)
		return err;
	old = load_binding(p, slot);
	if (old & LB_EGRESS_BOUND) {
		make_key(p, lb_binding_vni(old), bound_mac(p, slot, old), &key);
		/* Egress first: from here the tunnel is closed both ways. */
		__atomic_store_n(&p->egress[slot].binding, 0, __ATOMIC_RELEASE);
		drop_entry_of(p, &key);
	}
	unlock_pool(p);
	return 0;
}

/* --- reading --------------------------------------------------------------- */

/* Are the underlay's programs first, the nftables chains whole, every tunnel guarded? */
static void guard_health(struct latebind_pool *p, const struct latebind_dp_status *st,
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
	struct latebind_dp_status st;
	char name[IF_NAMESIZE] = "";

	memset(o, 0, sizeof(*o));
	o->underlay_ifindex = p->underlay_ifindex;
	if (if_indextoname(p->underlay_ifindex, name))
		snprintf(o->underlay, sizeof(o->underlay), "%s", name);
	o->type = p->info.type;
	o->remote.family = p->info.family;
	memcpy(o->remote.bytes, p->info.remote, 16);
	if (p->info.has_local) {
		o->local.family = p->info.family;
		memcpy(o->local.bytes, p->info.local, 16);
	}
	o->dstport = p->info.dstport;
	o->udp_csum = p->info.udp_csum;
	o->ipv6 = p->info.flags & LB_POOL_F_IPV6;
	snprintf(o->prefix, sizeof(o->prefix), "%.15s", p->info.prefix);
	o->count = p->info.count;
	o->dummy_base = p->info.dummy_base;
	if (name[0] && !latebind_dp_status(name, &st)) {
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
	if (t->ifindex && !if_indextoname(t->ifindex, t->name))
		t->name[0] = 0;
	t->dummy_vni = p->info.dummy_base + slot;
	word = load_binding(p, slot);
	t->bound = word & LB_EGRESS_BOUND;
	if (!t->bound)
		return 0;
	t->vni = lb_binding_vni(word);
	mac = bound_mac(p, slot, word);
	if (mac) {
		t->has_mac = true;
		memcpy(t->inner_mac, mac, 6);
	}
	make_key(p, t->vni, mac, &key);
	t->ingress_ok = !bpf_map_lookup_elem(p->ingress_fd, &key, &v) && v.dummy_vni == t->dummy_vni;
	return 0;
}

LATEBIND_API int latebind_pool_leftovers(struct latebind_pool *p, uint32_t *count)
{
	struct lb_ingress_key key, next;
	struct lb_ingress_val v;
	void *prev = NULL;

	*count = 0;
	while (!bpf_map_get_next_key(p->ingress_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(p->ingress_fd, &key, &v))
			continue; /* deleted meanwhile */
		uint32_t slot = v.dummy_vni - p->info.dummy_base;

		if (slot < p->info.count && !slot_owns(p, slot, &key))
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
				       struct lb_tun_stats *st)
{
	uint64_t w[4];
	int err;

	if (slot >= p->info.count)
		return lb_err(-EINVAL, "slot %u is outside the pool", slot);
	err = percpu_sum(p->stats_fd, slot, 4, w);
	if (err)
		return err;
	st->tx_packets = w[0];
	st->tx_bytes = w[1];
	st->rx_packets = w[2];
	st->rx_bytes = w[3];
	return 0;
}

LATEBIND_API int latebind_pool_drops(struct latebind_pool *p, uint64_t drops[LB_DROP_REASONS])
{
	for (uint32_t r = 0; r < LB_DROP_REASONS; r++) {
		int err = percpu_sum(p->drops_fd, r, 1, &drops[r]);

		if (err)
			return err;
	}
	return 0;
}

LATEBIND_API int latebind_pool_map_fd(struct latebind_pool *p, const char *name)
{
	static const char *const names[] = { "lb_config", "lb_egress_bind", "lb_ingress_bind",
					     "lb_tun_stats", "lb_drop_stats" };
	int fds[] = { p->config_fd, p->egress_fd, p->ingress_fd, p->stats_fd, p->drops_fd };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return fds[i];
	return -1;
}
