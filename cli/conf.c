// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Pool config files: /etc/latebind/pools.d/NAME.conf, one pool each.
 *
 *   [Pool]                 # '#' or ';' starts a comment line
 *   Device=eth1
 *   Type=vxlan
 *   Remote=192.0.2.1
 *   Count=512
 *   [Slots]
 *   Taps=yes
 *
 * Sections and keys are case-sensitive, as systemd's. A key is set once.
 * Everything is checked before `latebind apply` changes anything; every
 * error names the file, the line and the key.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "args.h"
#include "conf.h"

void conf_error(struct conf_errors *e, const char *fmt, ...)
{
	va_list ap;

	if (e->n < CONF_ERRORS_MAX) {
		va_start(ap, fmt);
		vsnprintf(e->msg[e->n], sizeof(e->msg[0]), fmt, ap);
		va_end(ap);
	}
	e->n++;
}

/* --- values ------------------------------------------------------------------ */

/* A number in [min, max], or why not. */
static int num(const char *val, uint32_t min, uint32_t max, const char *range, uint32_t *out,
	       char *why, size_t len)
{
	int err = parse_u32(val, min, max, out);

	if (err == -EDOM)
		snprintf(why, len, "\"%s\": %s", val, parse_u32_why(err));
	else if (err == -ERANGE)
		snprintf(why, len, "\"%s\" is out of range: %s", val, range);
	else if (err)
		snprintf(why, len, "\"%s\" is %s", val, parse_u32_why(err));
	return err;
}

/* A device name, or a prefix of some: what the kernel takes, with room for a number. */
static int ifname(const char *val, void *field, const char *what, char *why, size_t len)
{
	char *copy;

	if (strlen(val) >= IF_NAMESIZE_LB || strpbrk(val, "/: \t%") || !strcmp(val, ".") ||
	    !strcmp(val, "..")) {
		snprintf(why, len, "\"%s\" is not a %s: at most %d characters, none of '/', ':', "
			 "'%%' or a space", val, what, IF_NAMESIZE_LB - 1);
		return -EINVAL;
	}
	copy = strdup(val);
	if (!copy) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	*(const char **)field = copy;
	return 0;
}

static int p_dev(const char *val, void *field, char *why, size_t len)
{
	return ifname(val, field, "device name", why, len);
}

static int p_prefix(const char *val, void *field, char *why, size_t len)
{
	return ifname(val, field, "device name prefix", why, len);
}

static int p_type(const char *val, void *field, char *why, size_t len)
{
	if (strcmp(val, "geneve") && strcmp(val, "vxlan")) {
		snprintf(why, len, "\"%s\" is not a tunnel type: geneve or vxlan", val);
		return -EINVAL;
	}
	return latebind_tunnel_type_parse(val, field);
}

static int p_addr(const char *val, void *field, char *why, size_t len)
{
	if (latebind_addr_parse(val, field)) {
		snprintf(why, len, "\"%s\" is not an IPv4 or IPv6 address", val);
		return -EINVAL;
	}
	return 0;
}

static int p_count(const char *val, void *field, char *why, size_t len)
{
	return num(val, 1, LB_DUMMY_RANGE_MAX, "a count is 1-65536", field, why, len);
}

/* 0 is the spec's "default": a dummy range starts at 1 or above. */
static int p_vni(const char *val, void *field, char *why, size_t len)
{
	return num(val, 1, LB_VNI_MAX, "a dummy VNI is 1-16777215", field, why, len);
}

static int p_range(const char *val, void *field, char *why, size_t len)
{
	struct vni_range *r = field;
	int err = parse_vni_range(val, &r->base, &r->count, why, len);

	if (err)
		return err;
	if (!r->base) {
		snprintf(why, len, "dummy range \"%s\" starts at VNI 0: a dummy VNI is 1-%u", val,
			 LB_VNI_MAX);
		return -EINVAL;
	}
	if (r->count > LB_DUMMY_RANGE_MAX) {
		snprintf(why, len, "dummy range \"%s\" holds %u VNIs: a pool has at most %u", val,
			 r->count, LB_DUMMY_RANGE_MAX);
		return -ERANGE;
	}
	return 0;
}

static int p_port(const char *val, void *field, char *why, size_t len)
{
	uint32_t v;
	int err = num(val, 1, 65535, "a port is 1-65535", &v, why, len);

	if (!err)
		*(uint16_t *)field = (uint16_t)v;
	return err;
}

