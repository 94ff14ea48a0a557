// SPDX-License-Identifier: GPL-2.0
/*
 * Media admission gate matching (seed 001 s.6.2, PacketCable gate
 * classifiers): classifier checks, 5-tuple extraction from an IP packet and
 * the flow-key hash for the module's table.
 *
 * Freestanding: this file includes only gate_match.h and is compiled
 * unchanged by the kernel module, the unit tests, the fuzzers and the agent.
 */
#include "gate_match.h"

#define MICE_IPV4_HDR_MIN	20	/* RFC 791: IHL >= 5 words */
#define MICE_IPV6_HDR_LEN	40	/* RFC 8200 s.3 */
#define MICE_UDP_HDR_LEN	8	/* RFC 768 */
#define MICE_TCP_HDR_MIN	20	/* RFC 9293 s.3.1: Data Offset >= 5 */

/* IPv6 next-header values (IANA "Assigned Internet Protocol Numbers"). */
#define MICE_NH_HOPOPTS		0	/* RFC 8200 s.4.3 */
#define MICE_NH_ROUTING		43	/* RFC 8200 s.4.4 */
#define MICE_NH_FRAGMENT	44	/* RFC 8200 s.4.5 */
#define MICE_NH_AH		51	/* RFC 4302 s.2.2: length in 4-octet units - 2 */
#define MICE_NH_DSTOPTS		60	/* RFC 8200 s.4.6 */

static u32 mice_addr_octets(u8 family)
{
	return family == MICE_AF_INET ? 4 : 16;
}

static u32 mice_family_bits(u8 family)
{
	return family == MICE_AF_INET ? 32 : 128;
}

static bool mice_prefix_ok(const struct mice_prefix *p, enum mice_gate_err *err)
{
	u32 i, full, rem;

	if (p->family == MICE_AF_ANY) {
		if (p->len) {
			*err = MICE_GATE_E_PREFIX_LEN;
			return false;
		}
		for (i = 0; i < 16; i++) {
			if (p->addr[i]) {
				*err = MICE_GATE_E_HOST_BITS;
				return false;
			}
		}
		return true;
	}
	if (p->family != MICE_AF_INET && p->family != MICE_AF_INET6) {
		*err = MICE_GATE_E_FAMILY;
		return false;
	}
	if (p->len > mice_family_bits(p->family)) {
		*err = MICE_GATE_E_PREFIX_LEN;
		return false;
	}
	/*
	 * Host bits must be zero so that one authorized prefix has exactly one
	 * canonical encoding (kmod/token.c digests it); the 12 unused octets
	 * of an IPv4 address count as host bits.
	 */
	full = p->len / 8;
	rem = p->len % 8;
	if (rem && (p->addr[full] & (u8)(0xffu >> rem))) {
		*err = MICE_GATE_E_HOST_BITS;
		return false;
	}
	for (i = full + (rem ? 1 : 0); i < 16; i++) {
		if (p->addr[i]) {
			*err = MICE_GATE_E_HOST_BITS;
			return false;
		}
	}
	return true;
}

enum mice_gate_err mice_gate_classifier_check(const struct mice_gate_classifier *c)
{
	enum mice_gate_err err = MICE_GATE_OK;

	if (c->proto != MICE_GATE_PROTO_ANY && c->proto != MICE_GATE_PROTO_UDP &&
	    c->proto != MICE_GATE_PROTO_TCP)
		return MICE_GATE_E_PROTO;
	if (c->dir > MICE_GATE_DIR_DOWN)
		return MICE_GATE_E_DIR;
	if (!mice_prefix_ok(&c->src, &err) || !mice_prefix_ok(&c->dst, &err))
		return err;
	if (c->src.family != MICE_AF_ANY && c->dst.family != MICE_AF_ANY &&
	    c->src.family != c->dst.family)
		return MICE_GATE_E_FAMILY_MIX;
	if (c->sport.lo > c->sport.hi || c->dport.lo > c->dport.hi)
		return MICE_GATE_E_PORT_RANGE;
	return MICE_GATE_OK;
}

