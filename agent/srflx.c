// SPDX-License-Identifier: GPL-2.0
/* Server-reflexive candidate discovery; see srflx.h. */
#include <string.h>
#include <sys/socket.h>

#include "srflx.h"

static void to_ice(struct ice_addr *d, const struct stun_addr *s)
{
	ice_addr_set(d, s->family, s->ip, s->port);
}

static void printable(char *dst, size_t cap, const char *src, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 1 < cap; i++) {
		unsigned char ch = (unsigned char)src[i];

		dst[o++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	dst[o] = 0;
}

enum stun_txn_action srflx_start(struct srflx_query *q,
				 const struct ice_addr *base,
				 const struct ice_addr *server,
				 const struct stun_txn_cfg *cfg, uint64_t now)
{
	struct stun_builder b;

	memset(q, 0, sizeof(*q));
	q->state = SRFLX_TIMED_OUT;
	if (!base || !server || base->family != server->family ||
	    (server->family != AF_INET && server->family != AF_INET6) ||
	    server->port == 0)
		return STUN_TXN_TIMEOUT;
	q->base = *base;
	q->server = *server;
	if (stun_txn_init(&q->txn, NULL, STUN_METHOD_BINDING, cfg) != STUN_OK)
		return STUN_TXN_TIMEOUT;
	stun_build_init(&b, q->req, sizeof(q->req), STUN_METHOD_BINDING,
			STUN_REQUEST, q->txn.tid);
	stun_build_software(&b, "mice");
	stun_build_fingerprint(&b);
	q->req_len = stun_build_len(&b);
	if (!q->req_len)
		return STUN_TXN_TIMEOUT;
	q->state = SRFLX_RUNNING;
	q->start_ms = now;
	return stun_txn_start(&q->txn, now);
}

uint64_t srflx_next_deadline(const struct srflx_query *q)
{
	if (q->state != SRFLX_RUNNING)
		return STUN_TXN_NEVER;
	return stun_txn_next_deadline(&q->txn);
}

enum stun_txn_action srflx_on_timer(struct srflx_query *q, uint64_t now)
{
	enum stun_txn_action a;

	if (q->state != SRFLX_RUNNING)
		return STUN_TXN_WAIT;
	a = stun_txn_on_timer(&q->txn, now);
	if (a == STUN_TXN_TIMEOUT) {
		q->state = SRFLX_TIMED_OUT;
		q->end_ms = now;
	}
	return a;
}

static enum srflx_input_result ignore(struct srflx_query *q, const char *why)
{
	q->why = why;
	q->ignored++;
	return SRFLX_IN_IGNORED;
}

enum srflx_input_result srflx_input(struct srflx_query *q, uint64_t now,
				    const uint8_t *buf, size_t len,
				    const struct ice_addr *from)
{
	struct stun_msg m;
	struct stun_addr got;
	enum stun_err e;

	if (q->state != SRFLX_RUNNING)
		return ignore(q, "no query running");
	if (!from || !ice_addr_eq(from, &q->server))
		return ignore(q, "not from the STUN server's address");
	e = stun_decode(buf, len, &m, NULL);
	if (e != STUN_OK)
		return ignore(q, stun_err_str(e));
	if (!stun_txn_match(&q->txn, &m))
		return ignore(q, "not a Binding response to our transaction");
	if (stun_msg_has(&m, STUN_K_SOFTWARE))
		printable(q->software, sizeof(q->software), m.software,
			  m.software_len);
	if (m.cls == STUN_ERROR) {
		if (!stun_msg_has(&m, STUN_K_ERROR_CODE))
			return ignore(q, "error response without ERROR-CODE");
		stun_txn_complete(&q->txn);
		q->state = SRFLX_ERROR;
		q->end_ms = now;
		q->error_code = m.error_code;
		printable(q->reason, sizeof(q->reason), m.reason, m.reason_len);
		return SRFLX_IN_ERROR;
	}
	if (stun_msg_has(&m, STUN_K_XOR_MAPPED_ADDRESS)) {
		got = m.xor_mapped;
		q->mapped_from_xor = true;
	} else if (stun_msg_has(&m, STUN_K_MAPPED_ADDRESS)) {
		got = m.mapped;
		q->mapped_from_xor = false;
	} else {
		return ignore(q, "success response without XOR-MAPPED-ADDRESS");
	}
	if (got.family != q->base.family)
		return ignore(q, "mapped address of another address family");
	to_ice(&q->mapped, &got);
	if (q->mapped.port == 0 || ice_addr_is_unspecified(&q->mapped) ||
	    ice_addr_is_multicast(&q->mapped))
		return ignore(q, "mapped address is not a unicast transport "
			      "address");
	stun_txn_complete(&q->txn);
	q->state = SRFLX_DONE;
	q->end_ms = now;
	return SRFLX_IN_DONE;
}

int srflx_candidate(const struct srflx_query *q, uint8_t component,
		    uint16_t local_pref, struct ice_cand *out)
{
	if (q->state != SRFLX_DONE || component == 0)
		return -1;
	memset(out, 0, sizeof(*out));
	out->type = ICE_CAND_SRFLX;
	out->transport = ICE_TRANSPORT_UDP;
	out->component = component;
	out->local_pref = local_pref;
	out->addr = q->mapped;
	out->base = q->base;
	out->rel = q->base;
	out->server = q->server;
	ice_cand_compute_priority(out);
	return 0;
}

const char *srflx_state_name(enum srflx_state s)
{
	switch (s) {
	case SRFLX_IDLE:
		return "idle";
	case SRFLX_RUNNING:
		return "running";
	case SRFLX_DONE:
		return "done";
	case SRFLX_ERROR:
		return "error";
	case SRFLX_TIMED_OUT:
		return "timed-out";
	}
	return "?";
}
