// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * latebind apply: make the network namespace's pools what the config files
 * say (docs/config.md).
 *
 * 1. Read and check every file; any error, and nothing changes.
 * 2. Plan each pool against what the kernel holds (the pool's maps, its
 *    devices): create it, repair it (missing members or guards: pool create
 *    again, which puts them back), leave it, or, for other settings, destroy
 *    and create it again: only with --force, and never while one of its
 *    tunnels is bound or one of its taps is open. Any refusal, and nothing
 *    changes.
 * 3. Change, unless --dry-run; then check that every pool is as configured.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <unistd.h>
#include <latebind/latebind.h>
#include "args.h"
#include "cli.h"
#include "conf.h"
#include "output.h"

enum action { A_UNCHANGED, A_CREATE, A_REPAIR, A_RECREATE };
static const char *const action_names[] = { "unchanged", "create", "repair", "recreate" };
static const char *const done_names[] = { "unchanged", "created", "repaired", "recreated" };

/* The first few names of a list, and how many it holds. */
#define LIST_SHOWN 8
struct name_list {
	uint32_t n;
	char name[LIST_SHOWN][IF_NAMESIZE_LB + 24];
};

struct change {
	const char *key;
	char have[CONF_VALUE_MAX], want[CONF_VALUE_MAX];
};

struct plan {
	struct pool_conf *c;
	enum action action;
	bool done;
	struct pool_state have;
	uint32_t nchanges;
	struct change changes[CONF_KEYS_MAX];
	struct name_list bound, missing_tunnels, missing_taps, open_taps;
	struct name_list taken; /* missing members whose name another device holds */
	bool guards_broken;
};

struct apply_opts {
	const char *dir;
	const char **files;
	size_t nfiles;
	bool dry_run, force;
	uint32_t wait_s;
};

static void list_add(struct name_list *l, const char *fmt, const char *name, uint32_t vni)
{
	if (l->n < LIST_SHOWN)
		snprintf(l->name[l->n], sizeof(l->name[0]), fmt, name, vni);
	l->n++;
}

/* "a, b, c and 5 more" */
static const char *list_str(const struct name_list *l, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (uint32_t i = 0; i < l->n && i < LIST_SHOWN && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "", l->name[i]);
	if (l->n > LIST_SHOWN && off < len)
		snprintf(buf + off, len - off, " and %u more", l->n - LIST_SHOWN);
	return buf;
}

/*
 * A tap some process holds open (a VMM): its carrier is on. ETHTOOL_GLINK
 * reads the carrier itself; IFF_RUNNING follows the operstate, which the
 * kernel updates later (a tap just made reads running for a moment).
 */
static bool tap_is_open(int sock, const char *name)
{
	struct ethtool_value link = { .cmd = ETHTOOL_GLINK };
	struct ifreq ifr = { .ifr_data = (char *)&link };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	return sock >= 0 && !ioctl(sock, SIOCETHTOOL, &ifr) && link.data;
}

/* A member that is gone; another device may hold its name. */
static void note_missing(struct name_list *l, struct name_list *taken, const char *name)
{
	list_add(l, "%s", name, 0);
	if (if_nametoindex(name))
		list_add(taken, "%s", name, 0);
}

