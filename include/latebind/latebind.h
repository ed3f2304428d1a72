/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * liblatebind 1.3: the stable API (symbol versions LATEBIND_1.0; LATEBIND_1.1
 * for what 1.1 added: latebind_pool_create_mode(); LATEBIND_1.2 for slots;
 * LATEBIND_1.3: per-slot namespaces, latebind_pool_spec_resolve(),
 * latebind_pool_destroy_unbound(), latebind_pool_tunnels()).
 *
 * Every function that can fail returns 0 or a negative errno. The library
 * never prints to stdout and never exits; it reports through the log
 * callback (stderr at warning level and above until one is set).
 *
 * Threads: every call may run on any thread. A pool handle may be shared by
 * threads: its binds take a mutex, then the pool's flock. The log callback
 * is process-wide and may be called from any thread.
 * Waits: a call that waits for another process's lock gives up with
 * -ETIMEDOUT after a bounded time (the man page, FILES, says how long).
 * Handles: a handle of a pool that was destroyed since it was opened
 * answers -ESTALE and writes nothing; open the pool again.
 */
#ifndef LATEBIND_H
#define LATEBIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <latebind/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LATEBIND_API __attribute__((visibility("default")))

/* IF_NAMESIZE, without pulling <net/if.h> into every user. */
#define IF_NAMESIZE_LB 16

/* --- logging -------------------------------------------------------------- */

enum latebind_log_level {
	LATEBIND_LOG_ERROR,
	LATEBIND_LOG_WARN,
	LATEBIND_LOG_INFO,
	LATEBIND_LOG_DEBUG,
};

typedef void (*latebind_log_fn)(enum latebind_log_level level, const char *msg, void *ctx);

/* Route library messages to @fn (NULL restores the stderr default). */
LATEBIND_API void latebind_set_log(latebind_log_fn fn, void *ctx);
/* The text of the last error reported on this thread, or "". */
LATEBIND_API const char *latebind_last_error(void);
/*
 * libbpf's print function is the process's: the library leaves it alone.
 * true routes libbpf's messages (a verifier refusal, say) into the log
 * callback above; false puts back the function that was set before.
 */
LATEBIND_API void latebind_route_libbpf_log(bool route);

/*
 * How long a call waits for another process's lock before -ETIMEDOUT, in ms:
 * @pools for pool create, destroy, attach, detach and gc (default 120000),
 * @binds for bind and unbind (default 10000). 0 keeps a value. Process-wide.
 */
LATEBIND_API void latebind_set_lock_timeout(unsigned int pools_ms, unsigned int binds_ms);

/* --- datapath configuration ----------------------------------------------- */

struct latebind_datapath_config {
	uint32_t dummy_base;  /* first dummy VNI */
	uint32_t dummy_count; /* dummy VNIs in the range, 1..LB_DUMMY_RANGE_MAX */
	uint16_t geneve_port; /* UDP destination port, 1..65535 */
	uint16_t vxlan_port;  /* UDP destination port, 1..65535, not geneve_port */
};

/* Defaults: the top 65536 VNIs, ports 6081 and 4789. */
LATEBIND_API void latebind_datapath_config_init(struct latebind_datapath_config *cfg);
/* -EINVAL, with a message naming the problem, for an unusable config. */
LATEBIND_API int latebind_datapath_config_check(const struct latebind_datapath_config *cfg);

/* --- attaching to an underlay device -------------------------------------- */

enum latebind_attach_mode {
	LATEBIND_ATTACH_NONE,
	LATEBIND_ATTACH_TCX,     /* tcx links (kernel 6.6 and later) */
	LATEBIND_ATTACH_CLS_BPF, /* clsact qdisc, cls_bpf direct-action filters */
};

LATEBIND_API const char *latebind_attach_mode_name(enum latebind_attach_mode mode);

