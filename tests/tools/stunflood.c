// SPDX-License-Identifier: GPL-2.0
/*
 * stunflood: a STUN Binding load generator for benchmarks (make bench).
 * Keeps WINDOW requests outstanding against a server for SECONDS and
 * prints "responses N seconds S rps R". The same client measures mice's
 * Home Agent STUN server and coturn's in the same run.
 *
 *   stunflood --to ADDR --port N [--seconds S] [--window W]
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

#include "pkt.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "port", required_argument, NULL, 'p' },
		{ "seconds", required_argument, NULL, 's' },
		{ "window", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_in dst = { .sin_family = AF_INET };
	double seconds = 3, start, end;
	long window = 32, outstanding = 0;
	unsigned long long responses = 0;
	u8 req[64], buf[1500];
	size_t len;
	int c, fd;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 't': inet_pton(AF_INET, optarg, &dst.sin_addr); break;
		case 'p': dst.sin_port = htons((u16)atoi(optarg)); break;
		case 's': seconds = atof(optarg); break;
		case 'w': window = atol(optarg); break;
		default: return 2;
		}
	}
	if (!dst.sin_port || window < 1) {
		fprintf(stderr, "usage: stunflood --to ADDR --port N [--seconds S] [--window W]\n");
		return 2;
	}
	len = pkt_stun(req, sizeof(req), PKT_STUN_BINDING_REQUEST, 0);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&dst, sizeof(dst))) {
		perror("stunflood");
		return 1;
	}
	start = now_s();
	end = start + seconds;
	while (now_s() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		while (outstanding < window) {
			if (send(fd, req, len, 0) < 0)
				break;
			outstanding++;
		}
		if (poll(&p, 1, 100) <= 0) {
			outstanding = 0;	/* lost ones: refill the window */
			continue;
		}
		while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 20) {
			/* only Binding success responses (0x0101) count */
			if (buf[0] == 0x01 && buf[1] == 0x01)
				responses++;
			if (outstanding)
				outstanding--;
		}
	}
	printf("responses %llu seconds %.2f rps %.0f\n", responses, seconds,
	       responses / seconds);
	return 0;
}
