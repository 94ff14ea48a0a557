// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the signalling decoder and verifiers (agent/sigmsg.c), and
 * the Home Agent's re-encoding with an observed address, whose output
 * must decode and keep the sender's authenticator as it was.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sigmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void relayed(const uint8_t *data, size_t size, const struct sig_msg *m)
{
	static const uint8_t key[32] = "0123456789abcdef0123456789abcdef";
	static const uint8_t hakey[32] = "HA-and-R-share-this-MN-HA-key-32";
	static uint8_t out[MH_MAX_LEN];
	static struct sig_msg d;
	struct ice_addr obs, got;
	const char *why = NULL;
	size_t olen;
	int before;

	if (sig_verify(data, size, 30, key, sizeof(key), m->timestamp, &why) && !why)
		abort();
	before = sig_verify(data, size, 30, key, sizeof(key), m->timestamp, &why);
	why = NULL;
	if (sig_observed_verify(data, size, 30, hakey, sizeof(hakey), &got, &why) &&
	    !why)
		abort();
	ice_addr_set(&obs, AF_INET, "\xc6\x33\x64\x02", 2012);
	why = NULL;
	if (sig_set_observed(data, size, 30, &obs, hakey, sizeof(hakey), out,
			     sizeof(out), &olen, &why)) {
		if (!why)
			abort();
		return;
	}
	/* what the HA sends on decodes, and the vouching holds */
	if (sig_decode(out, olen, 30, &d, &why) ||
	    !ice_addr_eq(&d.observed, &obs) ||
	    sig_observed_verify(out, olen, 30, hakey, sizeof(hakey), &got, &why) ||
	    !ice_addr_eq(&got, &obs))
		abort();
	/* the option is outside the end-to-end authenticator */
	if ((sig_verify(out, olen, 30, key, sizeof(key), m->timestamp, &why) == 0) !=
	    (before == 0))
		abort();
	/* the hop authenticator: checked with a reason; signed, it verifies,
	 * covers the observed address and leaves the end-to-end one alone */
	{
		static const uint8_t hop_key[32] = "the-key-between-two-home-agents";
		static uint8_t hop[MH_MAX_LEN];
		uint64_t seq = 0;
		size_t hlen;

		why = NULL;
		if (sig_hop_verify(data, size, 30, hop_key, sizeof(hop_key), &seq,
				   &why) && !why)
			abort();
		if (sig_hop_sign(out, olen, 30, m->hop_seq, hop_key,
				 sizeof(hop_key), hop, sizeof(hop), &hlen, &why))
			return;
		if (sig_hop_verify(hop, hlen, 30, hop_key, sizeof(hop_key), &seq,
				   &why) || seq != m->hop_seq ||
		    sig_decode(hop, hlen, 30, &d, &why) ||
		    !ice_addr_eq(&d.observed, &obs) ||
		    (sig_verify(hop, hlen, 30, key, sizeof(key), m->timestamp,
				&why) == 0) != (before == 0))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sig_msg m;
	const char *why = NULL;

	if (sig_decode(data, size, 30, &m, &why)) {
		if (!why)
			abort();	/* every rejection names its reason */
		return 0;
	}
	if (m.kind == SIG_OFFER || m.kind == SIG_ANSWER)
		relayed(data, size, &m);
	return 0;
}