/*
 * Check @cfg, load, configure and attach both programs to @ifname in the
 * current network namespace. *@mode in: LATEBIND_ATTACH_NONE picks tcx where
 * the kernel has it, else cls_bpf; TCX or CLS_BPF insists. Out: the mode used.
 * Maps and links are pinned under latebind_datapath_pin_dir(), so they outlive this
 * process. -EEXIST if latebind is already attached there. On failure nothing
 * stays attached or pinned.
 */
LATEBIND_API int latebind_datapath_attach(const char *ifname, const struct latebind_datapath_config *cfg,
				 enum latebind_attach_mode *mode);
/* Remove what latebind_datapath_attach() made; other filters and qdiscs stay. */
LATEBIND_API int latebind_datapath_detach(const char *ifname);

struct latebind_datapath_status {
	enum latebind_attach_mode mode; /* NONE if neither program is attached */
	/* Each program found attached (tcx: its link pin exists). One without
	 * the other is a broken datapath: egress missing means no fail-closed. */
	bool egress_attached, ingress_attached;
	struct latebind_datapath_config cfg; /* as read back from the pinned lb_config */
	uint32_t egress_prog_id, ingress_prog_id;
};

/* What is attached to @ifname, read from the kernel. -ENOENT if nothing. */
LATEBIND_API int latebind_datapath_status(const char *ifname, struct latebind_datapath_status *st);

/* The pin directory of @ifname in the current network namespace. */
LATEBIND_API int latebind_datapath_pin_dir(const char *ifname, char *buf, size_t size);


/* --- warm pools ------------------------------------------------------------ */

/* enum latebind_tunnel_type (abi.h): LATEBIND_GENEVE, LATEBIND_VXLAN. */
LATEBIND_API const char *latebind_tunnel_type_name(enum latebind_tunnel_type type);
/* "geneve" or "vxlan"; -EINVAL with a message otherwise. */
LATEBIND_API int latebind_tunnel_type_parse(const char *name, enum latebind_tunnel_type *type);

/* IPv4 (family 4) or IPv6 (family 6) address, network byte order. */
struct latebind_addr {
	uint8_t family; /* 0: none */
	uint8_t bytes[16];
};

/* Parse "192.0.2.1" or "2001:db8::1"; -EINVAL with a message otherwise. */
LATEBIND_API int latebind_addr_parse(const char *s, struct latebind_addr *addr);
LATEBIND_API const char *latebind_addr_str(const struct latebind_addr *addr, char *buf,
					   size_t size);

enum latebind_udp_csum {
	LATEBIND_CSUM_DEFAULT, /* off over IPv4, on over IPv6 */
	LATEBIND_CSUM_ON,
	LATEBIND_CSUM_OFF,
};

#define LATEBIND_PREFIX_DEFAULT "lb"

struct latebind_pool_spec {
	const char *underlay;             /* device the tunnels run over */
	enum latebind_tunnel_type type;
	struct latebind_addr remote;      /* the peer's underlay address */
	struct latebind_addr local;       /* optional; VXLAN only */
	uint32_t count;                   /* tunnels, 1..LB_DUMMY_RANGE_MAX */
	uint32_t dummy_base;              /* 0: the top @count VNIs of the 24-bit space */
	const char *prefix;               /* NULL: "lb"; names are PREFIX0..PREFIX(count-1) */
	uint16_t dstport;                 /* 0: 6081 for Geneve, 4789 for VXLAN */
	enum latebind_udp_csum udp_csum;
	/*
	 * false (default): the tunnels have IPv6 disabled (disable_ipv6 = 1)
	 * before they come up. They then send no ND or MLD while warm, and a
	 * pool of thousands is created ~3x faster (per-device IPv6 setup grows
	 * with the number of devices). Tenant IPv6 crosses them as L2 frames
	 * either way; set it when the host routes IPv6 into a tunnel.
	 */
	bool ipv6;
};

LATEBIND_API void latebind_pool_spec_init(struct latebind_pool_spec *spec);

