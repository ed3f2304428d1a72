// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Addresses and pool specs: everything pool create refuses before it changes anything. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "internal.h"
#include "kind.h"
#include "slots.h"

LATEBIND_API int latebind_addr_parse(const char *s, struct latebind_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->bytes) == 1)
		a->family = LB_AF_INET;
	else if (inet_pton(AF_INET6, s, a->bytes) == 1)
		a->family = LB_AF_INET6;
	else
		return lb_err(-EINVAL, "\"%s\" is not an IPv4 or IPv6 address", s);
	return 0;
}

LATEBIND_API const char *latebind_addr_str(const struct latebind_addr *a, char *buf, size_t size)
{
	if (!a->family || !inet_ntop(a->family == LB_AF_INET ? AF_INET : AF_INET6, a->bytes, buf,
				     (socklen_t)size))
		snprintf(buf, size, "-");
	return buf;
}

LATEBIND_API void latebind_pool_spec_init(struct latebind_pool_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->type = LATEBIND_GENEVE;
}

static unsigned int digits(uint32_t v)
{
	unsigned int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/*
 * The peer's underlay address: one unicast host on another machine. A
 * link-local IPv6 address would need a scope (an interface), which a pool
 * does not take.
 */
static int check_remote(const struct latebind_addr *a)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff }, zero[16];
	const uint8_t *b = a->bytes;
	char s[64];

	if (!a->family)
		return lb_err(-EINVAL, "the remote address is missing");
	latebind_addr_str(a, s, sizeof(s));
	if (a->family == LB_AF_INET) {
		if (b[0] >= 224 || !b[0])
			return lb_err(-EINVAL, "remote %s: the remote must be a unicast address", s);
		if (b[0] == 127)
			return lb_err(-EINVAL, "remote %s is a loopback address: the remote is "
				      "the peer's underlay address", s);
		return 0;
	}
	if (b[0] == 0xff)
		return lb_err(-EINVAL, "remote %s: the remote must be a unicast address", s);
	if (!memcmp(b, mapped, 12))
		return lb_err(-EINVAL, "remote %s is an IPv4-mapped address: give the IPv4 "
			      "address itself", s);
	if (!memcmp(b, zero, 15) && b[15] <= 1)
		return lb_err(-EINVAL, "remote %s is %s", s, b[15] ? "the loopback address"
			      : "the unspecified address: the remote must be a unicast address");
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return lb_err(-EINVAL, "remote %s is link-local: it would need a scope "
			      "(an interface), which a pool does not take", s);
	return 0;
}

/* Check @in and fill @info with every default resolved. */
int lb_resolve_spec(const struct latebind_pool_spec *in, struct lb_pool_info *info)
{
	const char *prefix = in->prefix ? in->prefix : LATEBIND_PREFIX_DEFAULT;
	const struct lb_kind *k = lb_kind(in->type);
	uint64_t last;
	int err;

	memset(info, 0, sizeof(*info));
	if (!in->underlay || !*in->underlay)
		return lb_err(-EINVAL, "the underlay device (dev) is missing");
	if (!k)
		return lb_err(-EINVAL, "tunnel type must be geneve or vxlan");
	err = check_remote(&in->remote);
	if (err)
		return err;
	if (in->local.family && in->local.family != in->remote.family)
		return lb_err(-EINVAL, "local and remote must both be IPv4 or both IPv6");
	if (in->local.family && !k->has_local)
		return lb_err(-EINVAL, "Linux %s devices have no local address; omit local",
			      k->name);
	if (in->count == 0 || in->count > LB_DUMMY_RANGE_MAX)
		return lb_err(-EINVAL, "count %u is outside 1-%u", in->count, LB_DUMMY_RANGE_MAX);
	info->dummy_base = in->dummy_base ? in->dummy_base : LB_VNI_MAX + 1 - in->count;
	last = (uint64_t)info->dummy_base + in->count - 1;
	if (last > LB_VNI_MAX)
		return lb_err(-EINVAL, "dummy range %u-%llu runs past the largest VNI %u",
			      info->dummy_base, (unsigned long long)last, LB_VNI_MAX);
	if (!*prefix || strlen(prefix) + digits(in->count - 1) >= IF_NAMESIZE)
		return lb_err(-EINVAL, "prefix \"%s\" with %u tunnels makes names longer than %d "
			      "characters", prefix, in->count, IF_NAMESIZE - 1);
	if (strpbrk(prefix, "/: \t\n%"))
		return lb_err(-EINVAL, "prefix \"%s\" has a character not allowed in device names",
			      prefix);
	info->type = k->type;
	info->family = in->remote.family;
	memcpy(info->remote, in->remote.bytes, 16);
	if (in->local.family) {
		info->has_local = 1;
		memcpy(info->local, in->local.bytes, 16);
	}
	info->count = in->count;
	info->dstport = in->dstport ? in->dstport : k->default_port;
	/* IPv6 peers drop zero checksums unless told otherwise (udp6zerocsumrx). */
	info->udp_csum = in->udp_csum == LATEBIND_CSUM_ON ||
			 (in->udp_csum == LATEBIND_CSUM_DEFAULT && in->remote.family == LB_AF_INET6);
	snprintf(info->prefix, sizeof(info->prefix), "%s", prefix);
	info->flags = in->ipv6 ? LB_POOL_F_IPV6 : 0;
	return 0;
}


/* The public view of a pool's settings (the kernel's lb_pool record). */
void lb_pool_info_public(const struct lb_pool_info *pi, struct latebind_pool_info *o)
{
	o->type = pi->type;
	o->remote.family = pi->family;
	memcpy(o->remote.bytes, pi->remote, 16);
	if (pi->has_local) {
		o->local.family = pi->family;
		memcpy(o->local.bytes, pi->local, 16);
	}
	o->dstport = pi->dstport;
	o->udp_csum = pi->udp_csum;
	o->ipv6 = pi->flags & LB_POOL_F_IPV6;
	snprintf(o->prefix, sizeof(o->prefix), "%.15s", pi->prefix);
	o->count = pi->count;
	o->dummy_base = pi->dummy_base;
}

/* The public view of a pool's slot settings (the kernel's lb_slots record). */
void lb_slots_info_public(const struct lb_slots_info *si, struct latebind_slots_info *o)
{
	snprintf(o->tap_prefix, sizeof(o->tap_prefix), "%.15s", si->tap_prefix);
	o->has_owner = si->flags & LB_SLOTS_F_OWNER;
	o->has_group = si->flags & LB_SLOTS_F_GROUP;
	o->owner_uid = si->owner_uid;
	o->owner_gid = si->owner_gid;
	o->multi_queue = si->flags & LB_SLOTS_F_MULTI_QUEUE;
}

LATEBIND_API int latebind_pool_spec_resolve(const struct latebind_pool_spec *spec,
					    const struct latebind_slot_spec *slots,
					    struct latebind_pool_info *info,
					    struct latebind_slots_info *slots_info)
{
	struct lb_slots_info si;
	struct lb_pool_info pi;
	int err;

	memset(info, 0, sizeof(*info));
	if (slots_info)
		memset(slots_info, 0, sizeof(*slots_info));
	err = lb_resolve_spec(spec, &pi);
	if (!err)
		err = lb_slots_resolve(slots, &pi, &si);
	if (err)
		return err;
	snprintf(info->underlay, sizeof(info->underlay), "%.15s", spec->underlay);
	lb_pool_info_public(&pi, info);
	if (slots && slots_info)
		lb_slots_info_public(&si, slots_info);
	return 0;
}