/* systemd's booleans. */
static int boolean(const char *val, bool *out, char *why, size_t len)
{
	static const char *const yes[] = { "yes", "y", "true", "t", "on", "1" };
	static const char *const no[] = { "no", "n", "false", "f", "off", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(val, yes[i]) || !strcasecmp(val, no[i])) {
			*out = !strcasecmp(val, yes[i]);
			return 0;
		}
	}
	snprintf(why, len, "\"%s\" is not a boolean: yes or no", val);
	return -EINVAL;
}

static int p_bool(const char *val, void *field, char *why, size_t len)
{
	return boolean(val, field, why, len);
}

static int p_csum(const char *val, void *field, char *why, size_t len)
{
	bool on;
	int err = boolean(val, &on, why, len);

	if (!err)
		*(enum latebind_udp_csum *)field = on ? LATEBIND_CSUM_ON : LATEBIND_CSUM_OFF;
	return err;
}

static int p_mode(const char *val, void *field, char *why, size_t len)
{
	enum latebind_attach_mode *mode = field;

	if (!strcmp(val, "auto"))
		*mode = LATEBIND_ATTACH_NONE;
	else if (!strcmp(val, "tcx"))
		*mode = LATEBIND_ATTACH_TCX;
	else if (!strcmp(val, "cls_bpf"))
		*mode = LATEBIND_ATTACH_CLS_BPF;
	else {
		snprintf(why, len, "\"%s\" is not an attach mode: auto, tcx or cls_bpf", val);
		return -EINVAL;
	}
	return 0;
}

static int p_owner(const char *val, void *field, char *why, size_t len)
{
	return parse_owner(val, field, why, len);
}

/* --- the keys ------------------------------------------------------------------ */

#define PC(f) offsetof(struct pool_conf, f)
#define PS(f) offsetof(struct pool_state, f)

/*
 * Every key of a pool's file. A new key of `pool create` is one entry here:
 * its section and name, how it parses into the spec, and which setting of an
 * existing pool it is compared with (CMP_NONE: none).
 */
const struct conf_key conf_keys[] = {
	{ "Pool", "Device", p_dev, PC(spec.underlay), CMP_NONE, 0 },
	{ "Pool", "Type", p_type, PC(spec.type), CMP_TYPE, PS(pool.type) },
	{ "Pool", "Remote", p_addr, PC(spec.remote), CMP_ADDR, PS(pool.remote) },
	{ "Pool", "Local", p_addr, PC(spec.local), CMP_ADDR, PS(pool.local) },
	{ "Pool", "Count", p_count, PC(spec.count), CMP_U32, PS(pool.count) },
	{ "Pool", "DummyBase", p_vni, PC(spec.dummy_base), CMP_NONE, 0 },
	{ "Pool", "DummyRange", p_range, PC(range), CMP_RANGE, PS(pool) },
	{ "Pool", "Prefix", p_prefix, PC(spec.prefix), CMP_NAME, PS(pool.prefix) },
	{ "Pool", "DestinationPort", p_port, PC(spec.dstport), CMP_U16, PS(pool.dstport) },
	{ "Pool", "UDPChecksum", p_csum, PC(spec.udp_csum), CMP_BOOL, PS(pool.udp_csum) },
	{ "Pool", "IPv6", p_bool, PC(spec.ipv6), CMP_BOOL, PS(pool.ipv6) },
	{ "Pool", "AttachMode", p_mode, PC(mode), CMP_MODE, PS(pool.mode) },
	{ "Slots", "Taps", p_bool, PC(taps), CMP_BOOL, PS(taps) },
	{ "Slots", "TapPrefix", p_prefix, PC(slots.tap_prefix), CMP_NAME, PS(slots.tap_prefix) },
	{ "Slots", "TapOwner", p_owner, PC(slots), CMP_OWNER, PS(slots) },
	{ "Slots", "MultiQueue", p_bool, PC(slots.multi_queue), CMP_BOOL, PS(slots.multi_queue) },
	{ "Slots", "NetnsPrefix", p_prefix, PC(slots.netns_prefix), CMP_NAME, PS(netns_prefix) },
};
const size_t conf_nkeys = sizeof(conf_keys) / sizeof(conf_keys[0]);
_Static_assert(sizeof(conf_keys) / sizeof(conf_keys[0]) <= CONF_KEYS_MAX, "CONF_KEYS_MAX");

