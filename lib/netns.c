// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The live network namespaces, by cookie, for gc: a pin directory whose
 * cookie none of them has belongs to a namespace that is gone. A namespace
 * lives while something holds it; what we can see of the holders:
 *
 *   the current namespace
 *   every task's                  /proc/PID/task/TID/ns/net
 *   every open nsfs file          /proc/PID/task/TID/fd/N -> "net:[INO]", or
 *                                 a path when opened through a bind mount
 *   every nsfs bind mount         the mountinfo of each mount namespace a
 *                                 task is in (iproute2's /run/netns/NAME)
 *
 * Holders are deduplicated by the nsfs inode; each new namespace is entered
 * once, in a short-lived thread, for a socket's SO_NETNS_COOKIE. The scan
 * is "complete" only when nothing it could not read may have hidden a
 * namespace; gc collects by this rule only after a complete scan.
 */
#define _GNU_SOURCE /* setns */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/kcmp.h>
#include <linux/nsfs.h>
#include "internal.h"

/* The initial namespaces' fixed inode numbers (include/linux/proc_ns.h). */
#define INIT_PID_NS "pid:[4026531836]"
#define INIT_USER_NS "user:[4026531837]"
/* Namespaces entered per helper thread; each holds an fd meanwhile. */
#define BATCH 64

/* A set of inode numbers: open addressing, 0 for empty (no nsfs inode is 0). */
struct ino_set {
	uint64_t *v;
	size_t n, cap;
};

struct scan {
	struct ino_set net;  /* namespaces entered, or being entered */
	struct ino_set mnt;  /* mount namespaces whose mountinfo was read whole */
	struct ino_set mref; /* mount namespaces held by an fd or a mount */
	dev_t nsfs;
	int fd[BATCH];       /* namespaces to enter, and what names them */
	char what[BATCH][80];
	size_t nfd;
	struct lb_live_netns *live;
	int err;             /* -ENOMEM, or a helper thread that did not start */
};

static int ino_add(struct ino_set *s, uint64_t ino)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap) {
		struct ino_set t = { .cap = s->cap ? 2 * s->cap : 64 };

		t.v = calloc(t.cap, sizeof(*t.v));
		if (!t.v)
			return -ENOMEM;
		for (i = 0; i < s->cap; i++)
			if (s->v[i])
				ino_add(&t, s->v[i]);
		free(s->v);
		*s = t;
	}
	for (i = ino % s->cap; s->v[i]; i = (i + 1) % s->cap)
		if (s->v[i] == ino)
			return 0;
	s->v[i] = ino;
	s->n++;
	return 1;
}

static bool ino_has(const struct ino_set *s, uint64_t ino)
{
	for (size_t i = s->cap ? ino % s->cap : 0; s->cap && s->v[i]; i = (i + 1) % s->cap)
		if (s->v[i] == ino)
			return true;
	return false;
}

/* Something that may hide a live namespace: the scan is not complete. */
static void blind(struct scan *s, const char *what, int err)
{
	lb_debug("gc: a live network namespace may hide behind %s: %s", what, strerror(-err));
	if (s->live->complete)
		snprintf(s->live->why, sizeof(s->live->why), "%s: %s", what, strerror(-err));
	s->live->complete = false;
}

/* A task's entry gone with its task is no blind spot; any other failure is one. */
static bool gone(int err)
{
	return err == -ENOENT || err == -ESRCH;
}

/* Open a /proc directory of a task; NULL if it went away, or (blind) can't be read. */
static DIR *open_task_dir(struct scan *s, const char *path)
{
	DIR *dir = opendir(path);

	if (!dir && !gone(-errno))
		blind(s, path, -errno);
	return dir;
}

static int live_add(struct lb_live_netns *live, uint64_t cookie)
{
	if (live->n == live->cap) {
		size_t cap = live->cap ? 2 * live->cap : 16;
		uint64_t *c = realloc(live->cookies, cap * sizeof(*c));

		if (!c)
			return -ENOMEM;
		live->cookies = c;
		live->cap = cap;
	}
	live->cookies[live->n++] = cookie;
	return 0;
}

