// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The pin layout, the locks, and gc. A datapath (and its pool) lives in
 *
 *   /sys/fs/bpf/latebind/<netns cookie>/<ifindex>/
 *       the maps of lb_maps[] (lb_pool with a pool, lb_slots with taps: lib/pool.c)
 *       prog_egress prog_ingress prog_tun_egress prog_tun_ingress
 *       prog_tap_ingress prog_tap_egress
 *       link_egress link_ingress        (tcx mode only)
 *
 * The netns cookie keeps two namespaces' devices of the same name apart.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/membarrier.h>
#include <bpf/bpf.h>
#include "internal.h"

/* The maps a pool pins, in one list (enum lb_map): attach pins the datapath's, a
 * handle opens them all, lb_remove_pins() unlinks them. */
const char *const lb_map_names[LB_MAP_COUNT] = {
	[LB_MAP_CONFIG] = "lb_config",
	[LB_MAP_EGRESS] = "lb_egress_bind",
	[LB_MAP_INGRESS] = "lb_ingress_tab",
	[LB_MAP_TUN_STATS] = "lb_tun_stats",
	[LB_MAP_DROPS] = "lb_drop_stats",
	[LB_MAP_TUN_SLOT] = "lb_tun_slot",
	[LB_MAP_SLOT_TAP] = "lb_slot_tap",
	[LB_MAP_TAP_SLOT] = "lb_tap_slot",
	[LB_MAP_POOL] = "lb_pool",
	[LB_MAP_SLOTS] = "lb_slots",
	[LB_MAP_LOCK] = "lb_pool_lock",
};

/* The programs, pinned under their pin names (enum lb_prog). */
const struct lb_prog_pin lb_progs[LB_PROG_COUNT] = {
	[LB_PROG_EGRESS] = { "prog_egress", "lb_egress" },
	[LB_PROG_INGRESS] = { "prog_ingress", "lb_ingress" },
	[LB_PROG_TUN_EGRESS] = { "prog_tun_egress", "lb_tun_egress" },
	[LB_PROG_TUN_INGRESS] = { "prog_tun_ingress", "lb_tun_ingress" },
	[LB_PROG_TAP_INGRESS] = { "prog_tap_ingress", "lb_tap_ingress" },
	[LB_PROG_TAP_EGRESS] = { "prog_tap_egress", "lb_tap_egress" },
};

static const char *const link_pins[] = { "link_egress", "link_ingress" };

/*
 * Our root: made 0700 by us, and used only while it is a directory owned by
 * us that nobody else can open. Anyone who can open it can hold its lock,
 * and anyone who can write it can plant pins.
 */
static int check_pin_root(void)
{
	struct stat st;

	if (mkdir(LB_PIN_ROOT, 0700) && errno != EEXIST)
		return lb_err(-errno, "cannot create %s: %s", LB_PIN_ROOT, strerror(errno));
	if (lstat(LB_PIN_ROOT, &st))
		return lb_err(-errno, "cannot stat %s: %s", LB_PIN_ROOT, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return lb_err(-ENOTDIR, "%s is not a directory: latebind will not use it",
			      LB_PIN_ROOT);
	if (st.st_uid != geteuid() || (st.st_mode & 077))
		return lb_err(-EPERM, "%s is owned by uid %u with mode %04o: latebind uses it only "
			      "when it is owned by uid %u with mode 0700 (no access for others)",
			      LB_PIN_ROOT, st.st_uid, st.st_mode & 07777, geteuid());
	return 0;
}

/* Mount bpffs when nobody has, as bpftool and iproute2 do; then check our root. */
int lb_ensure_bpffs(void)
{
	struct statfs st;

	if ((statfs(LB_BPFFS, &st) || st.f_type != BPF_FS_MAGIC) &&
	    mount("bpf", LB_BPFFS, "bpf", 0, "mode=0700"))
		return lb_err(-errno, "cannot mount bpffs on %s: %s", LB_BPFFS, strerror(errno));
	return check_pin_root();
}

static unsigned int pools_timeout_ms = LB_POOL_LOCK_TIMEOUT_MS;
static unsigned int binds_timeout_ms = LB_BIND_LOCK_TIMEOUT_MS;

LATEBIND_API void latebind_set_lock_timeout(unsigned int pools_ms, unsigned int binds_ms)
{
	if (pools_ms)
		__atomic_store_n(&pools_timeout_ms, pools_ms, __ATOMIC_RELAXED);
	if (binds_ms)
		__atomic_store_n(&binds_timeout_ms, binds_ms, __ATOMIC_RELAXED);
}

unsigned int lb_bind_lock_timeout(void)
{
	return __atomic_load_n(&binds_timeout_ms, __ATOMIC_RELAXED);
}

/* The pid holding a flock on @fd's file, from /proc/locks; 0 if unknown. */
static long lock_holder(int fd)
{
	char line[256], dev[64];
	struct stat st;
	long pid = 0;
	FILE *f;

	if (fstat(fd, &st) || !(f = fopen("/proc/locks", "re")))
		return 0;
	snprintf(dev, sizeof(dev), "%02x:%02x:%llu", major(st.st_dev), minor(st.st_dev),
		 (unsigned long long)st.st_ino);
	while (!pid && fgets(line, sizeof(line), f)) {
		char type[16], id[64];
		long p;

		if (sscanf(line, "%*s %15s %*s %*s %ld %63s", type, &p, id) == 3 &&
		    !strcmp(type, "FLOCK") && !strcmp(id, dev))
			pid = p;
	}
	fclose(f);
	return pid;
}

/* Is @a at or past @b? */
static bool ts_reached(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec >= b->tv_nsec);
}

