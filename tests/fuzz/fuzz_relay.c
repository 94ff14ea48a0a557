// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the relay frame parser and the check of a signed Send
 * (agent/relay.c), and the replay window (agent/replay.c) on the number.
 */
#include <stdint.h>
#include <stdlib.h>

#include "relay.h"
#include "replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[RELAY_FRAME_MAX];
	struct relay_frame f;
	const char *why = NULL;
	size_t n;

	if (relay_frame_parse(data, size, &f, &why)) {
		if (!why)
			abort();	/* every rejection names its reason */
		return 0;
	}
	if (!relay_frame_is(data, size) ||
	    f.payload_len > RELAY_PAYLOAD_MAX ||
	    (f.payload_len && (f.payload < data || f.payload + f.payload_len >
			       data + size)))
		abort();
	/* any peer gets a verdict on where it is */
	(void)relay_dest_refused(&f.peer);
	/* the HA's check of a signed Send: a verdict with a reason */
	{
		static const uint8_t key[32] = "the-MN-HA-key-of-this-node-32byt";
		static struct replay_window w;
		int ok;

		why = NULL;
		ok = relay_send_verify(data, size, &f, key, sizeof(key), &why);
		if (ok && !why)
			abort();
		if (!ok && (!f.has_seq || f.method != RELAY_METHOD_SEND))
			abort();
		why = NULL;
		if (!replay_check(&w, f.seq, f.seq >> 32, &why)) {
			replay_accept(&w, f.seq);
			if (!replay_check(&w, f.seq, f.seq >> 32, &why))
				abort();	/* the same number twice */
		} else if (!why) {
			abort();
		}
		/* signing what parsed gives a Send that verifies */
		if (f.method == RELAY_METHOD_SEND) {
			struct relay_frame g;

			n = relay_send_build(&f.peer, f.payload, f.payload_len,
					     f.bind, f.seq, key, sizeof(key),
					     out, sizeof(out));
			if (n && (relay_frame_parse(out, n, &g, &why) ||
				  relay_send_verify(out, n, &g, key, sizeof(key),
						    &why) || g.seq != f.seq))
				abort();
		}
	}
	/* what parses re-frames and parses to the same peer and payload */
	n = relay_frame_build(f.method, &f.peer, f.payload, f.payload_len,
			      f.bind, out, sizeof(out));
	if (n) {
		struct relay_frame g;

		if (relay_frame_parse(out, n, &g, &why) ||
		    !ice_addr_eq(&g.peer, &f.peer) ||
		    g.payload_len != f.payload_len)
			abort();
	}
	return 0;
}
