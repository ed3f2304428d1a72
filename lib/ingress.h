/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* lb_ingress_tab through mmap: find, insert, empty. Internal; abi.h has the layout. */
#ifndef LB_LIB_INGRESS_H
#define LB_LIB_INGRESS_H

#include <stddef.h>
#include <stdint.h>
#include <latebind/abi.h>

struct lb_itab {
	struct lb_ingress_ent *e; /* the mapping, @buckets * LB_INGRESS_WAYS entries */
	uint32_t buckets;
	uint32_t seed;
};

/* Buckets for a dummy range of @count: 2 * @count entries or more, a power of two. */
uint32_t lb_itab_buckets_for(uint32_t count);
/* Map the table @fd as lb_config @cfg describes it; -errno with a message. */
int lb_itab_map(int fd, const struct lb_config *cfg, struct lb_itab *t);
void lb_itab_unmap(struct lb_itab *t);
/* The first entries of key @k's two buckets (its hash: abi.h). */
void lb_itab_first(const struct lb_itab *t, const struct lb_ingress_key *k, uint32_t first[2]);
/* The entry holding key @k, or NULL; _at: in the buckets lb_itab_first() gave. */
struct lb_ingress_ent *lb_itab_find(const struct lb_itab *t, const struct lb_ingress_key *k);
struct lb_ingress_ent *lb_itab_find_at(const struct lb_itab *t, const struct lb_ingress_key *k,
				       const uint32_t first[2]);
/*
 * An empty entry for @k in the emptier of its buckets, moving other keys to
 * their other bucket if both are full; NULL if no chain of moves frees one.
 */
struct lb_ingress_ent *lb_itab_room(struct lb_itab *t, const struct lb_ingress_key *k);
struct lb_ingress_ent *lb_itab_room_at(struct lb_itab *t, const uint32_t first[2]);
/* Fill the empty entry @e: the key's family is stored last. */
void lb_itab_fill(struct lb_ingress_ent *e, const struct lb_ingress_key *k, uint32_t dummy);
/* Empty @e: its family is stored first. */
void lb_itab_empty(struct lb_ingress_ent *e);
/* Where @e is in the table (its index), for messages. */
size_t lb_itab_index(const struct lb_itab *t, const struct lb_ingress_ent *e);

#endif
