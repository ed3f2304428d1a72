// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* latebind pool { create | destroy }, bind, unbind, show, stats */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <latebind/latebind.h>
#include "args.h"
#include "cli.h"
#include "output.h"

/* "KEYWORD VALUE": the value, or an error naming the keyword. */
static const char *need_value(int argc, char **argv, const char *what)
{
	if (argc < 2) {
		cli_error("\"%s\" needs %s", argv[0], what);
		return NULL;
	}
	return argv[1];
}

static int parse_create(int argc, char **argv, struct latebind_pool_spec *spec,
			enum latebind_attach_mode *mode, struct latebind_slot_spec *slots,
			bool *taps)
{
	const char *val, *tap_opt = NULL;
	char why[300];
	uint32_t v;

	latebind_pool_spec_init(spec);
	latebind_slot_spec_init(slots);
	*taps = false;
	spec->type = 0;
	while (argc > 0) {
		int used = 2, err;

		if (!strcmp(argv[0], "udpcsum") || !strcmp(argv[0], "noudpcsum")) {
			spec->udp_csum = argv[0][0] == 'u' ? LATEBIND_CSUM_ON : LATEBIND_CSUM_OFF;
			used = 1;
		} else if (!strcmp(argv[0], "ipv6") || !strcmp(argv[0], "noipv6")) {
			spec->ipv6 = argv[0][0] == 'i';
			used = 1;
		} else if (!strcmp(argv[0], "taps")) {
			*taps = true;
			used = 1;
		} else if (!strcmp(argv[0], "multi-queue")) {
			slots->multi_queue = true;
			tap_opt = argv[0];
			used = 1;
		} else if (!strcmp(argv[0], "tap-prefix")) {
			if (!(val = need_value(argc, argv, "a name")))
				return 1;
			slots->tap_prefix = val;
			tap_opt = argv[0];
		} else if (!strcmp(argv[0], "netns-prefix")) {
			if (!(val = need_value(argc, argv, "a name")))
				return 1;
			slots->netns_prefix = val;
			tap_opt = argv[0];
		} else if (!strcmp(argv[0], "tap-owner")) {
			if (!(val = need_value(argc, argv, "USER[:GROUP]")))
				return 1;
			if (parse_owner(val, slots, why, sizeof(why)))
				return cli_error("invalid tap-owner %s", why);
			tap_opt = argv[0];
		} else if (!strcmp(argv[0], "dev")) {
			if (!(val = need_value(argc, argv, "a device name")))
				return 1;
			spec->underlay = val;
		} else if (!strcmp(argv[0], "type")) {
			if (!(val = need_value(argc, argv, "geneve or vxlan")))
				return 1;
			if (latebind_tunnel_type_parse(val, &spec->type))
				return cli_error("%s", latebind_last_error());
		} else if (!strcmp(argv[0], "remote") || !strcmp(argv[0], "local")) {
			if (!(val = need_value(argc, argv, "an IPv4 or IPv6 address")))
				return 1;
			if (latebind_addr_parse(val, argv[0][0] == 'r' ? &spec->remote : &spec->local))
				return cli_error("invalid %s \"%s\": not an IPv4 or IPv6 address",
						 argv[0], val);
		} else if (!strcmp(argv[0], "count")) {
			if (!(val = need_value(argc, argv, "a number")))
				return 1;
			if ((err = parse_u32(val, 1, LB_DUMMY_RANGE_MAX, &spec->count)))
				return cli_error("invalid count \"%s\": %s; a count is 1-%u", val,
						 parse_u32_why(err), LB_DUMMY_RANGE_MAX);
		} else if (!strcmp(argv[0], "dummy-base")) {
			if (!(val = need_value(argc, argv, "a VNI")))
				return 1;
			if ((err = parse_u32(val, 1, LB_VNI_MAX, &spec->dummy_base)))
				return cli_error("invalid dummy-base \"%s\": %s; a VNI is 1-%u", val,
						 parse_u32_why(err), LB_VNI_MAX);
		} else if (!strcmp(argv[0], "prefix")) {
			if (!(val = need_value(argc, argv, "a name")))
				return 1;
			spec->prefix = val;
		} else if (!strcmp(argv[0], "mode")) {
			if (!(val = need_value(argc, argv, "auto, tcx or cls_bpf")))
				return 1;
			if (!strcmp(val, "auto"))
				*mode = LATEBIND_ATTACH_NONE;
			else if (!strcmp(val, "tcx"))
				*mode = LATEBIND_ATTACH_TCX;
			else if (!strcmp(val, "cls_bpf"))
				*mode = LATEBIND_ATTACH_CLS_BPF;
			else
				return cli_error("invalid mode \"%s\": auto, tcx or cls_bpf", val);
		} else if (!strcmp(argv[0], "dstport")) {
			if (!(val = need_value(argc, argv, "a UDP port")))
				return 1;
			if ((err = parse_u32(val, 1, 65535, &v)))
				return cli_error("invalid dstport \"%s\": %s; a port is 1-65535", val,
						 parse_u32_why(err));
			spec->dstport = (uint16_t)v;
		} else {
			return cli_error("unknown argument \"%s\"; try 'latebind help'", argv[0]);
		}
		argc -= used;
		argv += used;
	}
	if (!spec->underlay)
		return cli_error("\"dev UNDERLAY\" is required");
	if (!spec->type)
		return cli_error("\"type geneve\" or \"type vxlan\" is required");
	if (!spec->remote.family)
		return cli_error("\"remote ADDR\" is required");
	if (!spec->count)
		return cli_error("\"count N\" is required");
	if (tap_opt && !*taps)
		return cli_error("\"%s\" is an option of taps: add \"taps\"", tap_opt);
	return 0;
}

