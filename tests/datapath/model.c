// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Reference model of the datapath. Each step below cites the rule of
 * docs/datapath.md it implements; the BPF sources were not consulted.
 */
#include <stdbool.h>
#include <string.h>
#include "model.h"

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static int is_dummy(const struct lb_config *c, uint32_t x)
{
	/* Rule 7: dummy_min <= x <= dummy_max; min > max is the empty range. */
	return c->dummy_min <= x && x <= c->dummy_max;
}

static void clear_counters(struct model *m)
{
	for (unsigned int i = 0; i < m->n_touched; i++) {
		memset(&m->tun[m->touched[i]], 0, sizeof(m->tun[0]));
		m->is_touched[m->touched[i]] = 0;
	}
	m->n_touched = 0;
	memset(m->drops, 0, sizeof(m->drops));
}

void model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
	dp_default_config(&m->cfg);
}

void model_reset(struct model *m)
{
	m->n_eg = 0;
	m->n_in = 0;
	clear_counters(m);
}

void model_set_config(struct model *m, const struct lb_config *cfg)
{
	m->cfg = *cfg;
}

static struct model_egress *find_egress(struct model *m, uint32_t dummy)
{
	for (unsigned int i = 0; i < m->n_eg; i++)
		if (m->eg[i].dummy == dummy)
			return &m->eg[i];
	return NULL;
}

void model_ingress_first(const struct model *m, const struct lb_ingress_key *key,
			 uint32_t first[2])
{
	struct lb_ingress_ent want = { .key = *key };

	lb_ingress_buckets(lb_ingress_hash(want.w, m->cfg.ingress_seed), m->cfg.ingress_buckets,
			   first);
}

static struct model_ingress *at_index(struct model *m, uint32_t idx)
{
	for (unsigned int i = 0; i < m->n_in; i++)
		if (m->in[i].idx == idx)
			return &m->in[i];
	return NULL;
}

/*
 * The probe: the key's two buckets in order, LB_INGRESS_WAYS entries each;
 * the first entry whose 28 key bytes equal @key's. An index past the table
 * ends it (the map has no such element). @room: the first empty entry instead.
 */
static struct model_ingress *probe(struct model *m, const struct lb_ingress_key *key, bool room,
				   uint32_t *free_idx)
{
	uint32_t first[2];

	model_ingress_first(m, key, first);
	for (int b = 0; b < 2; b++)
		for (uint32_t i = 0; i < LB_INGRESS_WAYS; i++) {
			uint32_t idx = first[b] + i;
			struct model_ingress *e;

			if (idx >= MODEL_ITAB_ENTRIES)
				return NULL;
			e = at_index(m, idx);
			if (room && (!e || !e->key.family)) {
				*free_idx = idx;
				return NULL;
			}
			if (!room && e && !memcmp(&e->key, key, sizeof(*key)))
				return e;
		}
	return NULL;
}

static struct model_ingress *find_ingress(struct model *m, const struct lb_ingress_key *key)
{
	return key->family ? probe(m, key, false, NULL) : NULL;
}

int model_set_ingress_ent(struct model *m, uint32_t idx, const struct lb_ingress_ent *ent)
{
	static const struct lb_ingress_ent zero;
	struct model_ingress *e = at_index(m, idx);

	if (!memcmp(ent, &zero, sizeof(zero))) {
		if (e)
			*e = m->in[--m->n_in];
		return 0;
	}
	if (!e) {
		if (m->n_in == MODEL_MAX_INGRESS)
			return -1;
		e = &m->in[m->n_in++];
		e->idx = idx;
	}
	e->key = ent->key;
	e->dummy = ent->dummy_vni;
	return 0;
}

int model_set_egress_word(struct model *m, uint32_t dummy, uint32_t word)
{
	struct model_egress *e = find_egress(m, dummy);

	if (!e) {
		if (m->n_eg == MODEL_MAX_EGRESS)
			return -1;
		e = &m->eg[m->n_eg++];
		e->dummy = dummy;
	}
	e->word = word;
	return 0;
}

int model_bind_egress(struct model *m, uint32_t dummy, uint32_t vni)
{
	return model_set_egress_word(m, dummy, LB_EGRESS_BOUND | vni);
}

/* The binding word of a dummy's slot: 0 (unbound) when nothing was written. */
static uint32_t egress_word(struct model *m, uint32_t dummy)
{
	struct model_egress *e = find_egress(m, dummy);

	return e ? e->word : 0;
}

int model_unbind_egress(struct model *m, uint32_t dummy)
{
	struct model_egress *e = find_egress(m, dummy);

	if (!e)
		return -1;
	*e = m->eg[--m->n_eg];
	return 0;
}

int model_bind_ingress(struct model *m, const struct lb_ingress_key *key, uint32_t dummy)
{
	struct lb_ingress_ent ent = { .key = *key, .dummy_vni = dummy };
	struct model_ingress *e = find_ingress(m, key);
	uint32_t idx = MODEL_ITAB_ENTRIES;

	if (e) {
		e->dummy = dummy;
		return 0;
	}
	probe(m, key, true, &idx);
	return idx < MODEL_ITAB_ENTRIES ? model_set_ingress_ent(m, idx, &ent) : -1;
}

