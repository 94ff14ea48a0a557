// SPDX-License-Identifier: GPL-2.0
/* A simulated two-agent network on a fake clock; see icesim.h. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "icesim.h"

static uint64_t xs(uint64_t *st)
{
	/* xorshift64* (Vigna): fine for a test's pseudo-randomness. */
	uint64_t x = *st ? *st : 0x9E3779B97F4A7C15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*st = x;
	return x * 0x2545F4914F6CDD1Dull;
}

void icesim_rand_bytes(void *ctx, uint8_t *buf, size_t n)
{
	uint64_t *st = ctx;
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)(xs(st) >> 56);
}

struct icesim *icesim_new(uint64_t seed)
{
	struct icesim *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	mice_clock_fake(&s->clk, &s->fc, 0);
	s->rng = seed ? seed : 1;
	s->side[0].rng = seed * 31 + 7;
	s->side[1].rng = seed * 17 + 3;
	s->side[0].nat_next_port = 40000;
	s->side[1].nat_next_port = 50000;
	return s;
}

void icesim_free(struct icesim *s)
{
	if (!s)
		return;
	ice_agent_free(s->side[0].agent);
	ice_agent_free(s->side[1].agent);
	free(s->pkt);
	free(s);
}

struct ice_agent *icesim_agent(struct icesim *s, int i,
			       const struct ice_agent_config *cfg)
{
	struct ice_agent_config c = *cfg;

	if (!c.rand_bytes) {
		c.rand_bytes = icesim_rand_bytes;
		c.rand_ctx = &s->side[i].rng;
	}
	ice_agent_free(s->side[i].agent);
	s->side[i].agent = ice_agent_new(&c, &s->clk);
	return s->side[i].agent;
}

void icesim_add_addr(struct icesim *s, int i, const struct ice_addr *a)
{
	struct icesim_side *d = &s->side[i];

	if (d->n_addr < ICESIM_MAX_ADDR)
		d->addr[d->n_addr++] = *a;
}

void icesim_set_nat(struct icesim *s, int i, const struct ice_addr *pub_ip)
{
	s->side[i].nat_on = true;
	s->side[i].nat_ip = *pub_ip;
}

void icesim_add_path_delay(struct icesim *s, int i, const struct ice_addr *to,
			   uint32_t ms)
{
	struct icesim_side *d = &s->side[i];

	if (d->n_path < 4) {
		d->path[d->n_path].to = *to;
		d->path[d->n_path].ms = ms;
		d->n_path++;
	}
}

void icesim_addr4(struct ice_addr *a, const char *ip, uint16_t port)
{
	struct in_addr in;

	if (inet_pton(AF_INET, ip, &in) != 1)
		abort();
	ice_addr_set(a, AF_INET, &in, port);
}

void icesim_host4(struct ice_cand *c, const char *ip, uint16_t port,
		  uint16_t local_pref)
{
	memset(c, 0, sizeof(*c));
	c->type = ICE_CAND_HOST;
	c->transport = ICE_TRANSPORT_UDP;
	c->component = 1;
	c->local_pref = local_pref;
	icesim_addr4(&c->addr, ip, port);
	c->base = c->addr;
	ice_cand_compute_priority(c);
}

static bool owns(const struct icesim_side *d, const struct ice_addr *a)
{
	unsigned int i;

	for (i = 0; i < d->n_addr; i++)
		if (ice_addr_eq(&d->addr[i], a))
			return true;
	return false;
}

static void drain_events(struct icesim *s, int i)
{
	struct icesim_side *d = &s->side[i];
	struct ice_event ev;

	if (!d->agent)
		return;
	while (ice_agent_next_event(d->agent, &ev)) {
		if (ev.type == ICE_EV_COMPLETED && !d->completed) {
			d->completed = true;
			d->completed_at = ev.time;
		}
		if (ev.type == ICE_EV_FAILED && !d->failed) {
			d->failed = true;
			d->failed_at = ev.time;
		}
		if (d->n_ev < ICESIM_MAX_EVENTS)
			d->ev[d->n_ev++] = ev;
	}
}

