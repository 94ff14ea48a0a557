// SPDX-License-Identifier: GPL-2.0
/*
 * peerbatch: installs many peers on a mice device from one process, many
 * PAIR_SET requests per sendmsg, and blasts UDP datagrams into the tunnel
 * at one or at random ones of their inner addresses (make bench,
 * bench/lpm_bench_guest.sh; tests/vm/test_lpm.sh).
 *
 *   peerbatch set --sock ID --dev IFNAME --count N --base A.B.C.D
 *                 --remote A.B.C.D --port P [--first-id I] [--prefixes K]
 *                 [--batch B]
 *   peerbatch blast --base A.B.C.D --count N [--random] --port P
 *                   --seconds S [--size BYTES]
 *
 * set: peer ID I+i (i < N; I defaults to 1) gets the K (default 1, at
 * most 32: past MICE_MAX_PREFIXES_PER_PEER to probe the kernel's limit) host
 * prefixes base + (ID - 1) * K + j, j < K, each a /32, and the pair
 * (socket ID, remote, port P + (ID - 1) % 1000), so successive calls with
 * growing --first-id extend one address sequence. Every request carries
 * NLM_F_ACK; B (default 256) go in one sendmsg and their acks are read
 * before the next batch. Prints "set ops N seconds S per_second R"; exit
 * 0 when every request succeeded, else 1 after the first error and its
 * extack message.
 *
 * blast: sends datagrams of BYTES (default 64) from an unconnected socket
 * to UDP port P of base + N - 1 (the last peer installed, the worst case
 * of a walk in installation order) or, with --random, of base + r with r
 * uniform in 0..N-1, 64 per sendmmsg, for S seconds. Prints
 * "packets N seconds S pps R".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "../../agent/nl.h"
#include "../../agent/nlmsg.h"
#include "toolarg.h"

#define PROG		"peerbatch"
#define BATCH_MAX	1024
#define REQ_MAX		1024	/* octets: a request with 16 prefixes fits */
#define RECV_VLEN	64
#define BLAST_BATCH	64
#define MAX_SIZE	1400
#define MAX_PREFIXES	32

/* MICE_A_PAIR of a PAIR_SET, written here to go past the agent's limits. */
static void put_pair(struct nlmsghdr *nlh, uint32_t id, uint32_t sock,
		     uint32_t ifindex, struct in_addr remote, uint16_t port,
		     struct in_addr base, long nprefix)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, MICE_A_PAIR), *pn;
	long j;

	mnl_attr_put_u32(nlh, MICE_PAIR_A_PEER_ID, id);
	mnl_attr_put_u32(nlh, MICE_PAIR_A_SOCK_ID, sock);
	mnl_attr_put(nlh, MICE_PAIR_A_REMOTE_ADDR, 4, &remote);
	mnl_attr_put_u16(nlh, MICE_PAIR_A_REMOTE_PORT, htons(port));
	mnl_attr_put_u32(nlh, MICE_PAIR_A_IFINDEX, ifindex);
	for (j = 0; j < nprefix; j++) {
		uint32_t a4 = htonl(ntohl(base.s_addr) +
				    (uint32_t)((id - 1) * nprefix + j));

		pn = mnl_attr_nest_start(nlh, MICE_PAIR_A_PREFIX);
		mnl_attr_put(nlh, MICE_PREFIX_A_ADDR, 4, &a4);
		mnl_attr_put_u8(nlh, MICE_PREFIX_A_LEN, 32);
		mnl_attr_nest_end(nlh, pn);
	}
	mnl_attr_nest_end(nlh, nest);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: peerbatch set --sock ID --dev IFNAME --count N --base ADDR\n"
		"                     --remote ADDR --port P [--first-id I] [--prefixes K] [--batch B]\n"
		"       peerbatch blast --base ADDR --count N [--random] --port P --seconds S [--size BYTES]\n");
	return 2;
}

struct acks {
	unsigned long long sent, bad;
	int first_err;
	char first_msg[256];
};

