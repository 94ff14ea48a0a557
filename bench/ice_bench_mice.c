// SPDX-License-Identifier: GPL-2.0
/*
 * One mice ICE agent (agent/ice_agent.h) on real UDP sockets, one per
 * local address, for bench/ice_bench.sh. Offer/answer over the unix
 * socket of ice_bench_common.h; the controlling side is the offerer and
 * takes t0 when the answer arrives, the controlled side when the offer
 * arrives; t1 is the first ICE_EV_NOMINATED. One JSON line on stdout.
 *
 *   ice_bench_mice --controlling|--controlled --sig PATH
 *                  --addr IP[,IF_RANK] ... [--ta MS] [--nomination regular|
 *                  aggressive] [--nominate-wait MS] [--timeout S] [-v]
 *
 * Host candidates only; local preference as the daemon computes it
 * (ice_local_pref(): interface rank, then the address's index on it).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ice_agent.h"
#include "ice_bench_common.h"

struct lsock {
	int fd;
	struct ice_addr addr;
	struct sockaddr_storage ss;
};

static void usage(void)
{
	fprintf(stderr, "usage: ice_bench_mice --controlling|--controlled "
		"--sig PATH --addr IP[,IF_RANK] ... [--ta MS] "
		"[--nomination regular|aggressive] [--nominate-wait MS] "
		"[--timeout S] [-v]\n");
	exit(2);
}

static int open_sock(const char *ip, struct lsock *s)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1;

	memset(&ss, 0, sizeof(ss));
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, ip, &s6->sin6_addr) != 1)
			return -1;
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		if (inet_pton(AF_INET, ip, &s4->sin_addr) != 1)
			return -1;
		sl = sizeof(*s4);
	}
	s->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0);
	if (s->fd < 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(s->fd, (struct sockaddr *)&ss, sl)) {
		fprintf(stderr, "ice_bench_mice: bind %s: %s\n", ip,
			strerror(errno));
		return -1;
	}
	sl = sizeof(s->ss);
	getsockname(s->fd, (struct sockaddr *)&s->ss, &sl);
	ice_addr_from_sockaddr(&s->addr, (struct sockaddr *)&s->ss);
	return 0;
}

static void to_ice_cand(const struct ib_cand *b, struct ice_cand *c)
{
	uint8_t ip[16];

	memset(c, 0, sizeof(*c));
	c->type = ICE_CAND_HOST;
	c->transport = ICE_TRANSPORT_UDP;
	c->component = 1;
	c->priority = b->priority;
	inet_pton(b->family, b->ip, ip);
	ice_addr_set(&c->addr, b->family, ip, b->port);
	c->base = c->addr;
	snprintf(c->foundation, sizeof(c->foundation), "%s", b->foundation);
}

int main(int argc, char **argv)
{
	struct ice_agent_config cfg;
	struct ib_desc ldesc, rdesc;
	struct ib_result res;
	struct lsock socks[IB_MAX_CAND];
	struct ice_cand lc[IB_MAX_CAND], rc[IB_MAX_CAND];
	unsigned int rank_n[128] = { 0 };
	unsigned int n_socks = 0, i, timeout_s = 20;
	struct mice_clock clk;
	struct ice_agent *a;
	const char *sig = NULL;
	bool controlling = false, role_set = false, peer_done = false;
	bool have_t1 = false, verbose = false;
	double deadline, linger_until = 0;
	int sfd = -1, lfd = -1, k;
	enum ice_err e;

	ice_agent_config_default(&cfg);
	memset(&res, 0, sizeof(res));
	res.impl = "mice";
	res.nomination = "regular";
	for (k = 1; k < argc; k++) {
		const char *o = argv[k];

		if (!strcmp(o, "--controlling") || !strcmp(o, "--controlled")) {
			controlling = !strcmp(o, "--controlling");
			role_set = true;
		} else if (!strcmp(o, "-v")) {
			verbose = true;
		} else if (k + 1 >= argc) {
			usage();
		} else if (!strcmp(o, "--sig")) {
			sig = argv[++k];
		} else if (!strcmp(o, "--ta")) {
			cfg.ta_ms = (uint32_t)atoi(argv[++k]);
		} else if (!strcmp(o, "--nominate-wait")) {
			cfg.nominate_wait_ms = (uint32_t)atoi(argv[++k]);
		} else if (!strcmp(o, "--timeout")) {
			timeout_s = (unsigned int)atoi(argv[++k]);
		} else if (!strcmp(o, "--nomination")) {
			res.nomination = argv[++k];
			if (!strcmp(res.nomination, "aggressive"))
				cfg.nomination = ICE_NOM_AGGRESSIVE;
			else if (strcmp(res.nomination, "regular"))
				usage();
		} else if (!strcmp(o, "--addr")) {
			char ip[64], *comma;
			unsigned int rank;
			struct ice_cand c;

			if (n_socks >= IB_MAX_CAND)
				usage();
			snprintf(ip, sizeof(ip), "%s", argv[++k]);
			comma = strchr(ip, ',');
			rank = comma ? (unsigned int)atoi(comma + 1) : n_socks;
			if (comma)
				*comma = 0;
			if (rank > 127)
				rank = 127;
			if (open_sock(ip, &socks[n_socks]))
				return 2;
			memset(&c, 0, sizeof(c));
			c.type = ICE_CAND_HOST;
			c.transport = ICE_TRANSPORT_UDP;
			c.component = 1;
			c.local_pref = ice_local_pref(socks[n_socks].addr.family,
						      rank, rank_n[rank]++);
			c.addr = socks[n_socks].addr;
			c.base = c.addr;
			ice_cand_compute_priority(&c);
			lc[n_socks++] = c;	/* added once the agent exists */
		} else {
			usage();
		}
	}
	if (!role_set || !sig || !n_socks)
		usage();
	res.controlling = controlling;
	res.ta_ms = cfg.ta_ms ? cfg.ta_ms : ICE_DEFAULT_TA_MS;
	res.checked_before = -1;
	cfg.controlling = controlling;
	ib_random_cred(cfg.ufrag, 9);
	ib_random_cred(cfg.pwd, 25);
	mice_clock_monotonic(&clk);
	a = ice_agent_new(&cfg, &clk);
	if (!a) {
		fprintf(stderr, "ice_bench_mice: bad config\n");
		return 2;
	}
	memset(&ldesc, 0, sizeof(ldesc));
	snprintf(ldesc.ufrag, sizeof(ldesc.ufrag), "%s", cfg.ufrag);
	snprintf(ldesc.pwd, sizeof(ldesc.pwd), "%s", cfg.pwd);
	for (i = 0; i < n_socks; i++) {
		if (ice_agent_add_local_candidate(a, &lc[i]) != ICE_OK) {
			fprintf(stderr, "ice_bench_mice: local candidate\n");
			return 2;
		}
	}
	for (i = 0; i < ice_agent_local_count(a); i++) {
		const struct ice_cand *c = ice_agent_local_get(a, i);
		struct ib_cand *b = &ldesc.c[ldesc.n++];

		snprintf(b->foundation, sizeof(b->foundation), "%s",
			 c->foundation);
		b->priority = c->priority;
		b->port = c->addr.port;
		b->family = c->addr.family;
		inet_ntop(c->addr.family, c->addr.ip, b->ip, sizeof(b->ip));
	}

	/* Offer/answer. */
	if (controlling) {
		lfd = ib_sig_listen(sig);
		if (lfd < 0 || (sfd = ib_sig_accept(lfd, 10000)) < 0 ||
		    ib_sig_send_desc(sfd, &ldesc) ||
		    ib_sig_recv_desc(sfd, &rdesc, 10000))
			return 2;
		res.t0 = ib_now_ms();
	} else {
		sfd = ib_sig_connect(sig, 10000);
		if (sfd < 0 || ib_sig_recv_desc(sfd, &rdesc, 10000))
			return 2;
		res.t0 = ib_now_ms();
		if (ib_sig_send_desc(sfd, &ldesc))
			return 2;
	}
	for (i = 0; i < rdesc.n; i++)
		to_ice_cand(&rdesc.c[i], &rc[i]);
	e = ice_agent_set_remote(a, rdesc.ufrag, rdesc.pwd, rc, rdesc.n, true,
				 mice_clock_now(&clk));
	if (e != ICE_OK) {
		fprintf(stderr, "ice_bench_mice: set_remote: %s\n",
			ice_err_str(e));
		return 2;
	}
	fcntl(sfd, F_SETFL, O_NONBLOCK);
	deadline = res.t0 + timeout_s * 1000.0;

	for (;;) {
		struct pollfd pfd[IB_MAX_CAND + 1];
		uint64_t now = mice_clock_now(&clk), next;
		struct ice_event ev;
		struct ice_tx tx;
		int wait;

		while (ice_agent_poll(a, now, &tx)) {
			struct sockaddr_storage to;
			socklen_t tl;

			for (i = 0; i < n_socks; i++)
				if (ice_addr_eq(&socks[i].addr, &tx.local_base))
					break;
			if (i == n_socks ||
			    ice_addr_to_sockaddr(&tx.to, &to, &tl))
				continue;
			/* Errors (unreachable) are the network's business;
			 * the engine times the check out. */
			if (sendto(socks[i].fd, tx.buf, tx.len, 0,
				   (struct sockaddr *)&to, tl) >= 0)
				ib_tap_tx((struct sockaddr *)&socks[i].ss,
					  (struct sockaddr *)&to, tx.buf,
					  tx.len);
		}
		while (ice_agent_next_event(a, &ev)) {
			if (ev.type == ICE_EV_FAILED && !have_t1) {
				res.note = "ice failed";
				goto out;
			}
			if (ev.type != ICE_EV_NOMINATED || have_t1)
				continue;
			res.t1 = ib_now_ms();
			have_t1 = true;
			res.ok = true;
			res.at_t1 = ib_tap;
			ice_addr_str(&ev.pair.local_base, res.local,
				     sizeof(res.local));
			ice_addr_str(&ev.pair.remote.addr, res.remote,
				     sizeof(res.remote));
			res.checked_before = ib_tap_tuple_index(res.local,
								res.remote);
			res.engine_checks = (long)ice_agent_stats(a)->checks_sent;
			res.engine_retransmits =
				(long)ice_agent_stats(a)->retransmits;
			ib_sig_send_line(sfd, "done");
			linger_until = res.t1 + 3000;
		}
		if (!peer_done) {
			int d = ib_sig_poll_done(sfd);

			if (d != 0)
				peer_done = true;	/* done, or peer gone */
		}
		if (have_t1 && (peer_done || ib_now_ms() > linger_until))
			break;
		if (ib_now_ms() > deadline) {
			res.note = "timeout";
			break;
		}
		next = ice_agent_next_timeout(a);
		wait = 100;
		if (next != ICE_NEVER)
			wait = next > now ? (int)(next - now) : 0;
		if (wait > 100)
			wait = 100;
		for (i = 0; i < n_socks; i++) {
			pfd[i].fd = socks[i].fd;
			pfd[i].events = POLLIN;
		}
		pfd[n_socks].fd = sfd;
		pfd[n_socks].events = peer_done ? 0 : POLLIN;
		if (poll(pfd, n_socks + 1, wait) <= 0)
			continue;
		for (i = 0; i < n_socks; i++) {
			uint8_t buf[2048];
			struct sockaddr_storage from;
			struct ice_addr fa;
			socklen_t fl;
			ssize_t r;

			if (!(pfd[i].revents & POLLIN))
				continue;
			for (;;) {
				fl = sizeof(from);
				r = recvfrom(socks[i].fd, buf, sizeof(buf), 0,
					     (struct sockaddr *)&from, &fl);
				if (r < 0)
					break;
				if (ice_addr_from_sockaddr(&fa,
						(struct sockaddr *)&from))
					continue;
				ice_agent_on_datagram(a, &socks[i].addr, &fa,
						      buf, (size_t)r,
						      mice_clock_now(&clk));
			}
		}
	}
out:
	res.pairs_above = ib_pairs_above(&ldesc, &rdesc, controlling,
					 res.local, res.remote,
					 &res.pairs_total);
	if (!res.ok) {
		res.engine_checks = (long)ice_agent_stats(a)->checks_sent;
		res.engine_retransmits = (long)ice_agent_stats(a)->retransmits;
	}
	if (verbose) {
		fprintf(stderr, "t1 %.1f\n", res.t1 - res.t0);
		ib_print_tuples(res.t0);
	}
	ib_print_result(&res);
	ice_agent_free(a);
	for (i = 0; i < n_socks; i++)
		close(socks[i].fd);
	if (lfd >= 0) {
		close(lfd);
		unlink(sig);
	}
	close(sfd);
	return res.ok ? 0 : 1;
}
