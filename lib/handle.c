// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The pool handle: a pool opened from its pins. Opening maps the pinned maps;
 * binds then touch those maps only (lib/bind.c), reads too (lib/show.c).
 *
 * A handle outlives nothing: once its pool is destroyed, every call that
 * writes returns -ESTALE and writes nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "internal.h"
#include "handle.h"
#include "slotns.h"
#include "slots.h"

static struct latebind_pool *handle_new(void)
{
	struct latebind_pool *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	pthread_mutex_init(&p->mu, NULL);
	p->dir_fd = -1;
	for (int i = 0; i < LB_MAP_COUNT; i++)
		p->fd[i] = -1;
	return p;
}

LATEBIND_API void latebind_pool_close(struct latebind_pool *p)
{
	if (!p)
		return;
	if (p->egress)
		munmap((void *)p->egress, p->egress_len);
	lb_itab_unmap(&p->ingress);
	if (p->lock)
		munmap(p->lock, sizeof(*p->lock));
	for (int i = 0; i < LB_MAP_COUNT; i++)
		if (p->fd[i] >= 0)
			close(p->fd[i]);
	if (p->dir_fd >= 0)
		close(p->dir_fd);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* Read the pool's settings and map its egress records (its slots). */
static int load_pool(struct latebind_pool *p)
{
	uint32_t zero = 0;
	void *m;

	if (p->fd[LB_MAP_POOL] >= 0 && bpf_map_lookup_elem(p->fd[LB_MAP_POOL], &zero, &p->info))
		return lb_err(-errno, "cannot read %s/lb_pool: %s", p->dir, strerror(errno));
	if ((p->info.flags & LB_POOL_F_TAPS) &&
	    (p->fd[LB_MAP_SLOTS] < 0 || p->fd[LB_MAP_SLOT_TAP] < 0 || p->fd[LB_MAP_TAP_SLOT] < 0 ||
	     bpf_map_lookup_elem(p->fd[LB_MAP_SLOTS], &zero, &p->slots)))
		return lb_err(-EINVAL, "the pool pinned in %s has taps but not its slot maps",
			      p->dir);
	if (bpf_map_lookup_elem(p->fd[LB_MAP_CONFIG], &zero, &p->cfg))
		return lb_err(-errno, "cannot read lb_config: %s", strerror(errno));
	if (!p->info.count || p->info.count > LB_DUMMY_RANGE_MAX ||
	    p->cfg.dummy_min != p->info.dummy_base ||
	    p->cfg.dummy_max != p->info.dummy_base + p->info.count - 1)
		return lb_err(-EINVAL, "the pool pinned in %s is inconsistent", p->dir);
	p->egress_len = (size_t)p->info.count * sizeof(struct lb_egress_val);
	m = mmap(NULL, p->egress_len, PROT_READ | PROT_WRITE, MAP_SHARED, p->fd[LB_MAP_EGRESS], 0);
	if (m == MAP_FAILED)
		return lb_err(-errno, "cannot map the pool's maps: %s", strerror(errno));
	p->egress = m;
	if (p->dir_fd >= 0) { /* a scratch pool is this process's alone: no lock */
		m = mmap(NULL, sizeof(*p->lock), PROT_READ | PROT_WRITE, MAP_SHARED,
			 p->fd[LB_MAP_LOCK], 0);
		if (m == MAP_FAILED)
			return lb_err(-errno, "cannot map the pool's lock: %s", strerror(errno));
		p->lock = m;
	}
	return lb_itab_map(p->fd[LB_MAP_INGRESS], &p->cfg, &p->ingress);
}

/*
 * A pool pinned by a latebind of another datapath ABI (its lb_pool.version;
 * 0 is a create still running) has other maps: say so, rather than that a
 * map is missing.
 */
static int check_abi(const char *pool_pin)
{
	struct lb_pool_info info;
	uint32_t zero = 0;
	int fd = bpf_obj_get(pool_pin), err = 0;

	if (fd < 0)
		return 0; /* the map loop reports it */
	if (!bpf_map_lookup_elem(fd, &zero, &info) && info.version &&
	    info.version != LB_ABI_VERSION)
		err = lb_err(-EPROTO, "the pool pinned in %.*s was made by a latebind of datapath ABI "
			     "%u; this one speaks %u: destroy it with the latebind that made it, "
			     "then create it again", (int)(strlen(pool_pin) - strlen("/lb_pool")),
			     pool_pin, info.version, LB_ABI_VERSION);
	close(fd);
	return err;
}

int lb_pool_open_dir(const char *dir, unsigned int underlay, struct latebind_pool **out)
{
	struct latebind_pool *p = handle_new();
	char path[LB_PATH_MAX + 16];
	int err = 0;

	*out = NULL;
	if (!p)
		return lb_err(-ENOMEM, "out of memory");
	snprintf(p->dir, sizeof(p->dir), "%s", dir);
	p->underlay_ifindex = underlay;
	p->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(path, sizeof(path), "%s/lb_pool", dir);
	if (p->dir_fd < 0 || access(path, F_OK)) {
		err = -ENOENT; /* a bare datapath, or nothing */
		goto fail;
	}
	err = check_abi(path);
	for (int i = 0; i < LB_MAP_COUNT && !err; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, lb_map_names[i]);
		p->fd[i] = bpf_obj_get(path);
		if (p->fd[i] < 0 && !(errno == ENOENT && lb_map_optional(i)))
			err = lb_err(-errno, "cannot open %s: %s", path, strerror(errno));
	}
	if (!err)
		err = load_pool(p);
	if (err)
		goto fail;
	*out = p;
	return 0;
fail:
	latebind_pool_close(p);
	return err;
}

