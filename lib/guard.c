// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The tunnel guard: lb_tun_egress and lb_tun_ingress on every pool tunnel,
 * and lb_tun_slot, the record of which device is which slot.
 *
 *   pool tunnel lbN  egress:  lb_tun_egress  (unbound: drop; else tag)
 *                    ingress: lb_tun_ingress (no lb_ingress mark: drop)
 *
 * The underlay's programs see only the underlay; these see every route into
 * and out of a tunnel. They are attached before the tunnel comes up, and the
 * kernel removes them with the device. tcx attachments are plain
 * BPF_PROG_ATTACH (no link, no pin: they live as long as the device); in
 * cls_bpf mode a clsact qdisc and two filters per tunnel go in one netlink
 * batch.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include "internal.h"
#include "nl.h"

struct guard_acks {
	int err;
	unsigned int ifindex;
	char msg[300];
};

enum { G_QDISC, G_FILTER };

static void on_guard_ack(void *ctx, long tag, int err, const char *extack)
{
	struct guard_acks *a = ctx;

	/* A tunnel that already has its clsact qdisc (a re-run) is fine. */
	if (!err || (tag % 2 == G_QDISC && err == -EEXIST) || a->err)
		return;
	a->err = err;
	a->ifindex = (unsigned int)(tag / 2);
	snprintf(a->msg, sizeof(a->msg), "%s%s%s", *extack ? extack : strerror(-err),
		 *extack ? " " : "", *extack ? "(kernel's message)" : "");
}

/* A tc request on @ifindex: parent, handle, info, kind. NULL: out of memory. */
static struct nlmsghdr *put_tc(struct lb_nl *nl, uint16_t type, uint16_t flags, long tag,
			       unsigned int ifindex, uint32_t parent, uint32_t handle, uint32_t info,
			       const char *kind)
{
	struct nlmsghdr *nlh = lb_nl_put(nl, type, flags, tag);
	struct tcmsg *tcm;

	if (!nlh)
		return NULL;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = (int)ifindex;
	tcm->tcm_parent = parent;
	tcm->tcm_handle = handle;
	tcm->tcm_info = info;
	mnl_attr_put_strz(nlh, TCA_KIND, kind);
	return nlh;
}

static int queue_clsact(struct lb_nl *nl, unsigned int ifindex)
{
	return put_tc(nl, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, (long)ifindex * 2 + G_QDISC,
		      ifindex, TC_H_CLSACT, TC_H_MAKE(TC_H_CLSACT, 0), 0, "clsact")
		       ? 0 : lb_err(-ENOMEM, "out of memory");
}

static void on_clsact_ack(void *ctx, long tag, int err, const char *extack)
{
	int *res = ctx;

	*res = err;
}

int lb_tc_clsact(struct lb_nl *nl, unsigned int ifindex, bool *created)
{
	int res = 0, err = queue_clsact(nl, ifindex);

	if (!err)
		err = lb_nl_flush(nl, on_clsact_ack, &res);
	if (err)
		return err;
	*created = !res;
	if (res && res != -EEXIST)
		return lb_err(res, "cannot create the clsact qdisc: %s", strerror(-res));
	return 0;
}

/* Our filter, first in the hook (LB_TC_PRIO), created or replaced. */
static int queue_filter(struct lb_nl *nl, unsigned int ifindex, uint32_t hook, int prog_fd,
			const char *name)
{
	struct nlmsghdr *nlh = put_tc(nl, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_REPLACE,
				      (long)ifindex * 2 + G_FILTER, ifindex,
				      TC_H_MAKE(TC_H_CLSACT, hook), LB_TC_HANDLE,
				      TC_H_MAKE((uint32_t)LB_TC_PRIO << 16, htons(ETH_P_ALL)), "bpf");
	struct nlattr *opts;

	if (!nlh)
		return lb_err(-ENOMEM, "out of memory");
	opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put_u32(nlh, TCA_BPF_FD, (uint32_t)prog_fd);
	mnl_attr_put_strz(nlh, TCA_BPF_NAME, name);
	mnl_attr_put_u32(nlh, TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
	mnl_attr_nest_end(nlh, opts);
	return 0;
}

static int attach_tcx_one(int prog_fd, unsigned int ifindex, int type, const char *what)
{
	LIBBPF_OPTS(bpf_prog_attach_opts, opts, .flags = BPF_F_BEFORE);

	/* Already there (a re-run): the kernel says EEXIST. */
	if (bpf_prog_attach_opts(prog_fd, (int)ifindex, type, &opts) && errno != EEXIST)
		return lb_err(-errno, "cannot attach %s to ifindex %u (tcx): %s", what,
			      ifindex, strerror(errno));
	return 0;
}

int lb_guard_attach(const char *dir, enum latebind_attach_mode mode, struct lb_nl *nl,
		    const unsigned int *ifindex, uint32_t n)
{
	return lb_guard_attach_progs(dir, mode, nl, ifindex, n, LB_PROG_TUN_INGRESS,
				     LB_PROG_TUN_EGRESS);
}

int lb_guard_attach_progs(const char *dir, enum latebind_attach_mode mode, struct lb_nl *nl,
			  const unsigned int *ifindex, uint32_t n, enum lb_prog ingress,
			  enum lb_prog egress)
{
	const char *in_name = lb_progs[ingress].prog, *eg_name = lb_progs[egress].prog;
	char path[LB_PATH_MAX + 32];
	int eg = -1, in = -1, err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, lb_progs[egress].pin);
	eg = bpf_obj_get(path);
	snprintf(path, sizeof(path), "%s/%s", dir, lb_progs[ingress].pin);
	in = bpf_obj_get(path);
	if (eg < 0 || in < 0) {
		err = lb_err(-ENOENT, "%s and %s are not pinned in %s: the datapath predates "
			     "them; destroy and re-create the pool", in_name, eg_name, dir);
		goto out;
	}
	if (mode == LATEBIND_ATTACH_TCX) {
		for (uint32_t i = 0; i < n && !err; i++) {
			err = attach_tcx_one(in, ifindex[i], BPF_TCX_INGRESS, in_name);
			if (!err)
				err = attach_tcx_one(eg, ifindex[i], BPF_TCX_EGRESS, eg_name);
		}
	} else {
		struct guard_acks a = { 0 };

		for (uint32_t i = 0; i < n && !err; i++) {
			err = queue_clsact(nl, ifindex[i]);
			if (!err)
				err = queue_filter(nl, ifindex[i], TC_H_MIN_INGRESS, in, in_name);
			if (!err)
				err = queue_filter(nl, ifindex[i], TC_H_MIN_EGRESS, eg, eg_name);
		}
		if (!err)
			err = lb_nl_flush(nl, on_guard_ack, &a);
		if (!err && a.err)
			err = lb_err(a.err, "cannot attach %s and %s to ifindex %u "
				     "(cls_bpf): %s", in_name, eg_name, a.ifindex, a.msg);
	}
out:
	if (eg >= 0)
		close(eg);
	if (in >= 0)
		close(in);
	return err;
}
