/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * liblatebind: the public API.
 *
 * Every function that can fail returns 0 or a negative errno. The library
 * never prints to stdout and never exits; it reports through the log
 * callback (stderr at warning level and above until one is set).
 */
#ifndef LATEBIND_H
#define LATEBIND_H

#include <stddef.h>
#include <stdint.h>
#include <latebind/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LATEBIND_API __attribute__((visibility("default")))

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

/* --- datapath configuration ----------------------------------------------- */

struct latebind_dp_config {
	uint32_t dummy_base;  /* first dummy VNI */
	uint32_t dummy_count; /* dummy VNIs in the range, 1..LB_DUMMY_RANGE_MAX */
	uint16_t geneve_port; /* UDP destination port, 1..65535 */
	uint16_t vxlan_port;  /* UDP destination port, 1..65535, not geneve_port */
};

/* Defaults: the top 65536 VNIs, ports 6081 and 4789. */
LATEBIND_API void latebind_dp_config_init(struct latebind_dp_config *cfg);
/* -EINVAL, with a message naming the problem, for an unusable config. */
LATEBIND_API int latebind_dp_config_check(const struct latebind_dp_config *cfg);

/* --- the loaded datapath -------------------------------------------------- */

struct latebind_datapath;

enum latebind_dir {
	LATEBIND_EGRESS,
	LATEBIND_INGRESS,
};

/*
 * Check @cfg, load lb_egress and lb_ingress into the kernel and configure
 * them. Nothing is attached. Free with latebind_datapath_close().
 */
LATEBIND_API int latebind_datapath_open(const struct latebind_dp_config *cfg,
					struct latebind_datapath **dp);
LATEBIND_API void latebind_datapath_close(struct latebind_datapath *dp);

/* Kernel id of a loaded program (bpftool prog show id N). */
LATEBIND_API int latebind_datapath_prog_id(const struct latebind_datapath *dp,
					   enum latebind_dir dir, uint32_t *id);

/*
 * Run one frame through a loaded program with BPF_PROG_TEST_RUN. @out must
 * hold @len bytes. @verdict receives the tc verdict.
 */
LATEBIND_API int latebind_datapath_test_run(struct latebind_datapath *dp, enum latebind_dir dir,
					    const void *in, size_t len, void *out, size_t *out_len,
					    int *verdict);

/* Bindings on a datapath that this process loaded (maps only). */
LATEBIND_API int latebind_datapath_bind(struct latebind_datapath *dp, uint32_t dummy,
					uint32_t vni, const struct lb_ingress_key *ingress);

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
 * Maps and links are pinned under latebind_pin_dir(), so they outlive this
 * process. -EEXIST if latebind is already attached there. On failure nothing
 * stays attached or pinned.
 */
LATEBIND_API int latebind_attach(const char *ifname, const struct latebind_dp_config *cfg,
				 enum latebind_attach_mode *mode);
/* Remove what latebind_attach() made; other filters and qdiscs stay. */
LATEBIND_API int latebind_detach(const char *ifname);

struct latebind_dp_status {
	enum latebind_attach_mode mode;
	struct latebind_dp_config cfg; /* as read back from the pinned lb_config */
	uint32_t egress_prog_id, ingress_prog_id;
};

/* What is attached to @ifname, read from the kernel. -ENOENT if nothing. */
LATEBIND_API int latebind_dp_status(const char *ifname, struct latebind_dp_status *st);

/* The pin directory of @ifname in the current network namespace. */
LATEBIND_API int latebind_pin_dir(const char *ifname, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif /* LATEBIND_H */
