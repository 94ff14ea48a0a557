/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Server-reflexive candidate discovery (seed 004 s.1.1 item 2; RFC 8445
 * s.5.1.1.2; RFC 8489 Binding method): one Binding request from a
 * local base to the STUN server (co-located with the Home Agent, seed 004
 * s.1), retransmitted by agent/stun_txn.h (RFC 8489 s.6.2.1); the mapped
 * address of the success response becomes a srflx candidate whose base
 * and related address are the local socket address (RFC 8445 s.5.1.1.2,
 * RFC 8839 s.5.1).
 *
 * Sans-IO like stun_txn: the caller owns the socket and the clock, sends
 * q->req whenever a call returns STUN_TXN_SEND, and feeds every datagram
 * received on the socket to srflx_input().
 *
 * Acceptance of a response (RFC 8489 s.6.3.3, s.6.3.4; seed 004 s.14.2):
 * it must come from the server's transport address, decode (FINGERPRINT
 * verified when present), be a Binding success or error response with our
 * transaction ID. A success must carry XOR-MAPPED-ADDRESS (MAPPED-ADDRESS
 * is accepted only when XOR-MAPPED-ADDRESS is absent, for RFC 5389-era
 * servers) of the base's address family. Anything else is ignored and the
 * transaction keeps running, so a forged datagram cannot end it early.
 * An error response ends the query with its code (no ALTERNATE-SERVER
 * support: 300 fails like any other error).
 */
#ifndef MICE_SRFLX_H
#define MICE_SRFLX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "candidate.h"
#include "stun.h"
#include "stun_txn.h"

enum srflx_state {
	SRFLX_IDLE = 0,
	SRFLX_RUNNING,
	SRFLX_DONE,		/* mapped is set */
	SRFLX_ERROR,		/* error response; error_code/reason set */
	SRFLX_TIMED_OUT,
};

enum srflx_input_result {
	SRFLX_IN_IGNORED = 0,	/* not for us (see above); why says why */
	SRFLX_IN_DONE,		/* success: state DONE */
	SRFLX_IN_ERROR,		/* error response: state ERROR */
};

struct srflx_query {
	enum srflx_state state;
	struct stun_txn txn;
	struct ice_addr base;		/* the local socket's address */
	struct ice_addr server;
	uint8_t req[128];
	size_t req_len;
	uint64_t start_ms, end_ms;
	struct ice_addr mapped;		/* DONE */
	bool mapped_from_xor;		/* XOR-MAPPED-ADDRESS, not MAPPED- */
	int error_code;			/* ERROR */
	char reason[128];		/* ERROR: printable copy */
	char software[64];		/* the server's SOFTWARE, if any */
	const char *why;		/* last ignored datagram's reason */
	unsigned int ignored;
};

/*
 * Prepares the request (Binding, SOFTWARE "mice", FINGERPRINT; the RFC 8489
 * s.7 FINGERPRINT mechanism is for STUN sharing a port, as here with MIP,
 * seed 004 s.12) and starts the transaction at @now. @cfg NULL: RFC 8489
 * defaults. Returns STUN_TXN_SEND (send q->req now), or STUN_TXN_TIMEOUT
 * on bad arguments (families differ, invalid cfg).
 */
enum stun_txn_action srflx_start(struct srflx_query *q,
				 const struct ice_addr *base,
				 const struct ice_addr *server,
				 const struct stun_txn_cfg *cfg, uint64_t now);
uint64_t srflx_next_deadline(const struct srflx_query *q);
/* SEND: resend q->req; TIMEOUT: state is now TIMED_OUT. */
enum stun_txn_action srflx_on_timer(struct srflx_query *q, uint64_t now);
enum srflx_input_result srflx_input(struct srflx_query *q, uint64_t now,
				    const uint8_t *buf, size_t len,
				    const struct ice_addr *from);
/*
 * The srflx candidate of a DONE query (RFC 8445 s.5.1.1.2): type SRFLX,
 * address = mapped, base = related = q->base, server = q->server, priority
 * from @local_pref and @component. Returns -1 when not DONE. Whether it is
 * redundant with the host candidate (mapped == base, no NAT) is for
 * ice_cand_set_add() to decide (RFC 8445 s.5.1.3).
 */
int srflx_candidate(const struct srflx_query *q, uint8_t component,
		    uint16_t local_pref, struct ice_cand *out);
const char *srflx_state_name(enum srflx_state s);

#endif /* MICE_SRFLX_H */