/* The first @p->len bits of @addr equal those of @p, and the family fits. */
static bool mice_prefix_match(const struct mice_prefix *p, u8 family,
			      const u8 *addr)
{
	u32 full, rem, i, bits;
	u8 mask;

	if (p->family == MICE_AF_ANY)
		return true;
	if (p->family != family)
		return false;
	/* Clamp so an unchecked classifier cannot make us read past 16. */
	bits = mice_family_bits(family);
	full = (p->len < bits ? p->len : bits) / 8;
	rem = (p->len < bits ? p->len : bits) % 8;
	for (i = 0; i < full; i++) {
		if (p->addr[i] != addr[i])
			return false;
	}
	if (!rem)
		return true;
	mask = (u8)(0xff00u >> rem);
	return ((p->addr[full] ^ addr[full]) & mask) == 0;
}

static bool mice_port_in(const struct mice_port_range *r, u16 port)
{
	return port >= r->lo && port <= r->hi;
}

bool mice_gate_classifier_match(const struct mice_gate_classifier *c,
				const struct mice_flow_key *k)
{
	/* Cheapest tests first: protocol, direction, ports, then prefixes. */
	if (c->proto != MICE_GATE_PROTO_ANY && c->proto != k->proto)
		return false;
	if (c->dir != MICE_GATE_DIR_ANY && c->dir != k->dir)
		return false;
	if (!mice_port_in(&c->dport, k->dport) ||
	    !mice_port_in(&c->sport, k->sport))
		return false;
	return mice_prefix_match(&c->dst, k->family, k->dst) &&
	       mice_prefix_match(&c->src, k->family, k->src);
}

static void mice_flow_key_zero(struct mice_flow_key *k)
{
	u32 i;

	k->family = 0;
	k->proto = 0;
	k->dir = 0;
	k->pad = 0;
	k->sport = 0;
	k->dport = 0;
	for (i = 0; i < 16; i++) {
		k->src[i] = 0;
		k->dst[i] = 0;
	}
}

/* The readable octets at @off of a buffer with @avail readable: 0 past it. */
static u32 mice_flow_avail_at(u32 avail, u32 off)
{
	return off < avail ? avail - off : 0;
}

/*
 * Ports from the transport header at @off of @pkt: @left octets of the
 * packet from there on, the first @avail octets of @pkt readable. The
 * lengths are checked against the packet first, so a truncated packet is
 * L4_HEADER however much of it the caller read.
 */
static int mice_flow_l4(const u8 *pkt, u32 off, u32 left, u32 avail,
			u8 proto, struct mice_flow_key *k)
{
	const u8 *l4;

	avail = mice_flow_avail_at(avail, off);
	if (proto == MICE_GATE_PROTO_UDP) {
		if (left < MICE_UDP_HDR_LEN)
			return MICE_FLOW_E_L4_HEADER;
		if (avail < MICE_UDP_HDR_LEN)
			return MICE_FLOW_E_SHORT_READ;
	} else if (proto == MICE_GATE_PROTO_TCP) {
		if (left < MICE_TCP_HDR_MIN)
			return MICE_FLOW_E_L4_HEADER;
		if (avail < MICE_TCP_HDR_MIN)
			return MICE_FLOW_E_SHORT_READ;
		/* Data Offset (RFC 9293 s.3.1) in 4-octet words, >= 5. */
		l4 = pkt + off;
		if ((l4[12] >> 4) < 5 || (u32)(l4[12] >> 4) * 4 > left)
			return MICE_FLOW_E_L4_HEADER;
	} else {
		return MICE_FLOW_E_PROTO;
	}
	l4 = pkt + off;
	k->proto = proto;
	k->sport = mice_get_be16(l4);
	k->dport = mice_get_be16(l4 + 2);
	return MICE_FLOW_OK;
}

