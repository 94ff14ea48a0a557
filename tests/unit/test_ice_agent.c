// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of agent/ice_agent.c, the sans-IO ICE connectivity-check
 * engine, on a fake clock with two agents on a simulated network
 * (tests/unit/icesim.c): completion and the selected pair, Ta pacing
 * (RFC 8445 s.6.1.4.2), the RFC 8489 s.6.2.1 retransmission schedule and
 * timeout, role conflicts (s.7.3.1.1, s.7.2.5.1), integrity and
 * transaction/source checks (RFC 8489 s.9.1.3/s.9.1.4, s.7.2.5.2.1),
 * regular vs aggressive nomination (s.8.1.1), consent freshness
 * (RFC 7675 s.5.1), the 100-check cap (seed 004 s.14.4.2), the remote cap,
 * unauthenticated offers (seed 004 s.14), ICE restart (seed 004 s.9),
 * peer-reflexive candidates through a NAT (s.7.2.5.3.1, s.7.3.1.3).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icesim.h"
#include "ice_agent.h"
#include "stun.h"

#define A 0
#define B 1

static const char *const UF[2] = { "Aufr", "Bufr" };
static const char *const PW[2] = { "AAAApasswordpassword00",
				   "BBBBpasswordpassword11" };

static void cfg_init(struct ice_agent_config *c, int side, bool controlling,
		     uint64_t tb)
{
	ice_agent_config_default(c);
	c->controlling = controlling;
	c->tiebreaker = tb;
	snprintf(c->ufrag, sizeof(c->ufrag), "%s", UF[side]);
	snprintf(c->pwd, sizeof(c->pwd), "%s", PW[side]);
}

struct cands {
	unsigned int n;
	struct ice_cand c[256];
};

static void cand_add(struct cands *cs, const char *ip, uint16_t port,
		     uint16_t lp)
{
	icesim_host4(&cs->c[cs->n++], ip, port, lp);
}

/* Local candidates of side @i; @reach: also registered in the sim. */
static void give_locals(struct icesim *s, int i, const struct cands *cs,
			unsigned int n_reach)
{
	unsigned int k;

	for (k = 0; k < cs->n; k++) {
		ck_assert_int_eq(ice_agent_add_local_candidate(
					 s->side[i].agent, &cs->c[k]),
				 ICE_OK);
		if (k < n_reach)
			icesim_add_addr(s, i, &cs->c[k].addr);
	}
}

static void give_remote(struct icesim *s, int i, const struct cands *peer)
{
	ck_assert_int_eq(ice_agent_set_remote(s->side[i].agent, UF[1 - i],
					      PW[1 - i], peer->c, peer->n,
					      true, s->fc.now),
			 ICE_OK);
}

/* Two agents, A controlling (tb 2) and B controlled (tb 1), with @ca/@cb
 * (all reachable) exchanged. */
static struct icesim *pair_setup(const struct ice_agent_config *cfa,
				 const struct ice_agent_config *cfb,
				 const struct cands *ca, const struct cands *cb)
{
	struct icesim *s = icesim_new(42);

	ck_assert_ptr_nonnull(icesim_agent(s, A, cfa));
	ck_assert_ptr_nonnull(icesim_agent(s, B, cfb));
	give_locals(s, A, ca, ca->n);
	give_locals(s, B, cb, cb->n);
	give_remote(s, A, cb);
	give_remote(s, B, ca);
	return s;
}

static void simple_cands(struct cands *ca, struct cands *cb)
{
	memset(ca, 0, sizeof(*ca));
	memset(cb, 0, sizeof(*cb));
	cand_add(ca, "10.0.0.1", 5000, 65535);
	cand_add(cb, "10.0.0.2", 6000, 65535);
}

/* ---- completion and the selected pair ---- */

START_TEST(test_complete_host)
{
	struct ice_agent_config cfa, cfb;
	struct cands ca = { 0 }, cb = { 0 };
	struct ice_pair_info pa, pb;
	struct ice_addr want_a, want_b;
	struct icesim *s = icesim_new(1);
	unsigned int k;
	bool stale;

	cfg_init(&cfa, A, true, 2);
	cfg_init(&cfb, B, false, 1);
	/* A: two reachable hosts. B: an unreachable one with the highest
	 * priority (a stale address), then a reachable one. */
	cand_add(&ca, "10.0.0.1", 5000, 65535);
	cand_add(&ca, "10.0.1.1", 5001, 60000);
	cand_add(&cb, "10.9.9.9", 6001, 65535);
	cand_add(&cb, "10.0.0.2", 6000, 60000);
	icesim_agent(s, A, &cfa);
	icesim_agent(s, B, &cfb);
	give_locals(s, A, &ca, 2);
	give_locals(s, B, &cb, 0);
	icesim_add_addr(s, B, &cb.c[1].addr);
	give_remote(s, A, &cb);
	give_remote(s, B, &ca);
	ck_assert_int_eq(ice_agent_state(s->side[A].agent), ICE_ST_CHECKING);
	icesim_run(s, 60000, icesim_both_completed, NULL);

	ck_assert(s->side[A].completed && s->side[B].completed);
	ck_assert_int_eq(ice_agent_state(s->side[A].agent), ICE_ST_COMPLETED);
	ck_assert_int_eq(ice_agent_state(s->side[B].agent), ICE_ST_COMPLETED);
	ck_assert(ice_agent_selected(s->side[A].agent, &pa, &stale));
	ck_assert(!stale);
	ck_assert(ice_agent_selected(s->side[B].agent, &pb, NULL));
	icesim_addr4(&want_a, "10.0.0.1", 5000);
	icesim_addr4(&want_b, "10.0.0.2", 6000);
	/* the best working pair: A's first host with B's reachable one */
	ck_assert(ice_addr_eq(&pa.local_base, &want_a));
	ck_assert(ice_addr_eq(&pa.remote.addr, &want_b));
	ck_assert(ice_addr_eq(&pb.local_base, &want_b));
	ck_assert(ice_addr_eq(&pb.remote.addr, &want_a));
	ck_assert(pa.nominated && pb.nominated);
	/* both sides compute the same pair priority (s.6.1.2.3) */
	ck_assert_uint_eq(pa.priority, pb.priority);
	ck_assert_int_ge(icesim_find_event(s, A, ICE_EV_SELECTED, 0), 0);
	ck_assert_int_ge(icesim_find_event(s, B, ICE_EV_NOMINATED, 0), 0);
	ck_assert_uint_eq(s->spins, 0);
	/* nothing was dropped on either side (late answers to checks
	 * cancelled on completion are not drops) */
	for (k = 0; k < ICE_DROP__COUNT; k++) {
		ck_assert_uint_eq(ice_agent_stats(s->side[A].agent)->dropped[k], 0);
		ck_assert_uint_eq(ice_agent_stats(s->side[B].agent)->dropped[k], 0);
	}
	icesim_free(s);
}
END_TEST

/* IPv6 host candidates, and the pair-state events of the selected pair:
 * Waiting -> In-Progress -> Succeeded (s.6.1.2.6, s.7.2.5.3.3). */
