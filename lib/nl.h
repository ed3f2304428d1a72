/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rtnetlink through libmnl: batched requests with per-message acks and the
 * kernel's extended ack message, and a link dump. Internal to liblatebind.
 */
#ifndef LB_LIB_NL_H
#define LB_LIB_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

struct nlmsghdr;
struct lb_nl;

int lb_nl_open(struct lb_nl **nl);
void lb_nl_close(struct lb_nl *nl);

/*
 * Batching: lb_nl_put() starts a request in the batch buffer (flags get
 * NLM_F_REQUEST | NLM_F_ACK) and returns it for the caller to fill; @tag
 * comes back in the ack callback. lb_nl_flush() sends what is queued in as
 * few sendmsg calls as fit and calls @ack once per request with its error
 * (0 or -errno) and the kernel's extack message ("" if none).
 */
typedef void (*lb_nl_ack_fn)(void *ctx, long tag, int err, const char *extack);

struct nlmsghdr *lb_nl_put(struct lb_nl *nl, uint16_t type, uint16_t flags, long tag);
int lb_nl_flush(struct lb_nl *nl, lb_nl_ack_fn ack, void *ctx);
/* lb_nl_put() of a link request on device @ifindex (0: none): its ifinfomsg, zeroed. */
struct nlmsghdr *lb_nl_put_link(struct lb_nl *nl, uint16_t type, uint16_t flags, long tag,
				unsigned int ifindex);
/* Bytes of sealed requests queued and not sent yet. */
size_t lb_nl_queued(const struct lb_nl *nl);
/* Drop what is queued, unsent: after an error nothing more is created. */
void lb_nl_discard(struct lb_nl *nl);

/* What a link dump reports about one device. */
struct lb_link {
	unsigned int ifindex;
	char name[IF_NAMESIZE];
	char alias[64];
	char kind[16];
	uint32_t group;  /* IFLA_GROUP */
	uint32_t mtu;    /* IFLA_MTU */
	uint32_t vni;    /* IFLA_{VXLAN,GENEVE}_ID, if kind is vxlan or geneve */
	bool has_vni;
	bool up;
	uint32_t netns;  /* 0: the current namespace; slot + 1: that slot's (lib/slotns.c) */
};

/* Filters under tc parent @parent of device @ifindex (e.g. a clsact hook). */
int lb_nl_count_filters(struct lb_nl *nl, unsigned int ifindex, uint32_t parent,
			unsigned int *count);

/* Is the first filter under @parent of @ifindex cls_bpf running program @prog_id? */
bool lb_nl_first_filter_is(struct lb_nl *nl, unsigned int ifindex, uint32_t parent,
			   uint32_t prog_id);

/* Is the filter @handle at priority @prio under @parent cls_bpf running @prog_id? */
bool lb_nl_filter_runs(struct lb_nl *nl, unsigned int ifindex, uint32_t parent, uint32_t handle,
		       uint32_t prio, uint32_t prog_id);

/* Create @ifindex's clsact qdisc; *@created false if it was there (maybe someone else's). */
int lb_tc_clsact(struct lb_nl *nl, unsigned int ifindex, bool *created);

/* Dump every link of the current network namespace; free(*links). */
int lb_nl_dump_links(struct lb_nl *nl, struct lb_link **links, size_t *n);

#endif
