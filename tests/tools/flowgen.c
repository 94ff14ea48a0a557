// SPDX-License-Identifier: GPL-2.0
/*
 * flowgen: a paced UDP media flow and its receiver, to measure what a
 * policer lets through. Rates are in IP octets per second (UDP payload +
 * 28 for IPv4, + 48 for IPv6), the unit of the gate envelope.
 *
 *   flowgen send --to ADDR --port N [--sport N] [--size PAYLOAD]
 *                --rate IP-OCTETS/S --seconds S
 *   flowgen recv --port N --seconds S [--warmup S] [--first-wait S]
 *
 * recv prints "ready", waits up to --first-wait (20) s for the first datagram, then
 * measures for --warmup + --seconds and prints
 *   "packets N ip_bytes B window S rate R"
 * where R counts only the datagrams after the warmup (so the bucket's
 * initial burst does not count) over the window that follows it.
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

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_until(double t)
{
	struct timespec ts;

	ts.tv_sec = (time_t)t;
	ts.tv_nsec = (long)((t - ts.tv_sec) * 1e9);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static int do_send(const char *to, long port, long sport, long size,
		   double rate, double seconds)
{
	struct sockaddr_storage dst, src;
	static char buf[65536];
	unsigned long long sent = 0, ipbytes = 0;
	double start, interval, t;
	socklen_t len;
	int fd, ovh;

	memset(&dst, 0, sizeof(dst));
	memset(&src, 0, sizeof(src));
	if (inet_pton(AF_INET, to, &((struct sockaddr_in *)&dst)->sin_addr) == 1) {
		dst.ss_family = src.ss_family = AF_INET;
		((struct sockaddr_in *)&dst)->sin_port = htons((uint16_t)port);
		((struct sockaddr_in *)&src)->sin_port = htons((uint16_t)sport);
		len = sizeof(struct sockaddr_in);
		ovh = 28;
	} else if (inet_pton(AF_INET6, to,
			     &((struct sockaddr_in6 *)&dst)->sin6_addr) == 1) {
		dst.ss_family = src.ss_family = AF_INET6;
		((struct sockaddr_in6 *)&dst)->sin6_port = htons((uint16_t)port);
		((struct sockaddr_in6 *)&src)->sin6_port = htons((uint16_t)sport);
		len = sizeof(struct sockaddr_in6);
		ovh = 48;
	} else {
		fprintf(stderr, "flowgen: bad address '%s'\n", to);
		return 2;
	}
	fd = socket(dst.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || (sport && bind(fd, (struct sockaddr *)&src, len))) {
		perror("flowgen: socket");
		return 1;
	}
	memset(buf, 0x5a, (size_t)size);
	interval = (size + ovh) / rate;
	start = now_s();
	for (t = start; t < start + seconds; t += interval) {
		sleep_until(t);
		if (sendto(fd, buf, (size_t)size, 0, (struct sockaddr *)&dst, len) < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EPERM)
				continue;	/* EPERM: a netfilter drop */
			perror("flowgen: sendto");
			return 1;
		}
		sent++;
		ipbytes += (unsigned long long)(size + ovh);
	}
	printf("sent %llu ip_bytes %llu seconds %.3f rate %.0f\n", sent, ipbytes,
	       now_s() - start, ipbytes / (now_s() - start));
	close(fd);
	return 0;
}

static int do_recv(long port, double seconds, double warmup, double first_wait)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	unsigned long long packets = 0, ipbytes = 0, wbytes = 0;
	static char buf[65536];
	int fd, off = 0, rcvbuf = 4 << 20;
	double first = 0, t;

	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	sin6.sin6_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&sin6, sizeof(sin6))) {
		perror("flowgen: bind");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_in6 from;
		socklen_t flen = sizeof(from);
		ssize_t n;

		t = now_s();
		if (first && t >= first + warmup + seconds)
			break;
		if (poll(&pfd, 1, first ? 50 : (int)(first_wait * 1000)) <= 0) {
			if (!first)
				break;
			continue;
		}
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &flen);
		if (n < 0)
			continue;
		t = now_s();
		if (!first)
			first = t;
		n += IN6_IS_ADDR_V4MAPPED(&from.sin6_addr) ? 28 : 48;
		packets++;
		ipbytes += (unsigned long long)n;
		if (t >= first + warmup && t < first + warmup + seconds)
			wbytes += (unsigned long long)n;
	}
	printf("packets %llu ip_bytes %llu window %.3f rate %.0f\n", packets,
	       ipbytes, seconds, first ? wbytes / seconds : 0.0);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "port", required_argument, NULL, 'p' },
		{ "sport", required_argument, NULL, 's' },
		{ "size", required_argument, NULL, 'z' },
		{ "rate", required_argument, NULL, 'r' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "first-wait", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *to = NULL, *mode;
	long port = 0, sport = 0, size = 200;
	double rate = 0, seconds = 3, warmup = 0.5, first_wait = 20;
	int c;

	if (argc < 2) {
		fprintf(stderr, "usage: flowgen send|recv ...\n");
		return 2;
	}
	mode = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 't': to = optarg; break;
		case 'p': port = strtol(optarg, NULL, 10); break;
		case 's': sport = strtol(optarg, NULL, 10); break;
		case 'z': size = strtol(optarg, NULL, 10); break;
		case 'r': rate = atof(optarg); break;
		case 'S': seconds = atof(optarg); break;
		case 'w': warmup = atof(optarg); break;
		case 'f': first_wait = atof(optarg); break;
		default: return 2;
		}
	}
	if (port <= 0 || port > 65535 || seconds <= 0 || warmup < 0 ||
	    first_wait <= 0 || first_wait > 3600) {
		fprintf(stderr, "flowgen: bad --port/--seconds/--warmup\n");
		return 2;
	}
	if (!strcmp(mode, "send")) {
		if (!to || rate <= 0 || size < 0 || size > 65000 ||
		    sport < 0 || sport > 65535) {
			fprintf(stderr, "flowgen send: need --to, --rate, a sane --size\n");
			return 2;
		}
		return do_send(to, port, sport, size, rate, seconds);
	}
	if (!strcmp(mode, "recv"))
		return do_recv(port, seconds, warmup, first_wait);
	fprintf(stderr, "flowgen: send or recv\n");
	return 2;
}