START_TEST(test_complete_ipv6_events)
{
	struct ice_agent_config cfa, cfb;
	struct cands ca = { 0 }, cb = { 0 };
	struct ice_pair_info pa;
	struct icesim *s;
	uint8_t ip[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	enum cl_state seen[8];
	unsigned int k, n = 0;

	cfg_init(&cfa, A, true, 2);
	cfg_init(&cfb, B, false, 1);
	for (k = 0; k < 2; k++) {
		struct ice_cand *c = k ? &cb.c[cb.n++] : &ca.c[ca.n++];

		memset(c, 0, sizeof(*c));
		c->type = ICE_CAND_HOST;
		c->transport = ICE_TRANSPORT_UDP;
		c->component = 1;
		c->local_pref = 65535;
		ip[15] = (uint8_t)(k + 1);
		ice_addr_set(&c->addr, AF_INET6, ip, (uint16_t)(5000 + k));
		c->base = c->addr;
		ice_cand_compute_priority(c);
	}
	s = pair_setup(&cfa, &cfb, &ca, &cb);
	icesim_run(s, 60000, icesim_both_completed, NULL);
	ck_assert(icesim_both_completed(s, NULL));
	ck_assert(ice_agent_selected(s->side[A].agent, &pa, NULL));
	ck_assert_int_eq(pa.remote.addr.family, AF_INET6);
	ck_assert(ice_addr_eq(&pa.remote.addr, &cb.c[0].addr));
	for (k = 0; k < s->side[A].n_ev && n < 8; k++)
		if (s->side[A].ev[k].type == ICE_EV_PAIR_STATE &&
		    s->side[A].ev[k].pair_id == pa.pair_id)
			seen[n++] = s->side[A].ev[k].new_state;
	/* In-Progress -> Succeeded, or, when the peer's check crossed ours,
	 * In-Progress -> Waiting (ours cancelled, a triggered check queued,
	 * s.7.3.1.4) -> Succeeded */
	ck_assert(n == 2 || (n == 3 && seen[1] == CL_WAITING));
	ck_assert_int_eq(seen[0], CL_IN_PROGRESS);
	ck_assert_int_eq(seen[n - 1], CL_SUCCEEDED);
	/* VALID, NOMINATED, SELECTED, COMPLETED in that order */
	ck_assert_int_lt(icesim_find_event(s, A, ICE_EV_VALID, 0),
			 icesim_find_event(s, A, ICE_EV_NOMINATED, 0));
	ck_assert_int_lt(icesim_find_event(s, A, ICE_EV_NOMINATED, 0),
			 icesim_find_event(s, A, ICE_EV_SELECTED, 0));
	ck_assert_int_lt(icesim_find_event(s, A, ICE_EV_SELECTED, 0),
			 icesim_find_event(s, A, ICE_EV_COMPLETED, 0));
	icesim_free(s);
}
END_TEST

/* ---- pacing: one new check per Ta (RFC 8445 s.6.1.4.2) ---- */

struct tidlog {
	unsigned int n;
	struct {
		uint8_t tid[STUN_TID_LEN];
		uint64_t first, sends[16];
		unsigned int nsend;
		bool use_cand;
	} t[512];
	int side;
	bool only_requests;
};

static void tap_log(void *ctx, struct icesim *s, int from,
		    const struct ice_tx *tx, uint64_t now)
{
	struct tidlog *l = ctx;
	struct stun_msg m;
	unsigned int k;

	(void)s;
	if (from != l->side || stun_decode(tx->buf, tx->len, &m, NULL) != STUN_OK ||
	    m.cls != STUN_REQUEST)
		return;
	for (k = 0; k < l->n; k++)
		if (!memcmp(l->t[k].tid, m.tid, STUN_TID_LEN))
			break;
	if (k == l->n) {
		if (l->n == 512)
			return;
		memcpy(l->t[k].tid, m.tid, STUN_TID_LEN);
		l->t[k].first = now;
		l->t[k].nsend = 0;
		l->t[k].use_cand = stun_msg_has(&m, STUN_K_USE_CANDIDATE);
		l->n++;
	}
	if (l->t[k].nsend < 16)
		l->t[k].sends[l->t[k].nsend++] = now;
}

/* tap_log for both sides: @ctx is struct tidlog[2], one per side */
static void tap_log2(void *ctx, struct icesim *s, int from,
		     const struct ice_tx *tx, uint64_t now)
{
	struct tidlog *l = ctx;

	tap_log(&l[from], s, from, tx, now);
}

/* @agreed: 0, or the Ta set with ice_agent_set_ta over the configured
 * @ta before the first check (what the daemon does once both proposals
 * are known) */
static void pacing_run_agreed(uint32_t ta, uint32_t agreed)
{
	struct ice_agent_config cfa, cfb;
	struct cands ca = { 0 }, cb = { 0 };
	static struct tidlog log;
	struct icesim *s = icesim_new(3);
	uint64_t mingap = UINT64_MAX;
	unsigned int k;
	char ip[32];

	memset(&log, 0, sizeof(log));
	log.side = A;
	cfg_init(&cfa, A, true, 2);
	cfg_init(&cfb, B, false, 1);
	cfa.ta_ms = ta;
	cand_add(&ca, "10.0.0.1", 5000, 65535);
	for (k = 0; k < 12; k++) {
		snprintf(ip, sizeof(ip), "10.8.0.%u", k + 1);
		cand_add(&cb, ip, 7000, (uint16_t)(65000 - k));
	}
	icesim_agent(s, A, &cfa);
	icesim_agent(s, B, &cfb);
	give_locals(s, A, &ca, 1);
	give_locals(s, B, &cb, 0);	/* all of B's are unreachable */
	if (agreed) {
		ck_assert_int_eq(ice_agent_set_ta(s->side[A].agent, agreed), ICE_OK);
		ta = agreed;
	}
	give_remote(s, A, &cb);
	s->tap = tap_log;
	s->tap_ctx = &log;
	icesim_run(s, 2000, NULL, NULL);
	ck_assert_uint_eq(log.n, 12);	/* every pair checked once */
	for (k = 1; k < log.n; k++) {
		uint64_t gap = log.t[k].first - log.t[k - 1].first;

		ck_assert_uint_ge(gap, ta);
		if (gap < mingap)
			mingap = gap;
	}
	ck_assert_uint_eq(mingap, ta);	/* and no slower than needed */
	ck_assert_uint_eq(s->spins, 0);
	icesim_free(s);
}

static void pacing_run(uint32_t ta)
{
	pacing_run_agreed(ta, 0);
}

START_TEST(test_pacing_ta)
{
	pacing_run(ICE_DEFAULT_TA_MS);
	pacing_run(20);
	pacing_run(ICE_MIN_TA_MS);
}
END_TEST

/*
 * RFC 8445 s.14.2: both agents use the larger proposal; none proposed
 * counts as the default 50 ms; never below 5 ms; ours: never above
 * ICE_MAX_TA_MS whatever the peer proposes. The agreed Ta paces the
 * checks from the first one on.
 */
START_TEST(test_pacing_agreed)
{
	ck_assert_uint_eq(ice_ta_agreed(5, 5), 5);
	ck_assert_uint_eq(ice_ta_agreed(5, 20), 20);
	ck_assert_uint_eq(ice_ta_agreed(20, 5), 20);
	ck_assert_uint_eq(ice_ta_agreed(5, 0), ICE_DEFAULT_TA_MS);
	ck_assert_uint_eq(ice_ta_agreed(0, 5), ICE_DEFAULT_TA_MS);
	ck_assert_uint_eq(ice_ta_agreed(0, 0), ICE_DEFAULT_TA_MS);
	ck_assert_uint_eq(ice_ta_agreed(100, 0), 100);
	ck_assert_uint_eq(ice_ta_agreed(1, 2), ICE_MIN_TA_MS);
	ck_assert_uint_eq(ice_ta_agreed(5, 65535), ICE_MAX_TA_MS);
	ck_assert_int_eq(ice_agent_set_ta(NULL, 50), ICE_E_ARG);

	pacing_run_agreed(5, 30);	/* configured 5, the peer proposed 30 */
	pacing_run_agreed(50, 5);	/* set_ta may also lower it */
}
END_TEST

START_TEST(test_pacing_set_ta_bounds)
{
	struct ice_agent_config c;
	struct icesim *s = icesim_new(7);
	struct ice_agent *a;

	cfg_init(&c, A, true, 2);
	a = icesim_agent(s, A, &c);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(ice_agent_set_ta(a, ICE_MIN_TA_MS - 1), ICE_E_ARG);
	ck_assert_int_eq(ice_agent_set_ta(a, ICE_MAX_TA_MS + 1), ICE_E_ARG);
	ck_assert_int_eq(ice_agent_set_ta(a, ICE_MIN_TA_MS), ICE_OK);
	ck_assert_int_eq(ice_agent_set_ta(a, ICE_MAX_TA_MS), ICE_OK);
	icesim_free(s);
}
END_TEST

/* ---- retransmissions and timeout (RFC 8489 s.6.2.1) ---- */

static void rtx_run(uint32_t rto, const uint64_t *want, unsigned int nwant,
		    uint64_t timeout)
{
	struct ice_agent_config cfa;
	struct cands ca = { 0 }, cb = { 0 };
	static struct tidlog log;
	struct icesim *s = icesim_new(4);
	const struct checklist *cl;
	unsigned int k;
	int e;

	memset(&log, 0, sizeof(log));
	log.side = A;
	cfg_init(&cfa, A, true, 2);
	cfa.rto_ms = rto;
	cfa.allow_short_rto = rto < 500;
	cand_add(&ca, "10.0.0.1", 5000, 65535);
	cand_add(&cb, "10.7.7.7", 7000, 65535);	/* unreachable */
	icesim_agent(s, A, &cfa);
	give_locals(s, A, &ca, 1);
	give_remote(s, A, &cb);
	s->tap = tap_log;
	s->tap_ctx = &log;
	icesim_run(s, timeout - 1, NULL, NULL);
	cl = ice_agent_checklist(s->side[A].agent);
	ck_assert_int_eq(cl->pairs[0].state, CL_IN_PROGRESS);
	ck_assert_int_eq(ice_agent_state(s->side[A].agent), ICE_ST_CHECKING);
	icesim_run(s, timeout + 100000, NULL, NULL);
	ck_assert_uint_eq(log.n, 1);
	ck_assert_uint_eq(log.t[0].nsend, nwant);
	for (k = 0; k < nwant; k++)
		ck_assert_uint_eq(log.t[0].sends[k], want[k]);
	ck_assert_int_eq(cl->pairs[0].state, CL_FAILED);
	ck_assert_int_eq(ice_agent_state(s->side[A].agent), ICE_ST_FAILED);
	ck_assert(s->side[A].failed);
	ck_assert_uint_eq(s->side[A].failed_at, timeout);
	e = icesim_find_event(s, A, ICE_EV_PAIR_STATE, 0);
	ck_assert_int_ge(e, 0);
	ck_assert_uint_eq(ice_agent_stats(s->side[A].agent)->retransmits,
			  nwant - 1);
	icesim_free(s);
}

START_TEST(test_retransmit_schedule)
{
	static const uint64_t w500[] = { 0, 500, 1500, 3500, 7500, 15500,
					 31500 };
	static const uint64_t w100[] = { 0, 100, 300, 700, 1500, 3100, 6300 };

	rtx_run(500, w500, 7, 39500);
	rtx_run(100, w100, 7, 7900);
}
END_TEST

/* ---- role conflict (s.7.3.1.1, s.7.2.5.1) ---- */

START_TEST(test_role_conflict_both_controlling)
{
	struct ice_agent_config cfa, cfb;
	struct cands ca, cb;
	struct icesim *s;

	simple_cands(&ca, &cb);
	cfg_init(&cfa, A, true, 100);
	cfg_init(&cfb, B, true, 200);
	s = pair_setup(&cfa, &cfb, &ca, &cb);
	icesim_run(s, 60000, icesim_both_completed, NULL);
	ck_assert(s->side[A].completed && s->side[B].completed);
	/* the larger tie-breaker keeps controlling */
	ck_assert(!ice_agent_controlling(s->side[A].agent));
	ck_assert(ice_agent_controlling(s->side[B].agent));
	ck_assert_int_ge(icesim_find_event(s, A, ICE_EV_ROLE, 0), 0);
	ck_assert_int_lt(icesim_find_event(s, B, ICE_EV_ROLE, 0), 0);
	ck_assert_uint_ge(ice_agent_stats(s->side[B].agent)->errors_tx, 1);
	icesim_free(s);
}
END_TEST

START_TEST(test_role_conflict_both_controlled)
{
	struct ice_agent_config cfa, cfb;
	struct cands ca, cb;
	struct icesim *s;

	simple_cands(&ca, &cb);
	cfg_init(&cfa, A, false, 100);
	cfg_init(&cfb, B, false, 200);
	s = pair_setup(&cfa, &cfb, &ca, &cb);
	icesim_run(s, 60000, icesim_both_completed, NULL);
	ck_assert(s->side[A].completed && s->side[B].completed);
	ck_assert(!ice_agent_controlling(s->side[A].agent));
	ck_assert(ice_agent_controlling(s->side[B].agent));
	icesim_free(s);
}
END_TEST

/* The 487 path proper: B (larger tie-breaker) answers A's check before
 * it has the answer's candidates, so A can only learn of the conflict
 * from the 487. */
START_TEST(test_role_conflict_487)
{
	struct ice_agent_config cfa, cfb;
	struct cands ca, cb;
	struct icesim *s = icesim_new(5);
	int e;

	simple_cands(&ca, &cb);
	cfg_init(&cfa, A, true, 100);
	cfg_init(&cfb, B, true, 200);
	icesim_agent(s, A, &cfa);
	icesim_agent(s, B, &cfb);
	give_locals(s, A, &ca, 1);
	give_locals(s, B, &cb, 1);
	give_remote(s, A, &cb);
	icesim_run(s, 200, NULL, NULL);
	/* B sent nothing but the 487 (and no request) */
	ck_assert_uint_eq(s->side[B].stun_requests, 0);
	ck_assert_uint_eq(ice_agent_stats(s->side[B].agent)->errors_tx, 1);
	ck_assert_uint_eq(ice_agent_stats(s->side[B].agent)->role_conflicts, 1);
	e = icesim_find_event(s, A, ICE_EV_ROLE, 0);
	ck_assert_int_ge(e, 0);
	ck_assert(!s->side[A].ev[e].controlling);
	ck_assert(!ice_agent_controlling(s->side[A].agent));
	/* A retried as controlled: B answered that with success */
	ck_assert_uint_ge(ice_agent_stats(s->side[B].agent)->success_tx, 1);
	give_remote(s, B, &ca);
	icesim_run(s, 60000, icesim_both_completed, NULL);
	ck_assert(s->side[A].completed && s->side[B].completed);
	ck_assert(ice_agent_controlling(s->side[B].agent));
	/* the early check from A was remembered and triggered a check */
	ck_assert_uint_ge(ice_agent_stats(s->side[B].agent)->triggered, 1);
	icesim_free(s);
}
END_TEST

/* ---- integrity and response matching ---- */

static bool req_use_cand;	/* build_req adds USE-CANDIDATE */

static size_t build_req(uint8_t *buf, const char *user, const char *key,
			const uint8_t *tid, bool with_mi)
{
	struct stun_builder b;

	stun_build_init(&b, buf, ICE_TX_MAX, STUN_METHOD_BINDING,
			STUN_REQUEST, tid);
	stun_build_username(&b, user);
	stun_build_priority(&b, 0x6E7F00FF);
	stun_build_ice_controlling(&b, 77);
	if (req_use_cand)
		stun_build_use_candidate(&b);
	if (with_mi)
		stun_build_integrity(&b, (const uint8_t *)key, strlen(key));
	stun_build_fingerprint(&b);
	return stun_build_len(&b);
}

/* Polls one datagram from @ag and decodes it into @m (buffer @tx). */
static void poll_one(struct ice_agent *ag, uint64_t now, struct ice_tx *tx,
		     struct stun_msg *m)
{
	ck_assert_int_eq(ice_agent_poll(ag, now, tx), 1);
	ck_assert_int_eq(stun_decode(tx->buf, tx->len, m, NULL), STUN_OK);
}

START_TEST(test_request_integrity)
{
	struct ice_agent_config cfb;
	struct cands ca, cb;
	struct icesim *s = icesim_new(6);
	struct ice_agent *b;
	struct ice_tx tx;
	struct stun_msg m;
	uint8_t req[ICE_TX_MAX];
	size_t len;
	const struct ice_stats *st;

	simple_cands(&ca, &cb);
	cfg_init(&cfb, B, false, 1);
	b = icesim_agent(s, B, &cfb);
	give_locals(s, B, &cb, 1);
	give_remote(s, B, &ca);
	st = ice_agent_stats(b);
	/* B's own first check goes out first; take it out of the way */
	poll_one(b, 0, &tx, &m);
	ck_assert_int_eq(m.cls, STUN_REQUEST);

	/* wrong password: 401, no success response */
	len = build_req(req, "Bufr:Aufr", "wrongpasswordwrongpass", NULL, true);
	ck_assert_int_eq(ice_agent_on_datagram(b, &cb.c[0].addr, &ca.c[0].addr,
					       req, len, 0), ICE_RX_DROPPED);
	poll_one(b, 0, &tx, &m);
	ck_assert_int_eq(m.cls, STUN_ERROR);
	ck_assert_int_eq(m.error_code, 401);
	ck_assert(!stun_msg_has(&m, STUN_K_MESSAGE_INTEGRITY));
	ck_assert_uint_eq(st->dropped[ICE_DROP_REQ_AUTH], 1);
	ck_assert_uint_eq(st->success_tx, 0);

	/* right password, wrong USERNAME: 401 */
	len = build_req(req, "Xufr:Aufr", PW[A] /* wrong side */, NULL, true);
	ck_assert_int_eq(ice_agent_on_datagram(b, &cb.c[0].addr, &ca.c[0].addr,
					       req, len, 0), ICE_RX_DROPPED);
	poll_one(b, 0, &tx, &m);
	ck_assert_int_eq(m.error_code, 401);
	len = build_req(req, "Bufr:Zzzz", PW[B], NULL, true);
	ck_assert_int_eq(ice_agent_on_datagram(b, &cb.c[0].addr, &ca.c[0].addr,
					       req, len, 0), ICE_RX_DROPPED);
	poll_one(b, 0, &tx, &m);
	ck_assert_int_eq(m.error_code, 401);
	ck_assert_uint_eq(st->dropped[ICE_DROP_REQ_AUTH], 3);

	/* no MESSAGE-INTEGRITY: 400 */
	len = build_req(req, "Bufr:Aufr", PW[B], NULL, false);
	ck_assert_int_eq(ice_agent_on_datagram(b, &cb.c[0].addr, &ca.c[0].addr,
					       req, len, 0), ICE_RX_DROPPED);
	poll_one(b, 0, &tx, &m);
	ck_assert_int_eq(m.error_code, 400);
	ck_assert_uint_eq(st->dropped[ICE_DROP_REQ_AUTH], 4);
	ck_assert_uint_eq(st->success_tx, 0);
	ck_assert_uint_eq(st->requests_rx, 0);

	/* the right one gets a success with XOR-MAPPED-ADDRESS, MI, FP */
	len = build_req(req, "Bufr:Aufr", PW[B], NULL, true);
	ck_assert_int_eq(ice_agent_on_datagram(b, &cb.c[0].addr, &ca.c[0].addr,
					       req, len, 0), ICE_RX_HANDLED);
	poll_one(b, 0, &tx, &m);
	ck_assert_int_eq(m.cls, STUN_SUCCESS);
	ck_assert(stun_msg_has(&m, STUN_K_XOR_MAPPED_ADDRESS));
	ck_assert(stun_msg_has(&m, STUN_K_FINGERPRINT));
	ck_assert_int_eq(stun_check_integrity(tx.buf, tx.len, &m,
					      (const uint8_t *)PW[B],
					      strlen(PW[B])),
			 STUN_INTEGRITY_OK);
	ck_assert_uint_eq(m.xor_mapped.port, 5000);
	ck_assert(ice_addr_eq(&tx.to, &ca.c[0].addr));
	ck_assert_uint_eq(st->success_tx, 1);
	icesim_free(s);
}
END_TEST

/* RFC 8489 s.6.3.1.1: an authenticated request with an unknown
 * comprehension-required attribute gets 420 listing it, not a success. */
START_TEST(test_request_unknown_attr)
{
	struct ice_agent_config cfb;
	struct cands ca, cb;
	struct icesim *s = icesim_new(17);
	struct ice_agent *b;
	struct stun_builder bl;
	struct ice_tx tx;
	struct stun_msg m;
	uint8_t req[ICE_TX_MAX], v[4] = { 1, 2, 3, 4 };
	size_t len;

	simple_cands(&ca, &cb);
	cfg_init(&cfb, B, false, 1);
	b = icesim_agent(s, B, &cfb);
	give_locals(s, B, &cb, 1);
	stun_build_init(&bl, req, sizeof(req), STUN_METHOD_BINDING,
			STUN_REQUEST, NULL);
	stun_build_username(&bl, "Bufr:Aufr");
	stun_build_priority(&bl, 0x6E7F00FF);
	stun_build_ice_controlling(&bl, 77);
	stun_build_attr(&bl, 0x7777, v, sizeof(v));
	stun_build_integrity(&bl, (const uint8_t *)PW[B], strlen(PW[B]));
	stun_build_fingerprint(&bl);
	len = stun_build_len(&bl);
	ck_assert_int_eq(ice_agent_on_datagram(b, &cb.c[0].addr, &ca.c[0].addr,
					       req, len, 0), ICE_RX_HANDLED);
	poll_one(b, 0, &tx, &m);
	ck_assert_int_eq(m.cls, STUN_ERROR);
	ck_assert_int_eq(m.error_code, 420);
	ck_assert(stun_msg_has(&m, STUN_K_UNKNOWN_ATTRIBUTES));
	ck_assert_uint_eq(ice_agent_stats(b)->success_tx, 0);
	ck_assert_int_eq(ice_agent_poll(b, 0, &tx), 0);
	icesim_free(s);
}
END_TEST

static size_t build_resp(uint8_t *buf, const uint8_t *tid, const char *key,
			 const struct ice_addr *mapped)
{
	struct stun_builder b;
	struct stun_addr sa;

	memset(&sa, 0, sizeof(sa));
	sa.family = mapped->family;
	memcpy(sa.ip, mapped->ip, 16);
	sa.port = mapped->port;
	stun_build_init(&b, buf, ICE_TX_MAX, STUN_METHOD_BINDING,
			STUN_SUCCESS, tid);
	stun_build_xor_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS, &sa);
	stun_build_integrity(&b, (const uint8_t *)key, strlen(key));
	stun_build_fingerprint(&b);
	return stun_build_len(&b);
}

