/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* liblatebind internals, not installed. */
#ifndef LB_LIB_INTERNAL_H
#define LB_LIB_INTERNAL_H

#include <latebind/latebind.h>

#include <stdbool.h>

struct latebind_bpf; /* the generated skeleton */

/* Around libbpf calls whose failure is an expected answer: no warnings. */
void *lb_libbpf_quiet_begin(void);
void lb_libbpf_quiet_end(void *prev);

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

#define LB_BPFFS "/sys/fs/bpf"
#define LB_PIN_ROOT LB_BPFFS "/latebind"
/* Pin paths are short: root, a 20-digit cookie, an ifindex, a name. */
#define LB_PATH_MAX 256

/* attach.c */
int lb_ensure_bpffs(void);
int lb_netns_cookie(uint64_t *cookie);
int lb_resolve_dev(const char *ifname, unsigned int *ifindex);
int lb_pin_dir_of(unsigned int ifindex, char *buf, size_t size);
int lb_locate(const char *ifname, unsigned int *ifindex, char *dir, size_t size);
void lb_remove_pins(const char *dir);
int lb_pin_fd(int fd, const char *dir, const char *name);
int lb_attach_locked(const char *ifname, const struct latebind_dp_config *cfg,
		     enum latebind_attach_mode *mode, bool pool);
int lb_detach_locked(const char *ifname);
int lb_lock_pools(int *fd);
void lb_unlock(int fd);

/* config.c, datapath.c */
int lb_dp_config_check(const struct latebind_dp_config *cfg, bool one_protocol);
int lb_datapath_load(const struct latebind_dp_config *cfg, struct latebind_datapath **dp);
int lb_datapath_map_fd(struct latebind_datapath *dp, const char *name);

/* Fill the kernel's lb_config value from a checked config. */
void lb_config_to_abi(const struct latebind_dp_config *cfg, struct lb_config *abi);

#endif
