// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <bpf/bpf.h>
#include "itab.h"

static int first_of(int cfg_fd, const struct lb_ingress_key *key, uint32_t first[2])
{
	struct lb_ingress_ent want = { .key = *key };
	struct lb_config cfg;
	uint32_t zero = 0;

	if (bpf_map_lookup_elem(cfg_fd, &zero, &cfg))
		return -errno;
	lb_ingress_buckets(lb_ingress_hash(want.w, cfg.ingress_seed), cfg.ingress_buckets, first);
	return 0;
}

/* @key's entry (@room false) or the first empty one (@room true). */
static int scan(int tab, int cfg, const struct lb_ingress_key *key, bool room,
		struct lb_ingress_ent *out)
{
	uint32_t first[2];
	int err = first_of(cfg, key, first);

	if (err)
		return err;
	for (int b = 0; b < 2; b++)
		for (uint32_t i = 0; i < LB_INGRESS_WAYS; i++) {
			uint32_t idx = first[b] + i;
			struct lb_ingress_ent e;

			if (bpf_map_lookup_elem(tab, &idx, &e))
				return -errno;
			if (room ? !e.key.family
				 : key->family && !memcmp(&e.key, key, sizeof(*key))) {
				if (out)
					*out = e;
				return (int)idx;
			}
		}
	return room ? -ENOSPC : -ENOENT;
}

int itab_find(int tab, int cfg, const struct lb_ingress_key *key, struct lb_ingress_ent *e)
{
	return scan(tab, cfg, key, false, e);
}

int itab_put(int tab, int cfg, const struct lb_ingress_key *key, uint32_t dummy)
{
	struct lb_ingress_ent e = { .key = *key, .dummy_vni = dummy };
	int idx = scan(tab, cfg, key, false, NULL);
	uint32_t i;

	if (idx == -ENOENT)
		idx = scan(tab, cfg, key, true, NULL);
	if (idx < 0)
		return idx;
	i = (uint32_t)idx;
	return bpf_map_update_elem(tab, &i, &e, BPF_EXIST) ? -errno : idx;
}

int itab_del(int tab, int cfg, const struct lb_ingress_key *key)
{
	struct lb_ingress_ent empty = {};
	int idx = scan(tab, cfg, key, false, NULL);
	uint32_t i;

	if (idx < 0)
		return idx;
	i = (uint32_t)idx;
	return bpf_map_update_elem(tab, &i, &empty, BPF_EXIST) ? -errno : 0;
}

int itab_count(int tab)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);
	int n = 0;

	if (bpf_obj_get_info_by_fd(tab, &info, &len))
		return -errno;
	for (uint32_t i = 0; i < info.max_entries; i++) {
		struct lb_ingress_ent e;

		if (bpf_map_lookup_elem(tab, &i, &e))
			return -errno;
		n += !!e.key.family;
	}
	return n;
}
