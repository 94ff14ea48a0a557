// SPDX-License-Identifier: GPL-2.0
/* mice attach | detach | show: sockets and counters of the module. */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "classify.h"
#include "commands.h"
#include "json.h"
#include "nl.h"
#include "nlmsg.h"

static volatile sig_atomic_t attach_stop;

static void attach_on_signal(int sig)
{
	(void)sig;
	attach_stop = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A bound UDP socket for @addr:@port, v6only for IPv6 (the module needs it). */
static int attach_bind(const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	if (mice_parse_sockaddr(addr, (uint16_t)port, &ss, &len)) {
		cli_err("invalid value '%s' for --addr: expected an IPv4 or IPv6 "
			"address literal", addr);
		return -CLI_USAGE;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		cli_err("socket: %s", strerror(errno));
		return -CLI_FAIL;
	}
	if (ss.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) {
		cli_err("IPV6_V6ONLY: %s", strerror(errno));
		close(fd);
		return -CLI_FAIL;
	}
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		if (errno == EADDRINUSE)
			cli_err("port %d is already in use on %s; pick another "
				"--port or stop the other owner", port, addr);
		else if (errno == EACCES)
			cli_err("binding %s port %d: permission denied", addr, port);
		else
			cli_err("binding %s port %d: %s", addr, port,
				strerror(errno));
		close(fd);
		return -CLI_FAIL;
	}
	return fd;
}

static int on_sock_reply(const struct nlmsghdr *nlh, void *data)
{
	const char *why = NULL;

	if (mice_msg_parse_sock(nlh, data, &why)) {
		cli_err("malformed reply from the module: %s", why);
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static void print_packet(const struct cli_opts *opts, const uint8_t *buf,
			 size_t n, const struct sockaddr_storage *from)
{
	char addr[MICE_ADDRSTRLEN];
	enum mice_reason reason;
	enum mice_class cls;
	uint16_t port;
	size_t i;

	cls = mice_classify(buf, (u32)n, (u32)n, &reason);
	mice_sockaddr_str((const struct sockaddr *)from, addr, sizeof(addr),
			  &port);
	if (opts->json) {
		struct json j;

		json_init(&j, stdout);
		json_obj_open(&j, NULL);
		json_str(&j, "event", "packet");
		json_str(&j, "class", mice_class_name(cls));
		json_str(&j, "from", addr);
		json_u64(&j, "port", port);
		json_u64(&j, "len", n);
		json_hex(&j, "hex", buf, n);
		json_obj_close(&j);
		json_end(&j);
		return;
	}
	printf("%s from %s port %u len %zu ", mice_class_name(cls), addr, port, n);
	for (i = 0; i < n; i++)
		printf("%02x", buf[i]);
	putchar('\n');
	fflush(stdout);
}

static void print_attached(const struct cli_opts *opts,
			   const struct mice_sock_info *si)
{
	char addr[MICE_ADDRSTRLEN];

	mice_addr_str(si->family, si->addr, addr, sizeof(addr));
	if (opts->json) {
		struct json j;

		json_init(&j, stdout);
		json_obj_open(&j, NULL);
		json_str(&j, "event", "attached");
		json_u64(&j, "id", si->id);
		json_str(&j, "family", mice_family_name(si->family));
		json_str(&j, "address", addr);
		json_u64(&j, "port", si->port);
		json_obj_close(&j);
		json_end(&j);
	} else {
		printf("attached socket %u %s %s port %u\n", si->id,
		       mice_family_name(si->family), addr, si->port);
		fflush(stdout);
	}
}

/* Reads control packets until a signal, --count or --timeout. */
static int attach_loop(int fd, const struct cli_opts *opts,
		       unsigned long count, unsigned long timeout_s)
{
	uint64_t deadline = timeout_s ? now_ms() + timeout_s * 1000 : 0;
	static uint8_t buf[65536];
	unsigned long seen = 0;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = attach_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	while (!attach_stop && (!count || seen < count)) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		int wait = 200;
		ssize_t n;

		if (deadline) {
			uint64_t now = now_ms();

			if (now >= deadline)
				break;
			if (deadline - now < 200)
				wait = (int)(deadline - now);
		}
		if (poll(&pfd, 1, wait) <= 0)
			continue;
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &fromlen);
		if (n < 0)
			continue;
		print_packet(opts, buf, (size_t)n, &from);
		seen++;
	}
	if (count && seen < count) {
		cli_err("stopped after %lu of %lu packets", seen, count);
		return CLI_FAIL;
	}
	return CLI_OK;
}

