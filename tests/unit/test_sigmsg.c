// SPDX-License-Identifier: GPL-2.0
/*
 * M-ICE signalling messages (agent/sigmsg.c, docs/signalling.md): offers
 * and answers in BU/BA with MN-ID, timestamp and an end-to-end
 * authenticator (RFC 4283, RFC 4285 options; seed 004 s.3, s.14).
 */
#include <check.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "sigmsg.h"

static const uint8_t key[] = "0123456789abcdef0123456789abcdef";
static const uint8_t other[] = "fedcba9876543210fedcba9876543210";
#define NOW 1800000000ULL

static void offer(struct sig_msg *m, enum sig_kind k)
{
	memset(m, 0, sizeof(*m));
	m->kind = k;
	m->seq = 7;
	strcpy(m->from, "L");
	strcpy(m->to, "R");
	m->timestamp = NOW;
	m->has_ice = true;
	strcpy(m->ice.ufrag, "ufrag1");
	strcpy(m->ice.pwd, "abcdefghijklmnopqrstuvwx");
	m->ice.n_cand = 1;
	m->ice.cand[0].type = ICE_CAND_HOST;
	m->ice.cand[0].component = 1;
	m->ice.cand[0].transport = 17;
	m->ice.cand[0].priority = 2130706431;
	ice_addr_set(&m->ice.cand[0].addr, AF_INET, "\x0a\x00\x00\x01", 4191);
	/* an opaque MIKEY message rides along (seed 004 s.1.5) */
	m->mikey_len = 120;
	memset(m->mikey, 0x5a, m->mikey_len);
	m->mikey[0] = 1;
}

START_TEST(offer_round_trip_and_verify)
{
	static struct sig_msg m, d;
	uint8_t buf[MH_MAX_LEN];
	const char *why = NULL;
	size_t len;

	offer(&m, _i ? SIG_ANSWER : SIG_OFFER);
	ck_assert_int_eq(sig_encode(&m, key, 32, buf, sizeof(buf), &len, &why), 0);
	/* the classifier's MIP rule: proto 59, (Header Len + 1) * 8 == len */
	ck_assert_uint_eq(buf[0], 59);
	ck_assert_uint_eq((buf[1] + 1u) * 8u, len);
	ck_assert_uint_eq(buf[2], _i ? MH_TYPE_BA : MH_TYPE_BU);
	ck_assert_int_eq(sig_decode(buf, len, 30, &d, &why), 0);
	ck_assert_int_eq(d.kind, m.kind);
	ck_assert_str_eq(d.from, "L");
	ck_assert_str_eq(d.to, "R");
	ck_assert_uint_eq(d.timestamp, NOW);
	ck_assert(d.has_ice);
	ck_assert_str_eq(d.ice.ufrag, "ufrag1");
	ck_assert_uint_eq(d.ice.n_cand, 1);
	ck_assert_uint_eq(d.mikey_len, 120);
	ck_assert_mem_eq(d.mikey, m.mikey, 120);
	ck_assert_int_eq(sig_verify(buf, len, 30, key, 32, NOW, &why), 0);
}
END_TEST

START_TEST(tampered_or_wrong_key_refused)
{
	static struct sig_msg m;
	uint8_t buf[MH_MAX_LEN], copy[MH_MAX_LEN];
	const char *why = NULL;
	size_t len, i;
	unsigned int refused = 0, tried = 0;

	offer(&m, SIG_OFFER);
	ck_assert_int_eq(sig_encode(&m, key, 32, buf, sizeof(buf), &len, &why), 0);
	why = NULL;
	ck_assert_int_eq(sig_verify(buf, len, 30, other, 32, NOW, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "authenticator does not match"));
	/* every single-bit flip is refused, by the decoder or the MAC */
	for (i = 0; i < len * 8; i++) {
		memcpy(copy, buf, len);
		copy[i / 8] ^= (uint8_t)(1u << (i % 8));
		tried++;
		why = NULL;
		if (sig_verify(copy, len, 30, key, 32, NOW, &why)) {
			ck_assert_ptr_nonnull(why);
			refused++;
		}
	}
	ck_assert_uint_eq(refused, tried);
}
END_TEST