/*
 * Create a warm pool: attach the datapath to the underlay (fail closed from
 * the start), then create @count tunnel devices with dummy VNIs, up, tagged
 * as pool members (ifalias), in batched netlink requests. If a pool with the
 * same spec exists, nothing changes and *@created is false (missing members
 * are re-created). A pool with another spec on the underlay is -EEXIST. On
 * failure everything this call made is removed, and the error carries the
 * kernel's message.
 */
LATEBIND_API int latebind_pool_create(const struct latebind_pool_spec *spec, bool *created);
/*
 * latebind_pool_create() with the datapath's attach mode chosen: NONE picks
 * tcx where the kernel has it, else cls_bpf (what latebind_pool_create()
 * does); TCX or CLS_BPF insists, as latebind_datapath_attach() does. On an
 * existing pool, a mode other than NONE must be the pool's (-EEXIST).
 * Since liblatebind 1.1 (LATEBIND_1.1).
 */
LATEBIND_API int latebind_pool_create_mode(const struct latebind_pool_spec *spec,
					   enum latebind_attach_mode mode, bool *created);
/* Remove the pool's devices, the datapath's links or filters, and its pins. */
LATEBIND_API int latebind_pool_destroy(const char *underlay);
/*
 * latebind_pool_destroy(), but -EBUSY (naming the tunnel) and nothing
 * removed if any of the pool's tunnels is bound: checked under the pool's
 * lock, so no bind lands between the check and the removal. Since 1.3.
 */
LATEBIND_API int latebind_pool_destroy_unbound(const char *underlay);

/* --- slots: a tap per tunnel, for a VM (docs/slots.md) ----------------------- */

struct latebind_slot_spec {
	size_t sz;                /* sizeof(struct latebind_slot_spec): set by _init */
	const char *tap_prefix;   /* NULL: the pool's prefix + "t"; tap i is PREFIXi */
	bool has_owner;           /* the taps belong to owner_uid (TUNSETOWNER) */
	uint32_t owner_uid;
	bool has_group;           /* and to owner_gid (TUNSETGROUP) */
	uint32_t owner_gid;
	bool multi_queue;         /* IFF_MULTI_QUEUE: the VMM must open it so too */
	/* Since 1.3; a 1.2 caller's smaller struct (sz) leaves it NULL. */
	const char *netns_prefix; /* NULL: none; else slot i lives in /run/netns/PREFIXi */
};

LATEBIND_API void latebind_slot_spec_init(struct latebind_slot_spec *slots);
/*
 * latebind_pool_create_mode(), and with @slots (NULL: none) a persistent tap
 * per tunnel: IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, the tunnel's MTU, IPv6
 * off, down until the datapath wires it to its tunnel and to nothing else
 * (lb_tap_ingress, lb_tap_egress). A tap name someone else holds, an owner
 * that does not exist, or slots asked of a pool made without them (or the
 * other way round) are refused with nothing changed. Since liblatebind 1.2.
 */
LATEBIND_API int latebind_pool_create_slots(const struct latebind_pool_spec *spec,
					    enum latebind_attach_mode mode,
					    const struct latebind_slot_spec *slots, bool *created);

struct latebind_pool;

struct latebind_slots_info {
	char tap_prefix[IF_NAMESIZE_LB];
	bool has_owner, has_group;
	uint32_t owner_uid, owner_gid;
	bool multi_queue;
	uint32_t unguarded_taps;  /* slots whose tap is missing or lacks lb_tap_* first */
};

/* The pool's slot settings; -ENOENT if the pool has no taps. Since 1.2. */
LATEBIND_API int latebind_pool_slots(struct latebind_pool *pool, struct latebind_slots_info *info);
/* Slot @slot's tap: its name ("" if gone) and ifindex (0 if none). Since 1.2. */
LATEBIND_API int latebind_slot_tap(struct latebind_pool *pool, uint32_t slot,
				   char name[IF_NAMESIZE_LB], unsigned int *ifindex);