/* The pool's settings, its members, their bindings, its guards. */
static int read_pool(struct latebind_pool *pool, struct plan *p, int sock)
{
	struct pool_state *h = &p->have;
	char want_name[IF_NAMESIZE_LB + 12];
	int err = latebind_pool_info(pool, &h->pool);

	if (err)
		return err;
	h->taps = !latebind_pool_slots(pool, &h->slots);
	if (latebind_pool_netns_prefix(pool, h->netns_prefix, sizeof(h->netns_prefix)))
		h->netns_prefix[0] = 0;
	for (uint32_t s = 0; s < h->pool.count; s++) {
		struct latebind_tunnel_info t;
		char tap[IF_NAMESIZE_LB];
		unsigned int ifx;

		err = latebind_tunnel_info(pool, s, &t);
		if (err)
			return err;
		snprintf(want_name, sizeof(want_name), "%s%u", h->pool.prefix, s);
		if (t.bound)
			list_add(&p->bound, "%s (vni %u)", want_name, t.vni);
		if (strcmp(t.name, want_name))
			note_missing(&p->missing_tunnels, &p->taken, want_name);
		if (!h->taps || latebind_slot_tap(pool, s, tap, &ifx))
			continue;
		snprintf(want_name, sizeof(want_name), "%s%u", h->slots.tap_prefix, s);
		if (strcmp(tap, want_name))
			note_missing(&p->missing_taps, &p->taken, want_name);
		else if (tap_is_open(sock, tap))
			list_add(&p->open_taps, "%s", tap, 0);
	}
	/* A missing member counts as unguarded: it is made, guarded, anyway. */
	p->guards_broken = !h->pool.egress_attached || !h->pool.ingress_attached ||
			   !h->pool.programs_first || !h->pool.input_guard ||
			   h->pool.unguarded_tunnels > p->missing_tunnels.n ||
			   (h->taps && h->slots.unguarded_taps > p->missing_taps.n);
	return 0;
}

/* What to do with @p's pool; refusals go to @e. */
static int plan_pool(struct plan *p, const struct apply_opts *o, int sock, struct conf_errors *e)
{
	struct pool_conf *c = p->c;
	struct latebind_pool *pool;
	char list[400];
	int err;

	memset(p, 0, sizeof(*p));
	p->c = c;
	err = latebind_pool_open(c->spec.underlay, &pool);
	if (err == -ENOENT) {
		p->action = A_CREATE;
		return 0;
	}
	if (!err)
		err = read_pool(pool, p, sock);
	latebind_pool_close(pool);
	if (err) {
		conf_error(e, "%s: the pool on %s: %s", c->path, c->spec.underlay,
			   *latebind_last_error() ? latebind_last_error() : strerror(-err));
		return err;
	}
	for (size_t i = 0; i < conf_nkeys; i++) {
		struct change *ch = &p->changes[p->nchanges];

		if (conf_differs(&conf_keys[i], &c->want, &p->have, ch->want, ch->have)) {
			ch->key = conf_keys[i].name;
			p->nchanges++;
		}
	}
	if (!p->nchanges) {
		p->action = p->missing_tunnels.n || p->missing_taps.n || p->guards_broken ? A_REPAIR
											  : A_UNCHANGED;
		if (p->taken.n)
			conf_error(e, "%s: the pool on %s misses members whose names other devices "
				   "hold: %s; remove or rename those devices", c->path,
				   c->spec.underlay, list_str(&p->taken, list, sizeof(list)));
		return p->taken.n ? -EEXIST : 0;
	}
	p->action = A_RECREATE;
	if (!o->force) {
		for (uint32_t i = 0; i < p->nchanges; i++)
			conf_error(e, "%s:%u: %s: the pool on %s has %s, this file says %s: a pool's "
				   "settings are fixed when it is made, so this means destroying it "
				   "and making it again: add --force (refused while a tunnel is bound)",
				   c->path, conf_line(c, p->changes[i].key), p->changes[i].key,
				   c->spec.underlay, p->changes[i].have, p->changes[i].want);
		return -EEXIST;
	}
	if (p->bound.n)
		conf_error(e, "%s: the pool on %s would be destroyed and made again (--force), but "
			   "%u of its tunnels are bound: %s; apply never touches a binding: unbind "
			   "them first", c->path, c->spec.underlay, p->bound.n,
			   list_str(&p->bound, list, sizeof(list)));
	if (p->open_taps.n)
		conf_error(e, "%s: the pool on %s would be destroyed and made again (--force), but "
			   "%u of its taps are open (a VMM holds them): %s", c->path,
			   c->spec.underlay, p->open_taps.n, list_str(&p->open_taps, list, sizeof(list)));
	return p->bound.n || p->open_taps.n ? -EBUSY : 0;
}