/*
 * An exclusive flock on @fd, waiting at most @timeout_ms (-ETIMEDOUT naming
 * @what). Uncontended, it costs the flock alone: the clock is read, and the
 * deadline set, only once someone else holds it.
 */
static int flock_timed(int fd, unsigned int timeout_ms, const char *what)
{
	struct timespec now, end, nap = { 0, 20000 };
	bool waiting = false;
	long pid;

	while (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return lb_err(-errno, "cannot lock %s: %s", what, strerror(errno));
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!waiting) {
			waiting = true;
			end = now;
			end.tv_sec += timeout_ms / 1000;
			end.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
			if (end.tv_nsec >= 1000000000) {
				end.tv_sec++;
				end.tv_nsec -= 1000000000;
			}
		} else if (ts_reached(&now, &end)) {
			pid = lock_holder(fd);
			if (pid)
				return lb_err(-ETIMEDOUT, "gave up waiting for %s after %u ms: "
					      "process %ld holds it", what, timeout_ms, pid);
			return lb_err(-ETIMEDOUT, "gave up waiting for %s after %u ms: another "
				      "process holds it", what, timeout_ms);
		}
		nanosleep(&nap, NULL);
		/* back off, doubling, up to 10 ms */
		nap.tv_nsec = nap.tv_nsec * 2 > 10000000 ? 10000000 : nap.tv_nsec * 2;
	}
	return 0;
}

int lb_netns_cookie(uint64_t *cookie)
{
	socklen_t len = sizeof(*cookie);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int err = 0;

	if (fd < 0)
		return lb_err(-errno, "socket: %s", strerror(errno));
	/*
	 * Linux 5.14 added SO_NETNS_COOKIE. Before it no identity of a network
	 * namespace is safe to key pins by: nsfs inode numbers are reused once
	 * a namespace is gone, and cls_bpf pins outlive their namespace, so a
	 * new namespace could find (and bind through) a dead one's maps.
	 */
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len))
		err = errno == ENOPROTOOPT
			      ? lb_err(-EOPNOTSUPP, "this kernel has no network namespace cookies "
				       "(SO_NETNS_COOKIE, Linux 5.14 or later), which key "
				       "latebind's pins")
			      : lb_err(-errno, "cannot read the network namespace cookie: %s",
				       strerror(errno));
	close(fd);
	return err;
}

int lb_resolve_dev(const char *ifname, unsigned int *ifindex)
{
	if (strlen(ifname) >= IF_NAMESIZE)
		return lb_err(-EINVAL, "device name \"%s\" is too long", ifname);
	*ifindex = if_nametoindex(ifname);
	if (!*ifindex)
		return lb_err(-ENODEV, "no device \"%s\" in this network namespace", ifname);
	return 0;
}

