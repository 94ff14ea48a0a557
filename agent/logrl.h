/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A per-reason rate limit for the daemon's log lines that the network
 * causes ("drop" and "error"): anyone who can reach the daemon's port can
 * make one such line per datagram, so without a limit a flood of
 * undecodable datagrams becomes a flood of log lines (issue 14, item 8).
 * The module limits its drop events the same way (kmod/netlink.c,
 * mice_drop_event_budget), with a count of what it held back.
 *
 * A reason is an (event, format string) pair: "drop" lines of different
 * causes ("mobility header from %s: %s", "offer from %s: ...") have
 * different formats, so each has its own budget and a flood of one kind
 * does not hide another. Each reason is a token bucket:
 *
 *   LOGRL_BURST lines at once, then one line per LOGRL_PERIOD_MS.
 *
 * Ten lines show a short incident (a misconfigured peer, a restart)
 * whole; one a second after that keeps the reason visible while bounding
 * a flood to 3600 lines an hour per reason. The daemon has a few dozen
 * drop and error formats, so even a flood that hits every one of them
 * stays within a few dozen lines a second.
 *
 * Lines held back are counted per reason; the count is handed back with
 * the reason's next line (logrl_admit) or, when the flood has stopped, by
 * logrl_take_suppressed once the bucket has a token again, so every
 * suppression is reported once as "N similar lines suppressed".
 *
 * Sans-IO: the caller passes the time (agent/clock.h's clock, fake in
 * tests); nothing here writes anything.
 */
#ifndef MICE_AGENT_LOGRL_H
#define MICE_AGENT_LOGRL_H

#include <stdbool.h>
#include <stdint.h>

#define LOGRL_BURST		10
#define LOGRL_PERIOD_MS		1000
/*
 * Distinct reasons tracked; more than the daemon has formats. Should
 * that ever be exceeded, the last slot is shared by every reason that
 * found no slot of its own, so the limit still holds.
 */
#define LOGRL_REASONS		64

struct logrl_reason {
	const char *event;		/* NULL: free */
	const char *fmt;		/* NULL with an event: the shared slot */
	/* the bucket, in ms of credit: one line costs LOGRL_PERIOD_MS */
	uint64_t credit_ms;
	uint64_t last_ms;		/* when credit_ms was last brought up */
	uint64_t suppressed;		/* held back since the last line */
};

struct logrl {
	struct logrl_reason r[LOGRL_REASONS];
	uint64_t suppressed_total;	/* ever held back, all reasons */
};

void logrl_init(struct logrl *rl);

/*
 * May a line of (@event, @fmt) be written at @now ms? Both must be
 * NUL-terminated strings that outlive @rl (string literals: the daemon's
 * format strings). On true, *@suppressed is the number of this reason's
 * lines held back since its previous line (report it with this one; it
 * is then cleared); on false the line is counted as suppressed.
 */
bool logrl_admit(struct logrl *rl, const char *event, const char *fmt,
		 uint64_t now, uint64_t *suppressed);

/*
 * A reason whose lines were held back and that has a token again at @now
 * (its flood has stopped, or slowed): its event, format and count, and
 * the count is cleared and a token spent. Returns false when there is
 * none; call it until it does to report them all.
 */
bool logrl_take_suppressed(struct logrl *rl, uint64_t now, const char **event,
			   const char **fmt, uint64_t *suppressed);

#endif /* MICE_AGENT_LOGRL_H */
