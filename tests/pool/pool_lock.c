// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The pool's writers' lock word (lib/lock.c) on a shared anonymous page, as
 * a pool's mapped lb_pool_lock: free, dead, reused-pid, live and foreign
 * holders; then acquire+release vs flock+unlock, in ns.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <latebind/abi.h>
#include <latebind/latebind.h>
#include "../lib/check.h"
#include "../../lib/internal.h"

static uint64_t start_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long t = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	for (int i = 0; i < 20 && p; i++)
		p = strchr(p + 1, ' ');
	if (p)
		sscanf(p + 1, "%llu", &t);
	return t;
}

static uint64_t my_pidns(void)
{
	struct stat st;

	return stat("/proc/self/ns/pid", &st) ? 0 : st.st_ino;
}

static uint64_t ns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

#define ROUNDS 200000
static uint64_t lat[ROUNDS];

static uint64_t p50(void)
{
	qsort(lat, ROUNDS, sizeof(lat[0]), cmp);
	return lat[ROUNDS / 2];
}

int main(void)
{
	struct lb_pool_lock *l = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint64_t me = (uint64_t)getpid() << 32 | (uint32_t)start_ticks(getpid());
	int pfd[2], err, fd;
	pid_t child;
	char c;

	if (l == MAP_FAILED)
		return 1;

	check_begin("uncontended acquire and release");
	CHECK_EQ(lb_word_lock(l, 100, "the lock"), 0, "lock");
	CHECK_EQ(l->owner, me, "owner is us");
	CHECK_EQ(l->pidns, my_pidns(), "pidns written");
	CHECK_EQ(lb_word_unlock(l, "the lock"), 0, "unlock");
	CHECK_EQ(l->owner, 0, "owner free");
	check_end();

	check_begin("a dead holder is taken over");
	child = fork();
	if (!child)
		_exit(0);
	waitpid(child, NULL, 0);
	l->owner = (uint64_t)child << 32 | 12345;
	l->pidns = my_pidns();
	CHECK_EQ(lb_word_lock(l, 2000, "the lock"), 0, "lock");
	CHECK_EQ(l->owner, me, "owner is us");
	lb_word_unlock(l, "the lock");
	check_end();

	pipe(pfd);
	child = fork();
	if (!child) {
		close(pfd[0]);
		l->owner = (uint64_t)getpid() << 32 | (uint32_t)start_ticks(getpid());
		l->pidns = my_pidns();
		write(pfd[1], "x", 1);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	read(pfd[0], &c, 1);

	check_begin("a live holder is waited for, then named");
	err = lb_word_lock(l, 200, "the lock");
	CHECK_EQ(err, -ETIMEDOUT, "times out");
	CHECK(strstr(latebind_last_error(), "process") &&
	      strtol(strstr(latebind_last_error(), "process ") + 8, NULL, 10) == child,
	      "error names the holder: %s", latebind_last_error());
	CHECK_EQ(l->owner >> 32, child, "still the child's");
	check_end();

	check_begin("a holder of another pid namespace is never taken over");
	l->pidns = my_pidns() + 1;
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	CHECK_EQ(lb_word_lock(l, 200, "the lock"), -ETIMEDOUT, "times out although dead");
	CHECK_EQ(l->owner >> 32, child, "not stolen");
	l->pidns = 0; /* not yet written: also alive */
	CHECK_EQ(lb_word_lock(l, 200, "the lock"), -ETIMEDOUT, "unwritten pidns: waits");
	check_end();

	check_begin("a reused pid (live, other start time) is taken over");
	l->owner = (uint64_t)getppid() << 32 | (uint32_t)(start_ticks(getppid()) + 1);
	l->pidns = my_pidns();
	CHECK_EQ(lb_word_lock(l, 2000, "the lock"), 0, "lock");
	CHECK_EQ(l->owner, me, "owner is us");
	lb_word_unlock(l, "the lock");
	check_end();

	check_begin("a holder that exited but is not reaped (a zombie) is taken over");
	pipe(pfd);
	child = fork();
	if (!child) {
		l->owner = (uint64_t)getpid() << 32 | (uint32_t)start_ticks(getpid());
		l->pidns = my_pidns();
		_exit(0); /* holding it */
	}
	close(pfd[1]);
	read(pfd[0], &c, 1); /* EOF: the child is gone, still unreaped */
	close(pfd[0]);
	CHECK_EQ(kill(child, 0), 0, "the zombie still answers kill(0)");
	CHECK_EQ(lb_word_lock(l, 2000, "the lock"), 0, "lock");
	CHECK_EQ(l->owner, me, "owner is us");
	lb_word_unlock(l, "the lock");
	waitpid(child, NULL, 0);
	check_end();

	check_begin("release by a non-owner leaves the owner's word");
	l->owner = 7ULL << 32 | 1;
	CHECK(lb_word_unlock(l, "the lock") < 0, "unlock fails");
	CHECK_EQ(l->owner, 7ULL << 32 | 1, "word kept");
	l->owner = 0;
	check_end();

	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t = ns_now();

		lb_word_lock(l, 100, "the lock");
		lb_word_unlock(l, "the lock");
		lat[i] = ns_now() - t;
	}
	printf("word lock+unlock: p50 %llu ns\n", (unsigned long long)p50());
	fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t = ns_now();

		flock(fd, LOCK_EX);
		flock(fd, LOCK_UN);
		lat[i] = ns_now() - t;
	}
	printf("flock+unlock:     p50 %llu ns\n", (unsigned long long)p50());
	close(fd);
	return check_summary("pool_lock");
}
