// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * liblatebind as a long-running control plane embeds it: handles kept open
 * across destroy and re-create, handles shared by threads, locks held by
 * others, an unsafe bpffs root, and libbpf's print function.
 *
 *   this process, in its own network and mount namespaces:
 *     veth ulh <-> ulp, a private bpffs on /sys/fs/bpf
 *     pool on ulh: vxlan, remote 10.20.0.2, COUNT tunnels lbh0..
 *
 * Runs as root; real pools, real maps, no traffic.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <latebind/latebind.h>
#include <latebind/bench.h>
#include <latebind/abi.h>
#include "check.h"
#include "itab.h"

#define TAB(p) latebind_pool_map_fd(p, "lb_ingress_tab")
#define CFG(p) latebind_pool_map_fd(p, "lb_config")

#define COUNT 8
#define UL "ulh"
#define ROOT "/sys/fs/bpf/latebind"

static struct latebind_pool_spec spec;

static void quiet(enum latebind_log_level level, const char *msg, void *ctx) {}

static int sh(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* A fresh network namespace and a private bpffs: nothing here is seen outside. */
static int sandbox(void)
{
	if (unshare(CLONE_NEWNET | CLONE_NEWNS)) {
		perror("unshare");
		return -1;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
		perror("mount");
		return -1;
	}
	return sh("ip link set lo up && ip link add " UL " type veth peer name ulp && "
		  "ip link set " UL " up && ip link set ulp up && "
		  "ip addr add 10.20.0.1/24 dev " UL);
}

static struct latebind_pool *open_pool(void)
{
	struct latebind_pool *p = NULL;

	if (latebind_pool_open(UL, &p))
		fprintf(stderr, "pool_handle: open: %s\n", latebind_last_error());
	return p;
}

static uint32_t word(struct latebind_pool *p, uint32_t slot)
{
	return latebind_binding_word(p, slot);
}

static unsigned int ingress_entries(struct latebind_pool *p)
{
	int n = itab_count(TAB(p));

	return n < 0 ? 0 : (unsigned int)n;
}

static bool has(const char *s, const char *sub)
{
	return strstr(s, sub) != NULL;
}

/* --- stale handles ---------------------------------------------------------- */

static void test_stale_after_destroy(void)
{
	struct latebind_pool *old, *fresh;
	bool created;

	check_begin("a handle kept across destroy: -ESTALE, nothing written");
	CHECK_EQ(latebind_pool_create(&spec, &created), 0, "pool create");
	old = open_pool();
	if (!CHECK(old, "open"))
		goto out;
	CHECK_EQ(latebind_bind(old, 1, 100, NULL), 0, "control: bind on the live pool");
	CHECK_EQ(latebind_unbind(old, 1), 0, "control: unbind on the live pool");
	CHECK_EQ(latebind_pool_destroy(UL), 0, "pool destroy");
	CHECK_EQ(latebind_bind(old, 2, 200, NULL), -ESTALE, "bind after destroy");
	CHECK(has(latebind_last_error(), "destroyed"), "message: %s", latebind_last_error());
	CHECK_EQ(word(old, 2), 0, "the orphaned record is untouched");
	CHECK_EQ(ingress_entries(old), 0, "no ingress entry written");
	CHECK_EQ(latebind_unbind(old, 2), -ESTALE, "unbind after destroy");
	{
		uint32_t w = 0;

		CHECK_EQ(latebind_bind_if(old, 2, &w, 200), -ESTALE, "bind_if after destroy");
	}

	/* Destroyed and created again: the old handle must not write the new pool. */
	CHECK_EQ(latebind_pool_create(&spec, &created), 0, "pool create again");
	CHECK_EQ(latebind_bind(old, 3, 300, NULL), -ESTALE, "bind with the handle of the first pool");
	fresh = open_pool();
	if (CHECK(fresh, "open the new pool")) {
		CHECK_EQ(word(fresh, 3), 0, "the new pool's slot 3 is unbound");
		CHECK_EQ(ingress_entries(fresh), 0, "the new pool has no ingress entry");
		CHECK_EQ(latebind_bind(fresh, 3, 300, NULL), 0, "control: a new handle binds");
		latebind_pool_close(fresh);
	}
	latebind_pool_close(old);
out:
	latebind_pool_destroy(UL);
	check_end();
}

/* --- threads ------------------------------------------------------------------ */

#define THREADS 4
#define ROUNDS 3000
#define VNIS 3 /* few keys, no MAC: binds collide on purpose */

struct worker {
	struct latebind_pool *p;
	unsigned int seed;
	int errors; /* results other than 0 and -EADDRINUSE */
};

static void *hammer(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < ROUNDS; i++) {
		uint32_t slot = rand_r(&w->seed) % COUNT, vni = 100 + rand_r(&w->seed) % VNIS;
		int err = rand_r(&w->seed) % 3 ? latebind_bind(w->p, slot, vni, NULL)
					       : latebind_unbind(w->p, slot);

		if (err && err != -EADDRINUSE)
			w->errors++;
	}
	return NULL;
}

