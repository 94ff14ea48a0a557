// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the sans-IO ICE engine (agent/ice_agent.c). One
 * agent with two local host candidates and a fixed remote set of three is
 * driven by a program read from the input: raw datagrams (heap copies of
 * exact size, so ASan sees over-reads), authenticated Binding requests
 * with fuzzer-chosen PRIORITY / role / tie-breaker / USE-CANDIDATE and
 * source, responses to the last request the agent sent (right or wrong
 * key, transaction ID, source, mapped address, error code), time steps,
 * polls and ICE restarts. Random bytes come from a generator seeded by the
 * input, so runs reproduce.
 *
 * Beyond memory safety (ASan, UBSan, leaks), invariants abort:
 *  - time never runs backwards in emitted events; next_timeout is never in
 *    the past while nothing is queued (else a caller would spin);
 *  - the check list never exceeds max_checks pairs, and exploratory check
 *    transactions per session never exceed max_checks
 *    (seed 004 s.14.4.2);
 *  - every emitted datagram decodes as STUN with a FINGERPRINT and fits
 *    ICE_TX_MAX;
 *  - a COMPLETED agent has a selected pair.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ice_agent.h"
#include "stun.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond)							\
	do {								\
		if (!(cond))						\
			abort();					\
	} while (0)


static const char LUF[] = "Lufr", LPW[] = "LLLLpasswordpassword00";
static const char RUF[] = "Rufr", RPW[] = "RRRRpasswordpassword11";
static const char LUF2[] = "Lnew", LPW2[] = "NNNNpasswordpassword22";

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t u8(struct in *in)
{
	uint8_t v;

	if (!in->n)
		return 0;
	v = *in->p++;
	in->n--;
	return v;
}

static uint16_t u16(struct in *in)
{
	return (uint16_t)(u8(in) << 8 | u8(in));
}

static uint32_t u32(struct in *in)
{
	return (uint32_t)u16(in) << 16 | u16(in);
}

static void rng(void *ctx, uint8_t *buf, size_t n)
{
	uint64_t *st = ctx;
	size_t i;

	for (i = 0; i < n; i++) {
		*st = *st * 6364136223846793005ull + 1442695040888963407ull;
		buf[i] = (uint8_t)(*st >> 56);
	}
}

static void host(struct ice_cand *c, uint8_t a, uint8_t b, uint16_t port,
		 uint16_t lp)
{
	uint8_t ip[4] = { 10, 0, a, b };

	memset(c, 0, sizeof(*c));
	c->type = ICE_CAND_HOST;
	c->transport = ICE_TRANSPORT_UDP;
	c->component = 1;
	c->local_pref = lp;
	ice_addr_set(&c->addr, AF_INET, ip, port);
	c->base = c->addr;
	ice_cand_compute_priority(c);
}

struct st {
	struct ice_agent *a;
	struct ice_cand local[2], remote[3];
	struct ice_addr others[2];	/* not in any candidate */
	uint64_t now, last_ev;
	unsigned int max_checks;
	bool restarted;
	const char *luf, *lpw, *ruf;
	/* the last request the agent sent */
	bool have_req;
	uint8_t tid[STUN_TID_LEN];
	struct ice_addr req_base, req_to;
};

static const struct ice_addr *pick(struct st *s, uint8_t k)
{
	switch (k % 6) {
	case 0: case 1: case 2: return &s->remote[k % 6].addr;
	case 3: return &s->others[0];
	case 4: return &s->others[1];
	default: return &s->local[0].addr;
	}
}

static void feed(struct st *s, const struct ice_addr *base,
		 const struct ice_addr *from, const uint8_t *buf, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	check(copy);
	memcpy(copy, buf, len);
	ice_agent_on_datagram(s->a, base, from, copy, len, s->now);
	free(copy);
}

