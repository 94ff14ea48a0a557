// SPDX-License-Identifier: GPL-2.0
/*
 * udpblast: small UDP datagrams as fast as one sender can make them, and
 * their count at the receiver, to measure what a tunnel forwards in
 * packets per second. sendmmsg/recvmmsg in batches keep the generator's
 * own syscall cost low, so the tunnel, not the load generator, is what
 * saturates (iperf3 sends one datagram per syscall).
 *
 *   udpblast send --to ADDR --port N [--size BYTES] --seconds S
 *   udpblast recv --port N --seconds S [--first-wait S]
 *
 * recv waits up to --first-wait (20) s for the first datagram, counts
 * for --seconds from it and prints "packets N seconds S pps R".
 */
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

#include "toolarg.h"

#define PROG	"udpblast"

#define BATCH		64
#define MAX_SIZE	1400

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int usage(void)
{
	fprintf(stderr, "usage: udpblast send --to ADDR --port N [--size BYTES] "
		"--seconds S\n       udpblast recv --port N --seconds S "
		"[--first-wait S]\n");
	return 2;
}

static int do_send(const char *to, long port, long size, long seconds)
{
	static char payload[MAX_SIZE];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in sin = { .sin_family = AF_INET };
	unsigned long sent = 0;
	double end;
	int fd, i;

	if (inet_pton(AF_INET, to, &sin.sin_addr) != 1) {
		fprintf(stderr, "udpblast: invalid --to '%s': expected an IPv4 "
			"address\n", to);
		return 2;
	}
	sin.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("udpblast: socket");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = payload;
		iov[i].iov_len = (size_t)size;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	end = now_s() + (double)seconds;
	while (now_s() < end) {
		int n = sendmmsg(fd, msgs, BATCH, 0);

		if (n > 0)
			sent += (unsigned long)n;
		else if (errno != ENOBUFS && errno != EAGAIN &&
			 errno != ECONNREFUSED && errno != EINTR) {
			perror("udpblast: sendmmsg");
			close(fd);
			return 1;
		}
	}
	close(fd);
	printf("sent %lu\n", sent);
	return 0;
}

static int do_recv(long port, long seconds, long first_wait)
{
	static char bufs[BATCH][MAX_SIZE];
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct pollfd pfd;
	unsigned long count = 0;
	int fd, i, rcvbuf = 4 << 20;
	double start, end;

	sin.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("udpblast: bind");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = MAX_SIZE;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	printf("ready\n");
	fflush(stdout);
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, (int)first_wait * 1000) <= 0) {
		printf("packets 0 seconds 0 pps 0\n");
		close(fd);
		return 1;
	}
	start = now_s();
	end = start + (double)seconds;
	while (now_s() < end) {
		struct timespec to = { .tv_sec = 0, .tv_nsec = 100000000 };
		int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, &to);

		if (n > 0)
			count += (unsigned long)n;
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			break;
	}
	printf("packets %lu seconds %ld pps %.0f\n", count, seconds,
	       (double)count / (now_s() - start));
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "port", required_argument, NULL, 'p' },
		{ "size", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "first-wait", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	long port = 0, size = 64, seconds = 0, first_wait = 20;
	const char *to = NULL;
	int c;

	if (argc < 2)
		return usage();
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int bad = 0;

		switch (c) {
		case 't': to = optarg; break;
		case 'p': bad = tool_parse_num(PROG, "--port", optarg, 1, 65535, &port); break;
		case 's': bad = tool_parse_num(PROG, "--size", optarg, 1, MAX_SIZE, &size); break;
		case 'S': bad = tool_parse_num(PROG, "--seconds", optarg, 1, 3600, &seconds); break;
		case 'w': bad = tool_parse_num(PROG, "--first-wait", optarg, 1, 3600, &first_wait); break;
		default: return usage();
		}
		if (bad)
			return 2;
	}
	if (!port || !seconds)
		return usage();
	if (!strcmp(argv[1], "send"))
		return to ? do_send(to, port, size, seconds) : usage();
	if (!strcmp(argv[1], "recv"))
		return do_recv(port, seconds, first_wait);
	return usage();
}