static void print_pool(struct latebind_pool *pool);

static int do_create(int argc, char **argv)
{
	enum latebind_attach_mode mode = LATEBIND_ATTACH_NONE;
	struct latebind_slot_spec slots;
	struct latebind_pool_spec spec;
	struct latebind_pool *pool;
	bool created, taps;
	int err;

	if (parse_create(argc, argv, &spec, &mode, &slots, &taps))
		return 1;
	err = latebind_pool_create_slots(&spec, mode, taps ? &slots : NULL, &created);
	if (err)
		return cli_lib_error(err);
	err = latebind_pool_open(spec.underlay, &pool);
	if (err)
		return cli_lib_error(err);
	out_open_object(NULL);
	out_string("result", "%s: ", created ? "created" : "unchanged");
	print_pool(pool);
	out_close_object();
	out_finish();
	latebind_pool_close(pool);
	return 0;
}

static int do_destroy(int argc, char **argv)
{
	const char *dev = NULL;
	int err;

	if (argc == 2 && !strcmp(argv[0], "dev"))
		dev = argv[1];
	else
		return cli_error("usage: latebind pool destroy dev UNDERLAY");
	err = latebind_pool_destroy(dev);
	if (err)
		return cli_lib_error(err);
	out_open_object(NULL);
	out_string("destroyed", "destroyed the pool on %s\n", dev);
	out_close_object();
	out_finish();
	return 0;
}

int do_pool(int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "create", do_create },
		{ "destroy", do_destroy },
		{ "show", do_show },
		{ NULL, NULL },
	};

	return cli_dispatch(cmds, "pool", argc, argv);
}

/* --- bind / unbind --------------------------------------------------------- */

static int open_tunnel(const char *name, struct latebind_pool **pool, uint32_t *slot)
{
	int err = latebind_pool_open_tunnel(name, pool, slot);

	return err ? cli_lib_error(err) : 0;
}

static void print_tunnel(struct latebind_pool *pool, const struct latebind_tunnel_info *t);

/* After bind or unbind: the tunnel's state, or the error; closes @pool. */
static int report_tunnel(struct latebind_pool *pool, uint32_t slot, int err, const char *verb)
{
	struct latebind_tunnel_info t;

	if (!err)
		err = latebind_tunnel_info(pool, slot, &t);
	if (err) {
		latebind_pool_close(pool);
		return cli_lib_error(err);
	}
	out_open_object(NULL);
	out_text("%s ", verb);
	print_tunnel(pool, &t);
	out_close_object();
	out_finish();
	latebind_pool_close(pool);
	return 0;
}

