// SPDX-License-Identifier: GPL-2.0
/*
 * udpcount: a benchmark reader. Binds a UDP port, optionally attaches the
 * socket to the mice module, reads datagrams for a fixed time and prints
 * "packets N seconds S pps R". The same reader serves the plain and the
 * attached case so only the module's cost differs.
 *
 *   udpcount --port N [--addr A] [--seconds S] [--attach]
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../agent/nl.h"
#include "../../agent/nlmsg.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int attach(int fd)
{
	char buf[MICE_NL_MSGBUF];
	struct nlmsghdr *nlh;
	struct mice_nl nl;
	int err = mice_nl_open(&nl);

	if (err)
		return err;
	nlh = mice_msg_request(buf, nl.family_id, MICE_CMD_SOCK_ATTACH, 0, 0);
	mice_msg_put_sock_fd(nlh, (uint32_t)fd);
	err = mice_nl_talk(&nl, nlh, NULL, NULL);
	mice_nl_close(&nl);
	return err;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "addr", required_argument, NULL, 'a' },
		{ "seconds", required_argument, NULL, 's' },
		{ "attach", no_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_in sin = { .sin_family = AF_INET };
	double seconds = 3, start = 0, end;
	int c, fd, do_attach = 0, rcvbuf = 4 << 20;
	unsigned long long packets = 0;
	static char buf[65536];

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': sin.sin_port = htons((uint16_t)atoi(optarg)); break;
		case 'a': inet_pton(AF_INET, optarg, &sin.sin_addr); break;
		case 's': seconds = atof(optarg); break;
		case 'A': do_attach = 1; break;
		default: return 2;
		}
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("udpcount: bind");
		return 1;
	}
	if (do_attach && (c = attach(fd))) {
		fprintf(stderr, "udpcount: attach failed: %s\n", strerror(-c));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	/* The clock starts at the first datagram. */
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, start ? 100 : 20000) <= 0) {
			if (!start)
				break;
		} else {
			n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n >= 0) {
				if (!start)
					start = now_s();
				packets++;
			}
		}
		if (start && now_s() - start >= seconds)
			break;
	}
	end = now_s();
	printf("packets %llu seconds %.3f pps %.0f\n", packets,
	       start ? end - start : 0.0,
	       start && end > start ? packets / (end - start) : 0.0);
	return 0;
}