LATEBIND_API int latebind_pool_open_scratch(uint32_t count, const struct latebind_addr *remote,
					    struct latebind_pool **out)
{
	struct latebind_datapath_config cfg;
	struct latebind_datapath *dp = NULL;
	struct latebind_pool *p;
	int err = 0;

	*out = NULL;
	if (!remote->family)
		return lb_err(-EINVAL, "the remote address is missing");
	latebind_datapath_config_init(&cfg);
	cfg.dummy_count = count;
	cfg.dummy_base = LB_VNI_MAX + 1 - count;
	err = latebind_datapath_open(&cfg, &dp);
	if (err)
		return err;
	p = handle_new();
	if (!p) {
		latebind_datapath_close(dp);
		return lb_err(-ENOMEM, "out of memory");
	}
	for (int i = 0; i < LB_MAPS_DATAPATH && !err; i++) {
		p->fd[i] = fcntl(lb_datapath_map_fd(dp, lb_map_names[i]), F_DUPFD_CLOEXEC, 3);
		if (p->fd[i] < 0)
			err = lb_err(-errno, "cannot set up a scratch pool: %s", strerror(errno));
	}
	latebind_datapath_close(dp);
	p->info.version = LB_ABI_VERSION;
	p->info.type = LATEBIND_VXLAN;
	p->info.family = remote->family;
	memcpy(p->info.remote, remote->bytes, 16);
	p->info.count = count;
	p->info.dummy_base = cfg.dummy_base;
	snprintf(p->info.prefix, sizeof(p->info.prefix), "scratch");
	snprintf(p->dir, sizeof(p->dir), "(scratch)");
	if (!err)
		err = load_pool(p);
	if (err) {
		latebind_pool_close(p);
		return err;
	}
	*out = p;
	return 0;
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

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
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
	if (!d && errno == ENOENT)
		return 0; /* no pool was ever made in this namespace */
	if (!d)
		return lb_err(-errno, "cannot read the pools' pins in %s: %s", dir, strerror(errno));
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
	if (*n)
		qsort(list, *n, sizeof(*list), cmp_uint);
	*out = list;
	return 0;
}

/*
 * The slot of device @name (@ifindex here, 0 if none by that name): a tunnel
 * of the pool or a slot's tap, or by its name one living in its slot's
 * namespace.
 */
static bool pool_has(const struct latebind_pool *p, unsigned int ifindex, const char *name,
		     uint32_t *slot)
{
	/* A slot namespace's ifindexes are its own: there, only names mean something. */
	for (uint32_t i = 0; ifindex && !lb_slotns(p) && i < p->info.count; i++) {
		if (lb_slot_ifindex(p, i) == ifindex) {
			*slot = i;
			return true;
		}
	}
	return (ifindex && lb_pool_has_tap(p, ifindex, slot)) || lb_slotns_slot_of(p, name, slot);
}

/* @name's ifindex here, or 0: a slot's device may live in its own namespace. */
static int resolve_name(const char *name, unsigned int *ifindex)
{
	*ifindex = 0;
	if (strlen(name) >= IF_NAMESIZE)
		return lb_err(-EINVAL, "device name \"%s\" is too long", name);
	*ifindex = if_nametoindex(name);
	return 0;
}

