/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * lb_ingress_tab through the bpf() syscall, as docs/maps.md describes it for
 * a control plane without liblatebind: the tests' second reading of the
 * table, independent of the library's mmap code.
 */
#ifndef LB_TEST_ITAB_H
#define LB_TEST_ITAB_H

#include <stdint.h>
#include <latebind/abi.h>

/* The index of @key's entry in table @tab (config map @cfg), or -ENOENT; the entry in *@e. */
int itab_find(int tab, int cfg, const struct lb_ingress_key *key, struct lb_ingress_ent *e);
/* Write @key -> @dummy into its entry or the first empty one; the index, or -ENOSPC. */
int itab_put(int tab, int cfg, const struct lb_ingress_key *key, uint32_t dummy);
/* Empty @key's entry: 0, or -ENOENT. */
int itab_del(int tab, int cfg, const struct lb_ingress_key *key);
/* The table's entries that are not empty (-errno on failure). */
int itab_count(int tab);

#endif
