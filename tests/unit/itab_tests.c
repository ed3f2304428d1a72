// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lib/ingress.c on a table in plain memory: two-choice placement, cuckoo
 * moves, and that no key is ever lost or put outside its two buckets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "../../lib/ingress.h"
#include "unit.h"

static struct lb_ingress_key key_n(uint32_t n)
{
	struct lb_ingress_key k = { .vni = n & 0xffffff, .family = LB_AF_INET };

	k.remote32[0] = 0x0a000001U + (n >> 24);
	return k;
}

static struct lb_itab table(uint32_t buckets, uint32_t seed)
{
	struct lb_itab t = { .buckets = buckets, .seed = seed };

	t.e = calloc((size_t)buckets * LB_INGRESS_WAYS, sizeof(*t.e));
	assert_non_null(t.e);
	return t;
}

/* Every key 0..n-1 is found once, in one of its own buckets, with value n + 1; no other entry. */
static void assert_holds(const struct lb_itab *t, uint32_t n)
{
	size_t used = 0;

	for (size_t i = 0; i < (size_t)t->buckets * LB_INGRESS_WAYS; i++)
		used += !!t->e[i].key.family;
	assert_int_equal(used, n);
	for (uint32_t i = 0; i < n; i++) {
		struct lb_ingress_key k = key_n(i);
		struct lb_ingress_ent want = { .key = k }, *e = lb_itab_find(t, &k);
		uint32_t first[2];
		size_t at;

		assert_non_null(e);
		assert_int_equal(e->dummy_vni, i + 1);
		at = lb_itab_index(t, e);
		lb_ingress_buckets(lb_ingress_hash(want.w, t->seed), t->buckets, first);
		assert_true((at >= first[0] && at < first[0] + LB_INGRESS_WAYS) ||
			    (at >= first[1] && at < first[1] + LB_INGRESS_WAYS));
	}
}

static uint32_t fill(struct lb_itab *t, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct lb_ingress_key k = key_n(i);
		struct lb_ingress_ent *e = lb_itab_room(t, &k);

		if (!e)
			return i;
		lb_itab_fill(e, &k, i + 1);
	}
	return n;
}

/* Regression: at the largest pool's load (one half), two choices alone overflow. */
static void test_itab_half_load_never_overflows(void **state)
{
	(void)state;
	for (uint32_t seed = 1; seed <= 3; seed++) {
		uint32_t b = lb_itab_buckets_for(LB_DUMMY_RANGE_MAX);
		struct lb_itab t = table(b, seed * 0x9e3779b9U);

		assert_int_equal(b, LB_BINDINGS_MAX / LB_INGRESS_WAYS);
		assert_int_equal(fill(&t, LB_DUMMY_RANGE_MAX), LB_DUMMY_RANGE_MAX);
		assert_holds(&t, LB_DUMMY_RANGE_MAX);
		free(t.e);
	}
}

/* Past any sane load: room fails cleanly, and every key placed is still there. */
static void test_itab_full_loses_nothing(void **state)
{
	struct lb_itab t = table(4, 7);
	uint32_t placed = fill(&t, 64);
	struct lb_ingress_key k = key_n(placed);

	(void)state;
	assert_true(placed >= 14); /* cuckoo fills 7/8 of the 16 entries and more */
	assert_true(placed <= 16);
	assert_holds(&t, placed);
	assert_null(lb_itab_room(&t, &k)); /* the same answer again, and nothing lost */
	assert_holds(&t, placed);
	free(t.e);
}

static void test_itab_empty_and_reuse(void **state)
{
	struct lb_itab t = table(8, 3);
	struct lb_ingress_key k = key_n(5);
	struct lb_ingress_ent *e;

	(void)state;
	assert_int_equal(fill(&t, 20), 20);
	e = lb_itab_find(&t, &k);
	assert_non_null(e);
	lb_itab_empty(e);
	assert_null(lb_itab_find(&t, &k));
	for (size_t i = 0; i < sizeof(*e) / 4; i++)
		assert_int_equal(((uint32_t *)e)[i], 0); /* every byte 0 again */
	e = lb_itab_room(&t, &k);
	assert_non_null(e);
	lb_itab_fill(e, &k, 6);
	assert_holds(&t, 20);
	free(t.e);
}

static void test_itab_sizes(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct lb_ingress_ent), 32);
	assert_int_equal(offsetof(struct lb_ingress_ent, dummy_vni), 28);
	assert_int_equal(offsetof(struct lb_ingress_key, family), 26);
	assert_int_equal(lb_itab_buckets_for(1), 2);
	assert_int_equal(lb_itab_buckets_for(4), 2);
	assert_int_equal(lb_itab_buckets_for(5), 4);
	assert_int_equal(lb_itab_buckets_for(1000), 512);
}

const struct CMUnitTest itab_tests[] = {
	cmocka_unit_test(test_itab_sizes),
	cmocka_unit_test(test_itab_half_load_never_overflows),
	cmocka_unit_test(test_itab_full_loses_nothing),
	cmocka_unit_test(test_itab_empty_and_reuse),
};
const size_t itab_ntests = sizeof(itab_tests) / sizeof(itab_tests[0]);
