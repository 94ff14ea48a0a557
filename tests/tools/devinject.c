// SPDX-License-Identifier: GPL-2.0
/*
 * devinject: hands raw bytes to a network device's transmit routine from an
 * AF_PACKET datagram socket, with an skb->protocol of our choosing, the
 * way a local process with CAP_NET_RAW can. The kernel builds no header
 * for it and checks nothing, so a layer-3 device such as mice0 sees
 * exactly these bytes: a truncated IP header, an IPv6 header in an
 * ETH_P_IP skb, or no IP at all.
 *
 *   devinject --dev IF --proto ip|ipv6|arp|0xNNNN [--count N] HEXBYTES
 *
 * Prints "sent N" on success.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int parse_proto(const char *s, unsigned int *proto)
{
	char *end;
	unsigned long v;

	if (!strcmp(s, "ip"))
		*proto = ETH_P_IP;
	else if (!strcmp(s, "ipv6"))
		*proto = ETH_P_IPV6;
	else if (!strcmp(s, "arp"))
		*proto = ETH_P_ARP;
	else {
		errno = 0;
		v = strtoul(s, &end, 0);
		if (errno || *end || !v || v > 0xffff)
			return -1;
		*proto = (unsigned int)v;
	}
	return 0;
}

/* Octets of @s (an even number of hex digits) into @buf; -1 if malformed. */
static long parse_hex(const char *s, unsigned char *buf, size_t cap)
{
	size_t n = 0;

	while (s[0]) {
		unsigned int v;

		if (!s[1] || n == cap || sscanf(s, "%2x", &v) != 1)
			return -1;
		buf[n++] = (unsigned char)v;
		s += 2;
	}
	return (long)n;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "proto", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	static unsigned char buf[65536];
	struct sockaddr_ll sll;
	const char *dev = NULL;
	unsigned int proto = 0;
	long count = 1, i, len;
	int c, fd;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dev = optarg;
			break;
		case 'p':
			if (parse_proto(optarg, &proto)) {
				fprintf(stderr, "devinject: bad --proto '%s'\n", optarg);
				return 2;
			}
			break;
		case 'c':
			count = strtol(optarg, NULL, 10);
			break;
		default:
			return 2;
		}
	}
	if (!dev || !proto || count < 1 || optind != argc - 1) {
		fprintf(stderr, "usage: devinject --dev IF --proto ip|ipv6|arp|0xNNNN "
			"[--count N] HEXBYTES\n");
		return 2;
	}
	len = parse_hex(argv[optind], buf, sizeof(buf));
	if (len < 0) {
		fprintf(stderr, "devinject: bad hex bytes\n");
		return 2;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons((unsigned short)proto);
	sll.sll_ifindex = (int)if_nametoindex(dev);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "devinject: no device '%s'\n", dev);
		return 2;
	}
	/* Protocol 0: the socket receives nothing, it only sends. */
	fd = socket(AF_PACKET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("devinject: socket");
		return 1;
	}
	for (i = 0; i < count; i++) {
		if (sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&sll,
			   sizeof(sll)) < 0) {
			perror("devinject: sendto");
			return 1;
		}
	}
	printf("sent %ld\n", count);
	close(fd);
	return 0;
}