/* Every bound slot owns its key, and no two bound slots share one. */
static void check_invariants(struct latebind_pool *p)
{
	uint32_t base = LB_VNI_MAX + 1 - COUNT, owner[VNIS];
	unsigned int bound = 0, doubles = 0, orphans = 0;

	memset(owner, 0xff, sizeof(owner));
	for (uint32_t s = 0; s < COUNT; s++) {
		uint32_t w = word(p, s), vni = w & 0xffffff;
		struct lb_ingress_key k = { .vni = vni, .family = LB_AF_INET };
		struct lb_ingress_ent e;

		if (!(w & LB_EGRESS_BOUND))
			continue;
		bound++;
		if (vni < 100 || vni >= 100 + VNIS)
			continue;
		if (owner[vni - 100] != 0xffffffff)
			doubles++;
		owner[vni - 100] = s;
		memcpy(k.remote, spec.remote.bytes, 4);
		if (itab_find(TAB(p), CFG(p), &k, &e) < 0 || e.dummy_vni != base + s)
			orphans++;
	}
	CHECK(bound > 0, "some slots ended bound (%u)", bound);
	CHECK_EQ(doubles, 0, "keys committed to two tunnels");
	CHECK_EQ(orphans, 0, "bound tunnels whose ingress entry is not theirs");
}

static void run_workers(struct latebind_pool **handles, int nhandles)
{
	struct worker w[THREADS];
	pthread_t t[THREADS];
	int errors = 0;

	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .p = handles[i % nhandles], .seed = 7 + i };
		pthread_create(&t[i], NULL, hammer, &w[i]);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		errors += w[i].errors;
	}
	CHECK_EQ(errors, 0, "calls that failed other than with -EADDRINUSE");
	check_invariants(handles[0]);
}

static void test_threads(int nhandles)
{
	struct latebind_pool *h[THREADS] = { 0 };
	bool created;

	check_begin("%d threads binding and unbinding through %d handle%s", THREADS, nhandles,
		    nhandles > 1 ? "s" : "");
	CHECK_EQ(latebind_pool_create(&spec, &created), 0, "pool create");
	for (int i = 0; i < nhandles; i++)
		h[i] = open_pool();
	if (CHECK(h[nhandles - 1], "open"))
		run_workers(h, nhandles);
	for (int i = 0; i < nhandles; i++)
		latebind_pool_close(h[i]);
	latebind_pool_destroy(UL);
	check_end();
}

/* --- locks held by someone else -------------------------------------------------- */