static int mice_flow_ipv4(const u8 *pkt, u32 avail, u32 len,
			  struct mice_flow_key *k)
{
	u32 ihl, tot, i;
	u16 frag;

	if (len < MICE_IPV4_HDR_MIN)
		return MICE_FLOW_E_IPV4_HEADER;
	if (avail < MICE_IPV4_HDR_MIN)
		return MICE_FLOW_E_SHORT_READ;
	ihl = (u32)(pkt[0] & 0x0f) * 4;
	if (ihl < MICE_IPV4_HDR_MIN || ihl > len)
		return MICE_FLOW_E_IPV4_HEADER;
	/* Total Length bounds the datagram; trailing link padding is ignored. */
	tot = mice_get_be16(pkt + 2);
	if (tot < ihl || tot > len)
		return MICE_FLOW_E_IPV4_LENGTH;
	/* RFC 791 s.3.1: MF flag 0x2000, Fragment Offset 0x1fff. */
	frag = mice_get_be16(pkt + 6);
	if (frag & 0x3fff)
		return MICE_FLOW_E_FRAGMENT;
	k->family = MICE_AF_INET;
	for (i = 0; i < 4; i++) {
		k->src[i] = pkt[12 + i];
		k->dst[i] = pkt[16 + i];
	}
	return mice_flow_l4(pkt, ihl, tot - ihl, avail, pkt[9], k);
}

static int mice_flow_ipv6(const u8 *pkt, u32 avail, u32 len,
			  struct mice_flow_key *k)
{
	u32 end, off, hlen, i, n;
	u8 nh;

	if (len < MICE_IPV6_HDR_LEN)
		return MICE_FLOW_E_IPV6_HEADER;
	if (avail < MICE_IPV6_HDR_LEN)
		return MICE_FLOW_E_SHORT_READ;
	hlen = mice_get_be16(pkt + 4);
	if (!hlen)
		return MICE_FLOW_E_IPV6_JUMBO;
	if (hlen > len - MICE_IPV6_HDR_LEN)
		return MICE_FLOW_E_IPV6_LENGTH;
	end = MICE_IPV6_HDR_LEN + hlen;
	nh = pkt[6];
	off = MICE_IPV6_HDR_LEN;
	/* RFC 8200 s.4.1: walk the chain; each header gives the next type. */
	for (n = 0;; n++) {
		if (nh != MICE_NH_HOPOPTS && nh != MICE_NH_ROUTING &&
		    nh != MICE_NH_DSTOPTS && nh != MICE_NH_AH &&
		    nh != MICE_NH_FRAGMENT)
			break;
		if (nh == MICE_NH_FRAGMENT)
			return MICE_FLOW_E_FRAGMENT;
		if (n >= MICE_FLOW_MAX_EXT)
			return MICE_FLOW_E_EXT_CHAIN;
		if (end - off < 8)
			return MICE_FLOW_E_EXT_HEADER;
		/* Next Header and Hdr Ext Len: the first two octets. */
		if (mice_flow_avail_at(avail, off) < 2)
			return MICE_FLOW_E_SHORT_READ;
		if (nh == MICE_NH_AH)
			hlen = ((u32)pkt[off + 1] + 2) * 4;
		else
			hlen = ((u32)pkt[off + 1] + 1) * 8;
		if (hlen > end - off)
			return MICE_FLOW_E_EXT_HEADER;
		nh = pkt[off];
		off += hlen;
	}
	k->family = MICE_AF_INET6;
	for (i = 0; i < 16; i++) {
		k->src[i] = pkt[8 + i];
		k->dst[i] = pkt[24 + i];
	}
	return mice_flow_l4(pkt, off, end - off, avail, nh, k);
}

int mice_flow_key_parse(const u8 *pkt, u32 avail, u32 len,
			struct mice_flow_key *k)
{
	int err;