START_TEST(test_response_checks)
{
	struct ice_agent_config cfa;
	struct cands ca, cb;
	struct icesim *s = icesim_new(7);
	struct ice_agent *a;
	const struct checklist *cl;
	const struct ice_stats *st;
	struct ice_addr other;
	struct ice_tx tx;
	struct stun_msg m;
	uint8_t resp[ICE_TX_MAX], tid[STUN_TID_LEN];
	size_t len;

	simple_cands(&ca, &cb);
	cand_add(&cb, "10.0.0.3", 6003, 60000);
	cfg_init(&cfa, A, true, 2);
	a = icesim_agent(s, A, &cfa);
	give_locals(s, A, &ca, 1);
	give_remote(s, A, &cb);
	st = ice_agent_stats(a);
	cl = ice_agent_checklist(a);
	poll_one(a, 0, &tx, &m);
	ck_assert_int_eq(m.cls, STUN_REQUEST);
	ck_assert(ice_addr_eq(&tx.to, &cb.c[0].addr));
	ck_assert_int_eq(cl->pairs[0].state, CL_IN_PROGRESS);
	memcpy(tid, m.tid, sizeof(tid));

	/* a wrong transaction ID: dropped, counted */
	tid[0] ^= 0xFF;
	len = build_resp(resp, tid, PW[B], &ca.c[0].addr);
	ck_assert_int_eq(ice_agent_on_datagram(a, &ca.c[0].addr, &cb.c[0].addr,
					       resp, len, 10), ICE_RX_DROPPED);
	ck_assert_uint_eq(st->dropped[ICE_DROP_BAD_TXN], 1);
	tid[0] ^= 0xFF;
	/* the right ID, a wrong key: dropped, the transaction goes on */
	len = build_resp(resp, tid, PW[A], &ca.c[0].addr);
	ck_assert_int_eq(ice_agent_on_datagram(a, &ca.c[0].addr, &cb.c[0].addr,
					       resp, len, 10), ICE_RX_DROPPED);
	ck_assert_uint_eq(st->dropped[ICE_DROP_BAD_INTEGRITY], 1);
	ck_assert_int_eq(cl->pairs[0].state, CL_IN_PROGRESS);
	ck_assert_uint_eq(st->responses_rx, 0);
	/* still retransmitted at RTO */
	ck_assert_int_eq(ice_agent_poll(a, 49, &tx), 0);
	poll_one(a, 50, &tx, &m);	/* the second pair's check (Ta) */
	ck_assert(ice_addr_eq(&tx.to, &cb.c[1].addr));
	poll_one(a, 500, &tx, &m);
	ck_assert(!memcmp(m.tid, tid, STUN_TID_LEN));
	ck_assert_uint_eq(st->retransmits, 1);

	/* the right response from the wrong source: not symmetric, fails */
	icesim_addr4(&other, "10.0.0.9", 6000);
	len = build_resp(resp, tid, PW[B], &ca.c[0].addr);
	ck_assert_int_eq(ice_agent_on_datagram(a, &ca.c[0].addr, &other,
					       resp, len, 600), ICE_RX_DROPPED);
	ck_assert_uint_eq(st->dropped[ICE_DROP_BAD_SOURCE], 1);
	ck_assert_int_eq(cl_by_id((struct checklist *)cl, 1)->state,
			 CL_FAILED);

	/* the other pair is unaffected: still In-Progress */
	ck_assert_int_eq(cl_by_id((struct checklist *)cl, 2)->state,
			 CL_IN_PROGRESS);
	ck_assert_uint_eq(ice_agent_valid_count(a), 0);
	icesim_free(s);
}
END_TEST

