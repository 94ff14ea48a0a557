// SPDX-License-Identifier: GPL-2.0
/*
 * mice gather | stun | stun-server: host candidates and address events
 * (agent/gather.h), one server-reflexive query (agent/srflx.h), and the
 * Home Agent's Binding server (agent/stun_server.h). See cmd_stun.h.
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "clock.h"
#include "cmd_stun.h"
#include "config.h"
#include "gather.h"
#include "json.h"
#include "srflx.h"
#include "stun_server.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	stop_flag = 0;
}

static uint64_t now_ms(void)
{
	static struct mice_clock c;

	if (!c.now_ms)
		mice_clock_monotonic(&c);
	return mice_clock_now(&c);
}

/* Milliseconds to wait in poll() until @deadline (0: none), at most @cap. */
static int wait_ms(uint64_t deadline, int cap)
{
	uint64_t now = now_ms();

	if (!deadline)
		return cap;
	if (deadline <= now)
		return 0;
	return deadline - now < (uint64_t)cap ? (int)(deadline - now) : cap;
}

static const char *addr_ip(const struct ice_addr *a, char *buf, size_t len)
{
	struct ice_addr tmp = *a;
	char *p;

	/* ice_addr_str gives "ip:port" or "[ip]:port": keep the IP. */
	tmp.port = 0;
	ice_addr_str(&tmp, buf, len);
	if (buf[0] == '[') {
		p = strrchr(buf, ']');
		if (p)
			*p = 0;
		memmove(buf, buf + 1, strlen(buf));
	} else if ((p = strrchr(buf, ':'))) {
		*p = 0;
	}
	return buf;
}

/* ---- mice gather ---- */

static void print_cands(const struct cli_opts *opts,
			const struct gather_result *r,
			const struct gather_opts *go,
			const struct ice_cand_set *set)
{
	char ip[INET6_ADDRSTRLEN + 8];
	unsigned int i, k;

	if (opts->json) {
		struct json j;

		json_init(&j, stdout);
		json_arr_open(&j, NULL);
		for (i = 0; i < set->n; i++) {
			const struct ice_cand *c = &set->c[i];
			const char *ifname = "";

			for (k = 0; k < r->n; k++)
				if (ice_addr_ip_eq(&r->a[k].addr, &c->addr))
					ifname = r->a[k].ifname;
			json_obj_open(&j, NULL);
			json_str(&j, "type", ice_cand_type_name(c->type));
			json_str(&j, "family", c->addr.family == AF_INET ?
				 "inet" : "inet6");
			json_str(&j, "address", addr_ip(&c->addr, ip,
							sizeof(ip)));
			json_u64(&j, "port", c->addr.port);
			json_str(&j, "interface", ifname);
			json_u64(&j, "local_pref", c->local_pref);
			json_u64(&j, "priority", c->priority);
			json_str(&j, "foundation", c->foundation);
			json_obj_close(&j);
		}
		json_arr_close(&j);
		json_end(&j);
		return;
	}
	for (i = 0; i < set->n; i++) {
		const struct ice_cand *c = &set->c[i];
		const char *ifname = "?";

		for (k = 0; k < r->n; k++)
			if (ice_addr_ip_eq(&r->a[k].addr, &c->addr))
				ifname = r->a[k].ifname;
		printf("host %s port %u dev %s local-pref %u priority %u "
		       "foundation %s\n", addr_ip(&c->addr, ip, sizeof(ip)),
		       c->addr.port, ifname, c->local_pref, c->priority,
		       c->foundation);
	}
	if (opts->verbose) {
		for (k = 0; k < r->n; k++) {
			const char *why;

			if (gather_addr_usable(&r->a[k], r, go, &why))
				continue;
			printf("skipped %s dev %s: %s\n",
			       addr_ip(&r->a[k].addr, ip, sizeof(ip)),
			       r->a[k].ifname, why);
		}
	}
}

struct watch_out {
	const struct cli_opts *opts;
	unsigned long seen;
};

