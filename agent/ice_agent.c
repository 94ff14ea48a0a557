// SPDX-License-Identifier: GPL-2.0
/*
 * The sans-IO ICE connectivity-check engine; see ice_agent.h for the
 * design and the choices made. Section numbers are RFC 8445 unless said
 * otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ice_agent.h"
#include "stun_txn.h"

#define TXQ_MAX		64
#define EVQ_MAX		128
#define TRIG_MAX	128
#define EARLY_MAX	8
#define CONSENT_MAX	8
#define VALID_MAX	64
#define NOMSET_MAX	32
#define REMOTE_PRFLX_MAX 32
#define CANCELLED_MAX	32

/* Context of a running check transaction, indexed like txns.slot[]. */
struct chk_ctx {
	unsigned int pair_id;
	bool use_cand;		/* USE-CANDIDATE sent */
	bool nomination;	/* a regular-nomination check (s.8.1.1) */
	bool controlling;	/* role the request claimed */
	bool resent;		/* sent again on the peer's crossing request */
	uint64_t resend_at;	/* when to, unless answered; 0: not due */
	uint32_t prio;		/* PRIORITY sent (s.7.1.1) */
	struct ice_addr base, to;
	size_t len;
	uint8_t req[ICE_TX_MAX];
};

struct trig_ent {
	unsigned int pair_id;
	bool nomination;
};

struct valid_pair {
	unsigned int pair_id;
	struct ice_cand local;
	struct ice_addr base;
	struct ice_cand remote;
	bool nominated;
};

struct consent_txn {
	bool used;
	uint8_t tid[STUN_TID_LEN];
};

struct early_req {
	struct ice_addr base, from;
	uint32_t prio;
	bool use_cand;
};

struct ice_agent {
	struct ice_agent_config cfg;
	struct mice_clock clk;
	struct stun_txn_cfg txcfg;
	bool controlling;
	uint64_t tb;
	enum ice_state state;
	uint64_t now;

	struct ice_cand_set local;
	bool remote_set;
	char rufrag[ICE_UFRAG_MAX + 1];
	char rpwd[ICE_PWD_MAX + 1];
	unsigned int n_remote;
	unsigned int n_remote_prflx;
	struct ice_cand remote[ICE_HARD_MAX_REMOTE + REMOTE_PRFLX_MAX];

	struct checklist cl;
	struct stun_txn_table txns;
	struct chk_ctx ctx[STUN_TXN_TABLE_MAX];
	unsigned int n_trig;
	struct trig_ent trig[TRIG_MAX];
	unsigned int checks_started;
	bool cap_applied;
	bool any_check;
	uint64_t last_check_at;

	unsigned int n_valid;
	struct valid_pair valid[VALID_MAX];
	uint64_t first_valid_at;
	uint64_t rtt_min;		/* of first-try checks, UINT64_MAX if none */
	bool nominating;
	unsigned int n_nomset;
	unsigned int nomset[NOMSET_MAX];	/* controlled: s.7.3.1.5 */

	bool have_selected, selected_stale;
	struct ice_pair_info selected;
	uint64_t next_consent, last_consent_ok, next_keepalive;
	unsigned int consent_pos;
	struct consent_txn consent[CONSENT_MAX];

	unsigned int n_early;
	struct early_req early[EARLY_MAX];

	bool have_known;		/* ice_agent_set_known_remote() */
	struct ice_addr known_remote;
	bool hold_unknown;		/* ice_agent_hold_unknown() */

	/* IDs of checks cancelled on completion: a late answer to one is
	 * expected, not an attack (counted as late_responses). */
	unsigned int cancelled_pos, cancelled_n;
	uint8_t cancelled[CANCELLED_MAX][STUN_TID_LEN];

	unsigned int txq_head, txq_n;
	struct ice_tx txq[TXQ_MAX];
	unsigned int evq_head, evq_n;
	struct ice_event evq[EVQ_MAX];

	struct ice_stats st;
};

/* ------------------------------------------------------------------ */
/* names */

const char *ice_state_name(enum ice_state s)
{
	switch (s) {
	case ICE_ST_NEW:	return "new";
	case ICE_ST_CHECKING:	return "checking";
	case ICE_ST_COMPLETED:	return "completed";
	case ICE_ST_FAILED:	return "failed";
	}
	return "?";
}

const char *ice_err_str(enum ice_err e)
{
	switch (e) {
	case ICE_OK:		return "ok";
	case ICE_E_ARG:		return "bad argument";
	case ICE_E_CRED:	return "bad ufrag/pwd (RFC 8445 s.5.3)";
	case ICE_E_UNAUTH:	return "offer not authenticated (seed 004 s.14)";
	case ICE_E_TOO_MANY:	return "too many remote candidates (seed 004 s.14.4.2)";
	case ICE_E_NO_CAND:	return "no usable candidate";
	case ICE_E_FULL:	return "local candidate set full";
	case ICE_E_STATE:	return "not allowed in this state";
	case ICE_E_NOMEM:	return "out of memory";
	case ICE_E__COUNT:	break;
	}
	return "?";
}

const char *ice_drop_name(enum ice_drop d)
{
	static const char *const n[ICE_DROP__COUNT] = {
		[ICE_DROP_MALFORMED] = "malformed",
		[ICE_DROP_BAD_TXN] = "bad-transaction",
		[ICE_DROP_BAD_INTEGRITY] = "bad-integrity",
		[ICE_DROP_BAD_SOURCE] = "bad-source",
		[ICE_DROP_REQ_AUTH] = "request-auth",
		[ICE_DROP_REQ_BAD] = "request-bad",
		[ICE_DROP_UNKNOWN_BASE] = "unknown-base",
		[ICE_DROP_CLASS] = "class",
		[ICE_DROP_TXQ_FULL] = "txq-full",
	};

	return (unsigned int)d < ICE_DROP__COUNT ? n[d] : "?";
}

const char *ice_event_name(enum ice_event_type t)
{
	switch (t) {
	case ICE_EV_PAIR_STATE:		return "pair-state";
	case ICE_EV_ROLE:		return "role";
	case ICE_EV_LOCAL_PRFLX:	return "local-prflx";
	case ICE_EV_REMOTE_PRFLX:	return "remote-prflx";
	case ICE_EV_VALID:		return "valid";
	case ICE_EV_NOMINATED:		return "nominated";
	case ICE_EV_SELECTED:		return "selected";
	case ICE_EV_COMPLETED:		return "completed";
	case ICE_EV_FAILED:		return "failed";
	case ICE_EV_CONSENT_LOST:	return "consent-lost";
	}
	return "?";
}

/* ------------------------------------------------------------------ */
/* config */

void ice_agent_config_default(struct ice_agent_config *c)
{
	memset(c, 0, sizeof(*c));
	c->max_checks = ICE_DEFAULT_MAX_CHECKS;
	c->max_remote = ICE_DEFAULT_MAX_REMOTE;
	c->ta_ms = ICE_DEFAULT_TA_MS;
	c->rto_ms = STUN_TXN_RTO_DEFAULT;
	c->rc = STUN_TXN_RC_DEFAULT;
	c->rm = STUN_TXN_RM_DEFAULT;
	c->nominate_wait_ms = ICE_DEFAULT_NOM_WAIT_MS;
	c->silent_slack_ms = ICE_SILENT_SLACK_MS;
	c->consent_interval_ms = ICE_CONSENT_INTERVAL_MS;
	c->consent_timeout_ms = ICE_CONSENT_TIMEOUT_MS;
	c->keepalive_ms = ICE_KEEPALIVE_MS;
}

/* RFC 8445 s.5.3: ice-char = ALPHA / DIGIT / "+" / "/". */
static bool cred_ok(const char *s, size_t min, size_t max)
{
	size_t i, n;

	if (!s)
		return false;
	n = strnlen(s, max + 1);
	if (n < min || n > max)
		return false;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '+' || ch == '/'))
			return false;
	}
	return true;
}

static void normalize(struct ice_agent_config *c)
{
	if (!c->max_checks)
		c->max_checks = ICE_DEFAULT_MAX_CHECKS;
	if (!c->max_remote)
		c->max_remote = ICE_DEFAULT_MAX_REMOTE;
	if (!c->ta_ms)
		c->ta_ms = ICE_DEFAULT_TA_MS;
	if (!c->rto_ms)
		c->rto_ms = STUN_TXN_RTO_DEFAULT;
	if (!c->rc)
		c->rc = STUN_TXN_RC_DEFAULT;
	if (!c->rm)
		c->rm = STUN_TXN_RM_DEFAULT;
	if (!c->nominate_wait_ms)
		c->nominate_wait_ms = ICE_DEFAULT_NOM_WAIT_MS;
	if (!c->silent_slack_ms)
		c->silent_slack_ms = ICE_SILENT_SLACK_MS;
	if (!c->consent_interval_ms)
		c->consent_interval_ms = ICE_CONSENT_INTERVAL_MS;
	if (!c->consent_timeout_ms)
		c->consent_timeout_ms = ICE_CONSENT_TIMEOUT_MS;
	if (!c->keepalive_ms)
		c->keepalive_ms = ICE_KEEPALIVE_MS;
}

