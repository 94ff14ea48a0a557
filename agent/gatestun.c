// SPDX-License-Identifier: GPL-2.0
/* mice gate serve | present: token presentation over STUN (gatestun.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "gatestun.h"
#include "nl.h"
#include "nlmsg.h"

size_t gatestun_build_request(uint8_t *buf, size_t cap, const char *token,
			      const struct stun_addr *dest, uint8_t tid[12])
{
	struct stun_builder b;

	stun_random_tid(tid);
	stun_build_init(&b, buf, cap, STUN_METHOD_BINDING, STUN_REQUEST, tid);
	stun_build_attr(&b, GATESTUN_ATTR_AUTH, token, strlen(token));
	stun_build_addr(&b, GATESTUN_ATTR_DEST, dest);
	stun_build_fingerprint(&b);
	return stun_build_len(&b);
}

int gatestun_parse_request(const uint8_t *buf, size_t len, char *token,
			   size_t tokcap, struct stun_addr *dest,
			   uint8_t tid[12], const char **why)
{
	static struct stun_msg m;
	const struct stun_attr_ref *a;
	const uint8_t *v;
	size_t i;

	if (stun_decode(buf, len, &m, NULL) != STUN_OK) {
		*why = "not a well-formed STUN message";
		return -1;
	}
	if (stun_type_method(m.type) != STUN_METHOD_BINDING ||
	    stun_type_class(m.type) != STUN_REQUEST) {
		*why = "not a Binding request";
		return -1;
	}
	memcpy(tid, buf + 8, 12);
	a = stun_msg_get(&m, GATESTUN_ATTR_AUTH);
	if (!a || !a->len || a->len >= tokcap) {
		*why = "MICE-MEDIA-AUTH missing or too long";
		return -1;
	}
	for (i = 0; i < a->len; i++) {
		char c = (char)buf[a->off + i];

		if (!strchr("0123456789abcdefABCDEF", c) || !c) {
			*why = "MICE-MEDIA-AUTH is not 1*HEXDIG (RFC 3313)";
			return -1;
		}
		token[i] = c;
	}
	token[a->len] = '\0';
	a = stun_msg_get(&m, GATESTUN_ATTR_DEST);
	if (!a || a->len < 8) {
		*why = "MICE-MEDIA-DEST missing";
		return -1;
	}
	v = buf + a->off;
	if (v[1] == 0x01 && a->len == 8)
		stun_addr_set(dest, AF_INET, v + 4, (uint16_t)(v[2] << 8 | v[3]));
	else if (v[1] == 0x02 && a->len == 20)
		stun_addr_set(dest, AF_INET6, v + 4, (uint16_t)(v[2] << 8 | v[3]));
	else {
		*why = "MICE-MEDIA-DEST has a bad family or length";
		return -1;
	}
	return 0;
}

static int sock_for(const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd;

	if (mice_parse_sockaddr(addr, (uint16_t)port, &ss, &sl))
		return -1;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sl)) {
		cli_err("binding %s port %d: %s", addr, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void put_flow_attr(struct nlmsghdr *nlh, const struct stun_addr *src,
			  const struct stun_addr *dst)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, MICE_GATE_A_FLOW);
	int alen = src->family == AF_INET ? 4 : 16;

	mnl_attr_put_u8(nlh, MICE_FLOW_A_PROTO, IPPROTO_UDP);
	mnl_attr_put(nlh, MICE_FLOW_A_SRC, alen, src->ip);
	mnl_attr_put(nlh, MICE_FLOW_A_DST, alen, dst->ip);
	mnl_attr_put_u16(nlh, MICE_FLOW_A_SPORT, htons(src->port));
	mnl_attr_put_u16(nlh, MICE_FLOW_A_DPORT, htons(dst->port));
	mnl_attr_nest_end(nlh, nest);
}

/* GATE_COMMIT with @token for udp(@src -> @dst); the kernel's reason on error. */
static int commit_token(const char *token, const struct stun_addr *src,
			const struct stun_addr *dst, char *why, size_t whylen)
{
	char buf[MICE_NL_MSGBUF];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct mice_nl nl;
	int err = mice_nl_open(&nl);

	if (err) {
		snprintf(why, whylen, "gateway has no mice module");
		return err;
	}
	nlh = mice_msg_request(buf, nl.family_id, MICE_CMD_GATE_COMMIT, 0, 0);
	nest = mnl_attr_nest_start(nlh, MICE_A_GATE);
	mnl_attr_put_strz(nlh, MICE_GATE_A_TOKEN, token);
	put_flow_attr(nlh, src, dst);
	mnl_attr_nest_end(nlh, nest);
	err = mice_nl_talk(&nl, nlh, NULL, NULL);
	snprintf(why, whylen, "%s", nl.errmsg[0] ? nl.errmsg : strerror(-err));
	mice_nl_close(&nl);
	return err;
}

