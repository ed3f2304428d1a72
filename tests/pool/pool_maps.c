// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * liblatebind's bind protocol against the kernel's maps, on scratch pools
 * (the real maps, loaded, with no devices): after every call, the exact
 * egress record and ingress entries are read back from the kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <latebind/latebind.h>
#include <latebind/bench.h>
#include "check.h"
#include "itab.h"

#define TAB(p) latebind_pool_map_fd(p, "lb_ingress_tab")
#define CFG(p) latebind_pool_map_fd(p, "lb_config")

#define COUNT 8
static struct latebind_addr remote;
static uint32_t base; /* first dummy VNI of a COUNT pool */

static void quiet(enum latebind_log_level level, const char *msg, void *ctx) {}

static struct lb_egress_val record(struct latebind_pool *p, uint32_t slot)
{
	struct lb_egress_val v;

	memset(&v, 0xee, sizeof(v));
	bpf_map_lookup_elem(latebind_pool_map_fd(p, "lb_egress_bind"), &slot, &v);
	return v;
}

static struct lb_ingress_key key_of(uint32_t vni, const uint8_t *mac)
{
	struct lb_ingress_key k;

	memset(&k, 0, sizeof(k));
	k.vni = vni;
	k.family = LB_AF_INET;
	memcpy(k.remote, remote.bytes, 4);
	if (mac)
		memcpy(k.inner_mac, mac, 6);
	return k;
}

/* The dummy VNI ingress key (vni, mac) maps to, or 0 if absent. */
static uint32_t ingress(struct latebind_pool *p, uint32_t vni, const uint8_t *mac)
{
	struct lb_ingress_key k = key_of(vni, mac);
	struct lb_ingress_ent e;

	if (itab_find(TAB(p), CFG(p), &k, &e) < 0)
		return 0;
	return e.dummy_vni;
}

static unsigned int ingress_entries(struct latebind_pool *p)
{
	int n = itab_count(TAB(p));

	return n < 0 ? 0 : (unsigned int)n;
}

static struct latebind_pool *scratch(uint32_t count)
{
	struct latebind_pool *p = NULL;

	if (latebind_pool_open_scratch(count, &remote, &p)) {
		fprintf(stderr, "pool_maps: cannot load a scratch pool: %s\n", latebind_last_error());
		return NULL;
	}
	return p;
}

static const uint8_t MAC1[6] = { 0x02, 0, 0, 0, 0, 0x11 };
static const uint8_t MAC2[6] = { 0x02, 0, 0, 0, 0, 0x22 };
static const uint8_t MCAST[6] = { 0x01, 0, 0x5e, 0, 0, 1 };
static const uint8_t ZERO[6];

static void test_bind_rebind_unbind(void)
{
	struct latebind_pool *p = scratch(COUNT);
	struct lb_egress_val r;

	check_begin("bind, rebind with a MAC, unbind: records and entries");
	if (!CHECK(p, "scratch pool"))
		goto out;
	CHECK_EQ(latebind_bind(p, 3, 100, NULL), 0, "bind slot 3 vni 100");
	r = record(p, 3);
	CHECK_EQ(r.binding, LB_EGRESS_BOUND | LB_EGRESS_MAC_SEL | 100, "word: bound, sel 1, 100");
	CHECK_EQ(r.mac[1].set, 0, "mac[1] unset (wildcard key)");
	CHECK_EQ(ingress(p, 100, NULL), base + 3, "ingress (100, remote) -> slot 3's dummy");
	CHECK_EQ(ingress_entries(p), 1, "one ingress entry");

	CHECK_EQ(latebind_bind(p, 3, 200, MAC1), 0, "rebind slot 3 vni 200 inner-mac MAC1");
	r = record(p, 3);
	CHECK_EQ(r.binding, LB_EGRESS_BOUND | 200, "word: bound, sel 0, 200");
	CHECK_EQ(r.mac[0].set, 1, "mac[0] set");
	CHECK_BYTES(r.mac[0].addr, 6, MAC1, 6, "mac[0] is MAC1");
	CHECK_EQ(ingress(p, 200, MAC1), base + 3, "new key maps to slot 3");
	CHECK_EQ(ingress(p, 100, NULL), 0, "old key is gone");
	CHECK_EQ(ingress_entries(p), 1, "still one ingress entry");

	CHECK_EQ(latebind_bind(p, 3, 200, MAC1), 0, "the same bind again: no-op");
	CHECK_EQ(record(p, 3).binding, LB_EGRESS_BOUND | LB_EGRESS_MAC_SEL | 200,
		 "word re-committed (sel flips, same VNI)");
	CHECK_EQ(ingress_entries(p), 1, "one ingress entry");

	CHECK_EQ(latebind_unbind(p, 3), 0, "unbind");
	CHECK_EQ(record(p, 3).binding, 0, "word 0");
	CHECK_EQ(ingress_entries(p), 0, "no ingress entry");
	CHECK_EQ(latebind_unbind(p, 3), 0, "unbind again: no-op");
out:
	check_end();
	latebind_pool_close(p);
}

