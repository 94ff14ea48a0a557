// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the MIP-ICE option decoder (agent/mipice.c, seed
 * 004 s.11). The input is one option. If it decodes, it is re-encoded and
 * decoded again: the two decodes must be equal field by field, the
 * re-encoding must be exactly as long as the option was and a multiple of
 * 8, and the cap must hold. Any violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mipice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond)							\
	do {								\
		if (!(cond))						\
			abort();					\
	} while (0)

static struct mipice_opt a, b;
static uint8_t out[MIPICE_MAX_LEN];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The first octet picks the cap so both paths get exercised. */
	struct mipice_limits lim = { .max_cand = 0 };
	uint8_t *copy;
	size_t used = 0, olen = 0, used2 = 0;
	enum mipice_err e;

	if (size < 1)
		return 0;
	lim.max_cand = data[0];
	data++;
	size--;
	copy = malloc(size ? size : 1);	/* exact size: ASan sees over-reads */
	check(copy != NULL);
	memcpy(copy, data, size);
	e = mipice_decode(copy, size, &lim, &a, &used);
	free(copy);
	check(e < MIPICE_E_MAX_);
	if (e != MIPICE_OK)
		return 0;
	check(used <= size && used % 8 == 0);
	check(a.n_cand <= (lim.max_cand ? lim.max_cand
					: MIPICE_DEFAULT_MAX_CAND));
	e = mipice_encode(&a, out, sizeof(out), &olen);
	check(e == MIPICE_OK);
	check(olen == used);
	e = mipice_decode(out, olen, &lim, &b, &used2);
	check(e == MIPICE_OK && used2 == olen);
	check(mipice_opt_eq(&a, &b));
	mipice_opt_clear(&a);
	mipice_opt_clear(&b);
	return 0;
}
