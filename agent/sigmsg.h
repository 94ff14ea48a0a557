/* SPDX-License-Identifier: GPL-2.0 */
/*
 * M-ICE signalling between agents over Mobile IPv6 mobility headers
 * (seed 004 s.3: offers and answers travel in Binding Update and Binding
 * Acknowledgement messages, through the Home Agents). docs/signalling.md
 * gives the wire format:
 *
 *   register  BU, H and A set, MN-ID(self)                   MN -> HA
 *   registered BA status 0 [, relayed address]               HA -> MN
 *   offer     BU, A set, MN-ID(self), MN-ID target(peer),
 *             timestamp, authenticator, MIP-ICE option       MN -> HA -> MN
 *   answer    BA, the same options                          MN -> HA -> MN
 *
 * The Home Agent relays offers and answers by the target identifier
 * without changing a byte; the authenticator is end to end between the
 * two mobile nodes (HMAC-SHA256-128 under their pre-shared key, over the
 * canonical encoding with the authenticator zeroed).
 */
#ifndef MICE_SIGMSG_H
#define MICE_SIGMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mh.h"

#define SIG_NAME_MAX		63
#define SIG_OPT_MN_ID		8	/* RFC 4283 Mobile Node Identifier */
#define SIG_MN_ID_NAI		1	/* RFC 4283 subtype: NAI */
#define SIG_MN_ID_TARGET	200	/* mice: relay to this NAI (private) */
#define SIG_OPT_AUTH		9	/* RFC 4285 Mobility Message Authentication */
#define SIG_AUTH_SUBTYPE	1
#define SIG_AUTH_SPI		0x6d696365	/* "mice": HMAC-SHA256-128 */
#define SIG_AUTH_LEN		16
#define SIG_OPT_TIMESTAMP	10	/* RFC 4285 Replay Protection */
#define SIG_MAX_SKEW_S		60	/* timestamps further off are replays */
#define SIG_OPT_MIKEY		250	/* mice: a MIKEY message (RFC 3830), private */
#define SIG_MIKEY_MAX		255
/*
 * mice, private: in the registered BA, the relayed transport address the
 * HA allocated for the mobile node (agent/relay.h). Value: family (4 or
 * 6), reserved, port (network order), then 4 or 16 address bytes.
 */
#define SIG_OPT_RELAY		251
#define SIG_LIFETIME_S		60	/* registration lifetime */

enum sig_kind {
	SIG_REGISTER,
	SIG_REGISTERED,
	SIG_OFFER,
	SIG_ANSWER,
};

struct sig_msg {
	enum sig_kind kind;
	uint16_t seq;
	uint8_t status;			/* BA status (0: accepted) */
	char from[SIG_NAME_MAX + 1];	/* MN-ID NAI, "" if absent */
	char to[SIG_NAME_MAX + 1];	/* relay target, "" if absent */
	uint64_t timestamp;		/* seconds, offers and answers */
	bool has_ice;
	struct mipice_opt ice;
	/* a MIKEY I_MESSAGE (offer) or R_MESSAGE (answer), seed 004 s.1.5 */
	uint8_t mikey[SIG_MIKEY_MAX];
	size_t mikey_len;
	/* registered: the relayed address (family 0 if none) */
	struct ice_addr relay;
};

const char *sig_kind_name(enum sig_kind k);

/*
 * Encodes @m; offers and answers are authenticated with @key (required
 * for them, ignored otherwise). Returns 0 or -1 with *@why set.
 */
int sig_encode(const struct sig_msg *m, const uint8_t *key, size_t keylen,
	       uint8_t *buf, size_t cap, size_t *len, const char **why);

/* Decodes without verifying. Returns 0 or -1 with *@why set. */
int sig_decode(const uint8_t *buf, size_t len, unsigned int max_cand,
	       struct sig_msg *m, const char **why);

/*
 * Verifies the authenticator of an offer or answer with @key and its
 * timestamp against @now_s. Returns 0 or -1 with *@why set.
 */
int sig_verify(const uint8_t *buf, size_t len, unsigned int max_cand,
	       const uint8_t *key, size_t keylen, uint64_t now_s,
	       const char **why);

#endif /* MICE_SIGMSG_H */
