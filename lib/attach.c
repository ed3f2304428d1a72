// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Attaching the datapath to an underlay device: tcx links where the kernel
 * has them, else clsact and cls_bpf. Its pins are lib/pins.c's.
 */
#include <errno.h>
#include <stdbool.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <net/if_arp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/pkt_sched.h>
#include "latebind.skel.h"
#include "internal.h"
#include "nl.h"

LATEBIND_API const char *latebind_attach_mode_name(enum latebind_attach_mode mode)
{
	switch (mode) {
	case LATEBIND_ATTACH_TCX:
		return "tcx";
	case LATEBIND_ATTACH_CLS_BPF:
		return "cls_bpf";
	default:
		return "none";
	}
}

/* Mount bpffs when nobody has, as bpftool and iproute2 do. */
/* Our programs run first: BPF_F_BEFORE with no anchor is the head of the hook. */
static int link_first(int prog_fd, unsigned int ifindex, int type)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = BPF_F_BEFORE);

	return bpf_link_create(prog_fd, (int)ifindex, type, &opts);
}

static int attach_tcx(struct latebind_datapath *dp, unsigned int ifindex, const char *dir)
{
	int eg = -1, in = -1, err;

	in = link_first(bpf_program__fd(dp->skel->progs.lb_ingress), ifindex, BPF_TCX_INGRESS);
	if (in < 0)
		return in == -EINVAL ? -EOPNOTSUPP : lb_err(in, "tcx ingress attach: %s",
							    strerror(-in));
	eg = link_first(bpf_program__fd(dp->skel->progs.lb_egress), ifindex, BPF_TCX_EGRESS);
	if (eg < 0) {
		err = lb_err(eg, "tcx egress attach: %s", strerror(-eg));
		goto out;
	}
	err = lb_pin_fd(in, dir, "link_ingress");
	if (!err)
		err = lb_pin_fd(eg, dir, "link_egress");
out:
	/* Pinned links live on; unpinned ones detach when these close. */
	close(in);
	if (eg >= 0)
		close(eg);
	return err;
}

static int tc_detach_ours(unsigned int ifindex, enum bpf_tc_attach_point where)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = where);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = LB_TC_HANDLE, .priority = LB_TC_PRIO);

	return bpf_tc_detach(&hook, &opts);
}

/* Remove the clsact qdisc of @ifindex. */
static void clsact_destroy(unsigned int ifindex)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);

	bpf_tc_hook_destroy(&hook);
}

/* @created: this call made the clsact qdisc (else someone else's is reused). */
static int attach_cls_bpf(struct latebind_datapath *dp, unsigned int ifindex, bool *created)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = LB_TC_HANDLE, .priority = LB_TC_PRIO);
	struct lb_nl *nl;
	int err = lb_nl_open(&nl);

	if (!err)
		err = lb_tc_clsact(nl, ifindex, created);
	lb_nl_close(nl);
	if (err)
		return err;

	hook.attach_point = BPF_TC_INGRESS;
	opts.prog_fd = bpf_program__fd(dp->skel->progs.lb_ingress);
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		if (*created)
			clsact_destroy(ifindex);
		return lb_err(err, "cls_bpf ingress attach: %s", strerror(-err));
	}

	hook.attach_point = BPF_TC_EGRESS;
	opts.prog_fd = bpf_program__fd(dp->skel->progs.lb_egress);
	opts.prog_id = 0;
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		tc_detach_ours(ifindex, BPF_TC_INGRESS);
		if (*created)
			clsact_destroy(ifindex);
		return lb_err(err, "cls_bpf egress attach: %s", strerror(-err));
	}
	return 0;
}

/* The programs parse Ethernet frames: refuse any other link type. */
static int check_ethernet(const char *ifname)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return lb_err(-errno, "socket: %s", strerror(errno));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = lb_err(-errno, "cannot read the link type of %s: %s", ifname, strerror(errno));
	else if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		err = lb_err(-EINVAL, "%s is not an Ethernet device (link type %u): the datapath "
			     "reads Ethernet frames only", ifname, ifr.ifr_hwaddr.sa_family);
	close(fd);
	return err;
}

int lb_attach_locked(const char *ifname, const struct latebind_datapath_config *cfg,
		     enum latebind_attach_mode *mode, bool pool)
{
	struct latebind_datapath *dp = NULL;
	enum latebind_attach_mode want = mode ? *mode : LATEBIND_ATTACH_NONE;
	enum latebind_attach_mode m = LATEBIND_ATTACH_NONE;
	char dir[LB_PATH_MAX];
	unsigned int ifindex;
	struct stat st;
	int err;

