/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Relayed candidates through the Home Agent (seed 004 s.1.1 item 3, s.3:
 * "the ICE functionality of TURN servers is provided by the Home Agent via
 * reverse tunneling"). docs/signalling.md describes the whole scheme:
 *
 * - On registration the HA gives each mobile node a relayed transport
 *   address: a UDP port of its own on the HA's public address. The
 *   registered BA carries it in the mobility option SIG_OPT_RELAY.
 * - STUN (the checks, consent, keepalives) between the relayed address and
 *   a peer travels MN <-> HA framed like TURN's Send and Data indications
 *   (RFC 8656 s.11, methods 0x006 / 0x007, XOR-PEER-ADDRESS and DATA), so
 *   the mobile node's ICE agent knows which peer a check came from.
 * - Media (the kernel's DATA class, seed 004 s.12) travels raw: the mobile
 *   node binds one peer (a Send indication with MICE-RELAY-BIND and no
 *   DATA) and then sends its encapsulated packets to the HA's own port;
 *   the HA forwards them from the relayed port to the bound peer, and
 *   packets from the bound peer to the mobile node. No framing means the
 *   kernel data path needs no change for a relayed pair: its remote is
 *   simply the HA.
 * - Like TURN permissions (RFC 8656 s.9), the HA forwards STUN from a
 *   peer's IP address only after the mobile node has sent to that IP.
 * - Every Send indication is signed by the mobile node under its MN-HA key
 *   (MESSAGE-INTEGRITY-SHA256, RFC 8489 s.14.6) and numbered
 *   (MICE-RELAY-SEQ, agent/replay.h): only a verified, fresh Send adds a
 *   permission, binds or is forwarded, the role TURN's authenticated
 *   CreatePermission and ChannelBind play (RFC 8656 s.9, s.12). A node
 *   without an MN-HA key gets no relay at all.
 *
 * The codec here needs only the STUN codec; the fuzzer runs it.
 */
#ifndef MICE_RELAY_H
#define MICE_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "candidate.h"

#define RELAY_METHOD_SEND	0x006	/* RFC 8656 s.18 */
#define RELAY_METHOD_DATA	0x007
#define RELAY_ATTR_XOR_PEER	0x0012	/* XOR-PEER-ADDRESS, RFC 8656 s.18 */
#define RELAY_ATTR_DATA		0x0013	/* DATA */
/* mice: bind this peer for raw media (comprehension-optional, empty). */
#define RELAY_ATTR_BIND		0xC0A3
/*
 * mice: the Send's 64-bit sequence number (agent/replay.h), network order,
 * comprehension-optional; MESSAGE-INTEGRITY-SHA256 covers it.
 */
#define RELAY_ATTR_SEQ		0xC0A4
/* What a framed payload may hold: a STUN message (checks are small). */
#define RELAY_PAYLOAD_MAX	1200
#define RELAY_FRAME_MAX		(RELAY_PAYLOAD_MAX + 64)

struct relay_frame {
	uint16_t method;		/* RELAY_METHOD_SEND or _DATA */
	struct ice_addr peer;		/* XOR-PEER-ADDRESS */
	bool bind;			/* MICE-RELAY-BIND present */
	const uint8_t *payload;		/* DATA value in the caller's buffer */
	size_t payload_len;		/* 0: no DATA attribute */
	bool has_seq;			/* MICE-RELAY-SEQ present */
	uint64_t seq;
	bool has_integrity;		/* MESSAGE-INTEGRITY-SHA256 present
					 * (not verified: relay_send_verify) */
};

/*
 * Builds a Send (@method RELAY_METHOD_SEND) or Data indication to or from
 * @peer carrying @payload (@len may be 0 with @bind set: a bind request).
 * Returns the length written into @out, 0 if it does not fit or the
 * arguments are wrong.
 */
size_t relay_frame_build(uint16_t method, const struct ice_addr *peer,
			 const uint8_t *payload, size_t len, bool bind,
			 uint8_t *out, size_t cap);

/*
 * Mobile node: a Send indication to @peer as relay_frame_build() makes it,
 * numbered @seq and signed under @key (the MN-HA key) with
 * MESSAGE-INTEGRITY-SHA256, then FINGERPRINT. Returns its length, or 0.
 */
size_t relay_send_build(const struct ice_addr *peer, const uint8_t *payload,
			size_t len, bool bind, uint64_t seq, const uint8_t *key,
			size_t keylen, uint8_t *out, size_t cap);

/*
 * Home Agent: checks that the Send indication @buf (which
 * relay_frame_parse() accepted into @f) carries a sequence number and a
 * full-length MESSAGE-INTEGRITY-SHA256 that verifies under @key. The
 * caller then checks @f->seq against its replay window. Returns 0, or -1
 * with *@why naming what is wrong.
 */
int relay_send_verify(const uint8_t *buf, size_t len,
		      const struct relay_frame *f, const uint8_t *key,
		      size_t keylen, const char **why);

/*
 * Parses a datagram as a relay frame. Returns 0, or -1 with *@why naming
 * what is wrong (not STUN, not an indication of Send/Data, no or bad
 * XOR-PEER-ADDRESS, DATA too large, neither DATA nor a bind).
 */
int relay_frame_parse(const uint8_t *buf, size_t len, struct relay_frame *f,
		      const char **why);

/*
 * A destination no relay may send to, whoever asks: loopback, 0/8,
 * unspecified, link-local, multicast, reserved and broadcast (240/4),
 * IPv4-mapped IPv6, port 0. Returns why, or NULL. The HA's own addresses
 * are the caller's to add (they are not known here).
 */
const char *relay_dest_refused(const struct ice_addr *to);

/* Is this datagram a relay frame at all (a Send or Data indication)? */
bool relay_frame_is(const uint8_t *buf, size_t len);

#endif /* MICE_RELAY_H */