int do_bind(int argc, char **argv)
{
	struct latebind_pool *pool;
	const char *name, *vni_arg = NULL;
	uint8_t mac[6];
	bool has_mac = false;
	uint32_t vni, slot;
	int err;

	if (argc < 1)
		return cli_error("usage: latebind bind TUNNEL vni VNI [ inner-mac MAC ]");
	name = argv[0];
	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return cli_error("\"%s\" needs a value", argv[i]);
		if (!strcmp(argv[i], "vni")) {
			vni_arg = argv[i + 1];
		} else if (!strcmp(argv[i], "inner-mac")) {
			if (parse_mac(argv[i + 1], mac))
				return cli_error("invalid inner-mac \"%s\": expected aa:bb:cc:dd:ee:ff",
						 argv[i + 1]);
			has_mac = true;
		} else {
			return cli_error("unknown argument \"%s\"; try 'latebind help'", argv[i]);
		}
	}
	if (!vni_arg)
		return cli_error("\"vni VNI\" is required");
	err = parse_u32(vni_arg, 0, LB_VNI_MAX, &vni);
	if (err == -ERANGE)
		return cli_error("VNI %s is outside 0-%u", vni_arg, LB_VNI_MAX);
	if (err)
		return cli_error("invalid VNI \"%s\": %s", vni_arg, parse_u32_why(err));
	if (open_tunnel(name, &pool, &slot))
		return 1;
	err = latebind_bind(pool, slot, vni, has_mac ? mac : NULL);
	return report_tunnel(pool, slot, err, "bound");
}

int do_unbind(int argc, char **argv)
{
	struct latebind_pool *pool;
	uint32_t slot;
	int err;

	if (argc != 1)
		return cli_error("usage: latebind unbind TUNNEL");
	if (open_tunnel(argv[0], &pool, &slot))
		return 1;
	err = latebind_unbind(pool, slot);
	return report_tunnel(pool, slot, err, "unbound");
}

/* --- show ------------------------------------------------------------------ */

