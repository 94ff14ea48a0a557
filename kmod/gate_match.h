/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Media admission gates: the classifier of an authorized flow and the
 * 5-tuple it is matched against (seed 001 s.6.2: the policy point installs
 * an authorized media description, "a gate", at the edge router; the
 * PacketCable gate classifier is protocol, source and destination address
 * and port, direction).
 *
 * Freestanding: compiled unchanged by the module, the unit tests, the
 * fuzzers and the agent (which encodes classifiers into tokens).
 */
#ifndef MICE_GATE_MATCH_H
#define MICE_GATE_MATCH_H

#include "freestanding.h"

/* IP protocol numbers (IANA); 0 in a classifier means "any". */
#define MICE_GATE_PROTO_ANY	0
#define MICE_GATE_PROTO_TCP	6
#define MICE_GATE_PROTO_UDP	17

/* Address families as the IP version number; 0 in a prefix means "any". */
#define MICE_AF_ANY		0
#define MICE_AF_INET		4
#define MICE_AF_INET6		6

/* Gate direction (PacketCable: upstream / downstream); 0 means "any". */
enum mice_gate_dir {
	MICE_GATE_DIR_ANY = 0,
	MICE_GATE_DIR_UP = 1,	/* from the user agent towards the network */
	MICE_GATE_DIR_DOWN = 2,	/* from the network towards the user agent */
};

/*
 * One 5-tuple plus direction. Ports are in host order; IPv4 addresses sit
 * in src[0..3] / dst[0..3] in network order with the other 12 octets zero.
 * The direction is not in the packet: the caller sets it (the socket the
 * packet arrived on or leaves by decides it).
 */
struct mice_flow_key {
	u8 family;		/* MICE_AF_INET or MICE_AF_INET6 */
	u8 proto;		/* MICE_GATE_PROTO_UDP or _TCP */
	u8 dir;			/* enum mice_gate_dir */
	u8 pad;			/* zero */
	u16 sport;
	u16 dport;
	u8 src[16];
	u8 dst[16];
};

/* An address prefix. family MICE_AF_ANY requires len 0 and matches all. */
struct mice_prefix {
	u8 family;
	u8 len;			/* <= 32 (IPv4) or <= 128 (IPv6) */
	u8 addr[16];		/* host bits must be zero */
};

/* Inclusive port range; 0-65535 matches every port. */
struct mice_port_range {
	u16 lo;
	u16 hi;
};

struct mice_gate_classifier {
	u8 proto;		/* MICE_GATE_PROTO_{ANY,UDP,TCP} */
	u8 dir;			/* enum mice_gate_dir */
	struct mice_prefix src;
	struct mice_prefix dst;
	struct mice_port_range sport;
	struct mice_port_range dport;
};

/* Why a classifier is refused (mice_gate_classifier_check()). */
enum mice_gate_err {
	MICE_GATE_OK = 0,
	MICE_GATE_E_PROTO,		/* protocol not any, UDP or TCP */
	MICE_GATE_E_DIR,		/* direction not any, up or down */
	MICE_GATE_E_FAMILY,		/* prefix family not any, 4 or 6 */
	MICE_GATE_E_FAMILY_MIX,		/* src is IPv4 and dst IPv6 or v.v. */
	MICE_GATE_E_PREFIX_LEN,		/* longer than the family allows */
	MICE_GATE_E_HOST_BITS,		/* bits set beyond the prefix length */
	MICE_GATE_E_PORT_RANGE,		/* lo > hi */
	__MICE_GATE_E_MAX
};

/* Why a packet gives no flow key (mice_flow_key_parse()). */
enum mice_flow_err {
	MICE_FLOW_OK = 0,
	MICE_FLOW_E_EMPTY,		/* zero octets */
	MICE_FLOW_E_VERSION,		/* version nibble not 4 or 6 */
	MICE_FLOW_E_IPV4_HEADER,	/* short, IHL < 5 or IHL beyond data */
	MICE_FLOW_E_IPV4_LENGTH,	/* Total Length < IHL*4 or > data */
	MICE_FLOW_E_IPV6_HEADER,	/* shorter than 40 octets */
	MICE_FLOW_E_IPV6_LENGTH,	/* 40 + Payload Length > data */
	MICE_FLOW_E_IPV6_JUMBO,		/* Payload Length 0 (RFC 2675) */
	MICE_FLOW_E_EXT_HEADER,		/* extension header truncated */
	MICE_FLOW_E_EXT_CHAIN,		/* more than MICE_FLOW_MAX_EXT headers */
	MICE_FLOW_E_FRAGMENT,		/* IPv4 MF/offset or IPv6 Fragment hdr */
	MICE_FLOW_E_PROTO,		/* transport not UDP or TCP */
	MICE_FLOW_E_L4_HEADER,		/* UDP < 8 or TCP < 20 / bad offset */
	MICE_FLOW_E_SHORT_READ,		/* a header lies beyond @avail */
	__MICE_FLOW_E_MAX
};

/* IPv6 extension headers walked before giving up (RFC 8200 s.4.1). */
#define MICE_FLOW_MAX_EXT	8

/* Returns MICE_GATE_OK or the first thing wrong with @c. */
enum mice_gate_err mice_gate_classifier_check(const struct mice_gate_classifier *c);

/*
 * Does @k fall in @c? Protocol, direction, prefixes (by family) and port
 * ranges must all match. @c should have passed
 * mice_gate_classifier_check(); a classifier that did not may match less
 * but never reads out of bounds.
 */
bool mice_gate_classifier_match(const struct mice_gate_classifier *c,
				const struct mice_flow_key *k);

/*
 * Octets of a packet's start the module hands mice_flow_key_parse(): the
 * longest IPv4 header and a TCP header (60 + 20), or an IPv6 header, 68
 * octets of extension headers and a TCP header. A packet whose transport
 * header starts later gives SHORT_READ: no key, so no gate admits it.
 */
#define MICE_FLOW_HEAD_MAX	128

/*
 * The 5-tuple of an IPv4 or IPv6 packet of @len octets (starting with the
 * IP header), of which the first @avail are at @pkt: never reads past
 * @avail; a header beyond it gives SHORT_READ (the lengths are checked
 * against @len first). IPv6 Hop-by-Hop, Routing, Destination Options and
 * AH headers are skipped (at most MICE_FLOW_MAX_EXT); fragments are refused
 * because only the first carries ports (RFC 791, RFC 8200 s.4.5): the
 * caller must reassemble first. Returns 0 and fills @k (dir 0), or a
 * positive enum mice_flow_err with @k zeroed.
 */
int mice_flow_key_parse(const u8 *pkt, u32 avail, u32 len,
			struct mice_flow_key *k);

/*
 * A 32-bit hash of @k for the module's RCU hash table, mixed
 * murmur3-style over the key's fields (never its padding). It is NOT a
 * cryptographic hash: @seed must be random per table (get_random_u32())
 * so outsiders cannot aim packets at one bucket.
 */
u32 mice_flow_key_hash(const struct mice_flow_key *k, u32 seed);

const char *mice_gate_err_name(unsigned int err);
#ifndef __KERNEL__
/* For tests and tools: the module reports no flow error by name. */
const char *mice_flow_err_name(unsigned int err);
#endif

#endif /* MICE_GATE_MATCH_H */
