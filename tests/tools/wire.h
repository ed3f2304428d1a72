/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Byte-level helpers the static test tools share (lb-craft, lb-tapio). */
#ifndef LB_TOOLS_WIRE_H
#define LB_TOOLS_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* One's-complement sum of @len bytes, big-endian words, added to @sum. */
static inline uint32_t sum16(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;

	for (; len > 1; b += 2, len -= 2)
		sum += (uint32_t)b[0] << 8 | b[1];
	if (len)
		sum += (uint32_t)b[0] << 8;
	return sum;
}

static inline uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

#endif
