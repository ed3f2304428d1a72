/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* liblatebind internals, not installed. */
#ifndef LB_LIB_INTERNAL_H
#define LB_LIB_INTERNAL_H

#include <latebind/latebind.h>
#include <latebind/bench.h>
#include <latebind/abi.h>

#include <stdbool.h>

struct latebind_bpf; /* the generated skeleton */
struct lb_nl;

struct latebind_datapath {
	struct latebind_bpf *skel;
	struct latebind_datapath_config cfg;
	struct lb_config abi; /* as written into lb_config */
};

/* log.c: log at @level; the message also becomes latebind_last_error() for errors. */
void lb_log(enum latebind_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Log an error and return @err (a negative errno). */
int lb_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* This thread's latebind_last_error(), unlogged: an error another thread logged. */
void lb_set_last_error(const char *msg);

#define lb_info(...) lb_log(LATEBIND_LOG_INFO, __VA_ARGS__)
#define lb_debug(...) lb_log(LATEBIND_LOG_DEBUG, __VA_ARGS__)

/* --- pins.c: the pin layout, locks, gc ------------------------------------ */

#define LB_BPFFS "/sys/fs/bpf"
#define LB_PIN_ROOT LB_BPFFS "/latebind"
/* Pin paths are short: root, a 20-digit cookie, an ifindex, a name. */
#define LB_PATH_MAX 256

/* How long a caller waits for a lock before -ETIMEDOUT, by default (man page, FILES). */
#define LB_POOL_LOCK_TIMEOUT_MS (120 * 1000) /* pool create of 65,536 takes ~1 min */
#define LB_BIND_LOCK_TIMEOUT_MS (10 * 1000)

/* The pinned maps, in one list: the datapath's (from the BPF object), then lb_pool. */
enum lb_map {
	LB_MAP_CONFIG,
	LB_MAP_EGRESS,
	LB_MAP_INGRESS,
	LB_MAP_TUN_STATS,
	LB_MAP_DROPS,
	LB_MAP_TUN_SLOT,
	LB_MAP_SLOT_TAP,
	LB_MAP_TAP_SLOT,
	LB_MAP_POOL,
	LB_MAP_SLOTS,   /* pools with taps only */
	LB_MAP_LOCK,
	LB_MAP_COUNT,
};
#define LB_MAPS_DATAPATH LB_MAP_POOL
/* Maps a pool may lack: lb_slots without taps; the slot maps in a datapath
 * attached by a latebind from before slots (then it cannot have taps). */
static inline bool lb_map_optional(int i)
{
	return i == LB_MAP_SLOT_TAP || i == LB_MAP_TAP_SLOT || i == LB_MAP_SLOTS;
}
extern const char *const lb_map_names[LB_MAP_COUNT];

enum lb_prog {
	LB_PROG_EGRESS,
	LB_PROG_INGRESS,
	LB_PROG_TUN_EGRESS,
	LB_PROG_TUN_INGRESS,
	LB_PROG_TAP_INGRESS,
	LB_PROG_TAP_EGRESS,
	LB_PROG_COUNT,
};
struct lb_prog_pin {
	const char *pin;  /* its name in the pin directory */
	const char *prog; /* its name in the BPF object */
};
extern const struct lb_prog_pin lb_progs[LB_PROG_COUNT];

int lb_ensure_bpffs(void);
int lb_netns_cookie(uint64_t *cookie);
int lb_resolve_dev(const char *ifname, unsigned int *ifindex);
int lb_pin_dir_of(unsigned int ifindex, char *buf, size_t size);
int lb_locate(const char *ifname, unsigned int *ifindex, char *dir, size_t size);
int lb_mkdir_claim(const char *dir);
void lb_remove_pins(const char *dir);
int lb_pin_fd(int fd, const char *dir, const char *name);
struct lb_pool_lock;
int lb_word_lock(struct lb_pool_lock *l, unsigned int timeout_ms, const char *what);
int lb_word_unlock(struct lb_pool_lock *l, const char *what);
unsigned int lb_bind_lock_timeout(void);
int lb_lock_pools(int *fd);
void lb_unlock(int fd);
/* The attach mode of the datapath pinned in @dir. */
enum latebind_attach_mode lb_datapath_mode(const char *dir);

/* --- netns.c: the live network namespaces, for gc -------------------------- */

struct lb_live_netns {
	uint64_t *cookies;
	size_t n, cap;
	bool complete; /* false: a live namespace may be missing (logged at debug) */
	char why[160]; /* the first reason it may be */
};
/* The cookies of the namespaces we can see alive; -errno only for ENOMEM and the like. */
int lb_live_netns(struct lb_live_netns *live);
bool lb_netns_is_live(const struct lb_live_netns *live, uint64_t cookie);
void lb_live_netns_free(struct lb_live_netns *live);

/* --- attach.c -------------------------------------------------------------- */

int lb_attach_locked(const char *ifname, const struct latebind_datapath_config *cfg,
		     enum latebind_attach_mode *mode, bool pool);
int lb_detach_locked(const char *ifname);
/* Is program @id the head of tcx hook @type (BPF_TCX_*) of @ifindex? */
bool lb_tcx_first_is(unsigned int ifindex, int type, uint32_t id);
/* Kernel id of the program pinned as @dir/@name; -errno quietly. */
int lb_pinned_prog_id(const char *dir, const char *name, uint32_t *id);
/* Do programs @eg_id and @in_id head @ifindex's egress and ingress hooks? (@nl: cls_bpf) */
bool lb_progs_first(enum latebind_attach_mode mode, struct lb_nl *nl, unsigned int ifindex,
		    uint32_t eg_id, uint32_t in_id);
/* Put the underlay's programs back at the head of their hooks where they are not. */
int lb_attach_repair(const char *dir, unsigned int ifindex);

/* Our cls_bpf filters' handle and priority: priority 1 runs first. */
#define LB_TC_HANDLE 0x1b
#define LB_TC_PRIO 1

/* --- guard.c: lb_tun_egress/lb_tun_ingress on pool tunnels ------------------ */

int lb_guard_attach(const char *dir, enum latebind_attach_mode mode, struct lb_nl *nl,
		    const unsigned int *ifindex, uint32_t n);
/* The same with another pair of programs (a slot's tap: lb_tap_ingress, lb_tap_egress). */
int lb_guard_attach_progs(const char *dir, enum latebind_attach_mode mode, struct lb_nl *nl,
			  const unsigned int *ifindex, uint32_t n, enum lb_prog ingress,
			  enum lb_prog egress);

/* --- nft.c: the input guard, one nftables chain per pool (its underlay's ifindex) */

int lb_nft_guard_add(unsigned int ifindex, uint16_t dstport, uint32_t dummy_min,
		     uint32_t dummy_max);
/* 0 when the chain is there with both rules, else negative errno. */
int lb_nft_guard_check(unsigned int ifindex);
void lb_nft_guard_del(unsigned int ifindex);

/* --- config.c, datapath.c ------------------------------------------------------ */

int lb_datapath_config_check(const struct latebind_datapath_config *cfg, bool one_protocol);
/* -ERANGE past 24 bits, -EINVAL inside the dummy range, with a message. */
int lb_vni_check(uint32_t vni, uint32_t dummy_base, uint32_t dummy_count);
/* Set @flag in the lb_config map @fd (read, or, write); the result in *@out if not NULL. */
int lb_config_set_flag(int fd, uint32_t flag, struct lb_config *out);
/* Fill the kernel's lb_config value from a checked config. */
void lb_config_to_abi(const struct latebind_datapath_config *cfg, struct lb_config *abi);

int lb_datapath_load(const struct latebind_datapath_config *cfg, struct latebind_datapath **dp);
/* A loaded map's or program's fd by its name in the object, or -1 (owned by @dp). */
int lb_datapath_map_fd(struct latebind_datapath *dp, const char *name);
int lb_datapath_prog_fd(struct latebind_datapath *dp, const char *name);

/* --- spec.c: a pool spec, checked, with every default resolved -------------- */

int lb_resolve_spec(const struct latebind_pool_spec *in, struct lb_pool_info *info);
/* The public views of the kernel's lb_pool and lb_slots records (fields it has). */
void lb_pool_info_public(const struct lb_pool_info *pi, struct latebind_pool_info *o);
void lb_slots_info_public(const struct lb_slots_info *si, struct latebind_slots_info *o);

#endif