/* A child that holds an flock on @path until killed. */
static pid_t hold_lock(const char *path)
{
	int ready[2];
	pid_t pid;
	char c;

	if (pipe(ready))
		return -1;
	pid = fork();
	if (pid == 0) {
		char pin[512];
		int fd;

		/* a pool's lock is its lb_pool_lock word; the root's is a flock */
		snprintf(pin, sizeof(pin), "%s/lb_pool_lock", path);
		fd = bpf_obj_get(pin);
		if (fd >= 0) {
			struct lb_pool_lock *l = mmap(NULL, sizeof(*l), PROT_READ | PROT_WRITE,
						      MAP_SHARED, fd, 0);
			unsigned long long t = 0;
			char buf[1024] = "", *f;
			struct stat st;
			FILE *sf = fopen("/proc/self/stat", "r");

			if (sf) {
				buf[fread(buf, 1, sizeof(buf) - 1, sf)] = '\0';
				fclose(sf);
			}
			f = strrchr(buf, ')'); /* field 22: start time */
			for (int i = 0; i < 20 && f; i++)
				f = strchr(f + 1, ' ');
			if (f)
				sscanf(f + 1, "%llu", &t);
			stat("/proc/self/ns/pid", &st);
			l->owner = (uint64_t)getpid() << 32 | (uint32_t)t;
			l->pidns = st.st_ino;
		} else {
			fd = open(path, O_RDONLY | O_DIRECTORY);
			flock(fd, LOCK_EX);
		}
		write(ready[1], "x", 1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	read(ready[0], &c, 1);
	close(ready[0]);
	return pid;
}

static void release(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_lock_timeouts(void)
{
	struct latebind_pool *p;
	char dir[256], pidstr[32];
	bool created;
	pid_t holder;

	check_begin("locks held by another process: bounded waits, the holder named");
	latebind_set_lock_timeout(400, 300);
	CHECK_EQ(latebind_pool_create(&spec, &created), 0, "pool create");
	p = open_pool();
	if (!CHECK(p, "open") || !CHECK_EQ(latebind_datapath_pin_dir(UL, dir, sizeof(dir)), 0, "pin dir"))
		goto out;

	holder = hold_lock(dir);
	snprintf(pidstr, sizeof(pidstr), "process %d", (int)holder);
	CHECK_EQ(latebind_bind(p, 0, 100, NULL), -ETIMEDOUT, "bind while another holds the pool's lock");
	CHECK(has(latebind_last_error(), pidstr), "message names %s: %s", pidstr,
	      latebind_last_error());
	CHECK_EQ(word(p, 0), 0, "nothing bound");
	release(holder);
	CHECK_EQ(latebind_bind(p, 0, 100, NULL), 0, "control: bind once it is released");

	holder = hold_lock(ROOT);
	snprintf(pidstr, sizeof(pidstr), "process %d", (int)holder);
	CHECK_EQ(latebind_pool_destroy(UL), -ETIMEDOUT, "destroy while another holds the pools' lock");
	CHECK(has(latebind_last_error(), pidstr), "message names %s: %s", pidstr,
	      latebind_last_error());
	CHECK_EQ(latebind_bind(p, 1, 101, NULL), 0, "the pool is still there: a bind works");
	release(holder);
out:
	latebind_pool_close(p);
	CHECK_EQ(latebind_pool_destroy(UL), 0, "control: destroy once it is released");
	latebind_set_lock_timeout(120000, 10000);
	check_end();
}

/* --- destroy only while nothing is bound (latebind apply --force) ----------------- */

struct destroyer {
	pthread_t t;
	int err;
};

static void *destroy_unbound(void *arg)
{
	struct destroyer *d = arg;

	d->err = latebind_pool_destroy_unbound(UL);
	return NULL;
}

static void test_destroy_unbound(void)
{
	struct latebind_pool *p, *q;
	struct destroyer d;
	char dir[256];
	bool created;
	int bound_and_gone = 0, bound = 0, gone = 0;

	check_begin("destroy_unbound: refused while a tunnel is bound, checked under the pool's lock");
	CHECK_EQ(latebind_pool_create(&spec, &created), 0, "pool create");
	p = open_pool();
	if (!CHECK(p, "open"))
		goto out;
	CHECK_EQ(latebind_bind(p, 5, 500, NULL), 0, "bind lbh5");
	CHECK_EQ(latebind_pool_destroy_unbound(UL), -EBUSY, "destroy_unbound with lbh5 bound");
	CHECK(has(latebind_last_error(), "tunnel lbh5 of the pool on ulh is bound (vni 500)"),
	      "message: %s", latebind_last_error());
	CHECK((word(p, 5) & LB_EGRESS_BOUND) && lb_binding_vni(word(p, 5)) == 500,
	      "lbh5 is still bound to 500: 0x%x", word(p, 5));
	CHECK_EQ(latebind_bind(p, 1, 100, NULL), 0, "the pool is still there: a bind works");
	CHECK_EQ(latebind_unbind(p, 1), 0, "unbind lbh1");
	CHECK_EQ(latebind_unbind(p, 5), 0, "unbind lbh5");
	latebind_pool_close(p);
	CHECK_EQ(latebind_pool_destroy_unbound(UL), 0, "destroy_unbound with nothing bound");
	CHECK_EQ(latebind_pool_open(UL, &q), -ENOENT, "the pool is gone");

	/*
	 * A bind and a destroy_unbound both waiting for the pool's lock: either
	 * the bind lands first and the pool stays, or the pool goes first and
	 * the bind finds it gone. Never a bind that succeeded on a pool destroyed.
	 */
	for (int round = 0; round < 10; round++) {
		pid_t holder;
		int err;

		if (!CHECK_EQ(latebind_pool_create(&spec, &created), 0, "pool create") ||
		    !CHECK(p = open_pool(), "open") ||
		    !CHECK_EQ(latebind_datapath_pin_dir(UL, dir, sizeof(dir)), 0, "pin dir"))
			break;
		holder = hold_lock(dir);
		pthread_create(&d.t, NULL, destroy_unbound, &d);
		usleep(20000 + (round % 3) * 5000); /* destroy waits on the pool's lock now */
		kill(holder, SIGKILL);
		waitpid(holder, NULL, 0);
		err = latebind_bind(p, 2, 200, NULL);
		pthread_join(d.t, NULL);
		bound += !err;
		gone += !d.err;
		bound_and_gone += !err && !d.err;
		CHECK(err == 0 ? d.err == -EBUSY : err == -ESTALE && d.err == 0,
		      "round %d: bind %d, destroy_unbound %d", round, err, d.err);
		latebind_pool_close(p);
		latebind_pool_destroy(UL);
	}
	CHECK_EQ(bound_and_gone, 0, "a bind that succeeded on a pool destroyed");
	printf("  destroy_unbound against a bind: %d rounds the bind came first, %d the destroy\n",
	       bound, gone);
out:
	latebind_pool_destroy(UL);
	check_end();
}

/* --- the bpffs root --------------------------------------------------------------- */

static void test_unsafe_root(void)
{
	struct latebind_pool *p = NULL;
	bool created;

	check_begin("an unsafe " ROOT " is refused, and nothing changes");
	CHECK_EQ(chmod(ROOT, 0777), 0, "make it world-writable");
	CHECK_EQ(latebind_pool_create(&spec, &created), -EPERM, "pool create under a 0777 root");
	CHECK(has(latebind_last_error(), "mode 0777"), "message: %s", latebind_last_error());
	CHECK_EQ(latebind_pool_open(UL, &p), -EPERM, "pool open under a 0777 root");
	CHECK_EQ(sh("ip -o link show | grep -q lbh"), 1, "no tunnel was created");
	CHECK_EQ(chmod(ROOT, 0750), 0, "group-readable");
	CHECK_EQ(latebind_pool_create(&spec, &created), -EPERM, "pool create under a 0750 root");
	CHECK_EQ(chown(ROOT, 65534, 0), 0, "owned by nobody");
	CHECK_EQ(chmod(ROOT, 0700), 0, "mode 0700");
	CHECK_EQ(latebind_pool_create(&spec, &created), -EPERM, "pool create under a root owned by another");
	CHECK(has(latebind_last_error(), "uid 65534"), "message: %s", latebind_last_error());
	CHECK_EQ(chown(ROOT, 0, 0), 0, "owned by root again");
	CHECK_EQ(latebind_pool_create(&spec, &created), 0, "control: pool create under a 0700 root");
	CHECK_EQ(latebind_pool_destroy(UL), 0, "destroy");
	CHECK_EQ(rmdir(ROOT), 0, "remove the root");
	CHECK_EQ(symlink("/tmp", ROOT), 0, "a symlink in its place");
	CHECK_EQ(latebind_pool_create(&spec, &created), -ENOTDIR, "pool create through a symlink");
	CHECK_EQ(unlink(ROOT), 0, "remove the symlink");
	CHECK_EQ(latebind_pool_create(&spec, &created), 0, "control: the root is made again");
	{
		struct stat st;

		CHECK(!lstat(ROOT, &st) && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700,
		      "made as a directory with mode 0700");
	}
	latebind_pool_destroy(UL);
	check_end();
}

/* --- libbpf's print function ---------------------------------------------------- */

static int host_warnings; /* libbpf's default prints these on stderr */

static int host_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN) {
		host_warnings++;
		vfprintf(stderr, fmt, ap);
	}
	return 0;
}

static void test_libbpf_print_untouched(void)
{
	struct latebind_datapath_status st;
	enum latebind_attach_mode mode = LATEBIND_ATTACH_CLS_BPF;
	struct latebind_datapath_config cfg;
	struct latebind_pool *p;
	bool created;

	check_begin("the host's libbpf print function stays the host's");
	libbpf_set_print(host_print);
	CHECK_EQ(latebind_pool_create(&spec, &created), 0, "pool create");
	p = open_pool();
	if (p) {
		struct latebind_pool_info info;

		CHECK_EQ(latebind_pool_info(p, &info), 0, "pool info");
		latebind_pool_close(p);
	}
	CHECK_EQ(latebind_pool_destroy(UL), 0, "pool destroy");
	/* cls_bpf: the clsact qdisc and filter queries whose failures are answers */
	latebind_datapath_config_init(&cfg);
	CHECK_EQ(latebind_datapath_attach(UL, &cfg, &mode), 0, "attach in cls_bpf mode");
	CHECK_EQ(latebind_datapath_status(UL, &st), 0, "status");
	CHECK_EQ(latebind_datapath_detach(UL), 0, "detach");
	CHECK(libbpf_set_print(host_print) == host_print, "libbpf's print function is unchanged");
	CHECK_EQ(host_warnings, 0, "no warning printed through it for expected answers");
	latebind_route_libbpf_log(true);
	{
		libbpf_print_fn_t routed = libbpf_set_print(NULL);

		CHECK(routed && routed != host_print, "routed into the log when asked");
		libbpf_set_print(routed);
	}
	latebind_route_libbpf_log(false);
	CHECK(libbpf_set_print(host_print) == host_print, "put back when asked");
	check_end();
}

int main(void)
{
	if (geteuid()) {
		fprintf(stderr, "pool_handle: needs root\n");
		return 1;
	}
	latebind_set_log(quiet, NULL);
	if (sandbox()) {
		fprintf(stderr, "pool_handle: cannot set up its namespaces\n");
		return 1;
	}
	latebind_pool_spec_init(&spec);
	spec.underlay = UL;
	spec.type = LATEBIND_VXLAN;
	spec.count = COUNT;
	spec.prefix = "lbh";
	latebind_addr_parse("10.20.0.2", &spec.remote);

	test_stale_after_destroy();
	test_threads(1);
	test_threads(2);
	test_lock_timeouts();
	test_destroy_unbound();
	test_unsafe_root();
	test_libbpf_print_untouched();
	return check_summary("pool_handle");
}
