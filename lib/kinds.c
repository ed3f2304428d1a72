// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The tunnel kinds: Geneve (RFC 8926) and VXLAN (RFC 7348). */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include "kind.h"

static void put_geneve(struct nlmsghdr *nlh, const struct lb_pool_info *pi, uint32_t vni)
{
	bool v6 = pi->family == LB_AF_INET6;

	mnl_attr_put_u32(nlh, IFLA_GENEVE_ID, vni);
	mnl_attr_put(nlh, v6 ? IFLA_GENEVE_REMOTE6 : IFLA_GENEVE_REMOTE, v6 ? 16 : 4, pi->remote);
	mnl_attr_put_u16(nlh, IFLA_GENEVE_PORT, htons(pi->dstport));
	if (v6) {
		mnl_attr_put_u8(nlh, IFLA_GENEVE_UDP_ZERO_CSUM6_TX, !pi->udp_csum);
		mnl_attr_put_u8(nlh, IFLA_GENEVE_UDP_ZERO_CSUM6_RX, !pi->udp_csum);
	} else {
		mnl_attr_put_u8(nlh, IFLA_GENEVE_UDP_CSUM, pi->udp_csum);
	}
}

static void put_vxlan(struct nlmsghdr *nlh, const struct lb_pool_info *pi, uint32_t vni)
{
	bool v6 = pi->family == LB_AF_INET6;

	mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, vni);
	mnl_attr_put(nlh, v6 ? IFLA_VXLAN_GROUP6 : IFLA_VXLAN_GROUP, v6 ? 16 : 4, pi->remote);
	if (pi->has_local)
		mnl_attr_put(nlh, v6 ? IFLA_VXLAN_LOCAL6 : IFLA_VXLAN_LOCAL, v6 ? 16 : 4, pi->local);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_LINK, pi->underlay_ifindex);
	mnl_attr_put_u16(nlh, IFLA_VXLAN_PORT, htons(pi->dstport));
	/* Trust no source: learn nothing (the FDB holds only the remote), no ARP/ND
	 * proxy, no route short-circuit, no miss notifications. Off by default but
	 * one of them, said here so a changed default cannot open them. */
	mnl_attr_put_u8(nlh, IFLA_VXLAN_LEARNING, 0);
	mnl_attr_put_u8(nlh, IFLA_VXLAN_PROXY, 0);
	mnl_attr_put_u8(nlh, IFLA_VXLAN_RSC, 0);
	mnl_attr_put_u8(nlh, IFLA_VXLAN_L2MISS, 0);
	mnl_attr_put_u8(nlh, IFLA_VXLAN_L3MISS, 0);
	/* noudpcsum over IPv6: send and accept zero checksums, like the peer. */
	if (v6) {
		mnl_attr_put_u8(nlh, IFLA_VXLAN_UDP_ZERO_CSUM6_TX, !pi->udp_csum);
		mnl_attr_put_u8(nlh, IFLA_VXLAN_UDP_ZERO_CSUM6_RX, !pi->udp_csum);
	} else {
		mnl_attr_put_u8(nlh, IFLA_VXLAN_UDP_CSUM, pi->udp_csum);
	}
}

static const struct lb_kind kinds[] = {
	{
		.type = LATEBIND_GENEVE,
		.name = "geneve",
		.default_port = LB_GENEVE_PORT_DEFAULT,
		.has_local = false, /* Linux geneve devices have none */
		.id_attr = IFLA_GENEVE_ID,
		.vni_offset = 4, /* ver/opt len, flags, protocol type, then VNI */
		.port_field = offsetof(struct latebind_datapath_config, geneve_port),
		.put_data = put_geneve,
	},
	{
		.type = LATEBIND_VXLAN,
		.name = "vxlan",
		.default_port = LB_VXLAN_PORT_DEFAULT,
		.has_local = true,
		.id_attr = IFLA_VXLAN_ID,
		.vni_offset = 4, /* flags, reserved, then VNI */
		.port_field = offsetof(struct latebind_datapath_config, vxlan_port),
		.put_data = put_vxlan,
	},
};

const struct lb_kind *lb_kind(enum latebind_tunnel_type type)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].type == type)
			return &kinds[i];
	return NULL;
}

const struct lb_kind *lb_kind_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].name, name))
			return &kinds[i];
	return NULL;
}

LATEBIND_API const char *latebind_tunnel_type_name(enum latebind_tunnel_type type)
{
	const struct lb_kind *k = lb_kind(type);

	return k ? k->name : "none";
}

LATEBIND_API int latebind_tunnel_type_parse(const char *name, enum latebind_tunnel_type *type)
{
	const struct lb_kind *k = lb_kind_by_name(name);

	if (!k)
		return lb_err(-EINVAL, "invalid tunnel type \"%s\": geneve or vxlan", name);
	*type = k->type;
	return 0;
}
