// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Pool config files (cli/conf.c): good files, and every error with its exact message. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <latebind/latebind.h>
#include "../../cli/conf.h"
#include "unit.h"

#define PATH "/etc/latebind/pools.d/a.conf"
#define POOL "[Pool]\nDevice=eth1\nType=vxlan\nRemote=192.0.2.1\n"

/* Parse @text as PATH; the errors in @e. */
static void quiet(enum latebind_log_level level, const char *msg, void *ctx) {}

static int parse(const char *text, struct pool_conf *c, struct conf_errors *e)
{
	latebind_set_log(quiet, NULL); /* the library's refusals are read from @e */
	memset(e, 0, sizeof(*e));
	return conf_parse(PATH, text, c, e);
}

static void test_conf_good(void **state)
{
	static const struct {
		const char *text, *prefix, *tap_prefix; /* NULL: "lb", "" */
		enum latebind_tunnel_type type;
		uint32_t count, dummy_base;
		uint16_t dstport;
		bool udp_csum, ipv6, taps, multi_queue;
		enum latebind_attach_mode mode;
	} cases[] = {
		/* The defaults: the top Count VNIs, VXLAN's port, no checksums over IPv4. */
		{ .text = POOL "Count=8\n", .count = 8, .dummy_base = 16777208, .dstport = 4789 },
		/* Comments, blank lines, spaces around '=', CRLF, a section given twice;
		 * checksums on over IPv6 by default. */
		{ .text = "# a pool\n; another comment\n\n  [Pool]  \r\nDevice = eth1\r\n"
			  "Type= geneve\n[Pool]\nRemote =2001:db8::2\nCount=0x10\n",
		  .type = LATEBIND_GENEVE, .count = 16, .dummy_base = 16777200, .dstport = 6081,
		  .udp_csum = true },
		/* Every key of [Pool]; systemd's spellings of booleans. */
		{ .text = POOL "Local=192.0.2.9\nCount=100\nDummyBase=5000\nPrefix=vx\n"
			  "DestinationPort=8472\nUDPChecksum=on\nIPv6=TRUE\nAttachMode=cls_bpf\n",
		  .prefix = "vx", .count = 100, .dummy_base = 5000, .dstport = 8472,
		  .udp_csum = true, .ipv6 = true, .mode = LATEBIND_ATTACH_CLS_BPF },
		/* DummyRange alone gives the count; with a Count that agrees. */
		{ .text = POOL "DummyRange=1000-1099\n", .count = 100, .dummy_base = 1000,
		  .dstport = 4789 },
		{ .text = POOL "Count=100\nDummyRange=1000-1099\nUDPChecksum=no\n", .count = 100,
		  .dummy_base = 1000, .dstport = 4789 },
		/* IPv6 with checksums off, as asked. */
		{ .text = "[Pool]\nDevice=eth1\nType=vxlan\nRemote=2001:db8::2\nCount=2\n"
			  "UDPChecksum=false\n",
		  .count = 2, .dummy_base = 16777214, .dstport = 4789 },
		/* Taps, their default prefix, and their options. */
		{ .text = POOL "Count=4\n[Slots]\nTaps=yes\n", .tap_prefix = "lbt", .count = 4,
		  .dummy_base = 16777212, .dstport = 4789, .taps = true },
		{ .text = POOL "Count=4\n[Slots]\nTaps=1\nTapPrefix=vm\nTapOwner=0:0\nMultiQueue=y\n",
		  .tap_prefix = "vm", .count = 4, .dummy_base = 16777212, .dstport = 4789,
		  .taps = true, .multi_queue = true },
		/* Taps=no: no taps. */
		{ .text = POOL "Count=4\n[Slots]\nTaps=no\n", .count = 4, .dummy_base = 16777212,
		  .dstport = 4789 },
		/* No newline at the end. */
		{ .text = POOL "Count=1", .count = 1, .dummy_base = 16777215, .dstport = 4789 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct latebind_pool_info *w;
		struct conf_errors e;
		struct pool_conf c;

		if (parse(cases[i].text, &c, &e))
			fail_msg("case %zu: %s", i, e.msg[0]);
		w = &c.want.pool;
		assert_int_equal(e.n, 0);
		assert_string_equal(c.spec.underlay, "eth1");
		assert_string_equal(w->underlay, "eth1");
		assert_string_equal(w->prefix, cases[i].prefix ? cases[i].prefix : "lb");
		assert_int_equal(w->type, cases[i].type ? cases[i].type : LATEBIND_VXLAN);
		assert_int_equal(w->count, cases[i].count);
		assert_int_equal(w->dummy_base, cases[i].dummy_base);
		assert_int_equal(w->dstport, cases[i].dstport);
		assert_int_equal(w->udp_csum, cases[i].udp_csum);
		assert_int_equal(w->ipv6, cases[i].ipv6);
		assert_int_equal(w->mode, cases[i].mode);
		assert_int_equal(c.want.taps, cases[i].taps);
		assert_string_equal(c.want.slots.tap_prefix,
				    cases[i].tap_prefix ? cases[i].tap_prefix : "");
		assert_int_equal(c.want.slots.multi_queue, cases[i].multi_queue);
		conf_free(&c);
	}
}

static void test_conf_good_values(void **state)
{
	struct conf_errors e;
	struct pool_conf c;
	char addr[64];

	assert_int_equal(parse(POOL "Local=192.0.2.9\nCount=2\n[Slots]\nTaps=yes\nTapOwner=0:0\n",
			       &c, &e), 0);
	assert_string_equal(latebind_addr_str(&c.want.pool.remote, addr, sizeof(addr)),
			    "192.0.2.1");
	assert_string_equal(latebind_addr_str(&c.want.pool.local, addr, sizeof(addr)), "192.0.2.9");
	assert_true(c.want.slots.has_owner && c.want.slots.has_group);
	assert_int_equal(c.want.slots.owner_uid, 0);
	/* Where each key was set, and what decides a key that was not. */
	assert_int_equal(conf_line(&c, "Device"), 2);
	assert_int_equal(conf_line(&c, "Count"), 6);
	assert_int_equal(conf_line(&c, "Prefix"), 1);    /* not set: its section's line */
	assert_int_equal(conf_line(&c, "TapPrefix"), 7); /* [Slots] */
	assert_int_equal(conf_line(&c, "TapOwner"), 9);
	conf_free(&c);
}

/* Every error, with its exact text. */
static void test_conf_errors(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ POOL "Count=12x\n", PATH ":5: Count: \"12x\" is not a number (decimal, or hex with 0x)" },
		{ POOL "Count=0\n", PATH ":5: Count: \"0\" is out of range: a count is 1-65536" },
		{ POOL "Count=65537\n", PATH ":5: Count: \"65537\" is out of range: a count is 1-65536" },
		{ POOL "Count=010\n", PATH ":5: Count: \"010\": a leading zero is refused (numbers are "
				     "decimal, or hex with 0x)" },
		{ POOL "Count=-1\n", PATH ":5: Count: \"-1\" is not a number (decimal, or hex with 0x)" },
		{ POOL "Count=4\nColor=blue\n", PATH ":6: Color: unknown key in [Pool]" },
		{ POOL "count=4\n", PATH ":5: count: unknown key (keys are case-sensitive: Count)" },
		{ POOL "Count=4\nTaps=yes\n", PATH ":6: Taps: not a key of [Pool]; it belongs in [Slots]" },
		{ POOL "Count=4\n[Slot]\nTaps=yes\n", PATH ":6: [Slot]: unknown section; the sections "
						       "are [Pool] and [Slots]" },
		{ POOL "Count=4\n[Slots\n", PATH ":6: \"[Slots\": not a section header ([Pool] or [Slots])" },
		{ POOL "Count=4\n[]\n", PATH ":6: \"[]\": not a section header ([Pool] or [Slots])" },
		{ POOL "Count 4\n", PATH ":5: \"Count 4\": not a Key=Value line" },
		{ POOL "=4\n", PATH ":5: \"=4\": the key is missing" },
		{ "Device=eth1\n" POOL "Count=4\n", PATH ":1: Device: outside a section; put it under "
						    "[Pool] or [Slots]" },
		{ POOL "Count=4\nCount=8\n", PATH ":6: Count: set twice (first on line 5)" },
		{ POOL "Count=\n", PATH ":5: Count: the value is missing" },
		{ POOL "Count=4\nType=gre\n", PATH ":6: Type: set twice (first on line 3)" },
		{ "[Pool]\nDevice=eth1\nType=gre\nRemote=192.0.2.1\nCount=4\n",
		  PATH ":3: Type: \"gre\" is not a tunnel type: geneve or vxlan" },
		{ "[Pool]\nDevice=eth1\nType=vxlan\nRemote=192.0.2\nCount=4\n",
		  PATH ":4: Remote: \"192.0.2\" is not an IPv4 or IPv6 address" },
		{ "[Pool]\nDevice=eth1/x\nType=vxlan\nRemote=192.0.2.1\nCount=4\n",
		  PATH ":2: Device: \"eth1/x\" is not a device name: at most 15 characters, none of "
		       "'/', ':', '%' or a space" },
		{ "[Pool]\nDevice=abcdefghijklmnop\nType=vxlan\nRemote=192.0.2.1\nCount=4\n",
		  PATH ":2: Device: \"abcdefghijklmnop\" is not a device name: at most 15 characters, "
		       "none of '/', ':', '%' or a space" },
		{ POOL "Count=4\nPrefix=a b\n", PATH ":6: Prefix: \"a b\" is not a device name prefix: "
						    "at most 15 characters, none of '/', ':', '%' or a space" },
		{ POOL "Count=4\nDestinationPort=0\n",
		  PATH ":6: DestinationPort: \"0\" is out of range: a port is 1-65535" },
		{ POOL "Count=4\nDestinationPort=70000\n",
		  PATH ":6: DestinationPort: \"70000\" is out of range: a port is 1-65535" },
		{ POOL "Count=4\nUDPChecksum=maybe\n",
		  PATH ":6: UDPChecksum: \"maybe\" is not a boolean: yes or no" },
		{ POOL "Count=4\nAttachMode=xdp\n",
		  PATH ":6: AttachMode: \"xdp\" is not an attach mode: auto, tcx or cls_bpf" },
		/* Bad VNI ranges. */
		{ POOL "DummyRange=200-100\n", PATH ":5: DummyRange: dummy range 200-100 is inverted: "
						   "the last VNI is below the first" },
		{ POOL "DummyRange=100\n", PATH ":5: DummyRange: dummy range \"100\" is not FIRST-LAST" },
		{ POOL "DummyRange=0-9\n", PATH ":5: DummyRange: dummy range \"0-9\" starts at VNI 0: a "
					       "dummy VNI is 1-16777215" },
		{ POOL "DummyRange=16777200-16777300\n",
		  PATH ":5: DummyRange: dummy range \"16777200-16777300\": out of range; VNIs are "
		       "0-16777215" },
		{ POOL "DummyRange=1-100000\n", PATH ":5: DummyRange: dummy range \"1-100000\" holds "
						    "100000 VNIs: a pool has at most 65536" },
		{ POOL "Count=10\nDummyBase=16777210\n",
		  PATH ":6: DummyBase: dummy range 16777210-16777219 (Count=10) runs past the largest "
		       "VNI 16777215" },
		{ POOL "Count=10\nDummyBase=0\n",
		  PATH ":6: DummyBase: \"0\" is out of range: a dummy VNI is 1-16777215" },
		{ POOL "Count=10\nDummyBase=100\nDummyRange=100-109\n",
		  PATH ":7: DummyRange: DummyBase= (line 6) sets the dummy range too: give one of them" },
		{ POOL "Count=10\nDummyRange=100-199\n",
		  PATH ":6: DummyRange: 100-199 holds 100 VNIs, but Count= (line 5) is 10" },
		/* Missing keys, at the [Pool] line. */
		{ "# x\n[Pool]\nType=vxlan\nRemote=192.0.2.1\nCount=4\n",
		  PATH ":2: Device: missing; [Pool] needs it" },
		{ "[Pool]\nDevice=eth1\nRemote=192.0.2.1\nCount=4\n", PATH ":1: Type: missing; [Pool] needs it" },
		{ "[Pool]\nDevice=eth1\nType=vxlan\nCount=4\n", PATH ":1: Remote: missing; [Pool] needs it" },
		{ POOL, PATH ":1: Count: missing; [Pool] needs it (or DummyRange=)" },
		{ "# nothing\n", PATH ": no [Pool] section: a file describes one pool" },
		{ "", PATH ": no [Pool] section: a file describes one pool" },
		/* Taps. */
		{ POOL "Count=4\n[Slots]\nTapPrefix=vm\n",
		  PATH ":7: TapPrefix: an option of the taps: it needs Taps=yes" },
		{ POOL "Count=4\n[Slots]\nTaps=no\nMultiQueue=yes\n",
		  PATH ":8: MultiQueue: an option of the taps: it needs Taps=yes" },
		{ POOL "Count=4\n[Slots]\nTaps=yes\nTapOwner=nosuchuser-lb\n",
		  PATH ":8: TapOwner: \"nosuchuser-lb\": no user \"nosuchuser-lb\"" },
		{ POOL "Count=4\n[Slots]\nTaps=yes\nTapOwner=0:\n",
		  PATH ":8: TapOwner: \"0:\": USER[:GROUP]" },
		/* What the library refuses (latebind_pool_spec_resolve), with its words. */
		{ "[Pool]\nDevice=eth1\nType=vxlan\nRemote=224.0.0.1\nCount=4\n",
		  PATH ": remote 224.0.0.1: the remote must be a unicast address" },
		{ "[Pool]\nDevice=eth1\nType=geneve\nRemote=192.0.2.1\nLocal=192.0.2.2\nCount=4\n",
		  PATH ": Linux geneve devices have no local address; omit local" },
		{ POOL "Count=1000\nPrefix=abcdefghijklm\n",
		  PATH ": prefix \"abcdefghijklm\" with 1000 tunnels makes names longer than 15 "
		       "characters" },
		{ POOL "Count=20\nPrefix=vm\n[Slots]\nTaps=yes\nTapPrefix=vm1\n",
		  PATH ": tap prefix \"vm1\" names tap 0 vm10, which is also a tunnel's name (prefix "
		       "\"vm\")" },
		{ POOL "Count=4\n[Slots]\nTaps=yes\nTapOwner=3999999\n",
		  PATH ": tap owner: there is no user with uid 3999999" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct conf_errors e;
		struct pool_conf c;

		if (!parse(cases[i].text, &c, &e))
			fail_msg("case %zu: accepted", i);
		if (e.n < 1 || strcmp(e.msg[0], cases[i].msg))
			fail_msg("case %zu: got \"%s\"\n   want \"%s\"", i, e.n ? e.msg[0] : "",
				 cases[i].msg);
		conf_free(&c);
	}
}

