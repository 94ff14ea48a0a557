// SPDX-License-Identifier: GPL-2.0
#include "replay.h"

uint64_t replay_next_seq(uint64_t *last, uint64_t now_s)
{
	uint64_t floor = now_s << 32;

	*last = *last + 1 > floor ? *last + 1 : floor;
	return *last;
}

int replay_check(const struct replay_window *w, uint64_t seq, uint64_t now_s,
		 const char **why)
{
	uint64_t t = seq >> 32, diff;

	if (t + REPLAY_MAX_SKEW_S < now_s) {
		*why = "sequence number too old (replay or clock skew)";
		return -1;
	}
	if (t > now_s + REPLAY_MAX_SKEW_S) {
		*why = "sequence number from the future (clock skew)";
		return -1;
	}
	if (!w->any || seq > w->top)
		return 0;
	diff = w->top - seq;
	if (diff >= REPLAY_WINDOW) {
		*why = "sequence number below the replay window";
		return -1;
	}
	if (w->seen & (1ULL << diff)) {
		*why = "sequence number already seen (replay)";
		return -1;
	}
	return 0;
}

void replay_accept(struct replay_window *w, uint64_t seq)
{
	uint64_t shift;

	if (!w->any) {
		w->any = true;
		w->top = seq;
		w->seen = 1;
		return;
	}
	if (seq > w->top) {
		shift = seq - w->top;
		w->seen = shift >= REPLAY_WINDOW ? 0 : w->seen << shift;
		w->seen |= 1;
		w->top = seq;
		return;
	}
	w->seen |= 1ULL << (w->top - seq);
}