int model_unbind_ingress(struct model *m, const struct lb_ingress_key *key)
{
	struct model_ingress *e = find_ingress(m, key);

	if (!e)
		return -1;
	*e = m->in[--m->n_in];
	return 0;
}

/*
 * One's-complement addition of 16-bit words: add in a wide accumulator, then
 * fold every carry out of bit 15 back into bit 0 until none is left.
 */
uint16_t model_sport_adjust(uint16_t sport, uint16_t o1, uint16_t o2, uint16_t n1, uint16_t n2)
{
	uint32_t acc = 0;
	const uint16_t w[5] = { sport, o1, o2, (uint16_t)~n1, (uint16_t)~n2 };

	for (int i = 0; i < 5; i++) {
		acc += w[i];
		if (acc > 0xffff)
			acc = (acc & 0xffff) + 1; /* end-around carry */
	}
	/* 0x0000 and 0xffff are the same one's-complement value; 0 is reserved. */
	return acc == 0 ? 0xffff : (uint16_t)acc;
}

/* Where the parse of rules 2..7 ended up, for a frame that is a tunnel packet. */
struct tunnel {
	size_t udp;          /* offset of the outer UDP header */
	int family;          /* LB_AF_INET or LB_AF_INET6 */
	const uint8_t *saddr; /* 4 or 16 bytes */
	int eth_payload;     /* the tunnel payload is Ethernet */
	size_t inner;        /* offset of the inner Ethernet header */
	uint32_t vni;
};

/*
 * Rules 2..7. Returns 1 for a tunnel packet the programs act on, 0 for pass,
 * 2 for an IPv4 fragment past the first.
 */
static int parse(const struct lb_config *c, const uint8_t *p, size_t len, struct tunnel *t)
{
	size_t l3 = 14;
	uint16_t proto, dport;

	/* Rule 2: up to two VLAN tags, 802.1Q or 802.1ad. */
	if (len < 14)
		return 0;
	proto = rd16(p + 12);
	for (int tags = 0; tags < 2 && (proto == 0x8100 || proto == 0x88a8); tags++) {
		if (len < l3 + 4)
			return 0;
		proto = rd16(p + l3 + 2);
		l3 += 4;
	}
	if (proto == 0x0800) {
		/* Rule 3. */
		const uint8_t *ip = p + l3;

		if (len < l3 + 20)
			return 0;
		if ((ip[0] >> 4) != 4 || (ip[0] & 0x0f) < 5)
			return 0;
		if (rd16(ip + 6) & 0x1fff) /* not the first fragment */
			return 2;
		if (ip[9] != 17)
			return 0;
		t->family = LB_AF_INET;
		t->saddr = ip + 12;
		t->udp = l3 + (size_t)(ip[0] & 0x0f) * 4;
	} else if (proto == 0x86dd) {
		/* Rule 4: no extension header is walked. */
		const uint8_t *ip = p + l3;

		if (len < l3 + 40)
			return 0;
		if ((ip[0] >> 4) != 6 || ip[6] != 17)
			return 0;
		t->family = LB_AF_INET6;
		t->saddr = ip + 8;
		t->udp = l3 + 40;
	} else {
		/* Rule 5 (also a third VLAN tag). */
		return 0;
	}
	/* Rule 6: UDP header plus the 8-byte tunnel header. */
	if (len < t->udp + 16)
		return 0;
	dport = rd16(p + t->udp + 2);
	const uint8_t *tun = p + t->udp + 8;

	if (c->geneve_port != 0 && dport == c->geneve_port) {
		if (tun[0] >> 6)
			return 0;
		t->eth_payload = rd16(tun + 2) == 0x6558;
		t->inner = t->udp + 16 + (size_t)(tun[0] & 0x3f) * 4;
	} else if (c->vxlan_port != 0 && dport == c->vxlan_port) {
		if (!(tun[0] & 0x08))
			return 0;
		t->eth_payload = 1;
		t->inner = t->udp + 16;
	} else {
		return 0;
	}
	/* Rule 7. */
	t->vni = (uint32_t)tun[4] << 16 | (uint32_t)tun[5] << 8 | tun[6];
	return 1;
}

/* "Rewrite and checksums": VNI bytes, and the source port when csum != 0. */
static void rewrite(uint8_t *p, size_t udp, uint32_t vni)
{
	uint8_t *u = p + udp;
	uint16_t o1 = rd16(u + 12), o2 = rd16(u + 14);

	u[12] = (vni >> 16) & 0xff;
	u[13] = (vni >> 8) & 0xff;
	u[14] = vni & 0xff;
	if (rd16(u + 6) != 0)
		wr16(u, model_sport_adjust(rd16(u), o1, o2, rd16(u + 12), rd16(u + 14)));
}

static struct lb_tun_stats *stats_at(struct model *m, uint32_t dummy)
{
	uint32_t idx = dummy - m->cfg.dummy_min;

