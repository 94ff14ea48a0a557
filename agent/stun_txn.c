// SPDX-License-Identifier: GPL-2.0
/* STUN client transaction timers, RFC 8489 s.6.2.1. See stun_txn.h. */
#include <string.h>

#include "stun_txn.h"

void stun_txn_cfg_default(struct stun_txn_cfg *c)
{
	c->rto_ms = STUN_TXN_RTO_DEFAULT;
	c->rc = STUN_TXN_RC_DEFAULT;
	c->rm = STUN_TXN_RM_DEFAULT;
	c->allow_short_rto = false;
}

enum stun_err stun_txn_cfg_check(const struct stun_txn_cfg *c)
{
	if (!c || c->rto_ms == 0 || c->rto_ms > STUN_TXN_RTO_MAX ||
	    c->rc == 0 || c->rc > STUN_TXN_RC_MAX ||
	    c->rm == 0 || c->rm > STUN_TXN_RM_MAX)
		return STUN_E_ARG;
	/* RFC 8489 s.6.2.1: RTO SHOULD be >= 500 ms. */
	if (c->rto_ms < STUN_TXN_RTO_MIN && !c->allow_short_rto)
		return STUN_E_ARG;
	return STUN_OK;
}

enum stun_err stun_txn_init(struct stun_txn *t, const uint8_t *tid,
			    uint16_t method, const struct stun_txn_cfg *cfg)
{
	if (!t)
		return STUN_E_ARG;
	memset(t, 0, sizeof(*t));
	if (cfg) {
		if (stun_txn_cfg_check(cfg) != STUN_OK)
			return STUN_E_ARG;
		t->cfg = *cfg;
	} else {
		stun_txn_cfg_default(&t->cfg);
	}
	if (method > STUN_METHOD_MAX)
		return STUN_E_ARG;
	if (tid)
		memcpy(t->tid, tid, STUN_TID_LEN);
	else
		stun_random_tid(t->tid);
	t->method = method;
	t->state = STUN_TXN_IDLE;
	t->deadline = STUN_TXN_NEVER;
	return STUN_OK;
}

enum stun_txn_action stun_txn_start(struct stun_txn *t, uint64_t now)
{
	if (!t || t->state != STUN_TXN_IDLE)
		return STUN_TXN_WAIT;
	t->state = STUN_TXN_RUNNING;
	t->start_ms = now;
	t->sent = 1;
	t->interval = t->cfg.rto_ms;
	if (t->sent < t->cfg.rc)
		t->deadline = now + t->interval;
	else	/* Rc == 1: only the final wait */
		t->deadline = now + (uint64_t)t->cfg.rm * t->cfg.rto_ms;
	return STUN_TXN_SEND;
}

uint64_t stun_txn_next_deadline(const struct stun_txn *t)
{
	if (!t || t->state != STUN_TXN_RUNNING)
		return STUN_TXN_NEVER;
	return t->deadline;
}

enum stun_txn_action stun_txn_on_timer(struct stun_txn *t, uint64_t now)
{
	if (!t || t->state != STUN_TXN_RUNNING || now < t->deadline)
		return STUN_TXN_WAIT;
	if (t->sent >= t->cfg.rc) {
		/* s.6.2.1: Rm*RTO after the last request with no response:
		 * the transaction has failed. */
		t->state = STUN_TXN_TIMED_OUT;
		t->deadline = STUN_TXN_NEVER;
		return STUN_TXN_TIMEOUT;
	}
	t->sent++;
	/* Deadlines follow the schedule, not the (possibly late) time of
	 * this call, so the send times are exactly 0, RTO, 3 RTO, 7 RTO... */
	if (t->sent < t->cfg.rc) {
		t->interval *= 2;		/* s.6.2.1: doubled each time */
		t->deadline += t->interval;
	} else {
		t->deadline += (uint64_t)t->cfg.rm * t->cfg.rto_ms;
	}
	return STUN_TXN_SEND;
}

bool stun_txn_match(const struct stun_txn *t, const struct stun_msg *resp)
{
	if (!t || !resp || t->state != STUN_TXN_RUNNING ||
	    resp->err != STUN_OK)
		return false;
	if (resp->cls != STUN_SUCCESS && resp->cls != STUN_ERROR)
		return false;
	if (resp->method != t->method)
		return false;
	return memcmp(resp->tid, t->tid, STUN_TID_LEN) == 0;
}

