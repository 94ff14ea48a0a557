/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Home Agent's STUN Binding server (seed 004 s.1 and Figure 1: the STUN
 * server is co-located with the Home Agent; RFC 8489 s.6.3). Sans-IO: the
 * caller receives a datagram, calls stun_server_handle() and sends back the
 * bytes it produced, if any, to the datagram's source.
 *
 * What it answers (RFC 8489 s.6.3, s.6.3.1):
 *  - not a STUN message at the header level (too short, top bits, magic
 *    cookie, length), a bad FINGERPRINT, or a method other than Binding:
 *    silently discarded (s.6.3), so the port can be shared with MIP
 *    (seed 004 s.12);
 *  - indications and responses: ignored (nothing is sent; s.6.3.2-s.6.3.4,
 *    the server has no client transactions);
 *  - a Binding request whose attributes are malformed (overrun, wrong
 *    length, bad address family, FINGERPRINT not last, ...): 400 Bad
 *    Request (s.14.8);
 *  - a Binding request with unknown comprehension-required attributes:
 *    420 Unknown Attribute with UNKNOWN-ATTRIBUTES listing them
 *    (s.6.3.1, s.14.9);
 *  - otherwise a success response with XOR-MAPPED-ADDRESS = the request's
 *    source (s.14.2), SOFTWARE when it fits the budget below (s.14.10), and
 *    FINGERPRINT last (s.14.7). MESSAGE-INTEGRITY in a request is ignored:
 *    Binding discovery needs no credentials (s.12, basic server behaviour;
 *    seed 004 s.14.2 on why a faked mapped address is not a threat).
 *
 * MAPPED-ADDRESS is never sent: it exists for RFC 3489 clients, which are
 * recognized by a missing magic cookie (RFC 8489 s.11), and those are
 * discarded above; every RFC 5389/8489 client reads XOR-MAPPED-ADDRESS.
 * Leaving it out also keeps the answer small.
 *
 * Amplification rule (our choice, after seed 004 s.14.4.2 on STUN
 * amplification): a response is never longer than
 *     max(request length, STUN_SERVER_MIN_BUDGET = 64) bytes.
 * The mandatory parts fit: a success answer is 40 bytes (IPv4) or 52
 * bytes (IPv6), an error 48 + reason. Optional parts are dropped in order
 * (SOFTWARE, then the error reason phrase) until the answer fits; if it
 * still does not, nothing is sent. So a spoofed 20-byte request yields at
 * most 64 bytes (92 vs 48 on the wire over IPv4), and a larger request
 * never yields a larger answer. On top of that, an optional token bucket
 * bounds the answers per second (rate_pps, burst).
 */
#ifndef MICE_STUN_SERVER_H
#define MICE_STUN_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "stun.h"

#define STUN_SERVER_MIN_BUDGET	64
#define STUN_SERVER_SOFTWARE	"mice"

struct stun_server_stats {
	uint64_t received;	/* every call */
	uint64_t discarded;	/* not STUN / bad FINGERPRINT / not Binding */
	uint64_t ignored;	/* indications and responses */
	uint64_t success;	/* success responses produced */
	uint64_t err400;	/* 400 Bad Request produced */
	uint64_t err420;	/* 420 Unknown Attribute produced */
	uint64_t rate_limited;	/* dropped by the token bucket */
	uint64_t too_big;	/* dropped by the amplification rule */
};

struct stun_server_cfg {
	const char *software;	/* NULL: no SOFTWARE attribute */
	uint32_t rate_pps;	/* 0: no rate limit */
	uint32_t burst;		/* bucket depth; 0: rate_pps */
};

struct stun_server {
	struct stun_server_cfg cfg;
	struct stun_server_stats st;
	/* token bucket, in milli-tokens */
	uint64_t tokens;
	uint64_t last_ms;
	int primed;
};

/* @cfg NULL: SOFTWARE "mice", no rate limit. */
void stun_server_init(struct stun_server *s, const struct stun_server_cfg *cfg);

/*
 * Handles one datagram @req/@len received from @from at time @now_ms.
 * Returns the length of the response written to @out (at most @outcap),
 * or 0 when nothing is to be sent.
 */
size_t stun_server_handle(struct stun_server *s, uint64_t now_ms,
			  const uint8_t *req, size_t len,
			  const struct stun_addr *from, uint8_t *out,
			  size_t outcap);

#endif /* MICE_STUN_SERVER_H */