LATEBIND_API int latebind_pool_open_tunnel(const char *tunnel, struct latebind_pool **out,
					   uint32_t *slot_out)
{
	unsigned int ifindex, *pools;
	size_t n;
	int err = resolve_name(tunnel, &ifindex);

	*out = NULL;
	if (!err)
		err = lb_ensure_bpffs();
	if (!err)
		err = latebind_pool_list(&pools, &n);
	if (err)
		return err;
	char other_abi[LB_PATH_MAX + 160] = "";

	for (size_t i = 0; i < n && !*out; i++) {
		struct latebind_pool *p;
		char dir[LB_PATH_MAX];
		uint32_t slot;

		if (lb_pin_dir_of(pools[i], dir, sizeof(dir)))
			continue;
		err = lb_pool_open_dir(dir, pools[i], &p);
		if (err == -EPROTO) /* another ABI's pool: keep its message */
			snprintf(other_abi, sizeof(other_abi), "%s", latebind_last_error());
		if (err)
			continue;
		if (pool_has(p, ifindex, tunnel, &slot)) {
			*out = p;
			if (slot_out)
				*slot_out = slot;
		} else
			latebind_pool_close(p);
	}
	free(pools);
	if (*out)
		return 0;
	if (other_abi[0] && ifindex)
		return lb_err(-EPROTO, "%s is not a tunnel of a pool this latebind can open; %s",
			      tunnel, other_abi);
	return ifindex ? lb_err(-ENOENT, "%s is not a latebind pool tunnel or tap", tunnel)
		       : lb_err(-ENODEV, "no device \"%s\" in this network namespace, nor a slot "
				"of that name in a namespace of its own", tunnel);
}

LATEBIND_API int latebind_pool_slot(struct latebind_pool *p, const char *name, uint32_t *slot)
{
	unsigned int ifindex;
	int err = lb_pool_check_live(p);

	if (!err)
		err = resolve_name(name, &ifindex);
	if (err)
		return err;
	if (!pool_has(p, ifindex, name, slot))
		return ifindex ? lb_err(-ENOENT, "%s is not a tunnel or tap of the pool in %s", name,
					p->dir)
			       : lb_err(-ENODEV, "no device \"%s\" in this network namespace, nor a "
					"slot of that name in a namespace of its own", name);
	return 0;
}

LATEBIND_API int latebind_pool_map_fd(struct latebind_pool *p, const char *name)
{
	for (int i = 0; i < LB_MAP_COUNT; i++)
		if (!strcmp(name, lb_map_names[i]))
			return p->fd[i];
	return -1;
}

/* --- liveness and the writers' lock --------------------------------------- */

/*
 * Destroy removes the pin directory; a directory's link count drops to 0
 * when it is removed, and a pool created again gets a new one. So one fstat
 * of the directory this handle opened tells whether its pool still exists.
 */
int lb_pool_check_live(const struct latebind_pool *p)
{
	struct stat st;

	if (p->dir_fd < 0)
		return 0;
	if (fstat(p->dir_fd, &st))
		return lb_err(-errno, "cannot stat the pool's pins: %s", strerror(errno));
	if (!st.st_nlink)
		return lb_err(-ESTALE, "the pool this handle opened (%s) was destroyed: "
			      "open it again", p->dir);
	return 0;
}

int lb_pool_lock(struct latebind_pool *p)
{
	int err;

	if (p->dir_fd < 0)
		return 0;
	pthread_mutex_lock(&p->mu);
	err = lb_word_lock(p->lock, lb_bind_lock_timeout(), "the pool's lock");
	if (err)
		pthread_mutex_unlock(&p->mu);
	return err;
}

/*
 * Removing a pool's pins first zeroes every slot's ifindex in the egress
 * records (lb_remove_pins), which this handle maps: a slot with a device is
 * live without a syscall; only a zero sends us to the directory's link count.
 */
int lb_pool_check_slot(const struct latebind_pool *p, uint32_t slot)
{
	return lb_slot_ifindex(p, slot) ? 0 : lb_pool_check_live(p);
}

void lb_pool_unlock(struct latebind_pool *p)
{
	if (p->dir_fd < 0)
		return;
	lb_word_unlock(p->lock, "the pool's lock");
	pthread_mutex_unlock(&p->mu);
}

/* --- shared by bind and show ------------------------------------------------ */

void lb_make_key(const struct latebind_pool *p, uint32_t vni, const uint8_t *mac,
		 struct lb_ingress_key *k)
{
	memset(k, 0, sizeof(*k));
	k->vni = vni;
	k->family = p->info.family;
	memcpy(k->remote, p->info.remote, p->info.family == LB_AF_INET ? 4 : 16);
	if (mac)
		memcpy(k->inner_mac, mac, 6);
}

bool lb_slot_owns(const struct latebind_pool *p, uint32_t slot, const struct lb_ingress_key *k)
{
	uint32_t word = lb_load_binding(p, slot);
	const uint8_t *mac;

	if (!(word & LB_EGRESS_BOUND) || lb_binding_vni(word) != k->vni)
		return false;
	mac = lb_bound_mac(p, slot, word);
	return mac ? !memcmp(mac, k->inner_mac, 6) : lb_mac_is_zero(k->inner_mac);
}