static void on_addr_event(enum gather_event ev, const struct gather_addr *a,
			  bool usable, const char *why, void *arg)
{
	struct watch_out *wo = arg;
	char ip[INET6_ADDRSTRLEN + 8];

	wo->seen++;
	if (wo->opts->json) {
		struct json j;

		json_init(&j, stdout);
		json_obj_open(&j, NULL);
		json_str(&j, "event", gather_event_name(ev));
		if (a) {
			json_str(&j, "address", addr_ip(&a->addr, ip,
							sizeof(ip)));
			json_u64(&j, "prefixlen", a->prefixlen);
			json_str(&j, "interface", a->ifname);
			json_u64(&j, "ifindex", (uint64_t)a->ifindex);
			json_bool(&j, "usable", usable);
			if (!usable && why)
				json_str(&j, "why", why);
		}
		json_obj_close(&j);
		json_end(&j);
		return;
	}
	if (!a) {
		printf("%s (%s)\n", gather_event_name(ev), why ? why : "");
	} else {
		printf("%s %s/%u dev %s %s%s%s\n", gather_event_name(ev),
		       addr_ip(&a->addr, ip, sizeof(ip)), a->prefixlen,
		       a->ifname[0] ? a->ifname : "?",
		       usable ? "usable" : "unusable", usable ? "" : ": ",
		       usable ? "" : (why ? why : ""));
	}
	fflush(stdout);
}

static int gather_watch_loop(const struct cli_opts *opts,
			     const struct gather_opts *go,
			     unsigned long count, unsigned long timeout_s)
{
	struct watch_out wo = { opts, 0 };
	uint64_t deadline = timeout_s ? now_ms() + timeout_s * 1000 : 0;
	struct gather_watch w;
	int ret;

	ret = gather_watch_open(&w, go, on_addr_event, &wo);
	if (ret) {
		cli_err("cannot subscribe to address events: %s",
			strerror(-ret));
		return CLI_FAIL;
	}
	catch_signals();
	if (!opts->json) {
		printf("watching address changes\n");
		fflush(stdout);
	}
	while (!stop_flag && (!count || wo.seen < count)) {
		struct pollfd pfd = { .fd = gather_watch_fd(&w),
				      .events = POLLIN };

		if (deadline && now_ms() >= deadline)
			break;
		if (poll(&pfd, 1, wait_ms(deadline, 200)) <= 0)
			continue;
		ret = gather_watch_process(&w);
		if (ret < 0) {
			cli_err("reading address events: %s", strerror(-ret));
			gather_watch_close(&w);
			return CLI_FAIL;
		}
	}
	gather_watch_close(&w);
	if (count && wo.seen < count) {
		cli_err("stopped after %lu of %lu events", wo.seen, count);
		return CLI_FAIL;
	}
	return CLI_OK;
}

