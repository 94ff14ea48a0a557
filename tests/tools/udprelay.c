// SPDX-License-Identifier: GPL-2.0
/*
 * udprelay: the userspace alternative the kernel data path is measured
 * against (make bench): a tun device and a UDP socket, forwarding packets
 * between them in one poll loop the way a userspace ICE stack moves media.
 *
 *   udprelay --dev NAME --local ADDR:PORT --remote ADDR:PORT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int parse(const char *s, struct sockaddr_in *sin)
{
	char buf[64], *colon;

	snprintf(buf, sizeof(buf), "%s", s);
	colon = strchr(buf, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short)atoi(colon + 1));
	return inet_pton(AF_INET, buf, &sin->sin_addr) == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "local", required_argument, NULL, 'l' },
		{ "remote", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_in local, remote;
	const char *dev = NULL;
	int c, tun, sock, have_l = 0, have_r = 0, buf_sz = 4 << 20;
	static char buf[65536];
	struct ifreq ifr;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'd')
			dev = optarg;
		else if (c == 'l')
			have_l = !parse(optarg, &local);
		else if (c == 'r')
			have_r = !parse(optarg, &remote);
		else
			return 2;
	}
	if (!dev || !have_l || !have_r) {
		fprintf(stderr, "usage: udprelay --dev NAME --local A:P --remote A:P\n");
		return 2;
	}
	tun = open("/dev/net/tun", O_RDWR);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (tun < 0 || ioctl(tun, TUNSETIFF, &ifr) < 0) {
		perror("udprelay: tun");
		return 1;
	}
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &buf_sz, sizeof(buf_sz));
	setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &buf_sz, sizeof(buf_sz));
	if (bind(sock, (struct sockaddr *)&local, sizeof(local))) {
		perror("udprelay: bind");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		struct pollfd p[2] = { { tun, POLLIN, 0 }, { sock, POLLIN, 0 } };
		ssize_t n;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return 1;
		if (p[0].revents & POLLIN) {
			n = read(tun, buf, sizeof(buf));
			if (n > 0)
				sendto(sock, buf, (size_t)n, 0,
				       (struct sockaddr *)&remote, sizeof(remote));
		}
		if (p[1].revents & POLLIN) {
			n = recv(sock, buf, sizeof(buf), 0);
			if (n > 0 && write(tun, buf, (size_t)n) < 0 && errno != EINVAL)
				continue;
		}
	}
}