/* Accepting a correct response: found by sending one for the exact
 * request the agent sent, so the checks above are not vacuous. */
START_TEST(test_response_accepted)
{
	struct ice_agent_config cfa;
	struct cands ca, cb;
	struct icesim *s = icesim_new(8);
	struct ice_agent *a;
	const struct checklist *cl;
	struct ice_tx tx;
	struct stun_msg m;
	uint8_t resp[ICE_TX_MAX];
	size_t len;

	simple_cands(&ca, &cb);
	cfg_init(&cfa, A, true, 2);
	a = icesim_agent(s, A, &cfa);
	give_locals(s, A, &ca, 1);
	give_remote(s, A, &cb);
	cl = ice_agent_checklist(a);
	poll_one(a, 0, &tx, &m);
	len = build_resp(resp, m.tid, PW[B], &ca.c[0].addr);
	ck_assert_int_eq(ice_agent_on_datagram(a, &ca.c[0].addr, &cb.c[0].addr,
					       resp, len, 5), ICE_RX_HANDLED);
	ck_assert_int_eq(cl->pairs[0].state, CL_SUCCEEDED);
	ck_assert_uint_eq(ice_agent_valid_count(a), 1);
	ck_assert_uint_eq(ice_agent_stats(a)->responses_rx, 1);
	/* a replay of the same response matches nothing any more */
	ck_assert_int_eq(ice_agent_on_datagram(a, &ca.c[0].addr, &cb.c[0].addr,
					       resp, len, 6), ICE_RX_DROPPED);
	ck_assert_uint_eq(ice_agent_stats(a)->dropped[ICE_DROP_BAD_TXN], 1);
	icesim_free(s);
}
END_TEST

/* ---- nomination (s.8.1.1) ---- */

static void nom_run(enum ice_nomination mode)
{
	struct ice_agent_config cfa, cfb;
	struct cands ca = { 0 }, cb = { 0 };
	static struct tidlog log;
	struct ice_pair_info pa, pb;
	struct icesim *s;
	unsigned int k, with_uc = 0;

	cand_add(&ca, "10.0.0.1", 5000, 65535);
	cand_add(&ca, "10.0.1.1", 5001, 60000);
	cand_add(&cb, "10.0.0.2", 6000, 65535);
	cand_add(&cb, "10.0.1.2", 6001, 60000);
	cfg_init(&cfa, A, true, 2);
	cfg_init(&cfb, B, false, 1);
	cfa.nomination = mode;
	s = pair_setup(&cfa, &cfb, &ca, &cb);
	memset(&log, 0, sizeof(log));
	log.side = A;
	s->tap = tap_log;
	s->tap_ctx = &log;
	icesim_run(s, 60000, icesim_both_completed, NULL);
	ck_assert(s->side[A].completed && s->side[B].completed);
	for (k = 0; k < log.n; k++) {
		with_uc += log.t[k].use_cand;
		/* ordinary, triggered and nomination checks share the Ta
		 * pacing (s.6.1.4.2) */
		if (k)
			ck_assert_uint_ge(log.t[k].first - log.t[k - 1].first,
					  ICE_DEFAULT_TA_MS);
	}
	if (mode == ICE_NOM_REGULAR) {
		/* ordinary checks without USE-CANDIDATE, then exactly one
		 * nomination check on the best valid pair */
		ck_assert_uint_eq(with_uc, 1);
		ck_assert(!log.t[0].use_cand);
		ck_assert(log.t[log.n - 1].use_cand);
		ck_assert_uint_eq(ice_agent_stats(s->side[A].agent)->nominations_sent, 1);
	} else {
		ck_assert_uint_eq(with_uc, log.n);	/* every check */
		ck_assert_uint_eq(ice_agent_stats(s->side[A].agent)->nominations_sent, 0);
	}
	ice_agent_selected(s->side[A].agent, &pa, NULL);
	ice_agent_selected(s->side[B].agent, &pb, NULL);
	ck_assert(ice_addr_eq(&pa.local_base, &ca.c[0].addr));
	ck_assert(ice_addr_eq(&pa.remote.addr, &cb.c[0].addr));
	ck_assert(ice_addr_eq(&pb.remote.addr, &ca.c[0].addr));
	ck_assert(ice_addr_eq(&pb.local_base, &cb.c[0].addr));
	icesim_free(s);
}

START_TEST(test_nomination_regular)
{
	nom_run(ICE_NOM_REGULAR);
}
END_TEST

START_TEST(test_nomination_aggressive)
{
	nom_run(ICE_NOM_AGGRESSIVE);
}
END_TEST

/*
 * The best pair goes to an unreachable address and stays In-Progress for
 * 39.5 s; the second one succeeds at once (first valid at ~50 ms). A's
 * nomination wait is 3 s. Returns the sim, run to completion, with the
 * selected pair in @pa.
 */
static struct icesim *dead_best_known_run(bool wait_for_silent,
					  bool known, struct cands *cb,
					  struct ice_pair_info *pa)
{
	struct ice_agent_config cfa, cfb;
	struct cands ca = { 0 };
	struct icesim *s = icesim_new(9);

	memset(cb, 0, sizeof(*cb));
	cand_add(&ca, "10.0.0.1", 5000, 65535);
	cand_add(cb, "10.9.9.9", 6001, 65535);
	cand_add(cb, "10.0.0.2", 6000, 60000);
	cfg_init(&cfa, A, true, 2);
	cfg_init(&cfb, B, false, 1);
	cfa.nominate_wait_ms = 3000;
	cfa.wait_for_silent = wait_for_silent;
	icesim_agent(s, A, &cfa);
	icesim_agent(s, B, &cfb);
	give_locals(s, A, &ca, 1);
	give_locals(s, B, cb, 0);
	icesim_add_addr(s, B, &cb->c[1].addr);
	if (known)
		ck_assert_int_eq(ice_agent_set_known_remote(s->side[A].agent,
							    &cb->c[1].addr),
				 ICE_OK);
	give_remote(s, A, cb);
	give_remote(s, B, &ca);
	icesim_run(s, 60000, icesim_both_completed, NULL);
	ck_assert(s->side[A].completed);
	ice_agent_selected(s->side[A].agent, pa, NULL);
	return s;
}

static struct icesim *dead_best_run(bool wait_for_silent, struct cands *cb,
				    struct ice_pair_info *pa)
{
	return dead_best_known_run(wait_for_silent, false, cb, pa);
}

/* With wait_for_silent, regular nomination waits for a better pair still
 * in progress: not before nominate_wait_ms, and right after it. */
START_TEST(test_nomination_waits_for_better)
{
	struct ice_pair_info pa;
	struct cands cb;
	struct icesim *s = dead_best_run(true, &cb, &pa);

	ck_assert_uint_ge(s->side[A].completed_at, 3000);
	ck_assert_uint_lt(s->side[A].completed_at, 3000 + 500);
	ck_assert(ice_addr_eq(&pa.remote.addr, &cb.c[1].addr));
	icesim_free(s);
}
END_TEST

/*
 * By default a better pair whose check has been silent for 1.25 RTT +
 * ICE_SILENT_SLACK_MS is taken for dead: the same case nominates the
 * working pair at once instead of after the wait (RFC 8445 s.8.1.1 leaves
 * when to stop to the controlling agent).
 */
START_TEST(test_nomination_gives_up_on_silent)
{
	struct ice_pair_info pa;
	struct cands cb;
	struct icesim *s = dead_best_run(false, &cb, &pa);

	/* the dead check started at 0, the good one at Ta (50 ms) with a
	 * ~0 ms RTT: given up on at once, nominated well before the wait */
	ck_assert_uint_lt(s->side[A].completed_at, 300);
	ck_assert(ice_addr_eq(&pa.remote.addr, &cb.c[1].addr));
	icesim_free(s);
}
END_TEST

/*
 * After a restart caused by our move (seed 004 s.9) the pair toward the
 * address the flows used until then is checked first, and nominated as
 * soon as it is valid. The same case as above, where without it the
 * working pair is checked a Ta (50 ms) after the dead best one and, with
 * wait_for_silent, nominated only after the 3 s wait.
 */
START_TEST(test_known_remote_first_and_at_once)
{
	struct ice_pair_info pa;
	struct cands cb;
	struct icesim *s = dead_best_known_run(true, true, &cb, &pa);
	int e = icesim_find_event(s, A, ICE_EV_VALID, 0);

	ck_assert_int_ge(e, 0);
	ck_assert(ice_addr_eq(&s->side[A].ev[e].pair.remote.addr, &cb.c[1].addr));
	ck_assert_uint_lt(s->side[A].ev[e].time, 50);	/* checked first */
	ck_assert_uint_lt(s->side[A].completed_at, 300);	/* no 3 s wait */
	ck_assert(ice_addr_eq(&pa.remote.addr, &cb.c[1].addr));
	icesim_free(s);
	/* without it: checked second, nominated after the wait */
	s = dead_best_known_run(true, false, &cb, &pa);
	e = icesim_find_event(s, A, ICE_EV_VALID, 0);
	ck_assert_int_ge(e, 0);
	ck_assert_uint_ge(s->side[A].ev[e].time, 50);
	ck_assert_uint_ge(s->side[A].completed_at, 3000);
	icesim_free(s);
}
END_TEST

/*
 * For test_hold_unknown: A has B's dead best address and its working one
 * (@cb), B checks only from the working one; A's known remote is
 * cb.c[@known], held. The remote sets are given, nothing has run.
 */
static struct icesim *held_setup(struct cands *cb, unsigned int known)
{
	struct ice_agent_config cfa, cfb;
	struct cands ca = { 0 }, bl = { 0 };
	struct icesim *s = icesim_new(9);

	memset(cb, 0, sizeof(*cb));
	cand_add(&ca, "10.0.0.1", 5000, 65535);
	cand_add(cb, "10.9.9.9", 6001, 65535);		/* dead, best */
	cand_add(cb, "10.0.0.2", 6000, 60000);
	cand_add(&bl, "10.0.0.2", 6000, 60000);
	cfg_init(&cfa, A, true, 2);
	cfg_init(&cfb, B, false, 1);
	icesim_agent(s, A, &cfa);
	icesim_agent(s, B, &cfb);
	give_locals(s, A, &ca, 1);
	give_locals(s, B, &bl, 0);
	icesim_add_addr(s, B, &cb->c[1].addr);
	ck_assert_int_eq(ice_agent_set_known_remote(s->side[A].agent,
						    &cb->c[known].addr), ICE_OK);
	ck_assert_int_eq(ice_agent_hold_unknown(s->side[A].agent, true), ICE_OK);
	give_remote(s, A, cb);
	give_remote(s, B, &ca);
	return s;
}