struct cookie_job {
	const int *fd;
	size_t n;
	uint64_t cookie[BATCH];
	int err[BATCH];
};

/*
 * The helper thread: setns() moves only the calling thread, so the caller's
 * threads stay where they are. No locks, no logging, no allocation here.
 */
static void *cookie_thread(void *arg)
{
	struct cookie_job *job = arg;

	for (size_t i = 0; i < job->n; i++) {
		socklen_t len = sizeof(job->cookie[i]);
		int sk;

		job->err[i] = 0;
		if (setns(job->fd[i], CLONE_NEWNET)) {
			job->err[i] = -errno;
			continue;
		}
		sk = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (sk < 0 || getsockopt(sk, SOL_SOCKET, SO_NETNS_COOKIE, &job->cookie[i], &len))
			job->err[i] = -errno;
		if (sk >= 0)
			close(sk);
	}
	return NULL;
}

/* Enter the pending namespaces in one helper thread; record their cookies. */
static void flush(struct scan *s)
{
	struct cookie_job job = { .fd = s->fd, .n = s->nfd };
	sigset_t all, old;
	pthread_t t;
	int err;

	if (!s->nfd)
		return;
	/* Signals blocked: no handler of the caller's runs in another namespace. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&t, NULL, cookie_thread, &job);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!err)
		pthread_join(t, NULL);
	for (size_t i = 0; i < s->nfd; i++) {
		if (err)
			job.err[i] = err;
		if (job.err[i])
			blind(s, s->what[i], job.err[i]);
		else if (!s->err)
			s->err = live_add(s->live, job.cookie[i]);
		close(s->fd[i]);
	}
	if (err && !s->err)
		s->err = lb_err(err, "cannot start a thread: %s", strerror(-err));
	s->nfd = 0;
}

/*
 * Network namespace @ino, reached by @path: enter it unless done already.
 * @gone_ok: @path is a task's or an fd's, and may go with its holder.
 */
static void found(struct scan *s, uint64_t ino, const char *path, bool gone_ok)
{
	struct stat st;
	int fd, err;

	if (ino_has(&s->net, ino))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		/* Its holder went away: another one, if any, is yet to be seen. */
		if (!gone_ok || !gone(-errno))
			blind(s, path, -errno);
		return;
	}
	if (fstat(fd, &st) || st.st_dev != s->nsfs || st.st_ino != ino) {
		blind(s, path, -ESTALE); /* replaced since it was read */
		close(fd);
		return;
	}
	err = ino_add(&s->net, ino);
	if (err < 0) {
		s->err = err;
		close(fd);
		return;
	}
	s->fd[s->nfd] = fd;
	snprintf(s->what[s->nfd], sizeof(s->what[0]), "%s", path);
	if (++s->nfd == BATCH)
		flush(s);
}

/* "net:[INO]" and the like: the inode, if @link is of @type. */
static bool ns_link(const char *link, const char *type, uint64_t *ino)
{
	size_t len = strlen(type);
	char *end;

	if (strncmp(link, type, len) || strncmp(link + len, ":[", 2))
		return false;
	*ino = strtoull(link + len + 2, &end, 10);
	return *ino && !strcmp(end, "]");
}

/* readlink @path into @buf; 0, -ENOENT quietly for a task or fd gone, or -errno. */
static int read_link(const char *path, char *buf, size_t size)
{
	ssize_t n = readlink(path, buf, size - 1);

	if (n < 0)
		return errno == ESRCH ? -ENOENT : -errno;
	buf[n] = 0;
	return 0;
}

/* Undo mountinfo's octal escapes (\040 for a space...) in place. */
static void unescape(char *p)
{
	char *o = p;

	for (; *p; p++, o++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			*o = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else {
			*o = *p;
		}
	}
	*o = 0;
}