enum ice_err ice_agent_config_check(const struct ice_agent_config *in)
{
	struct ice_agent_config c;
	struct stun_txn_cfg t;

	if (!in)
		return ICE_E_ARG;
	c = *in;
	normalize(&c);
	if (!cred_ok(c.ufrag, ICE_UFRAG_MIN, ICE_UFRAG_MAX) ||
	    !cred_ok(c.pwd, ICE_PWD_MIN, ICE_PWD_MAX))
		return ICE_E_CRED;
	if (c.ta_ms < ICE_MIN_TA_MS)		/* s.14.2 */
		return ICE_E_ARG;
	if (c.max_checks > CL_HARD_MAX_PAIRS ||
	    c.max_remote > ICE_HARD_MAX_REMOTE)
		return ICE_E_ARG;
	if ((unsigned int)c.nomination > ICE_NOM_AGGRESSIVE)
		return ICE_E_ARG;
	/* RFC 7675 s.5.1: consent expires after 30 s; a timeout shorter than
	 * the interval would expire between two requests. */
	if (c.consent_timeout_ms < c.consent_interval_ms)
		return ICE_E_ARG;
	t.rto_ms = c.rto_ms;
	t.rc = c.rc;
	t.rm = c.rm;
	t.allow_short_rto = c.allow_short_rto;
	if (stun_txn_cfg_check(&t) != STUN_OK)
		return ICE_E_ARG;
	return ICE_OK;
}

/* ------------------------------------------------------------------ */
/* helpers */

static void rnd(struct ice_agent *a, void *buf, size_t n)
{
	if (a->cfg.rand_bytes) {
		a->cfg.rand_bytes(a->cfg.rand_ctx, buf, n);
		return;
	}
	if (RAND_bytes(buf, (int)n) != 1)
		abort();	/* never a predictable transaction ID */
}

static void to_stun(struct stun_addr *s, const struct ice_addr *a)
{
	memset(s, 0, sizeof(*s));
	s->family = a->family;
	memcpy(s->ip, a->ip, sizeof(s->ip));
	s->port = a->port;
}

static void from_stun(struct ice_addr *a, const struct stun_addr *s)
{
	memset(a, 0, sizeof(*a));
	a->family = s->family;
	memcpy(a->ip, s->ip, s->family == AF_INET ? 4 : 16);
	a->port = s->port;
}

static const struct ice_addr *cand_base(const struct ice_cand *c)
{
	return c->base.family ? &c->base : &c->addr;
}

static uint64_t prio_of(const struct ice_agent *a, uint32_t local,
			uint32_t remote)
{
	/* s.6.1.2.3: G is the controlling agent's priority. */
	return a->controlling ? cl_pair_priority(local, remote)
			      : cl_pair_priority(remote, local);
}

static void push_event(struct ice_agent *a, const struct ice_event *ev)
{
	struct ice_event *e;

	if (a->evq_n >= EVQ_MAX) {
		a->st.events_lost++;
		return;
	}
	e = &a->evq[(a->evq_head + a->evq_n) % EVQ_MAX];
	*e = *ev;
	e->time = a->now;
	a->evq_n++;
}

static void simple_event(struct ice_agent *a, enum ice_event_type t)
{
	struct ice_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = t;
	ev.controlling = a->controlling;
	push_event(a, &ev);
}

static void valid_info(const struct ice_agent *a, const struct valid_pair *v,
		       struct ice_pair_info *p)
{
	memset(p, 0, sizeof(*p));
	p->pair_id = v->pair_id;
	p->local = v->local;
	p->local_base = v->base;
	p->remote = v->remote;
	p->priority = prio_of(a, v->local.priority, v->remote.priority);
	p->nominated = v->nominated;
}

static void pair_event(struct ice_agent *a, enum ice_event_type t,
		       const struct valid_pair *v)
{
	struct ice_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = t;
	ev.pair_id = v->pair_id;
	valid_info(a, v, &ev.pair);
	push_event(a, &ev);
}

static struct ice_tx *txq_alloc(struct ice_agent *a)
{
	struct ice_tx *t;

	if (a->txq_n >= TXQ_MAX) {
		a->st.dropped[ICE_DROP_TXQ_FULL]++;
		return NULL;
	}
	t = &a->txq[(a->txq_head + a->txq_n) % TXQ_MAX];
	memset(t, 0, sizeof(*t));
	return t;
}

static void txq_commit(struct ice_agent *a)
{
	a->txq_n++;
}

static void enqueue_bytes(struct ice_agent *a, const struct ice_addr *base,
			  const struct ice_addr *to, const uint8_t *buf,
			  size_t len)
{
	struct ice_tx *t = txq_alloc(a);

	if (!t || len > ICE_TX_MAX)
		return;
	t->local_base = *base;
	t->to = *to;
	t->len = len;
	memcpy(t->buf, buf, len);
	txq_commit(a);
}

static void set_pair_state(struct ice_agent *a, struct cl_pair *p,
			   enum cl_state st)
{
	struct ice_event ev;
	enum cl_state old = p->state;
	unsigned int id = p->id;

	if (old == st)
		return;
	cl_set_state(&a->cl, id, st);
	if (st == CL_FAILED)
		a->st.checks_failed++;
	memset(&ev, 0, sizeof(ev));
	ev.type = ICE_EV_PAIR_STATE;
	ev.pair_id = id;
	ev.old_state = old;
	ev.new_state = st;
	push_event(a, &ev);
}

static bool nomset_has(const struct ice_agent *a, unsigned int id)
{
	unsigned int i;

	for (i = 0; i < a->n_nomset; i++)
		if (a->nomset[i] == id)
			return true;
	return false;
}

static void nomset_add(struct ice_agent *a, unsigned int id)
{
	if (!nomset_has(a, id) && a->n_nomset < NOMSET_MAX)
		a->nomset[a->n_nomset++] = id;
}

static void trig_push(struct ice_agent *a, unsigned int id, bool nomination)
{
	unsigned int i;

	/* One entry per pair; a nomination upgrades a queued plain check,
	 * else the nomination would be lost with it once the pair is no
	 * longer Waiting. */
	for (i = 0; i < a->n_trig; i++)
		if (a->trig[i].pair_id == id) {
			a->trig[i].nomination |= nomination;
			return;
		}
	if (a->n_trig >= TRIG_MAX)
		return;
	a->trig[a->n_trig].pair_id = id;
	a->trig[a->n_trig].nomination = nomination;
	a->n_trig++;
	a->st.triggered++;
}

static int pair_cmp(const void *x, const void *y)
{
	const struct cl_pair *p = x, *q = y;

	if (p->priority != q->priority)
		return p->priority > q->priority ? -1 : 1;
	return p->id < q->id ? -1 : p->id > q->id;
}

/* After a role switch, pair priorities change (s.7.2.5.1, s.7.3.1.1). */
static void recompute_priorities(struct ice_agent *a)
{
	unsigned int i;

	a->cl.cfg.controlling = a->controlling;
	for (i = 0; i < a->cl.n; i++)
		a->cl.pairs[i].priority = prio_of(a, a->cl.pairs[i].local.priority,
						  a->cl.pairs[i].remote.priority);
	qsort(a->cl.pairs, a->cl.n, sizeof(*a->cl.pairs), pair_cmp);
}

static void switch_role(struct ice_agent *a)
{
	a->controlling = !a->controlling;
	a->st.role_conflicts++;
	recompute_priorities(a);
	simple_event(a, ICE_EV_ROLE);
}

/* The local candidate to pair with for a datagram arriving on @base: the
 * host candidate with that address, else any whose base it is. */
static const struct ice_cand *local_for_base(const struct ice_agent *a,
					     const struct ice_addr *base)
{
	const struct ice_cand *any = NULL;
	unsigned int i;

	for (i = 0; i < a->local.n; i++) {
		const struct ice_cand *c = &a->local.c[i];

		if (c->type == ICE_CAND_HOST && ice_addr_eq(&c->addr, base))
			return c;
		if (!any && ice_addr_eq(cand_base(c), base))
			any = c;
	}
	return any;
}

/* ------------------------------------------------------------------ */
/* lifecycle */

static void reset_checks(struct ice_agent *a)
{
	a->cl.n = 0;
	stun_txn_table_init(&a->txns, STUN_TXN_TABLE_MAX);
	a->rtt_min = UINT64_MAX;
	memset(a->ctx, 0, sizeof(a->ctx));
	a->n_trig = 0;
	a->checks_started = 0;
	a->cap_applied = false;
	a->any_check = false;
	a->n_valid = 0;
	a->nominating = false;
	a->n_nomset = 0;
	a->n_early = 0;
	memset(a->consent, 0, sizeof(a->consent));
}