static int key_index(const char *name)
{
	for (size_t i = 0; i < conf_nkeys; i++)
		if (!strcmp(conf_keys[i].name, name))
			return (int)i;
	return -1;
}

/* An option of the taps: every key of [Slots] but Taps= itself. */
static bool tap_option(const struct conf_key *k)
{
	return !strcmp(k->section, "Slots") && k->state_at != PS(taps);
}

unsigned int conf_line(const struct pool_conf *c, const char *name)
{
	int i = key_index(name);

	if (i >= 0 && c->line[i])
		return c->line[i];
	if (i >= 0 && !strcmp(conf_keys[i].section, "Slots") && c->slots_line)
		return c->slots_line;
	return c->pool_line;
}

/* --- parsing ------------------------------------------------------------------ */

enum { SEC_NONE, SEC_POOL, SEC_SLOTS, SEC_UNKNOWN };
static const char *const sec_names[] = { NULL, "Pool", "Slots", NULL };

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = 0;
	return s;
}

static void unknown_key(struct pool_conf *c, unsigned int ln, const char *key, int sec,
			struct conf_errors *e)
{
	for (size_t i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];

		if (!strcmp(k->name, key)) {
			conf_error(e, "%s:%u: %s: not a key of [%s]; it belongs in [%s]", c->path, ln,
				   key, sec_names[sec], k->section);
			return;
		}
		if (!strcasecmp(k->name, key)) {
			conf_error(e, "%s:%u: %s: unknown key (keys are case-sensitive: %s)",
				   c->path, ln, key, k->name);
			return;
		}
	}
	conf_error(e, "%s:%u: %s: unknown key in [%s]", c->path, ln, key, sec_names[sec]);
}

static void parse_line(struct pool_conf *c, unsigned int ln, char *s, int *sec,
		       struct conf_errors *e)
{
	char why[400], *eq, *key, *val;
	const struct conf_key *k;
	int i;

	if (!*s || *s == '#' || *s == ';')
		return;
	if (*s == '[') {
		size_t n = strlen(s);

		if (n < 3 || s[n - 1] != ']') {
			conf_error(e, "%s:%u: \"%s\": not a section header ([Pool] or [Slots])",
				   c->path, ln, s);
			*sec = SEC_UNKNOWN;
			return;
		}
		s[n - 1] = 0;
		if (!strcmp(s + 1, "Pool")) {
			*sec = SEC_POOL;
			c->pool_line = c->pool_line ? c->pool_line : ln;
		} else if (!strcmp(s + 1, "Slots")) {
			*sec = SEC_SLOTS;
			c->slots_line = c->slots_line ? c->slots_line : ln;
		} else {
			conf_error(e, "%s:%u: [%s]: unknown section; the sections are [Pool] and "
				   "[Slots]", c->path, ln, s + 1);
			*sec = SEC_UNKNOWN; /* its keys are not reported one by one */
		}
		return;
	}
	eq = strchr(s, '=');
	if (!eq) {
		conf_error(e, "%s:%u: \"%s\": not a Key=Value line", c->path, ln, s);
		return;
	}
	*eq = 0;
	key = trim(s);
	val = trim(eq + 1);
	if (!*key) {
		conf_error(e, "%s:%u: \"=%s\": the key is missing", c->path, ln, val);
		return;
	}
	if (*sec == SEC_NONE) {
		conf_error(e, "%s:%u: %s: outside a section; put it under [Pool] or [Slots]",
			   c->path, ln, key);
		return;
	}
	if (*sec == SEC_UNKNOWN)
		return;
	i = key_index(key);
	if (i < 0 || strcmp(conf_keys[i].section, sec_names[*sec])) {
		unknown_key(c, ln, key, *sec, e);
		return;
	}
	k = &conf_keys[i];
	if (c->line[i]) {
		conf_error(e, "%s:%u: %s: set twice (first on line %u)", c->path, ln, key, c->line[i]);
		return;
	}
	c->line[i] = ln;
	if (!*val)
		conf_error(e, "%s:%u: %s: the value is missing", c->path, ln, key);
	else if (k->parse(val, (char *)c + k->at, why, sizeof(why)))
		conf_error(e, "%s:%u: %s: %s", c->path, ln, key, why);
}

