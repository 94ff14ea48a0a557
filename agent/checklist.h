/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ICE check list (seed 004 s.1.2, s.1.3, s.5, s.6; RFC 8445 s.6.1.2):
 * candidate pairs formed from local x remote candidates, prioritised,
 * sorted, pruned and capped, with pair states. No scheduling here: the
 * check scheduler drives the list through the operations below.
 *
 * Frozen state (seed 004 s.1.4): "not applied when ICE is applied to MIP".
 * By default every pair starts Waiting. With use_frozen the RFC 8445
 * s.6.1.2.6 initial states and the s.7.2.5.3.3 / s.6.1.4.2 unfreezing by
 * foundation are applied instead.
 */
#ifndef MICE_CHECKLIST_H
#define MICE_CHECKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "candidate.h"

/* seed 004 s.14.4.2: agents SHOULD limit checks to 100 (RFC 8445 s.6.1.2.5
 * default as well). */
#define CL_DEFAULT_MAX_PAIRS	100
#define CL_HARD_MAX_PAIRS	1000

enum cl_state {
	CL_FROZEN = 0,
	CL_WAITING,
	CL_IN_PROGRESS,
	CL_SUCCEEDED,
	CL_FAILED,
};

/* Pair foundation: local foundation ":" remote foundation. */
#define CL_FOUNDATION_MAX	(2 * ICE_FOUNDATION_MAX + 1)

struct cl_pair {
	unsigned int id;	/* stable for the list's lifetime */
	struct ice_cand local;	/* after pruning: srflx replaced by its base */
	struct ice_cand remote;
	uint64_t priority;	/* RFC 8445 s.6.1.2.3 */
	enum cl_state state;
	bool nominated;		/* for the scheduler / nomination logic */
	char foundation[CL_FOUNDATION_MAX + 1];
};

struct cl_config {
	bool controlling;
	bool use_frozen;	/* false by default (seed 004 s.1.4) */
	unsigned int max_pairs;	/* 0: CL_DEFAULT_MAX_PAIRS */
};

struct checklist {
	struct cl_config cfg;
	unsigned int n;
	unsigned int next_id;
	unsigned int next_prflx;	/* remote prflx foundations */
	struct cl_pair *pairs;		/* sorted, highest priority first */
};

/* RFC 8445 s.6.1.2.3: 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0). */
uint64_t cl_pair_priority(uint32_t g, uint32_t d);

const char *cl_state_name(enum cl_state s);

/* 0, or -1 on allocation failure. max_pairs is clamped to the hard max. */
int cl_init(struct checklist *cl, const struct cl_config *cfg);
void cl_free(struct checklist *cl);

/*
 * Forms the check list (replacing any previous contents):
 * RFC 8445 s.6.1.2.2 pair every local with every remote of the same
 * component and address family (IPv6 link-local only with link-local),
 * s.6.1.2.3 priority and sort, s.6.1.2.4 replace each srflx local by its
 * base and drop redundant pairs (same local base and remote, keeping the
 * highest priority), s.6.1.2.5 keep the max_pairs highest, s.6.1.2.6 initial
 * states. Returns the number of pairs, or -1 on allocation failure.
 * Remote candidates need no foundation: missing ones are derived
 * (ice_foundation_match keys, prefix "R").
 */
int cl_form(struct checklist *cl, const struct ice_cand *local,
	    unsigned int n_local, const struct ice_cand *remote,
	    unsigned int n_remote);

/* Highest-priority Waiting pair, or NULL. Pure: changes nothing. */
struct cl_pair *cl_next_waiting(struct checklist *cl);

/*
 * RFC 8445 s.6.1.4.2 (use_frozen only): when nothing is Waiting, set the
 * highest-priority Frozen pair whose foundation has no pair Waiting or
 * In-Progress to Waiting. Returns that pair or NULL.
 */
struct cl_pair *cl_unfreeze_one(struct checklist *cl);

/*
 * Sets a pair's state. With use_frozen, Succeeded unfreezes every Frozen
 * pair of the same foundation (RFC 8445 s.7.2.5.3.3). -1 for a bad id.
 */
int cl_set_state(struct checklist *cl, unsigned int id, enum cl_state st);

struct cl_pair *cl_by_id(struct checklist *cl, unsigned int id);

/*
 * The pair whose local candidate's base has transport address @local_base
 * and whose remote candidate is @remote, or NULL. Pointers into the list
 * stay valid until the next cl_form/cl_add_prflx.
 */
struct cl_pair *cl_find(struct checklist *cl, const struct ice_addr *local_base,
			const struct ice_addr *remote);

/*
 * A pair for a peer-reflexive remote candidate learned from a check
 * (RFC 8445 s.7.3.1.3/7.3.1.4): the remote is created with type prflx,
 * @remote_priority (the PRIORITY attribute) and a fresh foundation; the
 * pair is inserted in priority order in state @st. If the pair already
 * exists it is returned unchanged. When the list is at max_pairs, the
 * lowest-priority Frozen/Waiting pair is dropped if it has a lower
 * priority than the new one; otherwise NULL (the check is not queued).
 */
struct cl_pair *cl_add_prflx(struct checklist *cl, const struct ice_cand *local,
			     const struct ice_addr *remote_addr,
			     uint32_t remote_priority, enum cl_state st);

#endif /* MICE_CHECKLIST_H */