/*
 * Held, only the pair toward the known remote is checked: the same case
 * completes without a single datagram to the dead best address; released,
 * the held pairs are checked as usual.
 */
START_TEST(test_hold_unknown)
{
	const struct ice_stats *st;
	struct cands cb;
	struct icesim *s = held_setup(&cb, 1);

	icesim_run(s, 60000, icesim_both_completed, NULL);
	ck_assert(s->side[A].completed);
	ck_assert_uint_eq(s->side[A].unreachable, 0);	/* 10.9.9.9 untried */
	icesim_free(s);

	/* the known address dead: nothing else is tried until the release */
	s = held_setup(&cb, 0);
	s->side[B].blackhole = true;	/* no triggered checks on A meanwhile */
	icesim_run(s, 200, NULL, NULL);
	s->side[B].blackhole = false;
	st = ice_agent_stats(s->side[A].agent);
	ck_assert_uint_eq(st->checks_sent, 1);	/* only the known (dead) one */
	ck_assert(!s->side[A].completed);
	ice_agent_hold_unknown(s->side[A].agent, false);
	icesim_run(s, 60000, icesim_both_completed, NULL);
	ck_assert(s->side[A].completed);
	ck_assert_uint_ge(st->checks_sent, 2);
	icesim_free(s);
}
END_TEST

/* An address that is neither IPv4 nor IPv6 is refused; NULL forgets. */
START_TEST(test_known_remote_arg)
{
	struct ice_agent_config c;
	struct ice_agent *a;
	struct ice_addr bad = { 0 };
	struct icesim *s = icesim_new(3);

	cfg_init(&c, A, true, 2);
	a = ice_agent_new(&c, &s->clk);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(ice_agent_set_known_remote(a, &bad), ICE_E_ARG);
	ck_assert_int_eq(ice_agent_set_known_remote(a, NULL), ICE_OK);
	ck_assert_int_eq(ice_agent_set_known_remote(NULL, NULL), ICE_E_ARG);
	ice_agent_free(a);
	icesim_free(s);
}
END_TEST

/*
 * The best pair's path takes @best_ms from A, the worse one's @worse_ms,
 * and B's packets @back_ms back; A's silent slack is @slack (0: the
 * default). The worse pair, checked Ta after the best, must be valid
 * first. Returns whether the best pair was selected; *@done (if not NULL)
 * gets A's completion time.
 */
static bool young_run(uint32_t slack, uint64_t best_ms, uint64_t worse_ms,
		      uint64_t back_ms, uint64_t *done)
{
	struct ice_agent_config cfa, cfb;
	struct cands ca = { 0 }, cb = { 0 };
	struct ice_pair_info pa;
	struct icesim *s;
	bool best;
	int e;

	cand_add(&ca, "10.0.0.1", 5000, 65535);
	cand_add(&cb, "10.0.0.2", 6000, 65535);	/* best */
	cand_add(&cb, "10.0.1.2", 6001, 60000);
	cfg_init(&cfa, A, true, 2);
	cfg_init(&cfb, B, false, 1);
	cfa.silent_slack_ms = slack;
	s = pair_setup(&cfa, &cfb, &ca, &cb);
	icesim_add_path_delay(s, A, &cb.c[0].addr, best_ms);
	icesim_add_path_delay(s, A, &cb.c[1].addr, worse_ms);
	icesim_add_path_delay(s, B, &ca.c[0].addr, back_ms);
	icesim_run(s, 60000, icesim_both_completed, NULL);
	ck_assert(icesim_both_completed(s, NULL));
	e = icesim_find_event(s, A, ICE_EV_VALID, 0);
	ck_assert_int_ge(e, 0);
	ck_assert(ice_addr_eq(&s->side[A].ev[e].pair.remote.addr, &cb.c[1].addr));
	ice_agent_selected(s->side[A].agent, &pa, NULL);
	best = ice_addr_eq(&pa.remote.addr, &cb.c[0].addr);
	ck_assert(best || ice_addr_eq(&pa.remote.addr, &cb.c[1].addr));
	ck_assert_uint_lt(s->side[A].completed_at, 4000);
	if (done)
		*done = s->side[A].completed_at;
	icesim_free(s);
	return best;
}

/*
 * A better pair on a path a little slower than the fastest still wins:
 * B's packets take 1 s, so its own checks reach A late and A's first
 * checks decide; the worse pair is valid at 1250 ms (RTT 1200), the
 * best one's answer comes at 1260, within 1.25 RTT + slack.
 */
START_TEST(test_nomination_waits_for_young)
{
	ck_assert(young_run(0, 260, 200, 1000, NULL));
}
END_TEST

/*
 * silent_slack_ms sets the "+ slack", and the agent wakes up when a check
 * stops being young: the worse pair is valid at 250 ms (RTT 200, first
 * try), the best one's answer comes at 262 ms, past 1.25 x 200 + 5 but
 * within 1.25 x 200 + 20. With a 5 ms slack (the daemon's
 * restart-silent-slack-ms) the worse pair wins, at once.
 */
START_TEST(test_nomination_silent_slack)
{
	uint64_t done;

	ck_assert(young_run(ICE_SILENT_SLACK_MS, 162, 100, 100, NULL));
	ck_assert(!young_run(5, 162, 100, 100, &done));
	/* nominated at 255 (the slot is free), answered one RTT later */
	ck_assert_uint_eq(done, 255 + 200);
}
END_TEST

/* One host candidate each, RTT 40 ms, A controlling; A's first check lost. */
static struct icesim *crossing_setup(struct ice_agent_config *cfa,
				     struct ice_agent_config *cfb,
				     struct cands *ca, struct cands *cb)
{
	struct icesim *s;

	simple_cands(ca, cb);
	cfg_init(cfa, A, true, 2);
	cfg_init(cfb, B, false, 1);
	s = pair_setup(cfa, cfb, ca, cb);
	s->side[A].delay_ms = 20;
	s->side[B].delay_ms = 20;
	return s;
}

/* Run @s to completion with A's first request (t=0) dropped. */
static void crossing_run(struct icesim *s)
{
	s->side[A].blackhole = true;
	icesim_run(s, 1, NULL, NULL);
	s->side[A].blackhole = false;
	icesim_run(s, 60000, icesim_both_completed, NULL);
}

/*
 * A request that arrives for a pair whose own check is still In-Progress
 * makes the agent send that check's request again at once (the goal of
 * RFC 8445 s.7.3.1.4). Behind a filtering NAT our first request is dropped
 * until the peer's own check opens the way: here A's first request is
 * lost, and A's pair is valid right after B's check arrives, not after the
 * 500 ms retransmission.
 */
START_TEST(test_crossing_request_resends_in_progress)
{
	struct ice_agent_config cfa, cfb;
	struct cands ca, cb;
	struct icesim *s;
	int e;

	s = crossing_setup(&cfa, &cfb, &ca, &cb);
	crossing_run(s);
	ck_assert(icesim_both_completed(s, NULL));
	e = icesim_find_event(s, A, ICE_EV_VALID, 0);
	ck_assert_int_ge(e, 0);
	ck_assert_uint_lt(s->side[A].ev[e].time, 300);
	/* the one immediate resend, no RTO retransmission */
	ck_assert_uint_eq(ice_agent_stats(s->side[A].agent)->retransmits, 1);
	icesim_free(s);
}
END_TEST

/*
 * The crossing resend goes out as soon as the peer's check arrives while
 * no RTT is known (as right after an ICE restart, seed 004 s.9), neither
 * at the next pacing slot (Ta paces new transactions, RFC 8445 s.14.1)
 * nor after a fixed floor: A's first request (t=0) is lost, B's check
 * arrives at t=20 and A sends the same request again then.
 */
START_TEST(test_crossing_resend_at_once)
{
	struct ice_agent_config cfa, cfb;
	struct cands ca, cb;
	static struct tidlog log;
	struct icesim *s;
	int e;

	s = crossing_setup(&cfa, &cfb, &ca, &cb);
	memset(&log, 0, sizeof(log));
	log.side = A;
	s->tap = tap_log;
	s->tap_ctx = &log;
	crossing_run(s);
	ck_assert(icesim_both_completed(s, NULL));
	ck_assert_uint_ge(log.n, 1);
	ck_assert_uint_eq(log.t[0].first, 0);
	ck_assert_uint_ge(log.t[0].nsend, 2);
	ck_assert_uint_eq(log.t[0].sends[1], 20);
	e = icesim_find_event(s, A, ICE_EV_VALID, 0);
	ck_assert_int_ge(e, 0);
	ck_assert_uint_eq(s->side[A].ev[e].time, 60);
	icesim_free(s);
}
END_TEST

/*
 * Once the RTT is known, a crossing request does not make the agent resend
 * a request whose answer may still be on its way: no second send sooner
 * than 1.5 RTT after the first (two host candidates each, RTT 100 ms; the
 * first answers, at t=100, give the RTT).
 */
START_TEST(test_crossing_resend_waits_known_rtt)
{
	struct ice_agent_config cfa, cfb;
	struct cands ca = { 0 }, cb = { 0 };
	static struct tidlog log[2];
	struct icesim *s;
	unsigned int i, k, n = 0;

	cand_add(&ca, "10.0.0.1", 5000, 65535);
	cand_add(&ca, "10.0.1.1", 5001, 60000);
	cand_add(&cb, "10.0.0.2", 6000, 65535);
	cand_add(&cb, "10.0.1.2", 6001, 60000);
	cfg_init(&cfa, A, true, 2);
	cfg_init(&cfb, B, false, 1);
	s = pair_setup(&cfa, &cfb, &ca, &cb);
	s->side[A].delay_ms = 50;
	s->side[B].delay_ms = 50;
	for (i = 0; i < 2; i++) {
		memset(&log[i], 0, sizeof(log[i]));
		log[i].side = (int)i;
	}
	s->tap = tap_log2;
	s->tap_ctx = log;
	icesim_run(s, 60000, icesim_both_completed, NULL);
	ck_assert(icesim_both_completed(s, NULL));
	for (i = 0; i < 2; i++)
		for (k = 0; k < log[i].n; k++) {
			if (log[i].t[k].first < 100)
				continue;
			n++;
			if (log[i].t[k].nsend >= 2)
				ck_assert_uint_ge(log[i].t[k].sends[1] -
						  log[i].t[k].first, 150);
		}
	ck_assert_uint_ge(n, 1);	/* checks started once the RTT was known */
	icesim_free(s);
}
END_TEST

/*
 * A relayed pair is the last resort: valid first, it is not nominated
 * while a direct pair is still in progress, silent or not, within the
 * nomination wait; the direct pair that answers later wins.
 */