static size_t answer(uint8_t *out, size_t cap, const uint8_t tid[12],
		     const struct stun_addr *from, int code, const char *reason)
{
	struct stun_builder b;

	stun_build_init(&b, out, cap, STUN_METHOD_BINDING,
			code ? STUN_ERROR : STUN_SUCCESS, tid);
	if (code)
		stun_build_error_code(&b, code, reason);
	else
		stun_build_xor_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS, from);
	stun_build_fingerprint(&b);
	return stun_build_len(&b);
}

/* mice gate serve --addr A --port N [--count N] [--timeout S] */
int gate_serve(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "addr", required_argument, NULL, 'a' },
		{ "port", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *addr = "0.0.0.0";
	unsigned long count = 0, timeout_s = 0, seen = 0;
	int port = -1, c, fd;
	time_t end;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c == 'a')
			addr = optarg;
		else if (c == 'p')
			port = mice_parse_port(optarg, false);
		else if (c == 'c' && !cli_parse_uint("--count", optarg, 1UL << 31, &count))
			continue;
		else if (c == 't' && !cli_parse_uint("--timeout", optarg, 86400, &timeout_s))
			continue;
		else if (c != 'a' && c != 'p')
			return CLI_USAGE;
	}
	if (port < 0) {
		cli_err("usage: mice gate serve --port N [--addr A] [--count N] [--timeout S]");
		return CLI_USAGE;
	}
	fd = sock_for(addr, port);
	if (fd < 0)
		return CLI_FAIL;
	printf("serving token presentations on %s port %d\n", addr, port);
	fflush(stdout);
	end = timeout_s ? time(NULL) + (time_t)timeout_s : 0;
	while ((!count || seen < count) && (!end || time(NULL) < end)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint8_t buf[1500], out[600], tid[12];
		char token[GATESTUN_TOKEN_MAX + 1], why[256], a[64], b[64];
		struct sockaddr_storage ss;
		struct stun_addr from, dest;
		socklen_t sl = sizeof(ss);
		const char *perr = NULL;
		uint16_t fport;
		size_t olen;
		ssize_t n;
		int err;

		if (poll(&p, 1, 200) <= 0)
			continue;
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss, &sl);
		if (n < 20)
			continue;
		mice_sockaddr_str((struct sockaddr *)&ss, a, sizeof(a), &fport);
		memset(&from, 0, sizeof(from));
		if (ss.ss_family == AF_INET)
			stun_addr_set(&from, AF_INET,
				      &((struct sockaddr_in *)&ss)->sin_addr, fport);
		else
			stun_addr_set(&from, AF_INET6,
				      &((struct sockaddr_in6 *)&ss)->sin6_addr, fport);
		seen++;
		if (gatestun_parse_request(buf, (size_t)n, token, sizeof(token),
					   &dest, tid, &perr)) {
			if ((size_t)n < 20)
				continue;
			memcpy(tid, buf + 8, 12);
			olen = answer(out, sizeof(out), tid, &from, 400, perr);
			printf("refused %s port %u: %s\n", a, fport, perr);
		} else if (dest.family != from.family) {
			olen = answer(out, sizeof(out), tid, &from, 400,
				      "destination family differs from the source");
			printf("refused %s port %u: family\n", a, fport);
		} else if ((err = commit_token(token, &from, &dest, why, sizeof(why)))) {
			olen = answer(out, sizeof(out), tid, &from, 403, why);
			printf("refused %s port %u -> %s: %s\n", a, fport,
			       stun_addr_str(&dest, b, sizeof(b)), why);
		} else {
			olen = answer(out, sizeof(out), tid, &from, 0, NULL);
			printf("admitted udp %s port %u -> %s\n", a, fport,
			       stun_addr_str(&dest, b, sizeof(b)));
		}
		fflush(stdout);
		if (olen)
			sendto(fd, out, olen, 0, (struct sockaddr *)&ss, sl);
	}
	close(fd);
	return CLI_OK;
}