int lb_pin_dir_of(unsigned int ifindex, char *buf, size_t size)
{
	uint64_t cookie;
	int err = lb_netns_cookie(&cookie);

	if (err)
		return err;
	if ((size_t)snprintf(buf, size, LB_PIN_ROOT "/%llu/%u", (unsigned long long)cookie,
			     ifindex) >= size)
		return lb_err(-ENAMETOOLONG, "pin path too long");
	return 0;
}

/* Resolve @ifname, make sure bpffs is there, and name its pin directory. */
int lb_locate(const char *ifname, unsigned int *ifindex, char *dir, size_t size)
{
	int err = lb_resolve_dev(ifname, ifindex);

	if (!err)
		err = lb_ensure_bpffs();
	if (!err)
		err = lb_pin_dir_of(*ifindex, dir, size);
	return err;
}

LATEBIND_API int latebind_datapath_pin_dir(const char *ifname, char *buf, size_t size)
{
	unsigned int ifindex;
	int err = lb_resolve_dev(ifname, &ifindex);

	return err ? err : lb_pin_dir_of(ifindex, buf, size);
}

/*
 * Create @dir's parents as needed, then @dir itself exclusively: of two
 * concurrent attaches, exactly one gets the directory (-EEXIST for the other).
 */
int lb_mkdir_claim(const char *dir)
{
	char tmp[LB_PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir(tmp, 0700) ? -errno : 0;
}

/*
 * Tell open handles the pool is gone: every slot's ifindex in the egress
 * records becomes 0 (handle.c checks it under the pool's lock).
 */
static void forget_devices(const char *dir)
{
	char path[LB_PATH_MAX + 32];
	struct lb_config cfg;
	uint32_t zero = 0, n;
	int cfd, efd;
	void *m;

	snprintf(path, sizeof(path), "%s/lb_config", dir);
	cfd = bpf_obj_get(path);
	snprintf(path, sizeof(path), "%s/lb_egress_bind", dir);
	efd = bpf_obj_get(path);
	if (cfd >= 0 && efd >= 0 && !bpf_map_lookup_elem(cfd, &zero, &cfg) &&
	    cfg.dummy_min <= cfg.dummy_max && cfg.dummy_max - cfg.dummy_min < LB_DUMMY_RANGE_MAX) {
		n = cfg.dummy_max - cfg.dummy_min + 1;
		m = mmap(NULL, n * sizeof(struct lb_egress_val), PROT_READ | PROT_WRITE, MAP_SHARED,
			 efd, 0);
		if (m != MAP_FAILED) {
			struct lb_egress_val *rec = m;

			for (uint32_t i = 0; i < n; i++)
				__atomic_store_n(&rec[i].ifindex, 0, __ATOMIC_RELEASE);
			munmap(m, n * sizeof(struct lb_egress_val));
		}
	}
	if (cfd >= 0)
		close(cfd);
	if (efd >= 0)
		close(efd);
}

static void unpin(const char *dir, const char *name)
{
	char path[LB_PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

/*
 * Remove what a pin directory holds, the directory, and empty parents (our
 * root stays). The order makes a removal killed half-way resumable: lb_pool
 * goes first (the pool is gone), lb_config last (while it stays, its flags
 * say whose datapath this was: unfinished_pins() in pool.c).
 */
void lb_remove_pins(const char *dir)
{
	char path[LB_PATH_MAX], *slash;

	forget_devices(dir);

	unpin(dir, lb_map_names[LB_MAP_POOL]);
	for (size_t i = 0; i < sizeof(link_pins) / sizeof(link_pins[0]); i++)
		unpin(dir, link_pins[i]);
	for (int i = 0; i < LB_PROG_COUNT; i++)
		unpin(dir, lb_progs[i].pin);
	for (int i = 0; i < LB_MAP_COUNT; i++)
		if (i != LB_MAP_POOL && i != LB_MAP_CONFIG)
			unpin(dir, lb_map_names[i]);
	unpin(dir, lb_map_names[LB_MAP_CONFIG]);
	snprintf(path, sizeof(path), "%s", dir);
	while (strcmp(path, LB_PIN_ROOT) && !rmdir(path) && (slash = strrchr(path, '/')))
		*slash = 0;
}

int lb_pin_fd(int fd, const char *dir, const char *name)
{
	char path[LB_PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (bpf_obj_pin(fd, path))
		return lb_err(-errno, "cannot pin %s: %s", path, strerror(errno));
	return 0;
}


/* Is the tcx link pinned as @path defunct? The kernel reports ifindex 0 once its device is gone. */
static bool tcx_link_defunct(const char *path)
{
	struct bpf_link_info info;
	uint32_t len = sizeof(info);
	int fd = bpf_obj_get(path);
	bool dead = false;

	if (fd < 0)
		return false;
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_LINK_TYPE_TCX)
		dead = info.tcx.ifindex == 0;
	close(fd);
	return dead;
}

/* A cls_bpf datapath of a namespace that we found no trace of. */
struct suspect {
	char dir[600];
	uint32_t id[2]; /* its programs' (probed[]), 0 if not pinned */
	bool live[2];   /* still there after the wait */
	bool keep;
};

static const enum lb_prog probed[2] = { LB_PROG_EGRESS, LB_PROG_INGRESS };

/* Does program @id still exist? Any doubt says yes. */
static bool prog_exists(uint32_t id)
{
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd < 0)
		return errno != ENOENT;
	close(fd);
	return true;
}

/*
 * The last look before removing a suspect's pins. Nothing outside its
 * namespace shows that a cls_bpf filter runs a program, but the kernel frees
 * a program with its last reference: unpin both, and one that lives on is
 * held by a filter (its namespace lives, seen or not) or by a process. Pin
 * those back, and keep the directory.
 */
static void probe(struct suspect *s, size_t n)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	char path[sizeof(s->dir) + 32];
	bool waiting = true;
	size_t i, j;

	if (!n)
		return; /* no grace period to wait for */
	for (i = 0; i < n; i++)
		for (j = 0; j < 2; j++) {
			int err = lb_pinned_prog_id(s[i].dir, lb_progs[probed[j]].pin, &s[i].id[j]);

			if (err == -ENOENT) {
				s[i].id[j] = 0;
			} else if (err) {
				lb_debug("gc: keeping %s: cannot read %s: %s", s[i].dir,
					 lb_progs[probed[j]].pin, strerror(-err));
				s[i].keep = true;
			}
		}
	for (i = 0; i < n; i++)
		for (j = 0; j < 2 && !s[i].keep; j++) {
			snprintf(path, sizeof(path), "%s/%s", s[i].dir, lb_progs[probed[j]].pin);
			if (s[i].id[j])
				unlink(path);
		}
	/* bpffs frees an inode, and so lets go of its program, an RCU grace
	 * period after the unlink: wait for one, then up to half a second. */
	syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
	for (int tries = 0; tries < 50 && waiting; tries++) {
		if (tries)
			nanosleep(&nap, NULL);
		waiting = false;
		for (i = 0; i < n; i++)
			for (j = 0; j < 2; j++) {
				s[i].live[j] = !s[i].keep && s[i].id[j] && prog_exists(s[i].id[j]);
				waiting |= s[i].live[j];
			}
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < 2; j++) {
			int fd = s[i].live[j] ? bpf_prog_get_fd_by_id(s[i].id[j]) : -1;

			s[i].live[j] = fd >= 0;
			if (fd < 0)
				continue;
			s[i].keep = true;
			lb_pin_fd(fd, s[i].dir, lb_progs[probed[j]].pin);
			close(fd);
		}
		if (!s[i].live[0] && !s[i].live[1])
			continue;
		lb_debug("gc: keeping %s: its programs are still held (by a namespace that gc "
			 "cannot see, or one still being torn down)", s[i].dir);
		for (j = 0; j < 2; j++)
			if (s[i].id[j] && !s[i].live[j])
				lb_info("gc: %s: %s ran nowhere and was freed, its pin is gone",
					s[i].dir, lb_progs[probed[j]].prog);
	}
}