static int read_acks(struct mice_nl *nl, unsigned int want, struct acks *a)
{
	static char rx[RECV_VLEN][1024];
	struct mmsghdr msgs[RECV_VLEN];
	struct iovec iov[RECV_VLEN];
	int fd = mnl_socket_get_fd(nl->sock);
	unsigned int got = 0;
	int i, n;

	while (got < want) {
		unsigned int vlen = want - got < RECV_VLEN ? want - got : RECV_VLEN;

		memset(msgs, 0, sizeof(msgs));
		for (i = 0; i < (int)vlen; i++) {
			iov[i].iov_base = rx[i];
			iov[i].iov_len = sizeof(rx[i]);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(fd, msgs, vlen, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, PROG ": reading acks: %s\n", strerror(errno));
			return -1;
		}
		for (i = 0; i < n; i++) {
			const struct nlmsghdr *nlh = (const struct nlmsghdr *)rx[i];
			int len = (int)msgs[i].msg_len;
			char msg[256];
			int err;

			for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
				if (nlh->nlmsg_type != NLMSG_ERROR)
					continue;
				got++;
				err = mice_msg_parse_error(nlh, msg, sizeof(msg));
				if (!err)
					continue;
				if (!a->bad++) {
					a->first_err = err;
					snprintf(a->first_msg, sizeof(a->first_msg), "%s", msg);
				}
			}
		}
	}
	return 0;
}

static int do_set(long sock, const char *dev, long count, const char *base_s,
		  const char *remote_s, long port, long first, long nprefix,
		  long batch)
{
	static char buf[BATCH_MAX * REQ_MAX];
	struct in_addr base, remote;
	struct mice_nl nl;
	struct acks a = { 0 };
	unsigned int ifindex, inflight = 0;
	int rcvbuf = 8 << 20;
	size_t len = 0;
	double t0, dt;
	long i;
	int err;

	if (inet_pton(AF_INET, base_s, &base) != 1 ||
	    inet_pton(AF_INET, remote_s, &remote) != 1) {
		fprintf(stderr, PROG ": --base and --remote must be IPv4 addresses\n");
		return 2;
	}
	ifindex = if_nametoindex(dev);
	if (!ifindex) {
		fprintf(stderr, PROG ": no device '%s'\n", dev);
		return 1;
	}
	err = mice_nl_open(&nl);
	if (err) {
		fprintf(stderr, PROG ": genetlink family: %s\n", strerror(-err));
		return 1;
	}
	/* room for a whole batch of acks: an ack is an skb of its own */
	setsockopt(mnl_socket_get_fd(nl.sock), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		   sizeof(rcvbuf));
	t0 = now_s();
	for (i = 0; i < count; i++) {
		uint32_t id = (uint32_t)(first + i);
		struct nlmsghdr *nlh;

		nlh = mice_msg_request(buf + len, nl.family_id, MICE_CMD_PAIR_SET,
				       NLM_F_ACK, ++nl.seq);
		put_pair(nlh, id, (uint32_t)sock, ifindex, remote,
			 (uint16_t)(port + (id - 1) % 1000), base, nprefix);
		len += NLMSG_ALIGN(nlh->nlmsg_len);
		inflight++;
		if (inflight == (unsigned int)batch || i == count - 1) {
			if (mnl_socket_sendto(nl.sock, buf, len) < 0) {
				fprintf(stderr, PROG ": send: %s\n", strerror(errno));
				return 1;
			}
			a.sent += inflight;
			if (read_acks(&nl, inflight, &a))
				return 1;
			len = 0;
			inflight = 0;
			if (a.bad)
				break;
		}
	}
	dt = now_s() - t0;
	printf("set ops %llu seconds %.3f per_second %.0f\n", a.sent, dt,
	       dt > 0 ? (double)a.sent / dt : 0.0);
	mice_nl_close(&nl);
	if (a.bad) {
		fprintf(stderr, PROG ": %llu of %llu requests failed; first: %s%s%s\n",
			a.bad, a.sent, strerror(-a.first_err),
			a.first_msg[0] ? ": " : "", a.first_msg);
		return 1;
	}
	return 0;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 32);
}