static void route(struct icesim *s, int i, const struct ice_tx *tx)
{
	struct icesim_side *src = &s->side[i], *dst = &s->side[1 - i];
	struct ice_addr from = tx->local_base, base;
	struct icesim_pkt *p;
	unsigned int k;
	bool ok = false;

	src->sent++;
	if (tx->len >= STUN_HDR_LEN && (tx->buf[0] & 0x01) == 0 &&
	    (tx->buf[1] & 0x10) == 0)
		src->stun_requests++;	/* class bits C1 C0 = 00 */
	if (s->tap)
		s->tap(s->tap_ctx, s, i, tx, s->fc.now);
	if (src->blackhole ||
	    (src->loss_pct && xs(&s->rng) % 100 < src->loss_pct)) {
		src->lost++;
		return;
	}
	if (src->nat_on) {
		/* endpoint-independent mapping of the private source */
		for (k = 0; k < src->n_map; k++)
			if (ice_addr_eq(&src->map[k].priv, &from))
				break;
		if (k == src->n_map) {
			if (src->n_map >= ICESIM_MAX_MAP) {
				src->unreachable++;
				return;
			}
			src->map[k].priv = from;
			src->map[k].pub = src->nat_ip;
			src->map[k].pub.port = src->nat_next_port++;
			src->n_map++;
		}
		from = src->map[k].pub;
	}
	base = tx->to;
	if (dst->nat_on) {
		for (k = 0; k < dst->n_map; k++) {
			if (ice_addr_eq(&dst->map[k].pub, &tx->to)) {
				base = dst->map[k].priv;
				ok = true;
			}
		}
	} else {
		ok = owns(dst, &tx->to);
	}
	if (!ok || !dst->agent) {
		src->unreachable++;
		return;
	}
	if (s->n_pkt == s->cap_pkt) {
		s->cap_pkt = s->cap_pkt ? 2 * s->cap_pkt : 64;
		s->pkt = realloc(s->pkt, s->cap_pkt * sizeof(*s->pkt));
		if (!s->pkt)
			abort();
	}
	p = &s->pkt[s->n_pkt++];
	p->at = s->fc.now + src->delay_ms;
	for (k = 0; k < src->n_path; k++)
		if (ice_addr_eq(&src->path[k].to, &tx->to))
			p->at += src->path[k].ms;
	p->dst = 1 - i;
	p->from = from;
	p->local_base = base;
	p->len = tx->len;
	memcpy(p->buf, tx->buf, tx->len);
}

/* Delivers the earliest due packet (FIFO among equal times). */
static bool deliver_one(struct icesim *s)
{
	unsigned int k, best = s->n_pkt;
	struct icesim_pkt p;

	for (k = 0; k < s->n_pkt; k++)
		if (s->pkt[k].at <= s->fc.now &&
		    (best == s->n_pkt || s->pkt[k].at < s->pkt[best].at))
			best = k;
	if (best == s->n_pkt)
		return false;
	p = s->pkt[best];
	memmove(&s->pkt[best], &s->pkt[best + 1],
		(s->n_pkt - best - 1) * sizeof(*s->pkt));
	s->n_pkt--;
	s->side[1 - p.dst].delivered++;
	ice_agent_on_datagram(s->side[p.dst].agent, &p.local_base, &p.from,
			      p.buf, p.len, s->fc.now);
	return true;
}

static bool flush(struct icesim *s)
{
	struct ice_tx tx;
	bool any = false;
	int i;

	for (i = 0; i < 2; i++) {
		if (!s->side[i].agent)
			continue;
		while (ice_agent_poll(s->side[i].agent, s->fc.now, &tx)) {
			route(s, i, &tx);
			any = true;
		}
		drain_events(s, i);
	}
	return any;
}

uint64_t icesim_run(struct icesim *s, uint64_t until,
		    bool (*stop)(struct icesim *s, void *ctx), void *ctx)
{
	for (;;) {
		uint64_t next = ICE_NEVER;
		bool progress = true;
		unsigned int k;
		int i;

		while (progress) {
			progress = flush(s);
			while (deliver_one(s)) {
				progress = true;
				flush(s);
			}
		}
		if (stop && stop(s, ctx))
			break;
		for (i = 0; i < 2; i++)
			if (s->side[i].agent) {
				uint64_t t = ice_agent_next_timeout(
					s->side[i].agent);

				if (t < next)
					next = t;
			}
		for (k = 0; k < s->n_pkt; k++)
			if (s->pkt[k].at < next)
				next = s->pkt[k].at;
		if (next == ICE_NEVER || next > until) {
			if (s->fc.now < until)
				s->fc.now = until;
			break;
		}
		if (next <= s->fc.now) {
			s->spins++;	/* a timer that does nothing: a bug */
			next = s->fc.now + 1;
		}
		s->fc.now = next;
	}
	return s->fc.now;
}

bool icesim_both_completed(struct icesim *s, void *ctx)
{
	(void)ctx;
	return s->side[0].completed && s->side[1].completed;
}

bool icesim_any_done(struct icesim *s, void *ctx)
{
	(void)ctx;
	return s->side[0].completed || s->side[1].completed ||
	       s->side[0].failed || s->side[1].failed;
}

int icesim_find_event(const struct icesim *s, int i, enum ice_event_type type,
		      unsigned int from)
{
	unsigned int k;

	for (k = from; k < s->side[i].n_ev; k++)
		if (s->side[i].ev[k].type == type)
			return (int)k;
	return -1;
}
