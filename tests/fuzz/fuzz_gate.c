// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/gate_match.c and kmod/policer.c (seed 001
 * s.6.2 gates and envelopes).
 *
 * 1. The input as an IP packet: mice_flow_key_parse() never reads past the
 *    input nor past the head it is given (ASan; a head gives the full
 *    answer or SHORT_READ), zeroes the key on refusal, and on success the key is
 *    matched against a few fixed classifiers and one built from the input;
 *    every verdict is compared with a slow bit-by-bit reference matcher.
 *    The hash is computed (and must not depend on the padding octet).
 * 2. The input as a policer run: rate, burst, max packet from the first 12
 *    octets, then (time step, size) records. The octets passed must never
 *    exceed burst + rate * elapsed / 1e9 (checked in 128-bit arithmetic),
 *    and a verdict must be DROP_SIZE exactly when the size is above the
 *    burst or the max packet. Sizes with the top bit set (but not
 *    0xffff) are GSO aggregates: the size limits apply per segment.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gate_match.h"
#include "policer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int bit_at(const u8 *a, unsigned int i)
{
	return (a[i / 8] >> (7 - i % 8)) & 1;
}

static bool ref_prefix(const struct mice_prefix *p, u8 family, const u8 *addr)
{
	unsigned int i, bits = family == MICE_AF_INET ? 32 : 128;

	if (p->family == MICE_AF_ANY)
		return true;
	if (p->family != family)
		return false;
	for (i = 0; i < p->len && i < bits; i++)
		if (bit_at(p->addr, i) != bit_at(addr, i))
			return false;
	return true;
}

static bool ref_match(const struct mice_gate_classifier *c,
		      const struct mice_flow_key *k)
{
	return (c->proto == MICE_GATE_PROTO_ANY || c->proto == k->proto) &&
	       (c->dir == MICE_GATE_DIR_ANY || c->dir == k->dir) &&
	       k->sport >= c->sport.lo && k->sport <= c->sport.hi &&
	       k->dport >= c->dport.lo && k->dport <= c->dport.hi &&
	       ref_prefix(&c->src, k->family, k->src) &&
	       ref_prefix(&c->dst, k->family, k->dst);
}

/*
 * The module parses only the first MICE_FLOW_HEAD_MAX octets (and here a
 * length picked from the input too): from a heap copy of exactly those,
 * the answer is the full one or SHORT_READ, never an over-read.
 */
static void check_head(const uint8_t *data, size_t size, int rc_all,
		       const struct mice_flow_key *k_all)
{
	u32 avails[2], i, avail;
	struct mice_flow_key k;
	u8 *copy;
	int rc;

	avails[0] = size < MICE_FLOW_HEAD_MAX ? (u32)size : MICE_FLOW_HEAD_MAX;
	avails[1] = size ? (u32)(data[size - 1] % (size + 1)) : 0;
	for (i = 0; i < 2; i++) {
		avail = avails[i];
		copy = malloc(avail ? avail : 1);
		if (!copy)
			abort();
		memcpy(copy, data, avail);
		rc = mice_flow_key_parse(copy, avail, (u32)size, &k);
		free(copy);
		if (rc == MICE_FLOW_E_SHORT_READ)
			continue;
		if (rc != rc_all || memcmp(&k, k_all, sizeof(k)))
			abort();
	}
}

