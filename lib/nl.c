// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* rtnetlink through libmnl: batched requests, extack, link dumps. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/pkt_cls.h>
#include "internal.h"
#include "kind.h"
#include "nl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

/*
 * One sendmsg carries at most this much. Every request gets an ack skb of
 * about 1 KiB truesize that must fit the receive buffer, or the kernel drops
 * it (ENOBUFS): 16 KiB of requests is ~100 acks, well inside LB_NL_RCVBUF.
 */
#define LB_NL_CHUNK (16 * 1024)
#define LB_NL_RCVBUF (1024 * 1024)
/* Receive buffer: a dump part is at most 32 KiB (libmnl 1.0.5 names it). */
#define LB_NL_RECV (32 * 1024)
#define LB_NL_BATCH_MAX (4 * 1024 * 1024)

struct lb_nl {
	struct mnl_socket *sk;
	unsigned int portid;
	uint32_t seq;
	char *buf;        /* queued requests */
	size_t len, cap;  /* len: end of the sealed requests */
	bool open;        /* the request at buf + len is still being filled */
	long *tags;       /* per queued request, in order */
	uint32_t *seqs;
	size_t nreq, reqcap;
};

static int open_socket(struct lb_nl *nl)
{
	int one = 1, rcvbuf = LB_NL_RCVBUF;

	nl->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sk || mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID)) {
		int err = -errno;

		if (nl->sk)
			mnl_socket_close(nl->sk);
		nl->sk = NULL;
		return lb_err(err, "cannot open an rtnetlink socket: %s", strerror(-err));
	}
	/* Best effort: old kernels lack them, and errors still arrive. */
	mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	if (setsockopt(mnl_socket_get_fd(nl->sk), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)))
		setsockopt(mnl_socket_get_fd(nl->sk), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			   sizeof(rcvbuf));
	nl->portid = mnl_socket_get_portid(nl->sk);
	return 0;
}

int lb_nl_open(struct lb_nl **out)
{
	struct lb_nl *nl = calloc(1, sizeof(*nl));
	int err;

	*out = NULL;
	if (!nl)
		return lb_err(-ENOMEM, "out of memory");
	err = open_socket(nl);
	if (err) {
		free(nl);
		return err;
	}
	nl->seq = (uint32_t)time(NULL);
	*out = nl;
	return 0;
}

void lb_nl_close(struct lb_nl *nl)
{
	if (!nl)
		return;
	if (nl->sk)
		mnl_socket_close(nl->sk);
	free(nl->buf);
	free(nl->tags);
	free(nl->seqs);
	free(nl);
}

/* Count the request lb_nl_put() returned last as complete. */
static void seal(struct lb_nl *nl)
{
	if (!nl->open)
		return;
	nl->len += NLMSG_ALIGN(((struct nlmsghdr *)(nl->buf + nl->len))->nlmsg_len);
	nl->open = false;
}

struct nlmsghdr *lb_nl_put(struct lb_nl *nl, uint16_t type, uint16_t flags, long tag)
{
	struct nlmsghdr *nlh;

	seal(nl);
	/* Room for one more request of any size we build (< 1 KiB). */
	if (nl->cap - nl->len < 1024) {
		size_t cap = nl->cap ? nl->cap * 2 : LB_NL_CHUNK;
		char *b = cap <= LB_NL_BATCH_MAX ? realloc(nl->buf, cap) : NULL;

		if (!b)
			return NULL;
		nl->buf = b;
		nl->cap = cap;
	}
	if (nl->nreq == nl->reqcap) {
		size_t cap = nl->reqcap ? nl->reqcap * 2 : 256;
		long *t = realloc(nl->tags, cap * sizeof(*t));
		uint32_t *s = t ? realloc(nl->seqs, cap * sizeof(*s)) : NULL;

		if (t)
			nl->tags = t;
		if (!s)
			return NULL;
		nl->seqs = s;
		nl->reqcap = cap;
	}
	memset(nl->buf + nl->len, 0, 1024);
	nlh = mnl_nlmsg_put_header(nl->buf + nl->len);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	nl->tags[nl->nreq] = tag;
	nl->seqs[nl->nreq] = nlh->nlmsg_seq;
	nl->nreq++;
	nl->open = true; /* the caller fills it; its nlmsg_len says where it ends */
	return nlh;
}

struct nlmsghdr *lb_nl_put_link(struct lb_nl *nl, uint16_t type, uint16_t flags, long tag,
				unsigned int ifindex)
{
	struct nlmsghdr *nlh = lb_nl_put(nl, type, flags, tag);
	struct ifinfomsg *ifm;

	if (!nlh)
		return NULL;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = (int)ifindex;
	return nlh;
}

/* The kernel's extack message in an NLMSG_ERROR, or "". */
static const char *extack_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);
	const struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return "";
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	mnl_attr_for_each(attr, nlh, off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
			return mnl_attr_get_str(attr);
	}
	return "";
}

