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
 *
 * Registrations and their acknowledgements carry the same timestamp and
 * authenticator options under the MN-HA key when there is one (RFC 4285
 * s.5, the MN-HA authentication option; RFC 6275 s.5.1 wants Binding
 * Updates to the home agent protected). A refused registration is a BA
 * with one of the status codes below, unauthenticated.
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
/*
 * mice, private: the address (and port) a Home Agent saw a message come
 * from, which behind a NAT is the sender's server-reflexive address
 * (docs/signalling.md). Value: the address as in option 251, then in an
 * offer or answer a 16-octet tag under the target's MN-HA key (see
 * sig_set_observed); in a registered BA no tag (the BA is signed) and it
 * says that this HA vouches for its nodes' addresses.
 */
#define SIG_OPT_OBSERVED	252
/*
 * mice, private: the hop-by-hop authenticator of an offer or answer, under
 * the key of the hop's sender as the receiver knows it: a node's MN-HA key
 * (node -> its HA) or the key of two peer Home Agents (HA -> HA). Value:
 * a 64-bit sequence number (agent/replay.h), then a 16-octet
 * HMAC-SHA256-128 over "mice-hop" and the whole message as sent with the
 * tag zeroed (observed-address option included). Each hop replaces it;
 * the end-to-end authenticator leaves it out. docs/signalling.md.
 */
#define SIG_OPT_HOP		253
#define SIG_HOP_LEN		(8 + SIG_AUTH_LEN)
#define SIG_LIFETIME_S		60	/* registration lifetime */

/* BA status codes of a refused registration. */
#define SIG_STATUS_PROHIBITED	129	/* RFC 6275 s.6.1.8: not a node we serve */
#define SIG_STATUS_ID_MISMATCH	144	/* RFC 4285 s.6: replayed or stale */
#define SIG_STATUS_AUTH_FAIL	146	/* RFC 4285 s.6: bad authenticator */

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
	uint64_t timestamp;		/* seconds; offers, answers, and
					 * authenticated registrations */
	bool has_ice;
	struct mipice_opt ice;
	/* a MIKEY I_MESSAGE (offer) or R_MESSAGE (answer), seed 004 s.1.5 */
	uint8_t mikey[SIG_MIKEY_MAX];
	size_t mikey_len;
	/* registered: the relayed address (family 0 if none) */
	struct ice_addr relay;
	/* registered, offer, answer: the observed address (family 0 if none);
	 * decoded only, see sig_observed_verify */
	struct ice_addr observed;
	bool observed_tagged;
	/* offer, answer: the hop authenticator's number (decoded only, see
	 * sig_hop_verify) */
	bool has_hop;
	uint64_t hop_seq;
};

const char *sig_kind_name(enum sig_kind k);

/* "administratively prohibited" and the like for a BA status code. */
const char *sig_status_name(uint8_t status);

/*
 * Encodes @m, authenticated with @key: always for offers and answers
 * (which need a key), and for registrations and their acknowledgements
 * when a key is given (then @m->timestamp matters). Returns 0 or -1 with
 * *@why set.
 */
int sig_encode(const struct sig_msg *m, const uint8_t *key, size_t keylen,
	       uint8_t *buf, size_t cap, size_t *len, const char **why);

/* Decodes without verifying. Returns 0 or -1 with *@why set. */
int sig_decode(const uint8_t *buf, size_t len, unsigned int max_cand,
	       struct sig_msg *m, const char **why);

/*
 * Verifies the authenticator of a message with @key and its timestamp
 * against @now_s (at most SIG_MAX_SKEW_S off). Returns 0 or -1 with *@why
 * set; a message with no authenticator fails.
 */
int sig_verify(const uint8_t *buf, size_t len, unsigned int max_cand,
	       const uint8_t *key, size_t keylen, uint64_t now_s,
	       const char **why);

/*
 * Home Agent: re-encodes the offer or answer @in with @obs as its observed
 * address (replacing any), tagged under @key, the target's MN-HA key: an
 * HMAC-SHA256-128 over the address part of the option and the message's
 * end-to-end authenticator. @key NULL: an all-zero tag, for a peer Home
 * Agent to vouch for; @obs NULL or family 0: the option removed. The
 * end-to-end authenticator leaves the option out, so it still verifies.
 * Any hop authenticator is removed too (the next hop signs anew).
 * Returns 0 or -1 with *@why set.
 */
int sig_set_observed(const uint8_t *in, size_t len, unsigned int max_cand,
		     const struct ice_addr *obs, const uint8_t *key,
		     size_t keylen, uint8_t *out, size_t cap, size_t *outlen,
		     const char **why);

/*
 * Mobile node: the observed address of an offer or answer, if our Home
 * Agent vouched for it (@key: our MN-HA key). Verify the message itself
 * first (sig_verify). Returns 0 with *@obs set, or -1 with *@why set.
 */
int sig_observed_verify(const uint8_t *buf, size_t len, unsigned int max_cand,
			const uint8_t *key, size_t keylen,
			struct ice_addr *obs, const char **why);

/*
 * Re-encodes the offer or answer @in with a hop authenticator (replacing
 * any) numbered @seq under @key: the key of the next hop's receiver for
 * this sender. Returns 0 or -1 with *@why set.
 */
int sig_hop_sign(const uint8_t *in, size_t len, unsigned int max_cand,
		 uint64_t seq, const uint8_t *key, size_t keylen, uint8_t *out,
		 size_t cap, size_t *outlen, const char **why);

/*
 * Verifies the hop authenticator of the offer or answer @buf under @key
 * and gives its number in *@seq, for the caller's replay check. Returns 0
 * or -1 with *@why set (none, malformed, does not verify).
 */
int sig_hop_verify(const uint8_t *buf, size_t len, unsigned int max_cand,
		   const uint8_t *key, size_t keylen, uint64_t *seq,
		   const char **why);

/*
 * Is a registration stamped (@ts, @seq) newer than the last one accepted,
 * (@last_ts, @last_seq)? RFC 4285 s.6: an older timestamp is a replay;
 * within one second RFC 6275 s.9.5.1's sequence number decides, compared
 * modulo 2^16 (less than 2^15 ahead is newer). The same message twice is
 * not newer.
 */
bool sig_newer(uint64_t ts, uint16_t seq, uint64_t last_ts, uint16_t last_seq);

/*
 * The replay record of one peer's offers and answers, kept by a mobile
 * node across its sessions with that peer. The peer stamps each one with
 * its clock and the sequence number of its session (RFC 4285 s.6, RFC
 * 6275 s.9.5.1, as for registrations): what is not newer than the last
 * accepted is a replay, except the very same message again, which a
 * responder may answer again without changing anything (the initiator
 * sends its offer again until the answer comes).
 */
struct sig_replay {
	bool seen;
	uint64_t ts;
	uint16_t seq;
};

enum sig_fresh {
	SIG_FRESH_NEWER,	/* newer than any accepted: may change state */
	SIG_FRESH_SAME,		/* the last accepted message again */
	SIG_FRESH_OLDER,	/* older than the last accepted: a replay */
};

enum sig_fresh sig_replay_check(const struct sig_replay *r, uint64_t ts,
				uint16_t seq);

/* Records an accepted message (call only once it has been acted on). */
void sig_replay_accept(struct sig_replay *r, uint64_t ts, uint16_t seq);

#endif /* MICE_SIGMSG_H */