/*
 * Slot @slot's network namespace (pool create ... netns-prefix) in @name:
 * its tunnel and tap live there, as /run/netns/@name. -ENOENT if the pool
 * keeps its slots in its own namespace. Since 1.3.
 */
LATEBIND_API int latebind_slot_netns(struct latebind_pool *pool, uint32_t slot, char *name,
				     size_t size);
/* The pool's netns prefix in @prefix; -ENOENT without per-slot namespaces. Since 1.3. */
LATEBIND_API int latebind_pool_netns_prefix(struct latebind_pool *pool, char *prefix, size_t size);

/* --- binding ----------------------------------------------------------------- */

struct latebind_pool;

/*
 * Open the pool on @underlay, or the pool holding the tunnel device @tunnel,
 * in the current network namespace. Opening maps the pinned maps; binds then
 * touch those maps only. -ENOENT if there is no such pool.
 */
LATEBIND_API int latebind_pool_open(const char *underlay, struct latebind_pool **pool);
/* The tunnel's slot in *@slot (if not NULL), as latebind_pool_slot() gives it. */
LATEBIND_API int latebind_pool_open_tunnel(const char *tunnel, struct latebind_pool **pool,
					   uint32_t *slot);
LATEBIND_API void latebind_pool_close(struct latebind_pool *pool);

/*
 * The pool's slot of device @name, a tunnel or a slot's tap: -ENODEV if there
 * is no such device, -ENOENT (with a message) if it is not one of this pool.
 */
LATEBIND_API int latebind_pool_slot(struct latebind_pool *pool, const char *name,
				    uint32_t *slot);

/*
 * Bind the tunnel in @slot to real VNI @vni; @inner_mac (6 bytes, or NULL)
 * tells apart tunnels that share a VNI and remote. Maps only: no netlink,
 * no RTNL, no files. Ingress entry first, then one atomic store commits the
 * egress binding; a rebind replaces the old entries in place. Refused with
 * no change of state: -ERANGE VNI past 24 bits, -EINVAL VNI in the dummy
 * range or a bad MAC, -EADDRINUSE ingress key held by another tunnel (named
 * in the message).
 */
LATEBIND_API int latebind_bind(struct latebind_pool *pool, uint32_t slot, uint32_t vni,
			       const uint8_t *inner_mac);
/* Return the tunnel to the warm, fail-closed state: egress first, then ingress. */
LATEBIND_API int latebind_unbind(struct latebind_pool *pool, uint32_t slot);

/* --- reading a pool ---------------------------------------------------------- */

struct latebind_pool_info {
	char underlay[IF_NAMESIZE_LB];
	unsigned int underlay_ifindex;
	enum latebind_tunnel_type type;
	struct latebind_addr remote, local;
	uint16_t dstport;
	bool udp_csum;
	bool ipv6;
	char prefix[IF_NAMESIZE_LB];
	uint32_t count, dummy_base;
	enum latebind_attach_mode mode;
	bool egress_attached, ingress_attached;
	/* The isolation guards (docs/security.md): */
	bool programs_first;         /* lb_egress/lb_ingress run first on the underlay */
	bool input_guard;            /* the nftables chains are there, whole */
	uint32_t unguarded_tunnels;  /* members without lb_tun_* first on both hooks */
};

struct latebind_tunnel_info {
	uint32_t slot;
	unsigned int ifindex;
	char name[IF_NAMESIZE_LB];  /* "" if the device is gone */
	uint32_t dummy_vni;
	bool bound;
	uint32_t vni;
	bool has_mac;
	uint8_t inner_mac[6];
	bool ingress_ok;            /* bound and its ingress entry maps to it */
};