/* mice gate present --token T --gateway A:P --sport N --dest A:P */
int gate_present(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "token", required_argument, NULL, 'T' },
		{ "gateway", required_argument, NULL, 'g' },
		{ "sport", required_argument, NULL, 's' },
		{ "dest", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *token = NULL, *gw = NULL, *dst = NULL;
	struct sockaddr_storage gss;
	struct stun_addr dest;
	socklen_t gsl;
	uint8_t req[700], tid[12], buf[1500];
	char host[64], *colon;
	int sport = -1, c, fd, i, gport;
	size_t len;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c == 'T')
			token = optarg;
		else if (c == 'g')
			gw = optarg;
		else if (c == 's')
			sport = mice_parse_port(optarg, false);
		else if (c == 'd')
			dst = optarg;
		else
			return CLI_USAGE;
	}
	if (!token || !gw || !dst || sport < 0 || strlen(token) > GATESTUN_TOKEN_MAX) {
		cli_err("usage: mice gate present --token HEX --gateway ADDR:PORT "
			"--sport N --dest ADDR:PORT");
		return CLI_USAGE;
	}
	snprintf(host, sizeof(host), "%s", dst);
	colon = strrchr(host, ':');
	if (!colon || mice_parse_port(colon + 1, false) < 0) {
		cli_err("invalid value '%s' for --dest: expected ADDR:PORT", dst);
		return CLI_USAGE;
	}
	*colon = '\0';
	memset(&dest, 0, sizeof(dest));
	if (inet_pton(AF_INET, host, dest.ip) == 1)
		dest.family = AF_INET;
	else {
		cli_err("invalid address in --dest '%s' (IPv4)", dst);
		return CLI_USAGE;
	}
	dest.port = (uint16_t)mice_parse_port(colon + 1, false);
	snprintf(host, sizeof(host), "%s", gw);
	colon = strrchr(host, ':');
	gport = colon ? mice_parse_port(colon + 1, false) : -1;
	if (gport < 0) {
		cli_err("invalid value '%s' for --gateway: expected ADDR:PORT", gw);
		return CLI_USAGE;
	}
	*colon = '\0';
	if (mice_parse_sockaddr(host, (uint16_t)gport, &gss, &gsl)) {
		cli_err("invalid address in --gateway '%s'", gw);
		return CLI_USAGE;
	}
	fd = sock_for("0.0.0.0", sport);
	if (fd < 0)
		return CLI_FAIL;
	len = gatestun_build_request(req, sizeof(req), token, &dest, tid);
	for (i = 0; i < 5; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		static struct stun_msg m;
		ssize_t n;

		sendto(fd, req, len, 0, (struct sockaddr *)&gss, gsl);
		if (poll(&p, 1, 500 << (i < 3 ? i : 3)) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 20 || memcmp(buf + 8, tid, 12) ||
		    stun_decode(buf, (size_t)n, &m, NULL) != STUN_OK)
			continue;
		close(fd);
		if (stun_type_class(m.type) == STUN_SUCCESS) {
			printf("admitted\n");
			return CLI_OK;
		}
		cli_err("refused: %d %.*s", m.error_code, (int)m.reason_len,
			m.reason ? m.reason : "");
		return CLI_FAIL;
	}
	close(fd);
	cli_err("no answer from the gateway %s", gw);
	return CLI_FAIL;
}
