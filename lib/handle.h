/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* An open pool: the pinned maps' fds and mappings. Internal. */
#ifndef LB_LIB_HANDLE_H
#define LB_LIB_HANDLE_H

#include <pthread.h>
#include <string.h>
#include "internal.h"
#include "ingress.h"

struct latebind_pool {
	char dir[LB_PATH_MAX];
	unsigned int underlay_ifindex;
	/*
	 * Writers of this pool take @mu, then @lock: the lock word orders
	 * processes and handles (lock.c), the mutex the threads sharing this
	 * handle.
	 */
	pthread_mutex_t mu;
	int dir_fd;               /* -1: a scratch pool, this process's alone */
	int fd[LB_MAP_COUNT];     /* enum lb_map; -1 if not open */
	struct lb_pool_info info;
	struct lb_slots_info slots; /* zero without taps */
	struct lb_config cfg;
	struct lb_egress_val *egress; /* mmap of lb_egress_bind: slot records */
	size_t egress_len;
	struct lb_itab ingress;       /* mmap of lb_ingress_tab */
	struct lb_pool_lock *lock; /* mmap of lb_pool_lock */
};

/* Slot @s's tunnel device, as pool create recorded it. */
static inline unsigned int lb_slot_ifindex(const struct latebind_pool *p, uint32_t s)
{
	return __atomic_load_n(&p->egress[s].ifindex, __ATOMIC_RELAXED);
}

static inline uint32_t lb_load_binding(const struct latebind_pool *p, uint32_t slot)
{
	return __atomic_load_n(&p->egress[slot].binding, __ATOMIC_ACQUIRE);
}

static inline bool lb_mac_is_zero(const uint8_t *m)
{
	static const uint8_t zero[6];

	return !memcmp(m, zero, 6);
}

/* The current MAC of a bound slot's record, or NULL for the wildcard. */
static inline const uint8_t *lb_bound_mac(const struct latebind_pool *p, uint32_t slot,
					  uint32_t word)
{
	const struct lb_egress_mac *m = &p->egress[slot].mac[!!(word & LB_EGRESS_MAC_SEL)];

	return m->set ? m->addr : NULL;
}

/* The ingress key of (@vni, @mac) from this pool's remote. */
void lb_make_key(const struct latebind_pool *p, uint32_t vni, const uint8_t *mac,
		 struct lb_ingress_key *k);
/* Does @slot's committed binding own ingress key @k? */
bool lb_slot_owns(const struct latebind_pool *p, uint32_t slot, const struct lb_ingress_key *k);

/* Open the pool pinned in @dir (of underlay @ifindex); -ENOENT, silently, if none. */
int lb_pool_open_dir(const char *dir, unsigned int ifindex, struct latebind_pool **pool);

/*
 * -ESTALE, with a message, once the pool this handle opened is gone
 * (destroyed, or destroyed and created again): its pin directory was removed.
 */
int lb_pool_check_live(const struct latebind_pool *p);

/* -ESTALE unless @slot's pool is still there; under the writers' lock, one load. */
int lb_pool_check_slot(const struct latebind_pool *p, uint32_t slot);

/* The writers' lock of @p (a no-op for a scratch pool). */
int lb_pool_lock(struct latebind_pool *p);
void lb_pool_unlock(struct latebind_pool *p);

#endif
