// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <sys/socket.h>

#include "relay.h"
#include "stun.h"

static void to_stun(const struct ice_addr *a, struct stun_addr *s)
{
	s->family = a->family;
	memcpy(s->ip, a->ip, sizeof(s->ip));
	s->port = a->port;
}

size_t relay_frame_build(uint16_t method, const struct ice_addr *peer,
			 const uint8_t *payload, size_t len, bool bind,
			 uint8_t *out, size_t cap)
{
	struct stun_builder b;
	struct stun_addr sa;

	if (!peer || !out || (method != RELAY_METHOD_SEND &&
			      method != RELAY_METHOD_DATA) ||
	    (peer->family != AF_INET && peer->family != AF_INET6) ||
	    len > RELAY_PAYLOAD_MAX || (len && !payload) || (!len && !bind))
		return 0;
	to_stun(peer, &sa);
	stun_build_init(&b, out, cap, method, STUN_INDICATION, NULL);
	stun_build_xor_addr(&b, RELAY_ATTR_XOR_PEER, &sa);
	if (len)
		stun_build_attr(&b, RELAY_ATTR_DATA, payload, len);
	if (bind)
		stun_build_attr(&b, RELAY_ATTR_BIND, NULL, 0);
	stun_build_fingerprint(&b);
	return stun_build_len(&b);
}

size_t relay_send_build(const struct ice_addr *peer, const uint8_t *payload,
			size_t len, bool bind, uint64_t seq, const uint8_t *key,
			size_t keylen, uint8_t *out, size_t cap)
{
	struct stun_builder b;
	struct stun_addr sa;

	if (!peer || !out || !key || !keylen ||
	    (peer->family != AF_INET && peer->family != AF_INET6) ||
	    len > RELAY_PAYLOAD_MAX || (len && !payload) || (!len && !bind))
		return 0;
	to_stun(peer, &sa);
	stun_build_init(&b, out, cap, RELAY_METHOD_SEND, STUN_INDICATION, NULL);
	stun_build_xor_addr(&b, RELAY_ATTR_XOR_PEER, &sa);
	if (len)
		stun_build_attr(&b, RELAY_ATTR_DATA, payload, len);
	if (bind)
		stun_build_attr(&b, RELAY_ATTR_BIND, NULL, 0);
	stun_build_u64(&b, RELAY_ATTR_SEQ, seq);
	stun_build_integrity_sha256(&b, key, keylen);
	stun_build_fingerprint(&b);
	return stun_build_len(&b);
}

int relay_send_verify(const uint8_t *buf, size_t len,
		      const struct relay_frame *f, const uint8_t *key,
		      size_t keylen, const char **why)
{
	static const uint16_t known[] = { RELAY_ATTR_XOR_PEER, RELAY_ATTR_DATA };
	const struct stun_decode_opts opts = {
		.known_types = known, .n_known_types = 2,
	};
	const struct stun_attr_ref *mi;
	struct stun_msg m;

	if (f->method != RELAY_METHOD_SEND) {
		*why = "not a Send indication";
		return -1;
	}
	if (!f->has_seq) {
		*why = "unsigned: no MICE-RELAY-SEQ";
		return -1;
	}
	if (!key || !keylen) {
		*why = "no MN-HA key to verify it with";
		return -1;
	}
	if (stun_decode(buf, len, &m, &opts) != STUN_OK) {
		*why = "not a well-formed STUN message";
		return -1;
	}
	mi = stun_msg_get(&m, STUN_ATTR_MESSAGE_INTEGRITY_SHA256);
	/* the full 32 octets: a truncated tag (s.14.6 allows 16) is weaker */
	if (!mi || mi->len != STUN_MI256_LEN ||
	    stun_msg_has(&m, STUN_K_MESSAGE_INTEGRITY)) {
		*why = "unsigned: no full MESSAGE-INTEGRITY-SHA256";
		return -1;
	}
	if (stun_check_integrity(buf, len, &m, key, keylen) != STUN_INTEGRITY_OK) {
		*why = "MESSAGE-INTEGRITY-SHA256 does not verify (wrong key or tampered)";
		return -1;
	}
	return 0;
}

/* Is @a in @net/@bits (IPv4, host order)? */
static bool v4_in(uint32_t a, uint32_t net, unsigned int bits)
{
	return (a ^ net) >> (32 - bits) == 0;
}

