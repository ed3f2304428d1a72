/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* liblatebind internals, not installed. */
#ifndef LB_LIB_INTERNAL_H
#define LB_LIB_INTERNAL_H

#include <latebind/latebind.h>

#include <stdbool.h>

struct latebind_bpf; /* the generated skeleton */

/* Demote libbpf warnings to debug while set (expected failures). */
extern __thread bool lb_libbpf_quiet;

struct latebind_datapath {
	struct latebind_bpf *skel;
	struct latebind_dp_config cfg;
};

/* Log at @level; the message also becomes latebind_last_error() for errors. */
void lb_log(enum latebind_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Log an error and return @err (a negative errno). */
int lb_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define lb_info(...) lb_log(LATEBIND_LOG_INFO, __VA_ARGS__)
#define lb_debug(...) lb_log(LATEBIND_LOG_DEBUG, __VA_ARGS__)

/* Fill the kernel's lb_config value from a checked config. */
void lb_config_to_abi(const struct latebind_dp_config *cfg, struct lb_config *abi);

#endif