static long tag_of(struct lb_nl *nl, size_t first, size_t last, uint32_t seq, bool *found)
{
	for (size_t i = first; i < last; i++) {
		if (nl->seqs[i] == seq) {
			*found = true;
			return nl->tags[i];
		}
	}
	*found = false;
	return 0;
}

size_t lb_nl_queued(const struct lb_nl *nl)
{
	return nl->len;
}

void lb_nl_discard(struct lb_nl *nl)
{
	nl->len = 0;
	nl->nreq = 0;
	nl->open = false;
}

int lb_nl_flush(struct lb_nl *nl, lb_nl_ack_fn ack, void *ctx)
{
	char rbuf[LB_NL_RECV];
	size_t off = 0, first = 0;
	int err = 0;

	if (!nl->nreq)
		return 0;
	if (!nl->sk)
		return lb_err(-ENOTCONN, "no rtnetlink socket");
	seal(nl);
	while (first < nl->nreq) {
		size_t len = 0, last = first, pending;

		/* As many whole requests as fit in one chunk (at least one). */
		while (last < nl->nreq) {
			size_t m = NLMSG_ALIGN(((struct nlmsghdr *)(nl->buf + off + len))->nlmsg_len);

			if (len && len + m > LB_NL_CHUNK)
				break;
			len += m;
			last++;
		}
		if (mnl_socket_sendto(nl->sk, nl->buf + off, len) < 0) {
			err = lb_err(-errno, "netlink send failed: %s", strerror(errno));
			break;
		}
		for (pending = last - first; pending;) {
			ssize_t n = mnl_socket_recvfrom(nl->sk, rbuf, sizeof(rbuf));
			const struct nlmsghdr *h = (const struct nlmsghdr *)rbuf;
			int left = (int)n;

			if (n < 0) {
				err = lb_err(-errno, "netlink receive failed: %s", strerror(errno));
				goto out;
			}
			for (; mnl_nlmsg_ok(h, left); h = mnl_nlmsg_next(h, &left)) {
				const struct nlmsgerr *e;
				bool found;
				long tag;

				if (h->nlmsg_type != NLMSG_ERROR)
					continue;
				tag = tag_of(nl, first, last, h->nlmsg_seq, &found);
				if (!found)
					continue;
				e = mnl_nlmsg_get_payload(h);
				ack(ctx, tag, e->error, e->error ? extack_msg(h) : "");
				pending--;
			}
		}
		off += len;
		first = last;
	}
out:
	nl->len = 0;
	nl->nreq = 0;
	nl->open = false;
	if (err) {
		/* Acks may still be queued: start over on a fresh socket. */
		mnl_socket_close(nl->sk);
		if (open_socket(nl))
			nl->sk = NULL;
	}
	return err;
}

/* --- link dump ------------------------------------------------------------ */

struct dump_ctx {
	struct lb_link *links;
	size_t n, cap;
};

static void parse_info_data(const struct nlattr *data, const char *kind, struct lb_link *l)
{
	const struct lb_kind *k = lb_kind_by_name(kind);
	const struct nlattr *a;
	uint16_t id_type = k->id_attr;

	mnl_attr_for_each_nested(a, data) {
		if (mnl_attr_get_type(a) == id_type && !mnl_attr_validate(a, MNL_TYPE_U32)) {
			l->vni = mnl_attr_get_u32(a);
			l->has_vni = true;
		}
	}
}

static void parse_linkinfo(const struct nlattr *info, struct lb_link *l)
{
	const struct nlattr *a, *data = NULL;

	mnl_attr_for_each_nested(a, info) {
		if (mnl_attr_get_type(a) == IFLA_INFO_KIND &&
		    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
			snprintf(l->kind, sizeof(l->kind), "%s", mnl_attr_get_str(a));
		else if (mnl_attr_get_type(a) == IFLA_INFO_DATA)
			data = a;
	}
	if (data && lb_kind_by_name(l->kind))
		parse_info_data(data, l->kind, l);
}

static int dump_link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *d = data;
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	struct lb_link *l;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct lb_link *nl = realloc(d->links, cap * sizeof(*nl));

		if (!nl)
			return MNL_CB_ERROR;
		d->links = nl;
		d->cap = cap;
	}
	l = &d->links[d->n++];
	memset(l, 0, sizeof(*l));
	l->ifindex = (unsigned int)ifm->ifi_index;
	l->up = ifm->ifi_flags & IFF_UP;
	mnl_attr_for_each(a, nlh, sizeof(*ifm)) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_IFNAME:
			if (!mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
				snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(a));
			break;
		case IFLA_IFALIAS:
			if (!mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
				snprintf(l->alias, sizeof(l->alias), "%s", mnl_attr_get_str(a));
			break;
		case IFLA_LINKINFO:
			parse_linkinfo(a, l);
			break;
		case IFLA_GROUP:
			if (!mnl_attr_validate(a, MNL_TYPE_U32))
				l->group = mnl_attr_get_u32(a);
			break;
		case IFLA_MTU:
			if (!mnl_attr_validate(a, MNL_TYPE_U32))
				l->mtu = mnl_attr_get_u32(a);
			break;
		}
	}
	return MNL_CB_OK;
}