static void drain(struct st *s)
{
	struct ice_event ev;
	struct ice_tx tx;
	struct stun_msg m;
	int guard = 0;

	while (ice_agent_poll(s->a, s->now, &tx)) {
		check(tx.len >= STUN_HDR_LEN && tx.len <= ICE_TX_MAX);
		check(stun_decode(tx.buf, tx.len, &m, NULL) == STUN_OK);
		check(stun_msg_has(&m, STUN_K_FINGERPRINT));
		if (m.cls == STUN_REQUEST) {
			s->have_req = true;
			memcpy(s->tid, m.tid, STUN_TID_LEN);
			s->req_base = tx.local_base;
			s->req_to = tx.to;
		}
		check(++guard < 10000);
	}
	while (ice_agent_next_event(s->a, &ev)) {
		check(ev.time >= s->last_ev);
		s->last_ev = ev.time;
	}
	check(ice_agent_checklist(s->a)->n <= s->max_checks);
	if (!s->restarted)
		check(ice_agent_stats(s->a)->checks_sent -
			      ice_agent_stats(s->a)->nominations_sent <=
		      s->max_checks);
	check(ice_agent_next_timeout(s->a) > s->now);
	if (ice_agent_state(s->a) == ICE_ST_COMPLETED)
		check(ice_agent_selected(s->a, NULL, NULL));
}

static void op_request(struct st *s, struct in *in)
{
	uint8_t flags = u8(in), buf[ICE_TX_MAX];
	const struct ice_addr *from = pick(s, u8(in));
	const struct ice_addr *base = &s->local[flags & 1].addr;
	uint32_t prio = u32(in);
	uint64_t tb = (uint64_t)u32(in) << 32 | u32(in);
	char user[80];
	struct stun_builder b;
	size_t len;

	snprintf(user, sizeof(user), "%s:%s", s->luf, (flags & 2) ? "Xx" : s->ruf);
	stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING,
			STUN_REQUEST, NULL);
	if (!(flags & 4))
		stun_build_username(&b, user);
	if (!(flags & 8))
		stun_build_priority(&b, prio);
	if (flags & 16)
		stun_build_ice_controlling(&b, tb);
	if (flags & 32)
		stun_build_ice_controlled(&b, tb);
	if (flags & 64)
		stun_build_use_candidate(&b);
	if (!(flags & 128))
		stun_build_integrity(&b, (const uint8_t *)s->lpw,
				     strlen(s->lpw));
	stun_build_fingerprint(&b);
	len = stun_build_len(&b);
	if (len)
		feed(s, base, from, buf, len);
}