	/* Everything that can be refused is refused before anything changes. */
	err = lb_datapath_config_check(cfg, pool);
	if (err)
		return err;
	err = lb_locate(ifname, &ifindex, dir, sizeof(dir));
	if (err)
		return err;
	err = check_ethernet(ifname);
	if (err)
		return err;
	if (!stat(dir, &st))
		return lb_err(-EEXIST, "latebind is already attached to %s (pins in %s)", ifname,
			      dir);

	err = lb_datapath_load(cfg, &dp);
	if (err)
		return err;
	err = lb_mkdir_claim(dir);
	if (err) {
		/* Not ours to clean up: another attach may own it. */
		if (err == -EEXIST)
			lb_err(err, "latebind is already attached to %s (pins in %s)", ifname, dir);
		else
			lb_err(err, "cannot create %s: %s", dir, strerror(-err));
		latebind_datapath_close(dp);
		return err;
	}
	for (int i = 0; i < LB_MAPS_DATAPATH && !err; i++)
		err = lb_pin_fd(lb_datapath_map_fd(dp, lb_map_names[i]), dir, lb_map_names[i]);
	for (int i = 0; i < LB_PROG_COUNT && !err; i++)
		err = lb_pin_fd(lb_datapath_prog_fd(dp, lb_progs[i].prog), dir, lb_progs[i].pin);
	/* A pool's datapath knows its tunnels' packets by their tag. */
	if (!err && pool)
		err = lb_config_set_flag(lb_datapath_map_fd(dp, "lb_config"), LB_CFG_F_TUN_MARK, NULL);
	if (err)
		goto out;

	err = -EOPNOTSUPP;
	if (want != LATEBIND_ATTACH_CLS_BPF) {
		err = attach_tcx(dp, ifindex, dir);
		if (!err)
			m = LATEBIND_ATTACH_TCX;
		else if (err == -EOPNOTSUPP && want == LATEBIND_ATTACH_TCX)
			lb_err(err, "this kernel has no tcx (it needs 6.6 or later)");
	}
	if (err == -EOPNOTSUPP && want != LATEBIND_ATTACH_TCX) {
		bool created = false;

		lb_info("attaching with clsact/cls_bpf");
		err = attach_cls_bpf(dp, ifindex, &created);
		if (!err && created)
			err = lb_config_set_flag(lb_datapath_map_fd(dp, "lb_config"), LB_CFG_F_OWN_CLSACT, NULL);
		if (!err)
			m = LATEBIND_ATTACH_CLS_BPF;
		else if (created)
			clsact_destroy(ifindex);
	}
out:
	if (err)
		lb_remove_pins(dir);
	latebind_datapath_close(dp);
	if (mode)
		*mode = m;
	return err;
}

LATEBIND_API int latebind_datapath_attach(const char *ifname, const struct latebind_datapath_config *cfg,
				 enum latebind_attach_mode *mode)
{
	int lock, err = lb_lock_pools(&lock);

	if (err)
		return err;
	err = lb_attach_locked(ifname, cfg, mode, false);
	lb_unlock(lock);
	return err;
}

/* The program pinned as @dir/@name: an fd to close, and its kernel id; -errno quietly. */
static int open_pinned_prog(const char *dir, const char *name, int *fd, uint32_t *id)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);
	char path[LB_PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	*fd = bpf_obj_get(path);
	if (*fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(*fd, &info, &len)) {
		int err = -errno;

		close(*fd);
		*fd = -1;
		return err;
	}
	*id = info.id;
	return 0;
}

int lb_pinned_prog_id(const char *dir, const char *name, uint32_t *id)
{
	int fd, err = open_pinned_prog(dir, name, &fd, id);

	if (!err)
		close(fd);
	return err;
}

/* Is the cls_bpf filter at our handle/prio running the program pinned in @dir? */
static bool tc_filter_is_ours(unsigned int ifindex, enum bpf_tc_attach_point where,
			      const char *dir, const char *prog_pin)
{
	uint32_t parent = TC_H_MAKE(TC_H_CLSACT, where == BPF_TC_EGRESS ? TC_H_MIN_EGRESS
								      : TC_H_MIN_INGRESS);
	struct lb_nl *nl;
	uint32_t id;
	bool ours;

	if (lb_pinned_prog_id(dir, prog_pin, &id) || lb_nl_open(&nl))
		return false;
	ours = lb_nl_filter_runs(nl, ifindex, parent, LB_TC_HANDLE, LB_TC_PRIO, id);
	lb_nl_close(nl);
	return ours;
}