/* The keys that decide one thing together: the dummy range, the taps. */
static void check_keys(struct pool_conf *c, struct conf_errors *e)
{
	static const char *const required[] = { "Device", "Type", "Remote" };
	unsigned int base_ln = c->line[key_index("DummyBase")];
	unsigned int range_ln = c->line[key_index("DummyRange")];
	unsigned int count_ln = c->line[key_index("Count")];
	uint64_t last;

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!c->line[key_index(required[i])])
			conf_error(e, "%s:%u: %s: missing; [Pool] needs it", c->path, c->pool_line,
				   required[i]);
	if (!count_ln && !range_ln)
		conf_error(e, "%s:%u: Count: missing; [Pool] needs it (or DummyRange=)", c->path,
			   c->pool_line);
	if (base_ln && range_ln) {
		conf_error(e, "%s:%u: DummyRange: DummyBase= (line %u) sets the dummy range too: "
			   "give one of them", c->path, range_ln, base_ln);
	} else if (range_ln) {
		if (count_ln && c->spec.count != c->range.count)
			conf_error(e, "%s:%u: DummyRange: %u-%u holds %u VNIs, but Count= (line %u) "
				   "is %u", c->path, range_ln, c->range.base,
				   c->range.base + c->range.count - 1, c->range.count, count_ln,
				   c->spec.count);
		c->spec.dummy_base = c->range.base;
		c->spec.count = c->range.count;
	} else if (base_ln && count_ln) {
		last = (uint64_t)c->spec.dummy_base + c->spec.count - 1;
		if (last > LB_VNI_MAX)
			conf_error(e, "%s:%u: DummyBase: dummy range %u-%llu (Count=%u) runs past the "
				   "largest VNI %u", c->path, base_ln, c->spec.dummy_base,
				   (unsigned long long)last, c->spec.count, LB_VNI_MAX);
	}
	for (size_t i = 0; i < conf_nkeys; i++)
		if (c->line[i] && tap_option(&conf_keys[i]) && !c->taps)
			conf_error(e, "%s:%u: %s: an option of the taps: it needs Taps=yes", c->path,
				   c->line[i], conf_keys[i].name);
}

int conf_parse(const char *path, const char *text, struct pool_conf *c, struct conf_errors *e)
{
	unsigned int before = e->n, ln = 0;
	int sec = SEC_NONE;

	memset(c, 0, sizeof(*c));
	latebind_pool_spec_init(&c->spec);
	latebind_slot_spec_init(&c->slots);
	c->spec.type = 0;
	c->path = strdup(path);
	if (!c->path) {
		conf_error(e, "%s: out of memory", path);
		return -ENOMEM;
	}
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = strndup(p, n);

		if (!line) {
			conf_error(e, "%s: out of memory", path);
			return -ENOMEM;
		}
		parse_line(c, ++ln, trim(line), &sec, e);
		free(line);
		p += n + (nl ? 1 : 0);
	}
	if (!c->pool_line) {
		conf_error(e, "%s: no [Pool] section: a file describes one pool", path);
		return -EINVAL;
	}
	check_keys(c, e);
	if (e->n != before)
		return -EINVAL;
	/* What pool create checks, and its defaults, from the library itself. */
	if (latebind_pool_spec_resolve(&c->spec, c->taps ? &c->slots : NULL, &c->want.pool,
				       &c->want.slots)) {
		conf_error(e, "%s: %s", path, latebind_last_error());
		return -EINVAL;
	}
	c->want.taps = c->taps;
	snprintf(c->want.netns_prefix, sizeof(c->want.netns_prefix), "%s",
		 c->taps && c->slots.netns_prefix ? c->slots.netns_prefix : "");
	c->want.pool.mode = c->mode;
	return 0;
}

int conf_read_file(const char *path, struct pool_conf *c, struct conf_errors *e)
{
	FILE *f = fopen(path, "re");
	char *text;
	size_t n;
	int err;

	memset(c, 0, sizeof(*c));
	if (!f) {
		conf_error(e, "%s: %s", path, strerror(errno));
		return -errno;
	}
	text = malloc(CONF_FILE_MAX + 1);
	n = text ? fread(text, 1, CONF_FILE_MAX + 1, f) : 0;
	err = !text ? -ENOMEM : ferror(f) ? -EIO : n > CONF_FILE_MAX ? -EFBIG :
	      memchr(text, 0, n) ? -EBADMSG : 0;
	fclose(f);
	if (err == -EFBIG)
		conf_error(e, "%s: larger than %d bytes: not a pool's config", path, CONF_FILE_MAX);
	else if (err == -EBADMSG)
		conf_error(e, "%s: holds a NUL byte: not a text file", path);
	else if (err)
		conf_error(e, "%s: cannot read it: %s", path, strerror(-err));
	if (!err) {
		text[n] = 0;
		err = conf_parse(path, text, c, e);
	}
	free(text);
	return err;
}

