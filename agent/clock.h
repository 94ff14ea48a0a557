/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An abstract millisecond clock, so timers (STUN retransmissions, ICE
 * pacing) can be driven by a fake clock in tests.
 */
#ifndef MICE_CLOCK_H
#define MICE_CLOCK_H

#include <stdint.h>

struct mice_clock {
	uint64_t (*now_ms)(void *ctx);
	void *ctx;
};

static inline uint64_t mice_clock_now(const struct mice_clock *c)
{
	return c->now_ms(c->ctx);
}

/* CLOCK_MONOTONIC in milliseconds. */
void mice_clock_monotonic(struct mice_clock *c);

/* A clock that only moves when told to. */
struct mice_fake_clock {
	uint64_t now;
};

void mice_clock_fake(struct mice_clock *c, struct mice_fake_clock *f,
		     uint64_t start_ms);
void mice_fake_clock_advance(struct mice_fake_clock *f, uint64_t ms);
void mice_fake_clock_set(struct mice_fake_clock *f, uint64_t ms);

#endif /* MICE_CLOCK_H */