int cmd_gather(int argc, char **argv, const struct cli_opts *gopts)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'P' },
		{ "if-order", required_argument, NULL, 'o' },
		{ "linklocal", no_argument, NULL, 'l' },
		{ "deprecated", no_argument, NULL, 'd' },
		{ "no-ipv4", no_argument, NULL, '4' },
		{ "no-ipv6", no_argument, NULL, '6' },
		{ "max", required_argument, NULL, 'm' },
		{ "watch", no_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	static struct gather_result r;
	static struct ice_cand_set set;
	const char *order[16];
	char orderbuf[256], err[256];
	struct cli_opts opts = *gopts;
	struct gather_opts go;
	unsigned long max = 0, count = 0, timeout_s = 0;
	bool watch = false;
	int port = 4191, c;

	gather_opts_default(&go, 0);
	optind = 0;
	while ((c = getopt_long(argc, argv, "jv", longopts, NULL)) != -1) {
		switch (c) {
		case 'P':
			port = mice_parse_port(optarg, false);
			if (port < 0) {
				cli_err("invalid value '%s' for --port: expected "
					"1-65535", optarg);
				return CLI_USAGE;
			}
			break;
		case 'o': {
			char *save = NULL, *tok;

			snprintf(orderbuf, sizeof(orderbuf), "%s", optarg);
			go.n_if_order = 0;
			for (tok = strtok_r(orderbuf, ",", &save);
			     tok && go.n_if_order < 16;
			     tok = strtok_r(NULL, ",", &save))
				order[go.n_if_order++] = tok;
			go.if_order = order;
			break;
		}
		case 'l':
			go.linklocal6 = true;
			break;
		case 'd':
			go.deprecated = true;
			break;
		case '4':
			go.no_ipv4 = true;
			break;
		case '6':
			go.no_ipv6 = true;
			break;
		case 'm':
			if (cli_parse_uint("--max", optarg, ICE_CAND_SET_HARD_MAX,
					   &max))
				return CLI_USAGE;
			break;
		case 'w':
			watch = true;
			break;
		case 'c':
			if (cli_parse_uint("--count", optarg, 1UL << 31, &count))
				return CLI_USAGE;
			break;
		case 't':
			if (cli_parse_uint("--timeout", optarg, 86400 * 365,
					   &timeout_s))
				return CLI_USAGE;
			break;
		case 'j':
			opts.json = true;
			break;
		case 'v':
			opts.verbose = true;
			break;
		default:
			cli_err("usage: mice gather [-j] [--port N] "
				"[--if-order IF,IF..] [--linklocal] "
				"[--deprecated] [--no-ipv4|--no-ipv6] [--max N] "
				"[--watch [--count N] [--timeout S]]");
			return CLI_USAGE;
		}
	}
	if (optind < argc) {
		cli_err("unexpected argument '%s' for gather", argv[optind]);
		return CLI_USAGE;
	}
	if (go.no_ipv4 && go.no_ipv6) {
		cli_err("--no-ipv4 and --no-ipv6 together leave nothing to "
			"gather");
		return CLI_USAGE;
	}
	go.port = (uint16_t)port;
	if (watch)
		return gather_watch_loop(&opts, &go, count, timeout_s);
	if (gather_dump(&r, err, sizeof(err))) {
		cli_err("%s", err);
		return CLI_FAIL;
	}
	ice_cand_set_init(&set, (unsigned int)max, 'L');
	gather_host_from(&r, &go, &set);
	ice_cand_set_sort(&set);
	print_cands(&opts, &r, &go, &set);
	return CLI_OK;
}

/* ---- sockets ---- */

static int to_sockaddr(const struct ice_addr *a, struct sockaddr_storage *ss,
		       socklen_t *len)
{
	return ice_addr_to_sockaddr(a, ss, len);
}

