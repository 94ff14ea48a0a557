/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ICE connectivity-check engine of M-ICE (seed 004 s.7, s.8, s.10;
 * RFC 8445 s.6-s.9, s.11; RFC 8489; RFC 7675), sans-IO: the caller owns
 * the sockets and the clock. It feeds received datagrams in with
 * ice_agent_on_datagram(), drains datagrams to send with ice_agent_poll(),
 * sleeps until ice_agent_next_timeout(), and drains events with
 * ice_agent_next_event(). Every call takes the current time (ms of the
 * agent's struct mice_clock) explicitly, so tests run on a fake clock.
 *
 * Not thread-safe: one caller drives an agent. One data stream, one
 * component (seed 004 s.9: a "media stream" is one UDP-encapsulated flow
 * between the two MIP end points).
 *
 * Choices, with their sources:
 *  - Frozen state off by default (seed 004 s.1.4); use_frozen applies the
 *    RFC 8445 s.6.1.2.6 rules through agent/checklist.h.
 *  - At most max_checks (default 100) connectivity-check transactions are
 *    ever started per check list (seed 004 s.14.4.2, "agents SHOULD limit
 *    the total number of connectivity checks they perform to 100"); the
 *    check list holds at most that many pairs (RFC 8445 s.6.1.2.5).
 *    Nomination checks on an already valid pair and consent checks do not
 *    count (they are not exploratory). Triggered checks count, even for a
 *    pair the peer nominates, so no peer can make us check without end.
 *    When the cap is reached the pairs still Waiting are set Failed.
 *  - At most max_remote remote candidates (default 30, like
 *    MIPICE_DEFAULT_MAX_CAND; seed 004 s.14.4.2 "MAY limit the number of
 *    candidates they'll accept"): a larger set is refused, not truncated.
 *  - A remote set is only checked if the offer/answer carrying it was
 *    authenticated (seed 004 s.1.5, s.14.1, s.14.3): set_remote refuses an
 *    unauthenticated one.
 *  - Pacing: one new check (ordinary or triggered) per Ta (RFC 8445
 *    s.6.1.4.2); retransmissions follow RFC 8489 s.6.2.1 (agent/stun_txn.h).
 *    Ta is the larger of the two agents' proposals (s.14.2): the caller
 *    computes it with ice_ta_agreed() once the peer's offer or answer is
 *    in, and sets it with ice_agent_set_ta().
 *  - Nomination (RFC 8445 s.8.1.1): regular by default. The controlling
 *    agent nominates the best valid pair as soon as no pair of higher
 *    priority is still Waiting, or In-Progress with a check younger than
 *    1.25 RTT + silent_slack_ms (for a relayed best pair: any direct
 *    one In-Progress), or nominate_wait_ms after the first valid pair,
 *    whichever comes first. The agent wakes up when such a check stops
 *    being young, so the nomination does not wait for the next datagram. Aggressive (RFC 5245
 *    s.8.1.1.2) is an option: every check carries USE-CANDIDATE.
 *  - A request that arrives for an In-Progress pair makes the agent
 *    resend its running check's request once: at once, or 1.5 RTT after
 *    it was sent if a known RTT says the answer may still come. Behind a
 *    filtering NAT the first request is dropped until the peer's own
 *    check opens the way. RFC 8445 s.7.3.1.4 cancels the check and queues
 *    a new one instead, sent at the next pacing slot; that spends the
 *    slot and restarts the check, which measurably slowed nomination
 *    (docs/benchmarks.md). Ta paces new transactions (s.14.1), not this
 *    second send of a running one.
 *  - Consent freshness (RFC 7675 s.5.1) on the selected pair once
 *    completed: a Binding request every consent_interval (5 s) randomized
 *    over [0.8, 1.2], never less than 4 s apart, each a new transaction
 *    sent once (no retransmission); consent is lost when no authenticated,
 *    symmetric success response arrived for consent_timeout (30 s).
 *  - Keepalives (seed 004 s.10, RFC 8445 s.11, every 15 s): the consent
 *    requests, at most 6 s apart, are the keepalives. With consent
 *    disabled, a Binding indication (FINGERPRINT only) is sent on the
 *    selected pair every keepalive_ms instead.
 *  - ICE restart (seed 004 s.9, RFC 8445 s.9): new local credentials, the
 *    check list, transactions, valid list and learned peer-reflexive
 *    candidates are dropped; the caller supplies the peer's new set.
 *    The previously selected pair stays reported by ice_agent_selected()
 *    (flagged stale) so data can keep flowing until the restart completes;
 *    consent checks are suspended meanwhile. When the peer restarts (its
 *    new offer has new credentials, mipice_compare() == MIPICE_RESTART),
 *    the caller restarts locally too (RFC 8445 s.9: the answer carries new
 *    credentials) and then gives the new set.
 *  - The controlled agent waits for a nomination without a time limit once
 *    it has a valid pair; the caller bounds the whole procedure if needed.
 *  - Check RTO: configured (default 500 ms, RFC 8489 s.6.2.1), not the
 *    RFC 8445 s.14.3 formula MAX(500 ms, Ta * N); with the default Ta and
 *    at most 100 checks the two agree up to 10 waiting pairs.
 */
#ifndef MICE_ICE_AGENT_H
#define MICE_ICE_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "candidate.h"
#include "checklist.h"
#include "clock.h"
#include "stun.h"

#define ICE_UFRAG_MIN		4	/* RFC 8445 s.5.3 */
#define ICE_UFRAG_MAX		32
#define ICE_PWD_MIN		22
#define ICE_PWD_MAX		64

#define ICE_DEFAULT_TA_MS	50	/* RFC 8445 s.14.2 */
#define ICE_MIN_TA_MS		5	/* RFC 8445 s.14.2: Ta >= 5 ms */
/* Ours: the most a peer's proposal can slow our checks (ice_ta_agreed) */
#define ICE_MAX_TA_MS		1000
#define ICE_DEFAULT_MAX_CHECKS	100	/* seed 004 s.14.4.2 */
#define ICE_DEFAULT_MAX_REMOTE	30
#define ICE_HARD_MAX_REMOTE	255	/* # of candidates is 8 bits */
#define ICE_CONSENT_INTERVAL_MS	5000	/* RFC 7675 s.5.1 */
#define ICE_CONSENT_MIN_MS	4000	/* RFC 7675 s.5.1: not below 4 s */
#define ICE_CONSENT_TIMEOUT_MS	30000	/* RFC 7675 s.5.1 */
#define ICE_KEEPALIVE_MS	15000	/* RFC 8445 s.11, seed 004 s.10 */
#define ICE_DEFAULT_NOM_WAIT_MS	1000
/* regular nomination stops waiting for a better pair whose check has
 * been silent for 1.25 RTT + this (ice_agent.c, check_is_young) */
#define ICE_SILENT_SLACK_MS	20

/* Largest datagram the engine emits (checks are ~100-200 bytes). */
#define ICE_TX_MAX		512
#define ICE_NEVER		UINT64_MAX

enum ice_nomination {
	ICE_NOM_REGULAR = 0,	/* RFC 8445 s.8.1.1 */
	ICE_NOM_AGGRESSIVE,	/* RFC 5245 s.8.1.1.2 */
};

struct ice_agent_config {
	bool controlling;
	uint64_t tiebreaker;	/* RFC 8445 s.16.1; 0: random */
	char ufrag[ICE_UFRAG_MAX + 1];	/* local credentials, RFC 8445 s.5.3 */
	char pwd[ICE_PWD_MAX + 1];
	unsigned int max_checks;	/* 0: 100 */
	unsigned int max_remote;	/* 0: 30, at most 255 */
	uint32_t ta_ms;			/* 0: 50; below 5 refused */
	uint32_t rto_ms;		/* initial check RTO; 0: 500 */
	unsigned int rc;		/* 0: 7 (RFC 8489 s.6.2.1) */
	unsigned int rm;		/* 0: 16 */
	bool allow_short_rto;		/* RTO below 500 ms (tests) */
	enum ice_nomination nomination;
	uint32_t nominate_wait_ms;	/* 0: ICE_DEFAULT_NOM_WAIT_MS */
	/* also wait for better pairs silent past 1.25 RTT + ICE_SILENT_SLACK_MS
	 * (by default such a pair is taken for dead) */
	bool wait_for_silent;
	/* the "+ slack" of that rule; 0: ICE_SILENT_SLACK_MS */
	uint32_t silent_slack_ms;
	bool use_frozen;		/* default off, seed 004 s.1.4 */
	bool disable_consent;		/* then indications as keepalives */
	uint32_t consent_interval_ms;	/* 0: 5000 */
	uint32_t consent_timeout_ms;	/* 0: 30000 */
	uint32_t keepalive_ms;		/* 0: 15000 */
	/* Randomness for transaction IDs, the tie-breaker and the consent
	 * jitter. NULL: OpenSSL RAND_bytes. Tests pass a seeded generator. */
	void (*rand_bytes)(void *ctx, uint8_t *buf, size_t n);
	void *rand_ctx;
};

/* Fills @c with the defaults (controlled, regular nomination, no
 * credentials: the caller sets ufrag/pwd). */
void ice_agent_config_default(struct ice_agent_config *c);

enum ice_state {
	ICE_ST_NEW = 0,		/* no remote set yet */
	ICE_ST_CHECKING,
	ICE_ST_COMPLETED,	/* a pair is selected */
	ICE_ST_FAILED,		/* all checks failed, or consent lost */
};
const char *ice_state_name(enum ice_state s);

enum ice_err {
	ICE_OK = 0,
	ICE_E_ARG,		/* NULL pointer, bad config value */
	ICE_E_CRED,		/* ufrag/pwd length or characters */
	ICE_E_UNAUTH,		/* remote set from an unauthenticated offer */
	ICE_E_TOO_MANY,		/* remote set above max_remote */
	ICE_E_NO_CAND,		/* no usable candidate / no pair formed */
	ICE_E_FULL,		/* local candidate set full */
	ICE_E_STATE,		/* not allowed in the current state */
	ICE_E_NOMEM,
	ICE_E__COUNT
};
const char *ice_err_str(enum ice_err e);

/* Why a datagram was dropped (counted in ice_stats.dropped[]). */
enum ice_drop {
	ICE_DROP_MALFORMED = 0,	/* looks like STUN, does not decode */
	ICE_DROP_BAD_TXN,	/* response matching no transaction */
	ICE_DROP_BAD_INTEGRITY,	/* response MI absent or wrong */
	ICE_DROP_BAD_SOURCE,	/* response not symmetric (s.7.2.5.2.1) */
	ICE_DROP_REQ_AUTH,	/* request: USERNAME/MI absent or wrong */
	ICE_DROP_REQ_BAD,	/* request: missing PRIORITY/role, method */
	ICE_DROP_UNKNOWN_BASE,	/* arrived on a base we have no candidate on */
	ICE_DROP_CLASS,		/* indication or unexpected class */
	ICE_DROP_TXQ_FULL,	/* outgoing queue full */
	ICE_DROP__COUNT
};
const char *ice_drop_name(enum ice_drop d);

struct ice_stats {
	uint64_t checks_sent;	/* new check transactions (first sends) */
	uint64_t retransmits;
	uint64_t checks_failed;	/* pairs failed (timeout or error) */
	uint64_t requests_rx;	/* requests that passed authentication */
	uint64_t responses_rx;	/* accepted responses */
	uint64_t success_tx;	/* success responses sent */
	uint64_t errors_tx;	/* error responses sent (400/401/420/487) */
	uint64_t role_conflicts;	/* 487 sent or role switched */
	uint64_t triggered;	/* triggered checks queued */
	uint64_t nominations_sent;
	uint64_t consent_sent;
	uint64_t consent_ok;
	uint64_t keepalives_sent;
	uint64_t late_responses;	/* to checks cancelled on completion */
	uint64_t events_lost;	/* event queue overflow */
	uint64_t dropped[ICE_DROP__COUNT];
};

/* A pair as reported to the caller. Data for the pair is sent from
 * local_base to remote (seed 004 s.1.2). */
struct ice_pair_info {
	unsigned int pair_id;		/* check-list pair that validated it */
	struct ice_cand local;		/* local candidate (may be prflx) */
	struct ice_addr local_base;
	struct ice_cand remote;
	uint64_t priority;
	bool nominated;
};

enum ice_event_type {
	ICE_EV_PAIR_STATE = 0,	/* pair_id moved from old_state to new_state */
	ICE_EV_ROLE,		/* role changed; controlling = new role */
	ICE_EV_LOCAL_PRFLX,	/* a peer-reflexive local candidate learned */
	ICE_EV_REMOTE_PRFLX,	/* a peer-reflexive remote candidate learned */
	ICE_EV_VALID,		/* pair added to the valid list */
	ICE_EV_NOMINATED,	/* pair nominated */
	ICE_EV_SELECTED,	/* pair selected (first or changed) */
	ICE_EV_COMPLETED,
	ICE_EV_FAILED,
	ICE_EV_CONSENT_LOST,	/* RFC 7675: no consent for consent_timeout */
};
const char *ice_event_name(enum ice_event_type t);

struct ice_event {
	enum ice_event_type type;
	uint64_t time;
	unsigned int pair_id;
	enum cl_state old_state, new_state;	/* ICE_EV_PAIR_STATE */
	bool controlling;			/* ICE_EV_ROLE */
	struct ice_addr addr;			/* *_PRFLX: the address */
	struct ice_pair_info pair;		/* VALID/NOMINATED/SELECTED */
};

/* A datagram to send: from the socket bound to local_base, to @to. */
struct ice_tx {
	struct ice_addr local_base;
	struct ice_addr to;
	size_t len;
	uint8_t buf[ICE_TX_MAX];
};

/* What on_datagram made of a datagram. */
enum ice_rx {
	ICE_RX_NOT_STUN = 0,	/* not STUN: the caller's data */
	ICE_RX_HANDLED,
	ICE_RX_DROPPED,		/* counted in stats.dropped[] */
};

struct ice_agent;

/* NULL on a bad config (see ice_agent_config_check) or no memory. @clk is
 * kept for ice_agent_now() only; every other call takes @now. */
struct ice_agent *ice_agent_new(const struct ice_agent_config *cfg,
				const struct mice_clock *clk);
enum ice_err ice_agent_config_check(const struct ice_agent_config *cfg);
/* Frees; credentials are zeroized. NULL is fine. */
void ice_agent_free(struct ice_agent *a);

/* Adds a local candidate (priority set by the caller, see candidate.h);
 * only before set_remote (ICE_E_STATE otherwise). */
enum ice_err ice_agent_add_local_candidate(struct ice_agent *a,
					   const struct ice_cand *c);

/*
 * The peer's offer/answer (seed 004 s.5, s.6): credentials and candidates.
 * @authenticated: the Binding Update/Acknowledgement carrying it was
 * verified; false is refused with ICE_E_UNAUTH and nothing is checked
 * (seed 004 s.14.1, s.14.3). More than max_remote candidates: ICE_E_TOO_MANY
 * (nothing kept). Forms the check list and starts checking at @now.
 */
enum ice_err ice_agent_set_remote(struct ice_agent *a, const char *ufrag,
				  const char *pwd, const struct ice_cand *cands,
				  unsigned int n, bool authenticated,
				  uint64_t now);

/* A datagram received on the socket bound to @local_base from @from. */
enum ice_rx ice_agent_on_datagram(struct ice_agent *a,
				  const struct ice_addr *local_base,
				  const struct ice_addr *from,
				  const uint8_t *buf, size_t len, uint64_t now);

/* Runs the timers due at @now, then returns 1 with the next datagram to
 * send in @out, or 0 when there is none. Call until 0. */
int ice_agent_poll(struct ice_agent *a, uint64_t now, struct ice_tx *out);

/* Absolute time of the next timer (call poll then); ICE_NEVER if none.
 * If datagrams are queued, the time of the last call. */
uint64_t ice_agent_next_timeout(const struct ice_agent *a);

/* Pops the oldest event into @ev; false when none. Drain after every
 * on_datagram/poll: the queue holds 128 events, further ones are dropped
 * and counted in stats.events_lost. */
bool ice_agent_next_event(struct ice_agent *a, struct ice_event *ev);

/*
 * The Ta both agents use (RFC 8445 s.14.2): each proposes one in its
 * offer or answer, both use the larger, and an agent that proposes none
 * counts as proposing the default 50 ms. @local_ms / @remote_ms: the two
 * proposals, 0 for none. The result is at least ICE_MIN_TA_MS and, our
 * limit, at most ICE_MAX_TA_MS, so a peer cannot stall our checks.
 */
uint32_t ice_ta_agreed(uint32_t local_ms, uint32_t remote_ms);

/* Sets the Ta in force from now on (ice_ta_agreed's result): ICE_E_ARG
 * outside ICE_MIN_TA_MS..ICE_MAX_TA_MS. Call before set_remote so that
 * the first check is paced by it. */
enum ice_err ice_agent_set_ta(struct ice_agent *a, uint32_t ta_ms);

/*
 * After an ICE restart caused by our own move (seed 004 s.9): @remote is
 * the peer address the selected pair used until the move; NULL forgets
 * it. A Waiting pair toward it is checked before any other, and once such
 * a pair is valid the controlling agent nominates it without waiting for
 * better pairs (nominate_wait_ms): the peer did not move, so its side of
 * that path is known to work, and while nothing is nominated the flows
 * are down. Priorities are unchanged (s.6.1.2.3), so this only reorders
 * the checks and shortens the wait; a better pair that answers first
 * still wins. The price: a better path the move opened (into the peer's
 * own LAN, say) is not waited for.
 */
enum ice_err ice_agent_set_known_remote(struct ice_agent *a,
					const struct ice_addr *remote);

/*
 * While @on, of the pairs not yet checked only those toward the known
 * remote start; triggered checks (the peer's checks, s.7.3.1.4) still
 * run. The initiator's checks before the answer (seed 004 s.9) try the
 * path that worked until the move and hold the rest, which the peer's
 * new set may not even hold, until the answer is in.
 */
enum ice_err ice_agent_hold_unknown(struct ice_agent *a, bool on);

/* ICE restart (seed 004 s.9, RFC 8445 s.9): new local credentials. The
 * state goes back to NEW until the peer's new set is given. */
enum ice_err ice_agent_restart(struct ice_agent *a, const char *ufrag,
			       const char *pwd, uint64_t now);

/* Queries. */
enum ice_state ice_agent_state(const struct ice_agent *a);
bool ice_agent_controlling(const struct ice_agent *a);
uint64_t ice_agent_tiebreaker(const struct ice_agent *a);
/* The selected pair; false if none. *@stale: set during a restart. */
bool ice_agent_selected(const struct ice_agent *a, struct ice_pair_info *p,
			bool *stale);
const struct ice_stats *ice_agent_stats(const struct ice_agent *a);
const struct checklist *ice_agent_checklist(const struct ice_agent *a);
unsigned int ice_agent_valid_count(const struct ice_agent *a);
bool ice_agent_valid_get(const struct ice_agent *a, unsigned int i,
			 struct ice_pair_info *p);
unsigned int ice_agent_local_count(const struct ice_agent *a);
const struct ice_cand *ice_agent_local_get(const struct ice_agent *a,
					   unsigned int i);
unsigned int ice_agent_remote_count(const struct ice_agent *a);
const struct ice_cand *ice_agent_remote_get(const struct ice_agent *a,
					    unsigned int i);
uint64_t ice_agent_now(const struct ice_agent *a);

#endif /* MICE_ICE_AGENT_H */
