/* SPDX-License-Identifier: GPL-2.0 */
/*
 * STUN client transactions over UDP (RFC 8489 s.6.2.1): retransmission
 * timers only. No sockets here: the caller sends the request whenever a
 * call returns STUN_TXN_SEND, and feeds responses to stun_txn_match().
 * Times are milliseconds of a struct mice_clock (agent/clock.h).
 *
 * Schedule (RFC 8489 s.6.2.1): the first request at start, then a
 * retransmission after RTO, 2*RTO, 4*RTO, ... until Rc requests have been
 * sent; after the last one the client waits Rm*RTO (initial RTO) and then
 * the transaction times out. With RTO = 500 ms, Rc = 7, Rm = 16: sends at
 * 0, 500, 1500, 3500, 7500, 15500, 31500 ms, timeout at 39500 ms.
 *
 * RTO: default 500 ms. RFC 8489 s.6.2.1 says RTO SHOULD be >= 500 ms, and
 * RFC 8445 s.14.3 computes check RTOs as MAX(500 ms, Ta*N), so values below
 * STUN_TXN_RTO_MIN are refused unless cfg.allow_short_rto is set (tests, or
 * a deliberately paced local use); document it where you set it.
 *
 * The table bounds how many transactions run at once (seed 004 s.14.4.2:
 * agents SHOULD limit connectivity checks to 100).
 */
#ifndef MICE_STUN_TXN_H
#define MICE_STUN_TXN_H

#include <stdbool.h>
#include <stdint.h>

#include "stun.h"

#define STUN_TXN_RTO_DEFAULT	500	/* ms, RFC 8489 s.6.2.1 */
#define STUN_TXN_RTO_MIN	500
#define STUN_TXN_RTO_MAX	60000	/* sanity bound on the configured RTO */
#define STUN_TXN_RC_DEFAULT	7
#define STUN_TXN_RC_MAX		32
#define STUN_TXN_RM_DEFAULT	16
#define STUN_TXN_RM_MAX		64
#define STUN_TXN_NEVER		UINT64_MAX

struct stun_txn_cfg {
	uint32_t rto_ms;	/* initial RTO */
	unsigned int rc;	/* requests sent in total, >= 1 */
	unsigned int rm;	/* final wait = rm * initial RTO, >= 1 */
	bool allow_short_rto;	/* permit rto_ms < STUN_TXN_RTO_MIN */
};

enum stun_txn_state {
	STUN_TXN_IDLE = 0,
	STUN_TXN_RUNNING,
	STUN_TXN_DONE,		/* a response was accepted */
	STUN_TXN_TIMED_OUT,
};

enum stun_txn_action {
	STUN_TXN_WAIT = 0,	/* nothing to do until next_deadline */
	STUN_TXN_SEND,		/* (re)send the request now */
	STUN_TXN_TIMEOUT,	/* the transaction has failed (s.6.2.1) */
};

struct stun_txn {
	uint8_t tid[STUN_TID_LEN];
	uint16_t method;
	struct stun_txn_cfg cfg;
	enum stun_txn_state state;
	unsigned int sent;	/* requests sent so far */
	uint64_t interval;	/* gap before the next retransmission */
	uint64_t start_ms;
	uint64_t deadline;	/* next timer, STUN_TXN_NEVER if none */
	void *user;		/* caller's context */
};

void stun_txn_cfg_default(struct stun_txn_cfg *c);
/* STUN_OK or STUN_E_ARG (RTO below the minimum without allow_short_rto,
 * RTO/Rc/Rm zero or above their bounds). */
enum stun_err stun_txn_cfg_check(const struct stun_txn_cfg *c);

/* @cfg NULL: defaults. @tid NULL: a fresh random one. */
enum stun_err stun_txn_init(struct stun_txn *t, const uint8_t *tid,
			    uint16_t method, const struct stun_txn_cfg *cfg);
/* Starts the timers; returns STUN_TXN_SEND (send the first request now),
 * or STUN_TXN_WAIT if @t was not idle. */
enum stun_txn_action stun_txn_start(struct stun_txn *t, uint64_t now);
/* Absolute time of the next timer; STUN_TXN_NEVER if not running. */
uint64_t stun_txn_next_deadline(const struct stun_txn *t);
/* Call when now >= the deadline (calling early is harmless: WAIT). */
enum stun_txn_action stun_txn_on_timer(struct stun_txn *t, uint64_t now);
/* Does @resp (decoded) answer @t? A running transaction, a success or
 * error response of the same method, the same transaction ID
 * (RFC 8489 s.6.3.3, s.6.3.4). Does not change @t: check integrity, then
 * call stun_txn_complete() (an unauthenticated response over UDP is
 * discarded as if never received, s.9.1.5). */
bool stun_txn_match(const struct stun_txn *t, const struct stun_msg *resp);
void stun_txn_complete(struct stun_txn *t);
const char *stun_txn_state_name(enum stun_txn_state s);

/* ---- a bounded table of transactions keyed by transaction ID ---- */
#define STUN_TXN_TABLE_MAX	128
#define STUN_TXN_TABLE_DEFAULT	100	/* seed 004 s.14.4.2 */

struct stun_txn_table {
	unsigned int max;
	unsigned int n;
	bool used[STUN_TXN_TABLE_MAX];
	struct stun_txn slot[STUN_TXN_TABLE_MAX];
};

/* @max 0: STUN_TXN_TABLE_DEFAULT; capped at STUN_TXN_TABLE_MAX. */
void stun_txn_table_init(struct stun_txn_table *tab, unsigned int max);
/* Adds and starts a transaction (the caller sends its first request now).
 * NULL if the table is full, the ID is already in use, or @cfg invalid. */
struct stun_txn *stun_txn_table_add(struct stun_txn_table *tab,
				    const uint8_t *tid, uint16_t method,
				    const struct stun_txn_cfg *cfg,
				    uint64_t now);
struct stun_txn *stun_txn_table_find(struct stun_txn_table *tab,
				     const uint8_t tid[STUN_TID_LEN]);
/* The running transaction @resp answers (see stun_txn_match), or NULL. */
struct stun_txn *stun_txn_table_match(struct stun_txn_table *tab,
				      const struct stun_msg *resp);
void stun_txn_table_remove(struct stun_txn_table *tab, struct stun_txn *t);
uint64_t stun_txn_table_next_deadline(const struct stun_txn_table *tab);
/* One transaction whose timer fired with SEND or TIMEOUT (in *@act), or
 * NULL when none is due. Loop until NULL; remove timed-out ones. */
struct stun_txn *stun_txn_table_due(struct stun_txn_table *tab, uint64_t now,
				    enum stun_txn_action *act);

#endif /* MICE_STUN_TXN_H */
