/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Single-rate token bucket for a media admission gate's envelope (seed 001
 * s.6.2: the edge router admits an authorized flow only within its
 * authorized resources; PacketCable: token bucket rate r, bucket size b,
 * maximum datagram size M).
 *
 * Integer only and exact. Tokens are kept in nano-octets (octets * 1e9),
 * so the refill after t ns at r octets/s is exactly t * r nano-octets: one
 * 64x64->64 multiplication per packet, no division and no rounding. A
 * product that does not fit in 64 bits is more than any bucket holds, so
 * the overflow check of the multiplication is also the cap: no fill time
 * needs to be kept (it would cost every gate 8 octets, docs/gates.md).
 *
 * Not locked: the caller serializes calls on one policer (the module holds
 * the gate's spinlock).
 *
 * Freestanding: compiled unchanged by the module, the unit tests, the
 * fuzzers and the benchmark.
 */
#ifndef MICE_POLICER_H
#define MICE_POLICER_H

#include "freestanding.h"

#define MICE_NSEC_PER_SEC	1000000000ull

/* Highest rate accepted: 2^32 - 1 octets/s (about 34 Gbit/s). */
#define MICE_POLICER_RATE_MAX	0xffffffffu

enum mice_police_verdict {
	MICE_POLICE_PASS = 0,
	MICE_POLICE_DROP_RATE,		/* not enough tokens now */
	MICE_POLICE_DROP_SIZE,		/* above max packet size or burst */
};

struct mice_policer {
	u64 tokens;		/* nano-octets, <= burst * 1e9 */
	u64 last_ns;		/* time of the last refill */
	u32 rate;		/* octets per second */
	u32 burst;		/* bucket size, octets */
	u32 max_packet;		/* 0: no limit beyond the burst */
};

/*
 * Set up @p with a full bucket at @now_ns. @rate 0 means no refill: only
 * the initial @burst octets ever pass. @max_packet 0 means no per-packet
 * limit other than @burst.
 */
void mice_policer_init(struct mice_policer *p, u32 rate, u32 burst,
		       u32 max_packet, u64 now_ns);

/*
 * Account a packet at @now_ns (monotonic). Returns MICE_POLICE_PASS and
 * takes the tokens, or a drop verdict and takes none. A clock that steps
 * back is treated as no time passing. Bound: over any run starting at
 * init, the octets passed never exceed burst + rate * (now - init) / 1e9.
 *
 * A GSO or GRO packet stands for several packets on the wire
 * (seed 001 s.6.2 polices datagrams, not the stack's aggregates): the
 * largest is @seg_bytes octets, all of them together @total_bytes. The
 * size limits apply to @seg_bytes; the tokens taken are @total_bytes.
 * The aggregate passes whole or not at all (it cannot be split here, as
 * with act_police), so one of more than the burst is always DROP_RATE.
 * mice_policer_admit(p, t, n) is mice_policer_admit_gso(p, t, n, n).
 */
enum mice_police_verdict mice_policer_admit_gso(struct mice_policer *p,
						u64 now_ns, u32 seg_bytes,
						u64 total_bytes);

#ifndef __KERNEL__
/* For tests and tools (one datagram; the module counts verdicts, it does
 * not name them). */
enum mice_police_verdict mice_policer_admit(struct mice_policer *p, u64 now_ns,
					    u32 bytes);

const char *mice_police_verdict_name(unsigned int v);
#endif

#endif /* MICE_POLICER_H */
