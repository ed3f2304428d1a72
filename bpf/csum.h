/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Checksum-neutral VNI rewrite.
 *
 * The VNI sits in the 16-bit words at UDP+12 and UDP+14. Instead of patching
 * the UDP checksum field (whose meaning depends on ip_summed: final, a
 * pseudo-header seed for CHECKSUM_PARTIAL/GSO, or final despite PARTIAL under
 * LCO), we keep the one's-complement sum of the datagram constant by folding
 * the negated VNI delta into the source port, which carries only flow
 * entropy. The same sum means the same valid checksum in every state, and
 * skb->csum stays right for CHECKSUM_COMPLETE. Same idea as RFC 6296.
 */
#ifndef LB_BPF_CSUM_H
#define LB_BPF_CSUM_H

#include <linux/types.h>

static __always_inline __u16 lb_csum_fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

/*
 * New source port keeping sport + old1 + old2 == sport' + new1 + new2 in
 * one's complement. Zero comes out as 0xffff (the same one's-complement
 * value), never as the reserved source port 0.
 */
static __always_inline __u16 lb_csum_neutral_sport(__u16 sport, __u16 old1, __u16 old2,
						   __u16 new1, __u16 new2)
{
	__u32 s = (__u32)sport + old1 + old2 + (__u16)~new1 + (__u16)~new2;
	__u16 r = lb_csum_fold(s);

	return r ? r : 0xffff;
}

#endif