struct ice_agent *ice_agent_new(const struct ice_agent_config *cfg,
				const struct mice_clock *clk)
{
	struct ice_agent *a;
	struct cl_config clc;

	if (ice_agent_config_check(cfg) != ICE_OK || !clk)
		return NULL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->cfg = *cfg;
	normalize(&a->cfg);
	a->clk = *clk;
	a->txcfg.rto_ms = a->cfg.rto_ms;
	a->txcfg.rc = a->cfg.rc;
	a->txcfg.rm = a->cfg.rm;
	a->txcfg.allow_short_rto = a->cfg.allow_short_rto;
	a->controlling = a->cfg.controlling;
	a->tb = a->cfg.tiebreaker;
	while (a->tb == 0)
		rnd(a, &a->tb, sizeof(a->tb));
	ice_cand_set_init(&a->local, 0, 'L');
	memset(&clc, 0, sizeof(clc));
	clc.controlling = a->controlling;
	clc.use_frozen = a->cfg.use_frozen;
	clc.max_pairs = a->cfg.max_checks;
	if (cl_init(&a->cl, &clc) != 0) {
		free(a);
		return NULL;
	}
	reset_checks(a);
	a->now = mice_clock_now(clk);
	return a;
}

void ice_agent_free(struct ice_agent *a)
{
	if (!a)
		return;
	cl_free(&a->cl);
	/* Passwords and the check requests keyed with them. */
	OPENSSL_cleanse(a, sizeof(*a));
	free(a);
}

enum ice_err ice_agent_add_local_candidate(struct ice_agent *a,
					   const struct ice_cand *c)
{
	enum ice_add_result r;

	if (!a || !c)
		return ICE_E_ARG;
	if (a->remote_set)
		return ICE_E_STATE;
	r = ice_cand_set_add(&a->local, c, NULL);
	if (r == ICE_ADD_FULL)
		return ICE_E_FULL;
	if (r == ICE_ADD_INVALID)
		return ICE_E_ARG;
	return ICE_OK;
}

static void handle_pair_request(struct ice_agent *a, const struct ice_addr *base,
				const struct ice_addr *from, uint32_t prio,
				bool use_cand);

enum ice_err ice_agent_set_remote(struct ice_agent *a, const char *ufrag,
				  const char *pwd, const struct ice_cand *cands,
				  unsigned int n, bool authenticated,
				  uint64_t now)
{
	struct ice_cand *tmp;
	unsigned int i;
	int np;

	if (!a || (n && !cands))
		return ICE_E_ARG;
	if (now > a->now)
		a->now = now;
	/* seed 004 s.14.1, s.14.3: never check an unauthenticated set. */
	if (!authenticated)
		return ICE_E_UNAUTH;
	if (a->remote_set)
		return ICE_E_STATE;	/* a new set needs ice_agent_restart */
	if (!cred_ok(ufrag, ICE_UFRAG_MIN, ICE_UFRAG_MAX) ||
	    !cred_ok(pwd, ICE_PWD_MIN, ICE_PWD_MAX))
		return ICE_E_CRED;
	/* seed 004 s.14.4.2: refuse, rather than truncate, a large set. */
	if (n > a->cfg.max_remote)
		return ICE_E_TOO_MANY;
	for (i = 0; i < n; i++)
		if (cands[i].priority == 0 || cands[i].component == 0 ||
		    (cands[i].addr.family != AF_INET &&
		     cands[i].addr.family != AF_INET6))
			return ICE_E_ARG;
	if (a->local.n == 0)
		return ICE_E_NO_CAND;

	tmp = calloc(a->local.n, sizeof(*tmp));
	if (!tmp)
		return ICE_E_NOMEM;
	memcpy(tmp, a->local.c, a->local.n * sizeof(*tmp));
	np = cl_form(&a->cl, tmp, a->local.n, cands, n);
	free(tmp);
	if (np < 0)
		return ICE_E_NOMEM;

	memcpy(a->remote, cands, n * sizeof(*cands));
	a->n_remote = n;
	a->n_remote_prflx = 0;
	snprintf(a->rufrag, sizeof(a->rufrag), "%s", ufrag);
	snprintf(a->rpwd, sizeof(a->rpwd), "%s", pwd);
	a->remote_set = true;
	a->state = ICE_ST_CHECKING;
	/* Checks that arrived before the answer (s.7.3.1.4 note). */
	for (i = 0; i < a->n_early; i++)
		handle_pair_request(a, &a->early[i].base, &a->early[i].from,
				    a->early[i].prio, a->early[i].use_cand);
	a->n_early = 0;
	return ICE_OK;
}

uint32_t ice_ta_agreed(uint32_t local_ms, uint32_t remote_ms)
{
	uint32_t l = local_ms ? local_ms : ICE_DEFAULT_TA_MS;
	uint32_t r = remote_ms ? remote_ms : ICE_DEFAULT_TA_MS;
	uint32_t ta = l > r ? l : r;

	if (ta < ICE_MIN_TA_MS)
		return ICE_MIN_TA_MS;
	return ta > ICE_MAX_TA_MS ? ICE_MAX_TA_MS : ta;
}

enum ice_err ice_agent_set_ta(struct ice_agent *a, uint32_t ta_ms)
{
	if (!a || ta_ms < ICE_MIN_TA_MS || ta_ms > ICE_MAX_TA_MS)
		return ICE_E_ARG;
	a->cfg.ta_ms = ta_ms;
	return ICE_OK;
}

enum ice_err ice_agent_set_known_remote(struct ice_agent *a,
					const struct ice_addr *remote)
{
	if (!a || (remote && remote->family != AF_INET &&
		   remote->family != AF_INET6))
		return ICE_E_ARG;
	a->have_known = remote != NULL;
	if (remote)
		a->known_remote = *remote;
	return ICE_OK;
}

enum ice_err ice_agent_hold_unknown(struct ice_agent *a, bool on)
{
	if (!a)
		return ICE_E_ARG;
	a->hold_unknown = on;
	return ICE_OK;
}

static bool toward_known(const struct ice_agent *a, const struct ice_cand *r)
{
	return a->have_known && ice_addr_eq(&r->addr, &a->known_remote);
}

/*
 * The highest-priority Waiting pair toward the known remote, if any; not
 * from a relayed candidate, the last resort (s.5.1.2.2), which waits its
 * turn (and, held, the answer).
 */
static struct cl_pair *known_waiting(struct ice_agent *a)
{
	unsigned int i;

	for (i = 0; a->have_known && i < a->cl.n; i++) {	/* priority order */
		const struct cl_pair *p = &a->cl.pairs[i];

		if (p->state == CL_WAITING && p->local.type != ICE_CAND_RELAY &&
		    toward_known(a, &p->remote))
			return &a->cl.pairs[i];
	}
	return NULL;
}

enum ice_err ice_agent_restart(struct ice_agent *a, const char *ufrag,
			       const char *pwd, uint64_t now)
{
	struct ice_cand_set keep;
	unsigned int i;

	if (!a)
		return ICE_E_ARG;
	if (!cred_ok(ufrag, ICE_UFRAG_MIN, ICE_UFRAG_MAX) ||
	    !cred_ok(pwd, ICE_PWD_MIN, ICE_PWD_MAX))
		return ICE_E_CRED;
	/* RFC 8445 s.9: a restart changes both ufrag and pwd. */
	if (!strcmp(ufrag, a->cfg.ufrag) || !strcmp(pwd, a->cfg.pwd))
		return ICE_E_CRED;
	if (now > a->now)
		a->now = now;
	OPENSSL_cleanse(a->cfg.pwd, sizeof(a->cfg.pwd));
	OPENSSL_cleanse(a->rpwd, sizeof(a->rpwd));
	snprintf(a->cfg.ufrag, sizeof(a->cfg.ufrag), "%s", ufrag);
	snprintf(a->cfg.pwd, sizeof(a->cfg.pwd), "%s", pwd);
	memset(a->rufrag, 0, sizeof(a->rufrag));
	reset_checks(a);
	/* Learned peer-reflexive candidates belong to the old session. */
	ice_cand_set_init(&keep, a->local.max, 'L');
	for (i = 0; i < a->local.n; i++)
		if (a->local.c[i].type != ICE_CAND_PRFLX)
			ice_cand_set_add(&keep, &a->local.c[i], NULL);
	a->local = keep;
	a->n_remote = 0;
	a->n_remote_prflx = 0;
	a->remote_set = false;
	a->state = ICE_ST_NEW;
	a->txq_n = 0;
	if (a->have_selected)
		a->selected_stale = true;
	return ICE_OK;
}