static int is_conf(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && !strcmp(d->d_name + n - 5, ".conf");
}

/* A symlink to /dev/null masks a file, as in systemd. */
static bool masked(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(1, 3);
}

int conf_read_dir(const char *dir, struct pool_conf **confs, size_t *n, struct conf_errors *e)
{
	struct dirent **names;
	int k = scandir(dir, &names, is_conf, alphasort), err = 0;

	*confs = NULL;
	*n = 0;
	if (k < 0) {
		conf_error(e, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	*confs = calloc(k ? (size_t)k : 1, sizeof(**confs));
	for (int i = 0; i < k; i++) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (!*confs) {
			err = -ENOMEM;
		} else if (stat(path, &st)) {
			conf_error(e, "%s: %s", path, strerror(errno));
			err = -EINVAL;
		} else if (masked(&st)) {
			/* skipped */
		} else if (!S_ISREG(st.st_mode)) {
			conf_error(e, "%s: not a regular file", path);
			err = -EINVAL;
		} else if (conf_read_file(path, &(*confs)[(*n)++], e)) {
			err = -EINVAL;
		}
		free(names[i]);
	}
	free(names);
	if (!*confs) {
		conf_error(e, "%s: out of memory", dir);
		return -ENOMEM;
	}
	return err;
}

void conf_free(struct pool_conf *c)
{
	for (size_t i = 0; i < conf_nkeys; i++)
		if (conf_keys[i].parse == p_dev || conf_keys[i].parse == p_prefix)
			free(*(char **)((char *)c + conf_keys[i].at));
	free(c->path);
	memset(c, 0, sizeof(*c));
}

void conf_free_all(struct pool_conf *confs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		conf_free(&confs[i]);
	free(confs);
}

/* --- across files ----------------------------------------------------------------- */

bool conf_names_member(const char *name, const char *prefix, uint32_t count)
{
	size_t lp = strlen(prefix);
	const char *d = name + lp;
	unsigned long v;
	char *end;

	if (strncmp(name, prefix, lp) || *d < '0' || *d > '9' || (*d == '0' && d[1]))
		return false;
	errno = 0;
	v = strtoul(d, &end, 10);
	return !*end && !errno && v < count;
}

bool conf_names_collide(const char *p1, uint32_t c1, const char *p2, uint32_t c2,
			char name[IF_NAMESIZE_LB])
{
	if (c2 < c1)
		return conf_names_collide(p2, c2, p1, c1, name);
	for (uint32_t i = 0; i < c1; i++) {
		snprintf(name, IF_NAMESIZE_LB, "%s%u", p1, i);
		if (conf_names_member(name, p2, c2))
			return true;
	}
	return false;
}

bool conf_ranges_overlap(uint32_t base1, uint32_t count1, uint32_t base2, uint32_t count2)
{
	return base1 < (uint64_t)base2 + count2 && base2 < (uint64_t)base1 + count1;
}

/* The device names a pool makes: its tunnels, and its taps. */
struct names {
	const char *key, *what, *prefix;
};

static size_t pool_names(const struct pool_conf *c, struct names out[2])
{
	out[0] = (struct names){ "Prefix", "tunnel", c->want.pool.prefix };
	out[1] = (struct names){ "TapPrefix", "tap", c->want.slots.tap_prefix };
	return c->taps ? 2 : 1;
}

void conf_overlap_error(const struct pool_conf *c, const char *other, uint32_t base,
			uint32_t count, struct conf_errors *e)
{
	const struct latebind_pool_info *p = &c->want.pool;
	const char *key = c->range.count ? "DummyRange" : c->spec.dummy_base ? "DummyBase" : NULL;

	if (key)
		conf_error(e, "%s:%u: %s: dummy range %u-%u overlaps %u-%u of %s: the pools of one "
			   "network namespace need disjoint dummy ranges", c->path, conf_line(c, key),
			   key, p->dummy_base, p->dummy_base + p->count - 1, base, base + count - 1,
			   other);
	else
		conf_error(e, "%s:%u: Count: the default dummy range %u-%u (the top %u VNIs) "
			   "overlaps %u-%u of %s: give one of them DummyBase= or DummyRange=",
			   c->path, conf_line(c, "Count"), p->dummy_base, p->dummy_base + p->count - 1,
			   p->count, base, base + count - 1, other);
}

static void check_pair(const struct pool_conf *a, const struct pool_conf *b,
		       struct conf_errors *e)
{
	const struct latebind_pool_info *pa = &a->want.pool, *pb = &b->want.pool;
	struct names na[2], nb[2];
	size_t ka = pool_names(a, na), kb = pool_names(b, nb);
	char name[IF_NAMESIZE_LB];

	if (!strcmp(a->spec.underlay, b->spec.underlay)) {
		conf_error(e, "%s:%u: Device: %s has a pool in %s (line %u) already: one pool per "
			   "underlay", b->path, conf_line(b, "Device"), b->spec.underlay, a->path,
			   conf_line(a, "Device"));
		return;
	}
	if (conf_ranges_overlap(pa->dummy_base, pa->count, pb->dummy_base, pb->count))
		conf_overlap_error(b, a->path, pa->dummy_base, pa->count, e);
	for (size_t i = 0; i < kb; i++)
		for (size_t j = 0; j < ka; j++)
			if (conf_names_collide(nb[i].prefix, pb->count, na[j].prefix, pa->count,
					       name))
				conf_error(e, "%s:%u: %s: %s would name a %s of this pool and a %s "
					   "of %s: give them different prefixes", b->path,
					   conf_line(b, nb[i].key), nb[i].key, name, nb[i].what,
					   na[j].what, a->path);
}

int conf_check_set(const struct pool_conf *confs, size_t n, struct conf_errors *e)
{
	unsigned int before = e->n;

	for (size_t j = 1; j < n; j++)
		for (size_t i = 0; i < j; i++)
			check_pair(&confs[i], &confs[j], e);
	return e->n == before ? 0 : -EINVAL;
}

/* --- comparing with a pool that exists -------------------------------------------- */

static void format(enum conf_cmp cmp, const void *f, char *buf, size_t len)
{
	const struct latebind_slots_info *si = f;
	const struct latebind_pool_info *pi = f;

	switch (cmp) {
	case CMP_U32:
		snprintf(buf, len, "%u", *(const uint32_t *)f);
		break;
	case CMP_U16:
		snprintf(buf, len, "%u", *(const uint16_t *)f);
		break;
	case CMP_BOOL:
		snprintf(buf, len, "%s", *(const bool *)f ? "yes" : "no");
		break;
	case CMP_NAME:
		snprintf(buf, len, "%.*s", IF_NAMESIZE_LB, (const char *)f);
		break;
	case CMP_ADDR:
		if (((const struct latebind_addr *)f)->family)
			latebind_addr_str(f, buf, len);
		else
			snprintf(buf, len, "none");
		break;
	case CMP_TYPE:
		snprintf(buf, len, "%s", latebind_tunnel_type_name(*(const enum latebind_tunnel_type *)f));
		break;
	case CMP_MODE:
		snprintf(buf, len, "%s", latebind_attach_mode_name(*(const enum latebind_attach_mode *)f));
		break;
	case CMP_RANGE:
		snprintf(buf, len, "%u-%u", pi->dummy_base, pi->dummy_base + pi->count - 1);
		break;
	case CMP_OWNER:
		if (!si->has_owner)
			snprintf(buf, len, "none");
		else if (si->has_group)
			snprintf(buf, len, "%u:%u", si->owner_uid, si->owner_gid);
		else
			snprintf(buf, len, "%u", si->owner_uid);
		break;
	case CMP_NONE:
		buf[0] = 0;
		break;
	}
}

bool conf_differs(const struct conf_key *k, const struct pool_state *want,
		  const struct pool_state *have, char want_s[CONF_VALUE_MAX],
		  char have_s[CONF_VALUE_MAX])
{
	if (k->cmp == CMP_NONE || (k->cmp == CMP_MODE && want->pool.mode == LATEBIND_ATTACH_NONE))
		return false;
	if (tap_option(k) && !(want->taps && have->taps))
		return false;
	format(k->cmp, (const char *)want + k->state_at, want_s, CONF_VALUE_MAX);
	format(k->cmp, (const char *)have + k->state_at, have_s, CONF_VALUE_MAX);
	return strcmp(want_s, have_s);
}