START_TEST(test_nomination_relay_waits_for_direct)
{
	struct ice_agent_config cfa, cfb;
	struct cands ca = { 0 }, cb = { 0 };
	struct ice_pair_info pa;
	struct icesim *s;

	cand_add(&ca, "10.0.0.1", 5000, 65535);
	cand_add(&cb, "10.0.0.2", 6000, 65535);	/* direct, 300 ms path */
	cand_add(&cb, "192.0.2.9", 6001, 65535);	/* B's relayed, fast */
	cb.c[1].type = ICE_CAND_RELAY;
	cb.c[1].base = cb.c[1].addr;
	ice_cand_compute_priority(&cb.c[1]);
	cfg_init(&cfa, A, true, 2);
	cfg_init(&cfb, B, false, 1);
	s = pair_setup(&cfa, &cfb, &ca, &cb);
	icesim_add_path_delay(s, A, &cb.c[0].addr, 300);
	icesim_run(s, 60000, icesim_both_completed, NULL);
	ck_assert(icesim_both_completed(s, NULL));
	{
		int e = icesim_find_event(s, A, ICE_EV_VALID, 0);

		ck_assert_int_ge(e, 0);	/* the relayed pair was valid first */
		ck_assert(ice_addr_eq(&s->side[A].ev[e].pair.remote.addr,
				      &cb.c[1].addr));
	}
	ice_agent_selected(s->side[A].agent, &pa, NULL);
	ck_assert(ice_addr_eq(&pa.remote.addr, &cb.c[0].addr));
	ck_assert_uint_ge(s->side[A].completed_at, 300);
	ck_assert_uint_lt(s->side[A].completed_at, 1000);
	icesim_free(s);
}
END_TEST

/* A better pair that succeeds after a worse one, within the wait, is
 * the one nominated (s.8.1.1: the controlling agent picks the best). */
START_TEST(test_nomination_picks_best)
{
	struct ice_agent_config cfa, cfb;
	struct cands ca = { 0 }, cb = { 0 };
	struct ice_pair_info pa, pb;
	struct icesim *s;
	int e;

	cand_add(&ca, "10.0.0.1", 5000, 65535);
	cand_add(&cb, "10.0.0.2", 6000, 65535);	/* best, slow path */
	cand_add(&cb, "10.0.1.2", 6001, 60000);	/* fast path */
	cfg_init(&cfa, A, true, 2);
	cfg_init(&cfb, B, false, 1);
	cfa.wait_for_silent = true;	/* 300 ms is silence next to ~0 ms */
	s = pair_setup(&cfa, &cfb, &ca, &cb);
	icesim_add_path_delay(s, A, &cb.c[0].addr, 300);
	icesim_run(s, 60000, icesim_both_completed, NULL);
	ck_assert(icesim_both_completed(s, NULL));
	/* the worse pair was valid first */
	e = icesim_find_event(s, A, ICE_EV_VALID, 0);
	ck_assert_int_ge(e, 0);
	ck_assert(ice_addr_eq(&s->side[A].ev[e].pair.remote.addr,
			      &cb.c[1].addr));
	ice_agent_selected(s->side[A].agent, &pa, NULL);
	ice_agent_selected(s->side[B].agent, &pb, NULL);
	ck_assert(ice_addr_eq(&pa.remote.addr, &cb.c[0].addr));
	ck_assert(ice_addr_eq(&pb.local_base, &cb.c[0].addr));
	/* nominated once the best succeeded (~300 ms), not after the 1 s
	 * wait */
	ck_assert_uint_ge(s->side[A].completed_at, 300);
	ck_assert_uint_lt(s->side[A].completed_at, 1000);
	icesim_free(s);
}
END_TEST

/* ---- consent freshness (RFC 7675 s.5.1) ---- */

START_TEST(test_consent_lost)
{
	struct ice_agent_config cfa, cfb;
	struct cands ca, cb;
	struct icesim *s;
	uint64_t t0;
	int e;

	simple_cands(&ca, &cb);
	cfg_init(&cfa, A, true, 2);
	cfg_init(&cfb, B, false, 1);
	s = pair_setup(&cfa, &cfb, &ca, &cb);
	icesim_run(s, 60000, icesim_both_completed, NULL);
	ck_assert(icesim_both_completed(s, NULL));
	/* A is done last (it completes on the nomination response) */
	t0 = s->side[A].completed_at;
	ck_assert_uint_eq(t0, s->fc.now);
	s->side[A].blackhole = true;
	s->side[B].blackhole = true;
	icesim_run(s, t0 + 30000 - 1, NULL, NULL);
	ck_assert_int_eq(ice_agent_state(s->side[A].agent), ICE_ST_COMPLETED);
	ck_assert_int_lt(icesim_find_event(s, A, ICE_EV_CONSENT_LOST, 0), 0);
	ck_assert_uint_ge(ice_agent_stats(s->side[A].agent)->consent_sent, 5);
	icesim_run(s, t0 + 30000, NULL, NULL);
	ck_assert_int_eq(ice_agent_state(s->side[A].agent), ICE_ST_FAILED);
	e = icesim_find_event(s, A, ICE_EV_CONSENT_LOST, 0);
	ck_assert_int_ge(e, 0);
	ck_assert_uint_eq(s->side[A].ev[e].time, t0 + 30000);
	ck_assert_int_ge(icesim_find_event(s, A, ICE_EV_FAILED, (unsigned)e), 0);
	/* B, completed a little earlier, lost consent no later */
	ck_assert_int_eq(ice_agent_state(s->side[B].agent), ICE_ST_FAILED);
	icesim_free(s);
}
END_TEST

struct consent_log {
	unsigned int n;
	uint64_t t[256];
	uint64_t after;
};

static void tap_consent(void *ctx, struct icesim *s, int from,
			const struct ice_tx *tx, uint64_t now)
{
	struct consent_log *l = ctx;
	struct stun_msg m;

	(void)s;
	if (from != A || now < l->after ||
	    stun_decode(tx->buf, tx->len, &m, NULL) != STUN_OK ||
	    m.cls != STUN_REQUEST || l->n == 256)
		return;
	l->t[l->n++] = now;
}

static void consent_spacing(uint32_t interval, uint64_t lo, uint64_t hi)
{
	struct ice_agent_config cfa, cfb;
	struct cands ca, cb;
	static struct consent_log log;
	struct icesim *s;
	uint64_t t0, mn = UINT64_MAX, mx = 0;
	unsigned int k;

	simple_cands(&ca, &cb);
	cfg_init(&cfa, A, true, 2);
	cfg_init(&cfb, B, false, 1);
	cfa.consent_interval_ms = interval;
	s = pair_setup(&cfa, &cfb, &ca, &cb);
	icesim_run(s, 60000, icesim_both_completed, NULL);
	t0 = s->side[A].completed_at;
	memset(&log, 0, sizeof(log));
	log.after = t0 + 1;
	s->tap = tap_consent;
	s->tap_ctx = &log;
	icesim_run(s, t0 + 120000, NULL, NULL);
	ck_assert_int_eq(ice_agent_state(s->side[A].agent), ICE_ST_COMPLETED);
	ck_assert_int_eq(ice_agent_state(s->side[B].agent), ICE_ST_COMPLETED);
	ck_assert_uint_ge(log.n, 120000 / hi - 1);
	ck_assert_uint_le(log.n, 120000 / lo + 1);
	ck_assert_uint_ge(log.t[0] - t0, lo);
	ck_assert_uint_le(log.t[0] - t0, hi);
	for (k = 1; k < log.n; k++) {
		uint64_t gap = log.t[k] - log.t[k - 1];

		ck_assert_uint_ge(gap, lo);
		ck_assert_uint_le(gap, hi);
		if (gap < mn)
			mn = gap;
		if (gap > mx)
			mx = gap;
	}
	if (lo != hi)
		ck_assert_uint_gt(mx, mn);	/* randomized */
	ck_assert_uint_eq(ice_agent_stats(s->side[A].agent)->consent_ok,
			  ice_agent_stats(s->side[A].agent)->consent_sent);
	icesim_free(s);
}

START_TEST(test_consent_spacing)
{
	consent_spacing(0, 4000, 6000);		/* default 5 s +-20% */
	consent_spacing(1000, 4000, 4000);	/* never below 4 s */
}
END_TEST

START_TEST(test_keepalive_without_consent)
{
	struct ice_agent_config cfa, cfb;
	struct cands ca, cb;
	struct icesim *s;
	uint64_t t0;

	simple_cands(&ca, &cb);
	cfg_init(&cfa, A, true, 2);
	cfg_init(&cfb, B, false, 1);
	cfa.disable_consent = true;
	s = pair_setup(&cfa, &cfb, &ca, &cb);
	icesim_run(s, 60000, icesim_both_completed, NULL);
	t0 = s->side[A].completed_at;
	s->side[A].blackhole = true;
	s->side[B].blackhole = true;
	icesim_run(s, t0 + 60000, NULL, NULL);
	/* RFC 8445 s.11: indications every 15 s, no consent, no failure */
	ck_assert_uint_eq(ice_agent_stats(s->side[A].agent)->keepalives_sent, 4);
	ck_assert_uint_eq(ice_agent_stats(s->side[A].agent)->consent_sent, 0);
	ck_assert_int_eq(ice_agent_state(s->side[A].agent), ICE_ST_COMPLETED);
	icesim_free(s);
}
END_TEST

/* ---- caps (seed 004 s.14.4.2) and unauthenticated offers ---- */

static void cap_run(unsigned int max_checks, unsigned int n_remote,
		    unsigned int want)
{
	struct ice_agent_config cfa;
	static struct cands ca, cb;
	static struct tidlog log;
	struct icesim *s = icesim_new(10);
	unsigned int k;
	char ip[32];

	memset(&ca, 0, sizeof(ca));
	memset(&cb, 0, sizeof(cb));
	memset(&log, 0, sizeof(log));
	log.side = A;
	cfg_init(&cfa, A, true, 2);
	cfa.max_checks = max_checks;
	cfa.max_remote = 255;
	cfa.ta_ms = 5;
	cand_add(&ca, "10.0.0.1", 5000, 65535);
	for (k = 0; k < n_remote; k++) {
		snprintf(ip, sizeof(ip), "10.%u.%u.1", 20 + k / 200, k % 200);
		cand_add(&cb, ip, 7000, (uint16_t)(65000 - k));
	}
	icesim_agent(s, A, &cfa);
	give_locals(s, A, &ca, 1);
	give_remote(s, A, &cb);
	s->tap = tap_log;
	s->tap_ctx = &log;
	icesim_run(s, 200000, NULL, NULL);
	ck_assert_uint_eq(ice_agent_checklist(s->side[A].agent)->n, want);
	ck_assert_uint_eq(log.n, want);	/* distinct check transactions */
	ck_assert_uint_eq(ice_agent_stats(s->side[A].agent)->checks_sent, want);
	ck_assert_int_eq(ice_agent_state(s->side[A].agent), ICE_ST_FAILED);
	icesim_free(s);
}

START_TEST(test_check_cap)
{
	cap_run(0, 150, 100);	/* default: 100 */
	cap_run(10, 50, 10);
}
END_TEST

/* The cap also bounds triggered checks (s.7.3.1.4 re-checks a Failed pair
 * on every request for it): a peer repeating requests for a pair that
 * never answers, or from ever new sources, gets no more than max_checks
 * transactions out of us. */