/* ------------------------------------------------------------------ */
/* sending checks (s.7.2.2) */

static bool start_check(struct ice_agent *a, struct cl_pair *p, bool nomination)
{
	struct stun_builder b;
	struct stun_txn *t;
	struct chk_ctx *c;
	uint8_t tid[STUN_TID_LEN];
	char user[2 * ICE_UFRAG_MAX + 2];
	bool use_cand;
	size_t slot;

	use_cand = nomination || (a->controlling &&
				  a->cfg.nomination == ICE_NOM_AGGRESSIVE);
	rnd(a, tid, sizeof(tid));
	t = stun_txn_table_add(&a->txns, tid, STUN_METHOD_BINDING, &a->txcfg,
			       a->now);
	if (!t)
		return false;
	slot = (size_t)(t - a->txns.slot);
	c = &a->ctx[slot];
	memset(c, 0, sizeof(*c));
	c->pair_id = p->id;
	c->use_cand = use_cand;
	c->nomination = nomination;
	c->controlling = a->controlling;
	c->base = *cand_base(&p->local);
	c->to = p->remote.addr;
	/* s.7.1.1: PRIORITY as if the candidate were peer reflexive. */
	c->prio = ice_priority(ICE_TYPE_PREF_PRFLX, p->local.local_pref,
			       p->local.component);
	/* s.7.2.2: USERNAME "remote:local" (RFC 8445 s.7.2.2). */
	snprintf(user, sizeof(user), "%s:%s", a->rufrag, a->cfg.ufrag);
	stun_build_init(&b, c->req, sizeof(c->req), STUN_METHOD_BINDING,
			STUN_REQUEST, tid);
	stun_build_username(&b, user);
	stun_build_priority(&b, c->prio);
	if (a->controlling)
		stun_build_ice_controlling(&b, a->tb);
	else
		stun_build_ice_controlled(&b, a->tb);
	if (use_cand)
		stun_build_use_candidate(&b);
	stun_build_integrity(&b, (const uint8_t *)a->rpwd, strlen(a->rpwd));
	stun_build_fingerprint(&b);
	c->len = stun_build_len(&b);
	if (!c->len) {
		stun_txn_table_remove(&a->txns, t);
		return false;
	}
	if (!nomination)	/* seed 004 s.14.4.2 cap: exploratory checks */
		a->checks_started++;
	if (nomination)
		a->st.nominations_sent++;
	a->st.checks_sent++;
	a->any_check = true;
	a->last_check_at = a->now;
	if (p->state != CL_SUCCEEDED)
		set_pair_state(a, p, CL_IN_PROGRESS);
	enqueue_bytes(a, &c->base, &c->to, c->req, c->len);
	return true;
}

static bool cap_reached(const struct ice_agent *a)
{
	return a->checks_started >= a->cfg.max_checks;
}

/* seed 004 s.14.4.2: no more exploratory checks; what waits has failed. */
static void apply_cap(struct ice_agent *a)
{
	unsigned int i, j;

	if (a->cap_applied)
		return;
	a->cap_applied = true;
	for (i = 0; i < a->cl.n; i++) {
		struct cl_pair *p = &a->cl.pairs[i];

		if (p->state == CL_WAITING || p->state == CL_FROZEN)
			set_pair_state(a, p, CL_FAILED);
	}
	for (i = j = 0; i < a->n_trig; i++)
		if (a->trig[i].nomination)
			a->trig[j++] = a->trig[i];
	a->n_trig = j;
}

static void trig_del(struct ice_agent *a, unsigned int i)
{
	memmove(&a->trig[i], &a->trig[i + 1],
		(a->n_trig - i - 1) * sizeof(a->trig[0]));
	a->n_trig--;
}

/* Could cl_unfreeze_one() unfreeze a pair now? (nothing is Waiting) */
static bool can_unfreeze(const struct ice_agent *a)
{
	unsigned int i, j;

	if (!a->cfg.use_frozen)
		return false;
	for (i = 0; i < a->cl.n; i++) {
		const struct cl_pair *p = &a->cl.pairs[i];
		bool active = false;

		if (p->state != CL_FROZEN)
			continue;
		for (j = 0; j < a->cl.n && !active; j++)
			active = a->cl.pairs[j].state == CL_IN_PROGRESS &&
				 !strcmp(a->cl.pairs[j].foundation,
					 p->foundation);
		if (!active)
			return true;
	}
	return false;
}

/* Is a triggered-queue entry still worth a check? */
static bool trig_live(struct ice_agent *a, const struct trig_ent *e,
		      struct cl_pair **pp)
{
	struct cl_pair *p = cl_by_id(&a->cl, e->pair_id);

	*pp = p;
	if (!p)
		return false;
	if (e->nomination)
		return true;
	if (p->state != CL_WAITING)
		return false;
	/* The cap is strict: not even a pair the peer nominated gets a
	 * check beyond it (else a peer could have us check without end). */
	return !cap_reached(a);
}

/*
 * The pair to check next (s.6.1.4.2): the triggered-check queue first,
 * then the highest-priority Waiting pair, then (use_frozen only) an
 * unfrozen one. @take: dequeue/unfreeze it; otherwise only peek.
 */
static bool next_check(struct ice_agent *a, struct cl_pair **pp, bool *nom,
		       bool take)
{
	struct cl_pair *p;
	unsigned int i = 0;

	while (i < a->n_trig) {
		if (!trig_live(a, &a->trig[i], &p)) {
			if (take)
				trig_del(a, i);
			else
				i++;
			continue;
		}
		*pp = p;
		*nom = a->trig[i].nomination;
		if (take)
			trig_del(a, i);
		return true;
	}
	if (cap_reached(a))
		return false;
	p = known_waiting(a);
	if (!p && a->hold_unknown)
		return false;
	if (!p)
		p = cl_next_waiting(&a->cl);
	if (!p && take)
		p = cl_unfreeze_one(&a->cl);
	else if (!p && can_unfreeze(a))
		p = &a->cl.pairs[0];	/* peek only: some pair will do */
	if (!p)
		return false;
	*pp = p;
	*nom = false;
	return true;
}

/* ------------------------------------------------------------------ */
/* valid list, nomination, selection (s.7.2.5.3.2, s.8) */

static struct valid_pair *valid_find(struct ice_agent *a,
				     const struct ice_addr *local,
				     const struct ice_addr *remote)
{
	unsigned int i;

	for (i = 0; i < a->n_valid; i++)
		if (ice_addr_eq(&a->valid[i].local.addr, local) &&
		    ice_addr_eq(&a->valid[i].remote.addr, remote))
			return &a->valid[i];
	return NULL;
}

static struct valid_pair *valid_best(struct ice_agent *a)
{
	struct valid_pair *best = NULL;
	uint64_t bp = 0;
	unsigned int i;

	for (i = 0; i < a->n_valid; i++) {
		uint64_t pr = prio_of(a, a->valid[i].local.priority,
				      a->valid[i].remote.priority);

		if (!best || pr > bp) {
			best = &a->valid[i];
			bp = pr;
		}
	}
	return best;
}

static void valid_remove_pair(struct ice_agent *a, unsigned int pair_id)
{
	unsigned int i, j;

	for (i = j = 0; i < a->n_valid; i++)
		if (a->valid[i].pair_id != pair_id)
			a->valid[j++] = a->valid[i];
	a->n_valid = j;
}

/* A later answer with this ID is expected (late_responses), not a drop. */
static void expect_late(struct ice_agent *a, const uint8_t tid[STUN_TID_LEN])
{
	memcpy(a->cancelled[a->cancelled_pos], tid, STUN_TID_LEN);
	a->cancelled_pos = (a->cancelled_pos + 1) % CANCELLED_MAX;
	if (a->cancelled_n < CANCELLED_MAX)
		a->cancelled_n++;
}

static void cancel_checks(struct ice_agent *a)
{
	unsigned int i;

	for (i = 0; i < a->txns.max; i++) {
		if (!a->txns.used[i])
			continue;
		expect_late(a, a->txns.slot[i].tid);
		stun_txn_table_remove(&a->txns, &a->txns.slot[i]);
	}
	a->n_trig = 0;
}

static uint32_t consent_delay(struct ice_agent *a)
{
	uint32_t r, d;

	/* RFC 7675 s.5.1: interval randomized over [0.8, 1.2], >= 4 s. */
	rnd(a, &r, sizeof(r));
	d = (uint32_t)((uint64_t)a->cfg.consent_interval_ms *
		       (800 + r % 401) / 1000);
	return d < ICE_CONSENT_MIN_MS ? ICE_CONSENT_MIN_MS : d;
}