int cmd_attach(int argc, char **argv, const struct cli_opts *opts)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'P' },
		{ "addr", required_argument, NULL, 'a' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	char buf[MICE_NL_MSGBUF];
	unsigned long count = 0, timeout_s = 0;
	const char *addr = "0.0.0.0";
	struct mice_sock_info si;
	struct nlmsghdr *nlh;
	struct mice_nl nl;
	int port = -1, fd, c, ret;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'P':
			port = mice_parse_port(optarg, false);
			if (port < 0) {
				cli_err("invalid value '%s' for --port: expected "
					"1-65535", optarg);
				return CLI_USAGE;
			}
			break;
		case 'a':
			addr = optarg;
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
		default:
			cli_err("usage: mice attach --port N [--addr A] "
				"[--count N] [--timeout S]");
			return CLI_USAGE;
		}
	}
	if (optind < argc) {
		cli_err("unexpected argument '%s' for attach", argv[optind]);
		return CLI_USAGE;
	}
	if (port < 0) {
		cli_err("attach needs --port N");
		return CLI_USAGE;
	}

	ret = cli_nl_open(&nl);
	if (ret)
		return ret;
	fd = attach_bind(addr, port);
	if (fd < 0) {
		mice_nl_close(&nl);
		return -fd;
	}
	nlh = mice_msg_request(buf, nl.family_id, MICE_CMD_SOCK_ATTACH, 0, 0);
	mice_msg_put_sock_fd(nlh, (uint32_t)fd);
	ret = mice_nl_talk(&nl, nlh, on_sock_reply, &si);
	mice_nl_close(&nl);
	if (ret) {
		close(fd);
		return cli_nl_fail(&nl, ret, "attach");
	}
	print_attached(opts, &si);
	/* Closing the socket detaches it (the module's encap_destroy). */
	ret = attach_loop(fd, opts, count, timeout_s);
	close(fd);
	return ret;
}

int cmd_detach(int argc, char **argv, const struct cli_opts *opts)
{
	char buf[MICE_NL_MSGBUF];
	struct nlmsghdr *nlh;
	unsigned long id;
	struct mice_nl nl;
	int ret;

	(void)opts;
	if (argc != 2) {
		cli_err("usage: mice detach ID");
		return CLI_USAGE;
	}
	if (cli_parse_uint("socket ID", argv[1], UINT32_MAX, &id) || !id) {
		if (!id)
			cli_err("socket IDs start at 1");
		return CLI_USAGE;
	}
	ret = cli_nl_open(&nl);
	if (ret)
		return ret;
	nlh = mice_msg_request(buf, nl.family_id, MICE_CMD_SOCK_DETACH, 0, 0);
	mice_msg_put_sock_id(nlh, (uint32_t)id);
	return cli_nl_exchange(&nl, nlh, NULL, NULL, "detach");
}

#define SHOW_MAX_SOCKETS MICE_MAX_SOCKETS_PER_NETNS

struct show_sockets {
	struct mice_sock_info si[SHOW_MAX_SOCKETS];
	unsigned int n;
};

static int on_sock_dump(const struct nlmsghdr *nlh, void *data)
{
	struct show_sockets *ss = data;
	const char *why = NULL;

	if (ss->n >= SHOW_MAX_SOCKETS)
		return MNL_CB_OK;
	if (mice_msg_parse_sock(nlh, &ss->si[ss->n], &why)) {
		cli_err("malformed socket in dump: %s", why);
		return MNL_CB_ERROR;
	}
	ss->n++;
	return MNL_CB_OK;
}

