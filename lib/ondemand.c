// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* On-demand creation: the cost the pool takes off the cold-start path, for comparison. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "members.h"

struct latebind_ondemand {
	struct lb_nl *nl;
	struct lb_pool_info pi;
	uint8_t *created;
};

LATEBIND_API int latebind_ondemand_open(const struct latebind_pool_spec *spec,
					struct latebind_ondemand **out)
{
	struct latebind_ondemand *h = calloc(1, sizeof(*h));
	int err;

	*out = NULL;
	if (!h)
		return lb_err(-ENOMEM, "out of memory");
	err = lb_resolve_spec(spec, &h->pi);
	if (!err)
		err = lb_resolve_dev(spec->underlay, &h->pi.underlay_ifindex);
	if (!err)
		err = lb_nl_open(&h->nl);
	if (!err) {
		/* Its own group, so that close removes them in one request. */
		h->pi.group = lb_pool_group(h->pi.underlay_ifindex) ^ 0x8000;
		h->created = calloc(h->pi.count, 1);
		if (!h->created)
			err = lb_err(-ENOMEM, "out of memory");
	}
	if (err) {
		latebind_ondemand_close(h);
		return err;
	}
	*out = h;
	return 0;
}

LATEBIND_API int latebind_ondemand_create(struct latebind_ondemand *h, uint32_t i)
{
	struct lb_acks a = { .pi = &h->pi, .created = h->created };
	int err;

	if (i >= h->pi.count)
		return lb_err(-EINVAL, "tunnel %u is outside 0-%u", i, h->pi.count - 1);
	/* What pool create does for one tunnel, one round trip at a time. */
	err = lb_queue_create(h->nl, &h->pi, i, LB_MKTAG(LB_TAG_CREATE, i));
	if (!err)
		err = lb_nl_flush(h->nl, lb_on_ack, &a);
	if (!err && a.err)
		err = lb_err(a.err, "%s", a.msg);
	if (!err)
		err = lb_set_ipv6(&h->pi, i);
	if (!err)
		err = lb_queue_tag(h->nl, &h->pi, i, LB_MKTAG(LB_TAG_TAG, i));
	if (!err)
		err = lb_nl_flush(h->nl, lb_on_ack, &a);
	if (!err && a.err)
		err = lb_err(a.err, "%s", a.msg);
	return err;
}

LATEBIND_API void latebind_ondemand_close(struct latebind_ondemand *h)
{
	struct lb_acks a = { 0 };
	struct lb_link *links = NULL;
	size_t n = 0;

	if (!h)
		return;
	a.pi = &h->pi;
	a.created = h->created;
	if (h->nl && h->created && !lb_nl_dump_links(h->nl, &links, &n)) {
		lb_queue_delete_mine(h->nl, &h->pi, links, n, lb_created_here, h->created);
		lb_nl_flush(h->nl, lb_on_ack, &a);
	}
	free(links);
	free(h->created);
	lb_nl_close(h->nl);
	free(h);
}