/* s.8.1.2: a nominated valid pair is selected; the check list completes. */
static void select_pair(struct ice_agent *a, struct valid_pair *v)
{
	struct ice_pair_info info;

	valid_info(a, v, &info);
	if (a->have_selected && !a->selected_stale &&
	    (info.priority <= a->selected.priority ||
	     a->state != ICE_ST_COMPLETED))
		return;
	a->selected = info;
	a->have_selected = true;
	a->selected_stale = false;
	pair_event(a, ICE_EV_SELECTED, v);
	if (a->state == ICE_ST_CHECKING) {
		a->state = ICE_ST_COMPLETED;
		a->nominating = false;
		cancel_checks(a);
		a->last_consent_ok = a->now;
		a->next_consent = a->now + consent_delay(a);
		a->next_keepalive = a->now + a->cfg.keepalive_ms;
		simple_event(a, ICE_EV_COMPLETED);
	}
}

static void nominate(struct ice_agent *a, struct valid_pair *v)
{
	if (!v->nominated) {
		v->nominated = true;
		pair_event(a, ICE_EV_NOMINATED, v);
	}
	select_pair(a, v);
}

/* ------------------------------------------------------------------ */
/* timers */

static void fail_all(struct ice_agent *a)
{
	a->state = ICE_ST_FAILED;
	a->nominating = false;
	cancel_checks(a);
	simple_event(a, ICE_EV_FAILED);
}

/* Nothing left to try: fail (s.7.2.5.3.5 / s.8.1.2 failure). */
static void check_done(struct ice_agent *a)
{
	struct cl_pair *p;
	bool nom;
	unsigned int i;

	if (a->state != ICE_ST_CHECKING)
		return;
	if (a->txns.n || next_check(a, &p, &nom, false) || a->nominating)
		return;
	for (i = 0; i < a->cl.n; i++)
		if (a->cl.pairs[i].state == CL_IN_PROGRESS ||
		    (a->hold_unknown && (a->cl.pairs[i].state == CL_WAITING ||
					 a->cl.pairs[i].state == CL_FROZEN)))
			return;		/* held pairs are still to be tried */
	if (a->n_valid == 0)
		fail_all(a);
	/* With valid pairs: the controlling agent nominates (timers below);
	 * the controlled one waits for a nomination. */
}

/* When the check in transaction slot @i stops being young (below). */
static uint64_t young_until(const struct ice_agent *a, unsigned int i)
{
	return a->txns.slot[i].start_ms + a->rtt_min + a->rtt_min / 4 +
	       a->cfg.silent_slack_ms;
}

/*
 * Is the in-progress check of pair @id still worth waiting for? Its answer
 * would have come by now on a path like the fastest one seen: 1.25 RTT
 * plus silent_slack_ms (default ICE_SILENT_SLACK_MS) after the request.
 * Past that, a better pair
 * that is still silent is most likely dead (it retransmits for tens of
 * seconds before it fails), and waiting for it only delays the
 * nomination. The price: a better pair on a path more than a quarter
 * (plus the slack) slower than the fastest loses to it.
 */
static bool check_is_young(const struct ice_agent *a, unsigned int id)
{
	unsigned int i;

	if (a->cfg.wait_for_silent || a->rtt_min == UINT64_MAX)
		return true;
	for (i = 0; i < a->txns.max; i++)
		if (a->txns.used[i] && a->ctx[i].pair_id == id &&
		    a->now < young_until(a, i))
			return true;
	return false;
}

/*
 * When the next in-progress check stops being young (check_is_young):
 * regular nomination may then go ahead, so the agent must wake up even if
 * no datagram arrives. ICE_NEVER if nothing is waited for.
 */
static uint64_t next_silent(const struct ice_agent *a)
{
	uint64_t t = ICE_NEVER, end;
	unsigned int i;

	if (a->cfg.wait_for_silent || a->rtt_min == UINT64_MAX)
		return ICE_NEVER;
	for (i = 0; i < a->txns.max; i++) {
		if (!a->txns.used[i])
			continue;
		end = young_until(a, i);
		if (end > a->now && end < t)
			t = end;
	}
	return t;
}

static bool relayed(const struct ice_cand *l, const struct ice_cand *r)
{
	return l->type == ICE_CAND_RELAY || r->type == ICE_CAND_RELAY;
}

static void maybe_nominate(struct ice_agent *a)
{
	struct valid_pair *best;
	bool pending = false, last_resort, known;
	uint64_t bp;
	unsigned int i;

	if (a->state != ICE_ST_CHECKING || !a->controlling ||
	    a->cfg.nomination != ICE_NOM_REGULAR || a->nominating ||
	    a->n_valid == 0)
		return;
	best = valid_best(a);
	bp = prio_of(a, best->local.priority, best->remote.priority);
	/*
	 * A relayed pair is the last resort (type preference 0, RFC 8445
	 * s.5.1.2.2): for it the agent waits the whole nomination wait for
	 * any direct pair, silent or not. Behind filtering NATs a direct
	 * pair's first checks are dropped until the peer's own checks open
	 * the way, so a direct pair often answers later than the relay.
	 */
	last_resort = relayed(&best->local, &best->remote);
	/* the direct path that worked until our move: no wait for better */
	known = !last_resort && toward_known(a, &best->remote);
	for (i = 0; i < a->cl.n && !known; i++) {
		const struct cl_pair *p = &a->cl.pairs[i];

		if ((p->state == CL_WAITING || p->state == CL_FROZEN ||
		     (p->state == CL_IN_PROGRESS &&
		      ((last_resort && !relayed(&p->local, &p->remote)) ||
		       check_is_young(a, p->id)))) &&
		    p->priority > bp &&
		    !(cap_reached(a) && p->state != CL_IN_PROGRESS))
			pending = true;
	}
	if (pending && a->now < a->first_valid_at + a->cfg.nominate_wait_ms)
		return;
	/* s.8.1.1: a check with USE-CANDIDATE on the chosen valid pair. */
	a->nominating = true;
	trig_push(a, best->pair_id, true);
}

/*
 * See handle_pair_request(): the peer's check crossed ours, so our
 * request, if a filtering NAT dropped it, would now get through. Resend it
 * once, at once, unless a known RTT says its answer may still be on its
 * way (then 1.5 RTT after it was sent), instead of waiting the RTO.
 * RFC 8445 s.7.3.1.4 queues a new triggered check instead, which waits
 * for the next pacing slot (s.6.1.4.2); but Ta paces new transactions
 * (s.14.1), and this is the running one's request again. After an ICE
 * restart (seed 004 s.9) no RTT is known yet, and waiting (150 ms until
 * now, or the slot) was most of the check time in the handover gap.
 */
static void schedule_resend(struct ice_agent *a, unsigned int id)
{
	uint64_t rtt15 = 0;
	unsigned int i;

	if (a->rtt_min != UINT64_MAX)
		rtt15 = a->rtt_min + a->rtt_min / 2;
	for (i = 0; i < a->txns.max; i++) {
		struct chk_ctx *c = &a->ctx[i];
		uint64_t start = a->txns.slot[i].start_ms;

		if (a->txns.used[i] && c->pair_id == id && !c->resent &&
		    !c->resend_at && a->txns.slot[i].sent == 1)
			c->resend_at = a->now > start + rtt15 ? a->now :
								start + rtt15;
	}
}

static void run_resends(struct ice_agent *a)
{
	unsigned int i;

	for (i = 0; i < a->txns.max; i++) {
		struct chk_ctx *c = &a->ctx[i];

		if (!a->txns.used[i] || !c->resend_at || c->resent ||
		    a->now < c->resend_at)
			continue;
		c->resent = true;
		if (a->txns.slot[i].sent != 1)
			continue;	/* the RTO retransmission came first */
		a->st.retransmits++;
		enqueue_bytes(a, &c->base, &c->to, c->req, c->len);
	}
}

static uint64_t next_resend(const struct ice_agent *a)
{
	uint64_t t = UINT64_MAX;
	unsigned int i;

	for (i = 0; i < a->txns.max; i++)
		if (a->txns.used[i] && a->ctx[i].resend_at &&
		    !a->ctx[i].resent && a->ctx[i].resend_at < t)
			t = a->ctx[i].resend_at;
	return t;
}

static void on_txn_timeout(struct ice_agent *a, size_t slot)
{
	struct chk_ctx *c = &a->ctx[slot];
	struct cl_pair *p = cl_by_id(&a->cl, c->pair_id);

	if (c->nomination) {
		/* The nominated path stopped working: forget it, try the
		 * next best valid pair. */
		a->nominating = false;
		valid_remove_pair(a, c->pair_id);
	}
	if (p)
		set_pair_state(a, p, CL_FAILED);	/* s.7.2.5.2.3 timeout */
}

