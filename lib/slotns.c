// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Per-slot network namespaces (pool create ... netns-prefix NAME): slot i's
 * tunnel and tap live in /run/netns/NAMEi, iproute2's named namespace, so a
 * VMM started there (ip netns exec, a jailer's --netns) opens its tap and
 * the slot's firewall rules stay out of the pool's namespace.
 *
 *   pool's namespace: underlay, lb_egress/lb_ingress, the tunnels' UDP socket
 *   NAMEi:            tunnel i [lb_tun_*] <-bpf_redirect-> tap i [lb_tap_*]
 *
 * The devices are made where they live, never moved: a move costs some 20 ms
 * per device (measured: 40 `ip link set DEV netns` took 0.85 s, vxlan or
 * tap alike), made in place they cost none of that. The tunnel is created
 * from the pool's namespace with IFLA_NET_NS_FD, so its socket stays there;
 * the tap by opening /dev/net/tun from inside the slot's namespace. Each gets
 * an ifindex of the pool's own range (lb_slotns_ifindex): the maps key the
 * programs' devices by ifindex, and every slot namespace counts from 1, so
 * the kernel's choice would give each slot the same ones. The mark lb_ingress
 * sets does not reach a tunnel in another namespace than its socket
 * (skb_scrub_packet), the priority does: lb_tun_ingress checks that.
 *
 * Namespaces are entered by a short-lived helper thread: setns() moves only
 * the calling thread, so the caller's threads never change namespace.
 */
#define _GNU_SOURCE /* setns, unshare */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/magic.h>
#include <linux/rtnetlink.h>
#include "internal.h"
#include "handle.h"
#include "members.h"
#include "slots.h"
#include "slotns.h"

/* Namespaces whose fd the tunnels' creation holds at once. */
#define LB_CREATE_ROUND 256

bool lb_slotns(const struct latebind_pool *p)
{
	return (p->info.flags & LB_POOL_F_TAPS) && p->slots.netns_prefix[0];
}

void lb_slotns_name(const struct lb_slots_info *si, uint32_t slot, char *buf)
{
	snprintf(buf, 32, "%.15s%u", si->netns_prefix, slot);
}

static void slot_path(const struct lb_slots_info *si, uint32_t slot, char *buf, size_t size)
{
	char name[32];

	lb_slotns_name(si, slot, name);
	snprintf(buf, size, "%s/%s", LB_NETNS_RUN_DIR, name);
}

/* Is @fd a network namespace (an nsfs file), not the empty file a mount was meant to cover? */
static bool is_netns(int fd)
{
	struct statfs sfs;

	return !fstatfs(fd, &sfs) && sfs.f_type == NSFS_MAGIC;
}

int lb_slotns_check(const char *prefix, uint32_t count, bool fresh)
{
	char path[64];

	if (!*prefix || strlen(prefix) > 15)
		return lb_err(-EINVAL, "netns prefix \"%s\" is empty or longer than 15 characters",
			      prefix);
	if (prefix[0] == '.' || prefix[strspn(prefix, "abcdefghijklmnopqrstuvwxyz"
					      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")])
		return lb_err(-EINVAL, "netns prefix \"%s\": use letters, digits, '_', '-' and "
			      "'.' (not first)", prefix);
	for (uint32_t s = 0; fresh && s < count; s++) {
		snprintf(path, sizeof(path), "%s/%s%u", LB_NETNS_RUN_DIR, prefix, s);
		if (!access(path, F_OK))
			return lb_err(-EEXIST, "netns prefix \"%s\" collides with namespace %s%u, "
				      "which exists (%s): choose another prefix", prefix, prefix,
				      s, path);
	}
	return 0;
}

bool lb_slotns_slot_of(const struct latebind_pool *p, const char *name, uint32_t *slot)
{
	return lb_slotns(p) && (lb_name_slot(p->info.prefix, p->info.count, name, slot) ||
				lb_name_slot(p->slots.tap_prefix, p->info.count, name, slot));
}

/* --- the helper thread ------------------------------------------------------- */

struct ns_job;
typedef int (*ns_fn)(struct ns_job *j, uint32_t slot, struct lb_nl *nl);

struct ns_job {
	struct latebind_pool *p;
	ns_fn fn;
	bool keep_going;   /* every slot; else stop at the first error */
	int err;
	char msg[512];
	/* per job */
	enum latebind_attach_mode mode;
	struct lb_link *links;
	size_t n, cap;
	uint32_t count[2];
	uint32_t prog[4];
};

/* Run @j->fn in each slot namespace that exists, with a netlink socket of it. */
static void *ns_thread(void *arg)
{
	struct ns_job *j = arg;

	for (uint32_t s = 0; s < j->p->info.count; s++) {
		struct lb_nl *nl = NULL;
		char path[64];
		int fd, err = 0;

		slot_path(&j->p->slots, s, path, sizeof(path));
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			continue;
		/* The empty file of a create killed before its mount: no namespace yet. */
		if (fd >= 0 && !is_netns(fd)) {
			close(fd);
			continue;
		}
		if (fd < 0)
			err = lb_err(-errno, "cannot open %s: %s", path, strerror(errno));
		else if (setns(fd, CLONE_NEWNET))
			err = lb_err(-errno, "cannot enter %s: %s", path, strerror(errno));
		else
			err = lb_nl_open(&nl);
		if (!err)
			err = j->fn(j, s, nl);
		lb_nl_close(nl);
		if (fd >= 0)
			close(fd);
		if (err && !j->err) {
			j->err = err;
			snprintf(j->msg, sizeof(j->msg), "%s", latebind_last_error());
		}
		if (err && !j->keep_going)
			break;
	}
	return NULL;
}

static int run_thread(struct ns_job *j, void *(*fn)(void *))
{
	pthread_t t;
	int rc = pthread_create(&t, NULL, fn, j);

	if (rc)
		return lb_err(-rc, "cannot start a thread: %s", strerror(rc));
	pthread_join(t, NULL);
	if (j->err)
		lb_set_last_error(j->msg);
	return j->err;
}

/* --- reading ----------------------------------------------------------------- */

static int dump_fn(struct ns_job *j, uint32_t slot, struct lb_nl *nl)
{
	struct lb_link *l = NULL;
	size_t n = 0;
	int err = lb_nl_dump_links(nl, &l, &n);

	if (!err && j->n + n > j->cap) {
		size_t cap = (j->n + n) * 2;
		struct lb_link *m = realloc(j->links, cap * sizeof(*m));

		if (!m)
			err = lb_err(-ENOMEM, "out of memory");
		else
			j->links = m, j->cap = cap;
	}
	for (size_t i = 0; !err && i < n; i++) {
		l[i].netns = slot + 1;
		j->links[j->n++] = l[i];
	}
	free(l);
	return err;
}

int lb_slotns_dump(struct latebind_pool *p, struct lb_link **links, size_t *n)
{
	struct ns_job j = { .p = p, .fn = dump_fn, .links = *links, .n = *n, .cap = *n };
	int err;

	if (!lb_slotns(p))
		return 0;
	err = run_thread(&j, ns_thread);
	*links = j.links;
	*n = j.n;
	return err;
}

static int unguarded_fn(struct ns_job *j, uint32_t slot, struct lb_nl *nl)
{
	uint32_t tap = 0;
	unsigned int tun = lb_slot_ifindex(j->p, slot);

	if (tun && lb_progs_first(j->mode, nl, tun, j->prog[0], j->prog[1]))
		j->count[0]--;
	if (!bpf_map_lookup_elem(j->p->fd[LB_MAP_SLOT_TAP], &slot, &tap) && tap &&
	    lb_progs_first(j->mode, nl, tap, j->prog[2], j->prog[3]))
		j->count[1]--;
	return 0;
}

void lb_slotns_unguarded(struct latebind_pool *p, enum latebind_attach_mode mode,
			 uint32_t *tunnels, uint32_t *taps)
{
	struct ns_job j = { .p = p, .fn = unguarded_fn, .keep_going = true, .mode = mode,
			    .count = { p->info.count, p->info.count } };

	lb_pinned_prog_id(p->dir, lb_progs[LB_PROG_TUN_EGRESS].pin, &j.prog[0]);
	lb_pinned_prog_id(p->dir, lb_progs[LB_PROG_TUN_INGRESS].pin, &j.prog[1]);
	lb_pinned_prog_id(p->dir, lb_progs[LB_PROG_TAP_EGRESS].pin, &j.prog[2]);
	lb_pinned_prog_id(p->dir, lb_progs[LB_PROG_TAP_INGRESS].pin, &j.prog[3]);
	if (j.prog[0] && j.prog[1] && j.prog[2] && j.prog[3])
		run_thread(&j, ns_thread);
	*tunnels = j.count[0];
	*taps = j.count[1];
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* --- create ------------------------------------------------------------------ */

/* iproute2's convention: /run/netns a shared mount, so namespaces mounted there propagate. */
static int run_dir(void)
{
	if (mkdir(LB_NETNS_RUN_DIR, 0755) && errno != EEXIST)
		return lb_err(-errno, "cannot create %s: %s", LB_NETNS_RUN_DIR, strerror(errno));
	if (!mount("", LB_NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL))
		return 0;
	/* Not a mount point yet: make it one. */
	if (errno != EINVAL ||
	    mount(LB_NETNS_RUN_DIR, LB_NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) ||
	    mount("", LB_NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL))
		return lb_err(-errno, "cannot make %s a shared mount: %s", LB_NETNS_RUN_DIR,
			      strerror(errno));
	return 0;
}

/*
 * Create each missing slot namespace: a new namespace (unshare in this
 * thread) bind-mounted on an empty file. A create killed between the two
 * leaves the empty file, which the next run finds not to be a namespace and
 * replaces. Devices made there start with IPv6 off unless the pool keeps it.
 */
static void *create_thread(void *arg)
{
	struct ns_job *j = arg;

	for (uint32_t s = 0; s < j->p->info.count && !j->err; s++) {
		char path[64];
		int fd, err = 0;

		slot_path(&j->p->slots, s, path, sizeof(path));
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			bool ns = is_netns(fd);

			close(fd);
			if (ns)
				continue;
			if (umount2(path, MNT_DETACH) && errno != EINVAL)
				err = lb_err(-errno, "cannot unmount %s: %s", path, strerror(errno));
			else if (unlink(path))
				err = lb_err(-errno, "cannot remove %s: %s", path, strerror(errno));
		}
		fd = err ? -1 : open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
		if (!err && fd < 0)
			err = lb_err(-errno, "cannot create %s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			if (unshare(CLONE_NEWNET))
				err = lb_err(-errno, "cannot create a network namespace: %s",
					     strerror(errno));
			else if (!(j->p->info.flags & LB_POOL_F_IPV6))
				err = lb_ipv6_off("default");
			if (!err && mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL))
				err = lb_err(-errno, "cannot mount the namespace on %s: %s", path,
					     strerror(errno));
			if (err)
				unlink(path);
		}
		if (err) {
			j->err = err;
			snprintf(j->msg, sizeof(j->msg), "%s", latebind_last_error());
		}
	}
	return NULL;
}

struct acks {
	int err;
	char msg[300];
	const char *what;
};

static void on_ack(void *ctx, long tag, int err, const char *extack)
{
	struct acks *a = ctx;

	if (!err || a->err)
		return;
	a->err = err;
	snprintf(a->msg, sizeof(a->msg), "cannot %s of slot %ld: %s%s", a->what, tag,
		 *extack ? extack : strerror(-err), *extack ? " (kernel's message)" : "");
}

static int flush(struct lb_nl *nl, struct acks *a)
{
	int err = lb_nl_flush(nl, on_ack, a);

	if (!err && a->err)
		err = lb_err(a->err, "%s", a->msg);
	return err;
}

/* Create the missing tunnels of slots [first, first + n), each in its namespace. */
static int create_round(struct latebind_pool *p, struct lb_nl *nl, const uint8_t *missing,
			uint32_t first, uint32_t n)
{
	struct acks a = { .what = "create the tunnel" };
	int fd[LB_CREATE_ROUND];
	uint32_t opened = 0;
	int err = 0;

	for (uint32_t i = 0; i < n && !err; i++) {
		uint32_t s = first + i;
		char path[64];

		if (!missing[s])
			continue;
		slot_path(&p->slots, s, path, sizeof(path));
		fd[opened] = open(path, O_RDONLY | O_CLOEXEC);
		if (fd[opened] < 0) {
			err = lb_err(-errno, "cannot open %s: %s", path, strerror(errno));
			break;
		}
		err = lb_queue_create_in(nl, &p->info, s, (long)s, fd[opened],
					 lb_slotns_ifindex(s, false));
		opened++;
	}
	if (!err)
		err = flush(nl, &a);
	else
		lb_nl_discard(nl);
	for (uint32_t i = 0; i < opened; i++)
		close(fd[i]);
	return err;
}

/* The missing tunnels, by a dump of every slot namespace. */
static int find_missing(struct latebind_pool *p, uint8_t *missing)
{
	struct lb_link *links = NULL;
	size_t n = 0;
	int err = lb_slotns_dump(p, &links, &n);

	for (uint32_t s = 0; s < p->info.count; s++)
		missing[s] = 1;
	for (size_t i = 0; !err && i < n; i++) {
		uint32_t s = links[i].netns - 1;
		char name[32];

		lb_tunnel_ifname(&p->info, s, name);
		if (!strcmp(links[i].name, name))
			missing[s] = 0;
	}
	free(links);
	return err;
}

static void put_up(struct nlmsghdr *nlh)
{
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
}

/*
 * In slot @slot's namespace: its tunnel as recorded, tagged; its tap made if
 * missing (held open until tagged, then persistent); both recorded, guarded,
 * then up.
 */
static int populate_fn(struct ns_job *j, uint32_t slot, struct lb_nl *nl)
{
	struct latebind_pool *p = j->p;
	unsigned int tifx = lb_slotns_ifindex(slot, false), pifx = lb_slotns_ifindex(slot, true);
	char tname[32], pname[32], ns[32], alias[32], tap_alias[32];
	const struct lb_link *tun, *tap;
	struct lb_link *links = NULL;
	struct acks a = { .what = "tag the devices" };
	struct nlmsghdr *nlh;
	size_t n = 0;
	int fd = -1, err = lb_nl_dump_links(nl, &links, &n);

	if (err)
		return err;
	lb_slotns_name(&p->slots, slot, ns);
	snprintf(alias, sizeof(alias), LB_MEMBER_ALIAS_FMT, p->info.underlay_ifindex);
	snprintf(tap_alias, sizeof(tap_alias), LB_TAP_ALIAS_FMT, p->info.underlay_ifindex);
	tun = lb_slot_link(&p->info, links, n, slot, tname);
	lb_tap_ifname(&p->slots, slot, pname);
	tap = lb_find_name(links, n, pname);
	if (!tun)
		err = lb_err(-ENODEV, "tunnel %s vanished from namespace %s while the pool was "
			     "created", tname, ns);
	else if (!lb_is_member_dev(tun, &p->info, slot) || tun->ifindex != tifx)
		err = lb_err(-EEXIST, "namespace %s holds a device %s that is not tunnel %u of this "
			     "pool (kind %s, ifindex %u, not %u)", ns, tname, slot,
			     tun->kind[0] ? tun->kind : "none", tun->ifindex, tifx);
	else if (tap && (strcmp(tap->kind, "tun") || strcmp(tap->alias, tap_alias) ||
			 tap->ifindex != pifx))
		err = lb_err(-EEXIST, "namespace %s holds a device %s that is not the tap of slot "
			     "%u of this pool (kind %s, ifindex %u, not %u)", ns, pname, slot,
			     tap->kind[0] ? tap->kind : "none", tap->ifindex, pifx);
	if (!err && !tap) {
		err = lb_tap_open(&p->slots, pname, pifx, &fd);
		if (!err)
			err = lb_queue_tap(nl, pifx, tap_alias, p->info.group, tun->mtu, false,
					   (long)slot);
	}
	if (!err && (strcmp(tun->alias, alias))) {
		nlh = lb_nl_put_link(nl, RTM_NEWLINK, 0, (long)slot, tifx);
		if (!nlh)
			err = lb_err(-ENOMEM, "out of memory");
		else
			mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias);
	}
	/*
	 * IPv6: off by the namespace's default, set when it was made; no write
	 * per device. Every /proc/sys lookup compares the name with the same
	 * entry of every namespace (proc_sys_compare): with 4,000 namespaces,
	 * two more writes per slot took over half of the create's CPU.
	 */
	if (!err)
		err = flush(nl, &a);
	else
		lb_nl_discard(nl);
	if (fd >= 0) {
		if (!err && ioctl(fd, TUNSETPERSIST, 1L))
			err = lb_err(-errno, "cannot make tap %s persistent: %s", pname,
				     strerror(errno));
		close(fd);
	}
	/* Recorded and guarded while down; then up. */
	if (!err) {
		__atomic_store_n(&p->egress[slot].ifindex, tifx, __ATOMIC_RELEASE);
		if (bpf_map_update_elem(p->fd[LB_MAP_TUN_SLOT], &tifx, &slot, BPF_ANY) ||
		    bpf_map_update_elem(p->fd[LB_MAP_TAP_SLOT], &pifx, &slot, BPF_ANY) ||
		    bpf_map_update_elem(p->fd[LB_MAP_SLOT_TAP], &slot, &pifx, BPF_ANY))
			err = lb_err(-errno, "cannot record slot %u: %s", slot, strerror(errno));
	}
	if (!err)
		err = lb_guard_attach(p->dir, j->mode, nl, &tifx, 1);
	if (!err)
		err = lb_guard_attach_progs(p->dir, j->mode, nl, &pifx, 1, LB_PROG_TAP_INGRESS,
					    LB_PROG_TAP_EGRESS);
	if (!err && !tun->up) {
		nlh = lb_nl_put_link(nl, RTM_NEWLINK, 0, (long)slot, tifx);
		if (nlh)
			put_up(nlh);
	}
	if (!err && (!tap || !tap->up)) {
		nlh = lb_nl_put_link(nl, RTM_NEWLINK, 0, (long)slot, pifx);
		if (nlh)
			put_up(nlh);
	}
	a.what = "bring up the devices";
	if (!err)
		err = flush(nl, &a);
	free(links);
	return err;
}

int lb_slotns_populate(struct latebind_pool *p, struct lb_nl *nl, enum latebind_attach_mode mode)
{
	struct ns_job j = { .p = p, .mode = mode };
	uint8_t *missing = calloc(p->info.count, 1);
	double t0 = now_ms(), t1, t2;
	int err = missing ? run_dir() : lb_err(-ENOMEM, "out of memory");

	if (!err)
		err = run_thread(&j, create_thread);
	t1 = now_ms();
	if (!err)
		err = find_missing(p, missing);
	for (uint32_t s = 0; s < p->info.count && !err; s += LB_CREATE_ROUND)
		err = create_round(p, nl, missing, s,
				   p->info.count - s < LB_CREATE_ROUND ? p->info.count - s
								       : LB_CREATE_ROUND);
	t2 = now_ms();
	if (!err) {
		j.fn = populate_fn;
		err = run_thread(&j, ns_thread);
	}
	lb_debug("slot namespaces: %.0f ms to create them, %.0f ms the tunnels, %.0f ms the "
		 "taps, tags, records, guards and up", t1 - t0, t2 - t1, now_ms() - t2);
	free(missing);
	return err;
}

/* --- destroy ------------------------------------------------------------------ */

/*
 * Every slot unbound first, so that no device of a namespace that outlives
 * its name (held by a VMM still running there) sends or receives anything;
 * then the names go, and with them the namespaces. The kernel removes their
 * devices in the background, all namespaces in one batch: deleting them one
 * namespace at a time cost some 30 ms a slot.
 */
int lb_slotns_remove(struct latebind_pool *p)
{
	int err = 0;

	if (!lb_slotns(p))
		return 0;
	for (uint32_t s = 0; s < p->info.count; s++)
		__atomic_store_n(&p->egress[s].binding, 0, __ATOMIC_RELEASE);
	for (uint32_t s = 0; s < p->info.count && !err; s++) {
		char path[64];

		slot_path(&p->slots, s, path, sizeof(path));
		if (umount2(path, MNT_DETACH) && errno != EINVAL && errno != ENOENT)
			err = lb_err(-errno, "cannot unmount %s: %s", path, strerror(errno));
		else if (unlink(path) && errno != ENOENT)
			err = lb_err(-errno, "cannot remove %s: %s", path, strerror(errno));
	}
	return err;
}
