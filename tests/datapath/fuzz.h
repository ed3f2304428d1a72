/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the differential fuzz's files share (the run itself: fuzz.c). Only
 * what crosses a file is here; the rest stays static where it is used.
 */
#ifndef LB_TEST_FUZZ_H
#define LB_TEST_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include "harness.h"
#include "model.h"

#define MAX_LEN 1500 /* longest packet drawn */
#define MIN_LEN 14   /* shortest: an Ethernet header */

/* fuzz_rng.c: one seeded generator, so a run is a function of its seed. */
void rng_seed(uint64_t seed);
uint64_t rnd(void);
uint32_t below(uint32_t n); /* uniform in [0, n), n > 0 */
int chance(unsigned int pct);
uint32_t rand24(void);
void rand_bytes(uint8_t *p, size_t n);

/* fuzz_setup.c: the address pools, shared so that packets hit the bindings. */
#define NV4 4
#define NV6 4
#define NMAC 5
extern const uint8_t v4pool[NV4][4];
extern const uint8_t v6pool[NV6][16];
extern const uint8_t macpool[NMAC][6];

/* fuzz_setup.c: the round in force, drawn by setup_round, read by the rest. */
extern struct dp_harness *H;
extern struct model *M;
extern struct lb_config cfg;
extern uint32_t dummies[16], reals[16];
extern unsigned int n_dummies, n_reals;
extern unsigned int round_no;
extern unsigned long word_flips;
extern double t_reset;

void setup_round(void);
void flip_word(void);
uint32_t pick_in_range(void);

/* fuzz_packets.c */
extern unsigned long padded;

size_t build_packet(uint8_t *p);
size_t mutate(uint8_t *p, size_t len);
size_t runnable(uint8_t *p, size_t len);

/* fuzz.c */
double now(void);
void __attribute__((noreturn)) fatal(const char *what, int err);

#endif
