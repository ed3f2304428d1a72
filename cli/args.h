/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* iproute2-style keyword parsing. */
#ifndef LB_CLI_ARGS_H
#define LB_CLI_ARGS_H

#include <stdbool.h>
#include <stdint.h>
#include <latebind/latebind.h>

/* @arg is a non-empty prefix of @keyword. */
bool matches(const char *arg, const char *keyword);

/*
 * Strict decimal (or 0x hex) unsigned parse within [min, max]: -EINVAL (not a
 * number), -ERANGE, or -EDOM for a leading zero ("0100" is never octal 64).
 */
int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
/* parse_u32's error as words for a message. */
const char *parse_u32_why(int err);

/* "aa:bb:cc:dd:ee:ff" (exactly); -EINVAL otherwise. */
int parse_mac(const char *s, uint8_t mac[6]);

/* "A-B" (inclusive) into base and count; -EINVAL with @err naming the problem. */
int parse_vni_range(const char *s, uint32_t *base, uint32_t *count, char *err, size_t errlen);

/*
 * Datapath options: dummy-base VNI, dummy-count N, dummy-range A-B,
 * geneve-port P, vxlan-port P. Consumes one keyword and its value from
 * argv; returns the number of arguments used (2), 0 if argv[0] is not a
 * datapath option, or -EINVAL with @err set.
 */
int parse_dp_option(int argc, char **argv, struct latebind_datapath_config *cfg, char *err,
		    size_t errlen);

/*
 * "USER[:GROUP]", names or numbers (a number need not name a user: the
 * library checks), into @slots' owner; -EINVAL with @err as '"VAL": why'.
 */
int parse_owner(const char *val, struct latebind_slot_spec *slots, char *err, size_t errlen);

/*
 * "ADDR:PORT" with an IPv4 address or an IPv6 address in brackets
 * ("[::1]:27746"); no host names. Fills @ss and *@len for bind(); -EINVAL
 * with @err naming the problem.
 */
struct sockaddr_storage;
int parse_listen(const char *s, struct sockaddr_storage *ss, unsigned int *len, char *err,
		 size_t errlen);

#endif