static int on_stats_reply(const struct nlmsghdr *nlh, void *data)
{
	const char *why = NULL;

	if (mice_msg_parse_stats(nlh, data, &why)) {
		cli_err("malformed stats reply: %s", why);
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static void json_counts(struct json *j, const char *key,
			const struct mice_count *rows, unsigned int n,
			const char *(*name)(unsigned int), unsigned int first)
{
	unsigned int i;

	json_obj_open(j, key);
	for (i = first; i < n; i++) {
		json_obj_open(j, name(i));
		json_u64(j, "packets", rows[i].packets);
		json_u64(j, "bytes", rows[i].bytes);
		json_obj_close(j);
	}
	json_obj_close(j);
}

static void show_json(const struct show_sockets *ss,
		      const struct mice_stats_info *st, bool sockets, bool stats)
{
	char addr[MICE_ADDRSTRLEN];
	struct json j;
	unsigned int i;

	json_init(&j, stdout);
	json_obj_open(&j, NULL);
	if (sockets) {
		json_arr_open(&j, "sockets");
		for (i = 0; i < ss->n; i++) {
			const struct mice_sock_info *si = &ss->si[i];

			json_obj_open(&j, NULL);
			json_u64(&j, "id", si->id);
			json_str(&j, "family", mice_family_name(si->family));
			json_str(&j, "address", mice_addr_str(si->family,
					si->addr, addr, sizeof(addr)));
			json_u64(&j, "port", si->port);
			json_counts(&j, "rx", si->rx, __MICE_CLASS_MAX,
				    mice_class_name, 0);
			json_obj_close(&j);
		}
		json_arr_close(&j);
	}
	if (stats) {
		json_obj_open(&j, "stats");
		json_u64(&j, "sockets", st->sockets);
		json_counts(&j, "rx", st->rx, __MICE_CLASS_MAX,
			    mice_class_name, 0);
		json_counts(&j, "drop", st->drop, __MICE_REASON_MAX,
			    mice_reason_name, MICE_REASON_NONE + 1);
		json_u64(&j, "events_suppressed", st->events_suppressed);
		json_obj_close(&j);
	}
	json_obj_close(&j);
	json_end(&j);
}

static void show_text(const struct show_sockets *ss,
		      const struct mice_stats_info *st, bool sockets, bool stats)
{
	char addr[MICE_ADDRSTRLEN];
	unsigned int i, c;

	if (sockets) {
		for (i = 0; i < ss->n; i++) {
			const struct mice_sock_info *si = &ss->si[i];

			printf("socket %u: %s %s port %u\n", si->id,
			       mice_family_name(si->family),
			       mice_addr_str(si->family, si->addr, addr,
					     sizeof(addr)), si->port);
			printf("    rx");
			for (c = 0; c < __MICE_CLASS_MAX; c++)
				printf(" %s %llu", mice_class_name(c),
				       (unsigned long long)si->rx[c].packets);
			printf("\n");
		}
		if (!ss->n)
			printf("no sockets attached\n");
	}
	if (stats) {
		printf("stats: %u sockets\n", st->sockets);
		for (c = 0; c < __MICE_CLASS_MAX; c++)
			printf("    rx   %-20s %12llu packets %14llu bytes\n",
			       mice_class_name(c),
			       (unsigned long long)st->rx[c].packets,
			       (unsigned long long)st->rx[c].bytes);
		for (c = MICE_REASON_NONE + 1; c < __MICE_REASON_MAX; c++)
			if (st->drop[c].packets)
				printf("    drop %-20s %12llu packets %14llu bytes\n",
				       mice_reason_name(c),
				       (unsigned long long)st->drop[c].packets,
				       (unsigned long long)st->drop[c].bytes);
		printf("    drop events suppressed %llu\n",
		       (unsigned long long)st->events_suppressed);
	}
}

int cmd_show(int argc, char **argv, const struct cli_opts *opts)
{
	char buf[MICE_NL_MSGBUF];
	static struct show_sockets ss;
	struct mice_stats_info st;
	bool sockets = true, stats = true;
	struct nlmsghdr *nlh;
	struct mice_nl nl;
	int ret;

	if (argc > 2) {
		cli_err("usage: mice show [sockets|stats|peers]");
		return CLI_USAGE;
	}
	if (argc == 2) {
		if (!strcmp(argv[1], "peers"))
			return cmd_pair_show(opts);
		if (!strcmp(argv[1], "sockets")) {
			stats = false;
		} else if (!strcmp(argv[1], "stats")) {
			sockets = false;
		} else {
			cli_err("unknown object '%s' for show: expected "
				"sockets, stats or peers", argv[1]);
			return CLI_USAGE;
		}
	}
	ret = cli_nl_open(&nl);
	if (ret)
		return ret;
	memset(&ss, 0, sizeof(ss));
	memset(&st, 0, sizeof(st));
	if (sockets) {
		nlh = mice_msg_request(buf, nl.family_id, MICE_CMD_SOCK_GET,
				       NLM_F_DUMP, 0);
		ret = mice_nl_talk(&nl, nlh, on_sock_dump, &ss);
		if (ret)
			goto fail;
	}
	if (stats) {
		nlh = mice_msg_request(buf, nl.family_id, MICE_CMD_STATS_GET,
				       0, 0);
		ret = mice_nl_talk(&nl, nlh, on_stats_reply, &st);
		if (ret)
			goto fail;
	}
	mice_nl_close(&nl);
	if (opts->json)
		show_json(&ss, &st, sockets, stats);
	else
		show_text(&ss, &st, sockets, stats);
	return CLI_OK;
fail:
	mice_nl_close(&nl);
	return cli_nl_fail(&nl, ret, "show");
}
