// SPDX-License-Identifier: GPL-2.0
/*
 * sendpkt: sends test datagrams of each demultiplexing class (seed 004
 * s.12) to an address and port, and prints each payload sent as
 * "KIND HEX" so a test can compare what the agent received byte for byte.
 *
 *   sendpkt --to ADDR --port N [--sport N] [--count N] [--quiet] KIND...
 *
 * KIND: stun, stun-big, stun-badfp, stun-nofp, stun-oversize, mh,
 *       mh-ambiguous, mh-badlen, ipv4, ipv6, ipv4-badlen, garbage, empty,
 *       hex:HEXBYTES
 * stun-oversize is a valid STUN message (FINGERPRINT correct) of 60028
 * octets, over the module's MICE_STUN_MAX_LEN.
 * --count N sends the whole list N times (a flood for benchmarks).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pkt.h"

static size_t parse_hex(const char *s, u8 *buf, size_t cap)
{
	size_t n = 0;

	while (s[0] && s[1] && n < cap) {
		unsigned int v;

		if (sscanf(s, "%2x", &v) != 1)
			break;
		buf[n++] = (u8)v;
		s += 2;
	}
	return n;
}

/* The payload for @kind, or (size_t)-1 if the kind is unknown. */
static size_t build(const char *kind, u8 *buf, size_t cap)
{
	size_t n;

	if (!strcmp(kind, "stun"))
		return pkt_stun(buf, cap, PKT_STUN_BINDING_REQUEST, 0);
	if (!strcmp(kind, "stun-big"))
		return pkt_stun(buf, cap, PKT_STUN_BINDING_REQUEST, 200);
	if (!strcmp(kind, "stun-oversize"))
		return pkt_stun(buf, cap, PKT_STUN_BINDING_REQUEST, 60000);
	if (!strcmp(kind, "stun-badfp")) {
		n = pkt_stun(buf, cap, PKT_STUN_BINDING_REQUEST, 8);
		buf[n - 1] ^= 0xff;
		return n;
	}
	if (!strcmp(kind, "stun-nofp")) {
		/* cookie and a consistent length, but no FINGERPRINT */
		static const u8 sw[4] = { 'm', 'i', 'c', 'e' };

		n = pkt_stun_begin(buf, cap, PKT_STUN_BINDING_REQUEST);
		n = pkt_stun_attr(buf, cap, n, PKT_STUN_ATTR_SOFTWARE, sw, 4, 0);
		pkt_put_be16(buf + 2, (u16)(n - 20));
		return n;
	}
	if (!strcmp(kind, "mh"))
		return pkt_mh(buf, cap, 5, 3);
	if (!strcmp(kind, "mh-ambiguous"))
		return pkt_mh_ambiguous(buf, cap, 5, 3);
	if (!strcmp(kind, "mh-badlen")) {
		n = pkt_mh(buf, cap, 5, 3);
		return n - 4;
	}
	if (!strcmp(kind, "ipv4"))
		return pkt_ipv4(buf, cap, 100);
	if (!strcmp(kind, "ipv6"))
		return pkt_ipv6(buf, cap, 100);
	if (!strcmp(kind, "ipv4-badlen")) {
		n = pkt_ipv4(buf, cap, 100);
		return n - 1;
	}
	if (!strcmp(kind, "garbage")) {
		for (n = 0; n < 17 && n < cap; n++)
			buf[n] = (u8)(0xde + n);
		return n;
	}
	if (!strcmp(kind, "empty"))
		return 0;
	if (!strncmp(kind, "hex:", 4))
		return parse_hex(kind + 4, buf, cap);
	return (size_t)-1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "port", required_argument, NULL, 'p' },
		{ "sport", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_storage dst, src;
	const char *to = NULL;
	long port = 0, sport = 0, count = 1, rep;
	int c, fd, quiet = 0, i;
	static u8 buf[65536];
	socklen_t len;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 't': to = optarg; break;
		case 'p': port = strtol(optarg, NULL, 10); break;
		case 's': sport = strtol(optarg, NULL, 10); break;
		case 'c': count = strtol(optarg, NULL, 10); break;
		case 'q': quiet = 1; break;
		default: return 2;
		}
	}
	if (!to || port <= 0 || port > 65535 || optind >= argc || count < 1) {
		fprintf(stderr, "usage: sendpkt --to ADDR --port N [--sport N] "
			"[--count N] [--quiet] KIND...\n");
		return 2;
	}
	memset(&dst, 0, sizeof(dst));
	memset(&src, 0, sizeof(src));
	if (inet_pton(AF_INET, to, &((struct sockaddr_in *)&dst)->sin_addr) == 1) {
		dst.ss_family = src.ss_family = AF_INET;
		((struct sockaddr_in *)&dst)->sin_port = htons((u16)port);
		((struct sockaddr_in *)&src)->sin_port = htons((u16)sport);
		len = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, to,
			     &((struct sockaddr_in6 *)&dst)->sin6_addr) == 1) {
		dst.ss_family = src.ss_family = AF_INET6;
		((struct sockaddr_in6 *)&dst)->sin6_port = htons((u16)port);
		((struct sockaddr_in6 *)&src)->sin6_port = htons((u16)sport);
		len = sizeof(struct sockaddr_in6);
	} else {
		fprintf(stderr, "sendpkt: bad address '%s'\n", to);
		return 2;
	}
	fd = socket(dst.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || (sport && bind(fd, (struct sockaddr *)&src, len))) {
		perror("sendpkt: socket");
		return 1;
	}
	for (rep = 0; rep < count; rep++) {
		for (i = optind; i < argc; i++) {
			size_t n = build(argv[i], buf, sizeof(buf));
			size_t k;

			if (n == (size_t)-1) {
				fprintf(stderr, "sendpkt: unknown kind '%s'\n", argv[i]);
				return 2;
			}
			if (sendto(fd, buf, n, 0, (struct sockaddr *)&dst, len) < 0) {
				if (errno == ENOBUFS || errno == EAGAIN)
					continue;
				perror("sendpkt: sendto");
				return 1;
			}
			if (quiet || rep)
				continue;
			printf("%s ", argv[i]);
			for (k = 0; k < n; k++)
				printf("%02x", buf[k]);
			putchar('\n');
		}
	}
	close(fd);
	return 0;
}