/*
 * Pins whose datapath is gone: in any namespace, a tcx datapath whose links
 * are defunct (the device, or its whole namespace, was deleted without a
 * detach); in this namespace, any datapath whose underlay no longer exists;
 * elsewhere, a cls_bpf datapath whose namespace no longer exists (lib/netns.c
 * tells the live ones) and whose programs nothing holds (probe()).
 */
LATEBIND_API int latebind_gc(unsigned int *removed)
{
	char path[300], dir[600];
	struct lb_live_netns live = { 0 };
	struct suspect *sus = NULL;
	size_t nsus = 0;
	uint64_t cookie;
	struct dirent *nd, *dd;
	DIR *root, *ns;
	int lock, err, live_err = 1;
	unsigned int undecided = 0;

	*removed = 0;
	err = lb_netns_cookie(&cookie);
	if (!err)
		err = lb_lock_pools(&lock);
	if (err)
		return err;
	root = opendir(LB_PIN_ROOT);
	while (root && (nd = readdir(root))) {
		char *end;
		unsigned long long c = strtoull(nd->d_name, &end, 10);

		if (*end || nd->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), LB_PIN_ROOT "/%s", nd->d_name);
		ns = opendir(path);
		while (ns && (dd = readdir(ns))) {
			char name[IF_NAMESIZE], link[sizeof(dir) + 16];
			unsigned long ifindex = strtoul(dd->d_name, &end, 10);
			bool dead;

			if (*end || dd->d_name[0] == '.')
				continue;
			snprintf(dir, sizeof(dir), "%s/%s", path, dd->d_name);
			snprintf(link, sizeof(link), "%s/link_ingress", dir);
			dead = tcx_link_defunct(link);
			if (!dead && c == cookie && !if_indextoname((unsigned int)ifindex, name))
				dead = true;
			if (dead) {
				lb_info("removing the pins of a deleted datapath: %s", dir);
				lb_remove_pins(dir);
				/* In this namespace its input guard is ours to remove too
				 * (elsewhere it went with the namespace, or waits for a gc
				 * run there). */
				if (c == cookie)
					lb_nft_guard_del((unsigned int)ifindex);
				(*removed)++;
				continue;
			}
			/* Tcx links tell for themselves (above), once defunct. */
			if (c == cookie || !access(link, F_OK))
				continue;
			if (live_err > 0)
				live_err = lb_live_netns(&live);
			if (!live_err && lb_netns_is_live(&live, c))
				continue;
			if (live_err || !live.complete) {
				lb_debug("gc: keeping %s: its network namespace may live unseen", dir);
				undecided++;
				continue;
			}
			if (!(nsus & (nsus + 1))) { /* 0, 1, 3, 7...: grow */
				struct suspect *t = realloc(sus, (2 * nsus + 1) * sizeof(*t));

				if (!t)
					continue;
				sus = t;
			}
			memset(&sus[nsus], 0, sizeof(sus[nsus]));
			snprintf(sus[nsus++].dir, sizeof(sus[0].dir), "%s", dir);
		}
		if (ns)
			closedir(ns);
	}
	if (root)
		closedir(root);
	probe(sus, nsus);
	for (size_t i = 0; i < nsus; i++) {
		if (sus[i].keep)
			continue;
		lb_info("removing the pins of a datapath whose network namespace is gone: %s",
			sus[i].dir);
		lb_remove_pins(sus[i].dir);
		(*removed)++;
	}
	if (undecided)
		lb_log(LATEBIND_LOG_WARN, "gc: kept %u cls_bpf datapath(s) of other network "
		       "namespaces: cannot tell whether those live (%s; -v says more)", undecided,
		       live_err ? strerror(-live_err) : live.why);
	free(sus);
	lb_live_netns_free(&live);
	lb_unlock(lock);
	return 0;
}

/*
 * Pool changes (attach, detach, pool create and destroy, gc) hold an
 * exclusive flock on our root: it is never removed, only its owner can open
 * it, and a lock dies with its holder, so a killed process never leaves one.
 */
int lb_lock_pools(int *fd)
{
	int err = lb_ensure_bpffs();

	if (err)
		return err;
	*fd = open(LB_PIN_ROOT, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0)
		return lb_err(-errno, "cannot open %s: %s", LB_PIN_ROOT, strerror(errno));
	err = flock_timed(*fd, __atomic_load_n(&pools_timeout_ms, __ATOMIC_RELAXED), "the pools' lock (" LB_PIN_ROOT ")");
	if (err)
		close(*fd);
	return err;
}

void lb_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* closing the last reference releases the flock */
}

enum latebind_attach_mode lb_datapath_mode(const char *dir)
{
	char path[LB_PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/link_ingress", dir);
	return access(path, F_OK) ? LATEBIND_ATTACH_CLS_BPF : LATEBIND_ATTACH_TCX;
}