LATEBIND_API int latebind_pool_info(struct latebind_pool *pool, struct latebind_pool_info *info);
/*
 * What pool create would make of @spec and @slots (NULL: no taps), touching
 * nothing: the checks create makes before it changes anything, and every
 * default resolved into @info and @slots_info (NULL: not wanted), as
 * latebind_pool_info() and latebind_pool_slots() would read them back from
 * the pool. The underlay need not exist (underlay_ifindex stays 0, mode NONE,
 * the guards false). -EINVAL with a message, as create. Since 1.3.
 */
LATEBIND_API int latebind_pool_spec_resolve(const struct latebind_pool_spec *spec,
					    const struct latebind_slot_spec *slots,
					    struct latebind_pool_info *info,
					    struct latebind_slots_info *slots_info);
/* Binding state of @slot, from the maps (name and ifindex from the pool). */
LATEBIND_API int latebind_tunnel_info(struct latebind_pool *pool, uint32_t slot,
				      struct latebind_tunnel_info *t);
/* Ingress entries pointing into this pool that no binding owns (leftovers). */
LATEBIND_API int latebind_pool_leftovers(struct latebind_pool *pool, uint32_t *count);
/* Counters, summed over CPUs (abi.h's lb_tun_stats, lb_drop_stats). */
struct latebind_tunnel_stats {
	uint64_t tx_packets; /* egress packets rewritten dummy -> real */
	uint64_t tx_bytes;
	uint64_t rx_packets; /* ingress packets rewritten real -> dummy */
	uint64_t rx_bytes;
};

LATEBIND_API int latebind_tunnel_stats(struct latebind_pool *pool, uint32_t slot,
				       struct latebind_tunnel_stats *st);
/* Drop reasons are abi.h's enum lb_drop_reason values, 0..LATEBIND_DROP_REASONS-1. */
#define LATEBIND_DROP_REASONS 7
LATEBIND_API int latebind_pool_drops(struct latebind_pool *pool,
				     uint64_t drops[LATEBIND_DROP_REASONS]);
/*
 * Slots 0..@n-1 of the pool at once (@n at most its count), for a scrape:
 * @t[slot] as latebind_tunnel_info() and @st[slot] as latebind_tunnel_stats()
 * fill them; either may be NULL. One link dump names the devices and batched
 * map reads (256 slots a call) fetch the rest, where the per-slot calls cost
 * a few syscalls each. Since liblatebind 1.3 (LATEBIND_1.3).
 */
LATEBIND_API int latebind_pool_tunnels(struct latebind_pool *pool,
				       struct latebind_tunnel_info *t,
				       struct latebind_tunnel_stats *st, uint32_t n);
/* "unbound", "spoof", ...; "unknown" past the last. */
LATEBIND_API const char *latebind_drop_reason_name(unsigned int reason);

/*
 * Underlays with a pool in the current network namespace, ascending by
 * ifindex; free(*ifindexes). None is 0 pools; pins this process may not
 * read (another uid) are an error (-EACCES), never 0 pools.
 */
LATEBIND_API int latebind_pool_list(unsigned int **ifindexes, size_t *n);

/*
 * Remove the pins of datapaths (and pools) whose device is gone: a device or
 * network namespace deleted without `pool destroy`. Tcx datapaths are found
 * in every namespace (their links turn defunct); in the current namespace,
 * any whose underlay is gone; cls_bpf ones of other namespaces when no live
 * namespace has their cookie (found from /proc's tasks, their nsfs fds and
 * nsfs mounts, each entered in a short-lived helper thread: the caller's
 * threads never change namespace) and their programs, unpinned for a moment,
 * are freed. If any namespace may have gone unseen (a /proc entry refused,
 * say), no cls_bpf datapath of another namespace is removed, with a warning.
 * Holds the pools' lock. *@removed: pin directories removed.
 */
LATEBIND_API int latebind_gc(unsigned int *removed);

#ifdef __cplusplus
}
#endif
#endif /* LATEBIND_H */
