// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the transmit prefix trie (kmod/lpm.c). The input is
 * a program of operations on one table and a brute-force reference
 * (tests/unit/lpm_ref.h), each operation 2 octets of opcode and length
 * then 4 (IPv4) or 16 (IPv6) octets of key:
 *   opcode bits 0-1: 0 insert, 1 remove, 2 lookup, 3 insert with the
 *                    allocation failing after (bits 6-7) successes
 *          bit 2:    IPv6
 *          bits 3-5: which of 8 values (peers)
 * Invariants after every operation: the same result as the reference,
 * lookups of the key (and of its neighbours) agree with the reference,
 * the shape invariants of lpm.c hold, and the node count matches; at the
 * end, removing everything gives every node back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/lpm_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int values[8];

static void agree(const struct mice_lpm *t, const struct ref_table *ref,
		  unsigned int bits, const u8 *key)
{
	u8 addr[16];
	unsigned int i;

	if (mice_lpm_lookup(t, bits, key) != ref_lookup(ref, bits, key))
		abort();
	/* an address one bit away at each position: the paths next door */
	for (i = 0; i < bits; i += 7) {
		memcpy(addr, key, 16);
		addr[i / 8] ^= (u8)(0x80 >> (i % 8));
		if (mice_lpm_lookup(t, bits, addr) != ref_lookup(ref, bits, addr))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ref_table ref = { 0 };
	struct mice_lpm t = { 0 };
	size_t pos = 0;

	lpm_alloc_budget = -1;
	while (pos + 2 <= size) {
		u8 op = data[pos], lenbyte = data[pos + 1];
		unsigned int bits = op & 4 ? MICE_LPM_V6_BITS : MICE_LPM_V4_BITS;
		unsigned int klen = bits / 8;
		void *value = &values[(op >> 3) & 7];
		enum mice_lpm_result want, got;
		u8 key[16] = { 0 }, len;

		pos += 2;
		if (pos + klen > size)
			break;
		memcpy(key, data + pos, klen);
		pos += klen;
		/* lengths just past the family's bits are refused: try them */
		len = (u8)(lenbyte % (bits + 2));

		switch (op & 3) {
		case 0:
			want = ref_insert(&ref, bits, key, len, value);
			got = mice_lpm_insert(&t, bits, key, len, value);
			if (got != want)
				abort();
			break;
		case 1:
			want = ref_remove(&ref, bits, key, len, value);
			got = mice_lpm_remove(&t, bits, key, len, value);
			if (got != want)
				abort();
			break;
		case 2:
			break;
		case 3:
			want = ref_insert(&ref, bits, key, len, value);
			lpm_alloc_budget = op >> 6;
			got = mice_lpm_insert(&t, bits, key, len, value);
			lpm_alloc_budget = -1;
			if (got == MICE_LPM_NOMEM && want == MICE_LPM_ADDED)
				ref_undo_insert(&ref);
			else if (got != want)
				abort();
			break;
		}
		if (len <= bits &&
		    mice_lpm_exact(&t, bits, key, len) !=
		    (ref_find(&ref, bits, key, len) ?
		     ref_find(&ref, bits, key, len)->value : NULL))
			abort();
		agree(&t, &ref, bits, key);
		if (!lpm_check(&t) || t.prefixes != ref.n)
			abort();
	}
	while (ref.n) {
		struct ref_entry e = ref.e[ref.n - 1];

		if (mice_lpm_remove(&t, e.bits, e.key, e.len, e.value) !=
		    MICE_LPM_REMOVED)
			abort();
		ref.n--;
	}
	if (t.nodes || t.prefixes || lpm_live_nodes)
		abort();
	free(ref.e);
	return 0;
}