/* After our filters went: drop the clsact qdisc if we made it and it is empty. */
static void clsact_release(unsigned int ifindex, const char *dir)
{
	unsigned int in = 1, eg = 1;
	char path[LB_PATH_MAX + 16];
	struct lb_config cfg;
	struct lb_nl *nl;
	uint32_t zero = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/lb_config", dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return;
	if (bpf_map_lookup_elem(fd, &zero, &cfg) || !(cfg.flags & LB_CFG_F_OWN_CLSACT)) {
		close(fd);
		return;
	}
	close(fd);
	if (lb_nl_open(&nl))
		return;
	if (!lb_nl_count_filters(nl, ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS), &in) &&
	    !lb_nl_count_filters(nl, ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS), &eg) &&
	    !in && !eg)
		clsact_destroy(ifindex);
	else
		lb_debug("leaving the clsact qdisc on ifindex %u: other filters use it", ifindex);
	lb_nl_close(nl);
}

int lb_detach_locked(const char *ifname)
{
	char dir[LB_PATH_MAX - 32], path[LB_PATH_MAX];
	unsigned int ifindex;
	struct stat st;
	int err;

	err = lb_locate(ifname, &ifindex, dir, sizeof(dir));
	if (err)
		return err;
	if (stat(dir, &st))
		return lb_err(-ENOENT, "latebind is not attached to %s", ifname);

	snprintf(path, sizeof(path), "%s/link_ingress", dir);
	if (stat(path, &st)) { /* cls_bpf mode: remove only filters running our programs */
		if (tc_filter_is_ours(ifindex, BPF_TC_INGRESS, dir, "prog_ingress"))
			tc_detach_ours(ifindex, BPF_TC_INGRESS);
		if (tc_filter_is_ours(ifindex, BPF_TC_EGRESS, dir, "prog_egress"))
			tc_detach_ours(ifindex, BPF_TC_EGRESS);
		clsact_release(ifindex, dir);
	}
	/* Unpinning the last reference to a tcx link detaches it. */
	lb_remove_pins(dir);
	return 0;
}

LATEBIND_API int latebind_datapath_detach(const char *ifname)
{
	char dir[LB_PATH_MAX - 32], path[LB_PATH_MAX];
	unsigned int ifindex;
	int lock, err = lb_lock_pools(&lock);

	if (err)
		return err;
	/* Under a pool, detaching would open every tunnel and lose every binding. */
	err = lb_locate(ifname, &ifindex, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/lb_pool", dir);
	if (!err && !access(path, F_OK))
		err = lb_err(-EBUSY, "a latebind pool uses the datapath on %s: remove the pool "
			     "instead (latebind pool destroy dev %s)", ifname, ifname);
	if (!err)
		err = lb_detach_locked(ifname);
	lb_unlock(lock);
	return err;
}

bool lb_tcx_first_is(unsigned int ifindex, int type, uint32_t id)
{
	uint32_t ids[8] = { 0 };
	LIBBPF_OPTS(bpf_prog_query_opts, q, .prog_ids = ids, .prog_cnt = 8);

	/* ENOSPC: more than 8 programs; ids[0] is still the head. */
	return (!bpf_prog_query_opts((int)ifindex, type, &q) || errno == ENOSPC) && ids[0] == id;
}

bool lb_progs_first(enum latebind_attach_mode mode, struct lb_nl *nl, unsigned int ifindex,
		    uint32_t eg_id, uint32_t in_id)
{
	if (mode == LATEBIND_ATTACH_TCX)
		return lb_tcx_first_is(ifindex, BPF_TCX_EGRESS, eg_id) &&
		       lb_tcx_first_is(ifindex, BPF_TCX_INGRESS, in_id);
	return lb_nl_first_filter_is(nl, ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS), eg_id) &&
	       lb_nl_first_filter_is(nl, ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS), in_id);
}

