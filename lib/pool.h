/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* An open pool: the pinned maps' fds and mappings. Internal. */
#ifndef LB_LIB_POOL_H
#define LB_LIB_POOL_H

#include "internal.h"

struct latebind_pool {
	char dir[LB_PATH_MAX];
	unsigned int underlay_ifindex;
	int dir_fd; /* flock: binds of this pool */
	int info_fd, config_fd, egress_fd, ingress_fd, stats_fd, drops_fd;
	struct lb_pool_info info;
	struct lb_config cfg;
	struct lb_egress_val *egress; /* mmap of lb_egress_bind: slot records */
	size_t egress_len;
};

/* Slot @s's tunnel device, as pool create recorded it. */
static inline unsigned int lb_slot_ifindex(const struct latebind_pool *p, uint32_t s)
{
	return __atomic_load_n(&p->egress[s].ifindex, __ATOMIC_RELAXED);
}

/* Open the pool pinned in @dir (of underlay @ifindex); -ENOENT, silently, if none. */
int lb_pool_open_dir(const char *dir, unsigned int ifindex, struct latebind_pool **pool);

#endif