/* The names @p's pool will make: its tunnels, its taps. */
static size_t wanted_names(const struct plan *p, const char *prefix[2], const char *key[2])
{
	prefix[0] = p->c->want.pool.prefix;
	key[0] = "Prefix";
	prefix[1] = p->c->want.slots.tap_prefix;
	key[1] = "TapPrefix";
	return p->c->taps ? 2 : 1;
}

/* Is @name a device of a pool that this run destroys? */
static bool destroyed_here(const struct plan *plans, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		const struct pool_state *h = &plans[i].have;

		if (plans[i].action == A_RECREATE &&
		    (conf_names_member(name, h->pool.prefix, h->pool.count) ||
		     (h->taps && conf_names_member(name, h->slots.tap_prefix, h->pool.count))))
			return true;
	}
	return false;
}

/*
 * Before anything changes: a device that holds a name a pool will make, and
 * a dummy range that overlaps a pool left as it is (not in the config).
 */
static void check_namespace(struct plan *plans, size_t n, struct conf_errors *e)
{
	struct if_nameindex *devs;
	unsigned int *pools = NULL;
	size_t npools = 0, makes = 0;

	for (size_t i = 0; i < n; i++)
		makes += plans[i].action == A_CREATE || plans[i].action == A_RECREATE;
	if (!makes)
		return;
	devs = if_nameindex();

	for (size_t i = 0; i < n; i++) {
		const struct plan *p = &plans[i];
		const char *prefix[2], *key[2];
		size_t k = wanted_names(p, prefix, key);

		for (size_t j = 0; j < k && (p->action == A_CREATE || p->action == A_RECREATE); j++) {
			struct name_list held = { 0 };
			char list[400];

			for (struct if_nameindex *d = devs; d && d->if_index; d++)
				if (conf_names_member(d->if_name, prefix[j], p->c->want.pool.count) &&
				    !destroyed_here(plans, n, d->if_name))
					list_add(&held, "%s", d->if_name, 0);
			if (held.n)
				conf_error(e, "%s:%u: %s: names this pool would make are held by other "
					   "devices: %s", p->c->path, conf_line(p->c, key[j]), key[j],
					   list_str(&held, list, sizeof(list)));
		}
	}
	if (devs)
		if_freenameindex(devs);
	if (latebind_pool_list(&pools, &npools))
		return;
	for (size_t i = 0; i < npools; i++) {
		struct latebind_pool_info info;
		struct latebind_pool *pool;
		char dev[IF_NAMESIZE_LB], other[80];
		bool managed = false;

		if (!if_indextoname(pools[i], dev))
			continue;
		for (size_t j = 0; j < n; j++)
			managed |= !strcmp(plans[j].c->spec.underlay, dev);
		if (managed || latebind_pool_open(dev, &pool))
			continue;
		latebind_pool_info(pool, &info);
		latebind_pool_close(pool);
		snprintf(other, sizeof(other), "the pool on %s (not in the config)", dev);
		for (size_t j = 0; j < n; j++) {
			const struct latebind_pool_info *w = &plans[j].c->want.pool;

			if (plans[j].action != A_UNCHANGED && plans[j].action != A_REPAIR &&
			    conf_ranges_overlap(w->dummy_base, w->count, info.dummy_base, info.count))
				conf_overlap_error(plans[j].c, other, info.dummy_base, info.count, e);
		}
	}
	free(pools);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Every underlay must exist; with --wait-underlay, wait up to that long for them. */
static void check_underlays(const struct pool_conf *confs, size_t n, uint32_t wait_s,
			    struct conf_errors *e)
{
	double deadline = now_s() + wait_s;
	size_t missing;

	for (;;) {
		missing = 0;
		for (size_t i = 0; i < n; i++)
			missing += !if_nametoindex(confs[i].spec.underlay);
		if (!missing || now_s() >= deadline)
			break;
		usleep(100 * 1000);
	}
	for (size_t i = 0; i < n && missing; i++) {
		const struct pool_conf *c = &confs[i];

		if (if_nametoindex(c->spec.underlay))
			continue;
		if (wait_s)
			conf_error(e, "%s:%u: Device: there is no device %s in this network namespace "
				   "(waited %u s)", c->path, conf_line(c, "Device"), c->spec.underlay,
				   wait_s);
		else
			conf_error(e, "%s:%u: Device: there is no device %s in this network namespace "
				   "(--wait-underlay SECONDS waits for it)", c->path,
				   conf_line(c, "Device"), c->spec.underlay);
	}
}

static int read_confs(const struct apply_opts *o, struct pool_conf **confs, size_t *n,
		      struct conf_errors *e)
{
	if (!o->nfiles)
		return conf_read_dir(o->dir ? o->dir : CONF_DIR_DEFAULT, confs, n, e);
	*n = 0;
	*confs = calloc(o->nfiles, sizeof(**confs));
	if (!*confs) {
		conf_error(e, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < o->nfiles; i++)
		conf_read_file(o->files[i], &(*confs)[(*n)++], e);
	return e->n ? -EINVAL : 0;
}

static void lib_error(struct conf_errors *e, const struct pool_conf *c, const char *what, int err)
{
	conf_error(e, "%s: the pool on %s%s: %s", c->path, c->spec.underlay, what,
		   *latebind_last_error() ? latebind_last_error() : strerror(-err));
}

/*
 * Destroys first (a pool made again may take a range or names one of them
 * frees), then creates. A failed destroy stops all but the creates of the
 * pools already destroyed, so that none is left away; a failed create
 * stops nothing.
 */
static void execute(struct plan *plans, size_t n, struct conf_errors *e)
{
	bool destroyed[n], failed = false;
	int err;

	for (size_t i = 0; i < n; i++) {
		destroyed[i] = false;
		if (plans[i].action != A_RECREATE || failed)
			continue;
		err = latebind_pool_destroy_unbound(plans[i].c->spec.underlay);
		if (err) {
			lib_error(e, plans[i].c, " was not destroyed", err);
			failed = true;
		}
		destroyed[i] = !err;
	}
	for (size_t i = 0; i < n; i++) {
		struct plan *p = &plans[i];
		struct pool_conf *c = p->c;

		if (p->action == A_UNCHANGED || (failed && !destroyed[i]) ||
		    (p->action == A_RECREATE && !destroyed[i]))
			continue;
		err = latebind_pool_create_slots(&c->spec, c->mode, c->taps ? &c->slots : NULL,
						 NULL);
		if (err)
			lib_error(e, c, destroyed[i] ? " was destroyed but not made again" : "", err);
		p->done = !err;
	}
}

/* After the changes, every pool must be as configured. */
static void verify(const struct plan *plans, size_t n, const struct apply_opts *o,
		   struct conf_errors *e)
{
	struct apply_opts forced = *o;

	forced.force = true; /* a difference left is reported here, not as a refusal */
	for (size_t i = 0; i < n; i++) {
		struct plan again = { .c = plans[i].c };

		if (!plan_pool(&again, &forced, -1, e) && again.action != A_UNCHANGED)
			conf_error(e, "%s: the pool on %s is not as configured after apply: %s",
				   again.c->path, again.c->spec.underlay, action_names[again.action]);
	}
}

/* --- output ---------------------------------------------------------------------- */

/* JSON: the names shown and how many there are; text: ", WHAT: names". */
static void print_list(const char *key, const char *what, const struct name_list *l)
{
	char buf[400], count_key[48];

	out_open_array(key);
	for (uint32_t i = 0; i < l->n && i < LIST_SHOWN; i++)
		out_string(NULL, "", l->name[i]);
	out_close_array();
	snprintf(count_key, sizeof(count_key), "%s_count", key);
	out_uint(count_key, "", l->n);
	if (l->n)
		out_text(", %s: %s", what, list_str(l, buf, sizeof(buf)));
}

/* What a pool is made with: "vxlan remote ADDR, N tunnels lb0-lbN-1, ...". */
static void print_made(const struct pool_state *w)
{
	const struct latebind_pool_info *pi = &w->pool;
	char addr[64];

	out_string("type", "%s", latebind_tunnel_type_name(pi->type));
	out_string("remote", " remote %s", latebind_addr_str(&pi->remote, addr, sizeof(addr)));
	out_uint("count", ", %llu tunnels", pi->count);
	out_string("prefix", " %s0", pi->prefix);
	out_text("-%s%u", pi->prefix, pi->count - 1);
	out_uint("dummy_min", ", dummy range %llu", pi->dummy_base);
	out_uint("dummy_max", "-%llu", pi->dummy_base + pi->count - 1);
	out_bool("taps", "", w->taps);
	if (w->taps) {
		out_string("tap_prefix", ", taps %s0", w->slots.tap_prefix);
		out_text("-%s%u", w->slots.tap_prefix, pi->count - 1);
	}
}

static void print_plan(const struct plan *p, bool dry_run)
{
	const bool settled = p->done || p->action == A_UNCHANGED;

	out_open_object(NULL);
	out_string("file", "%s: ", p->c->path);
	out_string("dev", "%s: ", p->c->spec.underlay);
	out_string("action", settled ? "" : dry_run ? "would %s" : "not done: %s",
		   action_names[p->action]);
	out_text("%s", settled ? done_names[p->action] : "");
	out_bool("done", "", p->done);
	out_open_array("changes");
	for (uint32_t i = 0; i < p->nchanges; i++) {
		const struct change *ch = &p->changes[i];

		out_open_object(NULL);
		out_string("key", i ? ", %s" : ": %s", ch->key);
		out_string("have", " %s", ch->have);
		out_string("want", " -> %s", ch->want);
		out_close_object();
	}
	out_close_array();
	if (p->action == A_CREATE || p->action == A_RECREATE) {
		out_open_object("pool");
		out_text(p->nchanges ? "; as " : ": ");
		print_made(&p->c->want);
		out_close_object();
	} else {
		out_uint("tunnels", ": %llu tunnels", p->have.pool.count);
		out_uint("bound", ", %llu bound", p->bound.n);
	}
	print_list("missing_tunnels", "missing tunnels", &p->missing_tunnels);
	print_list("missing_taps", "missing taps", &p->missing_taps);
	out_bool("guards_broken", "", p->guards_broken);
	if (p->guards_broken)
		out_text(", guards to put back");
	out_text("\n");
	out_close_object();
}

/* Pools of the namespace that no file names: left as they are. */
static void print_unmanaged(const struct plan *plans, size_t n)
{
	unsigned int *pools = NULL;
	size_t npools = 0;

	out_open_array("unmanaged");
	if (!latebind_pool_list(&pools, &npools)) {
		for (size_t i = 0; i < npools; i++) {
			char dev[IF_NAMESIZE_LB];
			bool managed = false;

			if (!if_indextoname(pools[i], dev))
				continue;
			for (size_t j = 0; j < n; j++)
				managed |= !strcmp(plans[j].c->spec.underlay, dev);
			if (!managed)
				out_string(NULL, "%s: a pool that no file names: left as it is\n", dev);
		}
	}
	out_close_array();
	free(pools);
}

static void print_errors(const struct conf_errors *e, bool changed)
{
	if (!out_is_json()) {
		for (unsigned int i = 0; i < e->n && i < CONF_ERRORS_MAX; i++)
			cli_error("%s", e->msg[i]);
		if (e->n > CONF_ERRORS_MAX)
			cli_error("%u more errors", e->n - CONF_ERRORS_MAX);
		if (!changed)
			cli_error("nothing changed");
		return;
	}
	out_string("error", "", e->msg[0]);
	out_open_array("errors");
	for (unsigned int i = 0; i < e->n && i < CONF_ERRORS_MAX; i++)
		out_string(NULL, "", e->msg[i]);
	out_close_array();
}

/* --- the command ------------------------------------------------------------------ */

static int parse_opts(int argc, char **argv, struct apply_opts *o)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool has_value = i + 1 < argc;
		int err;

		if (!strcmp(a, "--dry-run")) {
			o->dry_run = true;
		} else if (!strcmp(a, "--force")) {
			o->force = true;
		} else if (!strcmp(a, "-f") || !strcmp(a, "--file")) {
			if (!has_value)
				return cli_error("apply: \"%s\" needs a file", a);
			o->files[o->nfiles++] = argv[++i];
		} else if (!strcmp(a, "-d") || !strcmp(a, "--dir")) {
			if (!has_value)
				return cli_error("apply: \"%s\" needs a directory", a);
			o->dir = argv[++i];
		} else if (!strcmp(a, "--wait-underlay")) {
			if (!has_value)
				return cli_error("apply: \"%s\" needs a number of seconds", a);
			err = parse_u32(argv[++i], 0, 3600, &o->wait_s);
			if (err)
				return cli_error("apply: invalid --wait-underlay \"%s\": %s; 0-3600 "
						 "seconds", argv[i], parse_u32_why(err));
		} else {
			return cli_error("apply: unknown argument \"%s\"; try 'latebind help'", a);
		}
	}
	if (o->dir && o->nfiles)
		return cli_error("apply: -f and -d exclude each other");
	return 0;
}

