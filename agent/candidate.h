/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ICE candidates for M-ICE (seed 004 s.1.1, s.4; RFC 8445 s.5.1):
 * the candidate record, priorities (RFC 8445 s.5.1.2.1), foundations
 * (s.5.1.1.3), redundancy pruning (s.5.1.3) and a capped candidate set.
 */
#ifndef MICE_CANDIDATE_H
#define MICE_CANDIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Type preferences, RFC 8445 s.5.1.2.2 (recommended values). */
#define ICE_TYPE_PREF_HOST	126
#define ICE_TYPE_PREF_PRFLX	110
#define ICE_TYPE_PREF_SRFLX	100
#define ICE_TYPE_PREF_RELAY	0

/* A foundation is 1*32 ice-char (RFC 8445 s.5.1.1.3, RFC 8839 s.5.1). */
#define ICE_FOUNDATION_MAX	32

/* Default cap on local candidates (libjuice uses 30 as well). */
#define ICE_CAND_SET_DEFAULT_MAX	30
/* Storage of a set; the configurable cap may not exceed this. */
#define ICE_CAND_SET_HARD_MAX		255

#define ICE_TRANSPORT_UDP	17	/* IANA protocol number of UDP */

/* Values chosen to match the 4-bit type of the MIP-ICE option. */
enum ice_cand_type {
	ICE_CAND_HOST = 0,
	ICE_CAND_SRFLX = 1,
	ICE_CAND_PRFLX = 2,
	ICE_CAND_RELAY = 3,
};

/* A transport address. family 0 means "absent". IPv4 lives in ip[0..3]. */
struct ice_addr {
	uint8_t family;		/* 0, AF_INET or AF_INET6 */
	uint8_t ip[16];
	uint16_t port;		/* host order */
};

struct ice_cand {
	enum ice_cand_type type;
	uint8_t transport;	/* ICE_TRANSPORT_UDP only */
	uint8_t component;	/* 1..255 (RFC 8445 s.5.1.1: 1..256) */
	uint16_t local_pref;	/* 0..65535, RFC 8445 s.5.1.2.1 */
	uint32_t priority;
	struct ice_addr addr;	/* the candidate's transport address */
	struct ice_addr rel;	/* related address (RFC 8839 s.5.1); host: absent */
	struct ice_addr base;	/* RFC 8445 s.5.1.1.1; host/relay: addr itself */
	struct ice_addr server;	/* STUN server / HA it came from; absent if none */
	char foundation[ICE_FOUNDATION_MAX + 1];
};

/* Address helpers. */
void ice_addr_set(struct ice_addr *a, int family, const void *ip,
		  uint16_t port);
bool ice_addr_eq(const struct ice_addr *a, const struct ice_addr *b);
/* Same family and IP; the port is not compared. */
bool ice_addr_ip_eq(const struct ice_addr *a, const struct ice_addr *b);
bool ice_addr_is_unspecified(const struct ice_addr *a);
bool ice_addr_is_multicast(const struct ice_addr *a);
bool ice_addr_is_v6_linklocal(const struct ice_addr *a);
/* Conversions; return 0 or -1 for an unsupported family. */
int ice_addr_from_sockaddr(struct ice_addr *a, const struct sockaddr *sa);
int ice_addr_to_sockaddr(const struct ice_addr *a,
			 struct sockaddr_storage *ss, socklen_t *len);
/* "192.0.2.1:3478" or "[2001:db8::1]:3478"; returns @buf. */
const char *ice_addr_str(const struct ice_addr *a, char *buf, size_t len);

const char *ice_cand_type_name(enum ice_cand_type t);
/* -1 for an unknown type. */
int ice_type_pref(enum ice_cand_type t);

/*
 * RFC 8445 s.5.1.2.1:
 * priority = 2^24 * type_pref + 2^8 * local_pref + (256 - component).
 * @component 1..256, @type_pref 0..126, @local_pref 0..65535; returns 0 for
 * out-of-range arguments (0 is never a valid priority, s.5.1.2).
 */
uint32_t ice_priority(unsigned int type_pref, unsigned int local_pref,
		      unsigned int component);

/*
 * Local preference (RFC 8445 s.5.1.2.1, RFC 8421 s.4), decided here:
 *   high octet = 255 - 2 * if_rank - (IPv4 ? 1 : 0)
 *   low octet  = 255 - addr_idx
 * @if_rank is the interface's position in the configured interface order
 * (0 = most preferred, clamped to 127); @addr_idx the address's position on
 * that interface (clamped to 255). The result ranks interfaces first and,
 * within an interface, IPv6 just above IPv4, so the two families alternate
 * across interfaces (RFC 8421 s.4 asks for intermingled families with IPv6
 * preferred) instead of all IPv6 first.
 */
uint16_t ice_local_pref(int family, unsigned int if_rank,
			unsigned int addr_idx);

/* Sets cand->priority from its type, local_pref and component. */
void ice_cand_compute_priority(struct ice_cand *c);

/*
 * RFC 8445 s.5.1.1.3: two candidates share a foundation iff they have the
 * same type, the same base IP address (not port), the same STUN server IP
 * address (for srflx/relay; compared as given, absent == absent) and the
 * same transport protocol.
 */
bool ice_foundation_match(const struct ice_cand *a, const struct ice_cand *b);

/* RFC 8445 s.5.1.3: same transport address and same base. */
bool ice_cand_redundant(const struct ice_cand *a, const struct ice_cand *b);

/* A capped set of candidates with foundations assigned on insertion. */
struct ice_cand_set {
	unsigned int max;	/* cap, 1..ICE_CAND_SET_HARD_MAX */
	unsigned int n;
	unsigned int next_foundation;
	char prefix;		/* first char of generated foundations */
	struct ice_cand c[ICE_CAND_SET_HARD_MAX];
};

enum ice_add_result {
	ICE_ADD_NEW = 0,	/* appended */
	ICE_ADD_REPLACED,	/* replaced a redundant lower-priority one */
	ICE_ADD_REDUNDANT,	/* dropped: redundant with a higher/equal one */
	ICE_ADD_FULL,		/* dropped: the set is at its cap */
	ICE_ADD_INVALID,	/* dropped: bad type/component/address/family */
};

/*
 * @max 0 means ICE_CAND_SET_DEFAULT_MAX; larger than the hard max is clamped.
 * @prefix starts every foundation this set generates ("L" local, "R" remote)
 * so local and remote foundations never collide when concatenated.
 */
void ice_cand_set_init(struct ice_cand_set *s, unsigned int max, char prefix);

/*
 * Adds @c (priority must already be set; see ice_cand_compute_priority).
 * Its foundation is assigned: reused from a member with a matching
 * foundation key, otherwise a fresh "<prefix><n>". Redundant candidates are
 * pruned per RFC 8445 s.5.1.3 keeping the higher priority. The index of the
 * stored candidate is put in *@idx when not NULL and the result is NEW or
 * REPLACED.
 */
enum ice_add_result ice_cand_set_add(struct ice_cand_set *s,
				     const struct ice_cand *c,
				     unsigned int *idx);
/* Sorts by priority, highest first (ties: insertion order kept). */
void ice_cand_set_sort(struct ice_cand_set *s);
/* Index of the candidate with transport address @a, or -1. */
int ice_cand_set_find(const struct ice_cand_set *s, const struct ice_addr *a);

#endif /* MICE_CANDIDATE_H */