START_TEST(test_check_cap_triggered)
{
	struct ice_agent_config cfb;
	struct cands ca, cb;
	struct icesim *s = icesim_new(11);
	struct ice_agent *b;
	struct ice_addr from;
	struct ice_tx tx;
	uint8_t req[ICE_TX_MAX];
	size_t len;
	unsigned int k;
	uint64_t now;

	struct stun_msg m;
	uint8_t resp[ICE_TX_MAX];

	simple_cands(&ca, &cb);
	cand_add(&ca, "10.0.0.7", 5007, 60000);	/* never answers */
	cfg_init(&cfb, B, false, 1);
	cfb.max_checks = 3;
	cfb.rto_ms = 50;	/* sends at 0 and 50, timeout at 150 */
	cfb.allow_short_rto = true;
	cfb.rc = 2;
	cfb.rm = 2;
	b = icesim_agent(s, B, &cfb);
	give_locals(s, B, &cb, 1);
	give_remote(s, B, &ca);
	/* B's first check (to 10.0.0.1:5000) is answered: B has a valid
	 * pair and waits for a nomination, so it does not fail. */
	poll_one(b, 0, &tx, &m);
	ck_assert(ice_addr_eq(&tx.to, &ca.c[0].addr));
	len = build_resp(resp, m.tid, PW[A], &cb.c[0].addr);
	ck_assert_int_eq(ice_agent_on_datagram(b, &cb.c[0].addr, &ca.c[0].addr,
					       resp, len, 1), ICE_RX_HANDLED);
	ck_assert_uint_eq(ice_agent_valid_count(b), 1);
	for (now = 1, k = 0; k < 20; k++) {
		/* every other one nominates the dead pair, the rest come
		 * from new sources */
		if (k % 2)
			from = ca.c[1].addr;
		else
			icesim_addr4(&from, "10.0.0.1", (uint16_t)(9000 + k));
		req_use_cand = k % 2;
		len = build_req(req, "Bufr:Aufr", PW[B], NULL, true);
		req_use_cand = false;
		ck_assert_int_eq(ice_agent_on_datagram(b, &cb.c[0].addr, &from,
						       req, len, now),
				 ICE_RX_HANDLED);
		for (; now < 500 * (k + 1); now += 10)
			while (ice_agent_poll(b, now, &tx))
				;
	}
	ck_assert_int_eq(ice_agent_state(b), ICE_ST_CHECKING);
	ck_assert_uint_eq(ice_agent_stats(b)->checks_sent, 3);
	ck_assert_uint_eq(ice_agent_stats(b)->success_tx, 20);
	icesim_free(s);
}
END_TEST

START_TEST(test_remote_refused)
{
	struct ice_agent_config cfa;
	static struct cands ca, cb;
	struct icesim *s = icesim_new(12);
	struct ice_agent *a;
	struct ice_tx tx;
	unsigned int k;
	char ip[32];

	memset(&ca, 0, sizeof(ca));
	memset(&cb, 0, sizeof(cb));
	cfg_init(&cfa, A, true, 2);
	a = icesim_agent(s, A, &cfa);
	cand_add(&ca, "10.0.0.1", 5000, 65535);
	give_locals(s, A, &ca, 1);
	for (k = 0; k < ICE_DEFAULT_MAX_REMOTE + 1; k++) {
		snprintf(ip, sizeof(ip), "10.1.%u.1", k);
		cand_add(&cb, ip, 7000, (uint16_t)(60000 - k));
	}
	/* over the cap: refused with the reason, nothing checked */
	ck_assert_int_eq(ice_agent_set_remote(a, UF[B], PW[B], cb.c, cb.n,
					      true, 0), ICE_E_TOO_MANY);
	ck_assert_str_eq(ice_err_str(ICE_E_TOO_MANY),
			 "too many remote candidates (seed 004 s.14.4.2)");
	/* unauthenticated: refused, nothing checked */
	ck_assert_int_eq(ice_agent_set_remote(a, UF[B], PW[B], cb.c, 2,
					      false, 0), ICE_E_UNAUTH);
	/* bad credentials */
	ck_assert_int_eq(ice_agent_set_remote(a, "ab", PW[B], cb.c, 2,
					      true, 0), ICE_E_CRED);
	ck_assert_int_eq(ice_agent_state(a), ICE_ST_NEW);
	ck_assert_uint_eq(ice_agent_checklist(a)->n, 0);
	ck_assert_int_eq(ice_agent_poll(a, 1000, &tx), 0);
	ck_assert_uint_eq(ice_agent_next_timeout(a), ICE_NEVER);
	/* exactly at the cap: accepted */
	ck_assert_int_eq(ice_agent_set_remote(a, UF[B], PW[B], cb.c,
					      ICE_DEFAULT_MAX_REMOTE, true,
					      1000), ICE_OK);
	ck_assert_uint_eq(ice_agent_checklist(a)->n, ICE_DEFAULT_MAX_REMOTE);
	ck_assert_int_eq(ice_agent_poll(a, 1000, &tx), 1);
	icesim_free(s);
}
END_TEST

START_TEST(test_config_check)
{
	struct ice_agent_config c;
	struct mice_fake_clock f;
	struct mice_clock clk;

	mice_clock_fake(&clk, &f, 0);
	cfg_init(&c, A, true, 1);
	ck_assert_int_eq(ice_agent_config_check(&c), ICE_OK);
	c.ta_ms = 4;			/* RFC 8445 s.14.2: >= 5 ms */
	ck_assert_int_eq(ice_agent_config_check(&c), ICE_E_ARG);
	ck_assert_ptr_null(ice_agent_new(&c, &clk));
	c.ta_ms = 5;
	ck_assert_int_eq(ice_agent_config_check(&c), ICE_OK);
	c.rto_ms = 100;			/* RFC 8489 s.6.2.1 floor */
	ck_assert_int_eq(ice_agent_config_check(&c), ICE_E_ARG);
	c.allow_short_rto = true;
	ck_assert_int_eq(ice_agent_config_check(&c), ICE_OK);
	snprintf(c.pwd, sizeof(c.pwd), "short");
	ck_assert_int_eq(ice_agent_config_check(&c), ICE_E_CRED);
	cfg_init(&c, A, true, 1);
	snprintf(c.ufrag, sizeof(c.ufrag), "ab:c");	/* not ice-char */
	ck_assert_int_eq(ice_agent_config_check(&c), ICE_E_CRED);
	cfg_init(&c, A, true, 1);
	c.consent_timeout_ms = 1000;
	ck_assert_int_eq(ice_agent_config_check(&c), ICE_E_ARG);
}
END_TEST

/* Every reason, state and event has a distinct printable name. */
START_TEST(test_names)
{
	unsigned int i, j;

	for (i = 0; i < ICE_DROP__COUNT; i++) {
		ck_assert_str_ne(ice_drop_name((enum ice_drop)i), "?");
		for (j = 0; j < i; j++)
			ck_assert_str_ne(ice_drop_name((enum ice_drop)i),
					 ice_drop_name((enum ice_drop)j));
	}
	ck_assert_str_eq(ice_drop_name(ICE_DROP__COUNT), "?");
	for (i = 0; i < ICE_E__COUNT; i++)
		ck_assert_str_ne(ice_err_str((enum ice_err)i), "?");
	for (i = ICE_ST_NEW; i <= ICE_ST_FAILED; i++)
		ck_assert_str_ne(ice_state_name((enum ice_state)i), "?");
	for (i = ICE_EV_PAIR_STATE; i <= ICE_EV_CONSENT_LOST; i++)
		ck_assert_str_ne(ice_event_name((enum ice_event_type)i), "?");
}
END_TEST

/* ---- ICE restart (seed 004 s.9, RFC 8445 s.9) ---- */

START_TEST(test_restart)
{
	struct ice_agent_config cfa, cfb;
	struct cands ca, cb;
	struct icesim *s;
	struct ice_pair_info pa;
	const struct checklist *cl;
	unsigned int old_ids[8], k;
	bool stale;

	simple_cands(&ca, &cb);
	cand_add(&cb, "10.0.0.3", 6003, 60000);
	cfg_init(&cfa, A, true, 2);
	cfg_init(&cfb, B, false, 1);
	s = pair_setup(&cfa, &cfb, &ca, &cb);
	icesim_run(s, 60000, icesim_both_completed, NULL);
	ck_assert(icesim_both_completed(s, NULL));
	cl = ice_agent_checklist(s->side[A].agent);
	ck_assert_uint_eq(cl->n, 2);
	for (k = 0; k < cl->n; k++)
		old_ids[k] = cl->pairs[k].id;

	/* both must change (RFC 8445 s.9) */
	ck_assert_int_eq(ice_agent_restart(s->side[A].agent, "Aufr",
					   "CCCCpasswordpassword22", s->fc.now),
			 ICE_E_CRED);
	ck_assert_int_eq(ice_agent_restart(s->side[A].agent, "Anew",
					   "CCCCpasswordpassword22", s->fc.now),
			 ICE_OK);
	ck_assert_int_eq(ice_agent_restart(s->side[B].agent, "Bnew",
					   "DDDDpasswordpassword33", s->fc.now),
			 ICE_OK);
	ck_assert_int_eq(ice_agent_state(s->side[A].agent), ICE_ST_NEW);
	ck_assert_uint_eq(cl->n, 0);
	ck_assert(ice_agent_selected(s->side[A].agent, &pa, &stale));
	ck_assert(stale);
	ck_assert_int_eq(ice_agent_set_remote(s->side[A].agent, "Bnew",
					      "DDDDpasswordpassword33", cb.c,
					      cb.n, true, s->fc.now), ICE_OK);
	ck_assert_int_eq(ice_agent_set_remote(s->side[B].agent, "Anew",
					      "CCCCpasswordpassword22", ca.c,
					      ca.n, true, s->fc.now), ICE_OK);
	/* the list is re-formed: same pairs, new ids, all Waiting */
	ck_assert_uint_eq(cl->n, 2);
	for (k = 0; k < cl->n; k++) {
		ck_assert_int_eq(cl->pairs[k].state, CL_WAITING);
		ck_assert_uint_ne(cl->pairs[k].id, old_ids[0]);
		ck_assert_uint_ne(cl->pairs[k].id, old_ids[1]);
	}
	s->side[A].completed = s->side[B].completed = false;
	icesim_run(s, s->fc.now + 60000, icesim_both_completed, NULL);
	ck_assert(icesim_both_completed(s, NULL));
	ck_assert(ice_agent_selected(s->side[A].agent, &pa, &stale));
	ck_assert(!stale);
	ck_assert(ice_addr_eq(&pa.remote.addr, &cb.c[0].addr));
	/* the new credentials were used: no authentication failures */
	ck_assert_uint_eq(ice_agent_stats(s->side[B].agent)->dropped[ICE_DROP_REQ_AUTH], 0);
	ck_assert_uint_eq(ice_agent_stats(s->side[A].agent)->dropped[ICE_DROP_BAD_INTEGRITY], 0);
	icesim_free(s);
}
END_TEST