/* A UDP socket bound to @local (v6only for IPv6). -1 after cli_err. */
static int udp_bind(const struct ice_addr *local)
{
	struct sockaddr_storage ss;
	char s[STUN_ADDRSTRLEN];
	socklen_t len;
	int fd, one = 1;

	if (to_sockaddr(local, &ss, &len)) {
		cli_err("unsupported address family");
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		cli_err("socket: %s", strerror(errno));
		return -1;
	}
	if (ss.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) {
		cli_err("IPV6_V6ONLY: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		ice_addr_str(local, s, sizeof(s));
		if (errno == EADDRINUSE)
			cli_err("binding %s: the port is already in use; pick "
				"another port or stop its owner", s);
		else if (errno == EADDRNOTAVAIL)
			cli_err("binding %s: no interface has this address", s);
		else
			cli_err("binding %s: %s", s, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* "ADDR", "ADDR:PORT", "[V6]", "[V6]:PORT"; no port or port 0 = any. */
static int parse_local(const char *s, struct ice_addr *a, const char **why)
{
	char tmp[80];
	size_t n = strlen(s);

	if (!mice_parse_hostport(s, 0, a, why))
		return 0;
	if (!mice_parse_hostport(s, 1, a, why)) {
		a->port = 0;		/* no port given */
		return 0;
	}
	if (n > 2 && n < sizeof(tmp) && !strcmp(s + n - 2, ":0")) {
		memcpy(tmp, s, n - 2);
		tmp[n - 2] = 0;
		if (!mice_parse_hostport(tmp, 1, a, why)) {
			a->port = 0;
			return 0;
		}
	}
	return -1;
}

/* ---- mice stun ---- */

static void print_query(const struct cli_opts *opts,
			const struct srflx_query *q)
{
	char m[STUN_ADDRSTRLEN], b[STUN_ADDRSTRLEN], s[STUN_ADDRSTRLEN];
	char ip[INET6_ADDRSTRLEN + 8];

	ice_addr_str(&q->mapped, m, sizeof(m));
	ice_addr_str(&q->base, b, sizeof(b));
	ice_addr_str(&q->server, s, sizeof(s));
	if (opts->json) {
		struct json j;

		json_init(&j, stdout);
		json_obj_open(&j, NULL);
		json_str(&j, "mapped", m);
		json_str(&j, "mapped_address", addr_ip(&q->mapped, ip,
						       sizeof(ip)));
		json_u64(&j, "mapped_port", q->mapped.port);
		json_str(&j, "attribute", q->mapped_from_xor ?
			 "XOR-MAPPED-ADDRESS" : "MAPPED-ADDRESS");
		json_str(&j, "base", b);
		json_str(&j, "server", s);
		json_u64(&j, "rtt_ms", q->end_ms - q->start_ms);
		json_u64(&j, "requests", q->txn.sent);
		json_bool(&j, "nat", !ice_addr_eq(&q->mapped, &q->base));
		if (q->software[0])
			json_str(&j, "software", q->software);
		json_obj_close(&j);
		json_end(&j);
		return;
	}
	printf("mapped %s base %s server %s rtt %llu ms requests %u%s\n", m, b,
	       s, (unsigned long long)(q->end_ms - q->start_ms), q->txn.sent,
	       ice_addr_eq(&q->mapped, &q->base) ? "" : " (behind a NAT)");
	if (opts->verbose && q->software[0])
		printf("server software: %s\n", q->software);
}

int cmd_stun(int argc, char **argv, const struct cli_opts *gopts)
{
	static const struct option longopts[] = {
		{ "local", required_argument, NULL, 'l' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_opts opts = *gopts;
	struct ice_addr server, local, base;
	struct sockaddr_storage ss;
	struct srflx_query q;
	const char *why = NULL, *local_s = NULL;
	unsigned long timeout_s = 5;
	uint64_t deadline;
	enum stun_txn_action act;
	socklen_t len;
	int fd, c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "jv", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			local_s = optarg;
			break;
		case 't':
			if (cli_parse_uint("--timeout", optarg, 3600,
					   &timeout_s))
				return CLI_USAGE;
			if (!timeout_s) {
				cli_err("--timeout must be at least 1 second");
				return CLI_USAGE;
			}
			break;
		case 'j':
			opts.json = true;
			break;
		case 'v':
			opts.verbose = true;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1)
		goto usage;
	if (mice_parse_hostport(argv[optind], MICE_CFG_STUN_PORT, &server,
				&why)) {
		cli_err("invalid STUN server '%s': %s; expected ADDR[:PORT] or "
			"[V6ADDR][:PORT] (default port %d)", argv[optind], why,
			MICE_CFG_STUN_PORT);
		return CLI_USAGE;
	}
	if (local_s) {
		if (parse_local(local_s, &local, &why)) {
			cli_err("invalid value '%s' for --local: %s", local_s,
				why);
			return CLI_USAGE;
		}
		if (local.family != server.family) {
			cli_err("--local %s and the server %s are of different "
				"address families", local_s, argv[optind]);
			return CLI_USAGE;
		}
	} else {
		memset(&local, 0, sizeof(local));
		local.family = server.family;
	}
	fd = udp_bind(&local);
	if (fd < 0)
		return CLI_FAIL;
	/* Connecting picks the source address the kernel routes with, which
	 * is the candidate's base (RFC 8445 s.5.1.1.2). */
	to_sockaddr(&server, &ss, &len);
	if (connect(fd, (struct sockaddr *)&ss, len)) {
		cli_err("cannot reach %s: %s", argv[optind], strerror(errno));
		close(fd);
		return CLI_FAIL;
	}
	len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	ice_addr_from_sockaddr(&base, (struct sockaddr *)&ss);

	catch_signals();
	deadline = now_ms() + timeout_s * 1000;
	act = srflx_start(&q, &base, &server, NULL, now_ms());
	while (!stop_flag) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t next;
		uint8_t buf[STUN_MAX_MSG + 1];
		ssize_t n;

		if (act == STUN_TXN_SEND &&
		    send(fd, q.req, q.req_len, 0) < 0 && errno != ECONNREFUSED)
			cli_err("send: %s", strerror(errno));
		if (act == STUN_TXN_TIMEOUT || q.state != SRFLX_RUNNING)
			break;
		act = STUN_TXN_WAIT;
		if (now_ms() >= deadline)
			break;
		next = srflx_next_deadline(&q);
		if (next > deadline)
			next = deadline;
		if (poll(&pfd, 1, wait_ms(next, 1000)) > 0) {
			n = recv(fd, buf, sizeof(buf), 0);
			if (n > 0)
				srflx_input(&q, now_ms(), buf, (size_t)n,
					    &server);
			if (opts.verbose && n > 0 && q.state == SRFLX_RUNNING)
				cli_err("ignored a datagram: %s", q.why);
			continue;
		}
		act = srflx_on_timer(&q, now_ms());
	}
	close(fd);
	switch (q.state) {
	case SRFLX_DONE:
		print_query(&opts, &q);
		return CLI_OK;
	case SRFLX_ERROR:
		cli_err("%s answered with error %d%s%s", argv[optind],
			q.error_code, q.reason[0] ? ": " : "", q.reason);
		return CLI_FAIL;
	default:
		cli_err("no answer from %s within %lu s (%u requests sent); "
			"check the address, the port and firewalls",
			argv[optind], timeout_s, q.txn.sent);
		return CLI_FAIL;
	}
usage:
	cli_err("usage: mice stun ADDR[:PORT] [--local ADDR[:PORT]] "
		"[--timeout S] [-j]");
	return CLI_USAGE;
}

/* ---- mice stun-server ---- */

static void print_server_stats(const struct cli_opts *opts,
			       const struct stun_server *s)
{
	const struct stun_server_stats *st = &s->st;

	if (opts->json) {
		struct json j;

		json_init(&j, stdout);
		json_obj_open(&j, NULL);
		json_str(&j, "event", "stats");
		json_u64(&j, "received", st->received);
		json_u64(&j, "success", st->success);
		json_u64(&j, "err400", st->err400);
		json_u64(&j, "err420", st->err420);
		json_u64(&j, "discarded", st->discarded);
		json_u64(&j, "ignored", st->ignored);
		json_u64(&j, "rate_limited", st->rate_limited);
		json_u64(&j, "too_big", st->too_big);
		json_obj_close(&j);
		json_end(&j);
		return;
	}
	printf("received %llu success %llu err400 %llu err420 %llu discarded "
	       "%llu ignored %llu rate-limited %llu too-big %llu\n",
	       (unsigned long long)st->received,
	       (unsigned long long)st->success,
	       (unsigned long long)st->err400, (unsigned long long)st->err420,
	       (unsigned long long)st->discarded,
	       (unsigned long long)st->ignored,
	       (unsigned long long)st->rate_limited,
	       (unsigned long long)st->too_big);
	fflush(stdout);
}

int cmd_stun_server(int argc, char **argv, const struct cli_opts *gopts)
{
	static const struct option longopts[] = {
		{ "addr", required_argument, NULL, 'a' },
		{ "port", required_argument, NULL, 'P' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "rate", required_argument, NULL, 'r' },
		{ "no-software", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_opts opts = *gopts;
	struct stun_server_cfg cfg = { .software = STUN_SERVER_SOFTWARE };
	struct stun_server srv;
	struct ice_addr local;
	const char *addr = "0.0.0.0", *why = NULL;
	unsigned long count = 0, timeout_s = 0, rate = 0;
	char hp[80], shown[STUN_ADDRSTRLEN];
	uint64_t deadline, answered = 0;
	int port = MICE_CFG_STUN_PORT, fd, c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "jv", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			addr = optarg;
			break;
		case 'P':
			port = mice_parse_port(optarg, false);
			if (port < 0) {
				cli_err("invalid value '%s' for --port: expected "
					"1-65535", optarg);
				return CLI_USAGE;
			}
			break;
		case 'c':
			if (cli_parse_uint("--count", optarg, 1UL << 31, &count))
				return CLI_USAGE;
			break;
		case 't':
			if (cli_parse_uint("--timeout", optarg, 86400 * 365,
					   &timeout_s))
				return CLI_USAGE;
			break;
		case 'r':
			if (cli_parse_uint("--rate", optarg, 1000000, &rate))
				return CLI_USAGE;
			break;
		case 'n':
			cfg.software = NULL;
			break;
		case 'j':
			opts.json = true;
			break;
		case 'v':
			opts.verbose = true;
			break;
		default:
			cli_err("usage: mice stun-server [--addr A] [--port N] "
				"[--count N] [--timeout S] [--rate PPS] "
				"[--no-software] [-j]");
			return CLI_USAGE;
		}
	}
	if (optind < argc) {
		cli_err("unexpected argument '%s' for stun-server",
			argv[optind]);
		return CLI_USAGE;
	}
	snprintf(hp, sizeof(hp), strchr(addr, ':') ? "[%s]:%d" : "%s:%d", addr,
		 port);
	if (mice_parse_hostport(hp, 0, &local, &why)) {
		cli_err("invalid value '%s' for --addr: expected an IPv4 or "
			"IPv6 address literal", addr);
		return CLI_USAGE;
	}
	cfg.rate_pps = (uint32_t)rate;
	stun_server_init(&srv, &cfg);
	fd = udp_bind(&local);
	if (fd < 0)
		return CLI_FAIL;
	ice_addr_str(&local, shown, sizeof(shown));
	if (opts.json) {
		struct json j;

		json_init(&j, stdout);
		json_obj_open(&j, NULL);
		json_str(&j, "event", "listening");
		json_str(&j, "address", shown);
		json_obj_close(&j);
		json_end(&j);
	} else {
		printf("listening %s\n", shown);
		fflush(stdout);
	}
	catch_signals();
	deadline = timeout_s ? now_ms() + timeout_s * 1000 : 0;
	while (!stop_flag && (!count || answered < count)) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		uint8_t buf[STUN_MAX_MSG + 1], out[STUN_MAX_MSG];
		struct ice_addr fa;
		struct stun_addr sa;
		size_t rn;
		ssize_t n;

		if (deadline && now_ms() >= deadline)
			break;
		if (poll(&pfd, 1, wait_ms(deadline, 200)) <= 0)
			continue;
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &fromlen);
		if (n < 0 || ice_addr_from_sockaddr(&fa, (void *)&from))
			continue;
		stun_addr_set(&sa, fa.family, fa.ip, fa.port);
		rn = stun_server_handle(&srv, now_ms(), buf, (size_t)n, &sa,
					out, sizeof(out));
		if (opts.verbose) {
			ice_addr_str(&fa, shown, sizeof(shown));
			fprintf(stderr, "mice: %zd bytes from %s: %s\n", n,
				shown, rn ? "answered" : "no answer");
		}
		if (!rn)
			continue;
		if (sendto(fd, out, rn, 0, (struct sockaddr *)&from,
			   fromlen) < 0) {
			cli_err("sendto: %s", strerror(errno));
			continue;
		}
		answered++;
	}
	close(fd);
	print_server_stats(&opts, &srv);
	if (count && answered < count) {
		cli_err("stopped after %llu of %lu answers",
			(unsigned long long)answered, count);
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* ---- mice config-check ---- */

static void json_addr(struct json *j, const char *key, const struct ice_addr *a)
{
	char s[STUN_ADDRSTRLEN];

	json_str(j, key, ice_addr_str(a, s, sizeof(s)));
}

static void print_config(const struct mice_config *c)
{
	struct json j;
	unsigned int i;

	json_init(&j, stdout);
	json_obj_open(&j, NULL);
	json_obj_open(&j, "agent");
	json_str(&j, "role", mice_role_name(c->role));
	json_arr_open(&j, "listen");
	for (i = 0; i < c->n_listen; i++)
		json_addr(&j, NULL, &c->listen[i]);
	json_arr_close(&j);
	if (c->has_stun_server)
		json_addr(&j, "stun-server", &c->stun_server);
	if (c->has_home_agent)
		json_addr(&j, "home-agent", &c->home_agent);
	json_bool(&j, "frozen", c->frozen);
	json_str(&j, "nomination", mice_nomination_name(c->nomination));
	json_str(&j, "kernel", mice_kernel_mode_name(c->kernel));
	if (c->home_agent_key[0])
		json_str(&j, "home-agent-key", c->home_agent_key);
	if (c->role == MICE_ROLE_HA)
		json_str(&j, "registration", c->registration == MICE_REG_OPEN ?
			 "open" : "authenticated");
	if (c->user[0])
		json_str(&j, "user", c->user);
	json_obj_close(&j);
	json_obj_open(&j, "limits");
	json_u64(&j, "max-checks", c->max_checks);
	json_u64(&j, "max-remote-candidates", c->max_remote_cands);
	json_u64(&j, "max-local-candidates", c->max_local_cands);
	json_obj_close(&j);
	json_obj_open(&j, "timers");
	json_u64(&j, "ta-ms", c->ta_ms);
	json_u64(&j, "rto-ms", c->rto_ms);
	json_u64(&j, "consent-interval", c->consent_interval_s);
	json_u64(&j, "consent-timeout", c->consent_timeout_s);
	json_u64(&j, "keepalive", c->keepalive_s);
	json_u64(&j, "nomination_wait_ms", c->nom_wait_ms);
	json_u64(&j, "restart_nomination_wait_ms", c->restart_nom_wait_ms);
	json_u64(&j, "silent-slack-ms", c->silent_slack_ms);
	json_u64(&j, "restart-silent-slack-ms", c->restart_silent_slack_ms);
	json_u64(&j, "regather-fallback-ms", c->regather_fallback_ms);
	json_obj_close(&j);
	json_arr_open(&j, "peers");
	for (i = 0; i < c->n_peers; i++) {
		const struct mice_cfg_peer *p = &c->peers[i];

		json_obj_open(&j, NULL);
		json_str(&j, "name", p->name);
		if (p->has_home_agent)
			json_addr(&j, "home-agent", &p->home_agent);
		json_str(&j, "credentials", p->cred == MICE_CRED_MIKEY ?
			 "mikey" : "psk-file");
		if (p->cred == MICE_CRED_PSK_FILE)
			json_str(&j, "psk-file", p->psk_file);
		if (p->ha_key_file[0])
			json_str(&j, "ha-key-file", p->ha_key_file);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_arr_open(&j, "nodes");
	for (i = 0; i < c->n_nodes; i++) {
		json_obj_open(&j, NULL);
		json_str(&j, "name", c->nodes[i].name);
		json_str(&j, "key-file", c->nodes[i].key_file);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_obj_close(&j);
	json_end(&j);
}

int cmd_config_check(int argc, char **argv, const struct cli_opts *opts)
{
	static struct mice_config c;
	char err[MICE_CFG_ERR_MAX];
	int i = 1;

	if (argc == 3 && !strcmp(argv[1], "-j"))
		i = 2;
	else if (argc != 2)
		goto usage;
	if (argv[i][0] == '-')
		goto usage;
	if (mice_config_load(&c, argv[i], err, sizeof(err))) {
		cli_err("%s", err);
		return CLI_FAIL;
	}
	if (opts->json || i == 2)
		print_config(&c);
	else
		printf("%s: ok (role %s, %u listen address%s, %u peer%s)\n",
		       argv[i], mice_role_name(c.role), c.n_listen,
		       c.n_listen == 1 ? "" : "es", c.n_peers,
		       c.n_peers == 1 ? "" : "s");
	return CLI_OK;
usage:
	cli_err("usage: mice config-check [-j] FILE");
	return CLI_USAGE;
}
