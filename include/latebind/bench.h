/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * liblatebind's helpers for benchmarks, demos and tests: a datapath loaded
 * but not attached, scratch pools, and on-demand tunnel creation for
 * comparison. They are exported (LATEBIND_1.0) for the tree's own tools, but
 * this header is not installed and promises no stability.
 */
#ifndef LATEBIND_BENCH_H
#define LATEBIND_BENCH_H

#include <latebind/latebind.h>

#ifdef __cplusplus
extern "C" {
#endif

/* --- a loaded datapath, not attached -------------------------------------- */

struct latebind_datapath;

enum latebind_dir {
	LATEBIND_EGRESS,
	LATEBIND_INGRESS,
};

/*
 * Check @cfg, load lb_egress and lb_ingress into the kernel and configure
 * them. Nothing is attached. Free with latebind_datapath_close().
 */
LATEBIND_API int latebind_datapath_open(const struct latebind_datapath_config *cfg,
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

/*
 * Bind @dummy to @vni on a datapath this process loaded (maps only). With
 * @remote, also the ingress entry (@vni, @remote[, @inner_mac]) -> @dummy.
 */
LATEBIND_API int latebind_datapath_bind(struct latebind_datapath *dp, uint32_t dummy,
					uint32_t vni, const struct latebind_addr *remote,
					const uint8_t *inner_mac);

/* --- scratch pools ----------------------------------------------------------- */

/*
 * A scratch pool: the datapath's maps loaded into the kernel with @count
 * slots, but no devices, no attach, no pins, no lock. Binds run the same
 * code as on a real pool. For benchmarks of the maps alone.
 */
LATEBIND_API int latebind_pool_open_scratch(uint32_t count, const struct latebind_addr *remote,
					    struct latebind_pool **pool);
/* The fd of one of the pool's maps, by its name in abi.h (owned by @pool), or -1. */
LATEBIND_API int latebind_pool_map_fd(struct latebind_pool *pool, const char *name);

/*
 * Bind (or unbind) @slot only while its binding word (abi.h) is still *@word
 * (0: unbound), checked under the pool's lock: -EBUSY, with nothing written,
 * once someone else bound or unbound it. On success *@word is the word this
 * call wrote. `latebind bench bind` uses these on a live pool, so that it
 * never touches a tunnel an orchestrator took.
 */
LATEBIND_API int latebind_bind_if(struct latebind_pool *pool, uint32_t slot, uint32_t *word,
				  uint32_t vni);
LATEBIND_API int latebind_unbind_if(struct latebind_pool *pool, uint32_t slot, uint32_t *word);
/* The binding word of @slot (abi.h, lb_egress_val.binding) as it is now. */
LATEBIND_API uint32_t latebind_binding_word(struct latebind_pool *pool, uint32_t slot);

/* --- on-demand creation (for comparison and benchmarks) ------------------- */

struct latebind_ondemand;

/*
 * Tunnels made one at a time, the way a platform without a pool makes them
 * on the cold-start path: the same netlink requests pool create batches
 * (create + up, then the member tag), one round trip each. @spec as for a
 * pool: tunnel i is named prefix + i and gets VNI dummy_base + i.
 */
LATEBIND_API int latebind_ondemand_open(const struct latebind_pool_spec *spec,
					struct latebind_ondemand **h);
LATEBIND_API int latebind_ondemand_create(struct latebind_ondemand *h, uint32_t i);
/* Delete every tunnel @h created (one request), and free @h. */
LATEBIND_API void latebind_ondemand_close(struct latebind_ondemand *h);

#ifdef __cplusplus
}
#endif
#endif /* LATEBIND_BENCH_H */