int do_apply(int argc, char **argv)
{
	struct apply_opts o = { .files = calloc(argc ? (size_t)argc : 1, sizeof(char *)) };
	struct conf_errors *e = calloc(1, sizeof(*e));
	struct pool_conf *confs = NULL;
	struct plan *plans = NULL;
	size_t n = 0, changes = 0;
	int sock = -1, ret = 1;

	if (!o.files || !e) {
		ret = cli_error("out of memory");
		goto out;
	}
	if (parse_opts(argc, argv, &o))
		goto out;
	/* 1. Every file, and the files together; then the underlays. */
	if (!read_confs(&o, &confs, &n, e))
		conf_check_set(confs, n, e);
	if (!e->n)
		check_underlays(confs, n, o.wait_s, e);
	if (e->n) {
		out_open_object(NULL);
		print_errors(e, false);
		out_close_object();
		out_finish();
		goto out;
	}
	/* 2. The plan. */
	plans = calloc(n ? n : 1, sizeof(*plans));
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (!plans) {
		ret = cli_error("out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		plans[i].c = &confs[i];
		plan_pool(&plans[i], &o, sock, e);
		changes += plans[i].action != A_UNCHANGED;
	}
	if (!e->n)
		check_namespace(plans, n, e);
	/* 3. The changes, unless refused or a dry run. */
	if (!e->n && !o.dry_run && changes) {
		execute(plans, n, e);
		if (!e->n)
			verify(plans, n, &o, e);
	}
	out_open_object(NULL);
	out_bool("dry_run", "", o.dry_run);
	out_open_array("pools");
	for (size_t i = 0; i < n; i++)
		print_plan(&plans[i], o.dry_run);
	out_close_array();
	print_unmanaged(plans, n);
	out_uint("pools_changed", "", changes);
	if (e->n) {
		size_t done = 0;

		for (size_t i = 0; i < n; i++)
			done += plans[i].done;
		print_errors(e, done);
	} else if (!changes) {
		out_text("nothing to do: %zu pool%s as configured\n", n, n == 1 ? "" : "s");
	} else if (o.dry_run) {
		out_text("dry run: %zu of %zu pools would change; nothing changed\n", changes, n);
	} else {
		out_text("applied: %zu of %zu pools changed\n", changes, n);
	}
	out_close_object();
	out_finish();
	ret = e->n ? 1 : 0;
out:
	if (sock >= 0)
		close(sock);
	conf_free_all(confs, n);
	free(plans);
	free(o.files);
	free(e);
	return ret;
}
