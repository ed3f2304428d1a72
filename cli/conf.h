/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Pool config files (docs/config.md): one pool per file, in the INI style of
 * systemd's .netdev files. Every key is one entry of conf_keys[] (conf.c):
 * how its value parses, the field it sets, and the setting of an existing
 * pool it is compared with by `latebind apply`.
 */
#ifndef LB_CLI_CONF_H
#define LB_CLI_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <latebind/latebind.h>

#define CONF_DIR_DEFAULT "/etc/latebind/pools.d"
#define CONF_FILE_MAX (1024 * 1024)
#define CONF_KEYS_MAX 32

/* A pool's settings, as latebind_pool_info() and latebind_pool_slots() read them. */
struct pool_state {
	struct latebind_pool_info pool;
	bool taps;
	struct latebind_slots_info slots;
	char netns_prefix[IF_NAMESIZE_LB]; /* "": the slots live in the pool's namespace */
};

struct vni_range {
	uint32_t base, count; /* count 0: not given */
};

struct pool_conf {
	char *path;
	struct latebind_pool_spec spec; /* its strings are owned here */
	struct latebind_slot_spec slots;
	bool taps;
	enum latebind_attach_mode mode;
	struct vni_range range;          /* DummyRange= */
	unsigned int pool_line, slots_line; /* the sections' first lines, 0 if absent */
	unsigned int line[CONF_KEYS_MAX];   /* per conf_keys[] entry: where it was set, or 0 */
	struct pool_state want;          /* what the pool would be: defaults resolved */
};

/* How a setting is compared with an existing pool's (and printed). */
enum conf_cmp {
	CMP_NONE,  /* not compared (the pool's identity, or another key's setting) */
	CMP_U32,
	CMP_U16,
	CMP_BOOL,
	CMP_NAME,  /* char[IF_NAMESIZE_LB] */
	CMP_ADDR,
	CMP_TYPE,
	CMP_MODE,  /* compared unless the config says auto */
	CMP_RANGE, /* the pool's dummy range, FIRST-LAST */
	CMP_OWNER, /* the taps' owner: uid[:gid], or root */
};

struct conf_key {
	const char *section; /* "Pool" or "Slots" */
	const char *name;    /* CamelCase, as systemd's keys */
	/* Parse @val into @field; on error, @why says why (the value quoted). */
	int (*parse)(const char *val, void *field, char *why, size_t len);
	size_t at;           /* @field: offset in struct pool_conf */
	enum conf_cmp cmp;
	size_t state_at;     /* the compared setting: offset in struct pool_state */
};

extern const struct conf_key conf_keys[];
extern const size_t conf_nkeys;

/* Errors, each "PATH:LINE: Key: why" (or "PATH: why"); the first CONF_ERRORS_MAX kept. */
#define CONF_ERRORS_MAX 24
struct conf_errors {
	unsigned int n;
	char msg[CONF_ERRORS_MAX][512];
};

void conf_error(struct conf_errors *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Parse one pool's config @text, read from @path, into @c, and resolve it
 * with the library (latebind_pool_spec_resolve) into c->want. -EINVAL with
 * every error found added to @e. conf_free() @c either way.
 */
int conf_parse(const char *path, const char *text, struct pool_conf *c, struct conf_errors *e);
int conf_read_file(const char *path, struct pool_conf *c, struct conf_errors *e);
/* Every *.conf of @dir, by name; *@confs is conf_free_all()'s. */
int conf_read_dir(const char *dir, struct pool_conf **confs, size_t *n, struct conf_errors *e);
void conf_free(struct pool_conf *c);
void conf_free_all(struct pool_conf *confs, size_t n);

/* Across files: one pool per underlay, disjoint dummy ranges, no shared device names. */
int conf_check_set(const struct pool_conf *confs, size_t n, struct conf_errors *e);

/* The line that decides key @name of @c: the key's, else its section's. */
unsigned int conf_line(const struct pool_conf *c, const char *name);

/*
 * Does key @k's setting differ between @want and @have? Both as text in
 * @want_s and @have_s. The taps' options are compared only when both pools
 * have taps; AttachMode=auto takes any mode.
 */
#define CONF_VALUE_MAX 64
bool conf_differs(const struct conf_key *k, const struct pool_state *want,
		  const struct pool_state *have, char want_s[CONF_VALUE_MAX],
		  char have_s[CONF_VALUE_MAX]);

/* Is @name PREFIX + N, N < @count, in decimal without a leading zero? */
bool conf_names_member(const char *name, const char *prefix, uint32_t count);
/* Do PREFIX1 0..count1-1 and PREFIX2 0..count2-1 share a name? The first in @name. */
bool conf_names_collide(const char *p1, uint32_t c1, const char *p2, uint32_t c2,
			char name[IF_NAMESIZE_LB]);
/* "PATH:LINE: Key: ..." for @c's dummy range overlapping @base..@count of @other. */
void conf_overlap_error(const struct pool_conf *c, const char *other, uint32_t base,
			uint32_t count, struct conf_errors *e);
bool conf_ranges_overlap(uint32_t base1, uint32_t count1, uint32_t base2, uint32_t count2);

#endif