static void op_response(struct st *s, struct in *in)
{
	uint8_t flags = u8(in), buf[ICE_TX_MAX], tid[STUN_TID_LEN];
	uint8_t mk = u8(in);
	struct stun_builder b;
	struct stun_addr sa;
	const struct ice_addr *from, *base;
	size_t len;

	if (!s->have_req)
		return;
	memcpy(tid, s->tid, sizeof(tid));
	if (flags & 1)
		tid[mk % STUN_TID_LEN] ^= 1;
	from = (flags & 2) ? pick(s, mk) : &s->req_to;
	base = (flags & 4) ? &s->local[1].addr : &s->req_base;
	memset(&sa, 0, sizeof(sa));
	if (flags & 8) {
		/* a mapped address that is not a local candidate */
		uint8_t ip[4] = { 192, 0, 2, mk };

		stun_addr_set(&sa, AF_INET, ip, (uint16_t)(4000 + mk));
	} else {
		stun_addr_set(&sa, AF_INET, s->req_base.ip, s->req_base.port);
	}
	stun_build_init(&b, buf, sizeof(buf), STUN_METHOD_BINDING,
			(flags & 16) ? STUN_ERROR : STUN_SUCCESS, tid);
	if (flags & 16)
		stun_build_error_code(&b, (flags & 32) ? 487 : 400 + mk % 200,
				      NULL);
	else if (!(flags & 32))
		stun_build_xor_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS, &sa);
	if (!(flags & 64))
		stun_build_integrity(&b, (const uint8_t *)RPW, strlen(RPW));
	else if (flags & 128)
		stun_build_integrity(&b, (const uint8_t *)LPW, strlen(LPW));
	stun_build_fingerprint(&b);
	len = stun_build_len(&b);
	if (len)
		feed(s, base, from, buf, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ice_agent_config cfg;
	struct mice_fake_clock fc;
	struct mice_clock clk;
	struct in in = { data, size };
	struct st s;
	uint64_t seed;
	uint8_t mode;
	int steps = 0;
	uint8_t o1[4] = { 10, 0, 9, 9 }, o2[4] = { 172, 16, 0, 1 };

	memset(&s, 0, sizeof(s));
	mode = u8(&in);
	seed = u32(&in);
	ice_agent_config_default(&cfg);
	cfg.controlling = mode & 1;
	cfg.nomination = (mode & 2) ? ICE_NOM_AGGRESSIVE : ICE_NOM_REGULAR;
	cfg.use_frozen = mode & 4;
	cfg.disable_consent = mode & 8;
	cfg.tiebreaker = (mode & 16) ? 0x8000000000000000ull : 1;
	/* 4 (fewer than the 6 pairs: the cap is reached) or 12 */
	s.max_checks = (mode & 32) ? 4 : 12;
	cfg.max_checks = s.max_checks;
	cfg.allow_short_rto = true;
	cfg.rto_ms = 20 + (mode >> 6) * 60;
	cfg.rand_bytes = rng;
	cfg.rand_ctx = &seed;
	snprintf(cfg.ufrag, sizeof(cfg.ufrag), "%s", LUF);
	snprintf(cfg.pwd, sizeof(cfg.pwd), "%s", LPW);
	s.luf = LUF;
	s.lpw = LPW;
	s.ruf = RUF;
	mice_clock_fake(&clk, &fc, 0);
	s.a = ice_agent_new(&cfg, &clk);
	check(s.a);
	host(&s.local[0], 0, 1, 5000, 65535);
	host(&s.local[1], 1, 1, 5001, 60000);
	host(&s.remote[0], 0, 2, 6000, 65535);
	host(&s.remote[1], 1, 2, 6001, 60000);
	host(&s.remote[2], 2, 2, 6002, 50000);
	ice_addr_set(&s.others[0], AF_INET, o1, 7000);
	ice_addr_set(&s.others[1], AF_INET, o2, 7001);
	check(ice_agent_add_local_candidate(s.a, &s.local[0]) == ICE_OK);
	check(ice_agent_add_local_candidate(s.a, &s.local[1]) == ICE_OK);
	/* Bit 7 of the second mode byte: datagrams before the answer. */
	if (!(u8(&in) & 0x80))
		check(ice_agent_set_remote(s.a, RUF, RPW, s.remote, 3, true,
					   0) == ICE_OK);

	while (in.n && steps++ < 400) {
		uint8_t op = u8(&in);

		switch (op % 8) {
		case 0: {	/* raw datagram */
			size_t len = u8(&in) % 200;
			const struct ice_addr *from = pick(&s, u8(&in));

			if (len > in.n)
				len = in.n;
			feed(&s, &s.local[op >> 7].addr, from, in.p, len);
			in.p += len;
			in.n -= len;
			break;
		}
		case 1:
		case 2:
			op_request(&s, &in);
			break;
		case 3:
		case 4:
			op_response(&s, &in);
			break;
		case 5:		/* time step */
			s.now += u16(&in) % 8000;
			break;
		case 6:		/* jump to the agent's next timer */
			if (ice_agent_next_timeout(s.a) != ICE_NEVER &&
			    ice_agent_next_timeout(s.a) < s.now + 100000)
				s.now = ice_agent_next_timeout(s.a);
			break;
		case 7:
			if ((op >> 3) == 0 && !s.restarted) {
				/* ICE restart (seed 004 s.9) */
				check(ice_agent_restart(s.a, LUF2, LPW2,
							s.now) == ICE_OK);
				s.restarted = true;
				s.luf = LUF2;
				s.lpw = LPW2;
				s.have_req = false;
				s.ruf = "Rnew";
				check(ice_agent_set_remote(s.a, s.ruf, RPW,
							   s.remote, 3, true,
							   s.now) == ICE_OK);
			} else if ((op >> 3) == 1) {
				ice_agent_set_remote(s.a, s.ruf, RPW,
						     s.remote, 3, true, s.now);
			}
			break;
		}
		fc.now = s.now;
		drain(&s);
	}
	ice_agent_free(s.a);
	return 0;
}
