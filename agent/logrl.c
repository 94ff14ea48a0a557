// SPDX-License-Identifier: GPL-2.0
/* Per-reason log rate limits; see logrl.h. */
#include "logrl.h"

#include <string.h>

#define LOGRL_FULL_MS	((uint64_t)LOGRL_BURST * LOGRL_PERIOD_MS)

void logrl_init(struct logrl *rl)
{
	memset(rl, 0, sizeof(*rl));
}

/* The same reason: compared by content, as equal literals need not merge. */
static bool reason_is(const struct logrl_reason *r, const char *event,
		      const char *fmt)
{
	return r->event && r->fmt && !strcmp(r->fmt, fmt) &&
	       !strcmp(r->event, event);
}

static struct logrl_reason *reason_find(struct logrl *rl, const char *event,
					const char *fmt, uint64_t now)
{
	struct logrl_reason *shared = &rl->r[LOGRL_REASONS - 1];
	unsigned int i;

	for (i = 0; i < LOGRL_REASONS - 1; i++) {
		struct logrl_reason *r = &rl->r[i];

		if (!r->event) {
			/* a new reason starts with a full bucket */
			r->event = event;
			r->fmt = fmt;
			r->credit_ms = LOGRL_FULL_MS;
			r->last_ms = now;
			return r;
		}
		if (reason_is(r, event, fmt))
			return r;
	}
	if (!shared->event) {
		shared->event = "log";
		shared->fmt = NULL;
		shared->credit_ms = LOGRL_FULL_MS;
		shared->last_ms = now;
	}
	return shared;
}

static void refill(struct logrl_reason *r, uint64_t now)
{
	/* a clock that went back (it should not) refills nothing */
	if (now > r->last_ms) {
		uint64_t room = LOGRL_FULL_MS - r->credit_ms;

		r->credit_ms += now - r->last_ms < room ? now - r->last_ms : room;
		r->last_ms = now;
	}
}

bool logrl_admit(struct logrl *rl, const char *event, const char *fmt,
		 uint64_t now, uint64_t *suppressed)
{
	struct logrl_reason *r = reason_find(rl, event, fmt, now);

	refill(r, now);
	if (r->credit_ms < LOGRL_PERIOD_MS) {
		r->suppressed++;
		rl->suppressed_total++;
		return false;
	}
	r->credit_ms -= LOGRL_PERIOD_MS;
	*suppressed = r->suppressed;
	r->suppressed = 0;
	return true;
}

bool logrl_take_suppressed(struct logrl *rl, uint64_t now, const char **event,
			   const char **fmt, uint64_t *suppressed)
{
	unsigned int i;

	for (i = 0; i < LOGRL_REASONS; i++) {
		struct logrl_reason *r = &rl->r[i];

		if (!r->event || !r->suppressed)
			continue;
		refill(r, now);
		if (r->credit_ms < LOGRL_PERIOD_MS)
			continue;
		r->credit_ms -= LOGRL_PERIOD_MS;
		*event = r->event;
		*fmt = r->fmt;
		*suppressed = r->suppressed;
		r->suppressed = 0;
		return true;
	}
	return false;
}