/* The nsfs mounts of a mount namespace, from @task's view of it; 0 if read whole. */
static int scan_mounts(struct scan *s, const char *task)
{
	char path[LB_PATH_MAX + 64], *line = NULL;
	size_t size = 0;
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/mountinfo", task);
	f = fopen(path, "re");
	if (!f) {
		err = -errno;
		if (!gone(err))
			blind(s, path, err);
		return err;
	}
	while (getline(&line, &size, f) > 0) {
		char *field[6], *save, *tok, *fstype = NULL;
		int n = 0;
		uint64_t ino;

		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE ... */
		for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
			if (n < 6)
				field[n++] = tok;
			else if (!strcmp(tok, "-")) {
				fstype = strtok_r(NULL, " \n", &save);
				break;
			}
		}
		if (n < 6 || !fstype || strcmp(fstype, "nsfs"))
			continue;
		if (ns_link(field[3], "mnt", &ino) && ino_add(&s->mref, ino) < 0)
			s->err = -ENOMEM;
		if (!ns_link(field[3], "net", &ino))
			continue;
		if (ino_has(&s->net, ino))
			continue;
		unescape(field[4]);
		/* The mount point as seen from that task's root. */
		if ((size_t)snprintf(path, sizeof(path), "%s/root%s", task, field[4]) >= sizeof(path))
			blind(s, field[4], -ENAMETOOLONG);
		else
			found(s, ino, path, false);
	}
	free(line);
	err = ferror(f) ? -EIO : 0;
	if (err) {
		snprintf(path, sizeof(path), "%s/mountinfo", task);
		blind(s, path, err);
	}
	fclose(f);
	return err;
}

/*
 * An fd whose link is a path: an nsfs file opened through a bind mount
 * shows that mount's path, and "/" once it is lazily unmounted (ip netns
 * del). Cached attributes only: a hung network filesystem must not hang gc.
 */
static void path_fd(struct scan *s, const char *path)
{
	struct statx stx;
	int fd, type;

	if (statx(AT_FDCWD, path, AT_STATX_DONT_SYNC, STATX_INO, &stx)) {
		if (errno != ENOENT)
			blind(s, path, -errno);
		return;
	}
	if (makedev(stx.stx_dev_major, stx.stx_dev_minor) != s->nsfs ||
	    ino_has(&s->net, stx.stx_ino))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			blind(s, path, -errno);
		return;
	}
	type = ioctl(fd, NS_GET_NSTYPE);
	close(fd);
	if (type == CLONE_NEWNET)
		found(s, stx.stx_ino, path, true);
	else if (type == CLONE_NEWNS && ino_add(&s->mref, stx.stx_ino) < 0)
		s->err = -ENOMEM;
	else if (type < 0)
		blind(s, path, -errno);
}

/* The nsfs files a task has open. */
static void scan_fds(struct scan *s, const char *task)
{
	char path[64 + 8 + sizeof(((struct dirent *)0)->d_name)], link[64];
	struct dirent *d;
	uint64_t ino;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/fd", task);
	dir = open_task_dir(s, path);
	if (!dir)
		return;
	while ((d = readdir(dir)) && !s->err) {
		int err;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/fd/%s", task, d->d_name);
		err = read_link(path, link, sizeof(link));
		if (err == -ENOENT)
			continue; /* closed meanwhile */
		if (err)
			blind(s, path, err);
		else if (ns_link(link, "net", &ino))
			found(s, ino, path, true);
		else if (ns_link(link, "mnt", &ino) && ino_add(&s->mref, ino) < 0)
			s->err = -ENOMEM;
		else if (link[0] == '/')
			path_fd(s, path);
	}
	closedir(dir);
}

/* One task (thread): its namespace, its mount namespace's mounts, its fds. */
static void scan_task(struct scan *s, int pid, int tid, struct ino_set *mtask)
{
	char task[64], path[96], link[64];
	uint64_t ino;
	int err;

	snprintf(task, sizeof(task), "/proc/%d/task/%d", pid, tid);
	snprintf(path, sizeof(path), "%s/ns/net", task);
	err = read_link(path, link, sizeof(link));
	if (err == -ENOENT)
		return; /* exited, or a zombie: it holds nothing */
	if (err || !ns_link(link, "net", &ino)) {
		blind(s, path, err ? err : -EINVAL);
		return;
	}
	found(s, ino, path, true);

	snprintf(path, sizeof(path), "%s/ns/mnt", task);
	err = read_link(path, link, sizeof(link));
	if (!err && ns_link(link, "mnt", &ino)) {
		/* Read once per mount namespace, once read whole. */
		if (ino_add(mtask, ino) < 0)
			s->err = -ENOMEM;
		else if (!ino_has(&s->mnt, ino) && !scan_mounts(s, task) &&
			 ino_add(&s->mnt, ino) < 0)
			s->err = -ENOMEM;
	} else if (err != -ENOENT) {
		blind(s, path, err ? err : -EINVAL);
	}

	/* Threads mostly share their leader's fd table: read each table once. */
	if (pid != tid && !syscall(SYS_kcmp, pid, tid, KCMP_FILES, 0, 0))
		return;
	scan_fds(s, task);
}

