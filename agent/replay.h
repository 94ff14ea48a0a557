/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replay protection for the hop-by-hop authenticators of the Home Agent's
 * relay (signed Send indications, agent/relay.h) and of the messages
 * forwarded between nodes and Home Agents (agent/sigmsg.h, SIG_OPT_HOP).
 *
 * A sender numbers what it signs with a 64-bit sequence number whose
 * upper 32 bits are its clock in seconds (Unix time) and whose lower 32
 * bits count within that second: replay_next_seq() gives
 * max(last + 1, now << 32). So a sender's numbers only grow, across its
 * restarts too, and each one says when it was made.
 *
 * A receiver keeps, per sender, a sliding window of the last
 * REPLAY_WINDOW numbers (the anti-replay window of ESP, RFC 4303 s.3.4.3)
 * and refuses a number it has seen, one below the window, and one whose
 * time is more than REPLAY_MAX_SKEW_S from its own clock: after the
 * receiver restarts (its windows empty), only what was signed in the last
 * minute could be replayed, and only once.
 *
 * Sans-IO: the clock is an argument.
 */
#ifndef MICE_REPLAY_H
#define MICE_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define REPLAY_WINDOW		64
#define REPLAY_MAX_SKEW_S	60	/* as registrations (SIG_MAX_SKEW_S) */

struct replay_window {
	uint64_t top;		/* the highest number accepted */
	uint64_t seen;		/* bit i: top - i was accepted */
	bool any;		/* top is set */
};

/* The sender's next number after @*last at @now_s; updates @*last. */
uint64_t replay_next_seq(uint64_t *last, uint64_t now_s);

/*
 * Would @seq be accepted at @now_s? 0, or -1 with *@why naming the reason
 * (replayed, below the window, too old, from the future). Does not change
 * @w: call replay_accept() only once the message is authenticated.
 */
int replay_check(const struct replay_window *w, uint64_t seq, uint64_t now_s,
		 const char **why);

/* Records @seq, which replay_check() passed, as seen. */
void replay_accept(struct replay_window *w, uint64_t seq);

#endif /* MICE_REPLAY_H */
