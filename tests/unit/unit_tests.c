// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests (cmocka) for pure logic: config checks, CLI parsing, JSON, csum. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <latebind/latebind.h>
#include "../../cli/args.h"
#include "../../cli/output.h"
#include "../../bpf/csum.h"
#include "unit.h"

static void quiet_log(enum latebind_log_level level, const char *msg, void *ctx) {}

static void test_config_default_is_valid(void **state)
{
	struct latebind_datapath_config cfg;

	latebind_datapath_config_init(&cfg);
	assert_int_equal(latebind_datapath_config_check(&cfg), 0);
	assert_int_equal(cfg.dummy_base, 16711680);
	assert_int_equal(cfg.dummy_count, 65536);
	assert_int_equal(cfg.geneve_port, 6081);
	assert_int_equal(cfg.vxlan_port, 4789);
}

static void test_config_refusals(void **state)
{
	static const struct {
		uint32_t base, count;
		uint16_t geneve, vxlan;
		const char *msg;
	} bad[] = {
		{ 1000, 0, 6081, 4789, "empty" },
		{ 1000, 65537, 6081, 4789, "too large" },
		{ 0, 16777216, 6081, 4789, "too large" },
		{ 16777215, 2, 6081, 4789, "runs past the largest VNI" },
		{ 16777216, 1, 6081, 4789, "above the largest VNI" },
		{ 1000, 10, 0, 4789, "geneve port 0" },
		{ 1000, 10, 6081, 0, "vxlan port 0" },
		{ 1000, 10, 7000, 7000, "must differ" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct latebind_datapath_config cfg = { bad[i].base, bad[i].count, bad[i].geneve,
						  bad[i].vxlan };

		assert_int_equal(latebind_datapath_config_check(&cfg), -EINVAL);
		assert_non_null(strstr(latebind_last_error(), bad[i].msg));
	}
}

static void test_config_edges_accepted(void **state)
{
	struct latebind_datapath_config top = { 16777215, 1, 1, 65535 };
	struct latebind_datapath_config max = { 16777216 - 65536, 65536, 6081, 4789 };
	struct latebind_datapath_config zero = { 0, 1, 6081, 4789 };

	assert_int_equal(latebind_datapath_config_check(&top), 0);
	assert_int_equal(latebind_datapath_config_check(&max), 0);
	assert_int_equal(latebind_datapath_config_check(&zero), 0);
}

static void test_parse_u32(void **state)
{
	uint32_t v = 7;

	assert_int_equal(parse_u32("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_u32("16777215", 0, LB_VNI_MAX, &v), 0);
	assert_int_equal(v, 16777215);
	assert_int_equal(parse_u32("0x10", 0, 100, &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(parse_u32("16777216", 0, LB_VNI_MAX, &v), -ERANGE);
	assert_int_equal(parse_u32("-1", 0, 10, &v), -EINVAL);
	assert_int_equal(parse_u32("", 0, 10, &v), -EINVAL);
	assert_int_equal(parse_u32("12abc", 0, 100, &v), -EINVAL);
	assert_int_equal(parse_u32(" 5", 0, 10, &v), -EINVAL);
	assert_int_equal(parse_u32("99999999999999999999", 0, UINT32_MAX, &v), -ERANGE);
	assert_int_equal(v, 16); /* untouched by failures */
}

/* Zero-padded numbers are never octal: "0100" is refused, not read as 64. */
static void test_parse_u32_leading_zero(void **state)
{
	static const char *const refused[] = { "0100", "00", "0009", "012345", "08" };
	uint32_t v = 7;

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		assert_int_equal(parse_u32(refused[i], 0, LB_VNI_MAX, &v), -EDOM);
		assert_int_equal(v, 7);
	}
	assert_non_null(strstr(parse_u32_why(-EDOM), "leading zero"));
	/* hex keeps its zeros; 0X works; a bare prefix or an octal-looking word does not */
	assert_int_equal(parse_u32("0x0064", 0, LB_VNI_MAX, &v), 0);
	assert_int_equal(v, 100);
	assert_int_equal(parse_u32("0XfF", 0, LB_VNI_MAX, &v), 0);
	assert_int_equal(v, 255);
	assert_int_equal(parse_u32("0x", 0, LB_VNI_MAX, &v), -EINVAL);
	assert_int_equal(parse_u32("0x-1", 0, LB_VNI_MAX, &v), -EINVAL);
	assert_int_equal(parse_u32("0o17", 0, LB_VNI_MAX, &v), -EINVAL);
	assert_int_equal(parse_u32("100", 0, LB_VNI_MAX, &v), 0);
	assert_int_equal(v, 100);
}

static void test_parse_vni_range(void **state)
{
	uint32_t base = 0, count = 0;
	char err[128];

	assert_int_equal(parse_vni_range("100-199", &base, &count, err, sizeof(err)), 0);
	assert_int_equal(base, 100);
	assert_int_equal(count, 100);
	assert_int_equal(parse_vni_range("5-5", &base, &count, err, sizeof(err)), 0);
	assert_int_equal(count, 1);
	assert_int_equal(parse_vni_range("9-5", &base, &count, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "inverted"));
	assert_int_equal(parse_vni_range("5", &base, &count, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "FIRST-LAST"));
	assert_int_equal(parse_vni_range("-5", &base, &count, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse_vni_range("5-", &base, &count, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse_vni_range("1-16777216", &base, &count, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "0-16777215"));
	assert_int_equal(base, 5); /* untouched by failures */
}

static void test_parse_dp_option(void **state)
{
	struct latebind_datapath_config cfg;
	char *ok1[] = { "dummy-range", "10-19" }, *ok2[] = { "vxlan-port", "8472" };
	char *other[] = { "dev", "x" }, *missing[] = { "geneve-port" };
	char *bad[] = { "geneve-port", "65536" };
	char err[128];

	latebind_datapath_config_init(&cfg);
	assert_int_equal(parse_dp_option(2, ok1, &cfg, err, sizeof(err)), 2);
	assert_int_equal(cfg.dummy_base, 10);
	assert_int_equal(cfg.dummy_count, 10);
	assert_int_equal(parse_dp_option(2, ok2, &cfg, err, sizeof(err)), 2);
	assert_int_equal(cfg.vxlan_port, 8472);
	assert_int_equal(parse_dp_option(2, other, &cfg, err, sizeof(err)), 0);
	assert_int_equal(parse_dp_option(1, missing, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "needs a value"));
	assert_int_equal(parse_dp_option(2, bad, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "1-65535"));
	assert_int_equal(cfg.geneve_port, 6081);
}

static void test_matches(void **state)
{
	assert_true(matches("d", "datapath"));
	assert_true(matches("datapath", "datapath"));
	assert_false(matches("datapaths", "datapath"));
	assert_false(matches("", "datapath"));
	assert_false(matches("x", "datapath"));
}

static char *capture(bool json, void (*emit)(void))
{
	static char buf[512];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	assert_non_null(f);
	out_init(f, json);
	emit();
	out_finish();
	fclose(f);
	return buf;
}

static void emit_sample(void)
{
	out_open_object(NULL);
	out_string("name", "name %s", "lb\"0\\");
	out_uint("vni", " vni %llu", 100);
	out_null("mac", " mac -");
	out_open_array("list");
	out_int(NULL, " %lld", -1);
	out_uint(NULL, " %llu", 2);
	out_close_array();
	out_text("\n");
	out_close_object();
}

static void test_output_json_and_text(void **state)
{
	/* The backslash is doubled once more than JSON asks (see escapes). */
	assert_string_equal(capture(true, emit_sample),
			    "{\"name\":\"lb\\\"0\\\\\\\\\",\"vni\":100,\"mac\":null,\"list\":[-1,2]}\n");
	assert_string_equal(capture(false, emit_sample), "name lb\"0\\\\ vni 100 mac - -1 2\n");
}

/* Exact bytes out of text_write_string and json_write_string. */
static void test_metrics_label_value(void **state)
{
	static const struct {
		const char *in, *label;
	} cases[] = {
		{ "lb0", "\"lb0\"" },
		{ "a\"b", "\"a\\\"b\"" },
		/* the text form's backslash, escaped for the label */
		{ "a\\b", "\"a\\\\\\\\b\"" },
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
		/* no UTF-8, a newline: \xNN as text, so \\xNN in the label */
		{ "a\xff", "\"a\\\\xff\"" },
		{ "a\nb", "\"a\\\\x0ab\"" },
		{ "", "\"\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[64] = "";
		FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

		metrics_label_value(f, cases[i].in);
		fclose(f);
		assert_string_equal(buf, cases[i].label);
	}
}

static void test_parse_listen(void **state)
{
	static const struct {
		const char *in;
		int family;
		const char *why; /* NULL: accepted */
	} cases[] = {
		{ "127.0.0.1:27746", AF_INET, NULL },
		{ "0.0.0.0:1", AF_INET, NULL },
		{ "[::1]:65535", AF_INET6, NULL },
		{ "[::]:9100", AF_INET6, NULL },
		{ "[2001:db8::1]:80", AF_INET6, NULL },
		{ "localhost:80", 0, "no host names" },
		{ "::1:80", 0, "in brackets" },
		{ "[::1:80", 0, "in brackets" },
		{ "[127.0.0.1]:80", 0, "in brackets" },
		{ "1.2.3:80", 0, "in brackets" },
		{ "127.0.0.1", 0, "is not ADDR:PORT" },
		{ ":80", 0, "is not ADDR:PORT" },
		{ "127.0.0.1:", 0, "not a number" },
		{ "127.0.0.1:0", 0, "a port is 1-65535" },
		{ "127.0.0.1:65536", 0, "out of range" },
		{ "127.0.0.1:080", 0, "leading zero" },
		{ "127.0.0.1:80x", 0, "not a number" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sockaddr_storage ss;
		unsigned int len = 0;
		char err[256] = "";
		int ret = parse_listen(cases[i].in, &ss, &len, err, sizeof(err));

		if (!cases[i].why) {
			assert_int_equal(ret, 0);
			assert_int_equal(ss.ss_family, cases[i].family);
			assert_int_equal(len, cases[i].family == AF_INET ? sizeof(struct sockaddr_in)
									 : sizeof(struct sockaddr_in6));
		} else {
			assert_int_equal(ret, -EINVAL);
			assert_non_null(strstr(err, cases[i].why));
			assert_non_null(strstr(err, cases[i].in));
		}
	}
}

static void test_output_escapes(void **state)
{
	static const struct {
		const char *in, *text, *json;
	} cases[] = {
		{ "lb0", "lb0", "\"lb0\"" },
		/* Valid UTF-8 of 2, 3 and 4 bytes, U+00A0 and U+10FFFF pass. */
		{ "caf\xc3\xa9", "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
		{ "\xe2\x82\xac", "\xe2\x82\xac", "\"\xe2\x82\xac\"" },
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"" },
		{ "\xc2\xa0", "\xc2\xa0", "\"\xc2\xa0\"" },
		{ "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"" },
		/* No UTF-8: each byte as \xNN, the backslash escaped again in JSON. */
		{ "\x80", "\\x80", "\"\\\\x80\"" },
		{ "a\xff", "a\\xff", "\"a\\\\xff\"" },
		{ "\xe2\x82", "\\xe2\\x82", "\"\\\\xe2\\\\x82\"" },
		{ "\xe2\x82z", "\\xe2\\x82z", "\"\\\\xe2\\\\x82z\"" },
		{ "\xc0\xaf", "\\xc0\\xaf", "\"\\\\xc0\\\\xaf\"" },
		{ "\xed\xa0\x80", "\\xed\\xa0\\x80", "\"\\\\xed\\\\xa0\\\\x80\"" },
		{ "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80",
		  "\"\\\\xf4\\\\x90\\\\x80\\\\x80\"" },
		{ "\xf8\x88\x80\x80\x80", "\\xf8\\x88\\x80\\x80\\x80",
		  "\"\\\\xf8\\\\x88\\\\x80\\\\x80\\\\x80\"" },
		/* Controls: \xNN per byte in text, \u00NN in JSON. */
		{ "\x01", "\\x01", "\"\\u0001\"" },
		{ "a\x1b[2Jb", "a\\x1b[2Jb", "\"a\\u001b[2Jb\"" },
		{ "\x7f", "\\x7f", "\"\\u007f\"" },
		{ "\xc2\x9b", "\\xc2\\x9b", "\"\\u009b\"" },
		{ "\n\t", "\\x0a\\x09", "\"\\u000a\\u0009\"" },
		/* Quote and backslash; a real "\xff" differs from the byte 0xff. */
		{ "\"", "\"", "\"\\\"\"" },
		{ "a\\b", "a\\\\b", "\"a\\\\\\\\b\"" },
		{ "\\xff", "\\\\xff", "\"\\\\\\\\xff\"" },
	};
	char buf[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		FILE *f = fmemopen(buf, sizeof(buf), "w");

		assert_non_null(f);
		text_write_string(f, cases[i].in);
		fclose(f);
		assert_string_equal(buf, cases[i].text);
		f = fmemopen(buf, sizeof(buf), "w");
		assert_non_null(f);
		json_write_string(f, cases[i].in);
		fclose(f);
		assert_string_equal(buf, cases[i].json);
	}
}

static void emit_hostile(void)
{
	out_string("dev", "dev %s up\n", "a\x1b]0;x\x07\xff");
}

/* out_string's text format gets the escaped value. */
static void test_output_string_escaped(void **state)
{
	assert_string_equal(capture(false, emit_hostile), "dev a\\x1b]0;x\\x07\\xff up\n");
	assert_string_equal(capture(true, emit_hostile), "\"dev\":\"a\\u001b]0;x\\u0007\\\\xff\"\n");
}

static void emit_bool_double(void)
{
	out_open_object(NULL);
	out_bool("on", "csum %s", true);
	out_bool("off", " %s", false);
	out_double("p50_us", " p50 %.2f", 1.5);
	out_close_object();
}

static void test_output_bool_double(void **state)
{
	assert_string_equal(capture(true, emit_bool_double),
			    "{\"on\":true,\"off\":false,\"p50_us\":1.500}\n");
	assert_string_equal(capture(false, emit_bool_double), "csum on off p50 1.50");
}

static void test_parse_mac(void **state)
{
	static const struct {
		const char *in;
		int err;
		uint8_t mac[6];
	} cases[] = {
		{ "02:00:5e:10:00:01", 0, { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 } },
		{ "AA:bb:CC:dd:EE:ff", 0, { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff } },
		{ "02:00:5e:10:00", -EINVAL, { 0 } },
		{ "02:00:5e:10:00:01:02", -EINVAL, { 0 } },
		{ "02-00-5e-10-00-01", -EINVAL, { 0 } },
		{ "2:0:5e:10:0:1", -EINVAL, { 0 } },
		{ "0g:00:5e:10:00:01", -EINVAL, { 0 } },
		{ "-1:00:5e:10:00:01", -EINVAL, { 0 } },
		{ " 2:00:5e:10:00:01", -EINVAL, { 0 } },
		{ "", -EINVAL, { 0 } },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t mac[6] = { 0 };

		assert_int_equal(parse_mac(cases[i].in, mac), cases[i].err);
		if (!cases[i].err)
			assert_memory_equal(mac, cases[i].mac, 6);
	}
}

static void test_addr_parse(void **state)
{
	struct latebind_addr a;
	char buf[64];

	latebind_set_log(quiet_log, NULL);
	assert_int_equal(latebind_addr_parse("10.20.0.2", &a), 0);
	assert_int_equal(a.family, LB_AF_INET);
	assert_string_equal(latebind_addr_str(&a, buf, sizeof(buf)), "10.20.0.2");
	assert_int_equal(latebind_addr_parse("2001:db8::1", &a), 0);
	assert_int_equal(a.family, LB_AF_INET6);
	assert_string_equal(latebind_addr_str(&a, buf, sizeof(buf)), "2001:db8::1");
	assert_int_equal(latebind_addr_parse("10.20.0", &a), -EINVAL);
	assert_int_equal(latebind_addr_parse("host.example", &a), -EINVAL);
	assert_int_equal(latebind_addr_parse("", &a), -EINVAL);
	latebind_set_log(NULL, NULL);
}

/* Refusals that pool create makes before it touches the kernel. */
static void test_pool_spec_refusals(void **state)
{
	static const struct {
		const char *remote, *local, *prefix;
		int type;
		uint32_t count, base;
		const char *msg;
	} cases[] = {
		{ NULL, NULL, NULL, LATEBIND_VXLAN, 4, 0, "remote address is missing" },
		{ "224.0.0.1", NULL, NULL, LATEBIND_VXLAN, 4, 0, "unicast" },
		{ "ff02::1", NULL, NULL, LATEBIND_GENEVE, 4, 0, "unicast" },
		{ "0.0.0.0", NULL, NULL, LATEBIND_VXLAN, 4, 0, "unicast" },
		{ "::", NULL, NULL, LATEBIND_GENEVE, 4, 0, "unspecified" },
		{ "127.0.0.1", NULL, NULL, LATEBIND_VXLAN, 4, 0, "loopback" },
		{ "127.1.2.3", NULL, NULL, LATEBIND_VXLAN, 4, 0, "loopback" },
		{ "::1", NULL, NULL, LATEBIND_VXLAN, 4, 0, "loopback" },
		{ "::ffff:10.0.0.2", NULL, NULL, LATEBIND_GENEVE, 4, 0, "IPv4-mapped" },
		{ "fe80::1", NULL, NULL, LATEBIND_GENEVE, 4, 0, "link-local" },
		{ "febf::1", NULL, NULL, LATEBIND_VXLAN, 4, 0, "link-local" },
		{ "10.0.0.2", "2001:db8::1", NULL, LATEBIND_VXLAN, 4, 0, "both be IPv4 or both IPv6" },
		{ "10.0.0.2", "10.0.0.1", NULL, LATEBIND_GENEVE, 4, 0, "no local address" },
		{ "10.0.0.2", NULL, NULL, LATEBIND_VXLAN, 0, 0, "count 0" },
		{ "10.0.0.2", NULL, NULL, LATEBIND_VXLAN, 65537, 0, "count 65537" },
		{ "10.0.0.2", NULL, NULL, LATEBIND_VXLAN, 4, 16777213, "runs past" },
		{ "10.0.0.2", NULL, "abcdefghijklmn", LATEBIND_VXLAN, 100, 0, "longer than 15" },
		{ "10.0.0.2", NULL, "a/b", LATEBIND_VXLAN, 4, 0, "not allowed" },
		{ "10.0.0.2", NULL, "", LATEBIND_VXLAN, 4, 0, "prefix" },
		{ "10.0.0.2", NULL, NULL, 7, 4, 0, "geneve or vxlan" },
	};

	latebind_set_log(quiet_log, NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct latebind_pool_spec spec;

		latebind_pool_spec_init(&spec);
		spec.underlay = "nosuchdev0";
		spec.type = cases[i].type;
		spec.count = cases[i].count;
		spec.dummy_base = cases[i].base;
		spec.prefix = cases[i].prefix;
		if (cases[i].remote)
			assert_int_equal(latebind_addr_parse(cases[i].remote, &spec.remote), 0);
		if (cases[i].local)
			assert_int_equal(latebind_addr_parse(cases[i].local, &spec.local), 0);
		assert_int_equal(latebind_pool_create(&spec, NULL), -EINVAL);
		if (!strstr(latebind_last_error(), cases[i].msg))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, latebind_last_error(),
				 cases[i].msg);
	}
	/* Controls: these remotes pass the spec, so create gets as far as the device. */
	static const char *const fine[] = { "10.0.0.2", "2001:db8::2", "fec0::1", "169.254.1.1",
					    "::ffff:0:0:1" };
	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
		struct latebind_pool_spec spec;

		latebind_pool_spec_init(&spec);
		spec.underlay = "nosuchdev0";
		spec.count = 4;
		assert_int_equal(latebind_addr_parse(fine[i], &spec.remote), 0);
		if (latebind_pool_create(&spec, NULL) != -ENODEV)
			fail_msg("remote %s: \"%s\"", fine[i], latebind_last_error());
	}
	latebind_set_log(NULL, NULL);
}

static uint32_t ones_sum(const uint16_t *w, int n)
{
	uint32_t s = 0;

	for (int i = 0; i < n; i++)
		s += w[i];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* The rewrite keeps sport + word1 + word2 constant modulo 0xffff. */
static void test_csum_neutral_sport_invariant(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	for (int i = 0; i < 200000; i++) {
		uint16_t w[5], sport, o1, o2, n1, n2, ns;

		for (int j = 0; j < 5; j++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			w[j] = (uint16_t)x;
		}
		sport = w[0], o1 = w[1], o2 = w[2], n1 = w[3], n2 = w[4];
		if (i % 7 == 0)
			n2 = o2; /* the reserved byte stays, as in real packets */
		ns = lb_csum_neutral_sport(sport, o1, o2, n1, n2);
		assert_int_not_equal(ns, 0);
		{
			uint16_t before[3] = { sport, o1, o2 }, after[3] = { ns, n1, n2 };
			uint32_t a = ones_sum(before, 3) % 0xffff, b = ones_sum(after, 3) % 0xffff;

			assert_int_equal(a, b);
		}
	}
}

static void test_csum_neutral_zero_becomes_ffff(void **state)
{
	/* The end-around-carry sum is 0x0000 only when every term is: source
	 * port 0, old words 0, new words 0xffff. Port 0 is reserved: 0xffff. */
	assert_int_equal(lb_csum_neutral_sport(0, 0, 0, 0xffff, 0xffff), 0xffff);
	/* A zero residue from non-zero terms already folds to 0xffff. */
	assert_int_equal(lb_csum_neutral_sport(0x0001, 0, 0, 0x0001, 0), 0xffff);
	/* Unchanged VNI leaves the port unchanged. */
	assert_int_equal(lb_csum_neutral_sport(0x1234, 0xff00, 0x0000, 0xff00, 0x0000), 0x1234);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_default_is_valid),
		cmocka_unit_test(test_config_refusals),
		cmocka_unit_test(test_config_edges_accepted),
		cmocka_unit_test(test_parse_u32),
		cmocka_unit_test(test_parse_u32_leading_zero),
		cmocka_unit_test(test_parse_vni_range),
		cmocka_unit_test(test_parse_dp_option),
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_output_json_and_text),
		cmocka_unit_test(test_output_bool_double),
		cmocka_unit_test(test_output_escapes),
		cmocka_unit_test(test_metrics_label_value),
		cmocka_unit_test(test_parse_listen),
		cmocka_unit_test(test_output_string_escaped),
		cmocka_unit_test(test_parse_mac),
		cmocka_unit_test(test_addr_parse),
		cmocka_unit_test(test_pool_spec_refusals),
		cmocka_unit_test(test_csum_neutral_sport_invariant),
		cmocka_unit_test(test_csum_neutral_zero_becomes_ffff),
	};

	const size_t n = sizeof(tests) / sizeof(tests[0]);
	struct CMUnitTest all[n + conf_ntests + itab_ntests];

	memcpy(all, tests, sizeof(tests));
	memcpy(all + n, conf_tests, conf_ntests * sizeof(all[0]));
	memcpy(all + n + conf_ntests, itab_tests, itab_ntests * sizeof(all[0]));
	latebind_set_log(quiet_log, NULL);
	return _cmocka_run_group_tests("unit", all, n + conf_ntests + itab_ntests, NULL, NULL);
}