START_TEST(timestamp_window)
{
	static struct sig_msg m;
	uint8_t buf[MH_MAX_LEN];
	const char *why = NULL;
	size_t len;

	offer(&m, SIG_OFFER);
	ck_assert_int_eq(sig_encode(&m, key, 32, buf, sizeof(buf), &len, &why), 0);
	ck_assert_int_eq(sig_verify(buf, len, 30, key, 32, NOW + SIG_MAX_SKEW_S, &why), 0);
	ck_assert_int_eq(sig_verify(buf, len, 30, key, 32, NOW - SIG_MAX_SKEW_S, &why), 0);
	why = NULL;
	ck_assert_int_eq(sig_verify(buf, len, 30, key, 32, NOW + SIG_MAX_SKEW_S + 1, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "timestamp"));
	ck_assert_int_eq(sig_verify(buf, len, 30, key, 32, NOW - SIG_MAX_SKEW_S - 1, &why), -1);
}
END_TEST

START_TEST(register_and_rejections)
{
	static struct sig_msg m, d;
	uint8_t buf[MH_MAX_LEN];
	const char *why = NULL;
	size_t len;

	memset(&m, 0, sizeof(m));
	m.kind = SIG_REGISTER;
	strcpy(m.from, "mobile-1");
	ck_assert_int_eq(sig_encode(&m, NULL, 0, buf, sizeof(buf), &len, &why), 0);
	ck_assert_int_eq(sig_decode(buf, len, 30, &d, &why), 0);
	ck_assert_int_eq(d.kind, SIG_REGISTER);
	ck_assert_str_eq(d.from, "mobile-1");

	/* offers need a key and a valid target name */
	offer(&m, SIG_OFFER);
	why = NULL;
	ck_assert_int_eq(sig_encode(&m, NULL, 0, buf, sizeof(buf), &len, &why), -1);
	ck_assert_ptr_nonnull(why);
	m.to[0] = '\0';
	ck_assert_int_eq(sig_encode(&m, key, 32, buf, sizeof(buf), &len, &why), -1);
	/* a registration without a name does not decode */
	memset(&m, 0, sizeof(m));
	m.kind = SIG_REGISTERED;
	ck_assert_int_eq(sig_encode(&m, NULL, 0, buf, sizeof(buf), &len, &why), 0);
	ck_assert_int_eq(sig_decode(buf, len, 30, &d, &why), 0);
	ck_assert_int_eq(d.kind, SIG_REGISTERED);
	/* truncations never decode */
	offer(&m, SIG_OFFER);
	ck_assert_int_eq(sig_encode(&m, key, 32, buf, sizeof(buf), &len, &why), 0);
	for (size_t n = 0; n < len; n++)
		ck_assert_int_eq(sig_decode(buf, n, 30, &d, &why), -1);
}
END_TEST

