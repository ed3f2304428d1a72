// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Loading and configuring the datapath; the BPF object is embedded. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "latebind.skel.h"
#include "internal.h"
#include "ingress.h"

static int libbpf_to_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	if (n && msg[n - 1] == '\n')
		msg[n - 1] = 0;
	lb_log(level == LIBBPF_WARN ? LATEBIND_LOG_WARN : LATEBIND_LOG_DEBUG, "%s", msg);
	return 0;
}

/*
 * libbpf's print function is process-wide and the host application's to
 * set: the library changes it only when asked to, here.
 */
LATEBIND_API void latebind_route_libbpf_log(bool route)
{
	static libbpf_print_fn_t before;
	static bool routed;

	if (route && !routed)
		before = libbpf_set_print(libbpf_to_log);
	else if (!route && routed)
		libbpf_set_print(before);
	routed = route;
}

LATEBIND_API int latebind_datapath_open(const struct latebind_datapath_config *cfg,
					struct latebind_datapath **out)
{
	int err = latebind_datapath_config_check(cfg);

	*out = NULL;
	return err ? err : lb_datapath_load(cfg, out);
}

/* Load and configure; @cfg is checked by the caller. */
int lb_datapath_load(const struct latebind_datapath_config *cfg, struct latebind_datapath **out)
{
	struct latebind_datapath *dp;
	uint32_t zero = 0;
	int err;

	*out = NULL;

	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return lb_err(-ENOMEM, "out of memory");
	dp->cfg = *cfg;

	dp->skel = latebind_bpf__open();
	if (!dp->skel) {
		err = lb_err(-errno, "cannot open the BPF object: %s", strerror(errno));
		goto fail;
	}
	/* One binding and one counter slot per dummy VNI, no more. */
	err = bpf_map__set_max_entries(dp->skel->maps.lb_egress_bind, cfg->dummy_count);
	if (!err)
		err = bpf_map__set_max_entries(dp->skel->maps.lb_tun_stats, cfg->dummy_count);
	if (!err)
		err = bpf_map__set_max_entries(dp->skel->maps.lb_tun_slot, cfg->dummy_count);
	if (!err)
		err = bpf_map__set_max_entries(dp->skel->maps.lb_slot_tap, cfg->dummy_count);
	if (!err)
		err = bpf_map__set_max_entries(dp->skel->maps.lb_tap_slot, cfg->dummy_count);
	/* Every tunnel's key, plus room for rebinds and leftovers (abi.h). */
	if (!err)
		err = bpf_map__set_max_entries(dp->skel->maps.lb_ingress_tab,
					       lb_itab_buckets_for(cfg->dummy_count) *
					       LB_INGRESS_WAYS);
	if (err) {
		lb_err(err, "cannot size the per-tunnel maps: %s", strerror(-err));
		goto fail;
	}
	err = latebind_bpf__load(dp->skel);
	if (err) {
		lb_err(err, "the kernel refused the datapath programs: %s", strerror(-err));
		goto fail;
	}
	lb_config_to_abi(cfg, &dp->abi);
	if (bpf_map_update_elem(bpf_map__fd(dp->skel->maps.lb_config), &zero, &dp->abi,
				BPF_ANY)) {
		err = lb_err(-errno, "cannot write lb_config: %s", strerror(errno));
		goto fail;
	}
	*out = dp;
	return 0;
fail:
	latebind_datapath_close(dp);
	return err;
}

LATEBIND_API void latebind_datapath_close(struct latebind_datapath *dp)
{
	if (!dp)
		return;
	latebind_bpf__destroy(dp->skel);
	free(dp);
}

static const struct bpf_program *prog_of(const struct latebind_datapath *dp,
					 enum latebind_dir dir)
{
	return dir == LATEBIND_EGRESS ? dp->skel->progs.lb_egress : dp->skel->progs.lb_ingress;
}

LATEBIND_API int latebind_datapath_prog_id(const struct latebind_datapath *dp,
					   enum latebind_dir dir, uint32_t *id)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog_of(dp, dir)), &info, &len))
		return lb_err(-errno, "cannot read program info: %s", strerror(errno));
	*id = info.id;
	return 0;
}

LATEBIND_API int latebind_datapath_test_run(struct latebind_datapath *dp, enum latebind_dir dir,
					    const void *in, size_t len, void *out, size_t *out_len,
					    int *verdict)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = len, .data_out = out,
		    .data_size_out = len, .repeat = 1);

	if (bpf_prog_test_run_opts(bpf_program__fd(prog_of(dp, dir)), &opts))
		return lb_err(-errno, "test run failed: %s", strerror(errno));
	*out_len = opts.data_size_out;
	*verdict = (int)opts.retval;
	return 0;
}

LATEBIND_API int latebind_datapath_bind(struct latebind_datapath *dp, uint32_t dummy,
					uint32_t vni, const struct latebind_addr *remote,
					const uint8_t *inner_mac)
{
	struct lb_egress_val ev = { .binding = LB_EGRESS_BOUND | vni };
	struct lb_ingress_key key = { .vni = vni };
	uint32_t slot = dummy - dp->cfg.dummy_base;
	struct lb_ingress_ent *e;
	struct lb_itab t;
	int err = lb_vni_check(vni, dp->cfg.dummy_base, dp->cfg.dummy_count);

	if (err)
		return err;
	if (slot >= dp->cfg.dummy_count)
		return lb_err(-EINVAL, "dummy VNI %u is outside the dummy range %u-%u", dummy,
			      dp->cfg.dummy_base, dp->cfg.dummy_base + dp->cfg.dummy_count - 1);
	/* Ingress first, then egress: traffic can come back before it goes out. */
	if (remote) {
		key.family = remote->family;
		memcpy(key.remote, remote->bytes, remote->family == LB_AF_INET ? 4 : 16);
		if (inner_mac)
			memcpy(key.inner_mac, inner_mac, 6);
		err = lb_itab_map(bpf_map__fd(dp->skel->maps.lb_ingress_tab), &dp->abi, &t);
		if (err)
			return err;
		e = lb_itab_find(&t, &key);
		if (e)
			__atomic_store_n(&e->dummy_vni, dummy, __ATOMIC_RELAXED);
		else if ((e = lb_itab_room(&t, &key)))
			lb_itab_fill(e, &key, dummy);
		lb_itab_unmap(&t);
		if (!e)
			return lb_err(-ENOSPC, "the ingress table has no room for VNI %u: both of "
				      "its buckets are full", vni);
	}
	if (bpf_map_update_elem(bpf_map__fd(dp->skel->maps.lb_egress_bind), &slot, &ev, BPF_ANY))
		return lb_err(-errno, "cannot write the egress binding: %s", strerror(errno));
	return 0;
}

/* A loaded map's fd by name, or -1 (owned by @dp). */
int lb_datapath_map_fd(struct latebind_datapath *dp, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(dp->skel->obj, name);

	return map ? bpf_map__fd(map) : -1;
}

int lb_datapath_prog_fd(struct latebind_datapath *dp, const char *name)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(dp->skel->obj, name);

	return prog ? bpf_program__fd(prog) : -1;
}