static void check_packet(const uint8_t *data, size_t size)
{
	struct mice_gate_classifier fixed[4], own;
	struct mice_flow_key k, k2;
	unsigned int i;
	int rc;

	rc = mice_flow_key_parse(data, (u32)size, (u32)size, &k);
	if (rc == MICE_FLOW_E_SHORT_READ)	/* everything was readable */
		abort();
	check_head(data, size, rc, &k);
	if (rc) {
		static const struct mice_flow_key zero;

		if (rc >= __MICE_FLOW_E_MAX || memcmp(&k, &zero, sizeof(k)))
			abort();
		return;
	}
	if ((k.family != MICE_AF_INET && k.family != MICE_AF_INET6) ||
	    (k.proto != MICE_GATE_PROTO_UDP && k.proto != MICE_GATE_PROTO_TCP))
		abort();
	k.dir = size & 1 ? MICE_GATE_DIR_UP : MICE_GATE_DIR_DOWN;

	memset(fixed, 0, sizeof(fixed));
	for (i = 0; i < 4; i++)
		fixed[i].sport.hi = fixed[i].dport.hi = 65535;
	/* [0] any; [1] UDP 10/8 -> any, dport 5000-6000, up */
	fixed[1].proto = MICE_GATE_PROTO_UDP;
	fixed[1].dir = MICE_GATE_DIR_UP;
	fixed[1].src.family = MICE_AF_INET;
	fixed[1].src.len = 8;
	fixed[1].src.addr[0] = 10;
	fixed[1].dport.lo = 5000;
	fixed[1].dport.hi = 6000;
	/* [2] IPv6 2001:db8::/127 destination, TCP */
	fixed[2].proto = MICE_GATE_PROTO_TCP;
	fixed[2].dst.family = MICE_AF_INET6;
	fixed[2].dst.len = 127;
	fixed[2].dst.addr[0] = 0x20;
	fixed[2].dst.addr[1] = 0x01;
	fixed[2].dst.addr[2] = 0x0d;
	fixed[2].dst.addr[3] = 0xb8;
	/* [3] the packet's own exact flow: must match. */
	fixed[3].proto = k.proto;
	fixed[3].dir = k.dir;
	fixed[3].src.family = fixed[3].dst.family = k.family;
	fixed[3].src.len = fixed[3].dst.len = k.family == MICE_AF_INET ? 32 : 128;
	memcpy(fixed[3].src.addr, k.src, 16);
	memcpy(fixed[3].dst.addr, k.dst, 16);
	fixed[3].sport.lo = fixed[3].sport.hi = k.sport;
	fixed[3].dport.lo = fixed[3].dport.hi = k.dport;
	if (mice_gate_classifier_check(&fixed[3]) != MICE_GATE_OK ||
	    !mice_gate_classifier_match(&fixed[3], &k) ||
	    !mice_gate_classifier_match(&fixed[0], &k))
		abort();
	for (i = 0; i < 4; i++)
		if (mice_gate_classifier_match(&fixed[i], &k) != ref_match(&fixed[i], &k))
			abort();
	/* A classifier made of the input's own octets (may be invalid). */
	if (size >= sizeof(own)) {
		memcpy(&own, data + size - sizeof(own), sizeof(own));
		if (mice_gate_classifier_match(&own, &k) != ref_match(&own, &k))
			abort();
		(void)mice_gate_err_name(mice_gate_classifier_check(&own));
	}
	k2 = k;
	k2.pad = 0x5a;
	if (mice_flow_key_hash(&k, 0x1234) != mice_flow_key_hash(&k2, 0x1234))
		abort();
}

static u32 get32(const uint8_t *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static void check_policer(const uint8_t *data, size_t size)
{
	typedef unsigned __int128 u128;
	struct mice_policer p;
	u32 rate, burst, maxp;
	u64 t0, now, passed = 0;
	size_t off;

	if (size < 13)
		return;
	rate = get32(data);
	burst = get32(data + 4);
	maxp = get32(data + 8);
	/* Scale steps by a power of two so both ns and days get exercised. */
	t0 = now = (u64)data[12] << 40;
	mice_policer_init(&p, rate, burst, maxp, t0);
	for (off = 13; off + 6 <= size; off += 6) {
		u32 step = get32(data + off);
		u32 bytes = (u32)data[off + 4] << 8 | data[off + 5];
		enum mice_police_verdict v;
		u64 total;

		/* Top 6 bits of the step: shift, so steps reach ~2^89 ns. */
		u64 dt = (step >> 26) >= 38 ? UINT64_MAX :
			 (u64)(step & 0x3ffffff) << (step >> 26);

		if (dt > UINT64_MAX - now)
			break;	/* the end of time */
		now += dt;
		if (bytes == 0xffff) {
			bytes = get32(data + off);	/* occasionally huge */
			total = bytes;
			v = mice_policer_admit(&p, now, bytes);
		} else if (bytes & 0x8000) {
			/* a GSO aggregate: 1..32 segments of up to 1023 */
			u32 segs = ((bytes >> 10) & 0x1f) + 1;

			bytes &= 0x3ff;
			total = (u64)segs * bytes;
			v = mice_policer_admit_gso(&p, now, bytes, total);
		} else {
			total = bytes;
			v = mice_policer_admit(&p, now, bytes);
		}
		if ((v == MICE_POLICE_DROP_SIZE) !=
		    (bytes > burst || (maxp && bytes > maxp)))
			abort();
		if (v == MICE_POLICE_PASS)
			passed += total;
		if ((u128)passed * 1000000000u >
		    (u128)burst * 1000000000u + (u128)rate * (now - t0))
			abort();
		if (p.tokens > (u64)burst * 1000000000u)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_packet(data, size);
	check_policer(data, size);
	return 0;
}