void stun_txn_complete(struct stun_txn *t)
{
	if (t && t->state == STUN_TXN_RUNNING) {
		t->state = STUN_TXN_DONE;
		t->deadline = STUN_TXN_NEVER;
	}
}

const char *stun_txn_state_name(enum stun_txn_state s)
{
	switch (s) {
	case STUN_TXN_IDLE: return "idle";
	case STUN_TXN_RUNNING: return "running";
	case STUN_TXN_DONE: return "done";
	case STUN_TXN_TIMED_OUT: return "timed-out";
	}
	return "?";
}

/* ---- table ---- */

void stun_txn_table_init(struct stun_txn_table *tab, unsigned int max)
{
	memset(tab, 0, sizeof(*tab));
	if (max == 0)
		max = STUN_TXN_TABLE_DEFAULT;
	tab->max = max > STUN_TXN_TABLE_MAX ? STUN_TXN_TABLE_MAX : max;
}

struct stun_txn *stun_txn_table_find(struct stun_txn_table *tab,
				     const uint8_t tid[STUN_TID_LEN])
{
	unsigned int i;

	if (!tab || !tid)
		return NULL;
	for (i = 0; i < tab->max; i++)
		if (tab->used[i] &&
		    memcmp(tab->slot[i].tid, tid, STUN_TID_LEN) == 0)
			return &tab->slot[i];
	return NULL;
}

struct stun_txn *stun_txn_table_add(struct stun_txn_table *tab,
				    const uint8_t *tid, uint16_t method,
				    const struct stun_txn_cfg *cfg,
				    uint64_t now)
{
	struct stun_txn tmp;
	unsigned int i;

	if (!tab || tab->n >= tab->max)
		return NULL;
	if (stun_txn_init(&tmp, tid, method, cfg) != STUN_OK)
		return NULL;
	if (stun_txn_table_find(tab, tmp.tid))
		return NULL;		/* IDs key the table: no duplicates */
	for (i = 0; i < tab->max; i++) {
		if (tab->used[i])
			continue;
		tab->slot[i] = tmp;
		tab->used[i] = true;
		tab->n++;
		stun_txn_start(&tab->slot[i], now);
		return &tab->slot[i];
	}
	return NULL;
}

struct stun_txn *stun_txn_table_match(struct stun_txn_table *tab,
				      const struct stun_msg *resp)
{
	struct stun_txn *t;

	if (!resp)
		return NULL;
	t = stun_txn_table_find(tab, resp->tid);
	return t && stun_txn_match(t, resp) ? t : NULL;
}

void stun_txn_table_remove(struct stun_txn_table *tab, struct stun_txn *t)
{
	ptrdiff_t i;

	if (!tab || !t)
		return;
	i = t - tab->slot;
	if (i < 0 || i >= (ptrdiff_t)tab->max || !tab->used[i])
		return;
	tab->used[i] = false;
	memset(&tab->slot[i], 0, sizeof(tab->slot[i]));
	tab->n--;
}

uint64_t stun_txn_table_next_deadline(const struct stun_txn_table *tab)
{
	uint64_t best = STUN_TXN_NEVER, d;
	unsigned int i;

	if (!tab)
		return best;
	for (i = 0; i < tab->max; i++) {
		if (!tab->used[i])
			continue;
		d = stun_txn_next_deadline(&tab->slot[i]);
		if (d < best)
			best = d;
	}
	return best;
}

struct stun_txn *stun_txn_table_due(struct stun_txn_table *tab, uint64_t now,
				    enum stun_txn_action *act)
{
	enum stun_txn_action a;
	unsigned int i;

	if (act)
		*act = STUN_TXN_WAIT;
	if (!tab)
		return NULL;
	for (i = 0; i < tab->max; i++) {
		if (!tab->used[i])
			continue;
		a = stun_txn_on_timer(&tab->slot[i], now);
		if (a != STUN_TXN_WAIT) {
			if (act)
				*act = a;
			return &tab->slot[i];
		}
	}
	return NULL;
}