/* Every error of a file is reported, not only the first. */
static void test_conf_all_errors(void **state)
{
	struct conf_errors e;
	struct pool_conf c;

	assert_int_equal(parse("[Pool]\nDevice=eth1\nType=gre\nRemote=x\nCount=12x\nFoo=1\n", &c, &e),
			 -EINVAL);
	assert_int_equal(e.n, 4);
	assert_string_equal(e.msg[3], PATH ":6: Foo: unknown key in [Pool]");
	conf_free(&c);
}

static int parse_set(const char *const *texts, size_t n, struct pool_conf *cs,
		     struct conf_errors *e)
{
	memset(e, 0, sizeof(*e));
	for (size_t i = 0; i < n; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/etc/latebind/pools.d/%c.conf", (char)('a' + i));
		if (conf_parse(path, texts[i], &cs[i], e))
			fail_msg("file %zu: %s", i, e->msg[0]);
	}
	return conf_check_set(cs, n, e);
}

/* Across files: the exact error, at the second file's line. */
static void test_conf_set(void **state)
{
	static const struct {
		const char *a, *b, *msg;
	} cases[] = {
		/* Two pools on one underlay. */
		{ POOL "Count=4\nDummyBase=100\n", POOL "Count=4\nDummyBase=200\nPrefix=m\n",
		  "/etc/latebind/pools.d/b.conf:2: Device: eth1 has a pool in "
		  "/etc/latebind/pools.d/a.conf (line 2) already: one pool per underlay" },
		/* Overlapping dummy ranges: given, and the default of both. */
		{ POOL "Count=100\nDummyBase=1000\n",
		  "[Pool]\nDevice=eth2\nType=vxlan\nRemote=192.0.2.1\nDummyRange=1050-1149\nPrefix=m\n",
		  "/etc/latebind/pools.d/b.conf:5: DummyRange: dummy range 1050-1149 overlaps "
		  "1000-1099 of /etc/latebind/pools.d/a.conf: the pools of one network namespace "
		  "need disjoint dummy ranges" },
		{ POOL "Count=8\n",
		  "[Pool]\nDevice=eth2\nType=vxlan\nRemote=192.0.2.1\nCount=4\nPrefix=m\n",
		  "/etc/latebind/pools.d/b.conf:5: Count: the default dummy range 16777212-16777215 "
		  "(the top 4 VNIs) overlaps 16777208-16777215 of /etc/latebind/pools.d/a.conf: give "
		  "one of them DummyBase= or DummyRange=" },
		/* Device names: the default prefix twice; lb10 of "lb" is lb0 of "lb1"; taps. */
		{ POOL "Count=8\nDummyBase=100\n",
		  "[Pool]\nDevice=eth2\nType=vxlan\nRemote=192.0.2.1\nCount=4\nDummyBase=200\n",
		  "/etc/latebind/pools.d/b.conf:1: Prefix: lb0 would name a tunnel of this pool and a "
		  "tunnel of /etc/latebind/pools.d/a.conf: give them different prefixes" },
		{ POOL "Count=20\nDummyBase=100\n",
		  "[Pool]\nDevice=eth2\nType=vxlan\nRemote=192.0.2.1\nCount=4\nDummyBase=200\n"
		  "Prefix=lb1\n",
		  "/etc/latebind/pools.d/b.conf:7: Prefix: lb10 would name a tunnel of this pool and a "
		  "tunnel of /etc/latebind/pools.d/a.conf: give them different prefixes" },
		{ POOL "Count=4\nDummyBase=100\nPrefix=x\n[Slots]\nTaps=yes\n",
		  "[Pool]\nDevice=eth2\nType=vxlan\nRemote=192.0.2.1\nCount=4\nDummyBase=200\n"
		  "Prefix=xt\n",
		  "/etc/latebind/pools.d/b.conf:7: Prefix: xt0 would name a tunnel of this pool and a "
		  "tap of /etc/latebind/pools.d/a.conf: give them different prefixes" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *texts[2] = { cases[i].a, cases[i].b };
		struct pool_conf cs[2];
		struct conf_errors e;

		if (!parse_set(texts, 2, cs, &e))
			fail_msg("case %zu: accepted", i);
		if (strcmp(e.msg[0], cases[i].msg))
			fail_msg("case %zu: got \"%s\"\n   want \"%s\"", i, e.msg[0], cases[i].msg);
		conf_free(&cs[0]);
		conf_free(&cs[1]);
	}
	/* A control: disjoint pools pass. */
	const char *fine[3] = {
		POOL "Count=8\n",
		"[Pool]\nDevice=eth2\nType=vxlan\nRemote=192.0.2.1\nCount=8\nDummyBase=100\nPrefix=m\n",
		"[Pool]\nDevice=eth3\nType=geneve\nRemote=192.0.2.1\nDummyRange=108-115\nPrefix=g\n"
		"[Slots]\nTaps=yes\n",
	};
	struct pool_conf cs[3];
	struct conf_errors e;

	if (parse_set(fine, 3, cs, &e))
		fail_msg("disjoint pools refused: %s", e.msg[0]);
	for (int i = 0; i < 3; i++)
		conf_free(&cs[i]);
}

static const struct conf_key *key(const char *name)
{
	for (size_t i = 0; i < conf_nkeys; i++)
		if (!strcmp(conf_keys[i].name, name))
			return &conf_keys[i];
	fail_msg("no key %s", name);
	return NULL;
}

/* Which settings differ from a pool that exists, and how they print. */
static void test_conf_differs(void **state)
{
	struct pool_state have;
	struct conf_errors e;
	struct pool_conf c;
	char diffs[512] = "", w[CONF_VALUE_MAX], h[CONF_VALUE_MAX];

	assert_int_equal(parse(POOL "Count=8\nUDPChecksum=yes\n[Slots]\nTaps=yes\n", &c, &e), 0);
	/* The same pool: nothing differs, in any key. */
	have = c.want;
	have.pool.mode = LATEBIND_ATTACH_TCX; /* AttachMode=auto takes any */
	for (size_t i = 0; i < conf_nkeys; i++)
		assert_false(conf_differs(&conf_keys[i], &c.want, &have, w, h));
	/* Another pool: every difference named, the taps' options compared only with taps. */
	have.pool.count = 4;
	have.pool.dummy_base = 16777212;
	have.pool.udp_csum = false;
	have.pool.type = LATEBIND_GENEVE;
	snprintf(have.slots.tap_prefix, sizeof(have.slots.tap_prefix), "vm");
	for (size_t i = 0; i < conf_nkeys; i++)
		if (conf_differs(&conf_keys[i], &c.want, &have, w, h))
			snprintf(diffs + strlen(diffs), sizeof(diffs) - strlen(diffs), "%s %s>%s; ",
				 conf_keys[i].name, h, w);
	assert_string_equal(diffs, "Type geneve>vxlan; Count 4>8; DummyRange 16777212-16777215>"
				   "16777208-16777215; UDPChecksum no>yes; TapPrefix vm>lbt; ");
	have.taps = false;
	diffs[0] = 0;
	for (size_t i = 0; i < conf_nkeys; i++)
		if (conf_differs(&conf_keys[i], &c.want, &have, w, h) && !strcmp(conf_keys[i].section, "Slots"))
			snprintf(diffs + strlen(diffs), sizeof(diffs) - strlen(diffs), "%s %s>%s; ",
				 conf_keys[i].name, h, w);
	assert_string_equal(diffs, "Taps no>yes; ");
	conf_free(&c);
	/* A mode other than auto is compared. */
	assert_int_equal(parse(POOL "Count=8\nAttachMode=cls_bpf\n", &c, &e), 0);
	have = c.want;
	have.pool.mode = LATEBIND_ATTACH_TCX;
	assert_true(conf_differs(key("AttachMode"), &c.want, &have, w, h));
	assert_string_equal(h, "tcx");
	assert_string_equal(w, "cls_bpf");
	conf_free(&c);
}

static void test_conf_names(void **state)
{
	char name[IF_NAMESIZE_LB];

	assert_true(conf_names_member("lb0", "lb", 1));
	assert_true(conf_names_member("lb65535", "lb", 65536));
	assert_false(conf_names_member("lb1", "lb", 1));
	assert_false(conf_names_member("lb01", "lb", 100)); /* no leading zero */
	assert_false(conf_names_member("lb", "lb", 100));
	assert_false(conf_names_member("lbx1", "lb", 100));
	assert_false(conf_names_member("lb1x", "lb", 100));
	assert_false(conf_names_member("ulh", "lb", 100));
	assert_true(conf_names_collide("lb", 11, "lb1", 1, name));
	assert_string_equal(name, "lb10");
	assert_false(conf_names_collide("lb", 10, "lb1", 5, name));
	assert_false(conf_names_collide("lb", 4, "lbt", 4, name));
	assert_true(conf_ranges_overlap(100, 10, 109, 1));
	assert_false(conf_ranges_overlap(100, 10, 110, 1));
	assert_false(conf_ranges_overlap(16777215, 1, 16777214, 1));
	assert_true(conf_ranges_overlap(16777215, 1, 16777210, 6));
}

/* A directory: *.conf by name; other names, hidden files and masked ones skipped. */
static void test_conf_dir(void **state)
{
	char dir[] = "/tmp/lb-conf-unit-XXXXXX", path[200], nul[128];
	struct pool_conf *cs;
	struct conf_errors e = { 0 };
	size_t n;
	FILE *f;
	static const struct {
		const char *name, *text;
	} files[] = {
		{ "20-b.conf", "[Pool]\nDevice=eth2\nType=vxlan\nRemote=192.0.2.1\nCount=2\nPrefix=b\n"
			       "DummyBase=10\n" },
		{ "10-a.conf", POOL "Count=2\n" },
		{ "30-c.conf.off", "garbage" },
		{ ".40-d.conf", "garbage" },
		{ "README", "garbage" },
	};

	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		assert_non_null(f = fopen(path, "w"));
		fputs(files[i].text, f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/50-masked.conf", dir);
	assert_int_equal(symlink("/dev/null", path), 0);
	assert_int_equal(conf_read_dir(dir, &cs, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(cs[0].spec.underlay, "eth1");
	assert_string_equal(cs[1].spec.underlay, "eth2");
	assert_int_equal(conf_check_set(cs, n, &e), 0);
	conf_free_all(cs, n);

	/* A NUL byte, and a directory that is not there, are named. */
	snprintf(nul, sizeof(nul), "%s/60-nul.conf", dir);
	assert_non_null(f = fopen(nul, "w"));
	fwrite("[Pool]\n\0", 1, 8, f);
	fclose(f);
	memset(&e, 0, sizeof(e));
	assert_int_not_equal(conf_read_dir(dir, &cs, &n, &e), 0);
	assert_int_equal(e.n, 1);
	snprintf(path, sizeof(path), "%s: holds a NUL byte: not a text file", nul);
	assert_string_equal(e.msg[0], path);
	conf_free_all(cs, n);
	unlink(nul);

	memset(&e, 0, sizeof(e));
	snprintf(path, sizeof(path), "%s/nothere", dir);
	assert_int_not_equal(conf_read_dir(path, &cs, &n, &e), 0);
	assert_int_equal(e.n, 1);
	assert_non_null(strstr(e.msg[0], "nothere: No such file or directory"));
	conf_free_all(cs, n);

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/50-masked.conf", dir);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

const struct CMUnitTest conf_tests[] = {
	cmocka_unit_test(test_conf_good),
	cmocka_unit_test(test_conf_good_values),
	cmocka_unit_test(test_conf_errors),
	cmocka_unit_test(test_conf_all_errors),
	cmocka_unit_test(test_conf_set),
	cmocka_unit_test(test_conf_differs),
	cmocka_unit_test(test_conf_names),
	cmocka_unit_test(test_conf_dir),
};
const size_t conf_ntests = sizeof(conf_tests) / sizeof(conf_tests[0]);