/* Start a dump request of @type in @buf; the caller adds its header. */
static struct nlmsghdr *dump_request(struct lb_nl *nl, char *buf, uint16_t type)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

/* Send dump request @nlh (built in @buf) and feed every reply to @cb. */
static int run_dump(struct lb_nl *nl, char *buf, mnl_cb_t cb, void *data, const char *what)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	uint32_t seq = nlh->nlmsg_seq;

	if (!nl->sk)
		return lb_err(-ENOTCONN, "no rtnetlink socket");
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return lb_err(-errno, "netlink send failed: %s", strerror(errno));
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(nl->sk, buf, LB_NL_RECV);
		int ret;

		if (len < 0)
			return lb_err(-errno, "%s failed: %s", what, strerror(errno));
		ret = mnl_cb_run(buf, (size_t)len, seq, nl->portid, cb, data);
		if (ret <= MNL_CB_STOP)
			return ret < 0 ? lb_err(-errno, "%s failed: %s", what, strerror(errno)) : 0;
	}
}

int lb_nl_dump_links(struct lb_nl *nl, struct lb_link **links, size_t *n)
{
	char buf[LB_NL_RECV];
	struct dump_ctx d = { 0 };
	struct nlmsghdr *nlh = dump_request(nl, buf, RTM_GETLINK);
	struct ifinfomsg *ifm;
	int ret;

	*links = NULL;
	*n = 0;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	ret = run_dump(nl, buf, dump_link_cb, &d, "link dump");
	if (ret) {
		free(d.links);
		return ret;
	}
	*links = d.links;
	*n = d.n;
	return 0;
}

/* --- tc filters ---------------------------------------------------------------- */

/* The TCA_BPF_ID of a cls_bpf filter message, or 0. */
static uint32_t bpf_filter_id(const struct nlmsghdr *nlh)
{
	const struct nlattr *a, *o;
	uint32_t id = 0;

	mnl_attr_for_each(a, nlh, sizeof(struct tcmsg)) {
		if (mnl_attr_get_type(a) != TCA_OPTIONS)
			continue;
		mnl_attr_for_each_nested(o, a)
			if (mnl_attr_get_type(o) == TCA_BPF_ID && !mnl_attr_validate(o, MNL_TYPE_U32))
				id = mnl_attr_get_u32(o);
	}
	return id;
}

/* Dump the filters under @parent of @ifindex through @cb. */
static int dump_filters(struct lb_nl *nl, unsigned int ifindex, uint32_t parent, mnl_cb_t cb,
			void *data)
{
	char buf[LB_NL_RECV];
	struct nlmsghdr *nlh = dump_request(nl, buf, RTM_GETTFILTER);
	struct tcmsg *tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));

	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = (int)ifindex;
	tcm->tcm_parent = parent;
	return run_dump(nl, buf, cb, data, "filter dump");
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWTFILTER)
		(*(unsigned int *)data)++;
	return MNL_CB_OK;
}

int lb_nl_count_filters(struct lb_nl *nl, unsigned int ifindex, uint32_t parent,
			unsigned int *count)
{
	*count = 0;
	return dump_filters(nl, ifindex, parent, count_cb, count);
}

struct first_filter {
	bool seen;     /* a filter with a handle came before */
	uint32_t id;   /* its TCA_BPF_ID, 0 if not cls_bpf */
};

static int first_filter_cb(const struct nlmsghdr *nlh, void *data)
{
	struct first_filter *f = data;
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);

	/* The kernel dumps in priority order; a chain head has no handle. */
	if (nlh->nlmsg_type != RTM_NEWTFILTER || f->seen || !tcm->tcm_handle)
		return MNL_CB_OK;
	f->seen = true;
	f->id = bpf_filter_id(nlh);
	return MNL_CB_OK;
}

bool lb_nl_first_filter_is(struct lb_nl *nl, unsigned int ifindex, uint32_t parent,
			   uint32_t prog_id)
{
	struct first_filter f = { 0 };

	return !dump_filters(nl, ifindex, parent, first_filter_cb, &f) && f.seen &&
	       f.id == prog_id;
}

struct filter_at {
	uint32_t handle, prio;
	uint32_t id;   /* TCA_BPF_ID of the match, 0 if none */
};

static int filter_at_cb(const struct nlmsghdr *nlh, void *data)
{
	struct filter_at *f = data;
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type == RTM_NEWTFILTER && tcm->tcm_handle == f->handle &&
	    TC_H_MAJ(tcm->tcm_info) >> 16 == f->prio)
		f->id = bpf_filter_id(nlh);
	return MNL_CB_OK;
}

bool lb_nl_filter_runs(struct lb_nl *nl, unsigned int ifindex, uint32_t parent, uint32_t handle,
		       uint32_t prio, uint32_t prog_id)
{
	struct filter_at f = { .handle = handle, .prio = prio };

	return !dump_filters(nl, ifindex, parent, filter_at_cb, &f) && f.id && f.id == prog_id;
}