	mice_flow_key_zero(k);
	if (avail > len)
		avail = len;
	if (!len)
		return MICE_FLOW_E_EMPTY;
	if (!avail)
		return MICE_FLOW_E_SHORT_READ;
	switch (pkt[0] >> 4) {
	case 4:
		err = mice_flow_ipv4(pkt, avail, len, k);
		break;
	case 6:
		err = mice_flow_ipv6(pkt, avail, len, k);
		break;
	default:
		err = MICE_FLOW_E_VERSION;
		break;
	}
	if (err)
		mice_flow_key_zero(k);
	return err;
}

static inline u32 mice_rotl32(u32 x, unsigned int r)
{
	return (x << r) | (x >> (32 - r));
}

/* One murmur3-style round: scramble @w and fold it into @h. */
static inline u32 mice_hash_round(u32 h, u32 w)
{
	w *= 0xcc9e2d51u;
	w = mice_rotl32(w, 15);
	w *= 0x1b873593u;
	h ^= w;
	h = mice_rotl32(h, 13);
	return h * 5 + 0xe6546b64u;
}

u32 mice_flow_key_hash(const struct mice_flow_key *k, u32 seed)
{
	u32 h = seed, i, words;

	h = mice_hash_round(h, (u32)k->family << 24 | (u32)k->proto << 16 |
				   (u32)k->dir << 8);
	h = mice_hash_round(h, (u32)k->sport << 16 | k->dport);
	words = mice_addr_octets(k->family) / 4;
	for (i = 0; i < words; i++) {
		h = mice_hash_round(h, mice_get_be32(k->src + 4 * i));
		h = mice_hash_round(h, mice_get_be32(k->dst + 4 * i));
	}
	/* Final avalanche so every input bit reaches every output bit. */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

const char *mice_gate_err_name(unsigned int err)
{
	static const char *const names[__MICE_GATE_E_MAX] = {
		[MICE_GATE_OK] = "ok",
		[MICE_GATE_E_PROTO] = "protocol not any, udp or tcp",
		[MICE_GATE_E_DIR] = "direction not any, up or down",
		[MICE_GATE_E_FAMILY] = "address family not 4 or 6",
		[MICE_GATE_E_FAMILY_MIX] = "source and destination families differ",
		[MICE_GATE_E_PREFIX_LEN] = "prefix length too long for the family",
		[MICE_GATE_E_HOST_BITS] = "address has bits set beyond the prefix length",
		[MICE_GATE_E_PORT_RANGE] = "port range low end above high end",
	};

	return err < __MICE_GATE_E_MAX ? names[err] : "unknown";
}

#ifndef __KERNEL__
const char *mice_flow_err_name(unsigned int err)
{
	static const char *const names[__MICE_FLOW_E_MAX] = {
		[MICE_FLOW_OK] = "ok",
		[MICE_FLOW_E_EMPTY] = "empty",
		[MICE_FLOW_E_VERSION] = "ip_version",
		[MICE_FLOW_E_IPV4_HEADER] = "ipv4_header",
		[MICE_FLOW_E_IPV4_LENGTH] = "ipv4_length",
		[MICE_FLOW_E_IPV6_HEADER] = "ipv6_header",
		[MICE_FLOW_E_IPV6_LENGTH] = "ipv6_length",
		[MICE_FLOW_E_IPV6_JUMBO] = "ipv6_jumbo",
		[MICE_FLOW_E_EXT_HEADER] = "ipv6_ext_header",
		[MICE_FLOW_E_EXT_CHAIN] = "ipv6_ext_chain",
		[MICE_FLOW_E_FRAGMENT] = "fragment",
		[MICE_FLOW_E_PROTO] = "not_udp_tcp",
		[MICE_FLOW_E_L4_HEADER] = "l4_header",
		[MICE_FLOW_E_SHORT_READ] = "short_read",
	};

	return err < __MICE_FLOW_E_MAX ? names[err] : "unknown";
}
#endif /* !__KERNEL__ */