const char *relay_dest_refused(const struct ice_addr *to)
{
	static const uint8_t loop6[16] = { [15] = 1 };
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };

	if ((to->family != AF_INET && to->family != AF_INET6) ||
	    ice_addr_is_unspecified(to) || !to->port)
		return "toward an unspecified address";
	if (to->family == AF_INET) {
		uint32_t a = (uint32_t)to->ip[0] << 24 | (uint32_t)to->ip[1] << 16 |
			     (uint32_t)to->ip[2] << 8 | to->ip[3];

		if (v4_in(a, 0x00000000, 8) || v4_in(a, 0x7f000000, 8))
			return "toward a loopback or 0/8 address";
		if (v4_in(a, 0xa9fe0000, 16))
			return "toward a link-local address";
		if (v4_in(a, 0xe0000000, 4))
			return "toward a multicast address";
		if (v4_in(a, 0xf0000000, 4))
			return "toward a reserved or broadcast address";
		return NULL;
	}
	if (!memcmp(to->ip, loop6, 16))
		return "toward a loopback address";
	if (ice_addr_is_v6_linklocal(to))
		return "toward a link-local address";
	if (to->ip[0] == 0xff)
		return "toward a multicast address";
	if (!memcmp(to->ip, v4mapped, 12))
		return "toward an IPv4-mapped address";
	return NULL;
}

bool relay_frame_is(const uint8_t *buf, size_t len)
{
	uint16_t type;

	if (!stun_looks_like(buf, len))
		return false;
	type = (uint16_t)(buf[0] << 8 | buf[1]);
	return stun_type_class(type) == STUN_INDICATION &&
	       (stun_type_method(type) == RELAY_METHOD_SEND ||
		stun_type_method(type) == RELAY_METHOD_DATA);
}

int relay_frame_parse(const uint8_t *buf, size_t len, struct relay_frame *f,
		      const char **why)
{
	static const uint16_t known[] = { RELAY_ATTR_XOR_PEER, RELAY_ATTR_DATA };
	const struct stun_decode_opts opts = {
		.known_types = known, .n_known_types = 2,
	};
	const struct stun_attr_ref *peer, *data, *seq;
	struct stun_addr sa;
	struct stun_msg m;

	memset(f, 0, sizeof(*f));
	if (stun_decode(buf, len, &m, &opts) != STUN_OK) {
		*why = "not a well-formed STUN message";
		return -1;
	}
	if (m.cls != STUN_INDICATION || (m.method != RELAY_METHOD_SEND &&
					 m.method != RELAY_METHOD_DATA)) {
		*why = "not a Send or Data indication";
		return -1;
	}
	if (m.n_unknown) {
		*why = "unknown comprehension-required attribute";
		return -1;
	}
	peer = stun_msg_get(&m, RELAY_ATTR_XOR_PEER);
	if (!peer || stun_attr_xor_addr(&m, peer, &sa) != STUN_OK) {
		*why = "missing or malformed XOR-PEER-ADDRESS";
		return -1;
	}
	if (!sa.port) {
		*why = "XOR-PEER-ADDRESS with port 0";
		return -1;
	}
	f->method = m.method;
	f->peer.family = sa.family;
	memcpy(f->peer.ip, sa.ip, sizeof(f->peer.ip));
	f->peer.port = sa.port;
	f->bind = stun_msg_get(&m, RELAY_ATTR_BIND) != NULL;
	f->has_integrity = stun_msg_get(&m, STUN_ATTR_MESSAGE_INTEGRITY_SHA256) != NULL;
	seq = stun_msg_get(&m, RELAY_ATTR_SEQ);
	if (seq) {
		int i;

		if (seq->len != 8) {
			*why = "MICE-RELAY-SEQ not 8 octets";
			return -1;
		}
		for (i = 0; i < 8; i++)
			f->seq = f->seq << 8 | buf[seq->off + i];
		f->has_seq = true;
	}
	data = stun_msg_get(&m, RELAY_ATTR_DATA);
	if (data) {
		if (data->len > RELAY_PAYLOAD_MAX) {
			*why = "DATA larger than a relayed check may be";
			return -1;
		}
		f->payload = buf + data->off;
		f->payload_len = data->len;
	}
	if (!f->payload_len && !(f->bind && f->method == RELAY_METHOD_SEND)) {
		*why = "neither DATA nor a bind";
		return -1;
	}
	return 0;
}
