// SPDX-License-Identifier: GPL-2.0
/*
 * Single-rate token bucket (seed 001 s.6.2 envelope; PacketCable token
 * bucket r, b, M). See policer.h for the units.
 *
 * Overflow argument (all values u64; burst and rate are u32 < 2^32):
 *  - tokens <= burst * 1e9 < 2^32 * 2^30 = 2^62.
 *  - The refill multiplies elapsed * rate with the compiler's overflow
 *    check (a 64x64 multiply and a flag test, as the kernel's
 *    check_mul_overflow()). A product past 2^64 - 1 is past the cap too,
 *    so it just fills the bucket: idle periods of days or years, a clock
 *    jump. A product that fits is compared with the room left, never
 *    added blindly, so tokens never wrap.
 *  - bytes * 1e9 < 2^62 likewise: a charge above the burst is refused
 *    before the multiplication.
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
}

static void mice_policer_refill(struct mice_policer *p, u64 now_ns)
{
	u64 elapsed, add, cap;

	if (now_ns <= p->last_ns)
		return;	/* no time, or the clock stepped back */
	elapsed = now_ns - p->last_ns;
	p->last_ns = now_ns;
	cap = (u64)p->burst * MICE_NSEC_PER_SEC;
	if (__builtin_mul_overflow(elapsed, (u64)p->rate, &add) ||
	    add >= cap - p->tokens)
		p->tokens = cap;
	else
		p->tokens += add;
}

enum mice_police_verdict mice_policer_admit_gso(struct mice_policer *p,
						u64 now_ns, u32 seg_bytes,
						u64 total_bytes)
{
	u64 need;

	/*
	 * PacketCable M: larger datagrams are not part of the envelope. Each
	 * segment is a datagram on the wire, the aggregate is not.
	 */
	if ((p->max_packet && seg_bytes > p->max_packet) || seg_bytes > p->burst)
		return MICE_POLICE_DROP_SIZE;
	mice_policer_refill(p, now_ns);
	/* More than a full bucket never fits; this also bounds the product. */
	if (total_bytes > p->burst)
		return MICE_POLICE_DROP_RATE;
	need = total_bytes * MICE_NSEC_PER_SEC;
	if (p->tokens < need)
		return MICE_POLICE_DROP_RATE;
	p->tokens -= need;
	return MICE_POLICE_PASS;
}

#ifndef __KERNEL__
/* For tests and tools: one datagram. */
enum mice_police_verdict mice_policer_admit(struct mice_policer *p, u64 now_ns,
					    u32 bytes)
{
	return mice_policer_admit_gso(p, now_ns, bytes, bytes);
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
#endif /* !__KERNEL__ */
