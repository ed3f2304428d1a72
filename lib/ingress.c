// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The ingress table, written through mmap by a writer that holds the pool's
 * lock: two buckets per key, and cuckoo moves when both are full. The datapath reads it concurrently and trusts nothing in it but the
 * dummy VNI's tunnel binding word, so the order of stores here matters for
 * tidiness only: an entry becomes visible whole on x86 (stores are not
 * reordered), and on any CPU a torn one is harmless (docs/maps.md).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include "internal.h"
#include "ingress.h"

uint32_t lb_itab_buckets_for(uint32_t count)
{
	uint32_t b = 2;

	while ((uint64_t)b * LB_INGRESS_WAYS < 2ULL * count)
		b <<= 1;
	return b;
}

int lb_itab_map(int fd, const struct lb_config *cfg, struct lb_itab *t)
{
	uint32_t b = cfg->ingress_buckets;
	void *m;

	memset(t, 0, sizeof(*t));
	if (b < 2 || (b & (b - 1)) || b > LB_BINDINGS_MAX / LB_INGRESS_WAYS)
		return lb_err(-EINVAL, "lb_config names %u ingress buckets: not a power of two "
			      "from 2 to %u", b, LB_BINDINGS_MAX / LB_INGRESS_WAYS);
	m = mmap(NULL, (size_t)b * LB_INGRESS_WAYS * sizeof(*t->e), PROT_READ | PROT_WRITE,
		 MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return lb_err(-errno, "cannot map lb_ingress_tab: %s", strerror(errno));
	t->e = m;
	t->buckets = b;
	t->seed = cfg->ingress_seed;
	return 0;
}

void lb_itab_unmap(struct lb_itab *t)
{
	if (t->e)
		munmap(t->e, (size_t)t->buckets * LB_INGRESS_WAYS * sizeof(*t->e));
	t->e = NULL;
}

void lb_itab_first(const struct lb_itab *t, const struct lb_ingress_key *k, uint32_t first[2])
{
	struct lb_ingress_ent want = { .key = *k };

	lb_ingress_buckets(lb_ingress_hash(want.w, t->seed), t->buckets, first);
}

static bool same_key(const struct lb_ingress_ent *e, const struct lb_ingress_key *k)
{
	return __atomic_load_n(&e->key.family, __ATOMIC_ACQUIRE) == k->family &&
	       !memcmp(&e->key, k, sizeof(*k));
}

struct lb_ingress_ent *lb_itab_find_at(const struct lb_itab *t, const struct lb_ingress_key *k,
				       const uint32_t first[2])
{
	if (!k->family)
		return NULL;
	for (int b = 0; b < 2; b++)
		for (uint32_t i = 0; i < LB_INGRESS_WAYS; i++)
			if (same_key(&t->e[first[b] + i], k))
				return &t->e[first[b] + i];
	return NULL;
}

struct lb_ingress_ent *lb_itab_find(const struct lb_itab *t, const struct lb_ingress_key *k)
{
	uint32_t first[2];

	lb_itab_first(t, k, first);
	return lb_itab_find_at(t, k, first);
}

static bool is_empty(const struct lb_ingress_ent *e)
{
	return !__atomic_load_n(&e->key.family, __ATOMIC_RELAXED);
}

/* The first empty entry of the bucket starting at @first, or -1; *@used counts the rest. */
static int64_t empty_in(const struct lb_itab *t, uint32_t first, unsigned int *used)
{
	int64_t room = -1;

	*used = 0;
	for (uint32_t i = 0; i < LB_INGRESS_WAYS; i++) {
		if (!is_empty(&t->e[first + i]))
			(*used)++;
		else if (room < 0)
			room = first + i;
	}
	return room;
}

/* Copy entry @from into the empty entry @to, then empty @from: the key is never missing. */
static void move_entry(struct lb_itab *t, uint32_t from, uint32_t to)
{
	struct lb_ingress_ent e = t->e[from];

	lb_itab_fill(&t->e[to], &e.key, e.dummy_vni);
	lb_itab_empty(&t->e[from]);
}

/*
 * Both of a key's buckets are full: find, breadth first, a chain of entries
 * that each move to their other bucket, ending in an empty entry, and move
 * them, last first. Every moved key stays readable throughout (it exists
 * twice for a moment, with the same value). Returns the entry freed, or -1.
 */
#define CUCKOO_NODES 512
static int64_t cuckoo(struct lb_itab *t, const uint32_t first[2])
{
	struct node {
		uint32_t bucket; /* first entry of the bucket */
		int32_t parent;  /* node whose entry @via moves here, -1 for the key's */
		uint32_t via;
	} q[CUCKOO_NODES];
	int head = 0, tail = 0;

	for (int b = 0; b < 2; b++)
		q[tail++] = (struct node){ first[b], -1, 0 };
	while (head < tail) {
		const struct node *n = &q[head];

		for (uint32_t i = 0; i < LB_INGRESS_WAYS; i++) {
			uint32_t x = n->bucket + i, alt[2], other;
			unsigned int used;
			int64_t y;

			lb_itab_first(t, &t->e[x].key, alt);
			other = alt[0] == n->bucket ? alt[1] : alt[0];
			if (other == n->bucket)
				continue;
			y = empty_in(t, other, &used);
			if (y >= 0) {
				/* Move x to y, then each parent's entry into the one freed. */
				for (int cur = head;; cur = q[cur].parent) {
					if (!is_empty(&t->e[y]))
						return -1;
					move_entry(t, x, (uint32_t)y);
					y = x;
					if (q[cur].parent < 0)
						return y;
					x = q[cur].via;
				}
			}
			if (tail < CUCKOO_NODES)
				q[tail++] = (struct node){ other, head, x };
		}
		head++;
	}
	return -1;
}

struct lb_ingress_ent *lb_itab_room_at(struct lb_itab *t, const uint32_t first[2])
{
	unsigned int used[2];
	int64_t room[2], r;

	room[0] = empty_in(t, first[0], &used[0]);
	room[1] = empty_in(t, first[1], &used[1]);
	/* The emptier bucket: two choices keep the fullest bucket short. */
	if (room[1] >= 0 && (room[0] < 0 || used[1] < used[0]))
		return &t->e[room[1]];
	if (room[0] >= 0)
		return &t->e[room[0]];
	r = cuckoo(t, first);
	return r < 0 ? NULL : &t->e[r];
}

struct lb_ingress_ent *lb_itab_room(struct lb_itab *t, const struct lb_ingress_key *k)
{
	uint32_t first[2];

	lb_itab_first(t, k, first);
	return lb_itab_room_at(t, first);
}

void lb_itab_fill(struct lb_ingress_ent *e, const struct lb_ingress_key *k, uint32_t dummy)
{
	struct lb_ingress_key body = *k;

	body.family = 0;
	memcpy(&e->key, &body, sizeof(body));
	__atomic_store_n(&e->dummy_vni, dummy, __ATOMIC_RELAXED);
	__atomic_store_n(&e->key.family, k->family, __ATOMIC_RELEASE);
}

void lb_itab_empty(struct lb_ingress_ent *e)
{
	__atomic_store_n(&e->key.family, 0, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memset(e->w, 0, offsetof(struct lb_ingress_key, family));
	e->key.pad = 0;
	__atomic_store_n(&e->dummy_vni, 0, __ATOMIC_RELAXED);
}

size_t lb_itab_index(const struct lb_itab *t, const struct lb_ingress_ent *e)
{
	return (size_t)(e - t->e);
}