static void run_txn_timers(struct ice_agent *a)
{
	enum stun_txn_action act;
	struct stun_txn *t;

	while ((t = stun_txn_table_due(&a->txns, a->now, &act)) != NULL) {
		size_t slot = (size_t)(t - a->txns.slot);
		struct chk_ctx *c = &a->ctx[slot];

		if (act == STUN_TXN_SEND) {
			/* RFC 8489 s.6.2.1: the same request again. */
			a->st.retransmits++;
			enqueue_bytes(a, &c->base, &c->to, c->req, c->len);
		} else {
			stun_txn_table_remove(&a->txns, t);
			on_txn_timeout(a, slot);
		}
	}
}

static void send_consent(struct ice_agent *a)
{
	struct consent_txn *ct = &a->consent[a->consent_pos];
	char user[2 * ICE_UFRAG_MAX + 2];
	struct stun_builder b;
	struct ice_tx *t;
	uint32_t prio;

	a->consent_pos = (a->consent_pos + 1) % CONSENT_MAX;
	t = txq_alloc(a);
	if (!t)
		return;
	/* RFC 7675 s.5.1: a fresh transaction ID, sent once, with the ICE
	 * credentials; it is an ordinary ICE connectivity check. */
	rnd(a, ct->tid, sizeof(ct->tid));
	ct->used = true;
	prio = ice_priority(ICE_TYPE_PREF_PRFLX, a->selected.local.local_pref,
			    a->selected.local.component);
	snprintf(user, sizeof(user), "%s:%s", a->rufrag, a->cfg.ufrag);
	stun_build_init(&b, t->buf, sizeof(t->buf), STUN_METHOD_BINDING,
			STUN_REQUEST, ct->tid);
	stun_build_username(&b, user);
	stun_build_priority(&b, prio);
	if (a->controlling)
		stun_build_ice_controlling(&b, a->tb);
	else
		stun_build_ice_controlled(&b, a->tb);
	stun_build_integrity(&b, (const uint8_t *)a->rpwd, strlen(a->rpwd));
	stun_build_fingerprint(&b);
	t->len = stun_build_len(&b);
	if (!t->len)
		return;
	t->local_base = a->selected.local_base;
	t->to = a->selected.remote.addr;
	txq_commit(a);
	a->st.consent_sent++;
}

static void send_keepalive(struct ice_agent *a)
{
	struct stun_builder b;
	struct ice_tx *t = txq_alloc(a);
	uint8_t tid[STUN_TID_LEN];

	if (!t)
		return;
	/* RFC 8445 s.11: a Binding indication, FINGERPRINT only. */
	rnd(a, tid, sizeof(tid));
	stun_build_init(&b, t->buf, sizeof(t->buf), STUN_METHOD_BINDING,
			STUN_INDICATION, tid);
	stun_build_fingerprint(&b);
	t->len = stun_build_len(&b);
	if (!t->len)
		return;
	t->local_base = a->selected.local_base;
	t->to = a->selected.remote.addr;
	txq_commit(a);
	a->st.keepalives_sent++;
}

static void run_timers(struct ice_agent *a)
{
	struct cl_pair *p;
	bool nom;

	run_txn_timers(a);
	run_resends(a);
	if (a->state == ICE_ST_CHECKING) {
		maybe_nominate(a);
		if (cap_reached(a))
			apply_cap(a);
		/* s.6.1.4.2: one new check per Ta. */
		if ((!a->any_check || a->now >= a->last_check_at + a->cfg.ta_ms) &&
		    next_check(a, &p, &nom, true) && !start_check(a, p, nom)) {
			/* transaction table full: try again after Ta */
			a->any_check = true;
			a->last_check_at = a->now;
			if (nom)
				trig_push(a, p->id, true);
		}
		if (cap_reached(a))
			apply_cap(a);
		check_done(a);
	}
	if (a->state == ICE_ST_COMPLETED && !a->selected_stale) {
		if (!a->cfg.disable_consent) {
			if (a->now >= a->last_consent_ok +
					      a->cfg.consent_timeout_ms) {
				/* RFC 7675 s.5.1: consent expired. */
				a->state = ICE_ST_FAILED;
				simple_event(a, ICE_EV_CONSENT_LOST);
				simple_event(a, ICE_EV_FAILED);
				return;
			}
			if (a->now >= a->next_consent) {
				send_consent(a);
				a->next_consent = a->now + consent_delay(a);
			}
		} else if (a->now >= a->next_keepalive) {
			send_keepalive(a);
			a->next_keepalive = a->now + a->cfg.keepalive_ms;
		}
	}
}

int ice_agent_poll(struct ice_agent *a, uint64_t now, struct ice_tx *out)
{
	if (!a || !out)
		return 0;
	if (now > a->now)
		a->now = now;
	run_timers(a);
	if (!a->txq_n)
		return 0;
	*out = a->txq[a->txq_head];
	a->txq_head = (a->txq_head + 1) % TXQ_MAX;
	a->txq_n--;
	return 1;
}

static uint64_t min64(uint64_t x, uint64_t y)
{
	return x < y ? x : y;
}

uint64_t ice_agent_next_timeout(const struct ice_agent *a)
{
	struct ice_agent *m = (struct ice_agent *)a;	/* next_check peeks */
	uint64_t t = ICE_NEVER;
	struct cl_pair *p;
	bool nom;

	if (!a)
		return ICE_NEVER;
	if (a->txq_n)
		return a->now;
	t = stun_txn_table_next_deadline(&a->txns);
	if (t == STUN_TXN_NEVER)
		t = ICE_NEVER;
	t = min64(t, next_resend(a));
	if (a->state == ICE_ST_CHECKING) {
		if (next_check(m, &p, &nom, false))
			t = min64(t, a->any_check ? a->last_check_at + a->cfg.ta_ms
						  : a->now);
		if (a->controlling && a->cfg.nomination == ICE_NOM_REGULAR &&
		    !a->nominating && a->n_valid) {
			t = min64(t, a->first_valid_at + a->cfg.nominate_wait_ms);
			t = min64(t, next_silent(a));
		}
	}
	if (a->state == ICE_ST_COMPLETED && !a->selected_stale) {
		if (!a->cfg.disable_consent) {
			t = min64(t, a->next_consent);
			t = min64(t, a->last_consent_ok +
					     a->cfg.consent_timeout_ms);
		} else {
			t = min64(t, a->next_keepalive);
		}
	}
	return t;
}

/* ------------------------------------------------------------------ */
/* receiving */

static void send_response(struct ice_agent *a, const struct ice_addr *base,
			  const struct ice_addr *to, const struct stun_msg *req,
			  int code, const char *reason, bool with_mi)
{
	struct stun_builder b;
	struct stun_addr sa;
	struct ice_tx *t = txq_alloc(a);

	if (!t)
		return;
	stun_build_init(&b, t->buf, sizeof(t->buf), STUN_METHOD_BINDING,
			code ? STUN_ERROR : STUN_SUCCESS, req->tid);
	if (code) {
		stun_build_error_code(&b, code, reason);
		if (code == 420)	/* RFC 8489 s.6.3.1.1 */
			stun_build_unknown_attrs(&b, req->unknown,
						 req->n_unknown);
	} else {
		/* s.7.3.1.2: XOR-MAPPED-ADDRESS = the request's source. */
		to_stun(&sa, to);
		stun_build_xor_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS, &sa);
	}
	if (with_mi)
		stun_build_integrity(&b, (const uint8_t *)a->cfg.pwd,
				     strlen(a->cfg.pwd));
	stun_build_fingerprint(&b);
	t->len = stun_build_len(&b);
	if (!t->len)
		return;
	t->local_base = *base;
	t->to = *to;
	txq_commit(a);
	if (code)
		a->st.errors_tx++;
	else
		a->st.success_tx++;
}

static bool remote_known(const struct ice_agent *a, const struct ice_addr *x)
{
	unsigned int i;

	for (i = 0; i < a->n_remote; i++)
		if (ice_addr_eq(&a->remote[i].addr, x))
			return true;
	return false;
}