static void test_refusals_change_nothing(void)
{
	struct latebind_pool *p = scratch(COUNT);
	struct lb_egress_val before[COUNT];
	static const struct {
		uint32_t slot, vni;
		const uint8_t *mac;
		int err;
		const char *msg;
	} cases[] = {
		{ 1, LB_VNI_MAX + 1, NULL, -ERANGE, "outside 0-16777215" },
		{ 1, 0xffffffff, NULL, -ERANGE, "outside" },
		{ 1, 0, NULL, 0, NULL }, /* placeholder: dummy VNI, filled below */
		{ COUNT, 5, NULL, -EINVAL, "outside the pool" },
		{ 1, 100, NULL, -EADDRINUSE, "tunnel scratch0" },
		{ 1, 300, MAC1, -EADDRINUSE, "tunnel scratch2" },
		{ 1, 5, MCAST, -EINVAL, "multicast" },
		{ 1, 5, ZERO, -EINVAL, "not a unicast" },
	};

	check_begin("refused binds change no map");
	if (!CHECK(p, "scratch pool"))
		goto out;
	latebind_bind(p, 0, 100, NULL);
	latebind_bind(p, 2, 300, MAC1);
	latebind_bind(p, 1, 7, NULL);
	for (uint32_t s = 0; s < COUNT; s++)
		before[s] = record(p, s);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t vni = cases[i].msg ? cases[i].vni : base + 5;
		int want = cases[i].msg ? cases[i].err : -EINVAL;
		const char *msg = cases[i].msg ? cases[i].msg : "dummy range";

		CHECK_EQ(latebind_bind(p, cases[i].slot, vni, cases[i].mac), want, "refusal");
		CHECK(strstr(latebind_last_error(), msg), "case %zu message \"%s\" names \"%s\"", i,
		      latebind_last_error(), msg);
		for (uint32_t s = 0; s < COUNT; s++) {
			struct lb_egress_val now = record(p, s);

			CHECK_BYTES(&now, sizeof(now), &before[s], sizeof(before[s]), "record unchanged");
		}
		CHECK_EQ(ingress_entries(p), 3, "ingress entries unchanged");
		CHECK_EQ(ingress(p, 7, NULL), base + 1, "slot 1 keeps its key");
	}
out:
	check_end();
	latebind_pool_close(p);
}

/* Two tunnels on one (VNI, remote), told apart by MAC; a wildcard besides. */
static void test_mac_keys_coexist(void)
{
	struct latebind_pool *p = scratch(COUNT);

	check_begin("MAC keys and the wildcard of one VNI coexist");
	if (!CHECK(p, "scratch pool"))
		goto out;
	CHECK_EQ(latebind_bind(p, 4, 500, MAC1), 0, "slot 4: 500 MAC1");
	CHECK_EQ(latebind_bind(p, 5, 500, MAC2), 0, "slot 5: 500 MAC2");
	CHECK_EQ(latebind_bind(p, 6, 500, NULL), 0, "slot 6: 500 wildcard");
	CHECK_EQ(ingress(p, 500, MAC1), base + 4, "MAC1 -> slot 4");
	CHECK_EQ(ingress(p, 500, MAC2), base + 5, "MAC2 -> slot 5");
	CHECK_EQ(ingress(p, 500, NULL), base + 6, "wildcard -> slot 6");
	CHECK_EQ(latebind_bind(p, 7, 500, MAC2), -EADDRINUSE, "slot 7 cannot take MAC2");
out:
	check_end();
	latebind_pool_close(p);
}

/* An ingress entry no binding owns (a bind killed before its commit). */
static void test_leftover_taken_over(void)
{
	struct latebind_pool *p = scratch(COUNT);
	struct lb_ingress_key k = key_of(600, NULL);
	uint32_t left = 99;

	check_begin("a leftover ingress entry is reported and taken over");
	if (!CHECK(p, "scratch pool"))
		goto out;
	CHECK(itab_put(TAB(p), CFG(p), &k, base + 1) >= 0, "plant a leftover for slot 1");
	CHECK_EQ(latebind_pool_leftovers(p, &left), 0, "count leftovers");
	CHECK_EQ(left, 1, "one leftover");
	CHECK_EQ(latebind_bind(p, 2, 600, NULL), 0, "slot 2 binds the leftover's key");
	CHECK_EQ(ingress(p, 600, NULL), base + 2, "key now maps to slot 2");
	CHECK_EQ(latebind_pool_leftovers(p, &left), 0, "count leftovers");
	CHECK_EQ(left, 0, "no leftover");
out:
	check_end();
	latebind_pool_close(p);
}

