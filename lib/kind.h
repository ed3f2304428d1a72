/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One description per tunnel kind, as iproute2's struct link_util is: what
 * the library knows of Geneve and VXLAN lives in lib/kinds.c, nowhere else.
 * The datapath's side of a kind is its parser in bpf/parse.h; docs/datapath.md
 * lists what a third kind needs.
 */
#ifndef LB_LIB_KIND_H
#define LB_LIB_KIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "internal.h"

struct nlmsghdr;

struct lb_kind {
	enum latebind_tunnel_type type;
	const char *name;       /* the CLI's keyword and rtnetlink's IFLA_INFO_KIND */
	uint16_t default_port;  /* UDP destination port */
	bool has_local;         /* the device takes a local address */
	uint16_t id_attr;       /* the VNI's attribute in IFLA_INFO_DATA */
	uint8_t vni_offset;     /* the VNI's first byte past the UDP header (24 bits) */
	/* Its port in struct latebind_datapath_config (lb_config in the datapath) */
	size_t port_field;
	/* IFLA_INFO_DATA of a pool member: VNI @vni, the pool's remote and options. */
	void (*put_data)(struct nlmsghdr *nlh, const struct lb_pool_info *pi, uint32_t vni);
};

/* NULL for a type or name that is no kind. */
const struct lb_kind *lb_kind(enum latebind_tunnel_type type);
const struct lb_kind *lb_kind_by_name(const char *name);

#endif