/* s.7.3.1.3 - s.7.3.1.5 for an authenticated request on (@base, @from). */
static void handle_pair_request(struct ice_agent *a, const struct ice_addr *base,
				const struct ice_addr *from, uint32_t prio,
				bool use_cand)
{
	const struct ice_cand *lc = local_for_base(a, base);
	struct cl_pair *p;
	struct valid_pair *v;
	unsigned int i;

	if (!lc || a->state == ICE_ST_FAILED)
		return;
	/* s.7.3.1.3: learn a peer-reflexive remote candidate. */
	if (!remote_known(a, from)) {
		struct ice_event ev;
		struct ice_cand *r;

		if (a->state != ICE_ST_CHECKING ||
		    a->n_remote_prflx >= REMOTE_PRFLX_MAX)
			return;
		r = &a->remote[a->n_remote++];
		a->n_remote_prflx++;
		memset(r, 0, sizeof(*r));
		r->type = ICE_CAND_PRFLX;
		r->transport = ICE_TRANSPORT_UDP;
		r->component = lc->component;
		r->priority = prio;
		r->addr = *from;
		r->base = *from;
		snprintf(r->foundation, sizeof(r->foundation), "P%u",
			 a->n_remote_prflx);
		memset(&ev, 0, sizeof(ev));
		ev.type = ICE_EV_REMOTE_PRFLX;
		ev.addr = *from;
		push_event(a, &ev);
	}
	p = cl_find(&a->cl, base, from);
	if (!p) {
		if (a->state != ICE_ST_CHECKING)
			return;
		p = cl_add_prflx(&a->cl, lc, from, prio, CL_WAITING);
		if (!p)
			return;
	}
	/* s.7.3.1.5: USE-CANDIDATE on the controlled side. */
	if (use_cand && !a->controlling) {
		if (p->state == CL_SUCCEEDED) {
			for (i = 0; i < a->n_valid; i++) {
				v = &a->valid[i];
				if (v->pair_id == p->id) {
					nominate(a, v);
					break;
				}
			}
			return;
		}
		nomset_add(a, p->id);
	}
	if (a->state != ICE_ST_CHECKING)
		return;
	/* s.7.3.1.4: triggered check. */
	switch (p->state) {
	case CL_SUCCEEDED:
		break;
	case CL_IN_PROGRESS:
		/*
		 * The peer's request has just come along this path, so a
		 * filtering NAT that dropped our first request would now let
		 * it through: resend it if its answer is overdue, rather than
		 * after the RTO. RFC 8445 s.7.3.1.4 cancels the check and
		 * queues a new one; that spends a paced slot and restarts the
		 * check, which measurably slowed nomination.
		 */
		schedule_resend(a, p->id);
		break;
	case CL_FAILED:
		if (cap_reached(a))
			break;
		set_pair_state(a, p, CL_WAITING);
		trig_push(a, p->id, false);
		break;
	case CL_WAITING:
	case CL_FROZEN:
		if (p->state == CL_FROZEN)
			set_pair_state(a, p, CL_WAITING);
		trig_push(a, p->id, false);
		break;
	}
}

/* s.7.3: an incoming Binding request. */
static enum ice_rx on_request(struct ice_agent *a, const struct ice_addr *base,
			      const struct ice_addr *from,
			      const uint8_t *buf, size_t len,
			      const struct stun_msg *m)
{
	size_t ul = strlen(a->cfg.ufrag);
	bool has_u = stun_msg_has(m, STUN_K_USERNAME);
	bool has_mi = stun_msg_has(m, STUN_K_MESSAGE_INTEGRITY);
	bool ctl = stun_msg_has(m, STUN_K_ICE_CONTROLLING);
	bool ctd = stun_msg_has(m, STUN_K_ICE_CONTROLLED);
	bool use_cand = stun_msg_has(m, STUN_K_USE_CANDIDATE);

	if (m->method != STUN_METHOD_BINDING) {
		a->st.dropped[ICE_DROP_REQ_BAD]++;
		return ICE_RX_DROPPED;
	}
	/* RFC 8489 s.9.1.3: no MI and no USERNAME, or only one: 400. */
	if (!has_u || !has_mi) {
		a->st.dropped[ICE_DROP_REQ_AUTH]++;
		send_response(a, base, from, m, 400, "Bad Request", false);
		return ICE_RX_DROPPED;
	}
	/* RFC 8445 s.7.3: USERNAME "local:remote"; a username we do not
	 * know, or a bad MI: 401 (RFC 8489 s.9.1.3), without MI. */
	if (m->username_len <= ul + 1 ||
	    memcmp(m->username, a->cfg.ufrag, ul) != 0 ||
	    m->username[ul] != ':' ||
	    (a->remote_set &&
	     (m->username_len - ul - 1 != strlen(a->rufrag) ||
	      memcmp(m->username + ul + 1, a->rufrag,
		     m->username_len - ul - 1) != 0)) ||
	    stun_check_integrity(buf, len, m, (const uint8_t *)a->cfg.pwd,
				 strlen(a->cfg.pwd)) != STUN_INTEGRITY_OK) {
		a->st.dropped[ICE_DROP_REQ_AUTH]++;
		send_response(a, base, from, m, 401, "Unauthenticated", false);
		return ICE_RX_DROPPED;
	}
	a->st.requests_rx++;
	/* RFC 8489 s.6.3.1.1: unknown comprehension-required attributes. */
	if (m->n_unknown) {
		send_response(a, base, from, m, 420, "Unknown Attribute", true);
		return ICE_RX_HANDLED;
	}
	/* s.7.1.1: PRIORITY and one role attribute are required in every
	 * check (s.7.1.3); lacking them is a malformed request (400). */
	if (!stun_msg_has(m, STUN_K_PRIORITY) || m->priority == 0 ||
	    ctl == ctd) {
		a->st.dropped[ICE_DROP_REQ_BAD]++;
		send_response(a, base, from, m, 400, "Bad Request", true);
		return ICE_RX_DROPPED;
	}
	if (!local_for_base(a, base)) {
		a->st.dropped[ICE_DROP_UNKNOWN_BASE]++;
		return ICE_RX_DROPPED;
	}
	/* s.7.3.1.1: role conflict. */
	if (a->controlling && ctl) {
		if (a->tb >= m->tiebreaker) {
			a->st.role_conflicts++;
			send_response(a, base, from, m, 487, "Role Conflict",
				      true);
			return ICE_RX_HANDLED;
		}
		switch_role(a);
	} else if (!a->controlling && ctd) {
		if (a->tb >= m->tiebreaker) {
			switch_role(a);
		} else {
			a->st.role_conflicts++;
			send_response(a, base, from, m, 487, "Role Conflict",
				      true);
			return ICE_RX_HANDLED;
		}
	}
	send_response(a, base, from, m, 0, NULL, true);
	if (!a->remote_set) {
		/* Before the answer: remember it for set_remote. */
		if (a->n_early < EARLY_MAX && a->state == ICE_ST_NEW) {
			struct early_req *e = &a->early[a->n_early++];

			e->base = *base;
			e->from = *from;
			e->prio = m->priority;
			e->use_cand = use_cand;
		}
		return ICE_RX_HANDLED;
	}
	handle_pair_request(a, base, from, m->priority, use_cand);
	return ICE_RX_HANDLED;
}

static enum ice_rx on_consent_response(struct ice_agent *a,
				       const struct ice_addr *base,
				       const struct ice_addr *from,
				       const uint8_t *buf, size_t len,
				       const struct stun_msg *m)
{
	unsigned int i;

	for (i = 0; i < CONSENT_MAX; i++) {
		struct consent_txn *ct = &a->consent[i];

		if (!ct->used || memcmp(ct->tid, m->tid, STUN_TID_LEN))
			continue;
		if (stun_check_integrity(buf, len, m,
					 (const uint8_t *)a->rpwd,
					 strlen(a->rpwd)) != STUN_INTEGRITY_OK) {
			a->st.dropped[ICE_DROP_BAD_INTEGRITY]++;
			return ICE_RX_DROPPED;
		}
		/* RFC 7675 s.5.1: only a symmetric success refreshes. */
		if (!ice_addr_eq(from, &a->selected.remote.addr) ||
		    !ice_addr_eq(base, &a->selected.local_base)) {
			a->st.dropped[ICE_DROP_BAD_SOURCE]++;
			return ICE_RX_DROPPED;
		}
		ct->used = false;
		a->st.responses_rx++;
		if (m->cls == STUN_SUCCESS && a->state == ICE_ST_COMPLETED) {
			a->last_consent_ok = a->now;
			a->st.consent_ok++;
		}
		return ICE_RX_HANDLED;
	}
	for (i = 0; i < a->cancelled_n; i++) {
		if (!memcmp(a->cancelled[i], m->tid, STUN_TID_LEN)) {
			a->st.late_responses++;
			return ICE_RX_HANDLED;
		}
	}
	a->st.dropped[ICE_DROP_BAD_TXN]++;
	return ICE_RX_DROPPED;
}