/*
 * Regression: with every slot bound, a rebind needs one ingress entry more
 * than the pool has tunnels (new key before the old one goes). With
 * max_entries equal to the largest pool, the 65,536th rebind got E2BIG.
 */
static void test_rebind_full_pool(void)
{
	struct latebind_pool *p = scratch(LB_DUMMY_RANGE_MAX);
	int err = 0;

	check_begin("rebind with all 65536 slots bound");
	if (!CHECK(p, "scratch pool"))
		goto out;
	for (uint32_t s = 0; s < LB_DUMMY_RANGE_MAX && !err; s++)
		err = latebind_bind(p, s, 1000 + s, NULL);
	CHECK_EQ(err, 0, "bind all 65536");
	CHECK_EQ(latebind_bind(p, 0, 900, NULL), 0, "rebind slot 0 to a new VNI");
	CHECK_EQ(ingress(p, 900, NULL), LB_VNI_MAX + 1 - LB_DUMMY_RANGE_MAX, "new key -> slot 0");
	CHECK_EQ(ingress(p, 1000, NULL), 0, "old key gone");
out:
	check_end();
	latebind_pool_close(p);
}

/*
 * latebind_pool_tunnels() reads what the per-slot calls read, in batches:
 * over three batches of 256 slots, with bound, MAC-bound, unbound and
 * broken (no ingress entry) slots and counters on every CPU.
 */
static void test_tunnels_in_one_pass(void)
{
	enum { N = 600 };
	struct latebind_tunnel_info one, *all = calloc(N, sizeof(*all));
	struct latebind_tunnel_stats st1, *st = calloc(N, sizeof(*st));
	struct latebind_pool *p = scratch(N);
	int ncpu = libbpf_num_possible_cpus();
	struct lb_tun_stats *pc = calloc(ncpu > 0 ? ncpu : 1, sizeof(*pc));
	struct lb_ingress_key k = key_of(7000 + 3, MAC1); /* slot 3: odd, with a MAC */
	uint32_t diff_info = 0, diff_stats = 0, ok = 0;

	check_begin("latebind_pool_tunnels agrees with the per-slot calls over 600 slots");
	if (!CHECK(p && all && st && pc && ncpu > 0, "scratch pool of 600"))
		goto out;
	for (uint32_t s = 0; s < N; s += 3)
		CHECK_EQ(latebind_bind(p, s, 7000 + s, s % 2 ? MAC1 : NULL), 0, "bind");
	/* slot 3 bound, its ingress entry gone: not ingress_ok */
	CHECK_EQ(itab_del(TAB(p), CFG(p), &k), 0, "delete slot 3's ingress entry");
	for (uint32_t s = 0; s < N; s += 7) {
		for (int c = 0; c < ncpu; c++)
			pc[c] = (struct lb_tun_stats){ s + c, 100 * s + c, 2 * s + c, 1000 + c };
		CHECK_EQ(bpf_map_update_elem(latebind_pool_map_fd(p, "lb_tun_stats"), &s, pc, BPF_ANY),
			 0, "write counters");
	}
	CHECK_EQ(latebind_pool_tunnels(p, all, st, N), 0, "read all 600");
	for (uint32_t s = 0; s < N; s++) {
		latebind_tunnel_info(p, s, &one);
		latebind_tunnel_stats(p, s, &st1);
		diff_info += memcmp(&one, &all[s], sizeof(one)) != 0;
		diff_stats += memcmp(&st1, &st[s], sizeof(st1)) != 0;
		ok += all[s].ingress_ok;
	}
	CHECK_EQ(diff_info, 0, "slots whose info differs");
	CHECK_EQ(diff_stats, 0, "slots whose counters differ");
	CHECK_EQ(ok, N / 3 - 1, "bound slots with their ingress entry (all but slot 3)");
	CHECK_EQ(all[3].bound && !all[3].ingress_ok, 1, "slot 3: bound, entry missing");
	CHECK_EQ(all[1].has_mac, 0, "slot 1 unbound");
	CHECK(all[9].has_mac && !memcmp(all[9].inner_mac, MAC1, 6), "slot 9's MAC");
	CHECK_EQ(st[595].rx_bytes, 1000ULL * ncpu + (uint64_t)ncpu * (ncpu - 1) / 2,
		 "slot 595 (third batch) summed over CPUs");
	CHECK_EQ(latebind_pool_tunnels(p, NULL, NULL, N + 1), -EINVAL, "n past the pool refused");
out:
	check_end();
	latebind_pool_close(p);
	free(all);
	free(st);
	free(pc);
}

int main(void)
{
	latebind_set_log(quiet, NULL);
	latebind_addr_parse("10.20.0.2", &remote);
	base = LB_VNI_MAX + 1 - COUNT;
	test_bind_rebind_unbind();
	test_refusals_change_nothing();
	test_mac_keys_coexist();
	test_leftover_taken_over();
	test_rebind_full_pool();
	test_tunnels_in_one_pass();
	return check_summary("pool_maps");
}
