// SPDX-License-Identifier: GPL-2.0
/*
 * Single-rate token bucket (seed 001 s.6.2 envelope; PacketCable token
 * bucket r, b, M). See policer.h for the units.
 *
 * Overflow argument (all values u64):
 *  - burst << 32 < 2^64 because burst is a u32, so tokens never overflow.
 *  - rate_fp = floor(rate * 2^32 / 1e9) < 2^32 * 4.3 < 2^35.
 *  - fill_ns = ceil(burst * 1e9 / rate); burst * 1e9 < 2^32 * 2^30 = 2^62.
 *  - The refill multiplies elapsed * rate_fp only when elapsed < fill_ns,
 *    i.e. elapsed <= fill_ns - 1 < burst * 1e9 / rate, so the product is
 *    below burst * 2^32 < 2^64. Longer idle periods (days, years, a clock
 *    jump) just fill the bucket: the refill is capped before multiplying.
 *
 * Accuracy: rate_fp truncates less than one 2^-32 octet per nanosecond,
 * i.e. under 0.25 octets per second at any rate, so the long-run rate is
 * within 1e-6 relative of the envelope for rate >= 250 kB/s and within
 * 0.25 B/s absolute below; what remains is packet granularity.
 */
#include "policer.h"

void mice_policer_init(struct mice_policer *p, u32 rate, u32 burst,
		       u32 max_packet, u64 now_ns)
{
	p->rate = rate;
	p->burst = burst;
	p->max_packet = max_packet;
	p->tokens = (u64)burst << MICE_POLICER_SHIFT;
	p->last_ns = now_ns;
	if (!rate) {
		p->rate_fp = 0;
		p->fill_ns = ~0ull;
		return;
	}
	/* Configuration path: the only two divisions (see policer.h). */
	p->rate_fp = mice_div64((u64)rate << MICE_POLICER_SHIFT,
				MICE_NSEC_PER_SEC);
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
	cap = (u64)p->burst << MICE_POLICER_SHIFT;
	if (elapsed >= p->fill_ns) {
		p->tokens = cap;
		return;
	}
	add = elapsed * p->rate_fp;	/* < burst << 32, see above */
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
	need = (u64)bytes << MICE_POLICER_SHIFT;
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
