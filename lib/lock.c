// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The pool's writers' lock as a word in shared memory (struct lb_pool_lock,
 * mapped from the pool's lb_pool_lock pin). Taking it free is one CAS, no
 * syscall. A holder that died is judged from its pid and start time; when
 * we cannot judge (another pid namespace, a hidden /proc) we wait instead.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"

/* This process's identity, read once and again after fork. */
static struct {
	uint64_t owner;
	uint64_t pidns;
	bool proc_ours; /* /proc shows our pid namespace */
	bool ready;
} me;
static pthread_mutex_t me_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void forget_me(void)
{
	__atomic_store_n(&me.ready, false, __ATOMIC_RELEASE);
}

static void register_atfork(void)
{
	pthread_atfork(NULL, NULL, forget_me);
}

/*
 * Field 22 of /proc/PID/stat (start time, clock ticks), 0 if unreadable;
 * its state (field 3) in *@state if not NULL.
 */
static uint64_t start_time(long pid, char *state)
{
	char path[64], buf[1024], *p;
	unsigned long long t = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
	if (!p || p[1] != ' ')
		return 0;
	if (state)
		*state = p[2];
	/* fields 3..22 follow: skip 19 of them */
	for (int i = 0; i < 20 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &t) != 1)
		return 0;
	return t;
}

static void load_me(void)
{
	char link[32];
	struct stat st;
	pid_t pid;
	ssize_t n;

	pthread_once(&atfork_once, register_atfork);
	pthread_mutex_lock(&me_mu);
	if (!me.ready) {
		pid = getpid();
		n = readlink("/proc/self", link, sizeof(link) - 1);
		if (n > 0)
			link[n] = '\0';
		me.proc_ours = n > 0 && strtol(link, NULL, 10) == pid;
		me.pidns = stat("/proc/self/ns/pid", &st) ? 0 : st.st_ino;
		me.owner = (uint64_t)pid << 32 | (uint32_t)start_time(pid, NULL);
		__atomic_store_n(&me.ready, true, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&me_mu);
}

/*
 * Whether the holder @owner (with pid namespace @pidns) is surely dead. Any
 * doubt answers no: we cannot judge a pid of another namespace, nor one that
 * exists but whose /proc entry we cannot read.
 */
static bool holder_dead(uint64_t owner, uint64_t pidns)
{
	long pid = (long)(owner >> 32);
	char state = 0;
	uint64_t t;

	if (!pid || pid == (long)(me.owner >> 32))
		return false; /* ours: another handle of this process */
	if (!me.pidns || pidns != me.pidns || !me.proc_ours)
		return false;
	if (kill((pid_t)pid, 0) && errno == ESRCH)
		return true;
	t = start_time(pid, &state);
	if (!t)
		return false;
	if ((uint32_t)t != (uint32_t)owner)
		return true; /* the pid was reused */
	/* Exited, not yet reaped: a flock would be free by now, so is this. */
	return state == 'Z' || state == 'X';
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

static void deadline(struct timespec *end, unsigned int ms)
{
	clock_gettime(CLOCK_MONOTONIC, end);
	end->tv_sec += ms / 1000;
	end->tv_nsec += (long)(ms % 1000) * 1000000;
	if (end->tv_nsec >= 1000000000) {
		end->tv_sec++;
		end->tv_nsec -= 1000000000;
	}
}

static bool reached(const struct timespec *end)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > end->tv_sec ||
	       (now.tv_sec == end->tv_sec && now.tv_nsec >= end->tv_nsec);
}

int lb_word_lock(struct lb_pool_lock *l, unsigned int timeout_ms, const char *what)
{
	struct timespec end, nap = { 0, 20000 };
	uint64_t seen = 0, pidns;

	if (!__atomic_load_n(&me.ready, __ATOMIC_ACQUIRE))
		load_me();
	if (__atomic_compare_exchange_n(&l->owner, &seen, me.owner, false, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED))
		goto mine;
	for (int i = 0; i < 100; i++) {
		cpu_relax();
		seen = 0;
		if (__atomic_compare_exchange_n(&l->owner, &seen, me.owner, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			goto mine;
	}
	deadline(&end, timeout_ms);
	for (;;) {
		seen = __atomic_load_n(&l->owner, __ATOMIC_ACQUIRE);
		pidns = __atomic_load_n(&l->pidns, __ATOMIC_RELAXED);
		if (seen && holder_dead(seen, pidns)) {
			if (__atomic_compare_exchange_n(&l->owner, &seen, me.owner, false,
							__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
				lb_info("%s: process %llu died holding it: taken over", what,
					(unsigned long long)(seen >> 32));
				goto mine;
			}
			continue;
		}
		seen = 0;
		if (__atomic_compare_exchange_n(&l->owner, &seen, me.owner, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			goto mine;
		if (reached(&end))
			return lb_err(-ETIMEDOUT, "gave up waiting for %s after %u ms: "
				      "process %llu holds it", what, timeout_ms,
				      (unsigned long long)(seen >> 32));
		nanosleep(&nap, NULL);
		/* back off, doubling, up to 10 ms */
		nap.tv_nsec = nap.tv_nsec * 2 > 10000000 ? 10000000 : nap.tv_nsec * 2;
	}
mine:
	__atomic_store_n(&l->pidns, me.pidns, __ATOMIC_RELAXED);
	return 0;
}

int lb_word_unlock(struct lb_pool_lock *l, const char *what)
{
	uint64_t seen = me.owner;

	/* 0: "not yet written" to whoever takes it next, until it writes its own */
	__atomic_store_n(&l->pidns, 0, __ATOMIC_RELAXED);
	if (__atomic_compare_exchange_n(&l->owner, &seen, 0, false, __ATOMIC_RELEASE,
					__ATOMIC_RELAXED))
		return 0;
	return lb_err(-EPERM, "%s was taken from this process (now held by process %llu)",
		      what, (unsigned long long)(seen >> 32));
}