	/* Skipped if the index is past the map's size. */
	if (idx >= LB_DUMMY_RANGE_MAX)
		return NULL;
	if (!m->is_touched[idx]) {
		m->is_touched[idx] = 1;
		m->touched[m->n_touched++] = idx;
	}
	return &m->tun[idx];
}

static int drop(struct model *m, enum lb_drop_reason why)
{
	m->drops[why]++;
	return DP_DROP;
}

#define MARK_TAG(mark) ((mark) & 0xffff0000u)

/* @rc: parse()'s result. Rule 8 (pool mode): the tag in skb->priority. */
static int egress(struct model *m, uint8_t *p, size_t len, int rc, const struct tunnel *t,
		  uint32_t *prio)
{
	const struct lb_config *c = &m->cfg;
	int pool = !!(c->flags & LB_CFG_F_TUN_MARK);
	int ours = pool && MARK_TAG(*prio) == LB_PRIO_EGRESS;
	struct lb_tun_stats *s;
	uint32_t w, real;

	if (ours && rc == 2) {
		*prio = 0;
		return DP_PASS;
	}
	if (ours && (rc != 1 || !is_dummy(c, t->vni)))
		return drop(m, LB_DROP_UNPARSED);
	if (rc != 1 || !is_dummy(c, t->vni))
		return DP_PASS;
	if (pool && *prio != (LB_PRIO_EGRESS | (t->vni - c->dummy_min)))
		return drop(m, LB_DROP_FORGED);
	w = egress_word(m, t->vni);
	/* Bit 31 clear: unbound, whatever the other bits hold. */
	if (!(w & 0x80000000u))
		return drop(m, LB_DROP_UNBOUND);
	/* real = w without bits 31 (BOUND) and 30 (MAC_SEL); bits 24..29 stay. */
	real = w & 0x3fffffffu;
	if (real > 0xffffffu || is_dummy(c, real))
		return drop(m, LB_DROP_BAD_BINDING);
	rewrite(p, t->udp, real);
	s = stats_at(m, t->vni);
	if (s) {
		s->tx_packets++;
		s->tx_bytes += len;
	}
	if (ours)
		*prio = 0;
	return DP_PASS;
}

static int ingress(struct model *m, uint8_t *p, size_t len, int rc, const struct tunnel *t,
		   uint32_t *mark, uint32_t *prio)
{
	const struct lb_config *c = &m->cfg;
	struct model_ingress *b = NULL;
	struct lb_ingress_key key;
	struct lb_tun_stats *s;

	if (MARK_TAG(*mark) == LB_MARK_INGRESS)
		*mark = 0;
	if (MARK_TAG(*prio) == LB_PRIO_INGRESS)
		*prio = 0;
	if (rc != 1)
		return DP_PASS;
	if (is_dummy(c, t->vni))
		return drop(m, LB_DROP_SPOOF);
	memset(&key, 0, sizeof(key));
	key.vni = t->vni;
	key.family = t->family;
	memcpy(key.remote, t->saddr, t->family == LB_AF_INET ? 4 : 16);
	if ((c->flags & LB_CFG_F_INNER_MAC) && t->eth_payload && t->inner + 6 <= len) {
		memcpy(key.inner_mac, p + t->inner, 6);
		b = find_ingress(m, &key);
		memset(key.inner_mac, 0, sizeof(key.inner_mac));
	}
	if (!b)
		b = find_ingress(m, &key);
	if (!b)
		return DP_PASS;
	if (!is_dummy(c, b->dummy))
		return drop(m, LB_DROP_BAD_BINDING);
	/*
	 * The first hit decides: its tunnel's word, MAC_SEL (bit 30) ignored,
	 * must be exactly BOUND | the packet's VNI, else stale.
	 */
	if ((egress_word(m, b->dummy) & ~0x40000000u) != (0x80000000u | t->vni))
		return drop(m, LB_DROP_STALE);
	rewrite(p, t->udp, b->dummy);
	s = stats_at(m, b->dummy);
	if (s) {
		s->rx_packets++;
		s->rx_bytes += len;
	}
	*mark = LB_MARK_INGRESS | (b->dummy - c->dummy_min);
	*prio = LB_PRIO_INGRESS | (b->dummy - c->dummy_min);
	return DP_PASS;
}

int model_run(struct model *m, int dir, const uint8_t *in, size_t len, uint8_t *out)
{
	uint32_t mark = 0, prio = 0;

	return model_run_mark(m, dir, in, len, out, &mark, &prio);
}

int model_run_mark(struct model *m, int dir, const uint8_t *in, size_t len, uint8_t *out,
		   uint32_t *mark, uint32_t *prio)
{
	struct tunnel t = { 0 };
	int verdict, rc;

	memcpy(out, in, len);
	/* Rule 1. */
	if (m->cfg.version != LB_ABI_VERSION)
		return DP_PASS;
	rc = parse(&m->cfg, in, len, &t);
	verdict = dir == DP_EGRESS ? egress(m, out, len, rc, &t, prio)
				   : ingress(m, out, len, rc, &t, mark, prio);
	if (verdict == DP_DROP) /* a dropped packet is never modified */
		memcpy(out, in, len);
	return verdict;
}