/* The registered BA carries the relayed address (SIG_OPT_RELAY). */
START_TEST(registered_carries_relay)
{
	static struct sig_msg m, d;
	uint8_t buf[MH_MAX_LEN];
	const char *why = NULL;
	size_t len, i;

	memset(&m, 0, sizeof(m));
	m.kind = SIG_REGISTERED;
	m.seq = 9;
	ice_addr_set(&m.relay, _i ? AF_INET6 : AF_INET,
		     "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 40001);
	ck_assert_int_eq(sig_encode(&m, NULL, 0, buf, sizeof(buf), &len, &why), 0);
	ck_assert_int_eq(sig_decode(buf, len, 30, &d, &why), 0);
	ck_assert_int_eq(d.kind, SIG_REGISTERED);
	ck_assert_uint_eq(d.seq, 9);
	ck_assert(ice_addr_eq(&d.relay, &m.relay));
	/* a malformed option is refused by name: family 5, wrong lengths */
	for (i = 0; i < 3; i++) {
		static const uint8_t bad[3][20] = {
			{ 5, 0, 0x9c, 0x41, 10, 0, 0, 1 },
			{ 4, 0, 0x9c, 0x41, 10, 0, 0, 1, 0 },
			{ 4, 0, 0, 0, 10, 0, 0, 1 },	/* port 0 */
		};
		static const uint8_t blen[3] = { 8, 9, 8 };
		static struct mh_msg mh;

		mh_ba_init(&mh, 0, false, 1, 1);
		ck_assert_int_eq(mh_add_tlv(&mh, SIG_OPT_RELAY, bad[i], blen[i]), 0);
		ck_assert_int_eq(mh_encode(&mh, buf, sizeof(buf), &len, NULL), MH_OK);
		why = NULL;
		ck_assert_int_eq(sig_decode(buf, len, 30, &d, &why), -1);
		ck_assert_str_eq(why, "malformed relayed-address option");
	}
	/* port 0 is no address */
	m.relay.port = 0;
	ck_assert_int_eq(sig_encode(&m, NULL, 0, buf, sizeof(buf), &len, &why), -1);
	ck_assert_str_eq(why, "bad relayed address");
}
END_TEST

/*
 * Registrations and their acknowledgements under the MN-HA key (RFC 4285
 * s.5): verified with the key, refused with another, without one, when
 * tampered or out of the timestamp window; the relayed address and the
 * sequence number stay covered.
 */
START_TEST(registration_authenticated)
{
	static struct sig_msg m, d;
	uint8_t buf[MH_MAX_LEN], plain[MH_MAX_LEN];
	const char *why = NULL;
	size_t len, plen, i;

	memset(&m, 0, sizeof(m));
	m.kind = _i ? SIG_REGISTERED : SIG_REGISTER;
	m.seq = 77;
	m.timestamp = NOW;
	if (_i)
		ice_addr_set(&m.relay, AF_INET, "\xc6\x33\x64\x01", 40001);
	else
		strcpy(m.from, "mobile-1");
	ck_assert_int_eq(sig_encode(&m, key, 32, buf, sizeof(buf), &len, &why), 0);
	ck_assert_int_eq(sig_decode(buf, len, 30, &d, &why), 0);
	ck_assert_int_eq(d.kind, m.kind);
	ck_assert_uint_eq(d.seq, 77);
	ck_assert_uint_eq(d.timestamp, NOW);
	ck_assert_int_eq(sig_verify(buf, len, 30, key, 32, NOW, &why), 0);
	why = NULL;
	ck_assert_int_eq(sig_verify(buf, len, 30, other, 32, NOW, &why), -1);
	ck_assert_str_eq(why, "authenticator does not match (wrong key or tampered)");
	ck_assert_int_eq(sig_verify(buf, len, 30, key, 32, NOW + SIG_MAX_SKEW_S + 1, &why), -1);
	ck_assert_str_eq(why, "timestamp outside the window (replay or clock skew)");
	/* every octet is covered: flip each in turn */
	for (i = 0; i < len; i++) {
		buf[i] ^= 0x01;
		ck_assert_msg(sig_verify(buf, len, 30, key, 32, NOW, &why) == -1,
			      "octet %zu not covered", i);
		buf[i] ^= 0x01;
	}
	/* without a key: no authenticator, refused by name */
	ck_assert_int_eq(sig_encode(&m, NULL, 0, plain, sizeof(plain), &plen, &why), 0);
	ck_assert_uint_lt(plen, len);
	ck_assert_int_eq(sig_verify(plain, plen, 30, key, 32, NOW, &why), -1);
	ck_assert_str_eq(why, "no authenticator");
}
END_TEST

/* RFC 4285 s.6 timestamps, RFC 6275 s.9.5.1 sequence numbers mod 2^16 */
START_TEST(registration_replay_order)
{
	ck_assert(sig_newer(NOW + 1, 1, NOW, 500));	/* later second wins */
	ck_assert(!sig_newer(NOW - 1, 501, NOW, 500));	/* earlier: replay */
	ck_assert(!sig_newer(NOW, 500, NOW, 500));	/* the same message */
	ck_assert(sig_newer(NOW, 501, NOW, 500));
	ck_assert(!sig_newer(NOW, 499, NOW, 500));
	ck_assert(sig_newer(NOW, 3, NOW, 65534));	/* across the wrap */
	ck_assert(!sig_newer(NOW, 65534, NOW, 3));
	ck_assert(sig_newer(NOW, 500 + 0x7fff, NOW, 500));
	ck_assert(!sig_newer(NOW, 500 + 0x8000, NOW, 500));
}
END_TEST

/*
 * A peer's offers and answers: the first is newer than nothing; the same
 * message again is told apart from an older one (a retransmission is
 * answered again, a replay of an earlier exchange is not); the record
 * never moves backwards.
 */
START_TEST(peer_replay_record)
{
	struct sig_replay r;

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(sig_replay_check(&r, NOW, 7), SIG_FRESH_NEWER);
	ck_assert_int_eq(sig_replay_check(&r, 0, 0), SIG_FRESH_NEWER);
	sig_replay_accept(&r, NOW, 7);
	ck_assert_int_eq(sig_replay_check(&r, NOW, 7), SIG_FRESH_SAME);
	ck_assert_int_eq(sig_replay_check(&r, NOW, 8), SIG_FRESH_NEWER);
	ck_assert_int_eq(sig_replay_check(&r, NOW + 1, 1), SIG_FRESH_NEWER);
	ck_assert_int_eq(sig_replay_check(&r, NOW, 6), SIG_FRESH_OLDER);
	ck_assert_int_eq(sig_replay_check(&r, NOW - 1, 9), SIG_FRESH_OLDER);
	/* an old message accepted by mistake cannot pull the record back */
	sig_replay_accept(&r, NOW - 5, 1);
	ck_assert_int_eq(sig_replay_check(&r, NOW, 7), SIG_FRESH_SAME);
	sig_replay_accept(&r, NOW + 2, 3);
	ck_assert_int_eq(sig_replay_check(&r, NOW, 7), SIG_FRESH_OLDER);
	ck_assert_int_eq(sig_replay_check(&r, NOW + 2, 3), SIG_FRESH_SAME);
	ck_assert(r.seen && r.ts == NOW + 2 && r.seq == 3);
}
END_TEST

/*
 * The Home Agent's observed address (SIG_OPT_OBSERVED, docs/signalling.md):
 * added on the way under the target's MN-HA key, it leaves the end-to-end
 * authenticator valid and verifies only under that key; an all-zero tag
 * (left for a peer HA) and a NULL address (stripped) are refused or gone.
 */
START_TEST(observed_vouched_on_the_way)
{
	static const uint8_t hakey[] = "HA-and-R-share-this-MN-HA-key-32";
	static struct sig_msg m, d;
	uint8_t buf[MH_MAX_LEN], out[MH_MAX_LEN], zero[MH_MAX_LEN];
	uint8_t bare[MH_MAX_LEN];
	struct ice_addr obs, got;
	const char *why = NULL;
	size_t len, olen, zlen, blen;

	offer(&m, _i ? SIG_ANSWER : SIG_OFFER);
	ice_addr_set(&obs, AF_INET, "\xc6\x33\x64\x02", 2012);
	ck_assert_int_eq(sig_encode(&m, key, 32, buf, sizeof(buf), &len, &why), 0);
	ck_assert_int_eq(sig_set_observed(buf, len, 30, &obs, hakey, 32, out,
					  sizeof(out), &olen, &why), 0);
	ck_assert_uint_gt(olen, len);
	ck_assert_int_eq(sig_decode(out, olen, 30, &d, &why), 0);
	ck_assert(d.observed_tagged);
	ck_assert(ice_addr_eq(&d.observed, &obs));
	/* seed 004 s.14: the sender's authenticator still holds end to end */
	ck_assert_int_eq(sig_verify(out, olen, 30, key, 32, NOW, &why), 0);
	ck_assert_int_eq(sig_observed_verify(out, olen, 30, hakey, 32, &got, &why), 0);
	ck_assert(ice_addr_eq(&got, &obs));
	/* not under another key, nor the sender's */
	why = NULL;
	ck_assert_int_eq(sig_observed_verify(out, olen, 30, other, 32, &got, &why), -1);
	ck_assert_str_eq(why, "observed address not vouched for under our home-agent key");
	ck_assert_int_eq(sig_observed_verify(out, olen, 30, key, 32, &got, &why), -1);
	ck_assert_int_eq(sig_observed_verify(out, olen, 30, NULL, 0, &got, &why), -1);
	/* the zero tag a peer HA gets is no proof */
	ck_assert_int_eq(sig_set_observed(buf, len, 30, &obs, NULL, 0, zero,
					  sizeof(zero), &zlen, &why), 0);
	ck_assert_int_eq(sig_verify(zero, zlen, 30, key, 32, NOW, &why), 0);
	ck_assert_int_eq(sig_observed_verify(zero, zlen, 30, hakey, 32, &got, &why), -1);
	/* re-vouching replaces the option; NULL removes it */
	ck_assert_int_eq(sig_set_observed(zero, zlen, 30, &obs, hakey, 32, out,
					  sizeof(out), &olen, &why), 0);
	ck_assert_int_eq(sig_observed_verify(out, olen, 30, hakey, 32, &got, &why), 0);
	ck_assert_int_eq(sig_set_observed(out, olen, 30, NULL, NULL, 0, bare,
					  sizeof(bare), &blen, &why), 0);
	ck_assert_uint_eq(blen, len);
	ck_assert_int_eq(sig_decode(bare, blen, 30, &d, &why), 0);
	ck_assert_int_eq(d.observed.family, 0);
	ck_assert_int_eq(sig_observed_verify(bare, blen, 30, hakey, 32, &got, &why), -1);
	ck_assert_str_eq(why, "no observed address");
	ck_assert_int_eq(sig_verify(bare, blen, 30, key, 32, NOW, &why), 0);
	/* only offers and answers are vouched for */
	memset(&m, 0, sizeof(m));
	m.kind = SIG_REGISTER;
	strcpy(m.from, "L");
	ck_assert_int_eq(sig_encode(&m, NULL, 0, buf, sizeof(buf), &len, &why), 0);
	ck_assert_int_eq(sig_set_observed(buf, len, 30, &obs, hakey, 32, out,
					  sizeof(out), &olen, &why), -1);
	ck_assert_str_eq(why, "not an offer or answer");
}
END_TEST

/*
 * The tag holds for its one message: moved onto another offer (another
 * end-to-end authenticator) or with another address, it fails.
 */
START_TEST(observed_tag_bound_to_message)
{
	static const uint8_t hakey[] = "HA-and-R-share-this-MN-HA-key-32";
	static struct sig_msg m;
	static struct mh_msg a, b;
	struct mipice_limits lim = { .max_cand = 30 };
	uint8_t buf[MH_MAX_LEN], out[MH_MAX_LEN], graft[MH_MAX_LEN];
	struct ice_addr obs, got;
	const char *why = NULL;
	size_t len, olen, glen;
	unsigned int i, k;

	ice_addr_set(&obs, AF_INET6, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07", 4191);
	offer(&m, SIG_OFFER);
	ck_assert_int_eq(sig_encode(&m, key, 32, buf, sizeof(buf), &len, &why), 0);
	ck_assert_int_eq(sig_set_observed(buf, len, 30, &obs, hakey, 32, out,
					  sizeof(out), &olen, &why), 0);
	ck_assert_int_eq(mh_decode(out, olen, &lim, &a, NULL), MH_OK);
	for (i = 0; i < a.n_tlv && a.tlv[i].type != SIG_OPT_OBSERVED; i++)
		;
	ck_assert_uint_lt(i, a.n_tlv);
	ck_assert_uint_eq(a.tlv[i].len, 20 + SIG_AUTH_LEN);
	/* the same option on a later offer of the same sender */
	m.seq++;
	ck_assert_int_eq(sig_encode(&m, key, 32, buf, sizeof(buf), &len, &why), 0);
	ck_assert_int_eq(mh_decode(buf, len, &lim, &b, NULL), MH_OK);
	ck_assert_int_eq(mh_add_tlv(&b, SIG_OPT_OBSERVED, a.tlv[i].data, a.tlv[i].len), 0);
	ck_assert_int_eq(mh_encode(&b, graft, sizeof(graft), &glen, NULL), MH_OK);
	ck_assert_int_eq(sig_verify(graft, glen, 30, key, 32, NOW, &why), 0);
	ck_assert_int_eq(sig_observed_verify(graft, glen, 30, hakey, 32, &got, &why), -1);
	/* another address under the first tag */
	for (k = 0; k < a.n_tlv; k++)
		if (a.tlv[k].type == SIG_OPT_OBSERVED)
			a.tlv[k].data[19] ^= 1;
	ck_assert_int_eq(mh_encode(&a, graft, sizeof(graft), &glen, NULL), MH_OK);
	ck_assert_int_eq(sig_observed_verify(graft, glen, 30, hakey, 32, &got, &why), -1);
}
END_TEST

/*
 * Wherever the sender (or a forger on the way) put an observed option, the
 * HA's replacement keeps the other options' order, so the end-to-end
 * authenticator still verifies; two observed options are refused by name.
 */
START_TEST(observed_replaced_in_place)
{
	static const uint8_t hakey[] = "HA-and-R-share-this-MN-HA-key-32";
	static struct sig_msg m, d;
	static struct mh_msg mh;
	struct mipice_limits lim = { .max_cand = 30 };
	uint8_t buf[MH_MAX_LEN], mid[MH_MAX_LEN], out[MH_MAX_LEN];
	uint8_t opt[8 + SIG_AUTH_LEN] = { 4, 0, 0x10, 0x63, 10, 0, 0, 9 };
	struct ice_addr obs, got;
	const char *why = NULL;
	size_t len, mlen, olen;
	unsigned int i;

	offer(&m, SIG_OFFER);
	ck_assert_int_eq(sig_encode(&m, key, 32, buf, sizeof(buf), &len, &why), 0);
	ck_assert_int_eq(mh_decode(buf, len, &lim, &mh, NULL), MH_OK);
	ck_assert_uint_ge(mh.n_tlv, 2);
	/* a forged observed option first, the sender's options after it */
	for (i = mh.n_tlv; i > 0; i--)
		mh.tlv[i] = mh.tlv[i - 1];
	mh.n_tlv++;
	mh.tlv[0].type = SIG_OPT_OBSERVED;
	mh.tlv[0].len = sizeof(opt);
	memcpy(mh.tlv[0].data, opt, sizeof(opt));
	ck_assert_int_eq(mh_encode(&mh, mid, sizeof(mid), &mlen, NULL), MH_OK);
	ck_assert_int_eq(sig_verify(mid, mlen, 30, key, 32, NOW, &why), 0);
	ice_addr_set(&obs, AF_INET, "\xc6\x33\x64\x02", 2012);
	ck_assert_int_eq(sig_set_observed(mid, mlen, 30, &obs, hakey, 32, out,
					  sizeof(out), &olen, &why), 0);
	ck_assert_int_eq(sig_verify(out, olen, 30, key, 32, NOW, &why), 0);
	ck_assert_int_eq(sig_observed_verify(out, olen, 30, hakey, 32, &got, &why), 0);
	ck_assert(ice_addr_eq(&got, &obs));
	/* a second option after the vouched one */
	ck_assert_int_eq(mh_decode(out, olen, &lim, &mh, NULL), MH_OK);
	ck_assert_int_eq(mh_add_tlv(&mh, SIG_OPT_OBSERVED, opt, sizeof(opt)), 0);
	ck_assert_int_eq(mh_encode(&mh, mid, sizeof(mid), &mlen, NULL), MH_OK);
	why = NULL;
	ck_assert_int_eq(sig_decode(mid, mlen, 30, &d, &why), -1);
	ck_assert_str_eq(why, "more than one observed-address option");
}
END_TEST

/*
 * The registered BA's form: no tag, covered by the BA's own authenticator;
 * each form is refused by name in the other kind of message.
 */
START_TEST(observed_in_registered_ba)
{
	static struct sig_msg m, d;
	static struct mh_msg mh;
	struct mipice_limits lim = { .max_cand = 30 };
	uint8_t buf[MH_MAX_LEN], tagged[8 + SIG_AUTH_LEN] = { 4, 0, 0x10, 0x63, 10, 0, 0, 9 };
	const char *why = NULL;
	size_t len;

	memset(&m, 0, sizeof(m));
	m.kind = SIG_REGISTERED;
	m.seq = 3;
	m.timestamp = NOW;
	ice_addr_set(&m.observed, AF_INET, "\xc6\x33\x64\x02", 2012);
	ck_assert_int_eq(sig_encode(&m, key, 32, buf, sizeof(buf), &len, &why), 0);
	ck_assert_int_eq(sig_decode(buf, len, 30, &d, &why), 0);
	ck_assert(ice_addr_eq(&d.observed, &m.observed));
	ck_assert(!d.observed_tagged);
	ck_assert_int_eq(sig_verify(buf, len, 30, key, 32, NOW, &why), 0);
	/* a tagged option in a BA */
	mh_ba_init(&mh, 0, false, 1, 1);
	ck_assert_int_eq(mh_add_tlv(&mh, SIG_OPT_OBSERVED, tagged, sizeof(tagged)), 0);
	ck_assert_int_eq(mh_encode(&mh, buf, sizeof(buf), &len, NULL), MH_OK);
	why = NULL;
	ck_assert_int_eq(sig_decode(buf, len, 30, &d, &why), -1);
	ck_assert_str_eq(why, "observed-address option of the wrong form for this message");
	/* an untagged one in an offer */
	offer(&m, SIG_OFFER);
	ck_assert_int_eq(sig_encode(&m, key, 32, buf, sizeof(buf), &len, &why), 0);
	ck_assert_int_eq(mh_decode(buf, len, &lim, &mh, NULL), MH_OK);
	ck_assert_int_eq(mh_add_tlv(&mh, SIG_OPT_OBSERVED, tagged, 8), 0);
	ck_assert_int_eq(mh_encode(&mh, buf, sizeof(buf), &len, NULL), MH_OK);
	ck_assert_int_eq(sig_decode(buf, len, 30, &d, &why), -1);
	ck_assert_str_eq(why, "observed-address option of the wrong form for this message");
	/* a malformed one */
	mh_ba_init(&mh, 0, false, 1, 1);
	ck_assert_int_eq(mh_add_tlv(&mh, SIG_OPT_OBSERVED, tagged, 9), 0);
	ck_assert_int_eq(mh_encode(&mh, buf, sizeof(buf), &len, NULL), MH_OK);
	ck_assert_int_eq(sig_decode(buf, len, 30, &d, &why), -1);
	ck_assert_str_eq(why, "malformed observed-address option");
}
END_TEST

/*
 * The hop authenticator (SIG_OPT_HOP): holds under the hop's key only,
 * covers the whole message as sent (the observed address included), is
 * left out of the end-to-end authenticator, and goes when the HA
 * re-encodes; only offers and answers may carry one.
 */
START_TEST(hop_authenticator)
{
	static struct sig_msg m, d;
	uint8_t buf[MH_MAX_LEN], hop[MH_MAX_LEN], obs_out[MH_MAX_LEN];
	uint8_t copy[MH_MAX_LEN];
	const char *why = NULL;
	struct ice_addr obs;
	size_t len, hlen, olen, i;
	uint64_t seq = 0;
	unsigned int refused = 0;

	offer(&m, _i ? SIG_ANSWER : SIG_OFFER);
	ck_assert_int_eq(sig_encode(&m, key, 32, buf, sizeof(buf), &len, &why), 0);
	ck_assert_int_eq(sig_hop_verify(buf, len, 30, other, 32, &seq, &why), -1);
	ck_assert_str_eq(why, "no hop authenticator");
	ck_assert_int_eq(sig_hop_sign(buf, len, 30, 0x1122334455667788ULL, other,
				      32, hop, sizeof(hop), &hlen, &why), 0);
	ck_assert_int_eq(sig_decode(hop, hlen, 30, &d, &why), 0);
	ck_assert(d.has_hop);
	ck_assert_uint_eq(d.hop_seq, 0x1122334455667788ULL);
	ck_assert_int_eq(sig_hop_verify(hop, hlen, 30, other, 32, &seq, &why), 0);
	ck_assert_uint_eq(seq, 0x1122334455667788ULL);
	/* the end-to-end authenticator still holds */
	ck_assert_int_eq(sig_verify(hop, hlen, 30, key, 32, NOW, &why), 0);
	why = NULL;
	ck_assert_int_eq(sig_hop_verify(hop, hlen, 30, key, 32, &seq, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "hop authenticator does not match"));
	ck_assert_int_eq(sig_hop_verify(hop, hlen, 30, NULL, 0, &seq, &why), -1);
	/* any octet changed breaks it (or the message) */
	for (i = 0; i < hlen; i++) {
		memcpy(copy, hop, hlen);
		copy[i] ^= 0x01;
		if (sig_hop_verify(copy, hlen, 30, other, 32, &seq, &why))
			refused++;
	}
	ck_assert_uint_eq(refused, hlen);
	/* signed anew over an observed address: the option is covered */
	ice_addr_set(&obs, AF_INET, "\xc6\x33\x64\x02", 2012);
	ck_assert_int_eq(sig_set_observed(hop, hlen, 30, &obs, NULL, 0, obs_out,
					  sizeof(obs_out), &olen, &why), 0);
	ck_assert_int_eq(sig_decode(obs_out, olen, 30, &d, &why), 0);
	ck_assert(!d.has_hop);	/* re-encoding drops the last hop's tag */
	ck_assert_int_eq(sig_hop_sign(obs_out, olen, 30, 5, other, 32, hop,
				      sizeof(hop), &hlen, &why), 0);
	ck_assert_int_eq(sig_hop_verify(hop, hlen, 30, other, 32, &seq, &why), 0);
	ice_addr_set(&obs, AF_INET, "\xc6\x33\x64\x09", 2012);
	ck_assert_int_eq(sig_set_observed(hop, hlen, 30, &obs, NULL, 0, obs_out,
					  sizeof(obs_out), &olen, &why), 0);
	/* a forged observed address under the old hop tag: put the tag back */
	ck_assert_int_eq(sig_hop_sign(obs_out, olen, 30, 5, key, 32, copy,
				      sizeof(copy), &len, &why), 0);
	ck_assert_int_eq(sig_hop_verify(copy, len, 30, other, 32, &seq, &why), -1);
	why = NULL;
	ck_assert_int_eq(sig_hop_sign(buf, 4, 30, 5, other, 32, hop, sizeof(hop),
				      &hlen, &why), -1);
	ck_assert_ptr_nonnull(why);
	ck_assert_int_eq(sig_hop_sign(buf, len, 30, 5, NULL, 0, hop, sizeof(hop),
				      &hlen, &why), -1);
}
END_TEST

/* A hop option out of place or of the wrong size is refused by name. */
START_TEST(hop_option_malformed)
{
	static struct mh_msg mh;
	static struct sig_msg d;
	uint8_t buf[MH_MAX_LEN], data[SIG_HOP_LEN + 1] = { 0 };
	const char *why = NULL;
	size_t len;

	mh_bu_init(&mh, 1, MH_BU_A | MH_BU_H, 15);
	data[0] = SIG_MN_ID_NAI;
	data[1] = 'L';
	ck_assert_int_eq(mh_add_tlv(&mh, SIG_OPT_MN_ID, data, 2), 0);
	memset(data, 0, sizeof(data));
	ck_assert_int_eq(mh_add_tlv(&mh, SIG_OPT_HOP, data, SIG_HOP_LEN), 0);
	ck_assert_int_eq(mh_encode(&mh, buf, sizeof(buf), &len, NULL), MH_OK);
	ck_assert_int_eq(sig_decode(buf, len, 30, &d, &why), -1);
	ck_assert_str_eq(why, "hop authenticator in a message that is not relayed");
	mh.tlv[1].len = SIG_HOP_LEN + 1;
	ck_assert_int_eq(mh_encode(&mh, buf, sizeof(buf), &len, NULL), MH_OK);
	ck_assert_int_eq(sig_decode(buf, len, 30, &d, &why), -1);
	ck_assert_str_eq(why, "malformed or repeated hop authenticator");
}
END_TEST

START_TEST(status_names)
{
	ck_assert_str_eq(sig_status_name(0), "accepted");
	ck_assert_ptr_nonnull(strstr(sig_status_name(SIG_STATUS_AUTH_FAIL), "MIPV6-AUTH-FAIL"));
	ck_assert_ptr_nonnull(strstr(sig_status_name(SIG_STATUS_ID_MISMATCH), "MIPV6-ID-MISMATCH"));
	ck_assert_ptr_nonnull(strstr(sig_status_name(SIG_STATUS_PROHIBITED), "prohibited"));
	ck_assert_str_eq(sig_status_name(200), "refused (unknown code)");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sigmsg");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, offer_round_trip_and_verify, 0, 2);
	tcase_add_test(tc, tampered_or_wrong_key_refused);
	tcase_add_test(tc, timestamp_window);
	tcase_add_test(tc, register_and_rejections);
	tcase_add_loop_test(tc, registered_carries_relay, 0, 2);
	tcase_add_loop_test(tc, registration_authenticated, 0, 2);
	tcase_add_test(tc, status_names);
	tcase_add_test(tc, registration_replay_order);
	tcase_add_test(tc, peer_replay_record);
	tcase_add_loop_test(tc, observed_vouched_on_the_way, 0, 2);
	tcase_add_test(tc, observed_tag_bound_to_message);
	tcase_add_test(tc, observed_in_registered_ba);
	tcase_add_test(tc, observed_replaced_in_place);
	tcase_add_loop_test(tc, hop_authenticator, 0, 2);
	tcase_add_test(tc, hop_option_malformed);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