/* s.7.2.5: a response to one of our checks. */
static enum ice_rx on_response(struct ice_agent *a, const struct ice_addr *base,
			       const struct ice_addr *from,
			       const uint8_t *buf, size_t len,
			       const struct stun_msg *m)
{
	struct stun_txn *t = stun_txn_table_match(&a->txns, m);
	struct ice_addr mapped;
	const struct ice_cand *lc;
	struct valid_pair *v;
	struct cl_pair *p;
	struct chk_ctx c;
	size_t slot;
	int idx;

	if (!t)
		return on_consent_response(a, base, from, buf, len, m);
	slot = (size_t)(t - a->txns.slot);
	/* RFC 8489 s.9.1.4: an unauthenticated response is discarded as if
	 * never received; the transaction goes on. */
	if (stun_check_integrity(buf, len, m, (const uint8_t *)a->rpwd,
				 strlen(a->rpwd)) != STUN_INTEGRITY_OK) {
		a->st.dropped[ICE_DROP_BAD_INTEGRITY]++;
		return ICE_RX_DROPPED;
	}
	c = a->ctx[slot];
	/* Karn: only an answer to a request sent once measures the RTT
	 * (after a crossing resend, now - start is still no less than it). */
	if (t->sent == 1 && a->now - t->start_ms < a->rtt_min)
		a->rtt_min = a->now - t->start_ms;
	if (c.resent)	/* the other request's answer will follow */
		expect_late(a, t->tid);
	stun_txn_complete(t);
	stun_txn_table_remove(&a->txns, t);
	p = cl_by_id(&a->cl, c.pair_id);
	a->st.responses_rx++;
	if (c.nomination)
		a->nominating = false;
	/* s.7.2.5.2.1: the source and destination must be symmetric. */
	if (!ice_addr_eq(from, &c.to) || !ice_addr_eq(base, &c.base)) {
		a->st.dropped[ICE_DROP_BAD_SOURCE]++;
		if (p)
			set_pair_state(a, p, CL_FAILED);
		if (c.nomination)
			valid_remove_pair(a, c.pair_id);
		return ICE_RX_DROPPED;
	}
	if (m->cls == STUN_ERROR) {
		/* s.7.2.5.1: 487, switch role if we still hold the role the
		 * request claimed, and retry the check. */
		if (m->error_code == 487) {
			if (c.controlling == a->controlling)
				switch_role(a);
			if (p && a->state == ICE_ST_CHECKING) {
				if (p->state != CL_SUCCEEDED)
					set_pair_state(a, p, CL_WAITING);
				if (!c.nomination || a->controlling)
					trig_push(a, p->id,
						  c.nomination && a->controlling);
			}
			return ICE_RX_HANDLED;
		}
		/* s.7.2.5.2.4: other errors fail the pair. */
		if (p)
			set_pair_state(a, p, CL_FAILED);
		if (c.nomination)
			valid_remove_pair(a, c.pair_id);
		return ICE_RX_HANDLED;
	}
	if (!p || a->state == ICE_ST_FAILED)
		return ICE_RX_HANDLED;
	if (!stun_msg_has(m, STUN_K_XOR_MAPPED_ADDRESS) ||
	    (m->xor_mapped.family != AF_INET &&
	     m->xor_mapped.family != AF_INET6)) {
		set_pair_state(a, p, CL_FAILED);
		return ICE_RX_HANDLED;
	}
	from_stun(&mapped, &m->xor_mapped);
	/* s.7.2.5.3.1: a mapped address we do not know is a new local
	 * peer-reflexive candidate, with the PRIORITY we sent. */
	idx = ice_cand_set_find(&a->local, &mapped);
	if (idx < 0) {
		struct ice_cand nc;
		struct ice_event ev;

		memset(&nc, 0, sizeof(nc));
		nc.type = ICE_CAND_PRFLX;
		nc.transport = ICE_TRANSPORT_UDP;
		nc.component = p->local.component;
		nc.local_pref = p->local.local_pref;
		nc.priority = c.prio;
		nc.addr = mapped;
		nc.base = c.base;
		nc.rel = c.base;
		if (ice_cand_set_add(&a->local, &nc, NULL) <= ICE_ADD_REPLACED) {
			memset(&ev, 0, sizeof(ev));
			ev.type = ICE_EV_LOCAL_PRFLX;
			ev.addr = mapped;
			push_event(a, &ev);
		}
		idx = ice_cand_set_find(&a->local, &mapped);
	}
	lc = idx >= 0 ? &a->local.c[idx] : &p->local;
	/* s.7.2.5.3.2: the valid pair. */
	v = valid_find(a, &mapped, &p->remote.addr);
	if (!v && a->n_valid < VALID_MAX) {
		v = &a->valid[a->n_valid++];
		memset(v, 0, sizeof(*v));
		v->pair_id = p->id;
		v->local = *lc;
		v->local.addr = mapped;
		v->base = c.base;
		v->remote = p->remote;
		if (a->n_valid == 1)
			a->first_valid_at = a->now;
		pair_event(a, ICE_EV_VALID, v);
	}
	set_pair_state(a, p, CL_SUCCEEDED);	/* s.7.2.5.3.3 */
	if (!v)
		return ICE_RX_HANDLED;
	/* s.8.1.1 / s.7.3.1.5: nomination. */
	if (c.use_cand && c.controlling && a->controlling)
		nominate(a, v);
	else if (!a->controlling && nomset_has(a, p->id))
		nominate(a, v);
	return ICE_RX_HANDLED;
}

enum ice_rx ice_agent_on_datagram(struct ice_agent *a,
				  const struct ice_addr *local_base,
				  const struct ice_addr *from,
				  const uint8_t *buf, size_t len, uint64_t now)
{
	struct stun_msg m;
	enum ice_rx r;

	if (!a || !local_base || !from || !buf)
		return ICE_RX_NOT_STUN;
	if (!stun_looks_like(buf, len))
		return ICE_RX_NOT_STUN;
	if (now > a->now)
		a->now = now;
	/* seed 004 s.12: FINGERPRINT tells checks from other traffic on the
	 * shared port; ICE messages always carry it (RFC 8445 s.7.2.2). */
	if (stun_decode(buf, len, &m, NULL) != STUN_OK ||
	    !stun_msg_has(&m, STUN_K_FINGERPRINT)) {
		a->st.dropped[ICE_DROP_MALFORMED]++;
		return ICE_RX_DROPPED;
	}
	if (from->family != AF_INET && from->family != AF_INET6) {
		a->st.dropped[ICE_DROP_MALFORMED]++;
		return ICE_RX_DROPPED;
	}
	switch (m.cls) {
	case STUN_REQUEST:
		r = on_request(a, local_base, from, buf, len, &m);
		break;
	case STUN_SUCCESS:
	case STUN_ERROR:
		if (m.method != STUN_METHOD_BINDING || m.n_unknown) {
			a->st.dropped[ICE_DROP_MALFORMED]++;
			return ICE_RX_DROPPED;
		}
		r = on_response(a, local_base, from, buf, len, &m);
		break;
	default:
		/* RFC 8445 s.11: Binding indications are keepalives. */
		if (m.method == STUN_METHOD_BINDING)
			return ICE_RX_HANDLED;
		a->st.dropped[ICE_DROP_CLASS]++;
		return ICE_RX_DROPPED;
	}
	check_done(a);
	return r;
}

bool ice_agent_next_event(struct ice_agent *a, struct ice_event *ev)
{
	if (!a || !ev || !a->evq_n)
		return false;
	*ev = a->evq[a->evq_head];
	a->evq_head = (a->evq_head + 1) % EVQ_MAX;
	a->evq_n--;
	return true;
}

/* ------------------------------------------------------------------ */
/* queries */

enum ice_state ice_agent_state(const struct ice_agent *a)
{
	return a->state;
}

bool ice_agent_controlling(const struct ice_agent *a)
{
	return a->controlling;
}

uint64_t ice_agent_tiebreaker(const struct ice_agent *a)
{
	return a->tb;
}

bool ice_agent_selected(const struct ice_agent *a, struct ice_pair_info *p,
			bool *stale)
{
	if (!a->have_selected)
		return false;
	if (p)
		*p = a->selected;
	if (stale)
		*stale = a->selected_stale;
	return true;
}

const struct ice_stats *ice_agent_stats(const struct ice_agent *a)
{
	return &a->st;
}

const struct checklist *ice_agent_checklist(const struct ice_agent *a)
{
	return &a->cl;
}

unsigned int ice_agent_valid_count(const struct ice_agent *a)
{
	return a->n_valid;
}

bool ice_agent_valid_get(const struct ice_agent *a, unsigned int i,
			 struct ice_pair_info *p)
{
	if (i >= a->n_valid)
		return false;
	valid_info(a, &a->valid[i], p);
	return true;
}

unsigned int ice_agent_local_count(const struct ice_agent *a)
{
	return a->local.n;
}

const struct ice_cand *ice_agent_local_get(const struct ice_agent *a,
					   unsigned int i)
{
	return i < a->local.n ? &a->local.c[i] : NULL;
}

unsigned int ice_agent_remote_count(const struct ice_agent *a)
{
	return a->n_remote;
}

const struct ice_cand *ice_agent_remote_get(const struct ice_agent *a,
					    unsigned int i)
{
	return i < a->n_remote ? &a->remote[i] : NULL;
}

uint64_t ice_agent_now(const struct ice_agent *a)
{
	return mice_clock_now(&a->clk);
}
