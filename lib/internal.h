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
/* Is program @id the head of tcx hook @type (LB_BPF_TCX_*) of @ifindex? */
bool lb_tcx_first_is(unsigned int ifindex, int type, uint32_t id);
/* Kernel id of the program pinned as @dir/@name; -errno quietly. */
int lb_pinned_prog_id(const char *dir, const char *name, uint32_t *id);
/* Do programs @eg_id and @in_id head @ifindex's egress and ingress hooks? (@nl: cls_bpf) */
struct lb_nl;
bool lb_progs_first(enum latebind_attach_mode mode, struct lb_nl *nl, unsigned int ifindex,
		    uint32_t eg_id, uint32_t in_id);
/* The attach mode of the datapath pinned in @dir. */
enum latebind_attach_mode lb_dp_mode(const char *dir);
/* Put the underlay's programs back at the head of their hooks where they are not. */
int lb_attach_repair(const char *dir, unsigned int ifindex);
int lb_lock_pools(int *fd);
void lb_unlock(int fd);

/* Debian 12's UAPI headers predate tcx (kernel 6.6) and mprog ordering. */
#define LB_BPF_TCX_INGRESS 46
#define LB_BPF_TCX_EGRESS 47
#define LB_BPF_F_BEFORE (1U << 3)
/* Our cls_bpf filters' handle and priority: priority 1 runs first. */
#define LB_TC_HANDLE 0x1b
#define LB_TC_PRIO 1

/* guard.c: lb_tun_egress/lb_tun_ingress on pool tunnels */
int lb_guard_attach(const char *dir, enum latebind_attach_mode mode, struct lb_nl *nl,
		    const unsigned int *ifindex, uint32_t n);

/* nft.c: the input guard, one nftables chain per pool (its underlay's ifindex) */
int lb_nft_guard_add(unsigned int ifindex, uint16_t dstport, uint32_t dummy_min,
		     uint32_t dummy_max);
/* 0 when the chain is there with both rules, else negative errno. */
int lb_nft_guard_check(unsigned int ifindex);
void lb_nft_guard_del(unsigned int ifindex);

/* config.c, datapath.c */
int lb_dp_config_check(const struct latebind_dp_config *cfg, bool one_protocol);
int lb_datapath_load(const struct latebind_dp_config *cfg, struct latebind_datapath **dp);
int lb_datapath_map_fd(struct latebind_datapath *dp, const char *name);

/* Fill the kernel's lb_config value from a checked config. */
void lb_config_to_abi(const struct latebind_dp_config *cfg, struct lb_config *abi);

#endif