/* One hook of the underlay: attached, ours, and first; else put it back. */
static int repair_hook(const char *dir, unsigned int ifindex, enum latebind_attach_mode mode,
		       bool egress)
{
	const char *prog = egress ? "prog_egress" : "prog_ingress";
	const char *link = egress ? "link_egress" : "link_ingress";
	int type = egress ? BPF_TCX_EGRESS : BPF_TCX_INGRESS;
	char path[LB_PATH_MAX + 16];
	uint32_t id = 0;
	int fd, lfd, err;

	err = open_pinned_prog(dir, prog, &fd, &id);
	if (err)
		return lb_err(err, "cannot open the program pinned as %s/%s: %s", dir, prog,
			      strerror(-err));
	if (mode == LATEBIND_ATTACH_TCX) {
		if (lb_tcx_first_is(ifindex, type, id))
			goto out;
		/* A new link at the head first, then the old one goes: never open. */
		lfd = link_first(fd, ifindex, type);
		if (lfd < 0) {
			err = lb_err(lfd, "cannot re-attach %s (tcx): %s", prog, strerror(-lfd));
			goto out;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, link);
		unlink(path);
		err = lb_pin_fd(lfd, dir, link);
		close(lfd);
		if (!err)
			lb_info("re-attached %s at the head of the tcx %s hook", prog,
				egress ? "egress" : "ingress");
	} else {
		DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
				    .attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
		DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = LB_TC_HANDLE,
				    .priority = LB_TC_PRIO, .prog_fd = fd,
				    .flags = BPF_TC_F_REPLACE);
		struct lb_nl *nl;
		bool first = false, created;

		if (!lb_nl_open(&nl)) {
			first = lb_nl_first_filter_is(nl, ifindex, TC_H_MAKE(TC_H_CLSACT,
						      egress ? TC_H_MIN_EGRESS : TC_H_MIN_INGRESS), id);
			if (!first)
				lb_tc_clsact(nl, ifindex, &created); /* gone with its filters? */
			lb_nl_close(nl);
		}
		if (first)
			goto out;
		hook.attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS;
		err = bpf_tc_attach(&hook, &opts);
		if (err)
			lb_err(err, "cannot re-attach %s (cls_bpf): %s", prog, strerror(-err));
		else
			lb_info("re-attached %s (cls_bpf, priority %d)", prog, LB_TC_PRIO);
	}
out:
	close(fd);
	return err;
}

int lb_attach_repair(const char *dir, unsigned int ifindex)
{
	enum latebind_attach_mode mode = lb_datapath_mode(dir);
	int err = repair_hook(dir, ifindex, mode, false);

	return err ? err : repair_hook(dir, ifindex, mode, true);
}

/*
 * Is the tcx link pinned as @dir/@name still attached to @ifindex? A link
 * detached from outside (BPF_LINK_DETACH, `bpftool link detach`) stays
 * pinned, but its program no longer runs: the link reports ifindex 0.
 */
static bool tcx_link_live(const char *dir, const char *name, unsigned int ifindex)
{
	struct bpf_link_info info = {};
	uint32_t len = sizeof(info);
	char path[LB_PATH_MAX + 32];
	bool live;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return false;
	live = !bpf_obj_get_info_by_fd(fd, &info, &len) && info.tcx.ifindex == ifindex;
	close(fd);
	return live;
}

LATEBIND_API int latebind_datapath_status(const char *ifname, struct latebind_datapath_status *st)
{
	char dir[LB_PATH_MAX - 32], path[LB_PATH_MAX];
	struct lb_config abi;
	unsigned int ifindex;
	uint32_t zero = 0;
	struct stat sb;
	int fd, err;

	memset(st, 0, sizeof(*st));
	err = lb_locate(ifname, &ifindex, dir, sizeof(dir));
	if (err)
		return err;
	if (stat(dir, &sb))
		return lb_err(-ENOENT, "latebind is not attached to %s", ifname);

	snprintf(path, sizeof(path), "%s/lb_config", dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return lb_err(-errno, "cannot open %s: %s", path, strerror(errno));
	err = bpf_map_lookup_elem(fd, &zero, &abi) ? -errno : 0;
	close(fd);
	if (err)
		return lb_err(err, "cannot read %s: %s", path, strerror(-err));
	st->cfg.dummy_base = abi.dummy_min;
	st->cfg.dummy_count = abi.dummy_max - abi.dummy_min + 1;
	st->cfg.geneve_port = abi.geneve_port;
	st->cfg.vxlan_port = abi.vxlan_port;

	err = lb_pinned_prog_id(dir, "prog_egress", &st->egress_prog_id);
	if (!err)
		err = lb_pinned_prog_id(dir, "prog_ingress", &st->ingress_prog_id);
	if (err)
		return lb_err(err, "cannot read the programs pinned in %s: %s", dir, strerror(-err));
	snprintf(path, sizeof(path), "%s/link_ingress", dir);
	if (!stat(path, &sb)) {
		st->mode = LATEBIND_ATTACH_TCX;
		st->ingress_attached = tcx_link_live(dir, "link_ingress", ifindex);
		st->egress_attached = tcx_link_live(dir, "link_egress", ifindex);
		return 0;
	}
	st->ingress_attached = tc_filter_is_ours(ifindex, BPF_TC_INGRESS, dir, "prog_ingress");
	st->egress_attached = tc_filter_is_ours(ifindex, BPF_TC_EGRESS, dir, "prog_egress");
	if (st->ingress_attached || st->egress_attached)
		st->mode = LATEBIND_ATTACH_CLS_BPF;
	return 0;
}
