// SPDX-License-Identifier: GPL-2.0
/* Real (CLOCK_MONOTONIC) and fake millisecond clocks. */
#include <time.h>

#include "clock.h"

static uint64_t monotonic_ms(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void mice_clock_monotonic(struct mice_clock *c)
{
	c->now_ms = monotonic_ms;
	c->ctx = NULL;
}

static uint64_t fake_ms(void *ctx)
{
	return ((const struct mice_fake_clock *)ctx)->now;
}

void mice_clock_fake(struct mice_clock *c, struct mice_fake_clock *f,
		     uint64_t start_ms)
{
	f->now = start_ms;
	c->now_ms = fake_ms;
	c->ctx = f;
}

void mice_fake_clock_advance(struct mice_fake_clock *f, uint64_t ms)
{
	f->now += ms;
}

void mice_fake_clock_set(struct mice_fake_clock *f, uint64_t ms)
{
	f->now = ms;
}
