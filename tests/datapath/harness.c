// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "latebind.skel.h"
#include "harness.h"

struct dp_harness {
	struct latebind_bpf *skel;
	struct lb_ingress_ent *itab; /* mmap of lb_ingress_tab */
	size_t itab_len;
	struct lb_config cfg; /* as last set: egress slots are relative to dummy_min */
	int ncpus;
};

void dp_default_config(struct lb_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->version = LB_ABI_VERSION;
	cfg->dummy_min = LB_DUMMY_MIN_DEFAULT;
	cfg->dummy_max = LB_DUMMY_MAX_DEFAULT;
	cfg->geneve_port = LB_GENEVE_PORT_DEFAULT;
	cfg->vxlan_port = LB_VXLAN_PORT_DEFAULT;
	cfg->ingress_seed = DP_INGRESS_SEED;
	cfg->ingress_buckets = LB_BINDINGS_MAX / LB_INGRESS_WAYS; /* the object's size */
}

struct dp_harness *dp_open(void)
{
	struct dp_harness *h = calloc(1, sizeof(*h));
	struct lb_config cfg;

	if (!h)
		return NULL;
	h->ncpus = libbpf_num_possible_cpus();
	h->skel = latebind_bpf__open_and_load();
	if (!h->skel || h->ncpus <= 0) {
		free(h);
		return NULL;
	}
	h->itab_len = (size_t)bpf_map__max_entries(h->skel->maps.lb_ingress_tab) *
		      sizeof(struct lb_ingress_ent);
	h->itab = mmap(NULL, h->itab_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       bpf_map__fd(h->skel->maps.lb_ingress_tab), 0);
	if (h->itab == MAP_FAILED)
		h->itab = NULL;
	dp_default_config(&cfg);
	if (!h->itab || dp_set_config(h, &cfg)) {
		dp_close(h);
		return NULL;
	}
	return h;
}

void dp_close(struct dp_harness *h)
{
	if (!h)
		return;
	if (h->itab)
		munmap(h->itab, h->itab_len);
	latebind_bpf__destroy(h->skel);
	free(h);
}

static int fd_of(const struct bpf_map *m)
{
	return bpf_map__fd(m);
}

int dp_set_config(struct dp_harness *h, const struct lb_config *cfg)
{
	uint32_t zero = 0;

	if (bpf_map_update_elem(fd_of(h->skel->maps.lb_config), &zero, cfg, BPF_ANY))
		return -errno;
	h->cfg = *cfg;
	return 0;
}

static int egress_slot(struct dp_harness *h, uint32_t dummy, uint32_t *idx)
{
	if (dummy < h->cfg.dummy_min || dummy > h->cfg.dummy_max ||
	    dummy - h->cfg.dummy_min >= bpf_map__max_entries(h->skel->maps.lb_egress_bind))
		return -ERANGE;
	*idx = dummy - h->cfg.dummy_min;
	return 0;
}

int dp_set_egress_val(struct dp_harness *h, uint32_t dummy, const struct lb_egress_val *val)
{
	uint32_t idx;
	int err = egress_slot(h, dummy, &idx);

	if (err)
		return err;
	return bpf_map_update_elem(fd_of(h->skel->maps.lb_egress_bind), &idx, val, BPF_ANY) ? -errno : 0;
}

int dp_get_egress_val(struct dp_harness *h, uint32_t dummy, struct lb_egress_val *val)
{
	uint32_t idx;
	int err = egress_slot(h, dummy, &idx);

	if (err)
		return err;
	return bpf_map_lookup_elem(fd_of(h->skel->maps.lb_egress_bind), &idx, val) ? -errno : 0;
}

int dp_set_egress_word(struct dp_harness *h, uint32_t dummy, uint32_t word)
{
	struct lb_egress_val v = { .binding = word };

	return dp_set_egress_val(h, dummy, &v);
}

int dp_bind_egress(struct dp_harness *h, uint32_t dummy, uint32_t vni)
{
	return dp_set_egress_word(h, dummy, LB_EGRESS_BOUND | vni);
}

int dp_unbind_egress(struct dp_harness *h, uint32_t dummy)
{
	return dp_set_egress_word(h, dummy, 0);
}

int dp_egress_map_fd(struct dp_harness *h)
{
	return fd_of(h->skel->maps.lb_egress_bind);
}