static void print_mac(const char *key, const char *fmt, const uint8_t *m)
{
	char s[18];

	snprintf(s, sizeof(s), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	out_string(key, fmt, s);
}

static void print_tap(struct latebind_pool *pool, uint32_t slot);

static void print_tunnel(struct latebind_pool *pool, const struct latebind_tunnel_info *t)
{
	if (t->name[0])
		out_string("name", "%s", t->name);
	else
		out_null("name", "(missing)");
	out_uint("ifindex", " ifindex %llu", t->ifindex);
	out_uint("dummy_vni", " dummy %llu", t->dummy_vni);
	if (t->bound)
		out_uint("vni", " vni %llu", t->vni);
	else
		out_null("vni", " vni -");
	if (t->has_mac)
		print_mac("inner_mac", " inner-mac %s", t->inner_mac);
	else
		out_null("inner_mac", "");
	print_tap(pool, t->slot);
	/* A bound tunnel whose ingress entry is missing cannot receive. */
	if (t->bound && !t->ingress_ok)
		out_string("warning", " (%s)", "ingress entry missing");
	out_text("\n");
}

/* A slot's tap, in a pool with taps. */
static void print_tap(struct latebind_pool *pool, uint32_t slot)
{
	char name[IF_NAMESIZE_LB];
	unsigned int ifindex;

	if (latebind_slot_tap(pool, slot, name, &ifindex))
		return;
	if (name[0])
		out_string("tap", " tap %s", name);
	else
		out_null("tap", " tap (missing)");
	out_uint("tap_ifindex", "", ifindex);
	if (!latebind_slot_netns(pool, slot, name, sizeof(name)))
		out_string("netns", " netns %s", name);
	else
		out_null("netns", "");
}

static void print_slots(struct latebind_pool *pool)
{
	struct latebind_slots_info si;
	char prefix[32];

	if (latebind_pool_slots(pool, &si)) {
		out_bool("taps", "", false);
		return;
	}
	out_bool("taps", "  taps", true);
	out_string("tap_prefix", " tap-prefix %s", si.tap_prefix);
	if (si.has_owner) {
		out_uint("tap_owner_uid", " tap-owner %llu", si.owner_uid);
		if (si.has_group)
			out_uint("tap_owner_gid", ":%llu", si.owner_gid);
		else
			out_null("tap_owner_gid", "");
	} else {
		out_null("tap_owner_uid", " tap-owner root");
		out_null("tap_owner_gid", "");
	}
	out_bool("multi_queue", si.multi_queue ? " multi-queue" : "", si.multi_queue);
	if (!latebind_pool_netns_prefix(pool, prefix, sizeof(prefix)))
		out_string("netns_prefix", " netns-prefix %s", prefix);
	else
		out_null("netns_prefix", " netns (the pool's)");
	out_uint("unguarded_taps", "", si.unguarded_taps);
	if (si.unguarded_taps)
		out_text(" BROKEN: %u taps lack their lb_tap_ingress/lb_tap_egress guard",
			 si.unguarded_taps);
	out_text("\n");
}

static void print_pool_head(const struct latebind_pool_info *pi)
{
	char addr[64];

	out_string("dev", "pool dev %s", pi->underlay);
	out_uint("underlay_ifindex", " (ifindex %llu)", pi->underlay_ifindex);
	out_string("type", " type %s", latebind_tunnel_type_name(pi->type));
	out_string("remote", " remote %s", latebind_addr_str(&pi->remote, addr, sizeof(addr)));
	if (pi->local.family)
		out_string("local", " local %s", latebind_addr_str(&pi->local, addr, sizeof(addr)));
	else
		out_null("local", "");
	out_uint("dstport", " dstport %llu", pi->dstport);
	out_bool("udpcsum", " udpcsum %s", pi->udp_csum);
	out_bool("ipv6", " ipv6 %s", pi->ipv6);
	out_uint("count", "\n  count %llu", pi->count);
	out_string("prefix", " prefix %s", pi->prefix);
	out_uint("dummy_min", " dummy-range %llu", pi->dummy_base);
	out_uint("dummy_max", "-%llu", pi->dummy_base + pi->count - 1);
	out_string("attach", " attach %s", latebind_attach_mode_name(pi->mode));
	out_bool("egress_attached", "", pi->egress_attached);
	out_bool("ingress_attached", "", pi->ingress_attached);
	out_bool("programs_first", "", pi->programs_first);
	out_bool("input_guard", "", pi->input_guard);
	out_uint("unguarded_tunnels", "", pi->unguarded_tunnels);
	if (!pi->egress_attached)
		out_text(" BROKEN: lb_egress is not attached, unbound tunnels are not closed");
	else if (!pi->ingress_attached)
		out_text(" BROKEN: lb_ingress is not attached");
	else if (!pi->programs_first)
		out_text(" WARNING: another program runs before lb_egress/lb_ingress on the underlay");
	if (!pi->input_guard)
		out_text(" BROKEN: the nftables input guard (table inet latebind) is missing");
	if (pi->unguarded_tunnels)
		out_text(" BROKEN: %u tunnels lack their lb_tun_egress/lb_tun_ingress guard",
			 pi->unguarded_tunnels);
	out_text("\n");
}

static void print_pool(struct latebind_pool *pool)
{
	struct latebind_pool_info pi;
	struct latebind_tunnel_info t;
	uint32_t leftovers = 0;

	latebind_pool_info(pool, &pi);
	print_pool_head(&pi);
	print_slots(pool);
	out_open_array("tunnels");
	for (uint32_t s = 0; s < pi.count; s++) {
		if (latebind_tunnel_info(pool, s, &t))
			continue;
		out_open_object(NULL);
		out_text("  ");
		print_tunnel(pool, &t);
		out_close_object();
	}
	out_close_array();
	/* Entries left by an interrupted bind; they never deliver (docs/maps.md). */
	latebind_pool_leftovers(pool, &leftovers);
	out_uint("leftover_ingress_entries", leftovers ? "  leftover ingress entries: %llu\n" : "",
		 leftovers);
}

/* Run @fn on the pool of tunnel @name, or on every pool of the namespace. */
static int for_pools(const char *name, void (*pool_fn)(struct latebind_pool *),
		     void (*tunnel_fn)(struct latebind_pool *, uint32_t))
{
	struct latebind_pool *pool;
	unsigned int *pools;
	size_t n;
	uint32_t slot;
	int err;

	if (name) {
		if (open_tunnel(name, &pool, &slot))
			return 1;
		tunnel_fn(pool, slot);
		out_finish();
		latebind_pool_close(pool);
		return 0;
	}
	err = latebind_pool_list(&pools, &n);
	if (err)
		return cli_lib_error(err);
	out_open_array(NULL);
	for (size_t i = 0; i < n; i++) {
		char dev[IF_NAMESIZE_LB];

		if (!if_indextoname(pools[i], dev) || latebind_pool_open(dev, &pool))
			continue;
		out_open_object(NULL);
		pool_fn(pool);
		out_close_object();
		latebind_pool_close(pool);
	}
	out_close_array();
	if (!n)
		out_text("no latebind pools in this network namespace\n");
	out_finish();
	free(pools);
	return 0;
}

static void show_one(struct latebind_pool *pool, uint32_t slot)
{
	struct latebind_tunnel_info t;
	struct latebind_pool_info pi;

	latebind_pool_info(pool, &pi);
	latebind_tunnel_info(pool, slot, &t);
	out_open_object(NULL);
	print_tunnel(pool, &t);
	out_string("dev", "", pi.underlay);
	out_close_object();
}

int do_show(int argc, char **argv)
{
	if (argc > 1)
		return cli_error("usage: latebind show [ TUNNEL ]");
	return for_pools(argc ? argv[0] : NULL, print_pool, show_one);
}

/* --- stats ----------------------------------------------------------------- */

static void print_counters(struct latebind_pool *pool, uint32_t slot)
{
	struct latebind_tunnel_info t;
	struct latebind_tunnel_stats st = { 0 };

	latebind_tunnel_info(pool, slot, &t);
	latebind_tunnel_stats(pool, slot, &st);
	if (t.name[0])
		out_string("name", "%s", t.name);
	else
		out_null("name", "(missing)");
	out_uint("tx_packets", " tx %llu pkts", st.tx_packets);
	out_uint("tx_bytes", " %llu bytes", st.tx_bytes);
	out_uint("rx_packets", " rx %llu pkts", st.rx_packets);
	out_uint("rx_bytes", " %llu bytes\n", st.rx_bytes);
}

static void print_drops(struct latebind_pool *pool)
{
	uint64_t drops[LATEBIND_DROP_REASONS] = { 0 };

	latebind_pool_drops(pool, drops);
	out_open_object("drops");
	out_text("  drops:");
	for (uint32_t r = 0; r < LATEBIND_DROP_REASONS; r++) {
		char fmt[64];

		snprintf(fmt, sizeof(fmt), " %s %%llu", latebind_drop_reason_name(r));
		out_uint(latebind_drop_reason_name(r), fmt, drops[r]);
	}
	out_text("\n");
	out_close_object();
}

static void stats_pool(struct latebind_pool *pool)
{
	struct latebind_pool_info pi;

	latebind_pool_info(pool, &pi);
	out_string("dev", "pool dev %s\n", pi.underlay);
	print_drops(pool);
	out_open_array("tunnels");
	for (uint32_t s = 0; s < pi.count; s++) {
		out_open_object(NULL);
		out_text("  ");
		print_counters(pool, s);
		out_close_object();
	}
	out_close_array();
}

static void stats_one(struct latebind_pool *pool, uint32_t slot)
{
	out_open_object(NULL);
	print_counters(pool, slot);
	print_drops(pool);
	out_close_object();
}

int do_stats(int argc, char **argv)
{
	if (argc > 1)
		return cli_error("usage: latebind stats [ TUNNEL ]");
	return for_pools(argc ? argv[0] : NULL, stats_pool, stats_one);
}

int do_gc(int argc, char **argv)
{
	unsigned int removed;
	int err;

	if (argc)
		return cli_error("usage: latebind gc");
	err = latebind_gc(&removed);
	if (err)
		return cli_lib_error(err);
	out_open_object(NULL);
	out_uint("removed", "removed the pins of %llu deleted datapaths\n", removed);
	out_close_object();
	out_finish();
	return 0;
}