static int do_blast(const char *base_s, long count, bool random_dst,
		    long port, long seconds, long size)
{
	static char payload[MAX_SIZE];
	static struct sockaddr_in to[BLAST_BATCH];
	struct mmsghdr msgs[BLAST_BATCH];
	struct iovec iov[BLAST_BATCH];
	unsigned long long sent = 0;
	struct in_addr base;
	double t0, end, dt;
	int fd, i;

	if (inet_pton(AF_INET, base_s, &base) != 1) {
		fprintf(stderr, PROG ": --base must be an IPv4 address\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror(PROG ": socket");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BLAST_BATCH; i++) {
		to[i].sin_family = AF_INET;
		to[i].sin_port = htons((uint16_t)port);
		to[i].sin_addr.s_addr = htonl(ntohl(base.s_addr) + (uint32_t)(count - 1));
		iov[i].iov_base = payload;
		iov[i].iov_len = (size_t)size;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &to[i];
		msgs[i].msg_hdr.msg_namelen = sizeof(to[i]);
	}
	t0 = now_s();
	end = t0 + (double)seconds;
	while (now_s() < end) {
		int n;

		if (random_dst)
			for (i = 0; i < BLAST_BATCH; i++)
				to[i].sin_addr.s_addr =
					htonl(ntohl(base.s_addr) +
					      next_rand() % (uint32_t)count);
		n = sendmmsg(fd, msgs, BLAST_BATCH, 0);
		if (n > 0)
			sent += (unsigned long long)n;
		else if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR &&
			 errno != ECONNREFUSED && errno != EHOSTUNREACH) {
			perror(PROG ": sendmmsg");
			close(fd);
			return 1;
		}
	}
	dt = now_s() - t0;
	close(fd);
	printf("packets %llu seconds %.3f pps %.0f\n", sent, dt,
	       dt > 0 ? (double)sent / dt : 0.0);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sock", required_argument, NULL, 'S' },
		{ "dev", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ "base", required_argument, NULL, 'b' },
		{ "remote", required_argument, NULL, 'r' },
		{ "port", required_argument, NULL, 'p' },
		{ "first-id", required_argument, NULL, 'f' },
		{ "prefixes", required_argument, NULL, 'k' },
		{ "batch", required_argument, NULL, 'B' },
		{ "random", no_argument, NULL, 'R' },
		{ "seconds", required_argument, NULL, 's' },
		{ "size", required_argument, NULL, 'z' },
		{ NULL, 0, NULL, 0 }
	};
	long sock = -1, count = -1, port = -1, first = 1, nprefix = 1;
	long batch = 256, seconds = -1, size = 64;
	const char *dev = NULL, *base = NULL, *remote = NULL, *cmd;
	bool random_dst = false;
	int c;

	if (argc < 2)
		return usage();
	cmd = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			if (tool_parse_num(PROG, "--sock", optarg, 0, UINT32_MAX, &sock))
				return 2;
			break;
		case 'd':
			dev = optarg;
			break;
		case 'n':
			if (tool_parse_num(PROG, "--count", optarg, 1, 1 << 24, &count))
				return 2;
			break;
		case 'b':
			base = optarg;
			break;
		case 'r':
			remote = optarg;
			break;
		case 'p':
			if (tool_parse_num(PROG, "--port", optarg, 1, 64535, &port))
				return 2;
			break;
		case 'f':
			if (tool_parse_num(PROG, "--first-id", optarg, 1, 1 << 30, &first))
				return 2;
			break;
		case 'k':
			if (tool_parse_num(PROG, "--prefixes", optarg, 1,
					   MAX_PREFIXES, &nprefix))
				return 2;
			break;
		case 'B':
			if (tool_parse_num(PROG, "--batch", optarg, 1, BATCH_MAX, &batch))
				return 2;
			break;
		case 'R':
			random_dst = true;
			break;
		case 's':
			if (tool_parse_num(PROG, "--seconds", optarg, 1, 3600, &seconds))
				return 2;
			break;
		case 'z':
			if (tool_parse_num(PROG, "--size", optarg, 1, MAX_SIZE, &size))
				return 2;
			break;
		default:
			return usage();
		}
	}
	if (optind != argc)
		return usage();
	if (!strcmp(cmd, "set")) {
		if (sock < 0 || !dev || count < 0 || !base || !remote || port < 0)
			return usage();
		return do_set(sock, dev, count, base, remote, port, first, nprefix,
			      batch);
	}
	if (!strcmp(cmd, "blast")) {
		if (!base || count < 0 || port < 0 || seconds < 0)
			return usage();
		return do_blast(base, count, random_dst, port, seconds, size);
	}
	return usage();
}