void dp_ingress_first(const struct dp_harness *h, const struct lb_ingress_key *key,
		      uint32_t first[2])
{
	struct lb_ingress_ent want = { .key = *key };

	lb_ingress_buckets(lb_ingress_hash(want.w, h->cfg.ingress_seed), h->cfg.ingress_buckets,
			   first);
}

int dp_set_ingress_ent(struct dp_harness *h, uint32_t idx, const struct lb_ingress_ent *e)
{
	if ((size_t)idx * sizeof(*e) >= h->itab_len)
		return -ERANGE;
	memcpy(&h->itab[idx], e, sizeof(*e));
	return 0;
}

int dp_get_ingress_ent(struct dp_harness *h, uint32_t idx, struct lb_ingress_ent *e)
{
	if ((size_t)idx * sizeof(*e) >= h->itab_len)
		return -ERANGE;
	memcpy(e, &h->itab[idx], sizeof(*e));
	return 0;
}

/* The entry holding @key (DP_FIND_KEY) or the first empty one (DP_FIND_ROOM), or -1. */
enum { DP_FIND_KEY, DP_FIND_ROOM };
static int64_t ingress_find(struct dp_harness *h, const struct lb_ingress_key *key, int what)
{
	uint32_t first[2];

	dp_ingress_first(h, key, first);
	for (int b = 0; b < 2; b++)
		for (uint32_t i = 0; i < LB_INGRESS_WAYS; i++) {
			const struct lb_ingress_ent *e = &h->itab[first[b] + i];

			if ((size_t)(first[b] + i) * sizeof(*e) >= h->itab_len)
				return -1;
			if (what == DP_FIND_KEY ? key->family && !memcmp(&e->key, key, sizeof(*key))
						: !e->key.family)
				return first[b] + i;
		}
	return -1;
}

int dp_bind_ingress(struct dp_harness *h, const struct lb_ingress_key *key, uint32_t dummy)
{
	int64_t i = ingress_find(h, key, DP_FIND_KEY);
	struct lb_ingress_ent e = { .key = *key, .dummy_vni = dummy };

	if (i < 0)
		i = ingress_find(h, key, DP_FIND_ROOM);
	if (i < 0)
		return -ENOSPC;
	return dp_set_ingress_ent(h, (uint32_t)i, &e);
}

int dp_unbind_ingress(struct dp_harness *h, const struct lb_ingress_key *key)
{
	int64_t i = ingress_find(h, key, DP_FIND_KEY);
	struct lb_ingress_ent empty = {};

	return i < 0 ? -ENOENT : dp_set_ingress_ent(h, (uint32_t)i, &empty);
}

static int clear_hash(int fd)
{
	unsigned char key[64];

	/* Deleting the first key each round avoids iterating a changing map. */
	while (!bpf_map_get_next_key(fd, NULL, key))
		if (bpf_map_delete_elem(fd, key))
			return -errno;
	return 0;
}

/* One batched syscall: a reset must stay cheap for the fuzz loop. */
static int zero_array(int fd, uint32_t entries, size_t value_size, int ncpus)
{
	size_t sz = ((value_size + 7) & ~7UL) * ncpus;
	void *vals = calloc(entries, sz);
	uint32_t *keys = calloc(entries, sizeof(*keys));
	uint32_t count = entries;
	int err = 0;

	if (!vals || !keys) {
		err = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < entries; i++)
		keys[i] = i;
	if (bpf_map_update_batch(fd, keys, vals, &count, NULL))
		err = -errno;
out:
	free(vals);
	free(keys);
	return err;
}

int dp_reset(struct dp_harness *h)
{
	struct latebind_bpf *s = h->skel;
	int err;

	err = zero_array(fd_of(s->maps.lb_egress_bind), bpf_map__max_entries(s->maps.lb_egress_bind),
			 sizeof(struct lb_egress_val), 1);
	memset(h->itab, 0, h->itab_len);
	if (!err)
		err = clear_hash(fd_of(s->maps.lb_tun_slot));
	if (!err)
		err = clear_hash(fd_of(s->maps.lb_tap_slot));
	if (!err)
		err = zero_array(fd_of(s->maps.lb_slot_tap), bpf_map__max_entries(s->maps.lb_slot_tap),
				 sizeof(uint32_t), 1);
	if (!err)
		err = zero_array(fd_of(s->maps.lb_drop_stats), LB_DROP_SLOTS, sizeof(uint64_t),
				 h->ncpus);
	if (!err)
		err = zero_array(fd_of(s->maps.lb_tun_stats), bpf_map__max_entries(s->maps.lb_tun_stats),
				 sizeof(struct lb_tun_stats), h->ncpus);
	return err;
}

