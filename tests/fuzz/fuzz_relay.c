// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the relay frame parser (agent/relay.c). */
#include <stdint.h>
#include <stdlib.h>

#include "relay.h"

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
