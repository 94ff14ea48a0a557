// SPDX-License-Identifier: GPL-2.0
/*
 * Single-rate token bucket (seed 001 s.6.2 envelope; PacketCable token
 * bucket r, b, M). See policer.h for the units.
 *
 * Overflow argument (all values u64; burst and rate are u32 < 2^32):
 *  - tokens <= burst * 1e9 < 2^32 * 2^30 = 2^62.
 *  - fill_ns = ceil(burst * 1e9 / rate), computed once.
 *  - The refill multiplies elapsed * rate only when elapsed < fill_ns, i.e.
 *    elapsed <= fill_ns - 1 < burst * 1e9 / rate, so the product is below
 *    burst * 1e9 < 2^62. Longer idle periods (days, years, a clock jump)
 *    just fill the bucket: the refill is capped before multiplying.
 *  - bytes * 1e9 < 2^62 likewise.
 *
 * Accuracy: the arithmetic is exact, so over any interval the octets
 * passed are at most burst + rate * t / 1e9 and, under a load above the
 * envelope, fall short of it only by packet granularity (less than one
 * packet at the end of the interval).
 */
#include "policer.h"

void mice_policer_init(struct mice_policer *p, u32 rate, u32 burst,
		       u32 max_packet, u64 now_ns)
{
	p->rate = rate;
	p->burst = burst;
	p->max_packet = max_packet;
	p->tokens = (u64)burst * MICE_NSEC_PER_SEC;
	p->last_ns = now_ns;
	if (!rate) {
		p->fill_ns = ~0ull;
		return;
	}
	/* Configuration path: the only division (see policer.h). */
	p->fill_ns = mice_div64((u64)burst * MICE_NSEC_PER_SEC + rate - 1,
				rate);
}

static void mice_policer_refill(struct mice_policer *p, u64 now_ns)
{
	u64 elapsed, add, cap;

	if (now_ns <= p->last_ns)
		return;	/* no time, or the clock stepped back */
	elapsed = now_ns - p->last_ns;
	p->last_ns = now_ns;
	/* Rate 0 never refills (fill_ns ~0 alone would at elapsed 2^64-1). */
	if (!p->rate)
		return;
	cap = (u64)p->burst * MICE_NSEC_PER_SEC;
	if (elapsed >= p->fill_ns) {
		p->tokens = cap;
		return;
	}
	add = elapsed * p->rate;	/* < burst * 1e9, see above */
	if (add >= cap - p->tokens)
		p->tokens = cap;
	else
		p->tokens += add;
}

enum mice_police_verdict mice_policer_admit(struct mice_policer *p, u64 now_ns,
					    u32 bytes)
{
	u64 need;

	/* PacketCable M: larger datagrams are not part of the envelope. */
	if ((p->max_packet && bytes > p->max_packet) || bytes > p->burst)
		return MICE_POLICE_DROP_SIZE;
	mice_policer_refill(p, now_ns);
	need = (u64)bytes * MICE_NSEC_PER_SEC;
	if (p->tokens < need)
		return MICE_POLICE_DROP_RATE;
	p->tokens -= need;
	return MICE_POLICE_PASS;
}

const char *mice_police_verdict_name(unsigned int v)
{
	switch (v) {
	case MICE_POLICE_PASS:
		return "pass";
	case MICE_POLICE_DROP_RATE:
		return "drop_rate";
	case MICE_POLICE_DROP_SIZE:
		return "drop_size";
	}
	return "unknown";
}