int dp_prog_fd(struct dp_harness *h, enum dp_dir dir)
{
	return bpf_program__fd(dir == DP_EGRESS ? h->skel->progs.lb_egress : h->skel->progs.lb_ingress);
}

int dp_run(struct dp_harness *h, enum dp_dir dir, const void *in, size_t len, void *out,
	   size_t *out_len, int *verdict)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = len, .data_out = out,
		    .data_size_out = DP_MAX_PKT, .repeat = 1);

	if (bpf_prog_test_run_opts(dp_prog_fd(h, dir), &opts))
		return -errno;
	*out_len = opts.data_size_out;
	*verdict = (int)opts.retval;
	return 0;
}

static int prog_fd_of(struct dp_harness *h, int prog)
{
	switch (prog) {
	case DP_TUN_EGRESS:
		return bpf_program__fd(h->skel->progs.lb_tun_egress);
	case DP_TUN_INGRESS:
		return bpf_program__fd(h->skel->progs.lb_tun_ingress);
	case DP_TAP_INGRESS:
		return bpf_program__fd(h->skel->progs.lb_tap_ingress);
	case DP_TAP_EGRESS:
		return bpf_program__fd(h->skel->progs.lb_tap_egress);
	default:
		return dp_prog_fd(h, prog);
	}
}

int dp_run_mark(struct dp_harness *h, int prog, const void *in, size_t len, void *out,
		size_t *out_len, int *verdict, uint32_t *mark, uint32_t *prio)
{
	struct __sk_buff ctx = { .mark = *mark, .priority = *prio };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = len, .data_out = out,
		    .data_size_out = DP_MAX_PKT, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		    .ctx_out = &ctx, .ctx_size_out = sizeof(ctx), .repeat = 1);

	if (bpf_prog_test_run_opts(prog_fd_of(h, prog), &opts))
		return -errno;
	*out_len = opts.data_size_out;
	*verdict = (int)opts.retval;
	*mark = ctx.mark;
	*prio = ctx.priority;
	return 0;
}

int dp_set_tun_slot(struct dp_harness *h, uint32_t ifindex, uint32_t slot)
{
	return bpf_map_update_elem(fd_of(h->skel->maps.lb_tun_slot), &ifindex, &slot, BPF_ANY)
		       ? -errno : 0;
}

int dp_set_tap(struct dp_harness *h, uint32_t ifindex, uint32_t slot)
{
	if (bpf_map_update_elem(fd_of(h->skel->maps.lb_tap_slot), &ifindex, &slot, BPF_ANY) ||
	    bpf_map_update_elem(fd_of(h->skel->maps.lb_slot_tap), &slot, &ifindex, BPF_ANY))
		return -errno;
	return 0;
}

int dp_time_prog(int prog_fd, const void *in, size_t len, uint32_t repeat, uint32_t *ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = len, .repeat = repeat);

	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	*ns = opts.duration;
	return 0;
}

int dp_tun_stats(struct dp_harness *h, uint32_t idx, struct lb_tun_stats *sum)
{
	struct lb_tun_stats v[h->ncpus];

	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(fd_of(h->skel->maps.lb_tun_stats), &idx, v))
		return -errno;
	for (int i = 0; i < h->ncpus; i++) {
		sum->tx_packets += v[i].tx_packets;
		sum->tx_bytes += v[i].tx_bytes;
		sum->rx_packets += v[i].rx_packets;
		sum->rx_bytes += v[i].rx_bytes;
	}
	return 0;
}

int dp_drop_stats(struct dp_harness *h, uint32_t reason, uint64_t *sum)
{
	uint64_t v[h->ncpus];

	*sum = 0;
	if (bpf_map_lookup_elem(fd_of(h->skel->maps.lb_drop_stats), &reason, v))
		return -errno;
	for (int i = 0; i < h->ncpus; i++)
		*sum += v[i];
	return 0;
}

void dp_ingress_key(struct lb_ingress_key *key, uint32_t vni, int family, const void *addr,
		    const uint8_t *mac)
{
	memset(key, 0, sizeof(*key));
	key->vni = vni;
	key->family = family;
	memcpy(key->remote, addr, family == LB_AF_INET ? 4 : 16);
	if (mac)
		memcpy(key->inner_mac, mac, 6);
}