START_TEST(test_restart_old_credentials_refused)
{
	struct ice_agent_config cfb;
	struct cands ca, cb;
	struct icesim *s = icesim_new(13);
	struct ice_agent *b;
	struct ice_tx tx;
	struct stun_msg m;
	uint8_t req[ICE_TX_MAX];
	size_t len;

	simple_cands(&ca, &cb);
	cfg_init(&cfb, B, false, 1);
	b = icesim_agent(s, B, &cfb);
	give_locals(s, B, &cb, 1);
	ck_assert_int_eq(ice_agent_restart(b, "Bnew", "DDDDpasswordpassword33",
					   0), ICE_OK);
	len = build_req(req, "Bufr:Aufr", PW[B], NULL, true);
	ck_assert_int_eq(ice_agent_on_datagram(b, &cb.c[0].addr, &ca.c[0].addr,
					       req, len, 0), ICE_RX_DROPPED);
	poll_one(b, 0, &tx, &m);
	ck_assert_int_eq(m.error_code, 401);
	len = build_req(req, "Bnew:Aufr", "DDDDpasswordpassword33", NULL, true);
	ck_assert_int_eq(ice_agent_on_datagram(b, &cb.c[0].addr, &ca.c[0].addr,
					       req, len, 0), ICE_RX_HANDLED);
	poll_one(b, 0, &tx, &m);
	ck_assert_int_eq(m.cls, STUN_SUCCESS);
	icesim_free(s);
}
END_TEST

/* ---- peer-reflexive candidates through a NAT ---- */

START_TEST(test_prflx_nat)
{
	struct ice_agent_config cfa, cfb;
	struct cands ca = { 0 }, cb = { 0 };
	struct ice_pair_info pa, pb;
	struct ice_addr pub, want;
	struct icesim *s = icesim_new(14);
	int e;

	cfg_init(&cfa, A, true, 2);
	cfg_init(&cfb, B, false, 1);
	cand_add(&ca, "192.168.1.10", 5000, 65535);	/* behind the NAT */
	cand_add(&cb, "198.51.100.2", 6000, 65535);	/* public */
	icesim_agent(s, A, &cfa);
	icesim_agent(s, B, &cfb);
	give_locals(s, A, &ca, 1);
	give_locals(s, B, &cb, 1);
	icesim_addr4(&pub, "203.0.113.1", 0);
	icesim_set_nat(s, A, &pub);
	give_remote(s, A, &cb);
	give_remote(s, B, &ca);
	icesim_run(s, 60000, icesim_both_completed, NULL);
	ck_assert(icesim_both_completed(s, NULL));
	icesim_addr4(&want, "203.0.113.1", 40000);	/* the first mapping */
	/* B learned A's mapped address as a peer-reflexive remote */
	e = icesim_find_event(s, B, ICE_EV_REMOTE_PRFLX, 0);
	ck_assert_int_ge(e, 0);
	ck_assert(ice_addr_eq(&s->side[B].ev[e].addr, &want));
	ice_agent_selected(s->side[B].agent, &pb, NULL);
	ck_assert(ice_addr_eq(&pb.remote.addr, &want));
	ck_assert_int_eq(pb.remote.type, ICE_CAND_PRFLX);
	/* A learned it as a peer-reflexive local from XOR-MAPPED-ADDRESS */
	e = icesim_find_event(s, A, ICE_EV_LOCAL_PRFLX, 0);
	ck_assert_int_ge(e, 0);
	ck_assert(ice_addr_eq(&s->side[A].ev[e].addr, &want));
	ice_agent_selected(s->side[A].agent, &pa, NULL);
	ck_assert_int_eq(pa.local.type, ICE_CAND_PRFLX);
	ck_assert(ice_addr_eq(&pa.local.addr, &want));
	ck_assert(ice_addr_eq(&pa.local_base, &ca.c[0].addr));
	ck_assert_uint_eq(ice_agent_local_count(s->side[A].agent), 2);
	icesim_free(s);
}
END_TEST

/* ---- frozen option, loss ---- */

START_TEST(test_frozen_and_loss)
{
	struct ice_agent_config cfa, cfb;
	struct cands ca = { 0 }, cb = { 0 };
	struct icesim *s;

	cand_add(&ca, "10.0.0.1", 5000, 65535);
	cand_add(&ca, "10.0.1.1", 5001, 60000);
	cand_add(&cb, "10.0.0.2", 6000, 65535);
	cfg_init(&cfa, A, true, 2);
	cfg_init(&cfb, B, false, 1);
	cfa.use_frozen = cfb.use_frozen = true;
	s = pair_setup(&cfa, &cfb, &ca, &cb);
	s->side[A].loss_pct = 30;
	s->side[B].loss_pct = 30;
	icesim_run(s, 120000, icesim_both_completed, NULL);
	ck_assert(icesim_both_completed(s, NULL));
	ck_assert_uint_gt(s->side[A].lost + s->side[B].lost, 0);
	ck_assert_uint_eq(s->spins, 0);
	icesim_free(s);
}
END_TEST

/* ---- numbers for the benchmark ---- */

/*
 * Scenarios: "host2x2": two host candidates each, all reachable;
 * "nat": A behind an endpoint-independent NAT with only its private host
 * candidate in the offer, so the path is found through peer-reflexive
 * candidates. One line per run, for the benchmark:
 *   ice_agent: scenario=S rtt_ms=R stun_transactions=N requests_sent=M
 *              completion_ms=T late_responses=L
 * stun_transactions counts check transactions (first sends) of both
 * agents; requests_sent adds retransmissions.
 */
static uint64_t report_one(const char *scen, uint32_t rtt)
{
	struct ice_agent_config cfa, cfb;
	struct cands ca = { 0 }, cb = { 0 };
	struct icesim *s = icesim_new(15);
	uint64_t done, txns, late;
	unsigned int k;

	cfg_init(&cfa, A, true, 2);
	cfg_init(&cfb, B, false, 1);
	icesim_agent(s, A, &cfa);
	icesim_agent(s, B, &cfb);
	if (!strcmp(scen, "nat")) {
		struct ice_addr pub;

		cand_add(&ca, "192.168.1.10", 5000, 65535);
		cand_add(&cb, "198.51.100.2", 6000, 65535);
		icesim_addr4(&pub, "203.0.113.1", 0);
		icesim_set_nat(s, A, &pub);
	} else {
		cand_add(&ca, "10.0.0.1", 5000, 65535);
		cand_add(&ca, "10.0.1.1", 5001, 60000);
		cand_add(&cb, "10.0.0.2", 6000, 65535);
		cand_add(&cb, "10.0.1.2", 6001, 60000);
	}
	give_locals(s, A, &ca, ca.n);
	give_locals(s, B, &cb, cb.n);
	give_remote(s, A, &cb);
	give_remote(s, B, &ca);
	s->side[A].delay_ms = rtt / 2;
	s->side[B].delay_ms = rtt - rtt / 2;
	icesim_run(s, 60000, icesim_both_completed, NULL);
	ck_assert(icesim_both_completed(s, NULL));
	done = s->side[A].completed_at > s->side[B].completed_at ?
		       s->side[A].completed_at : s->side[B].completed_at;
	txns = ice_agent_stats(s->side[A].agent)->checks_sent +
	       ice_agent_stats(s->side[B].agent)->checks_sent;
	late = ice_agent_stats(s->side[A].agent)->late_responses +
	       ice_agent_stats(s->side[B].agent)->late_responses;
	printf("ice_agent: scenario=%s rtt_ms=%u stun_transactions=%llu "
	       "requests_sent=%llu completion_ms=%llu late_responses=%llu\n",
	       scen, rtt, (unsigned long long)txns,
	       (unsigned long long)(s->side[A].stun_requests +
				    s->side[B].stun_requests),
	       (unsigned long long)done, (unsigned long long)late);
	/* nothing dropped: late answers to cancelled checks are not drops */
	for (k = 0; k < ICE_DROP__COUNT; k++)
		ck_assert_uint_eq(ice_agent_stats(s->side[A].agent)->dropped[k] +
				  ice_agent_stats(s->side[B].agent)->dropped[k],
				  0);
	ck_assert_uint_ge(done, rtt);	/* a round trip at least */
	ck_assert_uint_eq(s->spins, 0);
	icesim_free(s);
	return done;
}

START_TEST(test_report_rtt)
{
	static const uint32_t rtts[] = { 0, 20, 100 };
	static const char *const scen[] = { "host2x2", "nat" };
	unsigned int r, k;

	for (k = 0; k < 2; k++) {
		uint64_t prev = 0, done;

		for (r = 0; r < 3; r++) {
			done = report_one(scen[k], rtts[r]);
			ck_assert_uint_ge(done, prev);	/* monotone in RTT */
			prev = done;
		}
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ice_agent");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_complete_host);
	tcase_add_test(tc, test_complete_ipv6_events);
	tcase_add_test(tc, test_request_unknown_attr);
	tcase_add_test(tc, test_pacing_ta);
	tcase_add_test(tc, test_pacing_agreed);
	tcase_add_test(tc, test_pacing_set_ta_bounds);
	tcase_add_test(tc, test_retransmit_schedule);
	tcase_add_test(tc, test_role_conflict_both_controlling);
	tcase_add_test(tc, test_role_conflict_both_controlled);
	tcase_add_test(tc, test_role_conflict_487);
	tcase_add_test(tc, test_request_integrity);
	tcase_add_test(tc, test_response_checks);
	tcase_add_test(tc, test_response_accepted);
	tcase_add_test(tc, test_nomination_regular);
	tcase_add_test(tc, test_nomination_aggressive);
	tcase_add_test(tc, test_nomination_waits_for_better);
	tcase_add_test(tc, test_nomination_picks_best);
	tcase_add_test(tc, test_nomination_gives_up_on_silent);
	tcase_add_test(tc, test_known_remote_first_and_at_once);
	tcase_add_test(tc, test_known_remote_arg);
	tcase_add_test(tc, test_hold_unknown);
	tcase_add_test(tc, test_nomination_waits_for_young);
	tcase_add_test(tc, test_nomination_silent_slack);
	tcase_add_test(tc, test_nomination_relay_waits_for_direct);
	tcase_add_test(tc, test_crossing_request_resends_in_progress);
	tcase_add_test(tc, test_crossing_resend_at_once);
	tcase_add_test(tc, test_crossing_resend_waits_known_rtt);
	tcase_add_test(tc, test_consent_lost);
	tcase_add_test(tc, test_consent_spacing);
	tcase_add_test(tc, test_keepalive_without_consent);
	tcase_add_test(tc, test_check_cap);
	tcase_add_test(tc, test_check_cap_triggered);
	tcase_add_test(tc, test_remote_refused);
	tcase_add_test(tc, test_config_check);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_restart);
	tcase_add_test(tc, test_restart_old_credentials_refused);
	tcase_add_test(tc, test_prflx_nat);
	tcase_add_test(tc, test_frozen_and_loss);
	tcase_add_test(tc, test_report_rtt);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