static void scan_proc(struct scan *s, struct ino_set *mtask)
{
	struct dirent *p, *t;
	char path[64];
	DIR *proc, *tasks;
	int pid;

	proc = opendir("/proc");
	if (!proc) {
		blind(s, "/proc", -errno);
		return;
	}
	while ((p = readdir(proc)) && !s->err) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		pid = atoi(p->d_name);

		snprintf(path, sizeof(path), "/proc/%d/task", pid);
		tasks = open_task_dir(s, path);
		if (!tasks)
			continue;
		while ((t = readdir(tasks)) && !s->err)
			if (t->d_name[0] != '.')
				scan_task(s, pid, atoi(t->d_name), mtask);
		closedir(tasks);
	}
	closedir(proc);
}

/* Can we see every task? The initial pid and user namespaces, CAP_SYS_PTRACE. */
static bool sees_all(struct scan *s)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct cap[2];
	char link[64];

	if (read_link("/proc/self/ns/pid", link, sizeof(link)) || strcmp(link, INIT_PID_NS) ||
	    read_link("/proc/self/ns/user", link, sizeof(link)) || strcmp(link, INIT_USER_NS)) {
		blind(s, "not in the initial pid and user namespaces", -EPERM);
		return false;
	}
	/* Without it, /proc mounted with hidepid= hides tasks without an error. */
	if (syscall(SYS_capget, &hdr, cap) || !(cap[0].effective & (1u << CAP_SYS_PTRACE))) {
		blind(s, "no CAP_SYS_PTRACE", -EPERM);
		return false;
	}
	return true;
}

int lb_live_netns(struct lb_live_netns *live)
{
	struct scan s = { .live = live };
	struct ino_set mtask = { 0 };
	uint64_t cookie;
	struct stat st;
	int err;

	memset(live, 0, sizeof(*live));
	live->complete = true;
	/* The current namespace needs no thread: its cookie is ours. */
	err = lb_netns_cookie(&cookie);
	if (!err)
		err = live_add(live, cookie);
	if (!err && stat("/proc/thread-self/ns/net", &st))
		blind(&s, "/proc/thread-self/ns/net", -errno);
	else if (!err && (err = ino_add(&s.net, st.st_ino)) > 0 && sees_all(&s)) {
		s.nsfs = st.st_dev;
		scan_proc(&s, &mtask);
		flush(&s);
		/* A mount namespace that no task is in: its mounts went unseen. */
		for (size_t i = 0; i < s.mref.cap && !s.err; i++) {
			char what[64];

			if (!s.mref.v[i] || ino_has(&mtask, s.mref.v[i]))
				continue;
			snprintf(what, sizeof(what), "mnt:[%llu], held with no task in it",
				 (unsigned long long)s.mref.v[i]);
			blind(&s, what, -ENOENT);
		}
	}
	if (err > 0)
		err = 0;
	if (!err && s.err) {
		for (size_t i = 0; i < s.nfd; i++)
			close(s.fd[i]);
		err = s.err;
	}
	free(s.net.v);
	free(s.mnt.v);
	free(s.mref.v);
	free(mtask.v);
	if (err)
		lb_live_netns_free(live);
	return err;
}

bool lb_netns_is_live(const struct lb_live_netns *live, uint64_t cookie)
{
	for (size_t i = 0; i < live->n; i++)
		if (live->cookies[i] == cookie)
			return true;
	return false;
}

void lb_live_netns_free(struct lb_live_netns *live)
{
	free(live->cookies);
	live->cookies = NULL;
	live->n = live->cap = 0;
}
