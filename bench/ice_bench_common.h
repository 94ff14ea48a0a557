/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the two ICE bench harnesses (bench/ice_bench_mice.c,
 * bench/ice_bench_nice.c) share, so that both measure the same way:
 *  - signalling: a line protocol over a unix socket in a temp dir (works
 *    across network namespaces), the controlling side listens;
 *  - a tap on every datagram a harness sends, which counts STUN requests,
 *    their transaction IDs and the order in which pairs got their first
 *    request (the same code sees mice's sendto() and libnice's sendmsg());
 *  - the pair arithmetic (RFC 8445 s.6.1.2.3) used to count the pairs of
 *    higher priority than the winner;
 *  - the JSON line each harness prints.
 *
 * Signalling lines (offer from the controlling side, answer back):
 *   ufrag U / pwd P / cand FOUNDATION PRIORITY IP PORT / end
 * and "done" once a side has its nominated pair.
 */
#ifndef MICE_ICE_BENCH_COMMON_H
#define MICE_ICE_BENCH_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define IB_MAX_CAND	16
#define IB_MAX_TID	4096
#define IB_MAX_TUPLE	64

struct ib_cand {
	char foundation[33];
	uint32_t priority;
	char ip[64];		/* numeric, no brackets */
	uint16_t port;
	int family;		/* AF_INET / AF_INET6 */
};

struct ib_desc {
	char ufrag[64];
	char pwd[128];
	unsigned int n;
	struct ib_cand c[IB_MAX_CAND];
};

/* CLOCK_MONOTONIC in ms, with fractions (same clock in every netns). */
double ib_now_ms(void);

/* Signalling. -1 on error/timeout (a message on stderr). */
int ib_sig_listen(const char *path);
int ib_sig_accept(int lfd, int timeout_ms);
int ib_sig_connect(const char *path, int timeout_ms);
int ib_sig_send_desc(int fd, const struct ib_desc *d);
int ib_sig_recv_desc(int fd, struct ib_desc *d, int timeout_ms);
int ib_sig_send_line(int fd, const char *line);
/* Non-blocking: 1 when "done" was read, 0 not yet, -1 peer closed. */
int ib_sig_poll_done(int fd);

/* Random ICE credentials (RFC 8445 s.5.3 ice-chars). */
void ib_random_cred(char *buf, size_t len);

/* Send tap. */
struct ib_tuple {
	char src[80], dst[80];
	double first, last;	/* ib_now_ms() of its first/last request */
	unsigned int reqs;
};

struct ib_tap {
	uint64_t req_pkts;	/* STUN requests sent (incl. retransmits) */
	uint64_t resp_pkts;	/* success/error responses sent */
	uint64_t ind_pkts;	/* indications */
	uint64_t use_cand_pkts;	/* requests carrying USE-CANDIDATE */
	unsigned int n_tid;	/* distinct request transaction IDs */
	uint8_t tid[IB_MAX_TID][12];
	unsigned int n_tuple;	/* distinct (src, dst) of requests, in order */
	struct ib_tuple tuple[IB_MAX_TUPLE];
};

extern struct ib_tap ib_tap;

/* Records one datagram sent from @src to @dst. */
void ib_tap_tx(const struct sockaddr *src, const struct sockaddr *dst,
	       const uint8_t *buf, size_t len);
/* "ip:port" / "[ip]:port". */
const char *ib_sa_str(const struct sockaddr *sa, char *buf, size_t len);
/* Index of (src, dst) in ib_tap.tuple (the number of pairs that got a
 * request before it), or -1. */
int ib_tap_tuple_index(const char *src, const char *dst);

/* Pairs (same family) of @local x @remote whose RFC 8445 s.6.1.2.3
 * priority is above that of (@win_local, @win_remote), as the controlling
 * side computes it; *@total gets the number of pairs. */
unsigned int ib_pairs_above(const struct ib_desc *local,
			    const struct ib_desc *remote, bool controlling,
			    const char *win_local, const char *win_remote,
			    unsigned int *total);

/* The result line. */
struct ib_result {
	const char *impl;	/* "mice" / "libnice" */
	bool controlling;
	const char *nomination;
	unsigned int ta_ms;
	bool ok;
	double t0, t1;		/* ms, CLOCK_MONOTONIC */
	double ready;		/* libnice: component READY; 0 if not seen */
	char local[80], remote[80];	/* the nominated pair */
	struct ib_tap at_t1;	/* tap snapshot at t1 */
	unsigned int pairs_total, pairs_above;
	int checked_before;	/* pairs with a request before the winner */
	long engine_checks;	/* engine's own count, -1 if unknown */
	long engine_retransmits;
	const char *note;
};

void ib_print_result(const struct ib_result *r);
/* The pairs that got requests, in order, to stderr (relative to @t0). */
void ib_print_tuples(double t0);

#endif /* MICE_ICE_BENCH_COMMON_H */
